"""Running steps: the pure step function, its compiled forms, and one epoch of steps.

`StepRunner` is the engine-facing half of the trainer. On an engine whose `jit` compiles (JAX:
XLA; NumPy: trace and replay) the step is a pure function of the variables' values, compiled
once per input signature with the state buffers donated; several steps can run in one call
(`steps_per_execution`). With ``run_eagerly`` (or ``jit_compile=False``) the same `train_step`
runs on the variables as one transaction: assignments are recorded and committed only when the
step succeeds.
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine import dispatch, tree
from kerasx.engine.autodiff import jit as _jit
from kerasx.engine.variables import StatelessScope, _current_distribution
from kerasx.layers.layer import tracking_snapshot
from kerasx.trainers.batch_staging import BatchStager, StackStager
from kerasx.trainers.step_blocks import StepBlocks


def distribute_batch(dist: Any, batch: Any, stacked: bool = False) -> Any:
    """`batch`'s arrays split over the devices along the batch axis, as `dist` says (with
    `stacked`, the batch axis is the second: several steps' batches stacked)."""
    from kerasx.distribution.distribution_lib import TensorLayout, distribute_tensor

    def place(x: Any) -> Any:
        shape = getattr(x, "shape", None)
        if shape is None or len(shape) < (2 if stacked else 1):
            return x
        if stacked:
            inner = dist.get_data_layout(tuple(shape[1:]))
            layout = TensorLayout((None, *inner.axes), inner.device_mesh)
        else:
            layout = dist.get_data_layout(tuple(shape))
        return distribute_tensor(x, layout)

    return tree.map_structure(place, batch)


class _State:
    """The variables a step reads and writes, grouped, and their current values."""

    def __init__(self, groups: list[list]) -> None:
        self.groups = groups
        self.values: list[list] | None = None
        self.following = False  # variables follow the state's new host arrays (see `follow`)

    def read(self, copier: Any) -> list[list]:
        """The variables' values for a compiled step that donates its state buffers.

        A host array that only its variable references is lent, not copied: the step may
        then update it in place (the NumPy engine's replay does), so the variable's array
        changes during the epoch and holds consistent values again once the state is
        written back (or synced for callbacks). An array anyone else holds (a user's
        reference, a view, another variable) is copied, so nobody's array changes under
        them; device arrays (JAX) are always copied, as donation invalidates them."""
        values = [[_lend_or_copy(v) for v in g] for g in self.groups]
        # device arrays: copied together, by one compiled function (not one XLA copy
        # program per shape)
        devices = [(i, j) for i, g in enumerate(values) for j, x in enumerate(g) if x is None]
        if devices:
            copies = copier([[self.groups[i][j].value for i, j in devices]])[0]
            for (i, j), x in zip(devices, copies):
                values[i][j] = x
        self.following = any(
            x is v._value for g, vals in zip(self.groups, values) for v, x in zip(g, vals)
        )
        return values

    def follow(self) -> None:
        """After a step: variables whose host arrays were lent take the step's new arrays
        (which the next step may update in place), so an old array does not stay alive
        beside the new one until the epoch ends. Once a step wrote every large array in
        place (the replay's steady state) there is nothing left to follow."""
        if not self.following or self.values is None:
            return
        moved_large = False
        for g, vals in zip(self.groups, self.values):
            for v, x in zip(g, vals):
                old = v._value
                if x is not old and type(x) is np.ndarray and type(old) is np.ndarray:
                    if x.shape == old.shape and x.dtype == old.dtype and x.flags.writeable:
                        moved_large = moved_large or x.size >= 4096
                        v._value = x
        self.following = moved_large

    def sync(self) -> None:
        """Copy the current values into the variables, keeping them for the next step."""
        for g, vals in zip(self.groups, self.values or []):
            for v, x in zip(g, vals):
                x = ops.copy(x)
                if not v._take_value(x):
                    v.assign(x)

    def write_back(self) -> None:
        if self.values is None:
            return
        for g, vals in zip(self.groups, self.values):
            for v, x in zip(g, vals):
                if not v._take_value(x):  # the step's own arrays: adopted, not copied
                    v.assign(x)
        self.values = None


class _LazyLogs(MutableMapping):
    """A step's logs computed only when read (eager steps: most steps nobody reads them)."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._logs: dict | None = None

    def _get(self) -> dict:
        if self._logs is None:
            self._logs = self._model.get_metrics_result()
        return self._logs

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Any:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __setitem__(self, key: str, value: Any) -> None:
        self._get()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._get()[key]

    def copy(self) -> dict:
        """A plain dict of the logs."""
        return dict(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


def _exclusive_refcount() -> int:
    """`sys.getrefcount` of an array held only by its owner's attribute, seen from inside
    `_lend_or_copy` (measured once: the count differs between Python versions)."""

    class _Owner:
        pass

    owner = _Owner()
    owner._value = np.zeros(1)
    return _refcount_of_value(owner)


def _refcount_of_value(v: Any) -> int:
    x = v._value
    return sys.getrefcount(x)


def _lend_or_copy(v: Any) -> Any:
    """A host array only `v` holds (lent), a copy of any other host array, or None for a
    device array (copied by the caller)."""
    if _LENDING and _refcount_of_value(v) == _EXCLUSIVE:  # first: this frame holds no ref
        x = v._value
        if type(x) is np.ndarray and x.flags.writeable and x.flags.owndata and x is v.value:
            return x
    x = v.value
    return np.array(x, copy=True) if isinstance(x, (np.ndarray, np.generic)) else None


_EXCLUSIVE = _exclusive_refcount()
# Reference counts tell exclusive ownership only with the GIL (a free-threaded build counts
# references per thread): without it every array is copied.
_LENDING = getattr(sys, "_is_gil_enabled", lambda: True)()


def _all_vars(groups: list[list]) -> list:
    return [v for g in groups for v in g]


class StepRunner:
    """Mixin: building and running the step functions (used by `Trainer`)."""

    # ------------------------------------------------------------------ pure functions

    def _use_jit(self) -> bool:
        if self.run_eagerly or self.jit_compile is False:
            return False
        return bool(getattr(dispatch.engine(), "compiles", True))

    def _state_groups(self, kind: str) -> list[list]:
        with tracking_snapshot():
            tv = list(self.trainable_variables)
            ntv = list(self.non_trainable_variables)
            mv = self.metrics_variables
        if kind == "train":
            return [tv, ntv, list(self.optimizer.variables), mv]
        if kind == "test":
            return [tv, ntv, mv]
        return [tv, ntv]

    def _make_function(self, kind: str, groups: list[list], donate: bool = True) -> Any:
        """The step of `kind` as a function ``(state, data) -> (new_state, logs)``, cached.

        Compiled when the engine compiles; with `donate` the state buffers are donated
        (the caller passes copies it owns), without it the step leaves its inputs intact
        and returns fresh buffers. The new state comes first: JAX gives each donated input
        buffer to the first output of its shape and dtype, so each state array then takes
        its own input's buffer (with the logs first, a scalar log took the buffer of a
        scalar state entry and shifted the others, and XLA added copies to untangle them).
        """
        key = (kind, tuple(id(v) for v in _all_vars(groups)), self._use_jit(), donate)
        fn = self._kx_fns.get(key)
        if fn is not None:
            return fn
        step_method = {"train": self.train_step, "test": self.test_step}.get(kind)
        flat_vars = _all_vars(groups)
        sizes = [len(g) for g in groups]

        def pure(state: list, data: Any) -> tuple:
            values = [x for g in state for x in g]
            with StatelessScope(list(zip(flat_vars, values))) as scope:
                if kind == "predict":
                    out = self.predict_step(data)
                else:
                    out = step_method(data)
            new_flat = [scope.assigned.get(id(v), x) for v, x in zip(flat_vars, values)]
            new_state = []
            k = 0
            for n in sizes:
                new_state.append(new_flat[k : k + n])
                k += n
            return new_state, out

        def eager(state: Any, data: Any) -> tuple:
            # Without compilation the step runs on the variables themselves, as one
            # transaction: assignments are recorded, then committed only if the step succeeds.
            with StatelessScope() as scope:
                out = self.predict_step(data) if kind == "predict" else step_method(data)
            scope.commit()
            return None, out

        if self._use_jit():
            fn = _jit(pure, donate_argnums=0) if donate and kind != "predict" else _jit(pure)
        else:
            fn = eager
        self._kx_fns[key] = fn
        return fn

    def _make_multi_step(self, kind: str, groups: list[list], single: Any) -> Any:
        key = (kind + "_multi", tuple(id(v) for v in _all_vars(groups)), self._use_jit())
        fn = self._kx_fns.get(key)
        if fn is not None:
            return fn

        def many(state: list, stacked: Any) -> tuple:
            def body(carry: Any, batch: Any) -> tuple:
                return (
                    single.__wrapped__(carry, batch)
                    if hasattr(single, "__wrapped__")
                    else single(carry, batch)
                )

            new_state, all_logs = ops.scan(body, state, stacked)
            return new_state, tree.map_structure(lambda t: t[-1], all_logs)

        fn = _jit(many, donate_argnums=0)
        self._kx_fns[key] = fn
        return fn

    def _make_block(self, kind: str, groups: list[list], single: Any) -> Any:
        """The step of `kind` run ``n`` times in one compiled call (see step_blocks.py),
        ``(state, stacked, n) -> (new_state, logs, token)``: step ``i`` reads place ``i`` of
        the stacked batches, the logs are the metrics' results after the last step (what the
        built-in step returns) and the token is an output never donated, to wait on."""
        flat_vars = _all_vars(groups)
        key = (kind + "_block", tuple(id(v) for v in flat_vars))
        fn = self._kx_fns.get(key)
        if fn is not None:
            return fn
        step = getattr(single, "__wrapped__", single)

        def block(state: list, stacked: Any, n: Any) -> tuple:
            def body(i: Any, carry: list) -> list:
                return step(carry, tree.map_structure(lambda t: _place(t, i), stacked))[0]

            new_state = ops.fori_loop(0, n, body, state)
            values = [x for g in new_state for x in g]
            with StatelessScope(list(zip(flat_vars, values))):
                logs = self.get_metrics_result()
            return new_state, logs, n + 1

        fn = _jit(block, donate_argnums=0)
        self._kx_fns[key] = fn
        return fn

    def _block_size(self, kind: str, cbs: Any, sync: bool, dist: Any) -> int:
        """How many steps of `kind` to run per compiled call when the user did not set
        `steps_per_execution` (see step_blocks.py): the engine's ``fused_steps`` when the step
        and its logs are the built-in ones and no callback needs to see every batch; else 1.
        """
        eng = dispatch.engine()
        k = int(getattr(eng, "fused_steps", 1) or 1)
        if (
            k < 2
            or not hasattr(eng, "wait")
            or self.steps_per_execution != 1
            or sync
            or dist is not None
            or not self._use_jit()
            or not self._logs_are_builtin(kind)
            or not _hooks_allow_blocks(cbs, kind)
        ):
            return 1
        return k

    def _run_epoch(self, kind: str, iterator: Any, cbs: Any) -> _State:
        """Run `kind` steps over one epoch of `iterator`; returns the final state.

        When a step raises, the steps that completed are written back to the variables
        (the failed step changed nothing) and the exception propagates.
        """
        on_begin, on_end = _batch_hook(cbs, kind, "begin"), _batch_hook(cbs, kind, "end")
        spe = self.steps_per_execution if self._use_jit() else 1
        run: dict = {"state": None, "fn": None, "stager": self._batch_stager(kind)}
        sync = kind == "train" and self.__dict__.get("_kx_sync_each_step", False)

        dist = _current_distribution()
        size = self._block_size(kind, cbs, sync, dist) if spe == 1 else 1
        blocks: StepBlocks | None = None

        def flush(batches: list, first: int) -> None:
            state, fn = run["state"], run["fn"]
            if on_begin is not None:
                on_begin(first)
            if len(batches) > 1:
                multi = self._make_multi_step(kind, state.groups, fn)
                stacked = tree.map_structure(lambda *xs: np.stack(xs), *batches)
                if dist is not None:
                    stacked = distribute_batch(dist, stacked, stacked=True)
                new, logs = multi(state.values, stacked)
            elif run["stager"] is not None:
                stager = run["stager"]
                staged = stager.stage(batches[0])
                if dist is not None:
                    staged = distribute_batch(dist, staged)
                new, logs = fn(state.values, staged)
                stager.mark(logs)
            elif dist is not None:
                new, logs = fn(state.values, distribute_batch(dist, batches[0]))
            else:
                new, logs = fn(state.values, batches[0])
            state.values = new
            if state.following:
                state.follow()
            if sync and new is not None:
                state.sync()
            if on_end is not None:
                on_end(first + len(batches) - 1, logs)

        def flush_one_by_one(pending: list, last_step: int) -> None:
            for i, b in enumerate(pending):
                flush([b], last_step - len(pending) + 1 + i)

        pending: list = []
        last_step = -1
        try:
            for step, batch in iterator.enumerate_epoch():
                if run["state"] is None:
                    self._prepare(batch, kind)
                    groups = self._state_groups(kind)
                    state = _State(groups)
                    if self._use_jit():
                        state.values = state.read(self._state_copier())
                    self.__dict__["_kx_step_vars"] = (groups[0], groups[1])
                    self.__dict__["_kx_eager"] = not self._use_jit()
                    run["state"], run["fn"] = state, self._make_function(kind, groups)
                    if run["stager"] is not None and not run["stager"].applies(batch):
                        run["stager"] = None
                    size = min(size, StackStager.steps_for(batch))
                    if size > 1:
                        eng = dispatch.engine()
                        alignment = getattr(eng, "host_batch_alignment", None) or 64
                        blocks = StepBlocks(
                            self._make_block(kind, groups, run["fn"]),
                            StackStager(eng, alignment, size),
                            on_begin,
                            on_end,
                        )
                if blocks is not None:
                    if not blocks.put(run["state"], step, batch):
                        blocks.flush(run["state"])  # a batch unlike the first: on its own
                        flush([batch], step)
                elif spe > 1:
                    if pending and _batch_shapes(batch) != _batch_shapes(pending[0]):
                        flush_one_by_one(pending, last_step)
                        pending = []
                    pending.append(batch)
                    last_step = step
                    if len(pending) == spe:
                        flush(pending, step - spe + 1)
                        pending = []
                else:
                    flush([batch], step)
                if kind == "train" and self.stop_training:
                    break
            flush_one_by_one(pending, last_step)
            if blocks is not None:
                blocks.flush(run["state"])
        except BaseException:
            if run["state"] is not None:
                if blocks is not None and blocks.pending:
                    # the batches taken from the data before it raised still train, as they
                    # would one call per step
                    try:
                        blocks.flush(run["state"])
                    except Exception:  # the first exception is the one to see
                        pass
                run["state"].write_back()
            raise
        finally:
            self.__dict__.pop("_kx_step_vars", None)
            self.__dict__.pop("_kx_eager", None)
        if run["state"] is None:
            raise ValueError(
                "The data passed produced no batches: it is empty (or `steps_per_epoch` is 0). "
                "Pass at least one sample."
            )
        return run["state"]

    def _batch_stager(self, kind: str) -> BatchStager | None:
        """Aligned staging of host batches (kerasx/trainers/batch_staging.py) when the engine
        reads aligned host memory in place and the step is the built-in one (whose logs hold
        no array aliasing its inputs)."""
        if not self._use_jit():
            return None
        eng = dispatch.engine()
        alignment = getattr(eng, "host_batch_alignment", None)
        if not alignment or not hasattr(eng, "wait") or not self._uses_builtin_step(kind):
            return None
        return BatchStager(eng, alignment)

    @staticmethod
    def _host_logs(logs: dict) -> dict:
        out = {}
        for k, v in logs.items():
            arr = np.asarray(dispatch.engine().to_numpy(v)) if not isinstance(v, float) else v
            out[k] = float(arr) if np.ndim(arr) == 0 else arr
        return out


def _place(stacked: Any, i: Any) -> Any:
    """Place `i` (a scalar tensor) along the first axis of `stacked` (None stays None)."""
    if stacked is None:
        return None
    shape = tuple(stacked.shape)
    return ops.squeeze(ops.slice(stacked, [i] + [0] * (len(shape) - 1), (1, *shape[1:])), 0)


def _batch_size_of(x: Any) -> int:
    for leaf in tree.flatten(x):
        shape = getattr(leaf, "shape", None)
        if shape:
            return int(shape[0]) if shape[0] is not None else 0
        if isinstance(leaf, (list, tuple)):
            return len(leaf)
    return 0


def _first_rows(x: Any, y: Any, sample_weight: Any) -> Any:
    """The first two samples of array data (None for generators and datasets)."""
    leaves = tree.flatten(x)
    if not leaves or not all(hasattr(t, "shape") and len(t.shape) > 0 for t in leaves):
        return None

    def head(t: Any) -> Any:
        return np.asarray(t)[:2] if hasattr(t, "shape") else t

    x2 = tree.map_structure(head, x)
    if y is None:
        return x2
    y2 = tree.map_structure(head, y)
    if sample_weight is None:
        return (x2, y2)
    return (x2, y2, tree.map_structure(head, sample_weight))


# The hooks called at the start / end of a batch of each kind, with the aliases that
# `Callback`'s default hook forwards to.
_BATCH_HOOKS = {
    ("train", "begin"): ("on_train_batch_begin", "on_batch_begin"),
    ("train", "end"): ("on_train_batch_end", "on_batch_end"),
    ("test", "begin"): ("on_test_batch_begin",),
    ("test", "end"): ("on_test_batch_end",),
}


def _batch_hook(cbs: Any, kind: str, when: str) -> Any:
    """`cbs`'s hook for the `when` ("begin" / "end") of a batch of `kind`, or None when
    calling it cannot do anything: `cbs` is a plain `CallbackList` whose callbacks all keep
    `Callback`'s empty hooks (the default `History` does) or say theirs do nothing (a
    `ModelCheckpoint` saving once per epoch), so the loop skips two calls a step. Decided
    once per epoch."""
    from kerasx.callbacks.callback_list import CallbackList

    if cbs is None:
        return None
    names = _BATCH_HOOKS[kind, when]
    hook = getattr(cbs, names[0])
    if type(cbs) is not CallbackList:
        return hook
    if any(_batch_needs(cb, kind, names) for cb in cbs.callbacks):
        return hook
    return None


def _hooks_allow_blocks(cbs: Any, kind: str) -> bool:
    """Whether `cbs`'s batch hooks for `kind` may be called once per block of steps: every
    callback keeps `Callback`'s empty hooks or its own class says once per block makes no
    difference to it (see `_batch_needs`)."""
    from kerasx.callbacks.callback_list import CallbackList

    if cbs is None:
        return True
    if type(cbs) is not CallbackList:
        return False
    names = _BATCH_HOOKS[kind, "begin"] + _BATCH_HOOKS[kind, "end"]
    return all(_batch_needs(cb, kind, names) < 2 for cb in cbs.callbacks)


def _batch_needs(cb: Any, kind: str, names: tuple) -> int:
    """What `cb`'s batch hooks `names` need during a pass of `kind`: 0 nothing (they are
    `Callback`'s, or its class's ``_kx_batch_hooks_idle(kind)`` says they do nothing), 1 a
    call once per block of steps (its class's ``_kx_batch_hooks_per_block(kind)`` says so:
    the progress bar when it is not redrawn between batches), 2 a call after every batch.
    Only a built-in callback's own class is believed (a subclass may add work), and never
    for hooks set on the instance."""
    from kerasx.callbacks.callback import Callback

    if not any(_overridden(cb, name, Callback) for name in names):
        return 0
    if any(name in cb.__dict__ for name in names):
        return 2
    own = type(cb).__dict__
    idle = own.get("_kx_batch_hooks_idle")
    if idle is not None and idle(cb, kind):
        return 0
    per_block = own.get("_kx_batch_hooks_per_block")
    if per_block is not None and per_block(cb, kind):
        return 1
    return 2


def _overridden(cb: Any, hook: str, base: type) -> bool:
    """Whether `cb`'s `hook` is not `base`'s: overridden in its class or set on the instance
    (as `LambdaCallback` does)."""
    bound = getattr(cb, hook, None)
    return getattr(bound, "__func__", bound) is not getattr(base, hook)


def _callbacks_read_model(cbs: Any) -> bool:
    """Whether a callback may read the model's weights between steps."""
    names = _BATCH_HOOKS["train", "begin"] + _BATCH_HOOKS["train", "end"]
    for cb in getattr(cbs, "callbacks", []):
        # built-in callbacks whose batch hooks read only the logs (History, ProgbarLogger,
        # TensorBoard, which reads weights at epoch ends, after the state is written back)
        if getattr(type(cb), "_kx_batch_hooks_read_logs_only", False):
            continue
        if _batch_needs(cb, "train", names):
            return True
    return False


def _batch_shapes(batch: Any) -> tuple:
    return tuple(
        (tuple(getattr(t, "shape", ())), str(getattr(t, "dtype", ""))) for t in tree.flatten(batch)
    )

"""Trace-and-replay compilation: the NumPy engine's `jit`.

NumPy has no compiler, but most of the time of a small training step goes to Python: op
dispatch, the tape, layer and trainer bookkeeping. The kernels themselves are a short list of
NumPy calls. `jit(fn)` therefore works like a tracing JIT:

1. **Trace** (first call for an input signature): `fn` runs eagerly while every kernel call is
   recorded: which kernel, and for each argument whether it is one of `fn`'s input arrays, the
   output of an earlier recorded call, or a constant.
2. **Verify** (second call): `fn` is traced again and the two recordings are compared: the
   same kernels on the same slots with equal constants mean that a function generated from
   the recording computes what the eager calls computed, and the code is generated then (a
   signature called once costs no code generation). Code that branches in Python on array values,
   computes arrays outside kernels or keeps state in Python records something different, and
   the signature falls back to eager calls for good. (With the environment variable
   ``KERASX_NUMPY_REPLAY_CHECK=values`` the second call instead runs `fn` eagerly and the
   replay on the donated inputs, and compares every output bit for bit: a check of the code
   generation itself, at the cost of a second copy of the outputs.)
3. **Replay** (later calls): only the generated function runs.

Both traces run eagerly. Inside a block that declares the last use of donated arrays
(`kerasx.engine.autodiff.last_use_of_donated`: the built-in train step's optimizer update), a
kernel with an in-place variant writes into donated inputs, as the replay will: the first steps
then hold no second copy of the weights and optimizer slots. Reading such an input after the
block raises.

The contract is `jax.jit`'s: `fn` must be a pure function of its array inputs (no Python
control flow on their values, no side effects that matter), and arrays passed in a
`donate_argnums` argument belong to the call afterwards (a kernel may write its results into
them, as XLA reuses donated buffers). A trace that meets a higher-order
op (`cond`, `scan`, `while_loop`, ...), whose branches depend on values, is abandoned: that
signature runs eagerly. Inputs that are not arrays (Python scalars, strings, None) are static:
they are part of the signature.
"""

from __future__ import annotations

import functools
import threading
import weakref
from typing import Any

import numpy as np

from kerasx.engine import tree as _tree
from kerasx.engine.autodiff import is_last_use_of_donated
from kerasx_numpy.kernels.optimizer_updates import one_off_scratch
from kerasx_numpy.replay_check import _check_values, _own_disjoint, _Recording, _same
from kerasx_numpy.replay_codegen import _generate
from kerasx_numpy.replay_traced import TracedArray, _active, _Hooks, _local, _plain, _trace_view

_ARRAY_TYPES = (np.ndarray, np.generic)
_STATIC_TYPES = (int, float, bool, complex, str, bytes, type(None))

_TRACE_LOCK = threading.RLock()


class _Recorder:
    """Records kernel calls during one traced call."""

    def __init__(self, n_inputs: int) -> None:
        self.env: dict[int, int] = {}  # id(array) -> slot
        self.mem: dict[tuple, int] = {}  # (address, shape, strides, dtype) -> slot
        # Traced arrays are not kept alive (a step's intermediates die as in an eager call):
        # a weak reference per tracked array forgets its id and memory key when it dies,
        # before either can be reused by a new object. Constants are kept (below).
        self.refs: dict[int, weakref.ref] = {}
        self.keep: list = []  # constants, kept alive so their ids stay unique
        self.consts: list = []
        self.const_ids: dict[int, int] = {}
        self.program: list = []  # (kernel, args template, kwargs template, outputs template)
        self.views: dict[int, set] = {}  # slot -> the slots whose memory it may share
        self.writable: set = set()  # slots whose traced value was a writable n-d array
        self.meta: dict[int, tuple] = {}  # slot -> (shape, dtype) of its traced value
        self.nslots = n_inputs
        self.depth = 0
        self.abandoned: str | None = None
        # Donated input slots a kernel may update in place when the traced code declares the
        # last use of their old values (`kerasx.engine.autodiff.last_use_of_donated`): each
        # is a writable array of its own, sharing memory with no other input. Slots updated
        # so are "clobbered": reading one later would read new values as old ones.
        self.consumable: set = set()
        self.clobbered: set = set()

    def const(self, value: Any) -> tuple:
        key = id(value)
        idx = self.const_ids.get(key)
        if idx is None:
            idx = self.const_ids[key] = len(self.consts)
            self.consts.append(_plain(value))
            self.keep.append(value)
        return ("c", idx)

    def track(self, traced: TracedArray, slot: int) -> None:
        key, mem = id(traced), _mem_key(traced)
        self.meta[slot] = (traced.shape, traced.dtype)
        self.env[key] = slot
        self.mem.setdefault(mem, slot)
        forget = functools.partial(_forget, self.env, self.mem, key, mem, slot)
        self.refs[key] = weakref.ref(traced, forget)

    def arg(self, v: Any) -> tuple:
        if isinstance(v, _ARRAY_TYPES):
            slot = self.env.get(id(v))
            if slot is None and isinstance(v, np.ndarray):
                # `np.asarray(traced)` makes a plain view of the very same memory: an alias.
                slot = self.mem.get(_mem_key(v))
            return ("s", slot) if slot is not None else self.const(v)
        if isinstance(v, (list, tuple)) and any(isinstance(t, _ARRAY_TYPES) for t in v):
            return ("l", type(v), [self.arg(t) for t in v])
        return self.const(v)

    def bind_output(self, out: Any) -> tuple[tuple, Any]:
        """Give `out` (a kernel's result) slots; returns (template, traced result)."""
        if isinstance(out, _ARRAY_TYPES):
            traced = _trace_view(out)
            slot = self.nslots
            self.nslots += 1
            if isinstance(out, np.ndarray) and out.ndim and out.flags.writeable:
                self.writable.add(slot)
            self.track(traced, slot)
            return ("s", slot), traced
        if isinstance(out, (list, tuple)) and any(isinstance(t, _ARRAY_TYPES) for t in out):
            pairs = [self.bind_output(t) for t in out]
            result = [p[1] for p in pairs]
            if type(out) is not list:
                result = tuple(result) if type(out) is tuple else type(out)(*result)
            return ("l", type(out), [p[0] for p in pairs]), result
        return ("n",), out  # not an array: a static value, nothing to bind

    def abandon(self, reason: str) -> None:
        if self.abandoned is None:
            self.abandoned = reason

    def call(self, kernel: Any, args: tuple, kwargs: dict) -> Any:
        """Run `kernel` on plain arrays; record the call unless inside another kernel."""
        plain_args = tuple(_plain(v) for v in args)
        plain_kwargs = {k: _plain(v) for k, v in kwargs.items()} if kwargs else kwargs
        if self.depth or self.abandoned is not None:
            return kernel(*plain_args, **plain_kwargs)
        run, written = kernel, ()
        if self.consumable and is_last_use_of_donated():
            inplace = getattr(kernel, "inplace", None)
            if inplace is not None:
                written = self._consumable(inplace[1], args, plain_args, plain_kwargs)
                if written:
                    run = inplace[0]  # bit-identical to `kernel`, writing into its inputs
        self.depth += 1
        try:
            if written:
                with one_off_scratch():  # the replay keeps its own buffers, fewer
                    out = run(*plain_args, **plain_kwargs)
            else:
                out = run(*plain_args, **plain_kwargs)
        finally:
            self.depth -= 1
        a = [self.arg(v) for v in args]
        k = {name: self.arg(v) for name, v in kwargs.items()}
        if self.clobbered:
            self.check_not_clobbered([*a, *k.values()])
        if written:
            # Recorded as the pure kernel (the replay chooses its own in-place variants);
            # the results now own the inputs' memory.
            template, traced = self.bind_output(out)
            self.program.append((kernel, a, k, template))
            self.clobbered.update(written)
            self.consumable.difference_update(written)
            for t, v in zip(_slots_of(template), _tree.flatten(traced)):
                if isinstance(v, np.ndarray):
                    self.mem[_mem_key(v)] = t
            return traced
        sources: set = set()
        if isinstance(out, np.ndarray):
            key = _mem_key(out) if out.base is not None else None
            for v, p, t in zip(args, plain_args, a):
                if isinstance(v, TracedArray):
                    if out is p:
                        return v  # the kernel handed its input back (a no-op cast, ...)
                    if key is not None and t[0] == "s" and key == _mem_key(p):
                        return v  # a view with the input's very layout (same-shape reshape)
                    if out.base is not None and np.may_share_memory(out, p):
                        sources.add(t[1])
        shape_only = getattr(kernel, "shape_only", None)
        if shape_only is not None:
            # The result depends on the shapes of these arguments only (`zeros_like`, ...):
            # shapes are fixed per signature, so with constant other arguments it is constant.
            a_rest = [t for j, t in enumerate(a) if j not in shape_only]
            if not any(_has_slot(t) for t in a_rest) and not any(_has_slot(t) for t in k.values()):
                return out
        if not any(_has_slot(t) for t in a) and not any(_has_slot(t) for t in k.values()):
            return out  # constant inputs: the result is a constant too (folded)
        template, traced = self.bind_output(out)
        self.program.append((kernel, a, k, template))
        if sources and template[0] == "s":
            roots = set(sources)
            for s in sources:
                roots |= self.views.get(s, set())
            self.views[template[1]] = roots
        return traced

    def _consumable(
        self, indices: tuple, args: tuple, plain_args: tuple, plain_kwargs: dict
    ) -> tuple:
        """The slots of arguments `indices` when an in-place variant may write into them:
        each a consumable input passed as itself, no other argument sharing its memory."""
        slots = []
        for j in indices:
            if j >= len(args) or not isinstance(args[j], TracedArray):
                return ()
            slot = self.env.get(id(args[j]))
            if slot is None or slot not in self.consumable:
                return ()
            slots.append(slot)
        if len(set(slots)) != len(slots):
            return ()
        targets = [plain_args[j] for j in indices]
        others = [p for j, p in enumerate(plain_args) if j not in indices]
        others += list(plain_kwargs.values()) if plain_kwargs else []
        for p in _tree.flatten(others):
            if isinstance(p, np.ndarray) and any(np.may_share_memory(p, t) for t in targets):
                return ()
        return tuple(slots)

    def check_not_clobbered(self, templates: list) -> None:
        """Raise if a template reads an input slot updated in place earlier in the trace."""
        read: list = []
        for t in templates:
            read.extend(_slots_of(t))
        bad = self.clobbered.intersection(read)
        if bad:
            raise RuntimeError(
                "A jit-compiled function read a donated array after code declared its last "
                "use (`kerasx.engine.autodiff.last_use_of_donated`) and it was updated in "
                "place: the values read are the new ones, not the old. Read the value again "
                "after the update, or do not declare that block the last use."
            )


def _slots_of(t: tuple) -> list:
    """The slots a template names, in order (None for a non-array result)."""
    if t[0] == "s":
        return [t[1]]
    if t[0] == "l":
        return [s for x in t[2] for s in _slots_of(x)]
    return [None] if t[0] == "n" else []


def _forget(env: dict, mem: dict, key: int, mem_key: tuple, slot: int, _ref: Any) -> None:
    """Weak-reference callback: a traced array died; drop its id and memory entries."""
    if env.get(key) == slot:
        del env[key]
    if mem.get(mem_key) == slot:
        del mem[mem_key]


# --------------------------------------------------------------------------- slots


def _has_slot(t: tuple) -> bool:
    return t[0] == "s" or (t[0] == "l" and any(_has_slot(x) for x in t[2]))


def _mem_key(a: np.ndarray) -> tuple:
    return (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str)


# --------------------------------------------------------------------------- the jit-ed function


def _leaf_key(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return ("a", v.shape, v.dtype.str)
    if isinstance(v, np.generic):
        return ("g", v.dtype.str)
    if isinstance(v, _STATIC_TYPES):
        return ("p", type(v), v)
    return None  # not replayable (Variables, objects, ...)


class _Entry:
    __slots__ = ("replay", "source", "state", "reason", "donated", "recording", "check_values")

    def __init__(self) -> None:
        self.replay: Any = None
        self.source = ""
        self.state = "eager"  # "verify", "replay" or "eager"
        self.reason: str | None = None
        self.donated: frozenset = frozenset()  # input slots the replay may write into
        self.recording: _Recording | None = None  # the first trace, until the second
        self.check_values = False  # verify by comparing values (see `_check_values`)


def _recording_of(rec: _Recorder, out: Any, out_leaves: list) -> _Recording:
    """What `rec` recorded, for `_Recording.same_as`."""
    outputs = []
    for v in out_leaves:
        slot = rec.env.get(id(v))
        if slot is None and isinstance(v, np.ndarray):
            slot = rec.mem.get(_mem_key(v))
        outputs.append(("s", slot) if slot is not None else ("v", _plain(v)))
    structure = _tree.pack_sequence_as(out, [None] * len(out_leaves))
    return _Recording(list(rec.program), list(rec.consts), outputs, structure)


def _results(out: Any, out_leaves: list, inputs: list) -> Any:
    """A traced call's output as plain arrays: an output that is a whole array (a kernel's
    result, or an input passed through or updated in place) is handed back as that very
    array, not as a view of it."""
    whole = {_mem_key(a): a for a in inputs if type(a) is np.ndarray}
    plain = []
    for v in out_leaves:
        p = _plain(v)
        if isinstance(v, TracedArray):
            key = _mem_key(p)
            found = whole.get(key)
            base = v.base
            while found is None and base is not None:  # views of views: up to the owner
                if type(base) is np.ndarray and _mem_key(base) == key and base.flags.owndata:
                    found = base
                base = getattr(base, "base", None)
            if found is not None:
                p = found
        plain.append(p)
    return _tree.pack_sequence_as(out, plain)


class ReplayFunction:
    """`fn` compiled by trace and replay (see the module docstring)."""

    def __init__(
        self, fn: Any, engine: Any, static_argnums: Any = (), donate_argnums: Any = ()
    ) -> None:
        self.fn = fn
        self.engine = engine
        if isinstance(static_argnums, int):
            static_argnums = (static_argnums,)
        if isinstance(donate_argnums, int):
            donate_argnums = (donate_argnums,)
        self.static_argnums = tuple(static_argnums or ())
        self.donate_argnums = tuple(donate_argnums or ())
        self.entries: dict = {}
        self.__name__ = getattr(fn, "__name__", "replay_function")
        self.__doc__ = getattr(fn, "__doc__", None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _active() is not None:  # inside another trace: inline
            return self.fn(*args, **kwargs)
        arrays: list = []
        parts: list = []
        static = self.static_argnums
        try:
            for i, a in enumerate(args):
                if i in static:
                    parts.append(("static", a if _hashable(a) else id(a)))
                else:
                    _flatten_key(a, arrays, parts)
            if kwargs:
                _flatten_key(kwargs, arrays, parts)
            key = tuple(parts)
            entry = self.entries.get(key)
        except _NotReplayable:
            return self.fn(*args, **kwargs)
        if entry is None:
            return self._trace(key, args, kwargs)
        if entry.state == "replay":
            return entry.replay(arrays)
        if entry.state == "verify":
            if entry.check_values:
                return self._verify(entry, args, kwargs, arrays)
            return self._retrace(entry, args, kwargs)
        return self.fn(*args, **kwargs)

    def _trace(self, key: Any, args: tuple, kwargs: dict) -> Any:
        rec, out, out_leaves, inputs, donated = self._record(args, kwargs)
        entry = _Entry()
        entry.reason = rec.abandoned
        if entry.reason is None and any(_leaf_key(_plain(v)) is None for v in out_leaves):
            entry.reason = "an output that is not an array or a Python scalar"
        if entry.reason is None:
            entry.check_values = _check_values()
            entry.donated = donated
            if entry.check_values:
                entry.replay, entry.source = _generate(rec, out, out_leaves, len(inputs), donated)
            else:
                # The replay is generated by the second call, once the trace is confirmed: a
                # signature seen once (an epoch's last, smaller batch) costs no code.
                entry.recording = _recording_of(rec, out, out_leaves)
            entry.state = "verify"
        self.entries[key] = entry
        return _results(out, out_leaves, inputs)

    def _record(self, args: tuple, kwargs: dict) -> tuple:
        """Run `fn` eagerly, recording its kernel calls: (recorder, output, output leaves,
        input arrays, donated input slots)."""
        dynamic = [a for i, a in enumerate(args) if i not in self.static_argnums]
        structure = (dynamic, kwargs)
        leaves = _tree.flatten(structure)
        inputs = [v for v in leaves if isinstance(v, _ARRAY_TYPES)]
        rec = _Recorder(len(inputs))
        donated = self._donated_slots(args, kwargs)
        if donated:
            rec.consumable = set(donated & _own_disjoint(inputs))
        traced_leaves = []
        slot = 0
        for v in leaves:
            if isinstance(v, _ARRAY_TYPES):
                v = _trace_view(v)
                rec.track(v, slot)
                slot += 1
            traced_leaves.append(v)
        dynamic, kwargs = _tree.pack_sequence_as(structure, traced_leaves)
        it = iter(dynamic)
        call_args = [a if i in self.static_argnums else next(it) for i, a in enumerate(args)]
        with _TRACE_LOCK:  # the kernel hooks are global: one trace at a time
            _local.recorder = rec
            try:
                with _Hooks(self.engine):
                    out = self.fn(*call_args, **kwargs)
            finally:
                _local.recorder = None
        out_leaves = _tree.flatten(out)
        if rec.clobbered:
            rec.check_not_clobbered([rec.arg(v) for v in out_leaves])
        return rec, out, out_leaves, inputs, donated

    def _retrace(self, entry: _Entry, args: tuple, kwargs: dict) -> Any:
        """The second call of a signature: trace again and compare with the first trace.

        The same kernels on the same slots with equal constants mean a replay generated from
        this trace computes what both eager calls computed; anything else
        (Python control flow on values, arrays computed outside kernels, state kept in
        Python) shows up as a difference, and the signature then runs eagerly for good."""
        rec, out, out_leaves, inputs, donated = self._record(args, kwargs)
        first, entry.recording = entry.recording, None
        if rec.abandoned is not None:
            entry.reason = rec.abandoned
        elif first is None or not first.same_as(_recording_of(rec, out, out_leaves)):
            entry.reason = (
                "the second trace differs from the first (different operations, or different "
                "constants: Python control flow on array values, arrays computed outside "
                "kernels or state kept in Python)"
            )
        if entry.reason is None:
            # This trace equals the first: the code made from it is the replay.
            entry.replay, entry.source = _generate(rec, out, out_leaves, len(inputs), donated)
            entry.state = "replay"
        else:
            entry.state = "eager"
            entry.replay = None
        return _results(out, out_leaves, inputs)

    def _donated_slots(self, args: tuple, kwargs: dict) -> frozenset:
        """Input slots (array leaves, in order) that belong to donated arguments."""
        donated = set()
        slot = 0
        dynamic = [(i, a) for i, a in enumerate(args) if i not in self.static_argnums]
        for i, a in dynamic:
            for leaf in _tree.flatten(a):
                if isinstance(leaf, _ARRAY_TYPES):
                    if i in self.donate_argnums:
                        donated.add(slot)
                    slot += 1
        return frozenset(donated)

    def _verify(self, entry: _Entry, args: tuple, kwargs: dict, array_leaves: list) -> Any:
        out = self.fn(*args, **kwargs)
        # The replay runs second, on the very inputs: the eager call has finished reading
        # them, and donated inputs are the caller's promise not to use them again, so the
        # replay may write into those in place, as it will on every later call. The eager
        # results (returned) never share a donated buffer the replay writes: an output that
        # is an input, or a view of one, keeps that input alive in the replay too.
        try:
            replayed = entry.replay(array_leaves)
        except Exception as e:  # the eager call above reported real errors
            replayed, entry.reason = None, f"the replay raised {type(e).__name__}: {e}"
        if replayed is not None:
            flat, flat_r = _tree.flatten(out), _tree.flatten(replayed)
            if len(flat) == len(flat_r) and all(_same(a, b) for a, b in zip(flat, flat_r)):
                entry.state = "replay"
                return out
            entry.reason = "the replay's outputs differ from the eager call's"
        entry.state = "eager"
        entry.replay = None
        return out

    def status(self) -> list[tuple[str, str | None]]:
        """(state, reason) per traced signature: "replay", "verify" or "eager" (and why)."""
        return [(e.state, e.reason) for e in self.entries.values()]


class _NotReplayable(Exception):
    """An argument the replay cannot key on (a Variable, an arbitrary object)."""


def _flatten_key(x: Any, arrays: list, parts: list) -> None:
    """Collect the array leaves of `x` (in `kerasx.tree` order) and a hashable description
    of everything else (structure, shapes, dtypes, static values) into `parts`."""
    cls = x.__class__
    if cls is np.ndarray:
        arrays.append(x)
        parts.append((x.shape, x.dtype))
    elif cls is list or cls is tuple:
        parts.append((cls, len(x)))
        for v in x:
            if v.__class__ is np.ndarray:  # inline the common leaf (this runs every call)
                arrays.append(v)
                parts.append((v.shape, v.dtype))
            else:
                _flatten_key(v, arrays, parts)
    elif cls is dict:
        keys = sorted(x, key=_tree._sort_key)  # a plain dict: sorted, as kerasx.tree
        parts.append(("dict", tuple(keys)))
        for k in keys:
            _flatten_key(x[k], arrays, parts)
    elif isinstance(x, np.generic):
        # A NumPy scalar keys (and replays) as the 0-d array it stands for: steps return
        # scalars where their inputs were 0-d arrays, and both must hit the same entry.
        arrays.append(np.asarray(x))
        parts.append(((), x.dtype))
    elif isinstance(x, _STATIC_TYPES):
        parts.append((cls, x))
    elif isinstance(x, np.ndarray):  # a subclass: its methods may behave differently
        raise _NotReplayable
    elif isinstance(x, (list, tuple, dict)):
        parts.append(cls)
        if isinstance(x, dict):
            keys = _tree._dict_keys(x)
            parts.append(tuple(keys))
            x = [x[k] for k in keys]
        for v in x:
            _flatten_key(v, arrays, parts)
    else:
        raise _NotReplayable


def _hashable(v: Any) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True

"""`train_on_batch`, `test_on_batch` and `predict_on_batch`: one batch, outside `fit`.

A mixin of `Trainer` (kerasx/trainers/trainer.py): it uses the trainer's step functions
(`_make_function`, `_run_epoch`, `_prepare`) and its metric helpers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine import dispatch
from kerasx.trainers.step_runner import (
    _batch_size_of,
    _current_distribution,
    _State,
    distribute_batch,
)


class SingleBatchMixin:
    """The single-batch methods of `Trainer`."""

    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: dict | None = None,
        return_dict: bool = False,
    ) -> Any:
        """Run one training step on one batch.

        Returns:
            The loss, or a list (loss first) / dict of the metric values.
        """
        from kerasx.trainers.data_adapters import EpochIterator

        self._assert_compiled()
        batch = _plain_batch(x, y, sample_weight) if class_weight is None else None
        if batch is not None and self._use_jit():
            return self._one_compiled_batch("train", batch, return_dict)
        n = _batch_size_of(x)
        iterator = EpochIterator(
            x=x,
            y=y,
            sample_weight=sample_weight,
            batch_size=max(n, 1),
            shuffle=False,
            class_weight=class_weight,
        )
        state = self._run_epoch("train", iterator, None)
        state.write_back()
        return self._batch_result(return_dict)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
    ) -> Any:
        """Evaluate the model on one batch (metrics are reset first).

        Returns:
            The loss, or a list (loss first) / dict of the metric values.
        """
        from kerasx.trainers.data_adapters import EpochIterator

        self._assert_compiled()
        self.reset_metrics()
        batch = _plain_batch(x, y, sample_weight)
        if batch is not None and self._use_jit():
            return self._one_compiled_batch("test", batch, return_dict)
        n = _batch_size_of(x)
        iterator = EpochIterator(
            x=x, y=y, sample_weight=sample_weight, batch_size=max(n, 1), shuffle=False
        )
        state = self._run_epoch("test", iterator, None)
        state.write_back()
        return self._batch_result(return_dict)

    def _one_compiled_batch(self, kind: str, batch: tuple, return_dict: bool) -> Any:
        """`train_on_batch` / `test_on_batch` for one plain NumPy batch on a compiling engine.

        The same compiled step as `fit` / `evaluate` (`_run_epoch`), without the epoch
        machinery. Either the step runs on donated state that it may update in place
        (engines that say they gain from it, `steps_prefer_donated_copies`: the NumPy
        replay; as in `fit`, an array only its variable holds is lent, any other is
        copied), or it is compiled without donation and returns fresh buffers (JAX: cheaper
        than copying first). Values read before the call stay valid either way. The
        new values are assigned only once the step has succeeded, and the logs are the
        step's own (computed in the compiled step) unless `train_step` / `test_step` /
        `compute_metrics` are overridden.
        """
        self._prepare(batch, kind)
        groups = self._state_groups(kind)
        donate = bool(getattr(dispatch.engine(), "steps_prefer_donated_copies", False))
        fn = self._make_function(kind, groups, donate=donate)
        if donate:  # lent where only the variable holds the array, else copied (as in fit)
            values = _State(groups).read(self._state_copier())
        else:
            values = [[v.value for v in g] for g in groups]
        self.__dict__["_kx_step_vars"] = (groups[0], groups[1])
        self.__dict__["_kx_eager"] = False
        dist = _current_distribution()
        if dist is not None:
            batch = distribute_batch(dist, batch)
        try:
            new, logs = fn(values, batch)
        finally:
            self.__dict__.pop("_kx_step_vars", None)
            self.__dict__.pop("_kx_eager", None)
        for g, vals in zip(groups, new):
            for v, value in zip(g, vals):
                if not v._take_value(value):
                    v.assign(value)
        own = self._logs_are_builtin(kind)
        if own and isinstance(logs, dict):
            logs = self._host_logs(logs)
        else:
            logs = self._host_logs(self.get_metrics_result())
        if return_dict:
            return logs
        values = self._ordered_results(logs)
        return values[0] if len(values) == 1 else values

    def _state_copier(self) -> Any:
        """A compiled function copying nested lists of state values (one call, not one per
        variable)."""
        from kerasx.engine.autodiff import jit

        key = ("_copy_state", dispatch.engine().name)
        fn = self._kx_fns.get(key)
        if fn is None:
            fn = self._kx_fns[key] = jit(lambda groups: [[ops.copy(v) for v in g] for g in groups])
        return fn

    def predict_on_batch(self, x: Any) -> Any:
        """The model's outputs for one batch, as NumPy arrays."""
        return self.predict(x, batch_size=max(_batch_size_of(x), 1), verbose=0)

    def _batch_result(self, return_dict: bool) -> Any:
        logs = self._host_logs(self.get_metrics_result())
        if return_dict:
            return logs
        values = self._ordered_results(logs)
        return values[0] if len(values) == 1 else values


def _plain_batch(x: Any, y: Any, sample_weight: Any) -> tuple | None:
    """The batch `EpochIterator` would make of whole NumPy arrays (floats cast to floatx), or
    None for anything else (nests, tensors, mismatched lengths: the general path handles
    them, and its errors)."""
    from kerasx import config

    parts = (x, y, sample_weight)
    if type(x) is not np.ndarray or x.ndim == 0 or x.shape[0] == 0:
        return None
    floatx = None
    out = []
    for p in parts:
        if p is None:
            out.append(None)
            continue
        if type(p) is not np.ndarray or p.ndim == 0 or p.shape[0] != x.shape[0]:
            return None
        if p.dtype.kind not in "biuf":
            return None
        if p.dtype.kind == "f":
            floatx = floatx or np.dtype(config.floatx())
            if p.dtype != floatx:
                p = p.astype(floatx)
        out.append(p)
    if out[1] is None:
        return (out[0],) if out[2] is None else None
    return (out[0], out[1]) if out[2] is None else tuple(out)

"""`EpochIterator`: the trainer's view of its data, one epoch at a time."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

from kerasx.trainers.data_adapters import utils
from kerasx.trainers.data_adapters.array_adapter import ArrayDataAdapter
from kerasx.trainers.data_adapters.generator_adapter import (
    GeneratorDataAdapter,
    is_generator_like,
)
from kerasx.trainers.data_adapters.py_dataset import PyDataset, PyDatasetAdapter

_RAN_OUT = (
    "Your input ran out of data; interrupting training. The data must be able to produce at "
    "least `steps_per_epoch * epochs` batches: lower `steps_per_epoch`, or make the generator "
    "or dataset repeat (loop forever)."
)


def get_data_adapter(
    x: Any,
    y: Any = None,
    sample_weight: Any = None,
    batch_size: int | None = None,
    shuffle: bool | str = False,
    class_weight: dict | None = None,
) -> Any:
    """Pick and build the adapter for `x`: arrays, a `PyDataset`, or a generator/iterator.

    Args:
        x: The input data, as given to `fit` / `evaluate` / `predict`.
        y: Targets (arrays only).
        sample_weight: Sample weights (arrays only).
        batch_size: Batch size for arrays (default 32); ignored for generators and
            `PyDataset`s, which make their own batches.
        shuffle: `False`, `True` or `"batch"`.
        class_weight: Optional dict from class index to weight.

    Returns:
        An adapter with `num_batches`, `begin_pass()`, `on_epoch_begin()`, `on_epoch_end()`.

    Raises:
        ValueError: for data of an unsupported type, and for arguments that do not fit the
            kind of data (e.g. `y` with a generator).
    """
    utils.check_shuffle(shuffle)
    if isinstance(x, PyDataset):
        return PyDatasetAdapter(
            x, y=y, sample_weight=sample_weight, shuffle=shuffle, class_weight=class_weight
        )
    if x is None:
        raise ValueError(
            "Received no input data: `x` is None. Pass NumPy arrays or tensors (or lists / "
            "tuples / dicts of them), a Python generator, or a `keras.utils.PyDataset`."
        )
    if not utils.is_array_like(x) and is_generator_like(x):
        return GeneratorDataAdapter(
            x, y=y, sample_weight=sample_weight, shuffle=shuffle, class_weight=class_weight
        )
    if utils.is_array_structure(x):
        return ArrayDataAdapter(
            x,
            y=y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            shuffle=shuffle,
            class_weight=class_weight,
        )
    hint = ""
    if isinstance(x, (list, tuple)) and any(
        isinstance(leaf, (int, float, bool, complex)) for leaf in utils.flatten(x)
    ):
        hint = " Convert lists of numbers to arrays first, e.g. `np.asarray(x)`."
    raise ValueError(
        f"Unrecognized data type: x={_short_repr(x)} (of type {type(x).__name__}). Expected "
        "NumPy arrays or tensors (or lists / tuples / dicts of them), a Python generator or "
        f"iterator, or a `keras.utils.PyDataset`.{hint}"
    )


class EpochIterator:
    """Serves the trainer one epoch of batches at a time.

    Each call of `enumerate_epoch()` yields `(step, batch)` for one epoch, where `batch` is
    packed as by `pack_x_y_sample_weight`: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`,
    with NumPy arrays (or nests of them) for array data.

    Without `steps_per_epoch` an epoch is one full pass over the data. With it, an epoch is
    that many steps taken from a pass that carries over from one epoch to the next; when a
    known-length pass is used up the next epoch starts a new one, and when the data runs out
    in the middle of an epoch the epoch ends early with a warning.

    Args:
        x: Input data: arrays or nests of arrays (or engine tensors), a Python generator or
            iterator yielding batch tuples, or a `PyDataset`.
        y: Targets, for array data only.
        sample_weight: Per-sample weights, for array data only.
        batch_size: Batch size for array data (default 32).
        steps_per_epoch: Number of batches per epoch, or `None` for one full pass.
        shuffle: `True` to reshuffle the samples (arrays) or batch order (`PyDataset`) every
            pass, `"batch"` to shuffle array samples within batch-sized chunks.
        class_weight: Optional dict from class index to weight, turned into sample weights.
        steps_per_execution: How many steps the trainer runs per compiled call. Kept for the
            trainer; the iterator still yields one batch per step.
    """

    def __init__(
        self,
        x: Any = None,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int | None = None,
        steps_per_epoch: int | None = None,
        shuffle: bool | str = False,
        class_weight: dict | None = None,
        steps_per_execution: int = 1,
    ) -> None:
        utils.check_steps(steps_per_epoch, "steps_per_epoch")
        utils.check_steps(steps_per_execution, "steps_per_execution")
        self.data_adapter = get_data_adapter(
            x,
            y=y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            shuffle=shuffle,
            class_weight=class_weight,
        )
        self.steps_per_epoch = None if steps_per_epoch is None else int(steps_per_epoch)
        self.steps_per_execution = int(steps_per_execution)
        self._pass: Iterator[Any] | None = None
        self._consumed = 0

    @property
    def num_batches(self) -> int | None:
        """Steps in one epoch: `steps_per_epoch` if given, else the data's batch count.

        `None` when unknown (a generator without `steps_per_epoch`).
        """
        if self.steps_per_epoch is not None:
            return self.steps_per_epoch
        return self.data_adapter.num_batches

    @property
    def batch_size(self) -> int | None:
        """Samples per batch for array data; `None` when the data makes its own batches."""
        return self.data_adapter.batch_size

    def reset(self) -> None:
        """Forget the pass in progress, so the next epoch starts a fresh one."""
        self._close_pass()

    def _close_pass(self) -> None:
        current, self._pass = self._pass, None
        self._consumed = 0
        close = getattr(current, "close", None)
        if close is not None:
            close()

    def enumerate_epoch(self) -> Iterator[tuple[int, Any]]:
        """Yield `(step, batch)` for the steps of one epoch.

        Returns:
            A generator of `(step, batch)` pairs, `step` counting from 0.
        """
        adapter = self.data_adapter
        adapter.on_epoch_begin()
        if self.steps_per_epoch is None:
            self._close_pass()
            data = adapter.begin_pass()
            produced = 0
            try:
                for produced, batch in enumerate(data, start=1):
                    yield produced - 1, batch
            finally:
                close = getattr(data, "close", None)
                if close is not None:
                    close()
            if adapter.num_batches is None or produced == 0:
                # An unknown-length source always ends by running out (as in Keras).
                warnings.warn(_RAN_OUT, stacklevel=2)
        else:
            yield from self._enumerate_steps(adapter)
        adapter.on_epoch_end()

    def _enumerate_steps(self, adapter: Any) -> Iterator[tuple[int, Any]]:
        known = adapter.num_batches
        for step in range(self.steps_per_epoch):
            if self._pass is None:
                self._pass = adapter.begin_pass()
                self._consumed = 0
            try:
                batch = next(self._pass)
            except StopIteration:
                self._close_pass()
                warnings.warn(_RAN_OUT, stacklevel=3)
                return
            self._consumed += 1
            yield step, batch
            if known is not None and self._consumed >= known:
                # The pass is complete: the next epoch starts a new one.
                self._close_pass()
                if step < self.steps_per_epoch - 1:
                    warnings.warn(_RAN_OUT, stacklevel=3)
                    return


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

"""Batches from in-memory arrays (NumPy arrays, engine tensors, nests of them)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from kerasx import config
from kerasx.trainers.data_adapters import utils

DEFAULT_BATCH_SIZE = 32


class ArrayDataAdapter:
    """Cuts in-memory arrays into batches, one pass over the samples at a time.

    Every array is converted to NumPy once, up front (engine tensors are copied to the host).
    Without shuffling each batch is a contiguous slice (a view, no copy); with `shuffle=True`
    the sample order is redrawn with `np.random.permutation` at the start of every pass, and
    with `shuffle="batch"` the samples are permuted only inside each batch-sized chunk (the
    chunks keep their order, so each batch holds the same samples every epoch). Floating-point
    arrays come out as `config.floatx()`; other dtypes are kept.

    Args:
        x: Inputs: an array or a list / tuple / dict nest of arrays.
        y: Targets, same kind of value, or `None`.
        sample_weight: Per-sample weights (same kind of value), or `None`.
        batch_size: Samples per batch; `None` means 32. The last batch may be smaller.
        shuffle: `False`, `True` or `"batch"`.
        class_weight: Optional dict from class index to weight, turned into per-sample
            weights from `y`. Not allowed together with `sample_weight`.
    """

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int | None = None,
        shuffle: bool | str = False,
        class_weight: dict | None = None,
    ) -> None:
        utils.check_batch_size(batch_size)
        utils.check_shuffle(shuffle)
        utils.check_class_weight(class_weight)
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None and not utils.is_array_structure(value):
                raise ValueError(
                    f"Unrecognized data type: {name}={_short_repr(value)} (of type "
                    f"{type(value).__name__}). When `x` is made of arrays, `{name}` must be "
                    "an array or a list / tuple / dict of arrays too (convert Python lists "
                    "with `np.asarray`)."
                )
        data = utils.map_structure(utils.to_numpy, (x, y, sample_weight))
        for name, part in zip(("x", "y", "sample_weight"), data):
            for leaf in utils.flatten(part):
                if leaf is not None:
                    utils.check_array_dtype(leaf, name)
        self._num_samples = utils.check_data_cardinality(data)
        x, y, sample_weight = data
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError(
                    "You cannot specify `class_weight` and `sample_weight` at the same time. "
                    "Fold the class weights into `sample_weight` yourself, or pass only one."
                )
            if y is None:
                raise ValueError(
                    "`class_weight` needs targets `y` to know each sample's class, but "
                    f"`y` is None. Received: class_weight={class_weight}"
                )
            sample_weight = utils.class_weight_to_sample_weights(y, class_weight)
        self._data = (x, y, sample_weight)
        self._batch_size = DEFAULT_BATCH_SIZE if batch_size is None else int(batch_size)
        self._shuffle = shuffle

    @property
    def num_samples(self) -> int:
        """Number of samples in the arrays."""
        return self._num_samples

    @property
    def batch_size(self) -> int:
        """Samples per full batch."""
        return self._batch_size

    @property
    def num_batches(self) -> int:
        """Batches in one pass over the data (the last one may be partial)."""
        return math.ceil(self._num_samples / self._batch_size)

    @property
    def has_partial_batch(self) -> bool:
        """Whether the last batch of a pass is smaller than `batch_size`."""
        return self._num_samples % self._batch_size != 0

    @property
    def partial_batch_size(self) -> int | None:
        """Size of the last, partial batch, or `None` when every batch is full."""
        return self._num_samples % self._batch_size or None

    def on_epoch_begin(self) -> None:
        """Nothing to do for arrays (kept for a uniform adapter interface)."""

    def on_epoch_end(self) -> None:
        """Nothing to do for arrays (kept for a uniform adapter interface)."""

    def _order(self) -> np.ndarray | None:
        """Sample order for one pass, or `None` for the natural order."""
        n, bs = self._num_samples, self._batch_size
        if self._shuffle == "batch":
            order = np.arange(n)
            for start in range(0, n, bs):
                stop = min(start + bs, n)
                order[start:stop] = start + np.random.permutation(stop - start)
            return order
        if self._shuffle:
            return np.random.permutation(n)
        return None

    def begin_pass(self) -> Iterator[Any]:
        """Start one pass over the data.

        Returns:
            An iterator of packed batches (see `pack_x_y_sample_weight`).
        """
        return self._iterate(self._order())

    def _iterate(self, order: np.ndarray | None) -> Iterator[Any]:
        x, y, sample_weight = self._data
        parts = (x, y, sample_weight)
        if all(p is None or type(p) is np.ndarray for p in parts):
            return self._iterate_plain(parts, order)
        return self._iterate_nested(parts, order)

    def _iterate_nested(self, parts: tuple, order: np.ndarray | None) -> Iterator[Any]:
        n, bs = self._num_samples, self._batch_size
        x, y, sample_weight = parts
        for start in range(0, n, bs):
            if order is None:
                key: Any = slice(start, min(start + bs, n))
            else:
                key = order[start : start + bs]

            def take(a: Any, key: Any = key) -> Any:
                return None if a is None else utils.standardize_float_dtype(a[key])

            yield utils.pack_x_y_sample_weight(
                utils.map_structure(take, x),
                utils.map_structure(take, y),
                utils.map_structure(take, sample_weight),
            )

    def _iterate_plain(self, parts: tuple, order: np.ndarray | None) -> Iterator[Any]:
        """`_iterate` for plain NumPy `x`, `y` and `sample_weight` (the common case, every
        step of `fit`): the float casts are decided once per pass, not per batch."""
        n, bs = self._num_samples, self._batch_size
        floatx = np.dtype(config.floatx())
        casts = [p is not None and p.dtype.kind == "f" and p.dtype != floatx for p in parts]
        x, y, sample_weight = parts
        if order is None and y is not None and sample_weight is None and not any(casts):
            # The usual `fit(x, y)`: `(x, y)` views, as `pack_x_y_sample_weight` packs them.
            for start in range(0, n, bs):
                stop = min(start + bs, n)
                yield x[start:stop], y[start:stop]
            return
        for start in range(0, n, bs):
            stop = min(start + bs, n)
            key: Any = slice(start, stop) if order is None else order[start:stop]
            batch = [
                None if p is None else (p[key].astype(floatx) if cast else p[key])
                for p, cast in zip(parts, casts)
            ]
            yield utils.pack_x_y_sample_weight(*batch)


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

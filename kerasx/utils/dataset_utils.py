"""`split_dataset` and `timeseries_dataset_from_array`, returning `PyDataset`s.

Keras 3 returns `tf.data.Dataset`s from these functions. kerasx has no TensorFlow, so they
take NumPy arrays (or tuples / lists of arrays) and return `ArrayDataset`s: small `PyDataset`
subclasses that `Model.fit`, `evaluate` and `predict` accept directly, that can be iterated,
indexed and measured with `len`, and whose elements are the same NumPy arrays (same values,
order, dtypes and batch boundaries) that the tf.data datasets would hold.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np

from kerasx.trainers.data_adapters.py_dataset import PyDataset


class ArrayDataset(PyDataset):
    """Elements taken by index from in-memory arrays: single samples, or batches of them.

    Unbatched (``batch_size=None``), item ``i`` is one sample with no batch axis, like an
    element of an unbatched `tf.data.Dataset`; call `batch` to group samples into batches
    before passing the dataset to `fit`. Batched, item ``i`` holds the samples
    ``rows[i * batch_size:(i + 1) * batch_size]`` stacked on a new first axis (the last
    batch may be smaller).

    Args:
        fetch: a function from an index (an int, for one sample) or an array of indices (for a
            batch) to the corresponding element.
        rows: the sample indices, in the order the dataset serves them.
        batch_size: samples per batch, or None for an unbatched dataset.
        drop_remainder: whether to drop a last batch smaller than `batch_size`.
        **kwargs: `PyDataset` arguments (`workers`, `use_multiprocessing`, `max_queue_size`).
    """

    def __init__(
        self,
        fetch: Callable[[Any], Any],
        rows: np.ndarray,
        batch_size: int | None = None,
        drop_remainder: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if batch_size is not None and (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(
                "Received an invalid value for `batch_size`, expected a positive integer or "
                f"None. Received: batch_size={batch_size!r}"
            )
        self._fetch = fetch
        self._rows = np.asarray(rows, dtype="int64")
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_remainder = bool(drop_remainder)

    @property
    def num_samples(self) -> int:
        """The number of samples (windows, for a time series) the dataset holds."""
        return int(self._rows.shape[0])

    def __len__(self) -> int:
        if self.batch_size is None:
            return self.num_samples
        if self.drop_remainder:
            return self.num_samples // self.batch_size
        return math.ceil(self.num_samples / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(
                "`ArrayDataset` indices must be integers. "
                f"Received: index={index!r} of type {type(index)}"
            )
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"Index {index} is out of range for a dataset of {n} elements.")
        if self.batch_size is None:
            return self._fetch(int(self._rows[index]))
        start = index * self.batch_size
        return self._fetch(self._rows[start : start + self.batch_size])

    def __iter__(self) -> Any:
        for i in range(len(self)):
            yield self[i]

    def batch(self, batch_size: int, drop_remainder: bool = False) -> ArrayDataset:
        """Return a dataset serving the same samples in batches of `batch_size`.

        Args:
            batch_size: samples per batch.
            drop_remainder: drop a last batch smaller than `batch_size`.

        Returns:
            A new batched `ArrayDataset` (this one is unchanged).
        """
        if self.batch_size is not None:
            raise ValueError(
                f"This dataset is already batched (batch_size={self.batch_size}); batching "
                "it again is not supported."
            )
        return ArrayDataset(self._fetch, self._rows, batch_size, drop_remainder)

    def __repr__(self) -> str:
        return (
            f"<ArrayDataset num_samples={self.num_samples} batch_size={self.batch_size} "
            f"len={len(self)}>"
        )


# -- split_dataset -----------------------------------------------------------------------------


def _as_arrays(dataset: Any) -> tuple[list[np.ndarray], bool]:
    """The arrays of `dataset` and whether its elements are tuples."""
    if isinstance(dataset, np.ndarray):
        if dataset.ndim == 0 or len(dataset) == 0:
            raise ValueError(
                "Received an empty dataset. Argument `dataset` must be a non-empty list/tuple "
                "of `numpy.ndarray` objects or `tf.data.Dataset` objects."
            )
        return [dataset], False
    if isinstance(dataset, (list, tuple)):
        kind = "list" if isinstance(dataset, list) else "tuple"
        if not dataset:
            raise ValueError(
                f"Received an empty {kind} dataset. Please provide a non-empty {kind} of arrays."
            )
        for i, arr in enumerate(dataset):
            if not isinstance(arr, np.ndarray):
                raise ValueError(
                    f"Expected a {kind} of `numpy.ndarray` objects, Received: {type(arr)} at "
                    f"index {i}."
                )
        first = dataset[0].shape
        for i, arr in enumerate(dataset):
            if arr.shape[:1] != first[:1] or arr.ndim == 0:
                raise ValueError(
                    f"Received a {kind} of NumPy arrays with different lengths. Mismatch found "
                    f"at index {i}, Expected shape={first} Received shape={arr.shape}. Please "
                    f"provide a {kind} of NumPy arrays of the same length."
                )
        if len(first) == 0 or first[0] == 0:
            raise ValueError(
                "Received an empty dataset. Argument `dataset` must be a non-empty list/tuple "
                "of `numpy.ndarray` objects or `tf.data.Dataset` objects."
            )
        return list(dataset), True
    raise TypeError(f"Unsupported dataset type: {type(dataset)}")


def _is_size(value: Any) -> bool:
    return value is None or type(value) in (int, float)


def _split_sizes(total: int, left_size: Any, right_size: Any) -> tuple[int, int]:
    if left_size is None and right_size is None:
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be specified. "
            "Received: left_size=None and right_size=None"
        )
    if not _is_size(left_size) and not _is_size(right_size):
        raise TypeError(
            "Invalid `left_size` and `right_size` Types. Expected: integer or float or None, "
            f"Received: type(left_size)={type(left_size)} and type(right_size)={type(right_size)}"
        )
    if not _is_size(left_size):
        raise TypeError(
            "Invalid `left_size` Type. Expected: int or float or None, "
            f"Received: type(left_size)={type(left_size)}."
        )
    if not _is_size(right_size):
        raise TypeError(
            "Invalid `right_size` Type. Expected: int or float or None, "
            f"Received: type(right_size)={type(right_size)}."
        )

    def valid(size: Any) -> bool:
        if type(size) is int:
            return 0 < size < total
        return 0 < size < 1

    if left_size is not None and not valid(left_size):
        raise ValueError(
            f"`left_size` should be either a positive integer smaller than {total}, or a "
            f"float within the range `[0, 1]`. Received: left_size={left_size}"
        )
    if right_size is not None and not valid(right_size):
        raise ValueError(
            f"`right_size` should be either a positive integer and smaller than {total} or a "
            f"float within the range `[0, 1]`. Received: right_size={right_size}"
        )
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError(
            "The sum of `left_size` and `right_size` is greater than 1. It must be less than "
            "or equal to 1."
        )

    def resolve(size: Any) -> Any:
        if type(size) is float:
            return round(size * total)
        return None if size is None else float(size)

    left, right = resolve(left_size), resolve(right_size)
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError(
            f"The sum of `left_size` and `right_size` should be smaller than the {total}. "
            f"Received: left_size + right_size = {left + right} and total_length = {total}"
        )
    for size, side in ((left, "left"), (right, "right")):
        if size == 0:
            raise ValueError(
                f"With `dataset` of length={total}, `left_size`={left} and "
                f"`right_size`={right}. Resulting {side} side dataset split will be empty. "
                "Adjust any of the aforementioned parameters"
            )
    return int(left), int(right)


def split_dataset(
    dataset: Any,
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    preferred_backend: str | None = None,
) -> tuple[ArrayDataset, ArrayDataset]:
    """Split a dataset of samples into a left and a right part.

    Unlike Keras 3, which returns two `tf.data.Dataset`s, this returns two unbatched
    `ArrayDataset`s (`PyDataset`s): element ``i`` is one sample (``x[i]``, or a tuple
    ``(x[i], y[i], ...)`` for a tuple or list of arrays). Call ``.batch(n)`` on a part to feed
    it to `fit`, as one would with tf.data.

    The left part takes the first `left_size` samples (after shuffling, if asked), the right
    part the last `right_size` samples.

    Args:
        dataset: a NumPy array, or a tuple or list of NumPy arrays of equal length.
        left_size: an int (a number of samples, in ``(0, len)``) or a float (a fraction, in
            ``(0, 1)``, rounded to the nearest count). None: the complement of `right_size`.
        right_size: like `left_size`, for the right part. None: the complement of `left_size`.
        shuffle: shuffle the samples before splitting.
        seed: the seed of the shuffle (None: drawn from Python's `random`, so
            `kerasx.utils.set_random_seed` makes it reproducible).
        preferred_backend: accepted for Keras compatibility; ignored.

    Returns:
        ``(left_split, right_split)``.
    """
    arrays, as_tuple = _as_arrays(dataset)
    total = int(arrays[0].shape[0])
    left, right = _split_sizes(total, left_size, right_size)

    order = np.arange(total)
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        np.random.RandomState(seed).shuffle(order)

    if as_tuple:

        def fetch(rows: Any) -> Any:
            return tuple(a[rows] for a in arrays)

    else:
        array = arrays[0]

        def fetch(rows: Any) -> Any:
            return array[rows]

    return ArrayDataset(fetch, order[:left]), ArrayDataset(fetch, order[total - right :])


# -- timeseries_dataset_from_array ----------------------------------------------------------------


def _host_array(x: Any) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        from kerasx import ops

        return np.asarray(ops.convert_to_numpy(x))
    return np.asarray(x)


def timeseries_dataset_from_array(
    data: Any,
    targets: Any,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
    format: str = "tf",
) -> ArrayDataset:
    """Make a dataset of sliding windows over a time series.

    Window ``k`` starts at time step ``i = start_index + k * sequence_stride`` and holds
    ``data[i], data[i + sampling_rate], ..., data[i + (sequence_length - 1) * sampling_rate]``;
    its target is ``targets[i]``. Windows must end before `end_index`.

    Unlike Keras 3, which returns a `tf.data.Dataset`, this returns an `ArrayDataset` (a
    `PyDataset` that `fit` accepts) whose batches hold the same windows in the same order
    with the same batch boundaries. Windows are gathered lazily, batch by batch. With
    ``shuffle=True`` the window order is a permutation drawn once from `seed`; Keras also
    passes the windows through a tf.data shuffle buffer, so its shuffled order differs.

    Args:
        data: the time series, indexed by time step on axis 0 (an array or tensor).
        targets: the target of the window starting at each time step (axis 0 aligned with
            `data`), or None for windows only.
        sequence_length: the number of time steps in a window.
        sequence_stride: the number of time steps between the starts of successive windows.
        sampling_rate: the step, in time steps, between the items of a window.
        batch_size: windows per batch, or None for an unbatched dataset (one window per
            element).
        shuffle: serve the windows in a random order.
        seed: the seed of the shuffle (None: drawn from NumPy's global generator).
        start_index: the first time step used (default 0).
        end_index: the time step before which windows must end (default ``len(data)``).
        format: ``"tf"`` or ``"grain"``, accepted for Keras compatibility; the result is an
            `ArrayDataset` either way.

    Returns:
        An `ArrayDataset` whose elements are ``(windows, window_targets)``, or ``windows``
        when `targets` is None, with ``windows.shape == (batch, sequence_length) +
        data.shape[1:]``.
    """
    data = _host_array(data)
    length = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(
                f"`start_index` must be 0 or greater. Received: start_index={start_index}"
            )
        if start_index >= length:
            raise ValueError(
                "`start_index` must be lower than the length of the data. Received: "
                f"start_index={start_index}, for data of length {length}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. Received: "
                f"start_index={start_index}, and end_index={end_index}"
            )
        if end_index > length:
            raise ValueError(
                "`end_index` must be lower than the length of the data. Received: "
                f"end_index={end_index}, for data of length {length}"
            )
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(
            f"`sampling_rate` must be higher than 0. Received: sampling_rate={sampling_rate}"
        )
    if sequence_stride <= 0:
        raise ValueError(
            f"`sequence_stride` must be higher than 0. Received: sequence_stride={sequence_stride}"
        )
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')

    start = 0 if start_index is None else int(start_index)
    end = length if end_index is None else int(end_index)
    num_windows = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = _host_array(targets)
        num_windows = min(num_windows, len(targets) - start)
    positions = np.arange(0, max(num_windows, 0), sequence_stride, dtype="int64") + start
    if shuffle:
        if seed is None:
            seed = np.random.randint(int(1e6))
        np.random.RandomState(seed).shuffle(positions)
    offsets = np.arange(sequence_length, dtype="int64") * sampling_rate

    def fetch(rows: Any) -> Any:
        windows = data[np.add.outer(rows, offsets)]
        if targets is None:
            return windows
        return windows, targets[rows]

    return ArrayDataset(fetch, positions, batch_size)

"""NumPy kernels: sorting, searching, unique values and segment reductions."""

from __future__ import annotations

import numpy as np

from kerasx.ops._checks_sorting import _check_kth, _check_segments, _check_top_k


def sort(x, axis=-1):
    return np.sort(x, axis=axis, kind="stable")


def argsort(x, axis=-1):
    return np.argsort(x, axis=axis, kind="stable").astype(np.int32)


def argpartition(x, kth, axis=-1):
    # A canonical partition, the same on every engine: the kth + 1 smallest in ascending
    # order of value, then the remaining indices in increasing order.
    n, kth = _check_kth(x, kth, axis)
    moved = np.moveaxis(x, axis, -1)
    low = np.argsort(moved, axis=-1, kind="stable")[..., : kth + 1]
    taken = np.zeros(moved.shape, dtype=bool)
    np.put_along_axis(taken, low, True, axis=-1)
    rest = np.argsort(taken, axis=-1, kind="stable")[..., : n - kth - 1]
    out = np.concatenate([low, rest], axis=-1).astype(np.int32)
    return np.moveaxis(out, -1, axis)


def _descending_order(x):
    """Indices sorting the last axis in descending order, ties in increasing index order."""
    if x.dtype.kind in "bu":
        key = -x.astype(np.int64) if x.dtype != np.uint64 else ~x
    else:
        key = -x
    return np.argsort(key, axis=-1, kind="stable")


def top_k(x, k, sorted=True):  # noqa: A002
    _check_top_k(x, k)
    idx = _descending_order(x)[..., :k]
    return np.take_along_axis(x, idx, axis=-1), idx.astype(np.int32)


def in_top_k(targets, predictions, k):
    rows = np.arange(predictions.shape[0])
    target_score = predictions[rows, targets.astype(np.int64)]
    better = np.sum(predictions > target_score[:, None], axis=-1)
    return (better < k) & np.isfinite(target_score)


def unique(
    x,
    sorted=True,
    return_index=False,
    return_inverse=False,  # noqa: A002
    return_counts=False,
    axis=None,
    size=None,
    fill_value=None,
):
    res = np.unique(x, return_index=True, return_inverse=True, return_counts=True, axis=axis)
    values, index, inverse, counts = res
    if axis is None:
        inverse = inverse.reshape(x.shape)
    else:
        inverse = inverse.reshape(-1)
    if size is not None:
        ax = 0 if axis is None else axis % x.ndim
        m = values.shape[ax]
        if m >= size:
            values = np.take(values, np.arange(size), axis=ax)
            index, counts = index[:size], counts[:size]
        else:
            pad = size - m
            fill = np.take(values, [0] * pad, axis=ax) if fill_value is None else None
            if fill is None:
                shape = list(values.shape)
                shape[ax] = pad
                fill = np.full(shape, fill_value, dtype=values.dtype)
            values = np.concatenate([values, fill], axis=ax)
            index = np.concatenate([index, np.full(pad, index[0] if m else 0)])
            counts = np.concatenate([counts, np.zeros(pad, dtype=counts.dtype)])
    out = [values]
    if return_index:
        out.append(index.astype(np.int32))
    if return_inverse:
        out.append(inverse.astype(np.int32))
    if return_counts:
        out.append(counts.astype(np.int32))
    return tuple(out) if len(out) > 1 else values


def nonzero(x):
    return tuple(i.astype(np.int32) for i in np.nonzero(x))


def _segments(ufunc, empty):
    def kernel(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
        _check_segments(data, segment_ids, num_segments)
        ids = segment_ids.astype(np.int64)
        if num_segments is None:
            num_segments = int(ids.max()) + 1 if ids.size else 0
        out = np.full((num_segments, *data.shape[1:]), empty(data.dtype), dtype=data.dtype)
        keep = (ids >= 0) & (ids < num_segments)
        ufunc.at(out, ids[keep], data[keep])
        return out

    return kernel


def _lowest(dtype):
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


def _highest(dtype):
    if dtype.kind == "f":
        return np.inf
    if dtype.kind == "b":
        return True
    return np.iinfo(dtype).max


KERNELS = {
    "sort": sort,
    "argsort": argsort,
    "argpartition": argpartition,
    "top_k": top_k,
    "in_top_k": in_top_k,
    "unique": unique,
    "nonzero": nonzero,
    "segment_sum": _segments(np.add, lambda d: 0),
    "segment_prod": _segments(np.multiply, lambda d: 1),
    "segment_max": _segments(np.maximum, _lowest),
    "segment_min": _segments(np.minimum, _highest),
}

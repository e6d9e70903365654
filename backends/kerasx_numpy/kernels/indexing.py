"""NumPy kernels: indexing, slicing and scattering."""

from __future__ import annotations

import numpy as np

from kerasx.ops.indexing import normalize_key


def _key(key):
    key = normalize_key(key)
    if isinstance(key, tuple):
        return tuple(
            np.asarray(k) if hasattr(k, "__array__") and not isinstance(k, np.ndarray) else k
            for k in key
        )
    return key


def get_item(x, key):
    return np.asarray(x)[_key(key)]


def add_at(x, key, updates):
    out = np.array(x, copy=True)
    np.add.at(out, _key(key), updates)
    return out


def take(x, indices, axis):
    return np.take(x, indices, axis=axis)


def take_along_axis(x, indices, axis):
    if axis is None:
        return np.take(np.ravel(x), indices)
    x, indices = _broadcast_off_axis(x, indices, axis)
    return np.take_along_axis(x, indices, axis=axis)


def _broadcast_off_axis(x, indices, axis):
    a = axis % x.ndim
    xs = list(x.shape)
    ids = list(indices.shape)
    xs[a] = 1
    ids[a] = 1
    b = np.broadcast_shapes(tuple(xs), tuple(ids))
    xt = list(b)
    xt[a] = x.shape[a]
    it = list(b)
    it[a] = indices.shape[a]
    return np.broadcast_to(x, tuple(xt)), np.broadcast_to(indices, tuple(it))


def _starts(start_indices):
    return [int(s) for s in np.asarray(start_indices).reshape(-1)]


def _block(start_indices, shape, dims):
    starts = _starts(start_indices)
    out = []
    for s, n, d in zip(starts, shape, dims):
        s = min(max(s, 0), d - n)  # clamp like XLA's dynamic_slice
        out.append(slice(s, s + n))
    return tuple(out)


def dynamic_slice(inputs, start_indices, shape):
    return np.asarray(inputs)[_block(start_indices, tuple(shape), inputs.shape)]


def slice_update(inputs, start_indices, updates):
    out = np.array(inputs, copy=True)
    out[_block(start_indices, updates.shape, inputs.shape)] = updates
    return out


def scatter(indices, values, shape):
    shape = tuple(shape)
    out = np.zeros(shape, dtype=values.dtype)
    indices = np.asarray(indices)
    key = tuple(indices[..., i] for i in range(indices.shape[-1]))
    np.add.at(out, key, values)
    return out


_REDUCERS = {"add": np.add, "max": np.maximum, "min": np.minimum, "mul": np.multiply}


def scatter_update(inputs, indices, updates, reduction):
    out = np.array(inputs, copy=True)
    indices = np.asarray(indices)
    key = tuple(indices[..., i] for i in range(indices.shape[-1]))
    if reduction is None:
        out[key] = updates
    else:
        _REDUCERS[reduction].at(out, key, updates)
    return out


def unravel_index(indices, shape):
    dt = (
        indices.dtype if indices.dtype not in (np.int8, np.int16, np.uint8, np.uint16) else np.int32
    )
    return tuple(np.asarray(c, dtype=dt) for c in np.unravel_index(indices, tuple(shape)))


KERNELS = {
    "get_item": get_item,
    "add_at": add_at,
    "take": take,
    "take_along_axis": take_along_axis,
    "slice": dynamic_slice,
    "slice_update": slice_update,
    "scatter": scatter,
    "scatter_update": scatter_update,
    "unravel_index": unravel_index,
}

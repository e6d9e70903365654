"""NumPy kernels: reductions, statistics, sorting."""

from __future__ import annotations

import numpy as np

_SMALL_INTS = {np.dtype(d) for d in ("bool", "int8", "int16", "uint8", "uint16")}


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum_(x, axis, keepdims):
    dtype = np.int32 if x.dtype in _SMALL_INTS else None
    return np.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=dtype)


KERNELS = {
    "sum": sum_,
}

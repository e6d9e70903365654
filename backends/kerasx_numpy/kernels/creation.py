"""NumPy kernels: array creation (ranges, filled tensors, matrices, windows, grids)."""

from __future__ import annotations

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.ops._checks_creation import (
    _check_meshgrid,
    _check_num,
    _check_vander,
    _int,
    _shape,
    _space_target,
)
from kerasx_numpy.dtypes import np_dtype


def _d(dtype):
    return np_dtype(_dt.standardize_dtype(dtype))


def arange(start, stop, step, dtype):
    if dtype is None:
        dtype = _dt.result_type(*[v for v in (start, stop, step) if v is not None])
    if step is not None and np.all(np.asarray(step) == 0):
        raise ValueError(
            "Received an invalid value for `step`, expected a non-zero value. Received: step=0"
        )
    if stop is None:
        start, stop = 0, start
    return np.arange(start, stop, 1 if step is None else step, dtype=_d(dtype))


def _f64(x):
    return np.asarray(x).astype(np.complex128 if np.asarray(x).dtype.kind == "c" else np.float64)


def linspace(start, stop, num, endpoint, retstep, dtype, axis):
    _check_num(num)
    target = _space_target(start, stop, dtype)
    y, step = np.linspace(_f64(start), _f64(stop), num, endpoint, True, dtype=_d(target), axis=axis)
    if not retstep:
        return y
    step_dt = target if _dt.is_float_dtype(target) else _dt.standardize_dtype(None)
    return (y, np.asarray(step, dtype=_d(step_dt)))


def geomspace(start, stop, num, endpoint, dtype, axis):
    _check_num(num)
    target = _space_target(start, stop, dtype)
    return np.geomspace(_f64(start), _f64(stop), num, endpoint, dtype=_d(target), axis=axis)


def logspace(start, stop, num, endpoint, base, dtype, axis):
    _check_num(num)
    target = _space_target(start, stop, dtype)
    return np.logspace(_f64(start), _f64(stop), num, endpoint, base, dtype=_d(target), axis=axis)


def array(x, dtype):
    return np.array(x, dtype=None if dtype is None else _d(dtype))


def full(shape, fill_value, dtype):
    return np.full(_shape(shape), fill_value, dtype=_d(dtype))


def full_like(x, fill_value, dtype):
    return np.full(x.shape, fill_value, dtype=x.dtype if dtype is None else _d(dtype))


def empty_like(x, dtype):
    return np.zeros(x.shape, dtype=x.dtype if dtype is None else _d(dtype))


# Only `x`'s shape matters: the NumPy jit folds these to constants (shapes are static there).
full_like.shape_only = empty_like.shape_only = (0,)


def _eye(N, M, k, dtype):  # noqa: N803
    M = None if M is None else _int(M, "M")
    return np.eye(_int(N, "N"), M, _int(k, "k"), dtype=_d(dtype))


def _tri(N, M, k, dtype):  # noqa: N803
    M = None if M is None else _int(M, "M")
    return np.tri(_int(N, "N"), M, _int(k, "k"), dtype=_d(dtype))


def vander(x, N, increasing):  # noqa: N803
    _check_vander(x)
    return np.vander(x, None if N is None else _int(N, "N"), increasing).astype(x.dtype)


def meshgrid(x, indexing):
    _check_meshgrid(indexing)
    return [np.ascontiguousarray(g) for g in np.meshgrid(*x, indexing=indexing)]


def _window(fn):
    def kernel(x):
        n = _int(x, "x")
        return fn(n).astype(_d(None))

    return kernel


def kaiser(x, beta):
    return np.kaiser(_int(x, "x"), float(beta)).astype(_d(None))


KERNELS = {
    "arange": arange,
    "linspace": linspace,
    "geomspace": geomspace,
    "logspace": logspace,
    "array": array,
    "zeros": lambda shape, dtype: np.zeros(_shape(shape), dtype=_d(dtype)),
    "ones": lambda shape, dtype: np.ones(_shape(shape), dtype=_d(dtype)),
    "empty": lambda shape, dtype: np.zeros(_shape(shape), dtype=_d(dtype)),
    "empty_like": empty_like,
    "full": full,
    "full_like": full_like,
    "eye": _eye,
    "identity": lambda n, dtype: np.identity(_int(n, "n"), dtype=_d(dtype)),
    "tri": _tri,
    "vander": vander,
    "meshgrid": meshgrid,
    "bartlett": _window(np.bartlett),
    "blackman": _window(np.blackman),
    "hamming": _window(np.hamming),
    "hanning": _window(np.hanning),
    "kaiser": kaiser,
}

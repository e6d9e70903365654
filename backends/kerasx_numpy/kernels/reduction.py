"""NumPy kernels: reductions, extrema, products, spreads and their NaN-ignoring twins."""

from __future__ import annotations

import warnings

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.ops._checks_reduction import _check_axis_int

_WIDEN = {
    np.dtype("bool"): np.dtype("int32"),
    np.dtype("int8"): np.dtype("int32"),
    np.dtype("int16"): np.dtype("int32"),
    np.dtype("uint8"): np.dtype("uint32"),
    np.dtype("uint16"): np.dtype("uint32"),
}


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _float_of(dtype):
    """The NumPy dtype a float-valued statistic of `dtype` returns."""
    return np.dtype(_dt.float_result(_dt.standardize_dtype(dtype)))


def _compute_dtype(x):
    """Accumulate integer inputs in float64 (exact for the values we cast back)."""
    return np.float64 if x.dtype.kind in "biu" else None


def _out(value, dtype):
    return np.asarray(value).astype(dtype, copy=False) if np.ndim(value) else dtype.type(value)


def sum_(x, axis, keepdims):
    if x.ndim == 0 and axis in (None, (), 0, -1) and x.dtype not in _WIDEN:
        return x  # the sum of one number is that number (the NumPy jit then drops the call)
    # np.add.reduce is np.sum without its Python wrapper (this runs many times per step).
    return np.add.reduce(x, axis=_axis(axis), keepdims=keepdims, dtype=_WIDEN.get(x.dtype, x.dtype))


def mean(x, axis, keepdims):
    res = np.mean(x, axis=_axis(axis), keepdims=keepdims, dtype=_compute_dtype(x))
    return _out(res, _float_of(x.dtype))


def var(x, axis, keepdims):
    res = np.var(x, axis=_axis(axis), keepdims=keepdims, dtype=_compute_dtype(x))
    return _out(res, _float_of(x.dtype))


def std(x, axis, keepdims):
    res = np.std(x, axis=_axis(axis), keepdims=keepdims, dtype=_compute_dtype(x))
    return _out(res, _float_of(x.dtype))


def max_(x, axis, keepdims, initial=None):
    if initial is None:
        return np.max(x, axis=_axis(axis), keepdims=keepdims)
    return np.max(x, axis=_axis(axis), keepdims=keepdims, initial=initial)


def min_(x, axis, keepdims, initial=None):
    if initial is None:
        return np.min(x, axis=_axis(axis), keepdims=keepdims)
    return np.min(x, axis=_axis(axis), keepdims=keepdims, initial=initial)


def amax(x, axis, keepdims):
    return np.max(x, axis=_axis(axis), keepdims=keepdims)


def amin(x, axis, keepdims):
    return np.min(x, axis=_axis(axis), keepdims=keepdims)


def logsumexp(x, axis, keepdims):
    dtype = _float_of(x.dtype)
    x = x.astype(dtype, copy=False)
    axis = _axis(axis)
    if x.size == 0:
        return _out(np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims)), dtype)
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, np.zeros((), dtype))
    with np.errstate(divide="ignore"):
        res = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        res = np.squeeze(res, axis=axis)
    return _out(res, dtype)


def prod(x, axis, keepdims, dtype=None):
    if dtype is not None:
        dtype = np.dtype(_dt.standardize_dtype(dtype))
    else:
        dtype = _WIDEN.get(x.dtype, x.dtype)
    return np.prod(x, axis=_axis(axis), keepdims=keepdims, dtype=dtype)


def all_(x, axis, keepdims):
    return np.all(x, axis=_axis(axis), keepdims=keepdims)


def any_(x, axis, keepdims):
    return np.any(x, axis=_axis(axis), keepdims=keepdims)


def count_nonzero(x, axis):
    res = np.count_nonzero(x, axis=_axis(axis))
    return np.asarray(res, dtype=np.int32) if np.ndim(res) else np.int32(res)


def _arg(fn):
    def kernel(x, axis, keepdims):
        _check_axis_int(axis)
        res = fn(x, axis=axis, keepdims=keepdims)
        return np.asarray(res, dtype=np.int32) if np.ndim(res) else np.int32(res)

    return kernel


def _quiet(fn):
    """Run a NaN-ignoring reduction without NumPy's all-NaN-slice warnings."""

    def kernel(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args)

    return kernel


def nansum(x, axis, keepdims):
    return np.nansum(x, axis=_axis(axis), keepdims=keepdims, dtype=_WIDEN.get(x.dtype, x.dtype))


def nanprod(x, axis, keepdims):
    return np.nanprod(x, axis=_axis(axis), keepdims=keepdims, dtype=_WIDEN.get(x.dtype, x.dtype))


def nanmean(x, axis, keepdims):
    res = np.nanmean(x, axis=_axis(axis), keepdims=keepdims, dtype=_compute_dtype(x))
    return _out(res, _float_of(x.dtype))


def nanvar(x, axis, keepdims):
    res = np.nanvar(x, axis=_axis(axis), keepdims=keepdims, dtype=_compute_dtype(x))
    return _out(res, _float_of(x.dtype))


def nanstd(x, axis, keepdims):
    res = np.nanstd(x, axis=_axis(axis), keepdims=keepdims, dtype=_compute_dtype(x))
    return _out(res, _float_of(x.dtype))


def nanmax(x, axis, keepdims):
    return np.nanmax(x, axis=_axis(axis), keepdims=keepdims)


def nanmin(x, axis, keepdims):
    return np.nanmin(x, axis=_axis(axis), keepdims=keepdims)


KERNELS = {
    "sum": sum_,
    "mean": mean,
    "var": var,
    "std": std,
    "max": max_,
    "min": min_,
    "amax": amax,
    "amin": amin,
    "logsumexp": logsumexp,
    "prod": prod,
    "all": all_,
    "any": any_,
    "count_nonzero": count_nonzero,
    "argmax": _arg(np.argmax),
    "argmin": _arg(np.argmin),
    "nanargmax": _arg(np.nanargmax),
    "nanargmin": _arg(np.nanargmin),
    "nansum": nansum,
    "nanprod": nanprod,
    "nanmean": _quiet(nanmean),
    "nanvar": _quiet(nanvar),
    "nanstd": _quiet(nanstd),
    "nanmax": _quiet(nanmax),
    "nanmin": _quiet(nanmin),
}

"""NumPy kernels: cumulative sums/products, quantiles, histograms, bin counts."""

from __future__ import annotations

import warnings

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.ops._checks_statistics import _check_bincount, _check_histogram, _check_method


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _float_of(dtype):
    return np.dtype(_dt.float_result(_dt.standardize_dtype(dtype)))


def _out(value, dtype):
    return np.asarray(value).astype(dtype, copy=False) if np.ndim(value) else dtype.type(value)


def _cum_dtype(x, dtype):
    if dtype is not None:
        return np.dtype(_dt.standardize_dtype(dtype))
    return np.dtype(np.int32) if x.dtype == np.bool_ else x.dtype


def _cum(fn):
    def kernel(x, axis=None, dtype=None):
        return fn(x, axis=axis, dtype=_cum_dtype(x, dtype))

    return kernel


def _order_stat(fn, divisor):
    def kernel(x, q, axis=None, method="linear", keepdims=False):
        _check_method(method)
        dtype = _float_of(x.dtype)
        xc = x.astype(np.float64) if x.dtype.kind in "biu" else x
        qc = np.asarray(q, dtype=np.float64) / divisor
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = fn(xc, qc, axis=_axis(axis), method=method, keepdims=keepdims)
        return _out(res, dtype)

    return kernel


def _median(fn):
    def kernel(x, axis=None, keepdims=False):
        dtype = _float_of(x.dtype)
        xc = x.astype(np.float64) if x.dtype.kind in "biu" else x
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = fn(xc, axis=_axis(axis), keepdims=keepdims)
        return _out(res, dtype)

    return kernel


def histogram(x, bins=10, range=None):  # noqa: A002
    _check_histogram(x, bins, range)
    dtype = _float_of(x.dtype)
    counts, edges = np.histogram(x, bins=bins, range=range)
    return counts.astype(np.int32), edges.astype(dtype)


def bincount(x, weights=None, minlength=0, sparse=False):
    _check_bincount(x, minlength, sparse)
    if x.size and x.min() < 0:
        raise ValueError("`x` must hold non-negative integers")
    if weights is None:
        out_dtype = np.dtype(np.int32)
    elif weights.dtype.kind == "f" or weights.dtype in (np.int64, np.uint64):
        out_dtype = weights.dtype
    else:
        out_dtype = np.dtype(np.int32)
    length = max(int(x.max()) + 1 if x.size else 0, minlength)
    if x.ndim == 1:
        res = np.bincount(x, weights=weights, minlength=length)
        return res.astype(out_dtype, copy=False)
    rows = x.shape[0]
    flat = (x + length * np.arange(rows, dtype=x.dtype)[:, None]).reshape(-1)
    w = None if weights is None else weights.reshape(-1)
    res = np.bincount(flat, weights=w, minlength=rows * length).reshape(rows, length)
    return res.astype(out_dtype, copy=False)


KERNELS = {
    "cumsum": _cum(np.cumsum),
    "cumprod": _cum(np.cumprod),
    "nancumsum": _cum(np.nancumsum),
    "nancumprod": _cum(np.nancumprod),
    "quantile": _order_stat(np.quantile, 1.0),
    "percentile": _order_stat(np.quantile, 100.0),
    "nanquantile": _order_stat(np.nanquantile, 1.0),
    "nanpercentile": _order_stat(np.nanquantile, 100.0),
    "median": _median(np.median),
    "nanmedian": _median(np.nanmedian),
    "histogram": histogram,
    "bincount": bincount,
}

"""JAX kernels: cumulative sums/products, quantiles, histograms, bin counts."""

from __future__ import annotations

import jax.numpy as jnp

from kerasx.engine import dtypes as _dt
from kerasx.ops._checks_statistics import _check_bincount, _check_histogram, _check_method


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _float_of(dtype):
    return jnp.dtype(_dt.float_result(_dt.standardize_dtype(dtype)))


def _cum_dtype(x, dtype):
    if dtype is not None:
        return jnp.dtype(_dt.standardize_dtype(dtype))
    return jnp.dtype(jnp.int32) if x.dtype == jnp.bool_ else x.dtype


def _cum(fn):
    def kernel(x, axis=None, dtype=None):
        return fn(x, axis=axis, dtype=_cum_dtype(x, dtype))

    return kernel


def _as_float(x):
    target = _float_of(x.dtype)
    return (x.astype(jnp.float64) if x.dtype.kind in "biu" else x), target


def _order_stat(fn, divisor):
    def kernel(x, q, axis=None, method="linear", keepdims=False):
        _check_method(method)
        xf, target = _as_float(x)
        qf = jnp.asarray(q).astype(jnp.float64) / divisor
        res = fn(xf, qf.astype(xf.dtype), axis=_axis(axis), method=method, keepdims=keepdims)
        return res.astype(target)

    return kernel


def _median(fn):
    def kernel(x, axis=None, keepdims=False):
        xf, target = _as_float(x)
        return fn(xf, axis=_axis(axis), keepdims=keepdims).astype(target)

    return kernel


def histogram(x, bins=10, range=None):  # noqa: A002
    _check_histogram(x, bins, range)
    target = _float_of(x.dtype)
    xf = x.astype(target)
    counts, edges = jnp.histogram(xf, bins=bins, range=range)
    return counts.astype(jnp.int32), edges.astype(target)


def bincount(x, weights=None, minlength=0, sparse=False):
    _check_bincount(x, minlength, sparse)
    if weights is None:
        out_dtype = jnp.dtype(jnp.int32)
        weights = jnp.ones(x.shape, dtype=jnp.int32)
    elif weights.dtype.kind == "f" or weights.dtype in (jnp.int64, jnp.uint64):
        out_dtype = weights.dtype
    else:
        out_dtype = jnp.dtype(jnp.int32)
        weights = weights.astype(jnp.int32)
    # The length depends on the data, so this kernel runs eagerly (not under jit).
    length = max(int(jnp.max(x)) + 1 if x.size else 0, minlength)
    if x.ndim == 1:
        return jnp.zeros((length,), dtype=out_dtype).at[x].add(weights.astype(out_dtype))
    rows = jnp.arange(x.shape[0], dtype=x.dtype)[:, None]
    out = jnp.zeros((x.shape[0], length), dtype=out_dtype)
    return out.at[jnp.broadcast_to(rows, x.shape), x].add(weights.astype(out_dtype))


KERNELS = {
    "cumsum": _cum(jnp.cumsum),
    "cumprod": _cum(jnp.cumprod),
    "nancumsum": _cum(jnp.nancumsum),
    "nancumprod": _cum(jnp.nancumprod),
    "quantile": _order_stat(jnp.quantile, 1.0),
    "percentile": _order_stat(jnp.quantile, 100.0),
    "nanquantile": _order_stat(jnp.nanquantile, 1.0),
    "nanpercentile": _order_stat(jnp.nanquantile, 100.0),
    "median": _median(jnp.median),
    "nanmedian": _median(jnp.nanmedian),
    "histogram": histogram,
    "bincount": bincount,
}

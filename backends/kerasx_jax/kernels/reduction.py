"""JAX kernels: reductions, extrema, products, spreads and their NaN-ignoring twins."""

from __future__ import annotations

import jax.numpy as jnp
from jax.scipy.special import logsumexp as _jax_logsumexp

from kerasx.engine import dtypes as _dt
from kerasx.ops._checks_reduction import _check_axis_int

_WIDEN = {
    jnp.dtype("bool"): jnp.dtype("int32"),
    jnp.dtype("int8"): jnp.dtype("int32"),
    jnp.dtype("int16"): jnp.dtype("int32"),
    jnp.dtype("uint8"): jnp.dtype("uint32"),
    jnp.dtype("uint16"): jnp.dtype("uint32"),
}


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _float_of(dtype):
    return jnp.dtype(_dt.float_result(_dt.standardize_dtype(dtype)))


def _as_float(x):
    """Cast to the float dtype a statistic of `x` returns (integers compute in float64)."""
    target = _float_of(x.dtype)
    if x.dtype.kind in "biu":
        return x.astype(jnp.float64), target
    return x, target


def sum_(x, axis, keepdims):
    return jnp.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=_WIDEN.get(x.dtype, x.dtype))


def _float_stat(fn):
    def kernel(x, axis, keepdims):
        xf, target = _as_float(x)
        return fn(xf, axis=_axis(axis), keepdims=keepdims).astype(target)

    return kernel


def max_(x, axis, keepdims, initial=None):
    return jnp.max(x, axis=_axis(axis), keepdims=keepdims, initial=initial)


def min_(x, axis, keepdims, initial=None):
    return jnp.min(x, axis=_axis(axis), keepdims=keepdims, initial=initial)


def amax(x, axis, keepdims):
    return jnp.max(x, axis=_axis(axis), keepdims=keepdims)


def amin(x, axis, keepdims):
    return jnp.min(x, axis=_axis(axis), keepdims=keepdims)


def logsumexp(x, axis, keepdims):
    target = _float_of(x.dtype)
    return _jax_logsumexp(x.astype(target), axis=_axis(axis), keepdims=keepdims).astype(target)


def prod(x, axis, keepdims, dtype=None):
    if dtype is not None:
        dtype = jnp.dtype(_dt.standardize_dtype(dtype))
    else:
        dtype = _WIDEN.get(x.dtype, x.dtype)
    return jnp.prod(x, axis=_axis(axis), keepdims=keepdims, dtype=dtype)


def all_(x, axis, keepdims):
    return jnp.all(x, axis=_axis(axis), keepdims=keepdims)


def any_(x, axis, keepdims):
    return jnp.any(x, axis=_axis(axis), keepdims=keepdims)


def count_nonzero(x, axis):
    return jnp.count_nonzero(x, axis=_axis(axis)).astype(jnp.int32)


def _arg(fn):
    def kernel(x, axis, keepdims):
        _check_axis_int(axis)
        return fn(x, axis=axis, keepdims=keepdims).astype(jnp.int32)

    return kernel


def nansum(x, axis, keepdims):
    return jnp.nansum(x, axis=_axis(axis), keepdims=keepdims, dtype=_WIDEN.get(x.dtype, x.dtype))


def nanprod(x, axis, keepdims):
    return jnp.nanprod(x, axis=_axis(axis), keepdims=keepdims, dtype=_WIDEN.get(x.dtype, x.dtype))


def nanmax(x, axis, keepdims):
    return jnp.nanmax(x, axis=_axis(axis), keepdims=keepdims)


def nanmin(x, axis, keepdims):
    return jnp.nanmin(x, axis=_axis(axis), keepdims=keepdims)


KERNELS = {
    "sum": sum_,
    "mean": _float_stat(jnp.mean),
    "var": _float_stat(jnp.var),
    "std": _float_stat(jnp.std),
    "max": max_,
    "min": min_,
    "amax": amax,
    "amin": amin,
    "logsumexp": logsumexp,
    "prod": prod,
    "all": all_,
    "any": any_,
    "count_nonzero": count_nonzero,
    "argmax": _arg(jnp.argmax),
    "argmin": _arg(jnp.argmin),
    "nanargmax": _arg(jnp.nanargmax),
    "nanargmin": _arg(jnp.nanargmin),
    "nansum": nansum,
    "nanprod": nanprod,
    "nanmean": _float_stat(jnp.nanmean),
    "nanvar": _float_stat(jnp.nanvar),
    "nanstd": _float_stat(jnp.nanstd),
    "nanmax": nanmax,
    "nanmin": nanmin,
}

"""JAX kernels: reductions, statistics, sorting."""

from __future__ import annotations

import jax.numpy as jnp

_SMALL_INTS = {jnp.dtype(d) for d in ("bool", "int8", "int16", "uint8", "uint16")}


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum_(x, axis, keepdims):
    dtype = jnp.int32 if x.dtype in _SMALL_INTS else x.dtype
    return jnp.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=dtype)


KERNELS = {
    "sum": sum_,
}

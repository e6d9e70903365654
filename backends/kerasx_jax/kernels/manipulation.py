"""JAX kernels: shape manipulation, indexing, creation."""

from __future__ import annotations

import jax.numpy as jnp

from kerasx.engine.dtypes import standardize_dtype


def _like(fill):
    def kernel(x, dtype):
        d = x.dtype if dtype is None else jnp.dtype(standardize_dtype(dtype))
        return jnp.full(jnp.shape(x), fill, dtype=d)

    return kernel


def _tuple(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


KERNELS = {
    "reshape": lambda x, newshape: jnp.reshape(x, _tuple(newshape)),
    "transpose": lambda x, axes: jnp.transpose(x, axes),
    "broadcast_to": lambda x, shape: jnp.broadcast_to(x, _tuple(shape)),
    "expand_dims": lambda x, axis: jnp.expand_dims(x, axis),
    "zeros_like": _like(0),
    "ones_like": _like(1),
}

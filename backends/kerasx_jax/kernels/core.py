"""JAX kernels: casting and core ops."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from kerasx.engine.dtypes import standardize_dtype


def cast(x, dtype):
    target = jnp.dtype(standardize_dtype(dtype))
    x = jnp.asarray(x)
    return x if x.dtype == target else x.astype(target)


KERNELS = {
    "cast": cast,
}

KERNELS["stop_gradient"] = jax.lax.stop_gradient

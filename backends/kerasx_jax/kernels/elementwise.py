"""JAX kernels: element-wise ops (inputs arrive already promoted to one dtype)."""

from __future__ import annotations

import jax.numpy as jnp

KERNELS = {
    "add": jnp.add,
    "subtract": jnp.subtract,
    "multiply": jnp.multiply,
    "true_divide": jnp.true_divide,
    "divide": jnp.true_divide,
    "negative": jnp.negative,
    "exp": jnp.exp,
    "log": jnp.log,
    "sin": jnp.sin,
    "cos": jnp.cos,
}

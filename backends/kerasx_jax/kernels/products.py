"""JAX kernels: matrix and tensor products."""

from __future__ import annotations

import jax.numpy as jnp

KERNELS = {
    "matmul": jnp.matmul,
}

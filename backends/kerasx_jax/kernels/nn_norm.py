"""JAX kernels: `polar` of the nn family (inputs arrive promoted to one float dtype)."""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax


def polar(abs_, angle):
    if abs_.dtype not in (jnp.float32, jnp.float64):
        abs_ = abs_.astype(jnp.float32)
        angle = angle.astype(jnp.float32)
    return lax.complex(abs_ * jnp.cos(angle), abs_ * jnp.sin(angle))


KERNELS = {
    "polar": polar,
}

"""Random kernels of the JAX engine (jax.random keyed by the drawn seed)."""

from __future__ import annotations

RANDOM_KERNELS: dict = {}

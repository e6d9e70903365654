"""jax kernels: the creation family."""

from __future__ import annotations

KERNELS: dict = {}

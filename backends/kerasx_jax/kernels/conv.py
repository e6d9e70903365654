"""jax kernels: the conv family."""

from __future__ import annotations

KERNELS: dict = {}

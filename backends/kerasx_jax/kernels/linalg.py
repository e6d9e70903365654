"""jax kernels: the linalg family."""

from __future__ import annotations

KERNELS: dict = {}

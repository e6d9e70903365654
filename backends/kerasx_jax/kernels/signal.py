"""jax kernels: the signal family."""

from __future__ import annotations

KERNELS: dict = {}

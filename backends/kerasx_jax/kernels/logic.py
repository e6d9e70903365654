"""jax kernels: the logic family."""

from __future__ import annotations

KERNELS: dict = {}

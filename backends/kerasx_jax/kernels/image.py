"""jax kernels: the image family."""

from __future__ import annotations

KERNELS: dict = {}

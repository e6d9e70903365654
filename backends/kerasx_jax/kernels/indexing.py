"""jax kernels: the indexing family."""

from __future__ import annotations

KERNELS: dict = {}

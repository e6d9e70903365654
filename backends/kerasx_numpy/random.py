"""Random kernels of the NumPy engine (counter-based Philox keyed by the drawn seed)."""

from __future__ import annotations

RANDOM_KERNELS: dict = {}

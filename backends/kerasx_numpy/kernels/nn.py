"""numpy kernels: the nn family."""

from __future__ import annotations

KERNELS: dict = {}

"""jax kernels: the control_flow family."""

from __future__ import annotations

KERNELS: dict = {}

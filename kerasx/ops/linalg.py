"""Ops family: linalg (see kerasx/ops/README.md for how to declare an op)."""

from __future__ import annotations

__all__: list[str] = []

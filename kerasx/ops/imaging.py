"""Ops family: image processing (public as kerasx.ops.image) (see kerasx/ops/README.md for how to declare an op)."""

from __future__ import annotations

__all__: list[str] = []

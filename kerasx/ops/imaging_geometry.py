"""Image resampling ops (part of the image family, public as ``kerasx.ops.image``)."""

from __future__ import annotations

__all__: list[str] = []

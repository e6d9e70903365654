"""`ContrastLimitedAdaptiveHistogramEqualization` (CLAHE)."""

from __future__ import annotations

import math
from typing import Any

from kerasx import ops
from kerasx.layers.preprocessing.image._base import (
    BaseImageLayer,
    is_number,
    value_range_pair,
)


def _grid(value: Any) -> tuple[int, int]:
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise ValueError(
            "Received an invalid value for `tile_grid_size`, expected a pair of positive "
            f"ints (rows, columns). Received: tile_grid_size={value!r}"
        )
    return (int(value[0]), int(value[1]))


class ContrastLimitedAdaptiveHistogramEqualization(BaseImageLayer):
    """Contrast-limited adaptive histogram equalization, per channel.

    Each image is divided into a grid of tiles; every tile gets an equalization mapping
    from its own histogram of 256 levels, clipped at ``clip_limit`` times the mean bin
    count (the excess is spread evenly over all bins) and normalised so the tile's lowest
    level maps to the range's low end; each pixel's new value is the
    bilinear interpolation of the mappings of the four nearest tile centres. Applied at
    inference too; integer images keep their dtype. (kerasx's own implementation: values
    are within a few levels of Keras's, not identical.)

    Args:
        value_range: the ``(low, high)`` range of the pixel values.
        clip_limit: the contrast limit (> 0); larger values equalize more strongly.
        tile_grid_size: ``(rows, columns)`` of the tile grid.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    _identity_at_inference = False
    _keeps_int_dtype = True

    def __init__(
        self,
        value_range: Any = (0, 255),
        clip_limit: float = 4.0,
        tile_grid_size: Any = (8, 8),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range_pair(value_range)
        self._value_range_cfg = value_range
        if not is_number(clip_limit) or clip_limit <= 0:
            raise ValueError(
                "Received an invalid value for `clip_limit`, expected a positive number. "
                f"Received: clip_limit={clip_limit!r}"
            )
        self.clip_limit = clip_limit
        self.tile_grid_size = _grid(tile_grid_size)

    def _transform(self, images: Any, training: bool) -> Any:
        dtype = images.dtype
        x = ops.cast(images, self.compute_dtype)
        if self.data_format == "channels_first":
            x = ops.transpose(x, (0, 2, 3, 1))
        b, h, w, c = x.shape
        gh, gw = min(self.tile_grid_size[0], h), min(self.tile_grid_size[1], w)
        th, tw = math.ceil(h / gh), math.ceil(w / gw)
        low, high = self.value_range
        levels = ops.floor(ops.clip((x - low) * (255.0 / (high - low)), 0.0, 255.0))
        # Tiles (the image is padded by reflection to a whole number of tiles).
        padded = levels
        if gh * th != h or gw * tw != w:
            padded = ops.pad(
                levels, [(0, 0), (0, gh * th - h), (0, gw * tw - w), (0, 0)], mode="symmetric"
            )
        tiles = ops.reshape(padded, (b, gh, th, gw, tw, c))
        tiles = ops.reshape(ops.transpose(tiles, (0, 1, 3, 5, 2, 4)), (b, gh, gw, c, th * tw, 1))
        bins = ops.arange(256, dtype=self.compute_dtype)
        hist = ops.sum(ops.cast(ops.equal(tiles, bins), self.compute_dtype), axis=4)
        n = float(th * tw)
        limit = self.clip_limit * n / 256.0
        clipped = ops.minimum(hist, limit)
        excess = ops.sum(hist - clipped, axis=-1, keepdims=True)
        clipped = clipped + excess / 256.0
        cdf = ops.cumsum(clipped, axis=-1)
        cdf_min = ops.min(cdf, axis=-1, keepdims=True)
        span = ops.maximum(n - cdf_min, 1e-6)
        lut = ops.clip((cdf - cdf_min) * (255.0 / span), 0.0, 255.0)  # (b, gh, gw, c, 256)
        # Bilinear interpolation between the four nearest tile centres.
        ry = (ops.arange(h, dtype=self.compute_dtype) + 0.5) / th - 0.5
        rx = (ops.arange(w, dtype=self.compute_dtype) + 0.5) / tw - 0.5
        y0 = ops.clip(ops.floor(ry), 0, gh - 1)
        x0 = ops.clip(ops.floor(rx), 0, gw - 1)
        y1 = ops.clip(y0 + 1, 0, gh - 1)
        x1 = ops.clip(x0 + 1, 0, gw - 1)
        fy = ops.reshape(ops.clip(ry - y0, 0.0, 1.0), (1, h, 1, 1))
        fx = ops.reshape(ops.clip(rx - x0, 0.0, 1.0), (1, 1, w, 1))
        idx = ops.cast(levels, "int32")

        def look(ty: Any, tx: Any) -> Any:
            # lut rows of the tile (ty[i], tx[j]) for every pixel, then the pixel's level
            rows = ops.take(lut, ops.cast(ty, "int32"), axis=1)  # (b, h, gw, c, 256)
            cell = ops.take(rows, ops.cast(tx, "int32"), axis=2)  # (b, h, w, c, 256)
            return ops.squeeze(ops.take_along_axis(cell, idx[..., None], axis=-1), -1)

        top = look(y0, x0) * (1.0 - fx) + look(y0, x1) * fx
        bottom = look(y1, x0) * (1.0 - fx) + look(y1, x1) * fx
        out = (top * (1.0 - fy) + bottom * fy) * ((high - low) / 255.0) + low
        if self.data_format == "channels_first":
            out = ops.transpose(out, (0, 3, 1, 2))
        return ops.cast(out, dtype)

    def get_config(self) -> dict:
        """The base config plus value_range, clip_limit and tile_grid_size."""
        return {
            **super().get_config(),
            "value_range": self._value_range_cfg,
            "clip_limit": self.clip_limit,
            "tile_grid_size": self.tile_grid_size,
        }

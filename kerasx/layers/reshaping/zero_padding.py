"""Zero padding layers: add rows, columns or depth slices of zeros at the borders."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.pooling import _arguments as args
from kerasx.layers.reshaping._spatial import SpatialLayer


class _BaseZeroPadding(SpatialLayer):
    padding: tuple

    def _spatial_out(self, sizes: tuple) -> tuple:
        return tuple(
            None if size is None else size + before + after
            for size, (before, after) in zip(sizes, self.padding)
        )

    def call(self, inputs: Any) -> Any:
        """Pad the spatial axes of `inputs` with zeros."""
        first = self._first_axis()
        widths = [(0, 0)] * len(inputs.shape)
        widths[first : first + self._rank] = list(self.padding)
        return ops.pad(inputs, widths)

    def get_config(self) -> dict:
        """The base config plus padding and data_format."""
        config = super().get_config()
        config["padding"] = self.padding[0] if self._rank == 1 else self.padding
        config["data_format"] = self.data_format
        return config


class ZeroPadding1D(_BaseZeroPadding):
    """Pad the steps axis of a sequence batch with zeros at the start and end.

    Args:
        padding: an int (the same at both ends) or ``(start, end)``.
        data_format: "channels_last" ``(batch, steps, features)`` or "channels_first"
            ``(batch, features, steps)``; None uses the configured image data format.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _rank = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = (args.int_tuple(padding, 2, "padding", minimum=0),)
        self.data_format = args.data_format(data_format)
        self._init_spatial()


class ZeroPadding2D(_BaseZeroPadding):
    """Pad the rows and columns of an image batch with zeros.

    Args:
        padding: an int (every border), ``(rows, cols)`` (symmetric per axis) or
            ``((top, bottom), (left, right))``.
        data_format: "channels_last" ``(batch, rows, cols, channels)`` or "channels_first"
            ``(batch, channels, rows, cols)``; None uses the configured image data format.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _rank = 2

    def __init__(
        self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.padding = args.pair_tuple(padding, 2, "padding")
        self.data_format = args.data_format(data_format)
        self._init_spatial()


class ZeroPadding3D(_BaseZeroPadding):
    """Pad the three spatial axes of a volume batch with zeros.

    Args:
        padding: an int (every border), ``(d1, d2, d3)`` (symmetric per axis) or
            ``((d1_start, d1_end), (d2_start, d2_end), (d3_start, d3_end))``.
        data_format: "channels_last" ``(batch, d1, d2, d3, channels)`` or "channels_first"
            ``(batch, channels, d1, d2, d3)``; None uses the configured image data format.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _rank = 3

    def __init__(
        self,
        padding: Any = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.padding = args.pair_tuple(padding, 3, "padding")
        self.data_format = args.data_format(data_format)
        self._init_spatial()

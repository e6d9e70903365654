"""Average pooling layers: `AveragePooling1D`, `AveragePooling2D`, `AveragePooling3D`."""

from __future__ import annotations

from typing import Any

from kerasx.layers.pooling.base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """Average pooling over the steps axis of a ``(batch, steps, features)`` input.

    Each output step is the mean of a window of `pool_size` input steps; with "same" padding
    a window at the border averages only the real (unpadded) steps it covers.

    Args:
        pool_size: the window length (an int).
        strides: the step between windows; None uses `pool_size`.
        padding: "valid" or "same" (case-insensitive).
        data_format: "channels_last" ``(batch, steps, features)`` or "channels_first"
            ``(batch, features, steps)``; None uses the configured image data format.
        name: the layer's name.
        **kwargs: base `Layer` arguments.
    """

    _rank = 1
    _mode = "average"

    def __init__(
        self,
        pool_size: Any,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling2D(BasePooling):
    """Average pooling over the two spatial axes of an image batch.

    Args:
        pool_size: the window size, an int or ``(rows, cols)``.
        strides: the step between windows (int or pair); None uses `pool_size`.
        padding: "valid" or "same" ("same" border windows average only real pixels).
        data_format: "channels_last" ``(batch, rows, cols, channels)`` or "channels_first"
            ``(batch, channels, rows, cols)``; None uses the configured image data format.
        name: the layer's name.
        **kwargs: base `Layer` arguments.
    """

    _rank = 2
    _mode = "average"

    def __init__(
        self,
        pool_size: Any,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling3D(BasePooling):
    """Average pooling over the three spatial axes of a volume batch.

    Args:
        pool_size: the window size, an int or ``(dim1, dim2, dim3)``.
        strides: the step between windows (int or triple); None uses `pool_size`.
        padding: "valid" or "same" ("same" border windows average only real voxels).
        data_format: "channels_last" ``(batch, d1, d2, d3, channels)`` or "channels_first"
            ``(batch, channels, d1, d2, d3)``; None uses the configured image data format.
        name: the layer's name.
        **kwargs: base `Layer` arguments.
    """

    _rank = 3
    _mode = "average"

    def __init__(
        self,
        pool_size: Any,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D

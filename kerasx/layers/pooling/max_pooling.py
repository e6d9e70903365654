"""Max pooling layers: `MaxPooling1D`, `MaxPooling2D`, `MaxPooling3D`."""

from __future__ import annotations

from typing import Any

from kerasx.layers.pooling.base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """Max pooling over the steps axis of a ``(batch, steps, features)`` input.

    Each output step is the largest value in a window of `pool_size` input steps.

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
    _mode = "max"

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling2D(BasePooling):
    """Max pooling over the two spatial axes of an image batch.

    Each output pixel is the largest value in a `pool_size` window of the input.

    Args:
        pool_size: the window size, an int or ``(rows, cols)``.
        strides: the step between windows (int or pair); None uses `pool_size`.
        padding: "valid" or "same" (case-insensitive).
        data_format: "channels_last" ``(batch, rows, cols, channels)`` or "channels_first"
            ``(batch, channels, rows, cols)``; None uses the configured image data format.
        name: the layer's name.
        **kwargs: base `Layer` arguments.
    """

    _rank = 2
    _mode = "max"

    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling3D(BasePooling):
    """Max pooling over the three spatial axes of a volume batch.

    Args:
        pool_size: the window size, an int or ``(dim1, dim2, dim3)``.
        strides: the step between windows (int or triple); None uses `pool_size`.
        padding: "valid" or "same" (case-insensitive).
        data_format: "channels_last" ``(batch, d1, d2, d3, channels)`` or "channels_first"
            ``(batch, channels, d1, d2, d3)``; None uses the configured image data format.
        name: the layer's name.
        **kwargs: base `Layer` arguments.
    """

    _rank = 3
    _mode = "max"

    def __init__(
        self,
        pool_size: Any = (2, 2, 2),
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D

"""`BasePooling`: the shared machinery of the windowed max and average pooling layers."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args
from kerasx.ops.conv_geometry import pool_geometry


class BasePooling(Layer):
    """Pool windows of `pool_size` over the spatial axes of a 3D, 4D or 5D input.

    Subclasses set `_rank` (1, 2 or 3) and `_mode` ("max" or "average").

    Args:
        pool_size: the window size, an int or a tuple of one int per spatial axis.
        strides: the step between windows (an int or tuple); None uses `pool_size`.
        padding: "valid" (windows stay inside the input) or "same" (pad so the output has
            ``ceil(size / stride)`` positions per axis).
        data_format: "channels_last" (``(batch, *spatial, channels)``) or "channels_first"
            (``(batch, channels, *spatial)``); None uses `kerasx.config.image_data_format()`.
        name: the layer's name.
        **kwargs: base `Layer` arguments (dtype, trainable, ...).
    """

    _auto_config = False
    _rank = 2
    _mode = "max"

    def __init__(
        self,
        pool_size: Any,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        n = self._rank
        self.pool_size = args.int_tuple(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else args.int_tuple(strides, n, "strides")
        self._padding_mode = args.padding(padding)
        self.padding = padding
        self.data_format = args.data_format(data_format)
        self.input_spec = InputSpec(ndim=n + 2)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Pool `inputs` (see the class docstring)."""
        op = ops.max_pool if self._mode == "max" else ops.average_pool
        return op(inputs, self.pool_size, self.strides, self._padding_mode, self.data_format)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The pooled shape (spatial sizes of None stay None)."""
        return pool_geometry(
            tuple(input_shape), self.pool_size, self.strides, self._padding_mode, self.data_format
        ).out_shape

    def get_config(self) -> dict:
        """The base config plus pool_size, padding, strides and data_format."""
        config = super().get_config()
        config.update(
            {
                "pool_size": self.pool_size,
                "padding": self.padding,
                "strides": self.strides,
                "data_format": self.data_format,
            }
        )
        return config

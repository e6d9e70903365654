"""Adaptive pooling layers: pool any input size down (or up) to a fixed `output_size`."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args

_AXES = {1: "length", 2: "(height, width)", 3: "(depth, height, width)"}


class BaseAdaptivePooling(Layer):
    """Pool the spatial axes so that they have exactly `output_size` positions.

    Output position ``o`` of an axis of length ``n`` pools the input range
    ``[floor(o * n / out), ceil((o + 1) * n / out))``, so windows tile the input (they may
    overlap by one when `n` is not a multiple of `out`). Subclasses set `_rank` and `_mode`.

    Args:
        output_size: an int (the same on every spatial axis) or a tuple of one positive int
            per spatial axis.
        data_format: "channels_last" or "channels_first"; None uses the configured image
            data format.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    _rank = 1
    _mode = "max"

    def __init__(self, output_size: Any, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        n = self._rank
        if not (
            args.is_int(output_size)
            or (
                isinstance(output_size, (list, tuple))
                and len(output_size) == n
                and all(args.is_int(v) for v in output_size)
            )
        ):
            raise TypeError(
                f"Received an invalid value for `output_size`, expected an int or a "
                f"{_AXES[n]} tuple of ints. Received: output_size={output_size!r} "
                f"(of type {type(output_size).__name__})"
            )
        self.output_size = args.int_tuple(output_size, n, "output_size")
        self.data_format = args.data_format(data_format)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Pool `inputs` to `output_size` positions per spatial axis."""
        op = ops.adaptive_max_pool if self._mode == "max" else ops.adaptive_average_pool
        return op(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape with its spatial sizes replaced by `output_size`."""
        shape = tuple(input_shape)
        if self.data_format == "channels_last":
            return (shape[0], *self.output_size, shape[-1])
        return (shape[0], shape[1], *self.output_size)

    def get_config(self) -> dict:
        """The base config plus output_size and data_format."""
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Adaptive max pooling of a sequence batch to `output_size` steps.

    Args:
        output_size: the number of output steps (an int).
        data_format: "channels_last" ``(batch, steps, features)`` or "channels_first"
            ``(batch, features, steps)``; None uses the configured image data format.
        **kwargs: base `Layer` arguments.
    """

    _rank = 1
    _mode = "max"


class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Adaptive max pooling of an image batch to `output_size` rows and columns.

    Args:
        output_size: an int or ``(height, width)``.
        data_format: "channels_last" or "channels_first"; None uses the configured image
            data format.
        **kwargs: base `Layer` arguments.
    """

    _rank = 2
    _mode = "max"


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Adaptive max pooling of a volume batch to `output_size` positions per axis.

    Args:
        output_size: an int or ``(depth, height, width)``.
        data_format: "channels_last" or "channels_first"; None uses the configured image
            data format.
        **kwargs: base `Layer` arguments.
    """

    _rank = 3
    _mode = "max"


class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Adaptive average pooling of a sequence batch to `output_size` steps.

    Args:
        output_size: the number of output steps (an int).
        data_format: "channels_last" ``(batch, steps, features)`` or "channels_first"
            ``(batch, features, steps)``; None uses the configured image data format.
        **kwargs: base `Layer` arguments.
    """

    _rank = 1
    _mode = "average"


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Adaptive average pooling of an image batch to `output_size` rows and columns.

    Args:
        output_size: an int or ``(height, width)``.
        data_format: "channels_last" or "channels_first"; None uses the configured image
            data format.
        **kwargs: base `Layer` arguments.
    """

    _rank = 2
    _mode = "average"


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Adaptive average pooling of a volume batch to `output_size` positions per axis.

    Args:
        output_size: an int or ``(depth, height, width)``.
        data_format: "channels_last" or "channels_first"; None uses the configured image
            data format.
        **kwargs: base `Layer` arguments.
    """

    _rank = 3
    _mode = "average"

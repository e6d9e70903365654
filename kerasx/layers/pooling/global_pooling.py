"""Global pooling layers: the max or mean over every spatial position, per channel."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args


class BaseGlobalPooling(Layer):
    """Reduce all spatial axes of a 3D, 4D or 5D input with a max or a mean.

    Subclasses set `_rank` (1, 2 or 3) and `_mode` ("max" or "average").

    Args:
        data_format: "channels_last" (``(batch, *spatial, channels)``) or "channels_first"
            (``(batch, channels, *spatial)``); None uses `kerasx.config.image_data_format()`.
        keepdims: keep the reduced spatial axes with size 1 (False drops them, giving
            ``(batch, channels)``).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    _rank = 1
    _mode = "max"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = args.data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self._rank + 2)
        self.built = True

    def _axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self._rank))

    def call(self, inputs: Any) -> Any:
        """Reduce the spatial axes of `inputs`."""
        reduce = ops.max if self._mode == "max" else ops.mean
        return reduce(inputs, axis=self._axes(), keepdims=bool(self.keepdims))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """``(batch, channels)``, or the input shape with spatial sizes 1 under `keepdims`."""
        shape = list(input_shape)
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(shape))
        return tuple(d for i, d in enumerate(shape) if i not in axes)

    def get_config(self) -> dict:
        """The base config plus data_format and keepdims."""
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalMaxPooling1D(BaseGlobalPooling):
    """The maximum over the steps axis of a ``(batch, steps, features)`` input.

    Args:
        data_format: "channels_last" ``(batch, steps, features)`` or "channels_first"
            ``(batch, features, steps)``; None uses the configured image data format.
        keepdims: keep the steps axis with size 1.
        **kwargs: base `Layer` arguments.
    """

    _rank = 1
    _mode = "max"


class GlobalMaxPooling2D(BaseGlobalPooling):
    """The maximum over both spatial axes of an image batch, per channel.

    Args:
        data_format: "channels_last" ``(batch, rows, cols, channels)`` or "channels_first"
            ``(batch, channels, rows, cols)``; None uses the configured image data format.
        keepdims: keep the spatial axes with size 1.
        **kwargs: base `Layer` arguments.
    """

    _rank = 2
    _mode = "max"


class GlobalMaxPooling3D(BaseGlobalPooling):
    """The maximum over the three spatial axes of a volume batch, per channel.

    Args:
        data_format: "channels_last" ``(batch, d1, d2, d3, channels)`` or "channels_first"
            ``(batch, channels, d1, d2, d3)``; None uses the configured image data format.
        keepdims: keep the spatial axes with size 1.
        **kwargs: base `Layer` arguments.
    """

    _rank = 3
    _mode = "max"


class GlobalAveragePooling1D(BaseGlobalPooling):
    """The mean over the steps axis of a ``(batch, steps, features)`` input.

    With a mask (``(batch, steps)``, e.g. from `Embedding(mask_zero=True)` or `Masking`),
    only the unmasked steps are averaged; a sequence with no unmasked step gives NaN, as in
    Keras. The output carries no mask.

    Args:
        data_format: "channels_last" ``(batch, steps, features)`` or "channels_first"
            ``(batch, features, steps)``; None uses the configured image data format.
        keepdims: keep the steps axis with size 1.
        **kwargs: base `Layer` arguments.
    """

    _rank = 1
    _mode = "average"
    supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        """Average the steps of `inputs`, counting only the steps `mask` keeps."""
        axis = self._axes()[0]
        keepdims = bool(self.keepdims)
        if mask is None:
            return ops.mean(inputs, axis=axis, keepdims=keepdims)
        weights = ops.cast(mask, inputs.dtype)
        weights = ops.expand_dims(weights, 2 if self.data_format == "channels_last" else 1)
        total = ops.sum(ops.multiply(inputs, weights), axis=axis, keepdims=keepdims)
        return ops.divide(total, ops.sum(weights, axis=axis, keepdims=keepdims))

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> None:
        """No mask: the steps axis is reduced away."""
        return None


class GlobalAveragePooling2D(BaseGlobalPooling):
    """The mean over both spatial axes of an image batch, per channel.

    Args:
        data_format: "channels_last" ``(batch, rows, cols, channels)`` or "channels_first"
            ``(batch, channels, rows, cols)``; None uses the configured image data format.
        keepdims: keep the spatial axes with size 1.
        **kwargs: base `Layer` arguments.
    """

    _rank = 2
    _mode = "average"


class GlobalAveragePooling3D(BaseGlobalPooling):
    """The mean over the three spatial axes of a volume batch, per channel.

    Args:
        data_format: "channels_last" ``(batch, d1, d2, d3, channels)`` or "channels_first"
            ``(batch, channels, d1, d2, d3)``; None uses the configured image data format.
        keepdims: keep the spatial axes with size 1.
        **kwargs: base `Layer` arguments.
    """

    _rank = 3
    _mode = "average"


GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D

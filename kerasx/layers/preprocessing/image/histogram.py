"""Intensity remappings: `AutoContrast`, `Equalization` and `Solarization`."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.preprocessing.image._base import (
    BaseImageLayer,
    factor_pair,
    positive_int,
    value_range_pair,
)


class AutoContrast(BaseImageLayer):
    """Stretch each channel of each image to fill `value_range`.

    The darkest value of a channel maps to the range's low end and the brightest to its
    high end; a constant channel is left unchanged. Applied at inference too.

    Args:
        value_range: the ``(low, high)`` range of the pixel values.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    _identity_at_inference = False

    def __init__(
        self, value_range: Any = (0, 255), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range_pair(value_range)

    def _transform(self, images: Any, training: bool) -> Any:
        axes = (1, 2) if self.data_format == "channels_last" else (2, 3)
        low = ops.min(images, axis=axes, keepdims=True)
        high = ops.max(images, axis=axes, keepdims=True)
        span = high - low
        ok = ops.greater(span, 0)
        scale = (self.value_range[1] - self.value_range[0]) / ops.where(ok, span, 1.0)
        out = (images - low) * scale + self.value_range[0]
        out = ops.where(ok, out, images)
        return ops.clip(out, *self.value_range)

    def get_config(self) -> dict:
        """The base config plus value_range."""
        return {**super().get_config(), "value_range": list(self.value_range)}


class Equalization(BaseImageLayer):
    """Equalize the histogram of each channel of each image while training.

    Pixel values are binned into `bins` levels of `value_range`; each level is mapped
    through the cumulative histogram of its channel, rescaled so the lowest occupied level
    maps to the range's low end and the highest to its high end, which spreads the values
    evenly over the range. As in Keras, the histogram of a channel is taken over the whole
    batch, and at inference the images are returned unchanged.

    Args:
        value_range: the ``(low, high)`` range of the pixel values.
        bins: the number of histogram bins (levels).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        value_range: Any = (0, 255),
        bins: int = 256,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range_pair(value_range)
        self.bins = positive_int(bins, "bins")
        if self.bins < 2:
            raise ValueError(
                f"Received an invalid value for `bins`, expected >= 2. Received: bins={bins}"
            )

    def _transform(self, images: Any, training: bool) -> Any:
        bins = self.bins
        x = images
        if self.data_format == "channels_last":
            x = ops.transpose(x, (3, 0, 1, 2))
        else:
            x = ops.transpose(x, (1, 0, 2, 3))
        c, b, h, w = x.shape
        low, high = self.value_range
        scaled = (x - low) * ((bins - 1) / (high - low))
        idx = ops.cast(ops.clip(ops.floor(scaled), 0, bins - 1), "int32")
        flat = ops.reshape(idx, (c, b * h * w))
        # One histogram per channel over the whole batch, as Keras. The cumulative counts
        # come from sorting (searchsorted), which traces under jit (bincount does not).
        levels = ops.arange(bins, dtype="int32")
        cdf = ops.stack(
            [ops.searchsorted(ops.sort(flat[i]), levels, side="right") for i in range(c)]
        )
        cdf = ops.cast(cdf, "float32")
        cdf_min = ops.min(ops.where(ops.greater(cdf, 0), cdf, float(b * h * w)), axis=1)
        cdf_min = ops.expand_dims(cdf_min, 1)
        span = cdf[:, -1:] - cdf_min
        ok = ops.greater(span, 0)
        # Levels map to 256 output steps whatever the number of bins, as Keras.
        lut = ops.round((cdf - cdf_min) / ops.where(ok, span, 1.0) * 255.0)
        mapped = ops.take_along_axis(lut, flat, axis=1)
        out = ops.reshape(mapped, (c, b, h, w)) * ((high - low) / 255.0) + low
        out = ops.where(ops.reshape(ok, (c, 1, 1, 1)), ops.cast(out, x.dtype), x)
        out = ops.cast(out, self.compute_dtype)
        perm = (1, 2, 3, 0) if self.data_format == "channels_last" else (1, 0, 2, 3)
        return ops.transpose(out, perm)

    def get_config(self) -> dict:
        """The base config plus bins and value_range."""
        return {**super().get_config(), "bins": self.bins, "value_range": list(self.value_range)}


class Solarization(BaseImageLayer):
    """Invert the pixels above a random threshold, after adding a random offset.

    Per image, ``a`` (from `addition_factor`) times the range width is added and the result
    clipped to `value_range`; then every pixel at or above the threshold (``t`` from
    `threshold_factor`, as a fraction of the range) is inverted (``high + low - x``).
    With the defaults every pixel is inverted.

    Args:
        addition_factor: a number ``f`` in [0, 1] (draws in ``[0, f]``) or a pair.
        threshold_factor: a number ``f`` in [0, 1] (draws in ``[0, f]``) or a pair.
        value_range: the ``(low, high)`` range of the pixel values.
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    _cast_at_inference = True

    def __init__(
        self,
        addition_factor: Any = 0.0,
        threshold_factor: Any = 0.0,
        value_range: Any = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.addition_factor = factor_pair(
            addition_factor, "addition_factor", 0, 1, scalar="positive"
        )
        self.threshold_factor = factor_pair(
            threshold_factor, "threshold_factor", 0, 1, scalar="positive"
        )
        self.value_range = value_range_pair(value_range)
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        batch = images.shape[0]
        low, high = self.value_range
        add = self._bcast(self._uniform((batch,), *self.addition_factor)) * (high - low)
        thr = self._bcast(self._uniform((batch,), *self.threshold_factor)) * (high - low) + low
        x = ops.clip(images + add, low, high)
        return ops.where(ops.less(x, thr), x, (high + low) - x)

    def get_config(self) -> dict:
        """The base config plus the factors, value_range and seed."""
        return {
            **super().get_config(),
            "value_range": list(self.value_range),
            "addition_factor": self.addition_factor,
            "threshold_factor": self.threshold_factor,
            "seed": self.seed,
        }

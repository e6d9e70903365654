"""`RandomContrast` and `RandomBrightness`: random per-image intensity changes."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.preprocessing.image._base import (
    BaseImageLayer,
    factor_pair,
    value_range_pair,
)


class RandomContrast(BaseImageLayer):
    """Scale each image's contrast by a random factor while training.

    Each channel becomes ``(x - mean) * c + mean`` (the mean over the image's pixels), with
    ``c`` drawn per image from ``[1 - lower, 1 + upper]``, then clipped to `value_range`.
    Note that, as in Keras, a single number ``f`` means ``(lower, upper) = (0, f)``, so it
    only increases contrast; pass ``(f, f)`` for ``[1 - f, 1 + f]``. At inference the
    images are returned unchanged.

    Args:
        factor: a number in [0, 1] or a pair ``(lower, upper)`` in [0, 1].
        value_range: the ``(low, high)`` range of the pixel values.
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        self.value_range = value_range_pair(value_range)
        self._value_range_arg = value_range
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        lower, upper = self.factor
        c = self._bcast(self._uniform((images.shape[0],), 1.0 - lower, 1.0 + upper))
        axes = (1, 2) if self.data_format == "channels_last" else (2, 3)
        mean = ops.mean(images, axis=axes, keepdims=True)
        out = (images - mean) * c + mean
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        """The base config plus factor, value_range and seed."""
        config = super().get_config()
        config.update(
            {"factor": self.factor, "value_range": self._value_range_arg, "seed": self.seed}
        )
        return config


class RandomBrightness(BaseImageLayer):
    """Add a random brightness offset to each image while training.

    The offset is ``u * (high - low)`` with ``u`` drawn per image from the factor range and
    ``(low, high)`` the value range; the result is clipped to the value range. Integer
    images keep their dtype. At inference the images are returned unchanged.

    Args:
        factor: a number ``f`` in [0, 1] (range ``[-f, f]``) or a pair ``(lower, upper)``
            in [-1, 1].
        value_range: the ``(low, high)`` range of the pixel values.
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    _keeps_int_dtype = True

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", -1, 1)
        self.value_range = value_range_pair(value_range)
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        dtype = images.dtype
        x = ops.cast(images, self.compute_dtype)
        low, high = self.value_range
        u = self._uniform((images.shape[0],), self.factor[0], self.factor[1])
        out = ops.clip(x + self._bcast(u * (high - low)), low, high)
        return ops.cast(out, dtype)

    def get_config(self) -> dict:
        """The base config plus factor, value_range and seed."""
        config = super().get_config()
        config.update(
            {"factor": self.factor, "value_range": list(self.value_range), "seed": self.seed}
        )
        return config

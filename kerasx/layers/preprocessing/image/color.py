"""Random colour augmentations: degeneration, saturation, hue, grayscale, inversion,
posterization, sharpness, and `RandomColorJitter` which chains several of them.

Images are read in `value_range`; layers that work in [0, 1] (HSV conversions, grayscale
mixing) map the range there and back.
"""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.preprocessing.image._base import (
    BaseImageLayer,
    blend,
    factor_pair,
    is_number,
    value_range_pair,
)
from kerasx.layers.preprocessing.image.color_basic import RandomBrightness, RandomContrast

_LUMA = (0.2989, 0.587, 0.114)


def grayscale_like(images: Any, data_format: str) -> Any:
    """Luma of RGB images, repeated over the 3 channels (a 4-D batch)."""
    gray = ops.image.rgb_to_grayscale(images, data_format=data_format)
    axis = -1 if data_format == "channels_last" else 1
    return ops.repeat(gray, images.shape[axis], axis=axis)


class _ColorLayer(BaseImageLayer):
    """Common `factor` / `value_range` / `seed` handling of the colour layers."""

    def _setup(self, factor: Any, value_range: Any, seed: Any) -> None:
        self.value_range = value_range_pair(value_range)
        self._make_seed_generator(seed)

    def _color_config(self) -> dict:
        return {"factor": self.factor, "value_range": self._value_range_cfg, "seed": self.seed}

    def _hsv(self, images: Any) -> Any:
        return ops.image.rgb_to_hsv(self._normalize(images), data_format=self.data_format)

    def _rgb(self, hsv: Any) -> Any:
        return self._denormalize(ops.image.hsv_to_rgb(hsv, data_format=self.data_format))

    def _split(self, hsv: Any) -> list:
        axis = -1 if self.data_format == "channels_last" else 1
        return ops.split(hsv, 3, axis=axis), axis


class RandomColorDegeneration(_ColorLayer):
    """Move each image towards (or, for negative draws, away from) its grayscale version.

    A factor ``f`` drawn per image blends ``x + f * (gray(x) - x)``: 0 keeps the image, 1
    gives the grayscale image; the result is clipped to `value_range`.

    Args:
        factor: a number ``f`` in [0, 1] (draws in ``[-f, f]``) or a pair in [0, 1].
        value_range: the ``(low, high)`` range of the pixel values.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: an int seed (None: random).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1)
        self._setup(factor, value_range, seed)
        self._value_range_cfg = list(self.value_range)

    def _transform(self, images: Any, training: bool) -> Any:
        f = self._bcast(self._uniform((images.shape[0],), *self.factor))
        out = blend(images, grayscale_like(images, self.data_format), f)
        return ops.clip(out, *self.value_range)

    def get_config(self) -> dict:
        """The base config plus factor, value_range and seed."""
        return {**super().get_config(), **self._color_config()}


class RandomSaturation(_ColorLayer):
    """Scale each image's HSV saturation by ``f / (1 - f)`` for a random ``f`` per image.

    ``f = 0.5`` keeps the image, 0 removes all colour (every channel becomes the HSV
    value), values near 1 strongly saturate. As in Keras the scaled saturation is not
    clipped, so large factors can leave `value_range`.

    Args:
        factor: a number ``f`` in [0, 1] (draws in ``[-f, f]``) or a pair in [0, 1].
        value_range: the ``(low, high)`` range of the pixel values.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: an int seed (None: random).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1)
        self._setup(factor, value_range, seed)
        self._value_range_cfg = list(self.value_range)

    def _transform(self, images: Any, training: bool) -> Any:
        f = self._bcast(self._uniform((images.shape[0],), *self.factor))
        scale = f / (1.0 - f)
        (h, s, v), axis = self._split(self._hsv(images))
        return self._rgb(ops.concatenate([h, s * scale, v], axis=axis))

    def get_config(self) -> dict:
        """The base config plus factor, value_range and seed."""
        return {**super().get_config(), **self._color_config()}


class RandomHue(_ColorLayer):
    """Rotate each image's hue by a random amount.

    The hue (in turns, [0, 1)) moves by ``+-u / 2`` with ``u`` drawn per image from the
    factor range and a random sign, so ``factor=1`` allows any hue.

    Args:
        factor: a number ``f`` in [0, 1] (draws in ``[0, f]``) or a pair in [0, 1].
        value_range: the ``(low, high)`` range of the pixel values.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: an int seed (None: random).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        self._setup(factor, value_range, seed)
        self._value_range_cfg = value_range

    def _transform(self, images: Any, training: bool) -> Any:
        batch = images.shape[0]
        u = self._uniform((batch,), *self.factor)
        sign = ops.where(self._bernoulli(batch, 0.5), -1.0, 1.0)
        delta = self._bcast(u * ops.cast(sign, u.dtype) * 0.5)
        (h, s, v), axis = self._split(self._hsv(images))
        h = ops.mod(h + delta, 1.0)
        return self._rgb(ops.concatenate([h, s, v], axis=axis))

    def get_config(self) -> dict:
        """The base config plus factor, value_range and seed."""
        return {**super().get_config(), **self._color_config()}


class RandomGrayscale(BaseImageLayer):
    """Turn each image to grayscale (kept as 3 equal channels) with probability `factor`.

    Integer images keep their dtype.

    Args:
        factor: the probability, in [0, 1].
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: an int seed (None: random).
        **kwargs: base `Layer` arguments.
    """

    _keeps_int_dtype = True

    def __init__(
        self,
        factor: float = 0.5,
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if not is_number(factor) or not 0 <= factor <= 1:
            raise ValueError(
                "The `factor` argument should be a number in the range [0, 1]. "
                f"Received: factor={factor!r}"
            )
        self.factor = factor
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        dtype = images.dtype
        x = ops.cast(images, self.compute_dtype)
        gray = grayscale_like(x, self.data_format)
        pick = self._bcast(self._bernoulli(images.shape[0], self.factor))
        return ops.cast(ops.where(pick, gray, x), dtype)

    def get_config(self) -> dict:
        """The base config plus factor (no seed, as Keras)."""
        return {**super().get_config(), "factor": self.factor}


class RandomInvert(_ColorLayer):
    """Invert each image (``high + low - x``) with a random probability.

    For each image a probability ``p`` is drawn from the factor range and the image is
    inverted with probability ``p``; ``factor=(1, 1)`` always inverts.

    Args:
        factor: a number ``f`` in [0, 1] (``p`` in ``[0, f]``) or a pair in [0, 1].
        value_range: the ``(low, high)`` range of the pixel values.
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any = 1.0,
        value_range: Any = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        self._setup(factor, value_range, seed)
        self._value_range_cfg = value_range

    def _transform(self, images: Any, training: bool) -> Any:
        batch = images.shape[0]
        p = self._uniform((batch,), *self.factor)
        pick = self._bcast(self._bernoulli(batch, p))
        low, high = self.value_range
        return ops.where(pick, (high + low) - images, images)

    def get_config(self) -> dict:
        """The base config plus factor, value_range and seed."""
        return {**super().get_config(), **self._color_config()}


class RandomPosterization(_ColorLayer):
    """Keep only the top ``b`` bits of each 8-bit pixel value, ``b`` drawn per image.

    Pixel values are mapped from `value_range` to [0, 255], truncated to integers,
    quantised to ``2 ** (8 - b)`` steps, and mapped back.

    Args:
        factor: an int ``b`` in [1, 8] (draws in ``[1, b]``) or a pair of ints in [1, 8].
        value_range: the ``(low, high)`` range of the pixel values.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: an int seed (None: random).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if is_number(factor):
            factor = (1, factor)
        pair = factor_pair(factor, "factor", 1, 8)
        if not all(float(v).is_integer() for v in pair):
            raise ValueError(
                "The `factor` argument should be integers (bits) in [1, 8]. "
                f"Received: factor={factor!r}"
            )
        self.factor = tuple(factor) if isinstance(factor, (list, tuple)) else factor
        self._bits = (int(pair[0]), int(pair[1]))
        self._setup(factor, value_range, seed)
        self._value_range_cfg = list(self.value_range)

    def _transform(self, images: Any, training: bool) -> Any:
        from kerasx import random as _random

        batch = images.shape[0]
        lo, hi = self._bits
        if lo == hi:
            bits = ops.full((batch,), lo, dtype=self.compute_dtype)
        else:
            bits = _random.randint((batch,), lo, hi + 1, seed=self._seed())
            bits = ops.cast(bits, self.compute_dtype)
        step = self._bcast(ops.power(2.0, 8.0 - bits))
        low, high = self.value_range
        x255 = ops.floor((images - low) * (255.0 / (high - low)))
        q = ops.floor(x255 / step) * step
        return q * ((high - low) / 255.0) + low

    def get_config(self) -> dict:
        """The base config plus factor, value_range and seed."""
        return {**super().get_config(), **self._color_config()}


def _smooth(images: Any) -> Any:
    """The 3x3 ``[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13`` filter with zero padding
    (channels_last batch)."""
    h, w = images.shape[1], images.shape[2]
    padded = ops.pad(images, [(0, 0), (1, 1), (1, 1), (0, 0)])
    total = 4.0 * images
    for dy in range(3):
        for dx in range(3):
            total = total + padded[:, dy : dy + h, dx : dx + w, :]
    return total / 13.0


class RandomSharpness(_ColorLayer):
    """Sharpen or blur each image by a random amount.

    The image is blended with a smoothed copy: ``s + 2 f (x - s)`` for ``f`` drawn per
    image, so 0.5 keeps the image, smaller values blur and larger ones sharpen; the result
    is clipped to `value_range`.

    Args:
        factor: a number ``f`` in [0, 1] (draws in ``[0, f]``) or a pair in [0, 1].
        value_range: the ``(low, high)`` range of the pixel values.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: an int seed (None: random).
        **kwargs: base `Layer` arguments.
    """

    _identity_at_inference = True
    _cast_at_inference = True

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        self._setup(factor, value_range, seed)
        self._value_range_cfg = list(self.value_range)

    def _transform(self, images: Any, training: bool) -> Any:
        f = self._bcast(self._uniform((images.shape[0],), *self.factor))
        x = images
        if self.data_format == "channels_first":
            x = ops.transpose(x, (0, 2, 3, 1))
        smooth = _smooth(x)
        if self.data_format == "channels_first":
            smooth = ops.transpose(smooth, (0, 3, 1, 2))
        return ops.clip(blend(smooth, images, 2.0 * f), *self.value_range)

    def get_config(self) -> dict:
        """The base config plus factor, value_range and seed."""
        return {**super().get_config(), **self._color_config()}


class RandomColorJitter(BaseImageLayer):
    """Random brightness, contrast, saturation and hue changes, applied in that order.

    Each factor has the meaning of the corresponding layer (`RandomBrightness`,
    `RandomContrast`, `RandomSaturation`, `RandomHue`); None skips that step.

    Args:
        value_range: the ``(low, high)`` range of the pixel values.
        brightness_factor: `RandomBrightness`'s factor, or None.
        contrast_factor: `RandomContrast`'s factor, or None.
        saturation_factor: `RandomSaturation`'s factor, or None.
        hue_factor: `RandomHue`'s factor, or None.
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        value_range: Any = (0, 255),
        brightness_factor: Any = None,
        contrast_factor: Any = None,
        saturation_factor: Any = None,
        hue_factor: Any = None,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range_pair(value_range)
        self._value_range_cfg = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self._make_seed_generator(seed)
        common = {"value_range": value_range, "seed": seed, "data_format": self.data_format}
        self._steps = []
        if brightness_factor is not None:
            self._steps.append(RandomBrightness(brightness_factor, **common))
        if contrast_factor is not None:
            self._steps.append(RandomContrast(contrast_factor, **common))
        if saturation_factor is not None:
            self._steps.append(RandomSaturation(saturation_factor, **common))
        if hue_factor is not None:
            self._steps.append(RandomHue(hue_factor, **common))
        for step in self._steps:  # one stream of randomness: the jitter layer's own
            step.generator = self.generator

    def _transform(self, images: Any, training: bool) -> Any:
        out = images
        for step in self._steps:
            out = step._transform(ops.cast(out, self.compute_dtype), training)
        return out

    def get_config(self) -> dict:
        """The base config plus value_range, the four factors and seed."""
        return {
            **super().get_config(),
            "value_range": self._value_range_cfg,
            "brightness_factor": self.brightness_factor,
            "contrast_factor": self.contrast_factor,
            "saturation_factor": self.saturation_factor,
            "hue_factor": self.hue_factor,
            "seed": self.seed,
        }

"""`RandomErasing`, `RandomGaussianBlur`, `RandomPerspective`, `RandomElasticTransform`:
augmentations applied to each image with a random probability."""

from __future__ import annotations

import math
from typing import Any

from kerasx import ops
from kerasx.layers.preprocessing.image._base import (
    FILL_MODES,
    WARP_INTERPOLATIONS,
    BaseImageLayer,
    check_choice,
    factor_pair,
    is_number,
    value_range_pair,
)


class _ProbabilityLayer(BaseImageLayer):
    """A layer that applies its change to each image with a probability drawn from `factor`."""

    _cast_at_inference = True

    def _apply_mask(self, batch: int) -> Any:
        p = self._uniform((batch,), *self.factor)
        return self._bcast(self._bernoulli(batch, p))


class RandomErasing(_ProbabilityLayer):
    """Erase a random rectangle of each image (fill it with `fill_value`) with a random
    probability.

    Per image a probability ``p`` is drawn from `factor`; an erased image gets one box whose
    area is a fraction of the image drawn from `scale` (and a random aspect ratio between
    1/3 and 3), at a random position.

    Args:
        factor: a number ``f`` in [0, 1] (``p`` in ``[0, f]``) or a pair in [0, 1].
        scale: a pair ``(low, high)`` in [0, 1]: the erased area as a fraction of the image.
        fill_value: the value written in the box (None: 0).
        value_range: the ``(low, high)`` range of the pixel values.
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any = 1.0,
        scale: Any = (0.02, 0.33),
        fill_value: Any = None,
        value_range: Any = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        self.scale = factor_pair(scale, "scale", 0, 1, scalar="positive")
        if fill_value is not None and not is_number(fill_value):
            raise ValueError(
                "Received an invalid value for `fill_value`, expected a number or None. "
                f"Received: fill_value={fill_value!r}"
            )
        self.fill_value = fill_value
        self.value_range = value_range_pair(value_range)
        self._value_range_cfg = value_range
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        batch = images.shape[0]
        h, w = self._hw(tuple(images.shape))
        dtype = self.compute_dtype
        area = self._uniform((batch,), *self.scale) * (h * w)
        log_ratio = self._uniform((batch,), math.log(1 / 3), math.log(3))
        ratio = ops.exp(log_ratio)
        box_h = ops.clip(ops.round(ops.sqrt(area * ratio)), 1, h)
        box_w = ops.clip(ops.round(ops.sqrt(area / ratio)), 1, w)
        top = ops.floor(self._uniform((batch,), 0.0, 1.0) * (h - box_h + 1))
        left = ops.floor(self._uniform((batch,), 0.0, 1.0) * (w - box_w + 1))
        rows = ops.reshape(ops.arange(h, dtype=dtype), (1, h, 1))
        cols = ops.reshape(ops.arange(w, dtype=dtype), (1, 1, w))

        def col(v: Any) -> Any:
            return ops.reshape(v, (-1, 1, 1))

        inside = (
            ops.greater_equal(rows, col(top))
            & ops.less(rows, col(top + box_h))
            & ops.greater_equal(cols, col(left))
            & ops.less(cols, col(left + box_w))
        )
        inside = ops.expand_dims(inside, -1 if self.data_format == "channels_last" else 1)
        inside = inside & self._apply_mask(batch)
        fill = 0.0 if self.fill_value is None else self.fill_value
        return ops.where(inside, ops.cast(fill, dtype), images)

    def get_config(self) -> dict:
        """The base config plus the constructor arguments."""
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "fill_value": self.fill_value,
            "value_range": self._value_range_cfg,
            "seed": self.seed,
        }


def _pair_int(value: Any, name: str) -> tuple[int, int]:
    if isinstance(value, (int,)) and not isinstance(value, bool):
        value = (value, value)
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive int or a pair of "
            f"them. Received: {name}={value!r}"
        )
    return (int(value[0]), int(value[1]))


def _blur_axis(x: Any, sigma: Any, size: int, axis: int) -> Any:
    """Gaussian filter of `size` taps along `axis` of a channels_last batch, one sigma per
    image (a (batch,) tensor), with zero padding."""
    radius = size // 2
    offsets = [float(i - radius) for i in range(size)]
    s = ops.maximum(sigma, 1e-6)
    taps = [ops.exp(-(d * d) / (2.0 * s * s)) for d in offsets]
    total = taps[0]
    for t in taps[1:]:
        total = total + t
    n = x.shape[axis]
    pads = [(0, 0)] * 4
    pads[axis] = (radius, size - 1 - radius)
    padded = ops.pad(x, pads)
    out = None
    for i, t in enumerate(taps):
        index = [slice(None)] * 4
        index[axis] = slice(i, i + n)
        term = padded[tuple(index)] * ops.reshape(t / total, (-1, 1, 1, 1))
        out = term if out is None else out + term
    return out


class RandomGaussianBlur(_ProbabilityLayer):
    """Blur each image with a Gaussian filter with a random probability and strength.

    Per image a probability ``p`` is drawn from `factor` and a standard deviation from
    `sigma`; the filter has ``kernel_size`` taps and zero padding (as
    `kerasx.ops.image.gaussian_blur`).

    Args:
        factor: a number ``f`` in [0, 1] (``p`` in ``[0, f]``) or a pair in [0, 1].
        kernel_size: an int or a pair; as in `keras.ops.image.gaussian_blur`, the first
            number is the filter's width and the second its height.
        sigma: a number ``s`` in [0, 1] (range ``(0, s)``) or a pair in [0, 1]: the
            standard deviation, in pixels.
        value_range: the ``(low, high)`` range of the pixel values.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: an int seed (None: random).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any = 1.0,
        kernel_size: Any = 3,
        sigma: Any = 1.0,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        self.kernel_size = _pair_int(kernel_size, "kernel_size")
        self.sigma = factor_pair(sigma, "sigma", 0, 1, scalar="positive")
        self.value_range = value_range_pair(value_range)
        self._value_range_cfg = value_range
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        batch = images.shape[0]
        sigma = self._uniform((batch,), *self.sigma)
        x = images
        if self.data_format == "channels_first":
            x = ops.transpose(x, (0, 2, 3, 1))
        # As keras.ops.image.gaussian_blur: kernel_size[0] taps along the width and
        # kernel_size[1] along the height.
        blurred = _blur_axis(x, sigma, self.kernel_size[1], 1)
        blurred = _blur_axis(blurred, sigma, self.kernel_size[0], 2)
        if self.data_format == "channels_first":
            blurred = ops.transpose(blurred, (0, 3, 1, 2))
        return ops.where(self._apply_mask(batch), blurred, images)

    def get_config(self) -> dict:
        """The base config plus the constructor arguments."""
        return {
            **super().get_config(),
            "factor": self.factor,
            "kernel_size": self.kernel_size,
            "sigma": self.sigma,
            "value_range": self._value_range_cfg,
            "seed": self.seed,
        }


class RandomPerspective(_ProbabilityLayer):
    """Warp each image by a random perspective transform with a random probability.

    Each corner of the image moves independently by up to ``scale / 2`` of the image's
    width and height (towards or away from the centre), and the image is resampled with
    `kerasx.ops.image.perspective_transform`.

    Args:
        factor: a number ``f`` in [0, 1] (probability in ``[0, f]``) or a pair in [0, 1].
        scale: the distortion strength, in [0, 1].
        interpolation: "bilinear" or "nearest".
        fill_value: the value of points outside the image.
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any = 1.0,
        scale: float = 1.0,
        interpolation: str = "bilinear",
        fill_value: float = 0.0,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        if not is_number(scale) or not 0 <= scale <= 1:
            raise ValueError(
                "Received an invalid value for `scale`, expected a number in [0, 1]. "
                f"Received: scale={scale!r}"
            )
        check_choice(interpolation, "interpolation", WARP_INTERPOLATIONS)
        self.scale = scale
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        batch = images.shape[0]
        h, w = self._hw(tuple(images.shape))
        start = ops.convert_to_tensor(
            [[0.0, 0.0], [w - 1.0, 0.0], [0.0, h - 1.0], [w - 1.0, h - 1.0]],
            dtype=self.compute_dtype,
        )
        start = ops.broadcast_to(ops.expand_dims(start, 0), (batch, 4, 2))
        size = ops.convert_to_tensor([w - 1.0, h - 1.0], dtype=self.compute_dtype)
        shift = self._uniform((batch * 8,), -0.5, 0.5)
        shift = ops.reshape(shift, (batch, 4, 2)) * size * (self.scale / 2.0)
        end = start + shift
        warped = ops.image.perspective_transform(
            images,
            start,
            end,
            interpolation=self.interpolation,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )
        return ops.where(self._apply_mask(batch), warped, images)

    def get_config(self) -> dict:
        """The base config plus the constructor arguments."""
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
            "seed": self.seed,
        }


class RandomElasticTransform(_ProbabilityLayer):
    """Distort each image with a random smooth displacement field, with a random
    probability.

    Displacements are Gaussian-smoothed normal noise (standard deviation of the smoothing:
    1/8 of the smaller image side) scaled by ``upper(scale) * min(height, width) / 4``
    pixels, applied with `kerasx.ops.image.elastic_transform`. (Unlike Keras, the strength
    is not re-drawn per batch: `scale`'s upper bound sets it.)

    Args:
        factor: a number ``f`` in [0, 1] (probability in ``[0, f]``) or a pair in [0, 1].
        scale: a number ``s`` in [0, 1] (strength in ``[0, s]``) or a pair in [0, 1].
        interpolation: "bilinear" or "nearest".
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        fill_value: the value outside the image when `fill_mode` is "constant".
        value_range: the ``(low, high)`` range of the pixel values.
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any = 1.0,
        scale: Any = 1.0,
        interpolation: str = "bilinear",
        fill_mode: str = "reflect",
        fill_value: float = 0.0,
        value_range: Any = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        self.scale = factor_pair(scale, "scale", 0, 1, scalar="positive")
        check_choice(interpolation, "interpolation", WARP_INTERPOLATIONS)
        check_choice(fill_mode, "fill_mode", FILL_MODES)
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range_pair(value_range)
        self._value_range_cfg = value_range
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        batch = images.shape[0]
        h, w = self._hw(tuple(images.shape))
        sigma = max(1.0, min(h, w) / 8.0)
        alpha = float(self.scale[1]) * min(h, w) / 4.0
        if alpha == 0:
            return images
        warped = ops.image.elastic_transform(
            images,
            alpha=alpha,
            sigma=sigma,
            interpolation=self.interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            seed=self._seed(),
            data_format=self.data_format,
        )
        return ops.where(self._apply_mask(batch), warped, images)

    def get_config(self) -> dict:
        """The base config plus the constructor arguments."""
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "value_range": self._value_range_cfg,
            "seed": self.seed,
        }

"""Random affine warps: `RandomRotation`, `RandomZoom`, `RandomTranslation`, `RandomShear`.

Each draws per-image parameters, builds the 8 affine coefficients that map an output pixel
to the input point it samples, and warps with `kerasx.ops.image.affine_transform`.
"""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.preprocessing.image._base import (
    FILL_MODES,
    WARP_INTERPOLATIONS,
    BaseImageLayer,
    check_choice,
    factor_pair,
    is_number,
    rotation_matrix,
    two_pi,
)


class _AffineLayer(BaseImageLayer):
    """Shared arguments and warping of the random affine layers."""

    _identity_at_inference = False

    def _set_warp_args(
        self, fill_mode: str, interpolation: str, fill_value: Any, seed: Any
    ) -> None:
        check_choice(fill_mode, "fill_mode", FILL_MODES)
        check_choice(interpolation, "interpolation", WARP_INTERPOLATIONS)
        if not is_number(fill_value):
            raise ValueError(
                "Received an invalid value for `fill_value`, expected a number. "
                f"Received: fill_value={fill_value!r}"
            )
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        if not training:
            return images
        h, w = self._hw(tuple(images.shape))
        matrix = self._matrix(images.shape[0], h, w)
        return ops.image.affine_transform(
            images,
            matrix,
            interpolation=self.interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )

    def _matrix(self, batch: int, h: int, w: int) -> Any:
        raise NotImplementedError

    def _warp_config(self) -> dict:
        return {
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
        }


class RandomRotation(_AffineLayer):
    """Rotate each image by a random angle about its centre while training.

    Angles are drawn uniformly from ``factor * 2 pi`` radians; a positive angle turns the
    image counter-clockwise. ``factor=(0.25, 0.25)`` always rotates by 90 degrees.

    Args:
        factor: a number ``f`` in [0, 1] for the range ``[-f, f]``, or a pair
            ``(lower, upper)`` of fractions of a full turn in [-1, 1].
        fill_mode: how points outside the image are filled: "reflect", "wrap", "constant"
            or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: an int seed for reproducible rotations (None: random).
        fill_value: the value outside the image when `fill_mode` is "constant".
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", -1.0, 1.0)
        self._set_warp_args(fill_mode, interpolation, fill_value, seed)

    def _matrix(self, batch: int, h: int, w: int) -> Any:
        turns = self._uniform((batch,), self.factor[0], self.factor[1])
        return rotation_matrix(turns * two_pi(), h, w)

    def get_config(self) -> dict:
        """The base config plus factor and the warp arguments."""
        config = super().get_config()
        config.update({"factor": self.factor, **self._warp_config()})
        return config


class RandomZoom(_AffineLayer):
    """Zoom each image in or out by a random amount about its centre while training.

    The sampling grid is scaled by ``1 + f`` with ``f`` drawn from the factor range, so a
    positive factor zooms out (the image looks smaller) and a negative one zooms in.

    Args:
        height_factor: a number ``f`` (range ``[-f, f]``) or a pair ``(lower, upper)``, in
            (-1, 1]: the vertical zoom.
        width_factor: the same for the horizontal zoom; None zooms both axes by the same
            amount (keeping the aspect ratio).
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: an int seed (None: random).
        fill_value: the value outside the image when `fill_mode` is "constant".
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any = None,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height_range = factor_pair(height_factor, "height_factor", -1.0, 1.0, low_open=True)
        self._width_range = (
            None
            if width_factor is None
            else factor_pair(width_factor, "width_factor", -1.0, 1.0, low_open=True)
        )
        self._set_warp_args(fill_mode, interpolation, fill_value, seed)

    def _matrix(self, batch: int, h: int, w: int) -> Any:
        zy = 1.0 + self._uniform((batch,), *self._height_range)
        zx = zy if self._width_range is None else 1.0 + self._uniform((batch,), *self._width_range)
        zero = ops.zeros_like(zy)
        x_off = (w - 1) / 2.0 * (1.0 - zx)
        y_off = (h - 1) / 2.0 * (1.0 - zy)
        return ops.stack([zx, zero, x_off, zero, zy, y_off, zero, zero], axis=1)

    def get_config(self) -> dict:
        """The base config plus the factors and the warp arguments."""
        config = super().get_config()
        config.update(
            {
                "height_factor": self.height_factor,
                "width_factor": self.width_factor,
                **self._warp_config(),
            }
        )
        return config


class RandomTranslation(_AffineLayer):
    """Shift each image by a random fraction of its height and width while training.

    Args:
        height_factor: a number ``f`` (range ``[-f, f]``) or a pair ``(lower, upper)`` in
            [-1, 1]: the vertical shift as a fraction of the height (positive moves the
            content down).
        width_factor: the same for the horizontal shift (positive moves it right).
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: an int seed (None: random).
        fill_value: the value outside the image when `fill_mode` is "constant".
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height_range = factor_pair(height_factor, "height_factor", -1.0, 1.0)
        self._width_range = factor_pair(width_factor, "width_factor", -1.0, 1.0)
        self._set_warp_args(fill_mode, interpolation, fill_value, seed)

    def _matrix(self, batch: int, h: int, w: int) -> Any:
        dy = self._uniform((batch,), *self._height_range) * h
        dx = self._uniform((batch,), *self._width_range) * w
        one, zero = ops.ones_like(dy), ops.zeros_like(dy)
        return ops.stack([one, zero, -dx, zero, one, -dy, zero, zero], axis=1)

    def get_config(self) -> dict:
        """The base config plus the factors and the warp arguments."""
        config = super().get_config()
        config.update(
            {
                "height_factor": self.height_factor,
                "width_factor": self.width_factor,
                **self._warp_config(),
            }
        )
        return config


class RandomShear(_AffineLayer):
    """Shear each image by a random amount along x and/or y while training.

    The shear magnitudes are drawn from the factor ranges and given a random sign per image;
    the shear is about the top-left corner: the output pixel (x, y) samples the input at
    ``(x + sx * y, sy * x + y)``.

    Args:
        x_factor: a number ``f`` in [0, 1] (magnitudes in ``[0, f]``) or a pair in [0, 1]:
            the horizontal shear.
        y_factor: the same for the vertical shear.
        interpolation: "bilinear" or "nearest".
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        fill_value: the value outside the image when `fill_mode` is "constant".
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: an int seed (None: random).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        x_factor: Any = 0.0,
        y_factor: Any = 0.0,
        interpolation: str = "bilinear",
        fill_mode: str = "reflect",
        fill_value: float = 0.0,
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.x_factor = self._shear_factor(x_factor, "x_factor")
        self.y_factor = self._shear_factor(y_factor, "y_factor")
        self._set_warp_args(fill_mode, interpolation, fill_value, seed)

    @staticmethod
    def _shear_factor(value: Any, name: str) -> tuple:
        if is_number(value):
            factor_pair(value, name, 0.0, 1.0, scalar="same")
            return (-value, value)
        if (
            isinstance(value, (list, tuple))
            and len(value) == 2
            and is_number(value[1])
            and value[0] == -value[1]
        ):
            # the symmetric pair a config holds for a single number (Keras cannot read its
            # own such config back; kerasx can)
            factor_pair(value[1], name, 0.0, 1.0, scalar="same")
            return (value[0], value[1])
        return factor_pair(value, name, 0.0, 1.0, scalar="positive")

    def _magnitude(self, batch: int, factor: tuple) -> Any:
        low, high = factor
        if low < 0:  # a single number f: magnitudes in [0, f]
            low = 0.0
        mag = self._uniform((batch,), low, high)
        sign = ops.where(ops.less(self._uniform((batch,), 0.0, 1.0), 0.5), -1.0, 1.0)
        return mag * ops.cast(sign, mag.dtype)

    def _matrix(self, batch: int, h: int, w: int) -> Any:
        sx = self._magnitude(batch, self.x_factor)
        sy = self._magnitude(batch, self.y_factor)
        one, zero = ops.ones_like(sx), ops.zeros_like(sx)
        return ops.stack([one, sx, zero, sy, one, zero, zero, zero], axis=1)

    def get_config(self) -> dict:
        """The base config plus the factors and the warp arguments."""
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor})
        config.update(self._warp_config())
        return config

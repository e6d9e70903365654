"""`Resizing` and `CenterCrop`: deterministic changes of the image size."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.preprocessing.image._base import (
    BaseImageLayer,
    check_choice,
    is_number,
    positive_int,
)

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")


class Resizing(BaseImageLayer):
    """Resize images to ``(height, width)``.

    Integer images keep their dtype (resampled values are rounded and clipped); float
    images come out in the compute dtype.

    Args:
        height: the output height.
        width: the output width.
        interpolation: "bilinear", "nearest", "bicubic", "lanczos3" or "lanczos5" ("area",
            a TensorFlow-only method in Keras, is not supported).
        crop_to_aspect_ratio: first crop the largest centred window with the target aspect
            ratio, so the image is not stretched.
        pad_to_aspect_ratio: first pad the image (with `fill_value`) to the target aspect
            ratio, so the image is not stretched.
        fill_mode: how padding is filled; only "constant".
        fill_value: the padding value when `pad_to_aspect_ratio` is True.
        antialias: low-pass filter when downsampling.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    _identity_at_inference = False
    _keeps_int_dtype = True

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = positive_int(height, "height")
        self.width = positive_int(width, "width")
        check_choice(interpolation, "interpolation", RESIZE_INTERPOLATIONS)
        check_choice(fill_mode, "fill_mode", ("constant",))
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                "Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be True. "
                "Received: crop_to_aspect_ratio=True, pad_to_aspect_ratio=True"
            )
        if not is_number(fill_value):
            raise ValueError(
                "Received an invalid value for `fill_value`, expected a number. "
                f"Received: fill_value={fill_value!r}"
            )
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = antialias

    def _transform(self, images: Any, training: bool) -> Any:
        return ops.image.resize(
            images,
            (self.height, self.width),
            interpolation=self.interpolation,
            antialias=self.antialias,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape with height and width replaced."""
        shape = list(input_shape)
        shape[self._h_axis] = self.height
        shape[self._w_axis] = self.width
        return tuple(shape)

    def get_config(self) -> dict:
        """The base config plus the constructor arguments."""
        config = super().get_config()
        config.update(
            {
                "height": self.height,
                "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                "fill_mode": self.fill_mode,
                "fill_value": self.fill_value,
                "antialias": self.antialias,
            }
        )
        return config


def center_crop(images: Any, height: int, width: int, data_format: str) -> Any:
    """Crop the central ``(height, width)`` window of a 4-D batch; an image smaller than
    that in either dimension is instead resized (after cropping to the target aspect
    ratio)."""
    h_axis, w_axis = (1, 2) if data_format == "channels_last" else (2, 3)
    shape = tuple(images.shape)
    in_h, in_w = shape[h_axis], shape[w_axis]
    if in_h < height or in_w < width:
        return ops.image.resize(
            images, (height, width), crop_to_aspect_ratio=True, data_format=data_format
        )
    top = (in_h - height) // 2
    left = (in_w - width) // 2
    index = [slice(None)] * 4
    index[h_axis] = slice(top, top + height)
    index[w_axis] = slice(left, left + width)
    return images[tuple(index)]


class CenterCrop(BaseImageLayer):
    """Crop the central ``(height, width)`` window of each image.

    An image smaller than the target in either dimension is resized instead (after cropping
    the largest centred window with the target aspect ratio). The output is in the compute
    dtype.

    Args:
        height: the output height.
        width: the output width.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    _identity_at_inference = False

    def __init__(
        self, height: int, width: int, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = positive_int(height, "height")
        self.width = positive_int(width, "width")

    def _transform(self, images: Any, training: bool) -> Any:
        return center_crop(images, self.height, self.width, self.data_format)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape with height and width replaced."""
        shape = list(input_shape)
        shape[self._h_axis] = self.height
        shape[self._w_axis] = self.width
        return tuple(shape)

    def get_config(self) -> dict:
        """The base config plus height and width."""
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config

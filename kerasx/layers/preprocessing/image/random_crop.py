"""`RandomCrop`: crop a random window of a fixed size while training."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx import random as _random
from kerasx.layers.preprocessing.image._base import BaseImageLayer, positive_int


class RandomCrop(BaseImageLayer):
    """Crop a random ``(height, width)`` window of the images while training.

    One window position is drawn per batch. An image smaller than the target in some
    dimension is not cropped at random: the window starts where Keras's centred
    aspect-ratio crop would, is clipped to the image, and is resized to the target size.
    At inference the images are returned unchanged (as Keras does).

    Args:
        height: the crop height.
        width: the crop width.
        seed: an int seed (None: a random one, recorded in the config as Keras does).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        name: the layer's name.
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        height: int,
        width: int,
        seed: int | None = None,
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, name=name, **kwargs)
        self.height = positive_int(height, "height")
        self.width = positive_int(width, "width")
        self._make_seed_generator(seed)
        # Keras records the seed it drew when none was given, so the config reproduces it.
        self.seed = seed if seed is not None else int(self.generator._initial_seed)

    def _transform(self, images: Any, training: bool) -> Any:
        in_h, in_w = self._hw(tuple(images.shape))
        h, w = self.height, self.width
        channels_last = self.data_format == "channels_last"
        if in_h >= h and in_w >= w:
            top = _random.randint((), 0, in_h - h + 1, seed=self._seed())
            left = _random.randint((), 0, in_w - w + 1, seed=self._seed())
            zero = ops.zeros_like(top)
            batch, c = images.shape[0], images.shape[self._c_axis]
            if channels_last:
                start = ops.stack([zero, top, left, zero])
                size = (batch, h, w, c)
            else:
                start = ops.stack([zero, zero, top, left])
                size = (batch, c, h, w)
            return ops.slice(images, start, size)
        crop_h = max(min(in_h, int(in_w * h / w)), 1)
        crop_w = max(min(in_w, int(in_h * w / h)), 1)
        top = int((in_h - crop_h) / 2)
        left = int((in_w - crop_w) / 2)
        index = [slice(None)] * 4
        index[self._h_axis] = slice(top, top + h)
        index[self._w_axis] = slice(left, left + w)
        window = images[tuple(index)]
        return ops.image.resize(window, (h, w), data_format=self.data_format)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape with height and width replaced."""
        shape = list(input_shape)
        shape[self._h_axis] = self.height
        shape[self._w_axis] = self.width
        return tuple(shape)

    def get_config(self) -> dict:
        """The base config plus height, width and seed."""
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config

"""`RandomFlip`: flip images horizontally and/or vertically at random."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.preprocessing.image._base import BaseImageLayer, check_choice

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class RandomFlip(BaseImageLayer):
    """Flip each image of a batch with probability 1/2 while training.

    With ``mode="horizontal_and_vertical"`` one coin decides for both axes: an image is
    either left as is or flipped both ways (rotated by 180 degrees), as in Keras. At
    inference the images are only cast to the compute dtype.

    Args:
        mode: "horizontal" (left-right), "vertical" (up-down) or "horizontal_and_vertical".
        seed: an int seed for reproducible flips (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    _identity_at_inference = False

    def __init__(
        self,
        mode: str = HORIZONTAL_AND_VERTICAL,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        check_choice(mode, "mode", (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL))
        self.mode = mode
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        if not training:
            return images
        batch = images.shape[0]
        flips = self._bcast(ops.less_equal(self._uniform((batch,), 0.0, 1.0), 0.5))
        h_axis, w_axis = (1, 2) if self.data_format == "channels_last" else (2, 3)
        out = images
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            out = ops.where(flips, ops.flip(out, axis=w_axis), out)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            out = ops.where(flips, ops.flip(out, axis=h_axis), out)
        return out

    def get_config(self) -> dict:
        """The base config plus mode and seed."""
        config = super().get_config()
        config.update({"seed": self.seed, "mode": self.mode})
        return config

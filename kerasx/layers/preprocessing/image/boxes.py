"""`MaxNumBoundingBoxes`: give every image the same number of bounding boxes."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.preprocessing.image._base import BaseImageLayer, is_number, positive_int


class MaxNumBoundingBoxes(BaseImageLayer):
    """Pad or truncate the bounding boxes of a batch to `max_number` per image.

    Images pass through unchanged. Given a dict ``{"images": ..., "bounding_boxes":
    {"boxes": (batch, n, 4), "labels": (batch, n)}}``, boxes beyond `max_number` are
    dropped and missing ones are filled with `fill_value` (boxes and labels alike).

    Args:
        max_number: the number of boxes per image in the output.
        fill_value: the value of padding boxes and labels.
        **kwargs: base `Layer` arguments (and ``data_format``, ``bounding_box_format``).
    """

    _keeps_int_dtype = True

    def __init__(self, max_number: int, fill_value: Any = -1, **kwargs: Any) -> None:
        self.bounding_box_format = kwargs.pop("bounding_box_format", None)
        super().__init__(**kwargs)
        self.max_number = positive_int(max_number, "max_number")
        if not is_number(fill_value):
            raise ValueError(
                "Received an invalid value for `fill_value`, expected a number. "
                f"Received: fill_value={fill_value!r}"
            )
        self.fill_value = fill_value

    def _fix(self, x: Any) -> Any:
        n = x.shape[1]
        if n >= self.max_number:
            return x[:, : self.max_number]
        pads = [(0, 0), (0, self.max_number - n)] + [(0, 0)] * (len(x.shape) - 2)
        return ops.pad(x, pads, constant_values=self.fill_value)

    def call(self, inputs: Any, training: Any = True) -> Any:
        """Return images unchanged; pad/truncate the boxes of a dict input."""
        if not isinstance(inputs, dict):
            return super().call(inputs, training=training)
        out = dict(inputs)
        boxes = inputs.get("bounding_boxes")
        if isinstance(boxes, dict):
            out["bounding_boxes"] = {
                k: self._fix(ops.convert_to_tensor(v)) if k in ("boxes", "labels") else v
                for k, v in boxes.items()
            }
        return out

    def compute_output_spec(self, inputs: Any, training: Any = True) -> Any:
        """The output spec (images unchanged)."""
        if isinstance(inputs, dict):
            from kerasx.engine.symbolic import KerasTensor

            out = dict(inputs)
            boxes = inputs.get("bounding_boxes")
            if isinstance(boxes, dict):
                out["bounding_boxes"] = {
                    k: KerasTensor((v.shape[0], self.max_number, *v.shape[2:]), v.dtype)
                    if k in ("boxes", "labels")
                    else v
                    for k, v in boxes.items()
                }
            return out
        return super().compute_output_spec(inputs, training=training)

    def _transform(self, images: Any, training: bool) -> Any:
        return images

    def get_config(self) -> dict:
        """The base config plus max_number (fill_value is not recorded, as in Keras)."""
        return {**super().get_config(), "max_number": self.max_number}

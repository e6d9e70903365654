"""Box regression targets: encode boxes as deltas from anchors, and decode them back."""

from __future__ import annotations

from typing import Any

from kerasx import config, ops
from kerasx.utils.bounding_boxes.formats import convert_format

_CENTER_FORMATS = ("center_xywh", "center_yxhw")


def _check_variance(variance: Any) -> Any:
    if variance is None:
        return None
    variance = ops.convert_to_tensor(variance, "float32")
    shape = ops.shape(variance)
    if len(shape) == 0 or shape[-1] != 4:
        raise ValueError(
            "`variance` must have 4 values (one per box coordinate), e.g. "
            f"[0.1, 0.1, 0.2, 0.2]. Received: variance={ops.convert_to_numpy(variance)} "
            f"(shape {tuple(shape)})."
        )
    return variance


def _check_center(name: str, value: Any) -> None:
    if value not in _CENTER_FORMATS:
        raise ValueError(
            f"`{name}` must be 'center_xywh' or 'center_yxhw' (deltas are taken in a center "
            f"format). Received: {name}={value!r}."
        )


def _image_hw(image_shape: Any) -> tuple:
    if image_shape is None:
        return None, None
    return image_shape[0], image_shape[1]


def encode_box_to_deltas(
    anchors: Any,
    boxes: Any,
    anchor_format: str,
    box_format: str,
    encoding_format: str = "center_yxhw",
    variance: Any = None,
    image_shape: Any = None,
) -> Any:
    """Encode boxes as offsets and log-scales relative to anchors (regression targets).

    Both are converted to `encoding_format`, a center format `(c0, c1, s0, s1)`; the deltas
    are `(box_c - anchor_c) / anchor_s` for the centers and `log(box_s / anchor_s)` for the
    sizes (sizes floored at `epsilon`), then divided by `variance` if given.

    Args:
        anchors: anchor boxes, shape `(N, 4)`.
        boxes: boxes to encode, shape `(N, 4)` or `(batch, N, 4)`.
        anchor_format: the format of `anchors`.
        box_format: the format of `boxes`.
        encoding_format: `"center_yxhw"` (default) or `"center_xywh"`.
        variance: 4 scale factors that divide the deltas, or None.
        image_shape: `(height, width, channels)`, needed for relative formats.

    Returns:
        The deltas, same shape as `boxes`, ordered as `encoding_format`.

    Raises:
        ValueError: if `variance` does not hold 4 values or `encoding_format` is not a
            center format.
    """
    variance = _check_variance(variance)
    _check_center("encoding_format", encoding_format)
    height, width = _image_hw(image_shape)
    anchors = convert_format(anchors, anchor_format, encoding_format, height=height, width=width)
    boxes = convert_format(boxes, box_format, encoding_format, height=height, width=width)
    anchor_size = ops.maximum(anchors[..., 2:], config.epsilon())
    box_size = ops.maximum(boxes[..., 2:], config.epsilon())
    deltas = ops.concatenate(
        [(boxes[..., :2] - anchors[..., :2]) / anchor_size, ops.log(box_size / anchor_size)],
        axis=-1,
    )
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(
    anchors: Any,
    boxes_delta: Any,
    anchor_format: str,
    box_format: str,
    encoded_format: str = "center_yxhw",
    variance: Any = None,
    image_shape: Any = None,
) -> Any:
    """Turn deltas relative to anchors back into boxes (the inverse of `encode_box_to_deltas`).

    Args:
        anchors: anchor boxes `(N, 4)`, or a dict of them keyed by feature level.
        boxes_delta: deltas `(N, 4)` or `(batch, N, 4)`, or a dict with the same keys as
            `anchors`.
        anchor_format: the format of `anchors`.
        box_format: the format wanted for the decoded boxes.
        encoded_format: the center format the deltas were encoded in (`"center_yxhw"`
            default, or `"center_xywh"`).
        variance: the 4 scale factors used when encoding, or None.
        image_shape: `(height, width, channels)`, needed for relative formats.

    Returns:
        The decoded boxes in `box_format`, or a dict of them when dicts were given.

    Raises:
        ValueError: if `variance` does not hold 4 values or `encoded_format` is not a
            center format.
    """
    variance = _check_variance(variance)
    _check_center("encoded_format", encoded_format)
    height, width = _image_hw(image_shape)

    def decode(anchor: Any, delta: Any) -> Any:
        anchor = convert_format(anchor, anchor_format, encoded_format, height=height, width=width)
        if variance is not None:
            delta = delta * variance
        size = anchor[..., 2:]
        boxes = ops.concatenate(
            [delta[..., :2] * size + anchor[..., :2], ops.exp(delta[..., 2:]) * size], axis=-1
        )
        return convert_format(boxes, encoded_format, box_format, height=height, width=width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)

"""Geometric edits of ``xyxy`` boxes: clip to the image, crop, pad and affine transforms."""

from __future__ import annotations

import math
from typing import Any

from kerasx import config, ops
from kerasx.utils.bounding_boxes.formats import as_boxes, pack, unpack


def _only_xyxy(function: str, bounding_box_format: str) -> None:
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            f"{function}() only supports bounding_box_format='xyxy'. Received: "
            f"bounding_box_format={bounding_box_format!r}. Convert the boxes first with "
            "keras.utils.bounding_boxes.convert_format(boxes, source=..., target='xyxy')."
        )


def clip_to_image_size(
    bounding_boxes: dict,
    height: Any = None,
    width: Any = None,
    bounding_box_format: str = "xyxy",
) -> dict:
    """Clip boxes to the image and mark the boxes left with no area.

    Args:
        bounding_boxes: a dict with `"boxes"` (shape `(N, 4)` or `(batch, N, 4)`) and
            optionally `"labels"` (shape `(N,)` or `(batch, N)`).
        height: the image height (required for `"xyxy"`).
        width: the image width (required for `"xyxy"`).
        bounding_box_format: `"xyxy"` (clip to `[0, width] x [0, height]`) or `"rel_xyxy"`
            (clip to `[0, 1]`).

    Returns:
        A shallow copy of the dict with the clipped `"boxes"`, and `"labels"` set to -1 for
        every box whose clipped area is not positive.

    Raises:
        NotImplementedError: for any other format.
        ValueError: for `"xyxy"` without `height` and `width`.
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(
            "clip_to_image_size() supports bounding_box_format='xyxy' or 'rel_xyxy'. "
            f"Received: bounding_box_format={bounding_box_format!r}."
        )
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError(
            "clip_to_image_size() needs `height` and `width` for bounding_box_format='xyxy'. "
            f"Received: height={height}, width={width}."
        )
    if not isinstance(bounding_boxes, dict):
        raise TypeError(
            "clip_to_image_size() expects a dict with a 'boxes' entry (and optionally "
            f"'labels'). Received: {type(bounding_boxes).__name__}. Wrap the array: "
            "{'boxes': boxes}."
        )
    boxes = as_boxes(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels", None)
    if bounding_box_format == "xyxy":
        x_max = ops.cast(width, boxes.dtype)
        y_max = ops.cast(height, boxes.dtype)
    else:
        x_max = y_max = 1.0
    x1, y1, x2, y2 = unpack(boxes)
    boxes = pack(
        [ops.clip(x1, 0, x_max), ops.clip(y1, 0, y_max)]
        + [ops.clip(x2, 0, x_max), ops.clip(y2, 0, y_max)]
    )
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        x1, y1, x2, y2 = unpack(boxes)
        area = ops.squeeze((x2 - x1) * (y2 - y1), axis=-1)
        result["labels"] = ops.where(area > 0, labels, -1)
    return result


def crop(
    boxes: Any,
    top: Any,
    left: Any,
    height: Any,
    width: Any,
    bounding_box_format: str = "xyxy",
) -> Any:
    """Express boxes in the frame of a crop window and clip them to it.

    Args:
        boxes: `xyxy` boxes, shape `(N, 4)` or `(batch, N, 4)`.
        top: the y offset of the crop window.
        left: the x offset of the crop window.
        height: the crop height (`None`: no upper bound on y).
        width: the crop width (`None`: no upper bound on x).
        bounding_box_format: must be `"xyxy"`.

    Returns:
        The shifted boxes clipped to `[0, width] x [0, height]`, same shape and dtype.
    """
    _only_xyxy("crop", bounding_box_format)
    x1, y1, x2, y2 = unpack(as_boxes(boxes))

    def _fit(v: Any, offset: Any, size: Any) -> Any:
        v = v - offset
        return ops.maximum(v, 0) if size is None else ops.clip(v, 0, size)

    return pack(
        [_fit(x1, left, width), _fit(y1, top, height)]
        + [_fit(x2, left, width), _fit(y2, top, height)]
    )


def pad(
    boxes: Any,
    top: Any,
    left: Any,
    height: Any = None,
    width: Any = None,
    bounding_box_format: str = "xyxy",
) -> Any:
    """Shift boxes by the padding added above (`top`) and left of (`left`) an image.

    Args:
        boxes: `xyxy` boxes, shape `(N, 4)` or `(batch, N, 4)`.
        top: pixels added above the image (added to y).
        left: pixels added left of the image (added to x).
        height: accepted for symmetry with `crop`; unused.
        width: accepted for symmetry with `crop`; unused.
        bounding_box_format: must be `"xyxy"`.

    Returns:
        The shifted boxes, same shape.
    """
    _only_xyxy("pad", bounding_box_format)
    x1, y1, x2, y2 = unpack(as_boxes(boxes))
    return pack([x1 + left, y1 + top, x2 + left, y2 + top])


def _per_image(value: Any, batch: int, dtype: str) -> Any:
    """A scalar or per-image parameter as a `(batch, 1, 1)` tensor, for broadcasting."""
    value = ops.cast(ops.convert_to_tensor(value), dtype)
    value = ops.broadcast_to(ops.reshape(value, (-1,)), (batch,))
    return ops.reshape(value, (batch, 1, 1))


def affine_transform(
    boxes: Any,
    angle: Any,
    translate_x: Any,
    translate_y: Any,
    scale: Any,
    shear_x: Any,
    shear_y: Any,
    height: Any,
    width: Any,
    center_x: Any = None,
    center_y: Any = None,
    bounding_box_format: str = "xyxy",
) -> Any:
    """Move boxes with the affine transform that `RandomAffine`-style layers apply to images.

    Each box's four corners are mapped, and the result is the axis-aligned box around them.
    The parameters are scalars or one value per image (shape `(batch,)`).

    Args:
        boxes: `xyxy` boxes, shape `(batch, N, 4)` (or `(N, 4)` with scalar parameters).
        angle: rotation in degrees.
        translate_x: horizontal shift, a fraction of `width - 1`.
        translate_y: vertical shift, a fraction of `height - 1`.
        scale: zoom factor.
        shear_x: shear angle along x, in degrees.
        shear_y: shear angle along y, in degrees.
        height: the image height.
        width: the image width.
        center_x: the x of the center of the transform, a fraction (default 0.5).
        center_y: the y of the center of the transform, a fraction (default 0.5).
        bounding_box_format: must be `"xyxy"`.

    Returns:
        The transformed boxes, same shape as `boxes`, in the float dtype (`floatx`).
    """
    _only_xyxy("affine_transform", bounding_box_format)
    dtype = config.floatx()
    boxes = ops.cast(as_boxes(boxes), dtype)
    unbatched = len(ops.shape(boxes)) == 2
    if unbatched:
        boxes = ops.expand_dims(boxes, 0)
    batch = ops.shape(boxes)[0]

    def p(v: Any) -> Any:
        return _per_image(v, batch, dtype)

    deg = math.pi / 180.0
    rot = p(angle) * -deg
    sh_x, sh_y = p(shear_x) * -deg, p(shear_y) * -deg
    # Center of the transform and the (inverse) translation, in pixels.
    cx = p(0.5 if center_x is None else center_x) * (width - 1)
    cy = p(0.5 if center_y is None else center_y) * (height - 1)
    px = cx - p(translate_x) * (width - 1)
    py = cy - p(translate_y) * (height - 1)
    # Linear part: the inverse of (rotation x shear), times the scale.
    cos_y, tan_x = ops.cos(sh_y), ops.tan(sh_x)
    r00 = ops.cos(rot - sh_y) / cos_y
    r10 = -ops.sin(rot - sh_y) / cos_y
    r01 = r00 * tan_x + ops.sin(rot)
    r11 = ops.cos(rot) - r10 * tan_x
    s = p(scale)
    m00, m01, m10, m11 = r11 * s, -r01 * s, -r10 * s, r00 * s
    off_x = cx - m00 * px - m01 * py
    off_y = cy - m10 * px - m11 * py
    # The four corners of each box: (x1, y1), (x2, y1), (x2, y2), (x1, y2).
    x1, y1, x2, y2 = unpack(boxes)
    xs = ops.concatenate([x1, x2, x2, x1], axis=-1)
    ys = ops.concatenate([y1, y1, y2, y2], axis=-1)
    new_x = m00 * xs + m01 * ys + off_x
    new_y = m10 * xs + m11 * ys + off_y
    out = ops.stack(
        [ops.min(new_x, axis=-1), ops.min(new_y, axis=-1)]
        + [ops.max(new_x, axis=-1), ops.max(new_y, axis=-1)],
        axis=-1,
    )
    return out[0] if unbatched else out

"""Overlap measures between boxes: pairwise IoU tables and the Complete IoU (CIoU)."""

from __future__ import annotations

import math
from typing import Any

from kerasx import config, ops
from kerasx.utils.bounding_boxes.formats import as_boxes, convert_format, unpack


def _image_hw(image_shape: Any) -> tuple:
    """(height, width) from an image shape `(height, width[, channels])`, or (None, None)."""
    if image_shape is None:
        return None, None
    return image_shape[0], image_shape[1]


def _area(corners: list) -> Any:
    x1, y1, x2, y2 = corners
    return ops.squeeze((x2 - x1) * (y2 - y1), axis=-1)


def _columns(t: Any) -> Any:
    """Move the box axis of a `(..., M, 1)` tensor last: `(M, 1)` -> `(1, M)`, batched too."""
    return ops.swapaxes(t, -1, -2)


def compute_iou(
    boxes1: Any,
    boxes2: Any,
    bounding_box_format: str,
    use_masking: bool = False,
    mask_val: int = -1,
    image_shape: Any = None,
) -> Any:
    """Pairwise intersection-over-union of two sets of boxes.

    `boxes1` of shape `(M, 4)` or `(batch, M, 4)` and `boxes2` of shape `(N, 4)` or
    `(batch, N, 4)` give a table of shape `(M, N)`, or `(batch, M, N)` when either is
    batched; entry `[..., i, j]` is the IoU of `boxes1[..., i, :]` and `boxes2[..., j, :]`.

    Args:
        boxes1: the first set of boxes.
        boxes2: the second set of boxes.
        bounding_box_format: the format of both sets (see `convert_format`).
        use_masking: if True, every pair with a box whose four coordinates are all negative
            (a padding box) gets `mask_val` instead of its IoU.
        mask_val: the value for masked pairs.
        image_shape: `(height, width, channels)` of the image; required for relative formats.

    Returns:
        The IoU table (float32).

    Raises:
        ValueError: for boxes of rank other than 2 or 3, an unknown format, or a relative
            format without `image_shape`.
    """
    boxes1, boxes2 = as_boxes(boxes1), as_boxes(boxes2)
    rank1, rank2 = len(ops.shape(boxes1)), len(ops.shape(boxes2))
    for name, rank in (("boxes1", rank1), ("boxes2", rank2)):
        if rank not in (2, 3):
            raise ValueError(
                f"compute_iou() expects `{name}` of rank 2 (N, 4) or rank 3 (batch, N, 4). "
                f"Received: len(boxes1.shape)={rank1}, len(boxes2.shape)={rank2}."
            )
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError(
            "compute_iou() needs `image_shape` (height, width, channels) for a relative "
            f"format. Received: bounding_box_format={bounding_box_format!r}, image_shape=None."
        )
    height, width = _image_hw(image_shape)
    boxes1 = convert_format(boxes1, bounding_box_format, "xyxy", height=height, width=width)
    boxes2 = convert_format(boxes2, bounding_box_format, "xyxy", height=height, width=width)
    a = unpack(boxes1)  # each (..., M, 1)
    b = [_columns(t) for t in unpack(boxes2)]  # each (..., 1, N)
    inter_w = ops.maximum(ops.minimum(a[2], b[2]) - ops.maximum(a[0], b[0]), 0.0)
    inter_h = ops.maximum(ops.minimum(a[3], b[3]) - ops.maximum(a[1], b[1]), 0.0)
    intersection = inter_w * inter_h
    area1 = ops.expand_dims(_area(a), -1)  # (..., M, 1)
    area2 = ops.expand_dims(_area(unpack(boxes2)), -2)  # (..., 1, N)
    union = area1 + area2 - intersection
    iou = intersection / (union + config.epsilon())
    if not use_masking:
        return iou
    padded1 = ops.max(boxes1, axis=-1, keepdims=True) < 0.0
    padded2 = _columns(ops.max(boxes2, axis=-1, keepdims=True) < 0.0)
    fill = ops.cast(mask_val, iou.dtype) * ops.ones_like(iou)
    return ops.where(ops.logical_or(padded1, padded2), fill, iou)


def compute_ciou(
    boxes1: Any, boxes2: Any, bounding_box_format: str, image_shape: Any = None
) -> Any:
    """Complete IoU of boxes paired element-wise (the CIoU of Zheng et al., 2020).

    CIoU = IoU - (squared center distance / squared diagonal of the enclosing box) - a * v,
    where v measures the aspect-ratio mismatch and a = v / (1 - IoU + v). It is 1 for equal
    boxes and goes below 0 for distant ones; `1 - CIoU` is the CIoU loss.

    Args:
        boxes1: boxes of shape `(..., 4)`.
        boxes2: boxes of shape `(..., 4)`, broadcastable against `boxes1`.
        bounding_box_format: the (absolute) format of both, e.g. `"xyxy"`.
        image_shape: `(height, width, channels)`; accepted for symmetry with `compute_iou`.

    Returns:
        The CIoU of each pair, shape `(...)` (the last axis dropped).

    Raises:
        ValueError: for a relative format (as Keras, relative formats are not supported
            here even with `image_shape`; convert the boxes to an absolute format first).
    """
    if "rel" in bounding_box_format:
        raise ValueError(
            "compute_ciou() does not support relative bounding box formats. Received: "
            f"bounding_box_format={bounding_box_format!r}, image_shape={image_shape}. Convert "
            "the boxes to an absolute format first with keras.utils.bounding_boxes."
            "convert_format(boxes, source, 'xyxy', height=..., width=...)."
        )
    eps = config.epsilon()
    height, width = _image_hw(image_shape)
    boxes1 = convert_format(boxes1, bounding_box_format, "xyxy", height=height, width=width)
    boxes2 = convert_format(boxes2, bounding_box_format, "xyxy", height=height, width=width)
    ax1, ay1, ax2, ay2 = unpack(boxes1)
    bx1, by1, bx2, by2 = unpack(boxes2)
    w1, h1 = ax2 - ax1, ay2 - ay1 + eps
    w2, h2 = bx2 - bx1, by2 - by1 + eps
    inter = ops.maximum(ops.minimum(ax2, bx2) - ops.maximum(ax1, bx1), 0) * ops.maximum(
        ops.minimum(ay2, by2) - ops.maximum(ay1, by1), 0
    )
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = ops.squeeze(inter / (union + eps), axis=-1)
    enclose_w = ops.maximum(ax2, bx2) - ops.minimum(ax1, bx1)
    enclose_h = ops.maximum(ay2, by2) - ops.minimum(ay1, by1)
    diagonal2 = ops.squeeze(enclose_w**2 + enclose_h**2 + eps, axis=-1)
    center_dx = (ax1 + ax2) / 2 - (bx1 + bx2) / 2
    center_dy = (ay1 + ay2) / 2 - (by1 + by2) / 2
    distance2 = ops.squeeze(center_dx**2 + center_dy**2, axis=-1)
    angle_gap = ops.arctan(w2 / h2) - ops.arctan(w1 / h1)
    v = ops.squeeze((4 / math.pi**2) * angle_gap**2, axis=-1)
    alpha = v / (v - iou + (1 + eps))
    return iou - (distance2 / diagonal2 + v * alpha)

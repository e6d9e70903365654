"""Bounding-box formats and `convert_format` (``keras.utils.bounding_boxes.convert_format``).

Every conversion goes through the corner format ``xyxy`` (left, top, right, bottom): a source
format is first unpacked into corners, then the corners are packed into the target format.
Everything is written with `kerasx.ops`, so it runs on every engine.
"""

from __future__ import annotations

from typing import Any

from kerasx import ops

SUPPORTED_FORMATS = (
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
)


def as_boxes(boxes: Any) -> Any:
    """Turn a list/array into an engine tensor; leave engine tensors and KerasTensors alone."""
    if hasattr(boxes, "shape") and hasattr(boxes, "dtype"):
        return boxes
    return ops.convert_to_tensor(boxes)


def unpack(boxes: Any) -> list:
    """Split the last axis (size 4) into four tensors with a trailing axis of 1."""
    return ops.split(boxes, 4, axis=-1)


def pack(parts: list) -> Any:
    """Join four tensors with a trailing axis of 1 back into one box tensor."""
    return ops.concatenate(parts, axis=-1)


# ---- source format -> corners (x1, y1, x2, y2); `h`/`w` are only used by relative formats.


def _corners_from(fmt: str, boxes: Any, h: Any, w: Any) -> list:
    a, b, c, d = unpack(boxes)
    if fmt == "xyxy":
        return [a, b, c, d]
    if fmt == "yxyx":
        return [b, a, d, c]
    if fmt == "xywh":
        return [a, b, a + c, b + d]
    if fmt == "center_xywh":
        return [a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0]
    if fmt == "center_yxhw":
        return [b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0]
    if fmt == "rel_xyxy":
        return [a * w, b * h, c * w, d * h]
    if fmt == "rel_yxyx":
        return [b * w, a * h, d * w, c * h]
    if fmt == "rel_xywh":
        return [a * w, b * h, (a + c) * w, (b + d) * h]
    # rel_center_xywh
    return [(a - c / 2.0) * w, (b - d / 2.0) * h, (a + c / 2.0) * w, (b + d / 2.0) * h]


# ---- corners -> target format.


def _corners_to(fmt: str, corners: list, h: Any, w: Any) -> list:
    x1, y1, x2, y2 = corners
    if fmt == "xyxy":
        return [x1, y1, x2, y2]
    if fmt == "yxyx":
        return [y1, x1, y2, x2]
    bw, bh = x2 - x1, y2 - y1
    if fmt == "xywh":
        return [x1, y1, bw, bh]
    cx, cy = x1 + bw / 2.0, y1 + bh / 2.0
    if fmt == "center_xywh":
        return [cx, cy, bw, bh]
    if fmt == "center_yxhw":
        return [cy, cx, bh, bw]
    if fmt == "rel_xyxy":
        return [x1 / w, y1 / h, x2 / w, y2 / h]
    if fmt == "rel_yxyx":
        return [y1 / h, x1 / w, y2 / h, x2 / w]
    if fmt == "rel_xywh":
        return [x1 / w, y1 / h, bw / w, bh / h]
    # rel_center_xywh
    return [cx / w, cy / h, bw / w, bh / h]


def check_format(name: str, value: Any) -> str:
    """Lower-case a format string, raising a ValueError that lists the formats if unknown."""
    fmt = value.lower() if isinstance(value, str) else value
    if fmt not in SUPPORTED_FORMATS:
        raise ValueError(
            f"Received an invalid bounding box format for `{name}`: {value!r}. Expected one "
            f"of {SUPPORTED_FORMATS} (case-insensitive)."
        )
    return fmt


def convert_format(
    boxes: Any,
    source: str,
    target: str,
    height: Any = None,
    width: Any = None,
    dtype: str = "float32",
) -> Any:
    """Convert bounding boxes from one coordinate format to another.

    Formats (case-insensitive): `"xyxy"` (left, top, right, bottom), `"yxyx"` (top, left,
    bottom, right), `"xywh"` (left, top, width, height), `"center_xywh"` (center x, center
    y, width, height), `"center_yxhw"` (center y, center x, height, width), and the relative
    formats `"rel_xyxy"`, `"rel_yxyx"`, `"rel_xywh"`, `"rel_center_xywh"` whose coordinates
    are fractions of the image `width` (x values) and `height` (y values).

    Args:
        boxes: a tensor/array whose last axis has size 4 (e.g. `(N, 4)` or `(batch, N, 4)`),
            or a dict with a `"boxes"` entry; a dict gets its `"boxes"` entry replaced by
            the converted boxes (in place, as Keras does) and is returned.
        source: the format of `boxes`.
        target: the format wanted.
        height: the image height; needed when `source` or `target` is relative.
        width: the image width; needed when `source` or `target` is relative.
        dtype: the dtype of the result (the boxes are cast to it first).

    Returns:
        The converted boxes (same shape), or the updated dict.

    Raises:
        ValueError: for an unknown format, a last axis other than 4, or a relative format
            without both `height` and `width`.
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(
            boxes["boxes"], source, target, height=height, width=width, dtype=dtype
        )
        return boxes
    boxes = as_boxes(boxes)
    shape = ops.shape(boxes)
    if len(shape) == 0 or shape[-1] != 4:
        raise ValueError(
            "`boxes` must have a last dimension of size 4 (the four box coordinates). "
            f"Received: boxes.shape={tuple(shape)}"
        )
    src = check_format("source", source)
    dst = check_format("target", target)
    relative = src.startswith("rel_") or dst.startswith("rel_")
    if relative and (height is None or width is None):
        raise ValueError(
            "convert_format() needs both `height` and `width` when converting from or to a "
            f"relative format. Received: source={source!r}, target={target!r}, "
            f"height={height}, width={width}. Pass the image size, e.g. height=480, width=640."
        )
    boxes = ops.cast(boxes, dtype)
    if src == dst:
        return boxes
    h = None if height is None else ops.cast(height, dtype)
    w = None if width is None else ops.cast(width, dtype)
    if src.startswith("rel_") and dst.startswith("rel_"):
        # Relative to relative: the image size cancels, convert the absolute counterparts.
        src, dst = src[len("rel_") :], dst[len("rel_") :]
    return pack(_corners_to(dst, _corners_from(src, boxes, h, w), h, w))

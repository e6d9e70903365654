"""Shared helpers of the image family (`kerasx.ops.imaging`, `kerasx.ops.imaging_geometry`).

Argument validation, layout changes (every spatial image op works internally on a batched
channels-last tensor) and dtype handling, all written with registry ops so the image ops can
be composites (no kernel, no gradient rule of their own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kerasx.engine.dtypes import standardize_dtype
from kerasx.ops._helpers import K, shape_of
from kerasx.ops.conv_geometry import standardize_data_format

__all__: list[str] = []


def data_format_of(data_format: Any) -> str:
    """Resolve `data_format` (None: `kerasx.config.image_data_format()`)."""
    return standardize_data_format(data_format)


def dtype_of(x: Any) -> str:
    """The standardized dtype name of a tensor."""
    return standardize_dtype(x.dtype)


def as_tensor(x: Any) -> Any:
    """`x` as a tensor of the active engine (tensors and KerasTensors pass through)."""
    return K.convert_to_tensor(x)


def check_image_rank(shape: tuple, name: str = "images", ranks: tuple = (3, 4)) -> None:
    """Raise a ValueError when an image tensor has the wrong rank."""
    if len(shape) not in ranks:
        wanted = " or ".join(str(r) for r in ranks)
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a tensor of rank {wanted} "
            f"(a single image or a batch of images). Received: {name}.shape={shape}"
        )


def to_batched_nhwc(images: Any, data_format: str) -> tuple[Any, Callable[[Any], Any]]:
    """Bring images to shape (batch, height, width, channels); also return the inverse."""
    shape = shape_of(images)
    unbatched = len(shape) == 3
    x = K.expand_dims(images, 0) if unbatched else images
    first = data_format == "channels_first"
    if first:
        x = K.transpose(x, (0, 2, 3, 1))

    def restore(y: Any) -> Any:
        if first:
            y = K.transpose(y, (0, 3, 1, 2))
        if unbatched:
            y = K.squeeze(y, 0)
        return y

    return x, restore


def int_pair(value: Any, name: str) -> tuple[int, int]:
    """An int or a pair of ints as a pair of positive ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value), int(value))
    try:
        a, b = value
        if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in (a, b)):
            raise TypeError
    except (TypeError, ValueError):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int or a tuple of 2 ints. "
            f"Received: {name}={value!r}"
        ) from None
    if a < 1 or b < 1:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected positive ints. "
            f"Received: {name}={value!r}"
        )
    return int(a), int(b)


def float_pair(value: Any, name: str) -> tuple[float, float]:
    """A number or a pair of numbers as a pair of floats."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value), float(value)
    try:
        a, b = value
        return float(a), float(b)
    except (TypeError, ValueError):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a number or a tuple of 2 "
            f"numbers. Received: {name}={value!r}"
        ) from None


def check_choice(value: Any, name: str, choices: tuple) -> None:
    """Raise a ValueError naming `name` unless `value` is one of `choices`."""
    if value not in choices:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected one of {choices}. "
            f"Received: {name}={value!r}"
        )


def compute_dtype(dtype: str) -> str:
    """The floating dtype an image op computes in for input `dtype`."""
    if dtype.startswith("float") or dtype == "bfloat16":
        return dtype
    return "float32"


def back_to_dtype(y: Any, dtype: str) -> Any:
    """Return a floating result to the input dtype (ints: round half to even, then clip)."""
    if dtype_of(y) == dtype:
        return y
    if dtype == "bool":
        return K.cast(y, dtype)
    if not (dtype.startswith("float") or dtype == "bfloat16"):
        info = np.iinfo(dtype)
        y = K.clip(K.round(y), float(info.min), float(info.max))
    return K.cast(y, dtype)


def gaussian_1d(size: int, sigma: float) -> np.ndarray:
    """A normalized 1-D Gaussian window of `size` taps (float64, on the host)."""
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    w = np.exp(-(x**2) / (2.0 * float(sigma) ** 2))
    return w / w.sum()


def depthwise_filter(x: Any, taps: np.ndarray, padding: str) -> Any:
    """Correlate each channel of a (batch, h, w, c) tensor with the 2-D filters `taps`.

    `taps` has shape (kh, kw, m): m filters per channel; the result has c * m channels,
    the m filters of a channel adjacent.
    """
    chans = shape_of(x)[-1]
    kernel = np.broadcast_to(taps[:, :, None, :], taps.shape[:2] + (chans, taps.shape[2]))
    kernel = K.convert_to_tensor(np.ascontiguousarray(kernel), dtype_of(x))
    return K.depthwise_conv(x, kernel, 1, padding, "channels_last", 1)

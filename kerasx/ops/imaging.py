"""Ops family: image processing, public as ``kerasx.ops.image``.

Colour conversions, cropping and padding, patch extraction and the filters (Gaussian blur,
Sobel edges, SSIM) live here; resizing, resampling and geometric warps live in
`kerasx.ops.imaging_geometry` and are re-exported below. Every op of the family is a
composite written in registry ops (gathers, matrix products, convolutions), so it runs on
every engine and is differentiable without rules of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, shape_of
from kerasx.ops.imaging_common import (
    as_tensor,
    check_image_rank,
    compute_dtype,
    data_format_of,
    depthwise_filter,
    dtype_of,
    float_pair,
    gaussian_1d,
    int_pair,
    to_batched_nhwc,
)
from kerasx.ops.imaging_geometry import *  # noqa: F403
from kerasx.ops.imaging_geometry import __all__ as _geometry_all

_IMAGE = ("image",)


def _rgb(rng: Any, *shape: int) -> np.ndarray:
    return rng.uniform(0.05, 0.95, size=shape)


# ---------------------------------------------------------------------------- colour


def _channel_axis(shape: tuple, data_format: str) -> int:
    return len(shape) - 1 if data_format == "channels_last" else len(shape) - 3


def _check_channels(shape: tuple, axis: int, allowed: tuple, name: str = "images") -> None:
    if shape[axis] is not None and shape[axis] not in allowed:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected {' or '.join(map(str, allowed))} "
            f"channels on axis {axis}. Received: {name}.shape={shape}"
        )


def _check_float(x: Any, name: str = "images") -> None:
    dt = dtype_of(x)
    if not (dt.startswith("float") or dt == "bfloat16"):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a floating dtype. "
            f"Received: {name}.dtype={dt}"
        )


@defop(
    tensors=("images",),
    composite=True,
    namespaces=_IMAGE,
    samples=lambda rng: [
        Sample((_rgb(rng, 2, 3, 3),)),
        Sample((_rgb(rng, 1, 2, 2, 3),)),
        Sample((_rgb(rng, 1, 3, 2, 2),), {"data_format": "channels_first"}),
        Sample((_rgb(rng, 2, 2, 1),)),
    ],
)
def rgb_to_grayscale(images: Any, data_format: str | None = None) -> Any:
    """Convert RGB images to grayscale (luma weights 0.2989, 0.5870, 0.1140).

    Args:
        images: a 3D (single image) or 4D (batch) tensor with 3 (RGB) or 1 channels.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The grayscale images, with a single channel (same dtype as `images`; integer inputs
        are truncated).
    """
    df = data_format_of(data_format)
    x = as_tensor(images)
    shape = shape_of(x)
    check_image_rank(shape)
    axis = _channel_axis(shape, df)
    _check_channels(shape, axis, (1, 3))
    if shape[axis] == 1:
        return x
    dtype = dtype_of(x)
    xf = K.cast(x, compute_dtype(dtype))
    bshape = [1] * len(shape)
    bshape[axis] = 3
    w = K.reshape(
        K.convert_to_tensor(np.array([0.2989, 0.587, 0.114]), compute_dtype(dtype)), bshape
    )
    y = K.sum(K.multiply(xf, w), axis=axis, keepdims=True)
    return y if dtype_of(y) == dtype else K.cast(y, dtype)


def _split_channels(x: Any, axis: int) -> list:
    return [K.get_item(x, (slice(None),) * axis + (i,)) for i in range(3)]


@defop(
    tensors=("images",),
    composite=True,
    namespaces=_IMAGE,
    samples=lambda rng: [
        Sample((_rgb(rng, 2, 3, 3),)),
        Sample((_rgb(rng, 1, 3, 2, 2),), {"data_format": "channels_first"}),
        # grey pixels (zero saturation) and black pixels: no gradient kink is crossed by FD,
        # but the hue is defined by a branch, so only the forward values are checked
        Sample((np.array([[[0.5, 0.5, 0.5], [0.0, 0.0, 0.0], [0.2, 0.9, 0.9]]]),), grad=False),
    ],
)
def rgb_to_hsv(images: Any, data_format: str | None = None) -> Any:
    """Convert RGB images (values in [0, 1]) to HSV (hue, saturation, value in [0, 1]).

    Args:
        images: a float 3D or 4D tensor with 3 channels.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The HSV images (same shape and dtype).
    """
    df = data_format_of(data_format)
    x = as_tensor(images)
    shape = shape_of(x)
    check_image_rank(shape)
    _check_float(x)
    axis = _channel_axis(shape, df)
    _check_channels(shape, axis, (3,))
    r, g, b = _split_channels(x, axis)
    value = K.maximum(K.maximum(r, g), b)
    spread = K.subtract(value, K.minimum(K.minimum(r, g), b))
    zero = K.zeros_like(value)
    pos_v = K.greater(value, zero)
    saturation = K.where(pos_v, K.divide(spread, K.where(pos_v, value, K.ones_like(value))), zero)
    pos_s = K.greater(spread, zero)
    safe = K.where(pos_s, spread, K.ones_like(spread))
    h_r = K.divide(K.subtract(g, b), safe)
    h_g = K.add(K.divide(K.subtract(b, r), safe), 2.0)
    h_b = K.add(K.divide(K.subtract(r, g), safe), 4.0)
    hue = K.where(K.equal(r, value), h_r, K.where(K.equal(g, value), h_g, h_b))
    hue = K.where(pos_s, K.divide(hue, 6.0), zero)
    hue = K.where(K.less(hue, zero), K.add(hue, 1.0), hue)
    return K.stack([hue, saturation, value], axis=axis)


@defop(
    tensors=("images",),
    composite=True,
    namespaces=_IMAGE,
    samples=lambda rng: [
        Sample((_rgb(rng, 2, 3, 3),)),
        Sample((_rgb(rng, 1, 3, 2, 2),), {"data_format": "channels_first"}),
        Sample((rng.uniform(-1.3, 1.7, size=(1, 3, 3)),)),
    ],
)
def hsv_to_rgb(images: Any, data_format: str | None = None) -> Any:
    """Convert HSV images (hue, saturation, value in [0, 1]) to RGB.

    Hue is periodic (taken modulo 1).

    Args:
        images: a float 3D or 4D tensor with 3 channels.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The RGB images (same shape and dtype).
    """
    df = data_format_of(data_format)
    x = as_tensor(images)
    shape = shape_of(x)
    check_image_rank(shape)
    _check_float(x)
    axis = _channel_axis(shape, df)
    _check_channels(shape, axis, (3,))
    hue, sat, val = _split_channels(x, axis)
    h6 = K.multiply(K.mod(hue, 1.0), 6.0)
    red = K.clip(K.subtract(K.abs(K.subtract(h6, 3.0)), 1.0), 0.0, 1.0)
    green = K.clip(K.subtract(2.0, K.abs(K.subtract(h6, 2.0))), 0.0, 1.0)
    blue = K.clip(K.subtract(2.0, K.abs(K.subtract(h6, 4.0))), 0.0, 1.0)

    def mix(c: Any) -> Any:
        return K.multiply(K.add(K.multiply(K.subtract(c, 1.0), sat), 1.0), val)

    return K.stack([mix(red), mix(green), mix(blue)], axis=axis)


# ---------------------------------------------------------------------- crop and pad


def _resolve_pair(
    size: int | None, before: Any, after: Any, target: Any, names: tuple, verb: str
) -> tuple[int, int]:
    """Resolve (before, after) amounts from exactly two of (before, after, target)."""
    given = [v is not None for v in (before, after, target)]
    if sum(given) != 2:
        raise ValueError(
            f"Must specify exactly two of `{names[0]}`, `{names[1]}`, `{names[2]}`. "
            f"Received: {names[0]}={before}, {names[1]}={after}, {names[2]}={target}"
        )
    for v, n in zip((before, after, target), names):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))):
            raise TypeError(
                f"Received an invalid value for `{n}`, expected an int. Received: {n}={v!r}"
            )
        if v is not None and v < 0:
            raise ValueError(
                f"Received an invalid value for `{n}`, expected an int >= 0. Received: {n}={v}"
            )
    if size is None:
        raise ValueError(
            f"Cannot {verb} images whose spatial size is unknown (None); give images with a "
            "static height and width."
        )
    sign = -1 if verb == "crop" else 1
    if target is None:
        return int(before), int(after)
    rest = sign * (int(target) - size)  # the total amount of cropping/padding
    if before is None:
        before = rest - int(after)
        bad = names[0]
    else:
        after = rest - int(before)
        bad = names[1]
    if before < 0 or after < 0:
        raise ValueError(
            f"Received incompatible values: `{names[2]}`={target} needs `{bad}` = "
            f"{before if bad == names[0] else after} < 0 for a spatial size of {size}."
        )
    return int(before), int(after)


def _crop_samples(rng: Any) -> list:
    return [
        Sample((randn_img(rng, 1, 4, 5, 2), 1, 2, 1, 1)),
        Sample(
            (randn_img(rng, 4, 5, 1),),
            {"top_cropping": 1, "target_height": 2, "right_cropping": 1, "target_width": 3},
        ),
        Sample(
            (randn_img(rng, 1, 2, 4, 5),),
            {
                "bottom_cropping": 1,
                "target_height": 3,
                "left_cropping": 2,
                "right_cropping": 0,
                "data_format": "channels_first",
            },
        ),
    ]


def randn_img(rng: Any, *shape: int) -> np.ndarray:
    """Standard normal sample image (float64)."""
    return rng.standard_normal(shape)


@defop(tensors=("images",), composite=True, namespaces=_IMAGE, samples=_crop_samples)
def crop_images(
    images: Any,
    top_cropping: int | None = None,
    left_cropping: int | None = None,
    bottom_cropping: int | None = None,
    right_cropping: int | None = None,
    target_height: int | None = None,
    target_width: int | None = None,
    data_format: str | None = None,
) -> Any:
    """Crop images to a rectangle.

    Along each spatial axis exactly two of the three amounts must be given (e.g.
    `top_cropping` and `target_height`); the third follows from the image size.

    Args:
        images: a 3D (single image) or 4D (batch) tensor.
        top_cropping: rows removed at the top.
        left_cropping: columns removed on the left.
        bottom_cropping: rows removed at the bottom.
        right_cropping: columns removed on the right.
        target_height: height of the result.
        target_width: width of the result.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The cropped images.
    """
    df = data_format_of(data_format)
    x = as_tensor(images)
    shape = shape_of(x)
    check_image_rank(shape)
    h_ax = len(shape) - 3 if df == "channels_last" else len(shape) - 2
    height, width = shape[h_ax], shape[h_ax + 1]
    top, bottom = _resolve_pair(
        height,
        top_cropping,
        bottom_cropping,
        target_height,
        ("top_cropping", "bottom_cropping", "target_height"),
        "crop",
    )
    left, right = _resolve_pair(
        width,
        left_cropping,
        right_cropping,
        target_width,
        ("left_cropping", "right_cropping", "target_width"),
        "crop",
    )
    if top + bottom > height or left + right > width:
        raise ValueError(
            f"The cropping amounts exceed the image size {(height, width)}. Received: "
            f"top/bottom=({top}, {bottom}), left/right=({left}, {right})"
        )
    key = (slice(None),) * h_ax + (slice(top, height - bottom), slice(left, width - right))
    return K.get_item(x, key)


def _pad_samples(rng: Any) -> list:
    return [
        Sample((randn_img(rng, 1, 3, 2, 2), 1, 2, 0, 1)),
        Sample(
            (randn_img(rng, 3, 2, 1),),
            {"top_padding": 1, "target_height": 5, "right_padding": 1, "target_width": 4},
        ),
        Sample(
            (randn_img(rng, 1, 2, 2, 3),),
            {
                "bottom_padding": 2,
                "target_height": 4,
                "left_padding": 1,
                "right_padding": 0,
                "data_format": "channels_first",
            },
        ),
    ]


@defop(tensors=("images",), composite=True, namespaces=_IMAGE, samples=_pad_samples)
def pad_images(
    images: Any,
    top_padding: int | None = None,
    left_padding: int | None = None,
    bottom_padding: int | None = None,
    right_padding: int | None = None,
    target_height: int | None = None,
    target_width: int | None = None,
    data_format: str | None = None,
) -> Any:
    """Pad images with zeros to a larger rectangle.

    Along each spatial axis exactly two of the three amounts must be given (e.g.
    `top_padding` and `target_height`); the third follows from the image size.

    Args:
        images: a 3D (single image) or 4D (batch) tensor.
        top_padding: rows of zeros added at the top.
        left_padding: columns of zeros added on the left.
        bottom_padding: rows of zeros added at the bottom.
        right_padding: columns of zeros added on the right.
        target_height: height of the result.
        target_width: width of the result.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The padded images.
    """
    df = data_format_of(data_format)
    x = as_tensor(images)
    shape = shape_of(x)
    check_image_rank(shape)
    h_ax = len(shape) - 3 if df == "channels_last" else len(shape) - 2
    top, bottom = _resolve_pair(
        shape[h_ax],
        top_padding,
        bottom_padding,
        target_height,
        ("top_padding", "bottom_padding", "target_height"),
        "pad",
    )
    left, right = _resolve_pair(
        shape[h_ax + 1],
        left_padding,
        right_padding,
        target_width,
        ("left_padding", "right_padding", "target_width"),
        "pad",
    )
    pads = [(0, 0)] * len(shape)
    pads[h_ax] = (top, bottom)
    pads[h_ax + 1] = (left, right)
    return K.pad(x, pads)


# ------------------------------------------------------------------------- patches


def _patch_geometry(
    sizes: tuple, size: tuple, strides: tuple, dilation: tuple, padding: str
) -> tuple[list, list]:
    """Per spatial axis: (pad_before, pad_after) and the number of output positions."""
    pads, outs = [], []
    for n, k, s, d in zip(sizes, size, strides, dilation):
        span = (k - 1) * d + 1
        if padding == "valid":
            out = (n - span) // s + 1
            pads.append((0, 0))
        else:
            out = -(-n // s)
            total = max((out - 1) * s + span - n, 0)
            pads.append((total // 2, total - total // 2))
        if out < 1:
            raise ValueError(
                f"The patch size {size} (dilation {dilation}) does not fit in an input of "
                f"spatial size {sizes} with padding={padding!r}."
            )
        outs.append(out)
    return pads, outs


def _extract(
    x: Any, nd: int, size: Any, strides: Any, dilation_rate: Any, padding: Any, df: str, name: str
) -> Any:
    """Patches of a batched tensor with `nd` spatial axes, flattened as (offsets..., channel)."""
    from kerasx.ops.conv_geometry import int_tuple, padding_mode

    mode = padding_mode(padding)
    size = int_tuple(size, nd, "size")
    strides = size if strides is None else int_tuple(strides, nd, "strides")
    dilation = int_tuple(dilation_rate, nd, "dilation_rate")
    shape = shape_of(x)
    unbatched = len(shape) == nd + 1
    if len(shape) not in (nd + 1, nd + 2):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a tensor of rank {nd + 1} or "
            f"{nd + 2}. Received: {name}.shape={shape}"
        )
    if unbatched:
        x = K.expand_dims(x, 0)
    if df == "channels_first":
        x = K.moveaxis(x, 1, -1)
    shape = shape_of(x)
    spatial = shape[1:-1]
    if any(d is None for d in spatial):
        raise ValueError(f"`{name}` needs static spatial dimensions. Received: {shape}")
    pads, outs = _patch_geometry(spatial, size, strides, dilation, mode)
    if any(p != (0, 0) for p in pads):
        x = K.pad(x, [(0, 0)] + pads + [(0, 0)])
    pieces = []
    for offset in np.ndindex(*size):
        key = (slice(None),)
        for o, d, s, out in zip(offset, dilation, strides, outs):
            start = o * d
            key += (slice(start, start + (out - 1) * s + 1, s),)
        pieces.append(K.get_item(x, key))
    y = K.concatenate(pieces, axis=-1)
    if df == "channels_first":
        y = K.moveaxis(y, -1, 1)
    if unbatched:
        y = K.squeeze(y, 0)
    return y


@defop(
    tensors=("images",),
    composite=True,
    namespaces=_IMAGE,
    samples=lambda rng: [
        Sample((randn_img(rng, 1, 4, 4, 2), 2)),
        Sample((randn_img(rng, 4, 5, 1), (2, 3)), {"strides": 1, "padding": "same"}),
        Sample(
            (randn_img(rng, 1, 2, 5, 4), 2), {"strides": (1, 2), "data_format": "channels_first"}
        ),
        Sample((randn_img(rng, 1, 5, 5, 1), 2), {"dilation_rate": 2, "strides": 1}),
    ],
)
def extract_patches(
    images: Any,
    size: Any,
    strides: Any = None,
    dilation_rate: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """Extract patches of images, each flattened into the channel axis.

    A patch's values are ordered row by row, then column, then channel.

    Args:
        images: a 3D (single image) or 4D (batch) tensor.
        size: patch size, an int or (height, width).
        strides: step between patches (default: `size`, non-overlapping).
        dilation_rate: spacing of the sampled pixels within a patch.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        A tensor with patch_height * patch_width * channels channels.
    """
    df = data_format_of(data_format)
    return _extract(as_tensor(images), 2, size, strides, dilation_rate, padding, df, "images")


@defop(
    tensors=("volumes",),
    composite=True,
    namespaces=_IMAGE,
    samples=lambda rng: [
        Sample((randn_img(rng, 1, 4, 4, 4, 1), 2)),
        Sample((randn_img(rng, 3, 3, 4, 2), (2, 2, 3)), {"strides": 1, "padding": "same"}),
        Sample(
            (randn_img(rng, 1, 1, 3, 4, 4), 2),
            {"strides": (1, 2, 2), "data_format": "channels_first"},
        ),
    ],
)
def extract_patches_3d(
    volumes: Any,
    size: Any,
    strides: Any = None,
    dilation_rate: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """Extract 3-D patches of volumes, each flattened into the channel axis.

    Args:
        volumes: a 4D (single volume) or 5D (batch) tensor.
        size: patch size, an int or (depth, height, width).
        strides: step between patches (default: `size`, non-overlapping).
        dilation_rate: spacing of the sampled voxels within a patch.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        A tensor with patch_depth * patch_height * patch_width * channels channels.
    """
    df = data_format_of(data_format)
    return _extract(as_tensor(volumes), 3, size, strides, dilation_rate, padding, df, "volumes")


# ------------------------------------------------------------------------- filters


@defop(
    tensors=("images",),
    composite=True,
    namespaces=_IMAGE,
    samples=lambda rng: [
        Sample((randn_img(rng, 1, 4, 5, 2),)),
        Sample((randn_img(rng, 5, 4, 1),), {"kernel_size": (3, 5), "sigma": (1.0, 2.0)}),
        Sample(
            (randn_img(rng, 1, 2, 4, 4),),
            {"kernel_size": (2, 3), "sigma": (0.7, 1.3), "data_format": "channels_first"},
        ),
    ],
)
def gaussian_blur(
    images: Any,
    kernel_size: Any = (3, 3),
    sigma: Any = (1.0, 1.0),
    data_format: str | None = None,
) -> Any:
    """Blur images with a separable Gaussian filter (zero padding, output size kept).

    As in Keras's reference (NumPy) backend, the first entries of `kernel_size` and `sigma`
    shape the filter along the width and the second entries along the height.

    Args:
        images: a 3D (single image) or 4D (batch) tensor.
        kernel_size: filter taps, an int or a pair of ints.
        sigma: standard deviations of the Gaussian, a number or a pair.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The blurred images (same shape and dtype; integer inputs are truncated).
    """
    df = data_format_of(data_format)
    kx, ky = int_pair(kernel_size, "kernel_size")
    sx, sy = float_pair(sigma, "sigma")
    if sx <= 0 or sy <= 0:
        raise ValueError(
            f"Received an invalid value for `sigma`, expected positive values. "
            f"Received: sigma={sigma!r}"
        )
    x = as_tensor(images)
    check_image_rank(shape_of(x))
    dtype = dtype_of(x)
    x, restore = to_batched_nhwc(K.cast(x, compute_dtype(dtype)), df)
    taps = np.outer(gaussian_1d(ky, sy), gaussian_1d(kx, sx))[:, :, None]
    y = depthwise_filter(x, taps, "same")
    y = restore(y)
    return y if dtype_of(y) == dtype else K.cast(y, dtype)


_SOBEL_Y = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


@defop(
    tensors=("images",),
    composite=True,
    namespaces=_IMAGE,
    samples=lambda rng: [
        Sample((randn_img(rng, 1, 4, 5, 2),)),
        # Keras's NumPy backend rejects unbatched input here (it unpacks a 4-D shape)
        Sample((randn_img(rng, 3, 4, 1),), keras=False),
        Sample((randn_img(rng, 1, 2, 3, 4),), {"data_format": "channels_first"}),
    ],
)
def sobel_edges(images: Any, data_format: str | None = None) -> Any:
    """Sobel image gradients (3x3 filters, borders extended by edge replication).

    Args:
        images: a 3D (single image) or 4D (batch) tensor.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        A tensor of shape ``images.shape + (2,)``: index 0 of the last axis is the vertical
        derivative (down the rows), index 1 the horizontal one (along the columns).
    """
    df = data_format_of(data_format)
    x = as_tensor(images)
    check_image_rank(shape_of(x))
    dtype = dtype_of(x)
    x, restore = to_batched_nhwc(K.cast(x, compute_dtype(dtype)), df)
    b, h, w, c = shape_of(x)
    x = K.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="edge")
    taps = np.stack([_SOBEL_Y, _SOBEL_Y.T], axis=-1)
    y = depthwise_filter(x, taps, "valid")  # (b, h, w, c * 2)
    y = K.reshape(y, (-1 if b is None else b, h, w, c, 2))
    if df == "channels_first":
        y = K.transpose(y, (0, 3, 1, 2, 4))
    if len(shape_of(images)) == 3:
        y = K.squeeze(y, 0)
    return y if dtype_of(y) == dtype else K.cast(y, dtype)


@defop(
    tensors=("image1", "image2"),
    composite=True,
    namespaces=_IMAGE,
    samples=lambda rng: [
        Sample((_rgb(rng, 1, 5, 5, 2), _rgb(rng, 1, 5, 5, 2)), {"filter_size": 3}),
        Sample((_rgb(rng, 4, 4, 1), _rgb(rng, 4, 4, 1)), {"filter_size": 3, "max_val": 2.0}),
        Sample(
            (_rgb(rng, 2, 1, 4, 5), _rgb(rng, 2, 1, 4, 5)),
            {"filter_size": 2, "filter_sigma": 0.8, "data_format": "channels_first"},
        ),
    ],
)
def ssim(
    image1: Any,
    image2: Any,
    max_val: float = 1.0,
    filter_size: int = 11,
    filter_sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
    data_format: str | None = None,
) -> Any:
    """Structural similarity index between two images (or batches of images).

    Local means, variances and covariance come from a Gaussian window (no padding); the
    SSIM map is averaged over the spatial positions and channels.

    Args:
        image1: a 3D (single image) or 4D (batch) tensor.
        image2: a tensor of the same shape.
        max_val: the dynamic range of the pixel values (1.0 for [0, 1] images).
        filter_size: size of the Gaussian window.
        filter_sigma: standard deviation of the Gaussian window.
        k1: stabilizing constant for the luminance term.
        k2: stabilizing constant for the contrast term.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The SSIM value per image: shape (batch,) for a batch, a scalar for one image.
    """
    df = data_format_of(data_format)
    a = as_tensor(image1)
    b = as_tensor(image2)
    sa, sb = shape_of(a), shape_of(b)
    check_image_rank(sa, "image1")
    if len(sa) != len(sb) or any(
        x is not None and y is not None and x != y for x, y in zip(sa, sb)
    ):
        raise ValueError(
            "`image1` and `image2` must have the same shape. "
            f"Received: image1.shape={sa}, image2.shape={sb}"
        )
    size = int(filter_size)
    if size < 1:
        raise ValueError(
            f"Received an invalid value for `filter_size`, expected a positive int. "
            f"Received: filter_size={filter_size!r}"
        )
    dtype = compute_dtype(dtype_of(a))
    a, _ = to_batched_nhwc(K.cast(a, dtype), df)
    b, _ = to_batched_nhwc(K.cast(b, dtype), df)
    h, w = shape_of(a)[1:3]
    if h is not None and w is not None and (h < size or w < size):
        raise ValueError(
            f"The images ({h}x{w}) are smaller than the SSIM window (filter_size={size})."
        )
    g = gaussian_1d(size, float(filter_sigma))
    taps = np.outer(g, g)[:, :, None]

    def blur(t: Any) -> Any:
        return depthwise_filter(t, taps, "valid")

    c1 = (float(k1) * float(max_val)) ** 2
    c2 = (float(k2) * float(max_val)) ** 2
    mu_a, mu_b = blur(a), blur(b)
    var_a = K.subtract(blur(K.multiply(a, a)), K.multiply(mu_a, mu_a))
    var_b = K.subtract(blur(K.multiply(b, b)), K.multiply(mu_b, mu_b))
    cov = K.subtract(blur(K.multiply(a, b)), K.multiply(mu_a, mu_b))
    num = K.multiply(
        K.add(K.multiply(K.multiply(mu_a, mu_b), 2.0), c1), K.add(K.multiply(cov, 2.0), c2)
    )
    den = K.multiply(
        K.add(K.add(K.multiply(mu_a, mu_a), K.multiply(mu_b, mu_b)), c1),
        K.add(K.add(var_a, var_b), c2),
    )
    value = K.mean(K.divide(num, den), axis=(1, 2, 3))
    return K.squeeze(value, 0) if len(sa) == 3 else value


__all__ = [
    "crop_images",
    "extract_patches",
    "extract_patches_3d",
    "gaussian_blur",
    "hsv_to_rgb",
    "pad_images",
    "rgb_to_grayscale",
    "rgb_to_hsv",
    "sobel_edges",
    "ssim",
] + list(_geometry_all)

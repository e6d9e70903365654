"""Image resampling: resize, scale_and_translate, map_coordinates and the geometric warps.

Part of the image family (public as ``kerasx.ops.image``; `kerasx.ops.imaging` re-exports it).

Resampling along an axis is a product with an interpolation weight matrix (input size x
output size) built from the kernel (triangle, Keys cubic, Lanczos) the same way
``jax.image.scale_and_translate`` builds it, so the numbers agree with Keras and gradients
come from `matmul`/`tensordot`. Warps (`map_coordinates`, `affine_transform`,
`perspective_transform`, `elastic_transform`) gather the neighbouring pixels with `take`
(whose gradient is `add_at`) and blend them with weights computed from the coordinates, so
they are differentiable in the image and in the coordinates.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, shape_of
from kerasx.ops.imaging_common import (
    as_tensor,
    back_to_dtype,
    check_choice,
    check_image_rank,
    compute_dtype,
    data_format_of,
    depthwise_filter,
    dtype_of,
    gaussian_1d,
    to_batched_nhwc,
)
from kerasx.ops.imaging_sampling import (
    FILL_MODES,
    INTERP_KERNELS,
    WARP_METHODS,
    apply_along,
    host_weights,
    interpolate,
    pixel_grid,
    traced_weights,
    transform_coords,
    warp,
)

_IMAGE = ("image",)

# --------------------------------------------------------------------------- resize

_RESIZE_METHODS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")


def _nearest_indices(in_size: int, out_size: int) -> np.ndarray:
    """Source index of each output pixel: floor((i + 1/2) * in / out), in exact arithmetic."""
    i = np.arange(out_size, dtype=np.int64)
    return np.minimum(((2 * i + 1) * in_size) // (2 * out_size), in_size - 1).astype(np.int32)


def _resample_hw(x: Any, out_h: int, out_w: int, method: str, antialias: bool) -> Any:
    """Resize the spatial axes 1 and 2 of a (batch, h, w, c) float tensor."""
    _, in_h, in_w, _ = shape_of(x)
    for axis, n_in, n_out in ((1, in_h, out_h), (2, in_w, out_w)):
        if n_in == n_out:
            continue
        if method == "nearest":
            idx = K.convert_to_tensor(_nearest_indices(n_in, n_out))
            x = K.take(x, idx, axis=axis)
        else:
            w = host_weights(n_in, n_out, n_out / n_in, 0.0, INTERP_KERNELS[method], antialias)
            x = apply_along(x, K.convert_to_tensor(w, dtype_of(x)), axis)
    return x


def _check_size(size: Any) -> tuple[int, int]:
    try:
        h, w = size
        ok = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (h, w))
    except (TypeError, ValueError):
        ok = False
    if not ok or h < 1 or w < 1:
        raise ValueError(
            "Received an invalid value for `size`, expected a tuple of 2 positive ints "
            f"(height, width). Received: size={size!r}"
        )
    return int(h), int(w)


def _resize_samples(rng: Any) -> list:
    x = rng.standard_normal((1, 4, 5, 2))
    samples = [
        Sample((x, (3, 7)), {"interpolation": m})
        for m in ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")
    ]
    return samples + [
        Sample((rng.standard_normal((6, 5, 1)), (2, 3)), {"antialias": True}),
        Sample(
            (rng.standard_normal((1, 2, 6, 5)), (3, 2)),
            {"interpolation": "lanczos3", "antialias": True, "data_format": "channels_first"},
        ),
        Sample((rng.standard_normal((1, 6, 4, 1)), (3, 3)), {"crop_to_aspect_ratio": True}),
        Sample(
            (rng.standard_normal((4, 6, 1)), (3, 2)),
            {"pad_to_aspect_ratio": True, "fill_value": 0.5, "interpolation": "bicubic"},
        ),
    ]


@defop(tensors=("images",), composite=True, namespaces=_IMAGE, samples=_resize_samples)
def resize(
    images: Any,
    size: Any,
    interpolation: str = "bilinear",
    antialias: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str | None = None,
) -> Any:
    """Resize images to `size` (the resampling of ``jax.image.resize``).

    Args:
        images: a 3D (single image) or 4D (batch) tensor.
        size: the output (height, width).
        interpolation: "bilinear", "nearest", "bicubic" (Keys, a = -0.5), "lanczos3" or
            "lanczos5".
        antialias: when downsampling, widen the kernel by the scale factor (a low-pass
            filter). Ignored for "nearest".
        crop_to_aspect_ratio: first crop the largest centred window with the target aspect
            ratio, so the image is not distorted.
        pad_to_aspect_ratio: first pad the image to (about) the target aspect ratio with
            `fill_value`: floor(surplus / 2) rows or columns on each side, as Keras does.
        fill_mode: how to fill the padding; only "constant" is supported.
        fill_value: the padding value when `pad_to_aspect_ratio` is True.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The resized images (same dtype; integer results are rounded and clipped).
    """
    out_h, out_w = _check_size(size)
    check_choice(interpolation, "interpolation", _RESIZE_METHODS)
    check_choice(fill_mode, "fill_mode", ("constant",))
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be True. "
            "Received: crop_to_aspect_ratio=True, pad_to_aspect_ratio=True"
        )
    df = data_format_of(data_format)
    x = as_tensor(images)
    check_image_rank(shape_of(x))
    dtype = dtype_of(x)
    x, restore = to_batched_nhwc(K.cast(x, compute_dtype(dtype)), df)
    _, height, width, _ = shape_of(x)
    if height is None or width is None:
        raise ValueError(f"resize needs static image height and width. Received: {shape_of(x)}")
    if crop_to_aspect_ratio:
        crop_h = max(min(height, int(width * out_h / out_w)), 1)
        crop_w = max(min(width, int(height * out_w / out_h)), 1)
        top = int((height - crop_h) / 2)
        left = int((width - crop_w) / 2)
        x = K.get_item(x, (slice(None), slice(top, top + crop_h), slice(left, left + crop_w)))
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(width * out_h / out_w))
        pad_w = max(width, int(height * out_w / out_h))
        top = int((pad_h - height) / 2)
        left = int((pad_w - width) / 2)
        # Keras pads the same amount on both sides (the centred offset), so an odd surplus
        # leaves the padded image one row/column short of the exact aspect ratio.
        pads = [(0, 0), (top, top), (left, left), (0, 0)]
        x = K.pad(x, pads, constant_values=fill_value)
    y = _resample_hw(x, out_h, out_w, interpolation, bool(antialias))
    return back_to_dtype(restore(y), dtype)


# ---------------------------------------------------------------- scale_and_translate

_SAT_METHODS = (
    "linear",
    "bilinear",
    "trilinear",
    "cubic",
    "bicubic",
    "tricubic",
    "lanczos3",
    "lanczos5",
)


def _sat_samples(rng: Any) -> list:
    x = rng.standard_normal((1, 4, 5, 2))
    return [
        Sample((x, (1, 6, 3, 2), np.array([1.3, 0.7]), np.array([0.4, -0.3]), (1, 2), "bilinear")),
        Sample((x, (1, 3, 7, 2), np.array([0.6, 1.6]), np.array([0.2, 0.1]), (1, 2), "cubic")),
        Sample(
            (
                rng.standard_normal((5, 4)),
                (3, 4),
                np.array([0.55]),
                np.array([-0.1]),
                (0,),
                "lanczos3",
            ),
            {"antialias": False},
        ),
        Sample(
            (
                rng.standard_normal((2, 6)),
                (2, 4),
                np.array([0.7]),
                np.array([0.3]),
                (1,),
                "lanczos5",
            ),
        ),
    ]


@defop(
    tensors=("images", "scale", "translation"),
    composite=True,
    namespaces=_IMAGE,
    samples=_sat_samples,
)
def scale_and_translate(
    images: Any,
    output_shape: Any,
    scale: Any,
    translation: Any,
    spatial_dims: Any,
    method: str,
    antialias: bool = True,
) -> Any:
    """Resample images with a scale and a translation per spatial axis.

    Output pixel centre ``o + 0.5`` along a spatial axis samples the input at
    ``(o + 0.5 - translation) / scale - 0.5`` (pixel centres at integer + 0.5). Output
    pixels whose sample point falls outside the input are zero.

    Args:
        images: a tensor of any rank.
        output_shape: the full output shape (non-spatial axes unchanged).
        scale: a 1-D tensor, one scale factor per axis of `spatial_dims`.
        translation: a 1-D tensor, one translation per axis of `spatial_dims`.
        spatial_dims: the axes to resample.
        method: "linear" (also "bilinear", "trilinear"), "cubic" (also "bicubic",
            "tricubic"; Keys, a = -0.5), "lanczos3" or "lanczos5".
        antialias: when downsampling, widen the kernel by the inverse scale.

    Returns:
        The resampled tensor (floating; integer inputs give float32, as in JAX).
    """
    check_choice(method, "method", _SAT_METHODS)
    x = as_tensor(images)
    shape = shape_of(x)
    out_shape = tuple(int(d) for d in output_shape)
    dims = [int(d) % len(shape) for d in spatial_dims] if len(shape) else []
    if len(out_shape) != len(shape):
        raise ValueError(
            "Received an invalid value for `output_shape`, expected one size per axis of "
            f"`images` (rank {len(shape)}). Received: output_shape={output_shape!r}"
        )
    for ax, (n_in, n_out) in enumerate(zip(shape, out_shape)):
        if ax not in dims and n_in is not None and n_in != n_out:
            raise ValueError(
                f"`output_shape` may only change the axes in `spatial_dims` {tuple(dims)}. "
                f"Received: output_shape={out_shape}, images.shape={shape}"
            )
    dtype = compute_dtype(dtype_of(x))
    x = K.cast(x, dtype)
    sc = K.cast(as_tensor(scale), dtype)
    tr = K.cast(as_tensor(translation), dtype)
    if shape_of(sc) != (len(dims),) or shape_of(tr) != (len(dims),):
        raise ValueError(
            "`scale` and `translation` need one value per axis of `spatial_dims`. Received: "
            f"scale.shape={shape_of(sc)}, translation.shape={shape_of(tr)}, "
            f"spatial_dims={tuple(spatial_dims)}"
        )
    kernel = INTERP_KERNELS[method]
    for i, ax in enumerate(dims):
        w = traced_weights(
            shape[ax],
            out_shape[ax],
            K.get_item(sc, i),
            K.get_item(tr, i),
            kernel,
            bool(antialias),
            dtype,
        )
        x = apply_along(x, w, ax)
    return x


# ---------------------------------------------------------------- map_coordinates


def _check_order_and_mode(order: Any, fill_mode: Any) -> None:
    if isinstance(order, bool) or order not in (0, 1):
        raise ValueError(
            f"Received an invalid value for `order`, expected 0 or 1. Received: order={order!r}"
        )
    check_choice(fill_mode, "fill_mode", FILL_MODES)


def _mapc_samples(rng: Any) -> list:
    x = rng.standard_normal((4, 5))
    coords = np.stack([rng.uniform(-1.7, 4.6, size=(2, 3)), rng.uniform(-1.7, 5.6, size=(2, 3))])
    out = [
        Sample((x, coords, 1), {"fill_mode": m, "fill_value": 0.5})
        for m in ("constant", "nearest", "wrap", "mirror", "reflect")
    ]
    return out + [
        Sample((x, coords, 0), {"fill_mode": "reflect"}),
        Sample((rng.standard_normal(6), rng.uniform(-1.5, 6.5, size=(1, 5)), 1)),
        Sample(
            (rng.standard_normal((2, 3, 2)), rng.uniform(-0.5, 2.5, size=(3, 4)), 1),
            {"fill_mode": "mirror"},
        ),
    ]


@defop(tensors=("inputs", "coordinates"), composite=True, namespaces=_IMAGE, samples=_mapc_samples)
def map_coordinates(
    inputs: Any, coordinates: Any, order: int, fill_mode: str = "constant", fill_value: Any = 0
) -> Any:
    """Sample an array at fractional coordinates (spline interpolation of order 0 or 1).

    Args:
        inputs: the array to sample (any rank N >= 1).
        coordinates: a tensor of shape (N, ...) or a sequence of N tensors: the coordinates
            along each axis of `inputs` of every output point.
        order: 0 (nearest pixel; halves round up) or 1 (linear).
        fill_mode: how points outside the array are handled: "constant" (`fill_value`),
            "nearest" (edge value), "wrap" (periodic), "mirror" (reflect about the edge
            pixels) or "reflect" (reflect about the edges, repeating the edge pixels).
        fill_value: the value outside the array when `fill_mode` is "constant".

    Returns:
        The sampled values, shaped like one coordinate array (dtype of `inputs`; integer
        results are rounded).
    """
    _check_order_and_mode(order, fill_mode)
    x = as_tensor(inputs)
    shape = shape_of(x)
    if isinstance(coordinates, (list, tuple)):
        coords = [as_tensor(c) for c in coordinates]
    else:
        c = as_tensor(coordinates)
        coords = [K.get_item(c, i) for i in range(shape_of(c)[0])] if shape_of(c) else []
    if len(coords) != len(shape) or not shape:
        raise ValueError(
            "Received an invalid value for `coordinates`, expected one coordinate array per "
            f"axis of `inputs` ({len(shape)}). Received: {len(coords)} coordinate arrays"
        )
    if any(d is None for d in shape):
        raise ValueError(f"`inputs` needs a static shape. Received: inputs.shape={shape}")
    dtype = dtype_of(x)
    cdt = compute_dtype(dtype)
    coords = [K.cast(c, cdt) for c in coords]
    source = K.reshape(K.cast(x, cdt), (-1, 1))
    y = interpolate(source, shape, coords, order, fill_mode, fill_value)
    return back_to_dtype(K.squeeze(y, -1), dtype)


# ------------------------------------------------------------------------- warps


def _affine_samples(rng: Any) -> list:
    x = rng.standard_normal((2, 4, 5, 1))
    # random coefficients: sample points never land exactly on the pixel grid (kinks)
    t = np.array([[0.9, 0.2, 0.3, -0.15, 1.1, 0.4], [1.2, -0.1, -0.6, 0.1, 0.8, 0.7]])
    t = np.concatenate([t + rng.uniform(-0.05, 0.05, size=t.shape), np.zeros((2, 2))], axis=1)
    out = [
        Sample((x, t), {"fill_mode": m, "fill_value": 0.5})
        for m in ("constant", "nearest", "wrap", "mirror", "reflect")
    ]
    t_proj = t.copy()
    t_proj[:, 6:] = [0.03, -0.02]
    return out + [
        Sample((x[0], t[0]), {"interpolation": "nearest"}, grad=False),
        Sample((rng.standard_normal((1, 2, 3, 4)), t[1:]), {"data_format": "channels_first"}),
        # c0, c1 are ignored (Keras documents this for non-TF backends), but Keras's NumPy and
        # JAX backends then shift the sampling rows by c * channel index, mixing channels
        Sample((rng.standard_normal((1, 3, 4, 2)), t_proj[:1]), keras=False),
    ]


@defop(tensors=("images", "transform"), composite=True, namespaces=_IMAGE, samples=_affine_samples)
def affine_transform(
    images: Any,
    transform: Any,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: Any = 0,
    data_format: str | None = None,
) -> Any:
    """Warp images with an affine transform given by 8 coefficients.

    A transform ``[a0, a1, a2, b0, b1, b2, c0, c1]`` maps the output pixel (x, y) (column,
    row) to the input point ``(a0 x + a1 y + a2, b0 x + b1 y + b2)``, where the image is
    sampled. As in Keras 3, the projective coefficients ``c0, c1`` are accepted but have no
    effect (use `perspective_transform` for projective warps).

    Args:
        images: a 3D (single image) or 4D (batch) tensor.
        transform: a tensor of shape (8,) or (batch, 8).
        interpolation: "nearest" or "bilinear".
        fill_mode: points outside the image: "constant", "nearest", "wrap", "mirror" or
            "reflect" (see `map_coordinates`).
        fill_value: the value outside the image when `fill_mode` is "constant".
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The transformed images (same shape and dtype as `images`).
    """
    check_choice(interpolation, "interpolation", WARP_METHODS)
    check_choice(fill_mode, "fill_mode", FILL_MODES)
    df = data_format_of(data_format)
    x = as_tensor(images)
    check_image_rank(shape_of(x))
    dtype = dtype_of(x)
    cdt = compute_dtype(dtype)
    x, restore = to_batched_nhwc(K.cast(x, cdt), df)
    b, h, w, _ = shape_of(x)
    t = K.cast(as_tensor(transform), cdt)
    ts = shape_of(t)
    if len(ts) not in (1, 2) or ts[-1] != 8:
        raise ValueError(
            "Received an invalid value for `transform`, expected a tensor of shape (8,) or "
            f"(batch, 8). Received: transform.shape={ts}"
        )
    if len(ts) == 1:
        t = K.expand_dims(t, 0)
    if shape_of(t)[0] != b:
        t = K.broadcast_to(t, (b, 8))
    ys, xs = transform_coords(t, h, w, cdt, projective=False)
    y = warp(x, ys, xs, interpolation, fill_mode, fill_value)
    return back_to_dtype(restore(y), dtype)


def _homography(start: Any, end: Any) -> Any:
    """The 8 coefficients (b, 8) of the projective map taking `end` points to `start` points."""
    rows, rhs = [], []
    zero = None
    for i in range(4):
        xs, ys = K.get_item(start, (slice(None), i, 0)), K.get_item(start, (slice(None), i, 1))
        xe, ye = K.get_item(end, (slice(None), i, 0)), K.get_item(end, (slice(None), i, 1))
        one = K.ones_like(xe)
        zero = K.zeros_like(xe) if zero is None else zero
        nx, ny = K.negative(xe), K.negative(ye)
        rows.append(
            K.stack([xe, ye, one, zero, zero, zero, K.multiply(nx, xs), K.multiply(ny, xs)], -1)
        )
        rows.append(
            K.stack([zero, zero, zero, xe, ye, one, K.multiply(nx, ys), K.multiply(ny, ys)], -1)
        )
        rhs += [xs, ys]
    a = K.stack(rows, axis=1)  # (b, 8, 8)
    b = K.expand_dims(K.stack(rhs, axis=1), -1)  # (b, 8, 1)
    return K.squeeze(K.solve(a, b), -1)


def _points(p: Any, name: str, dtype: str) -> Any:
    p = K.cast(as_tensor(p), dtype)
    ps = shape_of(p)
    if len(ps) not in (2, 3) or tuple(ps[-2:]) != (4, 2):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a tensor of shape (4, 2) or "
            f"(batch, 4, 2). Received: {name}.shape={ps}"
        )
    return K.expand_dims(p, 0) if len(ps) == 2 else p


def _perspective_samples(rng: Any) -> list:
    start = np.array([[0.0, 0.0], [0.0, 4.0], [5.0, 0.0], [5.0, 4.0]])
    end = start + rng.uniform(-0.8, 0.8, size=(2, 4, 2))
    x = rng.standard_normal((2, 4, 5, 1))
    return [
        Sample((x, np.stack([start, start]), end), {"fill_value": 0.5}),
        Sample((x[0], start, end[0]), {"interpolation": "nearest"}, grad=False),
        Sample(
            (rng.standard_normal((1, 2, 4, 5)), start[None], end[:1]),
            {"data_format": "channels_first"},
        ),
    ]


@defop(
    tensors=("images", "start_points", "end_points"),
    composite=True,
    namespaces=_IMAGE,
    samples=_perspective_samples,
)
def perspective_transform(
    images: Any,
    start_points: Any,
    end_points: Any,
    interpolation: str = "bilinear",
    fill_value: Any = 0,
    data_format: str | None = None,
) -> Any:
    """Warp images by the perspective (projective) map that moves `start_points` to `end_points`.

    Every output pixel samples the input at the point that the inverse map (end -> start)
    sends it to; points outside the image take `fill_value`.

    Args:
        images: a 3D (single image) or 4D (batch) tensor.
        start_points: a tensor of shape (4, 2) or (batch, 4, 2): four (x, y) points of the
            input image.
        end_points: a tensor of the same shape: where those points land in the output.
        interpolation: "nearest" or "bilinear".
        fill_value: the value of output pixels that map outside the image.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The transformed images (same shape and dtype as `images`).
    """
    check_choice(interpolation, "interpolation", WARP_METHODS)
    df = data_format_of(data_format)
    x = as_tensor(images)
    check_image_rank(shape_of(x))
    dtype = dtype_of(x)
    cdt = compute_dtype(dtype)
    x, restore = to_batched_nhwc(K.cast(x, cdt), df)
    b, h, w, _ = shape_of(x)
    start = _points(start_points, "start_points", cdt)
    end = _points(end_points, "end_points", cdt)
    n = max(shape_of(start)[0], shape_of(end)[0])
    if n != b and n != 1:
        raise ValueError(
            f"The points describe {n} transforms for a batch of {b} images. Received: "
            f"start_points.shape={shape_of(start)}, end_points.shape={shape_of(end)}"
        )
    start = K.broadcast_to(start, (n, 4, 2))
    end = K.broadcast_to(end, (n, 4, 2))
    t = _homography(start, end)
    if n != b:
        t = K.broadcast_to(t, (b, 8))
    ys, xs = transform_coords(t, h, w, cdt, projective=True)
    y = warp(x, ys, xs, interpolation, "constant", fill_value)
    return back_to_dtype(restore(y), dtype)


def _elastic_samples(rng: Any) -> list:
    # The displacement field is random and kerasx's generators differ from Keras's (and the
    # NumPy engine's Philox stream differs from jax.random), so only alpha=0 (the identity
    # warp: every pixel samples itself) can be compared across engines and with Keras.
    # tests/core/test_ops_image.py checks the random cases (shape, determinism, blur).
    x = rng.standard_normal((1, 4, 5, 2))
    return [
        Sample((x,), {"alpha": 0.0, "seed": 3}),
        Sample((rng.standard_normal((4, 3, 1)),), {"alpha": 0.0, "sigma": 1.0, "seed": 1}),
        Sample(
            (rng.standard_normal((1, 2, 3, 4)),),
            {"alpha": 0.0, "interpolation": "nearest", "data_format": "channels_first", "seed": 2},
        ),
    ]


@defop(tensors=("images",), composite=True, namespaces=_IMAGE, samples=_elastic_samples)
def elastic_transform(
    images: Any,
    alpha: float = 20.0,
    sigma: float = 5.0,
    interpolation: str = "bilinear",
    fill_mode: str = "reflect",
    fill_value: Any = 0.0,
    seed: Any = None,
    data_format: str | None = None,
) -> Any:
    """Deform images with a random, smooth displacement field (elastic distortion).

    Per image, a displacement of every pixel along rows and columns is drawn from a
    standard normal distribution, smoothed with a Gaussian filter of standard deviation
    `sigma` (window of ``2 * ceil(3 * sigma) + 1`` taps, zero padded), scaled by `alpha`;
    each output pixel then samples the input at its displaced position. The random numbers
    come from `kerasx.random`, so they differ from Keras's for the same seed.

    Args:
        images: a 3D (single image) or 4D (batch) tensor.
        alpha: strength of the deformation (displacement scale, in pixels).
        sigma: smoothness of the deformation (standard deviation of the Gaussian filter).
        interpolation: "nearest" or "bilinear".
        fill_mode: points outside the image: "constant", "nearest", "wrap", "mirror" or
            "reflect" (see `map_coordinates`).
        fill_value: the value outside the image when `fill_mode` is "constant".
        seed: an int, a `kerasx.random.SeedGenerator`, or None (the global generator).
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The deformed images (same shape and dtype as `images`).
    """
    from kerasx import random as _random

    check_choice(interpolation, "interpolation", WARP_METHODS)
    check_choice(fill_mode, "fill_mode", FILL_MODES)
    if float(sigma) <= 0:
        raise ValueError(
            f"Received an invalid value for `sigma`, expected a positive number. "
            f"Received: sigma={sigma!r}"
        )
    df = data_format_of(data_format)
    x = as_tensor(images)
    check_image_rank(shape_of(x))
    dtype = dtype_of(x)
    cdt = compute_dtype(dtype)
    x, restore = to_batched_nhwc(K.cast(x, cdt), df)
    b, h, w, _ = shape_of(x)
    if b is None or h is None or w is None:
        raise ValueError(f"elastic_transform needs static image shapes. Received: {shape_of(x)}")
    noise = _random.normal((b, h, w, 2), dtype=cdt, seed=seed)
    size = 2 * int(math.ceil(3.0 * float(sigma))) + 1
    g = gaussian_1d(size, float(sigma))
    # the Gaussian is separable: filter the columns, then the rows (2k taps, not k**2)
    field = depthwise_filter(noise, g[:, None, None], "same")
    field = depthwise_filter(field, g[None, :, None], "same")
    field = K.multiply(field, float(alpha))
    rows, cols = pixel_grid(h, w, cdt)
    ys = K.add(rows, K.get_item(field, (Ellipsis, 0)))
    xs = K.add(cols, K.get_item(field, (Ellipsis, 1)))
    y = warp(x, ys, xs, interpolation, fill_mode, fill_value)
    return back_to_dtype(restore(y), dtype)


__all__: list[str] = [
    "affine_transform",
    "elastic_transform",
    "map_coordinates",
    "perspective_transform",
    "resize",
    "scale_and_translate",
]

"""Sampling machinery of the image family: interpolation kernels and weight matrices,
out-of-range index folding, and gathers that blend neighbouring pixels.

Everything is written with registry ops (`K`) or computed on the host from static shapes, so
the ops built on it (`kerasx.ops.imaging_geometry`) are composites and differentiable.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx.ops._helpers import K, shape_of
from kerasx.ops.imaging_common import dtype_of

# ------------------------------------------------------------------ interpolation kernels
#
# Each kernel takes the distance |x| (a tensor) and returns the tap weight; `m` is the
# module providing the math (NumPy on the host, or `K` for traced scale/translation).


def _triangle(m: Any, x: Any) -> Any:
    return m.maximum(1.0 - x, 0.0)


def _keys_cubic(m: Any, x: Any) -> Any:
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return m.where(x >= 2.0, 0.0 * x, m.where(x >= 1.0, far, near))


def _lanczos(radius: float) -> Any:
    def kernel(m: Any, x: Any) -> Any:
        big = x > 1e-3
        xs = m.where(big, x, 1.0 + 0.0 * x)  # a safe denominator (no 0/0 in any branch)
        px = math.pi * xs
        y = radius * m.sin(px) * m.sin(px / radius) / (px * px)
        y = m.where(big, y, 1.0 + 0.0 * x)
        return m.where(x > radius, 0.0 * x, y)

    return kernel


INTERP_KERNELS = {
    "linear": _triangle,
    "bilinear": _triangle,
    "trilinear": _triangle,
    "triangle": _triangle,
    "cubic": _keys_cubic,
    "bicubic": _keys_cubic,
    "tricubic": _keys_cubic,
    "keyscubic": _keys_cubic,
    "lanczos3": _lanczos(3.0),
    "lanczos5": _lanczos(5.0),
}


class _KMath:
    """The few math functions the kernels need, as registry ops (`m.where` etc.)."""

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return K.maximum(a, b)

    @staticmethod
    def where(c: Any, a: Any, b: Any) -> Any:
        return K.where(c, a, b)

    @staticmethod
    def sin(a: Any) -> Any:
        return K.sin(a)


def host_weights(
    in_size: int, out_size: int, scale: float, translation: float, kernel: Any, antialias: bool
) -> np.ndarray:
    """Interpolation weights (in_size, out_size) for static scale and translation (float64)."""
    inv = 1.0 / scale
    kscale = max(inv, 1.0) if antialias else 1.0
    sample = (np.arange(out_size, dtype=np.float64) + 0.5) * inv - translation * inv - 0.5
    dist = np.abs(sample[None, :] - np.arange(in_size, dtype=np.float64)[:, None]) / kscale
    w = kernel(np, dist)
    total = w.sum(axis=0, keepdims=True)
    eps = np.finfo(np.float32).eps
    w = np.where(np.abs(total) > 1000.0 * eps, w / np.where(total != 0, total, 1.0), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[None, :], w, 0.0)


def traced_weights(
    in_size: int,
    out_size: int,
    scale: Any,
    translation: Any,
    kernel: Any,
    antialias: bool,
    dtype: str,
) -> Any:
    """The same weights as `host_weights`, for scale/translation given as 0-d tensors."""
    inv = K.divide(K.convert_to_tensor(1.0, dtype), scale)
    kscale = K.maximum(inv, 1.0) if antialias else None
    out_pos = K.convert_to_tensor(np.arange(out_size) + 0.5, dtype)
    sample = K.subtract(K.subtract(K.multiply(out_pos, inv), K.multiply(translation, inv)), 0.5)
    in_pos = K.convert_to_tensor(np.arange(in_size, dtype=np.float64)[:, None], dtype)
    dist = K.abs(K.subtract(K.expand_dims(sample, 0), in_pos))
    if kscale is not None:
        dist = K.divide(dist, kscale)
    w = kernel(_KMath, dist)
    total = K.sum(w, axis=0, keepdims=True)
    eps = float(np.finfo(np.float32).eps)
    ok = K.greater(K.abs(total), 1000.0 * eps)
    w = K.where(ok, K.divide(w, K.where(ok, total, K.ones_like(total))), K.zeros_like(w))
    inside = K.logical_and(K.greater_equal(sample, -0.5), K.less_equal(sample, in_size - 0.5))
    return K.where(K.expand_dims(inside, 0), w, K.zeros_like(w))


def apply_along(x: Any, weights: Any, axis: int) -> Any:
    """Contract `x`'s `axis` with weights (in_size, out_size); the new axis takes its place."""
    y = K.tensordot(x, weights, axes=[[axis], [0]])
    return K.moveaxis(y, -1, axis)


FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _fold_index(idx: Any, n: int, mode: str) -> tuple[Any, Any]:
    """Map integer indices into [0, n) by `mode`; also return the validity mask (constant)."""
    if mode == "constant":
        valid = K.logical_and(K.greater_equal(idx, 0), K.less(idx, n))
        return K.clip(idx, 0, n - 1), valid
    if mode == "nearest":
        return K.clip(idx, 0, n - 1), None
    if mode == "wrap":
        return K.mod(idx, n), None
    if mode == "mirror":  # period 2(n-1), edge pixels not repeated: ... 2 1 | 0 1 2 ... n-1 | n-2
        if n == 1:
            return K.zeros_like(idx), None
        period = 2 * (n - 1)
        r = K.mod(idx, period)
        return K.where(K.greater_equal(r, n), K.subtract(period, r), r), None
    # reflect: period 2n, edge pixels repeated: ... 1 0 | 0 1 ... n-1 | n-1 n-2 ...
    period = 2 * n
    r = K.mod(idx, period)
    return K.where(K.greater_equal(r, n), K.subtract(period - 1, r), r), None


def interpolate(
    source: Any,
    sizes: tuple,
    coords: list,
    order: int,
    fill_mode: str,
    fill_value: Any,
    offset: Any = None,
) -> Any:
    """Sample `source` (points, channels) at fractional grid coordinates.

    `source` holds a grid of shape `sizes` flattened row-major (plus `offset` rows, a
    broadcastable int tensor, e.g. to select a batch item). `coords` has one float tensor per
    grid axis (all of one shape S); the result has shape S + (channels,).
    """
    corners = []  # per axis: list of (integer index, weight or None)
    for c in coords:
        if order == 0:
            corners.append([(K.cast(K.floor(K.add(c, 0.5)), "int32"), None)])
        else:
            lo = K.floor(c)
            frac = K.subtract(c, lo)
            lo = K.cast(lo, "int32")
            corners.append([(lo, K.subtract(1.0, frac)), (K.add(lo, 1), frac)])
    strides = [int(np.prod(sizes[d + 1 :], dtype=np.int64)) for d in range(len(sizes))]
    total = None
    for combo in np.ndindex(*[len(c) for c in corners]):
        lin, valid, weight = offset, None, None
        for d, k in enumerate(combo):
            idx, w = corners[d][k]
            idx, ok = _fold_index(idx, sizes[d], fill_mode)
            term = K.multiply(idx, strides[d]) if strides[d] != 1 else idx
            lin = term if lin is None else K.add(lin, term)
            if ok is not None:
                valid = ok if valid is None else K.logical_and(valid, ok)
            if w is not None:
                weight = w if weight is None else K.multiply(weight, w)
        value = K.take(source, lin, axis=0)
        if valid is not None:
            fill = K.cast(K.convert_to_tensor(fill_value), dtype_of(value))
            value = K.where(K.expand_dims(valid, -1), value, fill)
        if weight is not None:
            value = K.multiply(value, K.expand_dims(weight, -1))
        total = value if total is None else K.add(total, value)
    return total


WARP_METHODS = ("nearest", "bilinear")


def warp(x: Any, ys: Any, xs: Any, interpolation: str, fill_mode: str, fill_value: Any) -> Any:
    """Sample a (batch, h, w, c) float tensor at per-batch coordinates `ys`, `xs` (b, h', w')."""
    b, h, w, c = shape_of(x)
    if b is None or h is None or w is None:
        raise ValueError(f"Image warps need static image shapes. Received: {shape_of(x)}")
    source = K.reshape(x, (b * h * w, c))
    offset = K.convert_to_tensor(np.arange(b, dtype=np.int32).reshape(b, 1, 1) * (h * w))
    order = 0 if interpolation == "nearest" else 1
    return interpolate(source, (h, w), [ys, xs], order, fill_mode, fill_value, offset)


def pixel_grid(h: int, w: int, dtype: str) -> tuple[Any, Any]:
    """Row and column index grids of shape (1, h, w)."""
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    return (
        K.convert_to_tensor(rows[None].astype(np.float64), dtype),
        K.convert_to_tensor(cols[None].astype(np.float64), dtype),
    )


def transform_coords(t: Any, h: int, w: int, dtype: str, projective: bool) -> tuple[Any, Any]:
    """Input coordinates (rows, cols), each (b, h, w), of every output pixel for t (b, 8)."""
    rows, cols = pixel_grid(h, w, dtype)

    def coef(i: int) -> Any:
        return K.reshape(K.get_item(t, (slice(None), i)), (-1, 1, 1))

    def lin(i: int) -> Any:
        return K.add(K.add(K.multiply(coef(i), cols), K.multiply(coef(i + 1), rows)), coef(i + 2))

    x_in, y_in = lin(0), lin(3)
    if projective:
        denom = K.add(K.add(K.multiply(coef(6), cols), K.multiply(coef(7), rows)), 1.0)
        x_in, y_in = K.divide(x_in, denom), K.divide(y_in, denom)
    return y_in, x_in

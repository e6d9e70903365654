"""NumPy kernels: convolution (forward, input and kernel gradients, transposed) and fold/unfold.

Ungrouped convolutions are BLAS matrix products over im2col blocks (`conv_gemm`, shared among
the `conv_threads` workers). Grouped convolutions use one batched product over a strided
im2col view; depthwise ones one vectorised multiply-add per kernel tap. The pooling kernels
live in `conv_pool`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from kerasx.ops.conv_geometry import (
    conv_geometry,
    conv_transpose_geometry,
    fold_output_shape,
    unfold_geometry,
    unfold_output_shape,
)
from kerasx_numpy.kernels import conv_gemm

# ------------------------------------------------------------------------------ helpers


def _cl(x: np.ndarray, df: str) -> np.ndarray:
    """View in channels_last layout."""
    return x if df == "channels_last" else np.moveaxis(x, 1, -1)


def _back(y: np.ndarray, df: str) -> np.ndarray:
    """From channels_last back to `df` layout."""
    return y if df == "channels_last" else np.moveaxis(y, -1, 1)


def _cl_shape(shape: tuple, df: str) -> tuple:
    shape = tuple(int(d) for d in shape)
    return shape if df == "channels_last" else (shape[0], *shape[2:], shape[1])


def _lowest(dtype: np.dtype) -> object:
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind in "iu":
        return np.iinfo(dtype).min
    return False


def _pad_cl(x: np.ndarray, pads: tuple, value: object = 0) -> np.ndarray:
    """Pad (or, for negative amounts, crop) the spatial dims of a channels_last array."""
    crop = [slice(None)]
    for (lo, hi), n in zip(pads, x.shape[1:-1]):
        crop.append(slice(max(-lo, 0), n + min(hi, 0)))
    x = x[tuple(crop)]
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
    if not any(lo or hi for lo, hi in grow):
        return x
    shape = (x.shape[0], *(n + lo + hi for n, (lo, hi) in zip(x.shape[1:-1], grow)), x.shape[-1])
    out = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    inner = (slice(None), *(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[1:-1], grow)))
    out[inner] = x
    return out


def _extract(full: np.ndarray, starts: tuple, sizes: tuple) -> np.ndarray:
    """Spatial window [start, start + size) of `full` per dim, zeros outside it."""
    if all(s >= 0 and s + n <= f for s, n, f in zip(starts, sizes, full.shape[1:-1])):
        return full[(slice(None), *(slice(s, s + n) for s, n in zip(starts, sizes)))]
    out = np.zeros((full.shape[0], *sizes, full.shape[-1]), full.dtype)
    src, dst = [slice(None)], [slice(None)]
    for s, n, f in zip(starts, sizes, full.shape[1:-1]):
        a, b = max(s, 0), min(s + n, f)
        if b <= a:
            return out
        src.append(slice(a, b))
        dst.append(slice(a - s, b - s))
    out[tuple(dst)] = full[tuple(src)]
    return out


def _tap_slices(ksize: tuple, out: tuple, strides: tuple, dil: tuple):
    """For each kernel tap: its index tuple and the slices of the input it reads."""
    for tap in itertools.product(*(range(k) for k in ksize)):
        sl = tuple(
            slice(t * d, t * d + (o - 1) * s + 1, s) for t, o, s, d in zip(tap, out, strides, dil)
        )
        yield tap, (slice(None), *sl)


# ------------------------------------------------------------------------- convolution


def _conv_cl(x, k, strides, pads, dil, out):
    """Forward convolution of a channels_last input (groups from the kernel shape)."""
    nd = k.ndim - 2
    ksize = k.shape[:nd]
    n, c = x.shape[0], x.shape[-1]
    cin_g, cout = k.shape[-2], k.shape[-1]
    groups = c // cin_g
    m, taps = n * math.prod(out), math.prod(ksize)
    xp = _pad_cl(x, pads)
    if groups == 1:
        return conv_gemm.conv_forward(xp, k, out, strides, dil)
    w = conv_gemm.windows(xp, ksize, out, strides, dil)
    if cin_g == 1:  # depthwise: one multiply-add per tap, no matrix product needed
        mult = cout // groups
        kt = k.reshape(taps, groups, mult)
        y = np.zeros((n, *out, groups, mult), np.result_type(x, k))
        for t, (_, sl) in enumerate(_tap_slices(ksize, out, strides, dil)):
            y += xp[sl][..., None] * kt[t]
    else:
        cols = w.reshape(m, taps, groups, cin_g).transpose(2, 0, 1, 3)
        cols = cols.reshape(groups, m, taps * cin_g)
        kg = k.reshape(taps, cin_g, groups, cout // groups).transpose(2, 0, 1, 3)
        y = (cols @ kg.reshape(groups, taps * cin_g, cout // groups)).transpose(1, 0, 2)
    return y.reshape(n, *out, cout)


def _conv_input_grad_cl(g, k, x_shape, strides, pads, dil):
    """Gradient of `_conv_cl` with respect to its input (channels_last), via col2im."""
    nd = k.ndim - 2
    ksize = k.shape[:nd]
    out = g.shape[1:-1]
    n, c = x_shape[0], x_shape[-1]
    cin_g, cout = k.shape[-2], k.shape[-1]
    groups = c // cin_g
    m, taps = n * math.prod(out), math.prod(ksize)
    dtype = np.result_type(g, k)
    cover = tuple((o - 1) * s + (kk - 1) * d + 1 for o, s, kk, d in zip(out, strides, ksize, dil))
    if groups == 1:
        dxp = conv_gemm.conv_input_grad(g, k, cover, strides, dil)
        return _extract(dxp, tuple(lo for lo, _ in pads), tuple(x_shape[1:-1]))
    dxp = np.zeros((n, *cover, c), dtype)
    tap_iter = _tap_slices(ksize, out, strides, dil)
    if cin_g == 1:  # depthwise
        g3 = g.reshape(*g.shape[:-1], groups, cout // groups)
        kt = k.reshape(taps, groups, cout // groups)
        for t, (_, sl) in enumerate(tap_iter):
            dxp[sl] += (g3 * kt[t]).sum(-1)
    else:
        gg = g.reshape(m, groups, cout // groups).transpose(1, 0, 2)
        kg = k.reshape(taps, cin_g, groups, cout // groups).transpose(2, 3, 0, 1)
        d = gg @ kg.reshape(groups, cout // groups, taps * cin_g)
        d = d.reshape(groups, m, taps, cin_g).transpose(1, 2, 0, 3)
        d = d.reshape(n, *out, *ksize, c)
        lead = (slice(None),) * (1 + nd)
        for tap, sl in tap_iter:
            dxp[sl] += d[(*lead, *tap)]
    return _extract(dxp, tuple(lo for lo, _ in pads), tuple(x_shape[1:-1]))


def _conv_kernel_grad_cl(x, g, k_shape, strides, pads, dil):
    """Gradient of `_conv_cl` with respect to its kernel (channels_last)."""
    nd = len(k_shape) - 2
    ksize = tuple(k_shape[:nd])
    out = g.shape[1:-1]
    n, c = x.shape[0], x.shape[-1]
    cin_g, cout = k_shape[-2], k_shape[-1]
    groups = c // cin_g
    m, taps = n * math.prod(out), math.prod(ksize)
    xp = _pad_cl(x, pads)
    if groups == 1:
        return conv_gemm.conv_kernel_grad(xp, g, ksize, strides, dil).reshape(k_shape)
    if cin_g == 1:  # depthwise
        g3 = g.reshape(m, groups, cout // groups)
        dk = np.empty((taps, groups, cout // groups), np.result_type(x, g))
        for t, (_, sl) in enumerate(_tap_slices(ksize, out, strides, dil)):
            dk[t] = np.einsum("mc,mcj->cj", xp[sl].reshape(m, groups), g3)
    else:
        w = conv_gemm.windows(xp, ksize, out, strides, dil)
        cols = w.reshape(m, taps, groups, cin_g).transpose(2, 1, 3, 0)
        cols = cols.reshape(groups, taps * cin_g, m)
        gg = g.reshape(m, groups, cout // groups).transpose(1, 0, 2)
        dk = (cols @ gg).reshape(groups, taps, cin_g, cout // groups).transpose(1, 2, 0, 3)
    return dk.reshape(k_shape)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    geo = conv_geometry(inputs.shape, kernel.shape, strides, padding, data_format, dilation_rate)
    x = _cl(inputs, geo.data_format)
    y = _conv_cl(x, kernel, geo.strides, geo.pads, geo.dilation, geo.out_spatial)
    return _back(y, geo.data_format)


def conv_general(inputs, kernel, strides, padding, data_format=None, dilation_rate=1):
    geo = conv_geometry(
        inputs.shape, kernel.shape, strides, padding, data_format, dilation_rate, True
    )
    x = _cl(inputs, geo.data_format)
    y = _conv_cl(x, kernel, geo.strides, geo.pads, geo.dilation, geo.out_spatial)
    return _back(y, geo.data_format)


def conv_backprop_input(
    g, kernel, input_shape, strides, padding, data_format=None, dilation_rate=1
):
    geo = conv_geometry(
        tuple(input_shape), kernel.shape, strides, padding, data_format, dilation_rate, True
    )
    df = geo.data_format
    dx = _conv_input_grad_cl(
        _cl(g, df), kernel, _cl_shape(input_shape, df), geo.strides, geo.pads, geo.dilation
    )
    return _back(dx, df)


def conv_backprop_kernel(
    inputs, g, kernel_shape, strides, padding, data_format=None, dilation_rate=1
):
    kernel_shape = tuple(int(d) for d in kernel_shape)
    geo = conv_geometry(
        inputs.shape, kernel_shape, strides, padding, data_format, dilation_rate, True
    )
    df = geo.data_format
    return _conv_kernel_grad_cl(
        _cl(inputs, df), _cl(g, df), kernel_shape, geo.strides, geo.pads, geo.dilation
    )


def conv_transpose(
    inputs,
    kernel,
    strides=1,
    padding="valid",
    output_padding=None,
    data_format=None,
    dilation_rate=1,
):
    geo = conv_transpose_geometry(
        inputs.shape, kernel.shape, strides, padding, output_padding, data_format, dilation_rate
    )
    df = geo.data_format
    y_shape = _cl_shape(geo.out_shape, df)
    y = _conv_input_grad_cl(_cl(inputs, df), kernel, y_shape, geo.strides, geo.pads, geo.dilation)
    return _back(y, df)


# ------------------------------------------------------------------------ fold, unfold


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    out_shape = unfold_output_shape(x.shape, kernel_size, dilation, padding, stride)
    geo = unfold_geometry(x.shape[2:], kernel_size, dilation, padding, stride)
    (ph, pw), (kh, kw) = geo.padding, geo.kernel
    n, c, h, w = x.shape
    xp = x
    if ph or pw:
        xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), x.dtype)
        xp[:, :, ph : ph + h, pw : pw + w] = x
    s = xp.strides
    view = as_strided(
        xp,
        (n, c, kh, kw, *geo.out_spatial),
        (
            s[0],
            s[1],
            s[2] * geo.dilation[0],
            s[3] * geo.dilation[1],
            s[2] * geo.stride[0],
            s[3] * geo.stride[1],
        ),
        writeable=False,
    )
    return view.reshape(out_shape)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    n, c, h, w = fold_output_shape(x.shape, output_size, kernel_size, dilation, padding, stride)
    geo = unfold_geometry((h, w), kernel_size, dilation, padding, stride)
    (ph, pw), (kh, kw) = geo.padding, geo.kernel
    cols = x.reshape(n, c, kh, kw, *geo.out_spatial)
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), x.dtype)
    for (i, j), sl in _tap_slices(geo.kernel, geo.out_spatial, geo.stride, geo.dilation):
        out[(slice(None), *sl)] += cols[:, :, i, j]
    return out[:, :, ph : ph + h, pw : pw + w]


KERNELS = {
    "conv": conv,
    "conv_backprop_input": conv_backprop_input,
    "conv_backprop_kernel": conv_backprop_kernel,
    "conv_general": conv_general,
    "conv_transpose": conv_transpose,
    "fold": fold,
    "unfold": unfold,
}

"""NumPy kernel: convolution + bias + activation as one call (see ``kerasx/ops/conv_fused.py``).

Ungrouped convolutions add the bias and apply the ReLU to each block of the blocked im2col
product right after it is computed, while the block is still in cache and on the worker that
computed it (`conv_gemm.conv_forward`'s epilogue): no separate full passes over the output.
Grouped and depthwise ones run the plain convolution and then the two in-place passes.

The kernel's ``vjp_output`` hook computes the op's pre-gradient ``(g * (ans > 0), sum)`` in
one pass over cache-sized chunks of images, the chunks shared among the `conv_threads`
workers; the bias gradient is the sum of the chunks' partial sums.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from kerasx.ops.conv_geometry import check_fused_activation, conv_geometry, pool_geometry
from kerasx_numpy.kernels import conv_gemm, conv_threads
from kerasx_numpy.kernels.conv import _back, _cl, _conv_cl, _pad_cl
from kerasx_numpy.kernels.conv_pool import _tileable, _tiled_max_grad, max_pool_backprop

# Elements per chunk of images in the pre-gradient pass (a few arrays of it stay in cache).
_CHUNK = 1 << 17
# Tensors smaller than this (elements) are handled in the calling thread only.
_PARALLEL_MIN = 1 << 16


def _conv_bias_activation(
    inputs,
    kernel,
    bias,
    strides=1,
    padding="valid",
    data_format=None,
    dilation_rate=1,
    activation=None,
):
    check_fused_activation(activation)
    geo = conv_geometry(inputs.shape, kernel.shape, strides, padding, data_format, dilation_rate)
    x = _cl(inputs, geo.data_format)
    relu = activation == "relu"
    if geo.groups == 1:
        xp = _pad_cl(x, geo.pads)
        y = conv_gemm.conv_forward(
            xp, kernel, geo.out_spatial, geo.strides, geo.dilation, bias=bias, relu=relu
        )
    else:
        y = _conv_cl(x, kernel, geo.strides, geo.pads, geo.dilation, geo.out_spatial)
        np.add(y, bias, out=y)
        if relu:
            np.maximum(y, np.zeros((), y.dtype), out=y)
    return _back(y, geo.data_format)


def _chunks(a: int, b: int, per_image: int) -> list[tuple[int, int]]:
    step = max(1, _CHUNK // max(per_image, 1))
    return [(s, min(s + step, b)) for s in range(a, b, step)]


def _pre_gradient_part(g, ans, gz, others, relu, a, b):
    """Pre-gradient of images [a, b): writes `gz` (with ReLU) and returns the partial sum."""
    per_image = math.prod(g.shape[1:])
    total = None
    mask = None
    for s, e in _chunks(a, b, per_image):
        if relu:
            if mask is None:
                mask = np.empty((min(e - s, b - a), *g.shape[1:]), bool)
            m = mask[: e - s]
            np.greater(ans[s:e], 0, out=m)
            part = gz[s:e]
            np.multiply(g[s:e], m, out=part)
        else:
            part = g[s:e]
        red = _channel_sums(part, others)
        total = red if total is None else np.add(total, red, out=total)
    return total


def _channel_sums(a, others):
    """Sums of `a` over the axes `others` (all but the channel axis)."""
    if others == tuple(range(a.ndim - 1)) and a.flags.c_contiguous and a.dtype.kind == "f":
        # channels last: one matrix-vector product (BLAS) instead of a ufunc reduction
        rows = a.reshape(-1, a.shape[-1])
        return np.matmul(np.ones(rows.shape[0], a.dtype), rows)
    return np.add.reduce(a, axis=others)


def _pre_gradient(g, ans, axis, activation):
    """``(gz, db)`` of `_conv_bias_activation` for the output cotangent `g` (see the op)."""
    g = np.asarray(g)
    ans = np.asarray(ans)
    relu = activation == "relu"
    others = tuple(i for i in range(g.ndim) if i != axis)
    n = g.shape[0]
    if n == 0 or g.size == 0:
        gz = g * (ans > 0).astype(g.dtype) if relu else g
        return gz, np.add.reduce(gz, axis=others)
    gz = np.empty(g.shape, g.dtype) if relu else g
    return gz, _summed_by_images(functools.partial(_pre_gradient_part, g, ans, gz, others, relu), g)


def _summed_by_images(part, like):
    """``part(a, b)`` (partial channel sums of images [a, b)) over ranges of the images of
    `like`, on the workers when it is large, the partial sums added in image order."""
    n = like.shape[0]
    ranges = conv_threads.split(list(range(n))) if like.size >= _PARALLEL_MIN else [range(n)]
    parts = conv_threads.run([functools.partial(part, r[0], r[-1] + 1) for r in ranges])
    total = parts[0]
    for p in parts[1:]:
        total = np.add(total, p, out=total)
    return total


_conv_bias_activation.vjp_output = _pre_gradient

KERNELS = {"_conv_bias_activation": _conv_bias_activation}


# --------------------------------------------------------------------------- after max pooling


def _max_pool_pre_gradient_part(x, gc, gz, geo, relu, a, b):
    """Images [a, b) of `_max_pool_pre_gradient`'s fast path: writes `gz` and returns the
    partial channel sums.

    The max-pool gradient with each window's cotangent times the ReLU mask of the window's
    maximum, written straight into `gz`: at the tap that takes a window's cotangent the
    ReLU mask is the maximum's, so every value (zeros' signs included) is `_pre_gradient`'s
    ``max_pool_backprop(...) * (ans > 0)``. The sums are taken over the same chunks of
    images as `_pre_gradient_part` takes them: the results are bit-identical to the two
    calls."""
    others = tuple(range(x.ndim - 1))
    sums: list = []
    chunks = _chunks(a, b, math.prod(x.shape[1:]))
    _tiled_max_grad(
        x, gc, gz, geo, a, b, relu, chunks, lambda s, e: sums.append(_channel_sums(gz[s:e], others))
    )
    total = sums[0]
    for red in sums[1:]:
        total = np.add(total, red, out=total)
    return total


def _max_pool_pre_gradient(inputs, g, pool_size, strides, padding, data_format, axis, activation):
    """``_pre_gradient(max_pool_backprop(inputs, g, ...), inputs, axis, activation)``: the
    pre-gradient of a fused convolution whose output `inputs` was max-pooled, in one pass.

    The NumPy jit substitutes it for those two calls (the ``fuse_after`` attribute of
    `_pre_gradient`) when the max-pool gradient is used by nothing else. Bit-identical to
    the two calls; windows that tile a channels_last input take the one-pass path (no
    max-pool gradient array, no second full pass for the ReLU mask), anything else runs
    the two kernels."""
    x = np.asarray(inputs)
    g = np.asarray(g)
    geo = pool_geometry(x.shape, pool_size, strides, padding, data_format)
    fast = (
        geo.data_format == "channels_last"
        and axis in (-1, x.ndim - 1)
        and x.size
        and g.size
        and _tileable(geo)
        and all(o * p == n for o, p, n in zip(geo.out_spatial, geo.pool, x.shape[1:-1]))
        and g.dtype == x.dtype
    )
    if not fast:
        dx = max_pool_backprop(x, g, pool_size, strides, padding, data_format)
        return _pre_gradient(dx, x, axis, activation)
    relu = activation == "relu"
    gz = np.empty(x.shape, g.dtype)
    return gz, _summed_by_images(
        functools.partial(_max_pool_pre_gradient_part, x, g, gz, geo, relu), x
    )


# The NumPy jit's pair fusion (see `kerasx_numpy.replay_codegen`): a `_pre_gradient` call
# whose first argument is the result of a `max_pool_backprop` call on its second argument.
_pre_gradient.fuse_after = {max_pool_backprop: _max_pool_pre_gradient}

"""JAX kernels: convolution, pooling and fold/unfold (lax.conv_general_dilated, reduce_window).

The private gradient ops (``conv_backprop_*``, ``max_pool_backprop``, ...) are the
transposes / derivatives of the forward kernels taken by JAX itself, so they agree with
``jax.vjp`` by construction (for the convolutions: of XLA's convolution; on the CPU the
convolution itself may run as a patch product, conv_patches.py, equal up to rounding).
"""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from kerasx.ops.conv_geometry import (
    average_pool_counts,
    conv_geometry,
    conv_transpose_geometry,
    fold_output_shape,
    pool_geometry,
    unfold_geometry,
    unfold_output_shape,
)
from kerasx_jax.kernels.conv_patches import patch_conv, uses_patches

# ------------------------------------------------------------------------- convolution


def _dimension_numbers(nd: int, df: str) -> tuple:
    spatial = "DHW"[3 - nd :]
    lhs = "N" + spatial + "C" if df == "channels_last" else "NC" + spatial
    return lhs, spatial + "IO", lhs


def _conv(x, kernel, geo):
    """The convolution: a patch product on the CPU where that is faster (conv_patches.py),
    XLA's convolution otherwise."""
    if uses_patches(x, kernel, geo):
        return patch_conv(x, kernel, geo, _xla_conv)
    return _xla_conv(x, kernel, geo)


def _xla_conv(x, kernel, geo):
    return lax.conv_general_dilated(
        x,
        kernel,
        window_strides=geo.strides,
        padding=list(geo.pads),
        rhs_dilation=geo.dilation,
        dimension_numbers=_dimension_numbers(geo.nd, geo.data_format),
        feature_group_count=geo.groups,
    )


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    geo = conv_geometry(inputs.shape, kernel.shape, strides, padding, data_format, dilation_rate)
    return _conv(inputs, kernel, geo)


def conv_general(inputs, kernel, strides, padding, data_format=None, dilation_rate=1):
    geo = conv_geometry(
        inputs.shape, kernel.shape, strides, padding, data_format, dilation_rate, True
    )
    return _conv(inputs, kernel, geo)


def conv_backprop_input(
    g, kernel, input_shape, strides, padding, data_format=None, dilation_rate=1
):
    input_shape = tuple(int(d) for d in input_shape)
    geo = conv_geometry(
        input_shape, kernel.shape, strides, padding, data_format, dilation_rate, True
    )
    transpose = jax.linear_transpose(
        lambda x: _xla_conv(x, kernel, geo), jax.ShapeDtypeStruct(input_shape, g.dtype)
    )
    return transpose(g)[0]


def conv_backprop_kernel(
    inputs, g, kernel_shape, strides, padding, data_format=None, dilation_rate=1
):
    kernel_shape = tuple(int(d) for d in kernel_shape)
    geo = conv_geometry(
        inputs.shape, kernel_shape, strides, padding, data_format, dilation_rate, True
    )
    transpose = jax.linear_transpose(
        lambda k: _xla_conv(inputs, k, geo), jax.ShapeDtypeStruct(kernel_shape, g.dtype)
    )
    return transpose(g)[0]


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
    nd = geo.nd
    # Correlate the stride-dilated input with the flipped kernel (in/out channels swapped).
    flipped = jnp.swapaxes(jnp.flip(kernel, axis=tuple(range(nd))), -1, -2)
    pads = []
    for i, (lo, hi) in enumerate(geo.pads):
        k_eff = (kernel.shape[i] - 1) * geo.dilation[i] + 1
        pads.append((k_eff - 1 - lo, k_eff - 1 - hi))
    return lax.conv_general_dilated(
        inputs,
        flipped,
        window_strides=(1,) * nd,
        padding=pads,
        lhs_dilation=geo.strides,
        rhs_dilation=geo.dilation,
        dimension_numbers=_dimension_numbers(nd, geo.data_format),
    )


# ----------------------------------------------------------------------------- pooling


def _window(geo, values):
    """Per-axis window parameter: 1 on batch/channel axes, `values` on the spatial ones."""
    if geo.data_format == "channels_last":
        return (1, *values, 1)
    return (1, 1, *values)


def _full_pads(geo):
    if geo.data_format == "channels_last":
        return ((0, 0), *geo.pads, (0, 0))
    return ((0, 0), (0, 0), *geo.pads)


def _lowest(dtype):
    # NumPy (not jnp) scalars: reduce_window's autodiff under jit needs a literal init value.
    if jnp.issubdtype(dtype, jnp.floating):
        return np.array(-np.inf, dtype)
    if jnp.issubdtype(dtype, jnp.integer):
        return np.array(jnp.iinfo(dtype).min, dtype)
    return np.array(False, dtype)


def _max_pool(x, geo):
    return lax.reduce_window(
        x,
        _lowest(x.dtype),
        lax.max,
        _window(geo, geo.pool),
        _window(geo, geo.strides),
        _full_pads(geo),
    )


def _average_pool(x, geo):
    total = lax.reduce_window(
        x,
        np.array(0, x.dtype),
        lax.add,
        _window(geo, geo.pool),
        _window(geo, geo.strides),
        _full_pads(geo),
    )
    if all(p == (0, 0) for p in geo.pads):
        return total / jnp.array(math.prod(geo.pool), x.dtype)
    spatial = x.shape[1:-1] if geo.data_format == "channels_last" else x.shape[2:]
    counts = np.ones((), np.float64)
    for i, (n, p, s, pads, o) in enumerate(
        zip(spatial, geo.pool, geo.strides, geo.pads, geo.out_spatial)
    ):
        shape = [1] * geo.nd
        shape[i] = o
        counts = counts * np.asarray(average_pool_counts(n, p, s, pads, o)).reshape(shape)
    counts = counts.reshape(_window(geo, geo.out_spatial))
    return total / jnp.asarray(counts, x.dtype)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    geo = pool_geometry(inputs.shape, pool_size, strides, padding, data_format)
    return _max_pool(inputs, geo)


def _by_window_offsets(geo, x) -> bool:
    """Whether the max-pool gradient ops pick window maxima offset by offset (below) rather
    than through JAX's derivatives of reduce_window. Those lower on GPU, for 64-bit floats,
    to a pair reduction that packs two values into one 64-bit word, keeping 32 bits of
    each (JAX warns "Using reduced precision for gradient of reduce-window"): float64
    results would carry float32 precision. Offset by offset is exact on every platform."""
    return jnp.dtype(x.dtype).itemsize == 8 and all(n > 0 for n in geo.out_spatial)


def _window_slices(x, geo, fill):
    """For each offset of the pooling window (row-major), the strided slice of the padded
    `x` holding that window element for every output position."""
    xp = lax.pad(x, np.array(fill, x.dtype), [(lo, hi, 0) for lo, hi in _full_pads(geo)])
    first = 1 if geo.data_format == "channels_last" else 2
    for off in itertools.product(*(range(p) for p in geo.pool)):
        start, limit, step = [0] * x.ndim, list(xp.shape), [1] * x.ndim
        for i, (o, st, n) in enumerate(zip(off, geo.strides, geo.out_spatial)):
            start[first + i], limit[first + i], step[first + i] = o, o + (n - 1) * st + 1, st
        yield start, lax.slice(xp, start, limit, step)


def _window_argmax(inputs, geo):
    """Per output position, the number of the window offset holding the first maximum."""
    best = arg = None
    for k, (_, xs) in enumerate(_window_slices(inputs, geo, _lowest(inputs.dtype))):
        if best is None:
            best, arg = xs, jnp.zeros(xs.shape, jnp.int32)
        else:
            take = xs > best
            best, arg = jnp.where(take, xs, best), jnp.where(take, k, arg)
    return arg


def max_pool_backprop(inputs, g, pool_size, strides=None, padding="valid", data_format=None):
    geo = pool_geometry(inputs.shape, pool_size, strides, padding, data_format)
    if not _by_window_offsets(geo, inputs):
        _, vjp = jax.vjp(lambda z: _max_pool(z, geo), lax.stop_gradient(inputs))
        return vjp(g)[0]
    arg = _window_argmax(lax.stop_gradient(inputs), geo)
    pads = _full_pads(geo)
    padded = [n + lo + hi for n, (lo, hi) in zip(inputs.shape, pads)]
    first = 1 if geo.data_format == "channels_last" else 2
    zero = np.array(0, g.dtype)
    total = None
    for k, (start, _) in enumerate(_window_slices(inputs, geo, 0)):
        config = [(0, 0, 0)] * inputs.ndim
        for i, (st, n) in enumerate(zip(geo.strides, geo.out_spatial)):
            ax = first + i
            end = start[ax] + (n - 1) * st + 1
            config[ax] = (start[ax], padded[ax] - end, st - 1)
        part = lax.pad(jnp.where(arg == k, g, zero), zero, config)
        total = part if total is None else total + part
    lo = [p[0] for p in pads]
    return lax.slice(total, lo, [a + n for a, n in zip(lo, inputs.shape)])


def max_pool_select(inputs, values, pool_size, strides=None, padding="valid", data_format=None):
    geo = pool_geometry(inputs.shape, pool_size, strides, padding, data_format)
    if not _by_window_offsets(geo, inputs):
        return jax.jvp(lambda z: _max_pool(z, geo), (lax.stop_gradient(inputs),), (values,))[1]
    arg = _window_argmax(lax.stop_gradient(inputs), geo)
    out = None
    for k, (_, vs) in enumerate(_window_slices(values, geo, 0)):
        out = vs if out is None else jnp.where(arg == k, vs, out)
    return out


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    geo = pool_geometry(inputs.shape, pool_size, strides, padding, data_format)
    return _average_pool(inputs, geo)


def average_pool_backprop(
    g, input_shape, pool_size, strides=None, padding="valid", data_format=None
):
    input_shape = tuple(int(d) for d in input_shape)
    geo = pool_geometry(input_shape, pool_size, strides, padding, data_format)
    transpose = jax.linear_transpose(
        lambda z: _average_pool(z, geo), jax.ShapeDtypeStruct(input_shape, g.dtype)
    )
    return transpose(g)[0]


# ------------------------------------------------------------------------ fold, unfold


def _block_slices(geo):
    (dh, dw), (sh, sw), (oh, ow) = geo.dilation, geo.stride, geo.out_spatial
    for i, j in itertools.product(range(geo.kernel[0]), range(geo.kernel[1])):
        yield (
            (i, j),
            (
                slice(None),
                slice(None),
                slice(i * dh, i * dh + (oh - 1) * sh + 1, sh),
                slice(j * dw, j * dw + (ow - 1) * sw + 1, sw),
            ),
        )


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    out_shape = unfold_output_shape(x.shape, kernel_size, dilation, padding, stride)
    geo = unfold_geometry(x.shape[2:], kernel_size, dilation, padding, stride)
    ph, pw = geo.padding
    xp = jnp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    blocks = [xp[sl] for _, sl in _block_slices(geo)]
    return jnp.stack(blocks, axis=2).reshape(out_shape)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    n, c, h, w = fold_output_shape(x.shape, output_size, kernel_size, dilation, padding, stride)
    geo = unfold_geometry((h, w), kernel_size, dilation, padding, stride)
    ph, pw = geo.padding
    cols = x.reshape(n, c, *geo.kernel, *geo.out_spatial)
    out = jnp.zeros((n, c, h + 2 * ph, w + 2 * pw), x.dtype)
    for (i, j), sl in _block_slices(geo):
        out = out.at[sl].add(cols[:, :, i, j])
    return out[:, :, ph : ph + h, pw : pw + w]


KERNELS = {
    "average_pool": average_pool,
    "average_pool_backprop": average_pool_backprop,
    "conv": conv,
    "conv_backprop_input": conv_backprop_input,
    "conv_backprop_kernel": conv_backprop_kernel,
    "conv_general": conv_general,
    "conv_transpose": conv_transpose,
    "fold": fold,
    "max_pool": max_pool,
    "max_pool_backprop": max_pool_backprop,
    "max_pool_select": max_pool_select,
    "unfold": unfold,
}

"""Pure-Python geometry of the convolution and pooling ops.

Argument validation, Keras's 'same' padding, transposed-convolution padding, output sizes.
The op declarations use it for shape rules and gradient rules, and the engines' kernels
import it so every engine resolves arguments identically.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from kerasx import config


def standardize_data_format(data_format: Any) -> str:
    """Resolve `data_format` (None means the configured image data format)."""
    if data_format is None:
        return config.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            "Received an invalid value for `data_format`, expected 'channels_last' or "
            f"'channels_first'. Received: data_format={data_format!r}"
        )
    return value


def int_tuple(value: Any, n: int, name: str, minimum: int = 1) -> tuple[int, ...]:
    """`value` (an int or a sequence of `n` ints, each >= `minimum`) as a tuple of `n` ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values: tuple = (int(value),) * n
    elif isinstance(value, (list, tuple)) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
    ):
        values = tuple(int(v) for v in value)
        if len(values) == 1 and n > 1:
            values = values * n
    else:
        raise TypeError(
            f"Received an invalid value for `{name}`, expected an int or a tuple of {n} ints. "
            f"Received: {name}={value!r}"
        )
    if len(values) != n or any(v < minimum for v in values):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int or a tuple of {n} ints, "
            f"each >= {minimum}. Received: {name}={value!r}"
        )
    return values


def padding_mode(padding: Any) -> str:
    """Validate a 'valid' / 'same' padding string (case-insensitive)."""
    mode = padding.lower() if isinstance(padding, str) else None
    if mode not in ("valid", "same"):
        raise ValueError(
            "Received an invalid value for `padding`, expected 'valid' or 'same'. "
            f"Received: padding={padding!r}"
        )
    return mode


def same_pads(size: int, k_eff: int, stride: int) -> tuple[int, int]:
    """(before, after) padding of 'same' mode: output ceil(size / stride), extra after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k_eff - size, 0)
    return total // 2, total - total // 2


def split_spatial(shape: tuple, df: str) -> tuple[tuple, Any]:
    """(spatial dims, channel dim) of an input shape."""
    if df == "channels_last":
        return tuple(shape[1:-1]), shape[-1]
    return tuple(shape[2:]), shape[1]


def _join(batch: Any, spatial: tuple, channels: Any, df: str) -> tuple:
    if df == "channels_last":
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


def spatial_rank(shape: tuple, name: str = "inputs") -> int:
    nd = len(shape) - 2
    if nd not in (1, 2, 3):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a 3D, 4D or 5D tensor "
            f"(batch, spatial dims, channels). Received: {name}.shape={tuple(shape)}"
        )
    return nd


class ConvGeometry(NamedTuple):
    """A convolution's resolved arguments (spatial sizes may be None when unknown)."""

    nd: int
    data_format: str
    strides: tuple
    dilation: tuple
    pads: tuple  # ((before, after), ...) per spatial dim; None entries when unknown
    out_spatial: tuple
    groups: int
    out_shape: tuple


def conv_geometry(
    x_shape: tuple,
    k_shape: tuple,
    strides: Any,
    padding: Any,
    data_format: Any,
    dilation_rate: Any,
    explicit: bool = False,
) -> ConvGeometry:
    """Validate a forward convolution and compute its padding and output shape.

    `padding` is 'valid' / 'same', or (when `explicit`, for the private ops) explicit
    ((before, after), ...) pairs. The kernel is (*kernel_size, in_channels // groups,
    out_channels).
    """
    df = standardize_data_format(data_format)
    nd = spatial_rank(x_shape)
    if len(k_shape) != nd + 2:
        raise ValueError(
            f"Received an invalid value for `kernel`, expected a {nd + 2}D kernel "
            f"(*kernel_size, in_channels, out_channels) for a {nd + 2}D input. "
            f"Received: kernel.shape={tuple(k_shape)}"
        )
    strides = int_tuple(strides, nd, "strides")
    dil = int_tuple(dilation_rate, nd, "dilation_rate")
    spatial, chans = split_spatial(tuple(x_shape), df)
    cin_g, cout = k_shape[-2], k_shape[-1]
    groups = 1
    if chans is not None and cin_g is not None:
        if cin_g <= 0 or chans % cin_g:
            raise ValueError(
                "The number of input channels must be a multiple of the kernel's in_channels "
                f"(in_channels * groups). Received: input channels={chans}, kernel "
                f"in_channels={cin_g}, data_format={df!r}"
            )
        groups = chans // cin_g
        if cout is not None and cout % groups:
            raise ValueError(
                f"With {groups} groups the kernel's out_channels must be a multiple of "
                f"{groups}. Received: kernel.shape={tuple(k_shape)}"
            )
    k_eff = [(k - 1) * d + 1 for k, d in zip(k_shape[:nd], dil)]
    if not explicit or isinstance(padding, str):
        mode = padding_mode(padding)
        pads = tuple(
            (0, 0) if mode == "valid" else (None if s is None else same_pads(s, k, st))
            for s, k, st in zip(spatial, k_eff, strides)
        )
    else:
        pads = tuple((int(lo), int(hi)) for lo, hi in padding)
    out = []
    for s, k, st, p in zip(spatial, k_eff, strides, pads):
        if s is None or p is None:
            out.append(None)
            continue
        o = (s + p[0] + p[1] - k) // st + 1
        if o <= 0:
            raise ValueError(
                "The convolution has an empty output: the input is too small for the kernel "
                f"size, dilation_rate, strides and padding. Received: inputs.shape="
                f"{tuple(x_shape)}, kernel.shape={tuple(k_shape)}, padding={padding!r}"
            )
        out.append(o)
    out_shape = _join(x_shape[0], tuple(out), cout, df)
    return ConvGeometry(nd, df, strides, dil, pads, tuple(out), groups, out_shape)


def transpose_pads(k_eff: int, stride: int, padding: str, output_padding: Any) -> tuple[int, int]:
    """Keras's (before, after) padding of the stride-dilated input of a transposed conv."""
    if padding == "valid":
        extra = max(k_eff, stride) - k_eff if output_padding is None else output_padding
        return k_eff - 1, k_eff - 1 + extra
    if output_padding is None:
        total = stride + k_eff - 2
    else:
        total = k_eff + k_eff % 2 - 2 + output_padding
    lo = min(total // 2 + total % 2, k_eff - 1)
    return lo, total - lo


def conv_transpose_geometry(
    x_shape: tuple,
    k_shape: tuple,
    strides: Any,
    padding: Any,
    output_padding: Any,
    data_format: Any,
    dilation_rate: Any,
) -> ConvGeometry:
    """Validate a transposed convolution; `pads` are those of the matching forward conv.

    The kernel is (*kernel_size, out_channels, in_channels). The op is the transpose (the
    input gradient) of a forward conv of its output with that kernel and `pads`.
    """
    df = standardize_data_format(data_format)
    nd = spatial_rank(x_shape)
    if len(k_shape) != nd + 2:
        raise ValueError(
            f"Received an invalid value for `kernel`, expected a {nd + 2}D kernel "
            f"(*kernel_size, out_channels, in_channels) for a {nd + 2}D input. "
            f"Received: kernel.shape={tuple(k_shape)}"
        )
    strides = int_tuple(strides, nd, "strides")
    dil = int_tuple(dilation_rate, nd, "dilation_rate")
    mode = padding_mode(padding)
    if output_padding is not None:
        output_padding = int_tuple(output_padding, nd, "output_padding", minimum=0)
    spatial, chans = split_spatial(tuple(x_shape), df)
    if chans is not None and k_shape[-1] is not None and chans != k_shape[-1]:
        raise ValueError(
            "The number of input channels must equal the kernel's in_channels (its last "
            f"dimension). Received: input channels={chans}, kernel.shape={tuple(k_shape)}, "
            f"data_format={df!r}"
        )
    out, pads = [], []
    for i in range(nd):
        k_eff = (k_shape[i] - 1) * dil[i] + 1
        op = None if output_padding is None else output_padding[i]
        lo, hi = transpose_pads(k_eff, strides[i], mode, op)
        pads.append((k_eff - 1 - lo, k_eff - 1 - hi))
        s = spatial[i]
        out.append(None if s is None else (s - 1) * strides[i] + lo + hi - k_eff + 2)
    out_shape = _join(x_shape[0], tuple(out), k_shape[-2], df)
    return ConvGeometry(nd, df, strides, dil, tuple(pads), tuple(out), 1, out_shape)


class PoolGeometry(NamedTuple):
    """A pooling's resolved arguments (spatial sizes may be None when unknown)."""

    nd: int
    data_format: str
    pool: tuple
    strides: tuple
    pads: tuple
    out_spatial: tuple
    out_shape: tuple


def pool_geometry(
    x_shape: tuple, pool_size: Any, strides: Any, padding: Any, data_format: Any
) -> PoolGeometry:
    """Validate a pooling and compute its padding and output shape."""
    df = standardize_data_format(data_format)
    nd = spatial_rank(x_shape)
    pool = int_tuple(pool_size, nd, "pool_size")
    strides = pool if strides is None else int_tuple(strides, nd, "strides")
    mode = padding_mode(padding)
    spatial, chans = split_spatial(tuple(x_shape), df)
    pads, out = [], []
    for s, p, st in zip(spatial, pool, strides):
        if s is None:
            pads.append(None)
            out.append(None)
        elif mode == "valid":
            pads.append((0, 0))
            out.append(max((s - p) // st + 1, 0))
        else:
            pads.append(same_pads(s, p, st))
            out.append(-(-s // st))
    out_shape = _join(x_shape[0], tuple(out), chans, df)
    return PoolGeometry(nd, df, pool, strides, tuple(pads), tuple(out), out_shape)


def average_pool_counts(size: int, pool: int, stride: int, pads: tuple, out: int) -> list:
    """How many real (unpadded) elements each output window of one spatial dim covers."""
    lo = pads[0]
    return [min(o * stride - lo + pool, size) - max(o * stride - lo, 0) for o in range(out)]


class UnfoldGeometry(NamedTuple):
    """Resolved fold/unfold arguments for a (N, C, H, W) image."""

    kernel: tuple
    dilation: tuple
    padding: tuple
    stride: tuple
    out_spatial: tuple  # number of blocks along H and W


def unfold_geometry(
    spatial: tuple, kernel_size: Any, dilation: Any, padding: Any, stride: Any
) -> UnfoldGeometry:
    """Validate fold/unfold arguments; `spatial` is the image's (H, W)."""
    ks = int_tuple(kernel_size, 2, "kernel_size")
    dil = int_tuple(dilation, 2, "dilation")
    pad = int_tuple(padding, 2, "padding", minimum=0)
    st = int_tuple(stride, 2, "stride")
    out = []
    for s, k, d, p, t in zip(spatial, ks, dil, pad, st):
        if s is None:
            out.append(None)
            continue
        o = (s + 2 * p - (k - 1) * d - 1) // t + 1
        if o <= 0:
            raise ValueError(
                "The image is too small for `kernel_size`, `dilation`, `padding` and "
                f"`stride`: no block fits. Received: spatial size={tuple(spatial)}, "
                f"kernel_size={kernel_size!r}"
            )
        out.append(o)
    return UnfoldGeometry(ks, dil, pad, st, tuple(out))


def check_rank4(shape: tuple, name: str) -> None:
    if len(shape) != 4:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a 4D tensor. "
            f"Received: {name}.shape={tuple(shape)}"
        )


def unfold_output_shape(x, kernel_size, dilation, padding, stride) -> tuple:
    check_rank4(x, "x")
    geo = unfold_geometry(x[2:], kernel_size, dilation, padding, stride)
    blocks = None if None in geo.out_spatial else math.prod(geo.out_spatial)
    chans = None if x[1] is None else x[1] * math.prod(geo.kernel)
    return (x[0], chans, blocks)


def fold_output_shape(x, output_size, kernel_size, dilation, padding, stride) -> tuple:
    if len(x) != 3:
        raise ValueError(
            "Received an invalid value for `x`, expected a 3D tensor (batch, channels * "
            f"kernel positions, blocks). Received: x.shape={tuple(x)}"
        )
    size = int_tuple(output_size, 2, "output_size")
    geo = unfold_geometry(size, kernel_size, dilation, padding, stride)
    taps = math.prod(geo.kernel)
    if x[1] is not None and x[1] % taps:
        raise ValueError(
            f"The second dimension of `x` must be a multiple of the kernel size product "
            f"{taps}. Received: x.shape={tuple(x)}, kernel_size={kernel_size!r}"
        )
    blocks = math.prod(geo.out_spatial)
    if x[2] is not None and x[2] != blocks:
        raise ValueError(
            f"The last dimension of `x` must be the number of blocks, {blocks}, for "
            f"output_size={output_size!r}. Received: x.shape={tuple(x)}"
        )
    return (x[0], None if x[1] is None else x[1] // taps, *size)


def check_fused_activation(activation: Any) -> None:
    """The activations `_conv_bias_activation` fuses: None or "relu" (else a ValueError)."""
    if activation not in (None, "relu"):
        raise ValueError(
            "Received an invalid value for `activation`, expected None or 'relu'. "
            f"Received: activation={activation!r}"
        )

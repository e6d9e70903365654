"""Convolution, pooling, fold/unfold and space/depth ops.

Besides the public ops this module declares a few private registry ops used by the gradient
rules (``conv_general``, ``conv_backprop_input``, ``conv_backprop_kernel``,
``max_pool_backprop``, ``max_pool_select``, ``average_pool_backprop``). They take explicit,
already-resolved arguments, have kernels on every engine and rules of their own, so gradients
of gradients work; they are not part of ``__all__``.

The geometry helpers at the top (argument validation, 'same' padding, output sizes) are pure
Python; the engines' kernels import them so every engine resolves arguments identically.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from kerasx import config
from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, randn, shape_of, zero_rule

# ------------------------------------------------------------------------------ geometry


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


def _split(shape: tuple, df: str) -> tuple[tuple, Any]:
    """(spatial dims, channel dim) of an input shape."""
    if df == "channels_last":
        return tuple(shape[1:-1]), shape[-1]
    return tuple(shape[2:]), shape[1]


def _join(batch: Any, spatial: tuple, channels: Any, df: str) -> tuple:
    if df == "channels_last":
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


def _spatial_rank(shape: tuple, name: str = "inputs") -> int:
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
    nd = _spatial_rank(x_shape)
    if len(k_shape) != nd + 2:
        raise ValueError(
            f"Received an invalid value for `kernel`, expected a {nd + 2}D kernel "
            f"(*kernel_size, in_channels, out_channels) for a {nd + 2}D input. "
            f"Received: kernel.shape={tuple(k_shape)}"
        )
    strides = int_tuple(strides, nd, "strides")
    dil = int_tuple(dilation_rate, nd, "dilation_rate")
    spatial, chans = _split(tuple(x_shape), df)
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
    nd = _spatial_rank(x_shape)
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
    spatial, chans = _split(tuple(x_shape), df)
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
    nd = _spatial_rank(x_shape)
    pool = int_tuple(pool_size, nd, "pool_size")
    strides = pool if strides is None else int_tuple(strides, nd, "strides")
    mode = padding_mode(padding)
    spatial, chans = _split(tuple(x_shape), df)
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


def _check_rank4(shape: tuple, name: str) -> None:
    if len(shape) != 4:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a 4D tensor. "
            f"Received: {name}.shape={tuple(shape)}"
        )


# ------------------------------------------------------------------------- convolution


def _conv_shape(inputs, kernel, strides, padding, data_format, dilation_rate) -> tuple:
    return conv_geometry(inputs, kernel, strides, padding, data_format, dilation_rate).out_shape


def _conv_general_shape(inputs, kernel, strides, padding, data_format, dilation_rate) -> tuple:
    geo = conv_geometry(inputs, kernel, strides, padding, data_format, dilation_rate, True)
    return geo.out_shape


def _resolved(inputs: Any, kernel: Any, strides, padding, data_format, dilation_rate) -> tuple:
    geo = conv_geometry(
        shape_of(inputs), shape_of(kernel), strides, padding, data_format, dilation_rate, True
    )
    return geo.strides, geo.pads, geo.data_format, geo.dilation


def _conv_vjp_inputs(g, ans, inputs, kernel, strides, padding, data_format, dilation_rate):
    args = _resolved(inputs, kernel, strides, padding, data_format, dilation_rate)
    return K.conv_backprop_input(g, kernel, shape_of(inputs), *args)


def _conv_vjp_kernel(g, ans, inputs, kernel, strides, padding, data_format, dilation_rate):
    args = _resolved(inputs, kernel, strides, padding, data_format, dilation_rate)
    return K.conv_backprop_kernel(inputs, g, shape_of(kernel), *args)


_CONV_VJP = {"inputs": _conv_vjp_inputs, "kernel": _conv_vjp_kernel}


def _conv_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 1, 5, 5, 2), randn(rng, 3, 3, 2, 3))),
        # even kernel, 'same' with stride 2: Keras puts the extra padding after
        Sample(
            (randn(rng, 1, 2, 5, 4), randn(rng, 2, 2, 2, 2)),
            {"strides": 2, "padding": "same", "data_format": "channels_first"},
        ),
        Sample(
            (randn(rng, 2, 7, 2), randn(rng, 3, 2, 2)),
            {"padding": "same", "dilation_rate": 2},
        ),
        # grouped: 4 input channels, kernel in_channels 2 -> 2 groups
        Sample((randn(rng, 1, 4, 5, 4), randn(rng, 2, 2, 2, 2)), {"strides": (1, 2)}),
        Sample((randn(rng, 1, 3, 4, 3, 1), randn(rng, 2, 2, 2, 1, 2)), {"padding": "same"}),
    ]


@defop(
    tensors=("inputs", "kernel"),
    promote=("inputs", "kernel"),
    shape=_conv_shape,
    vjp=_CONV_VJP,
    samples=_conv_samples,
    namespaces=("nn",),
)
def conv(
    inputs: Any,
    kernel: Any,
    strides: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
) -> Any:
    """N-D convolution (1D, 2D or 3D), in the cross-correlation convention.

    Grouped convolution follows from the kernel shape: an input with `groups * k` channels
    and a kernel with `k` input channels is split into `groups` independent convolutions.

    Args:
        inputs: a 3D, 4D or 5D tensor: (batch, *spatial, channels) for "channels_last",
            (batch, channels, *spatial) for "channels_first".
        kernel: a tensor of shape (*kernel_size, in_channels // groups, out_channels).
        strides: an int or a tuple of one int per spatial dimension.
        padding: "valid" (no padding) or "same" (output size ceil(input / stride); when the
            padding is odd the extra element goes after).
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.
        dilation_rate: an int or a tuple of one int per spatial dimension.

    Returns:
        The convolved tensor, in `data_format` layout.
    """


@defop(
    tensors=("inputs", "kernel"),
    promote=("inputs", "kernel"),
    shape=_conv_general_shape,
    vjp=_CONV_VJP,
    samples=lambda rng: [
        Sample((randn(rng, 1, 4, 4, 2), randn(rng, 3, 3, 2, 2), 1, ((1, 2), (2, 0)))),
        # a negative padding crops the input
        Sample((randn(rng, 1, 2, 7), randn(rng, 2, 2, 3), 2, ((0, -1),), "channels_first", 2)),
    ],
    namespaces=(),
)
def conv_general(
    inputs: Any,
    kernel: Any,
    strides: Any,
    padding: Any,
    data_format: Any = None,
    dilation_rate: Any = 1,
) -> Any:
    """`conv` with explicit padding (private: used by the gradient rules).

    Args:
        inputs: input tensor, as for `conv`.
        kernel: kernel tensor, as for `conv`.
        strides: an int or a tuple of one int per spatial dimension.
        padding: ((before, after), ...) per spatial dimension; negative values crop.
        data_format: "channels_last" or "channels_first" (None: the configured one).
        dilation_rate: an int or a tuple of one int per spatial dimension.

    Returns:
        The convolved tensor.
    """


def _bp_input_shape(g, kernel, input_shape, strides, padding, data_format, dilation_rate):
    return tuple(input_shape)


def _bp_kernel_shape(inputs, g, kernel_shape, strides, padding, data_format, dilation_rate):
    return tuple(kernel_shape)


def _conv_samples_private(rng: Any, kind: str) -> list:
    cases = [
        ((1, 5, 5, 2), (3, 3, 2, 3), 1, ((1, 1), (1, 1)), "channels_last", 1),
        ((1, 4, 7), (2, 2, 2), 2, ((0, 1),), "channels_first", 1),
        ((1, 6, 4), (2, 2, 2), 1, ((1, 0),), "channels_last", 2),  # 2 groups, dilated
    ]
    out = []
    for x_shape, k_shape, st, pads, df, dil in cases:
        y_shape = conv_geometry(x_shape, k_shape, st, pads, df, dil, True).out_shape
        if kind == "input":
            args = (randn(rng, *y_shape), randn(rng, *k_shape), x_shape)
        else:
            args = (randn(rng, *x_shape), randn(rng, *y_shape), k_shape)
        out.append(Sample(args + (st, pads, df, dil)))
    return out


@defop(
    tensors=("g", "kernel"),
    promote=("g", "kernel"),
    shape=_bp_input_shape,
    vjp={
        "g": lambda ct, ans, g, kernel, input_shape, *a: K.conv_general(ct, kernel, *a),
        "kernel": lambda ct, ans, g, kernel, input_shape, *a: K.conv_backprop_kernel(
            ct, g, shape_of(kernel), *a
        ),
    },
    samples=lambda rng: _conv_samples_private(rng, "input"),
    namespaces=(),
)
def conv_backprop_input(
    g: Any,
    kernel: Any,
    input_shape: Any,
    strides: Any,
    padding: Any,
    data_format: Any = None,
    dilation_rate: Any = 1,
) -> Any:
    """Gradient of `conv_general` with respect to its input (private).

    Args:
        g: cotangent of the convolution's output.
        kernel: the convolution kernel.
        input_shape: full shape of the convolution's input.
        strides: as for `conv_general`.
        padding: explicit ((before, after), ...) pairs, as for `conv_general`.
        data_format: "channels_last" or "channels_first".
        dilation_rate: as for `conv_general`.

    Returns:
        A tensor of shape `input_shape`.
    """


@defop(
    tensors=("inputs", "g"),
    promote=("inputs", "g"),
    shape=_bp_kernel_shape,
    vjp={
        "inputs": lambda ct, ans, inputs, g, kernel_shape, *a: K.conv_backprop_input(
            g, ct, shape_of(inputs), *a
        ),
        "g": lambda ct, ans, inputs, g, kernel_shape, *a: K.conv_general(inputs, ct, *a),
    },
    samples=lambda rng: _conv_samples_private(rng, "kernel"),
    namespaces=(),
)
def conv_backprop_kernel(
    inputs: Any,
    g: Any,
    kernel_shape: Any,
    strides: Any,
    padding: Any,
    data_format: Any = None,
    dilation_rate: Any = 1,
) -> Any:
    """Gradient of `conv_general` with respect to its kernel (private).

    Args:
        inputs: the convolution's input.
        g: cotangent of the convolution's output.
        kernel_shape: the kernel's shape.
        strides: as for `conv_general`.
        padding: explicit ((before, after), ...) pairs, as for `conv_general`.
        data_format: "channels_last" or "channels_first".
        dilation_rate: as for `conv_general`.

    Returns:
        A tensor of shape `kernel_shape`.
    """


def _ct_geometry(inputs, kernel, strides, padding, output_padding, data_format, dilation_rate):
    return conv_transpose_geometry(
        shape_of(inputs),
        shape_of(kernel),
        strides,
        padding,
        output_padding,
        data_format,
        dilation_rate,
    )


def _ct_vjp_inputs(g, ans, inputs, kernel, *args):
    geo = _ct_geometry(inputs, kernel, *args)
    return K.conv_general(g, kernel, geo.strides, geo.pads, geo.data_format, geo.dilation)


def _ct_vjp_kernel(g, ans, inputs, kernel, *args):
    geo = _ct_geometry(inputs, kernel, *args)
    return K.conv_backprop_kernel(
        g, inputs, shape_of(kernel), geo.strides, geo.pads, geo.data_format, geo.dilation
    )


@defop(
    tensors=("inputs", "kernel"),
    promote=("inputs", "kernel"),
    shape=lambda *a: conv_transpose_geometry(*a).out_shape,
    vjp={"inputs": _ct_vjp_inputs, "kernel": _ct_vjp_kernel},
    samples=lambda rng: [
        Sample((randn(rng, 1, 3, 3, 2), randn(rng, 3, 3, 2, 2)), {"strides": 2}),
        Sample(
            (randn(rng, 1, 3, 2, 2), randn(rng, 2, 3, 3, 2)),
            {"strides": (2, 1), "padding": "same", "output_padding": 1},
        ),
        Sample(
            (randn(rng, 2, 2, 4), randn(rng, 3, 2, 2)),
            {"strides": 2, "padding": "same", "data_format": "channels_first", "dilation_rate": 2},
        ),
        Sample((randn(rng, 1, 2, 2, 2, 1), randn(rng, 2, 2, 2, 2, 1)), {"strides": 3}),
    ],
    namespaces=("nn",),
)
def conv_transpose(
    inputs: Any,
    kernel: Any,
    strides: Any = 1,
    padding: str = "valid",
    output_padding: Any = None,
    data_format: str | None = None,
    dilation_rate: Any = 1,
) -> Any:
    """N-D transposed convolution (the input gradient of a strided convolution).

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        kernel: a tensor of shape (*kernel_size, out_channels, in_channels).
        strides: an int or a tuple of one int per spatial dimension.
        padding: "valid" or "same" ("same" gives an output of size input * stride when
            `output_padding` is None).
        output_padding: None (inferred), or an int or tuple of ints: extra size added to
            the end of each spatial dimension.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.
        dilation_rate: an int or a tuple of one int per spatial dimension.

    Returns:
        The transposed convolution, in `data_format` layout.
    """


@defop(
    tensors=("inputs", "kernel"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 5, 5, 2), randn(rng, 3, 3, 2, 2))),
        Sample(
            (randn(rng, 1, 2, 6), randn(rng, 2, 2, 1)),
            {"strides": 2, "padding": "same", "data_format": "channels_first"},
        ),
    ],
    namespaces=("nn",),
)
def depthwise_conv(
    inputs: Any,
    kernel: Any,
    strides: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
) -> Any:
    """N-D depthwise convolution: each input channel is convolved with its own filters.

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        kernel: a tensor of shape (*kernel_size, in_channels, channel_multiplier).
        strides: an int or a tuple of one int per spatial dimension.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.
        dilation_rate: an int or a tuple of one int per spatial dimension.

    Returns:
        A tensor with in_channels * channel_multiplier channels.
    """
    x_shape, k_shape = shape_of(inputs), shape_of(kernel)
    nd = _spatial_rank(x_shape)
    if len(k_shape) != nd + 2:
        raise ValueError(
            f"Received an invalid value for `kernel`, expected a {nd + 2}D kernel "
            f"(*kernel_size, in_channels, channel_multiplier). Received: kernel.shape={k_shape}"
        )
    chans = _split(x_shape, standardize_data_format(data_format))[1]
    if chans is not None and chans != k_shape[-2]:
        raise ValueError(
            "The number of input channels must equal the depthwise kernel's in_channels. "
            f"Received: input channels={chans}, kernel.shape={k_shape}"
        )
    flat = K.reshape(kernel, tuple(k_shape[:-2]) + (1, k_shape[-2] * k_shape[-1]))
    return K.conv(inputs, flat, strides, padding, data_format, dilation_rate)


@defop(
    tensors=("inputs", "depthwise_kernel", "pointwise_kernel"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 4, 4, 2), randn(rng, 2, 2, 2, 2), randn(rng, 1, 1, 4, 3))),
        Sample(
            (randn(rng, 1, 7, 2), randn(rng, 3, 2, 1), randn(rng, 1, 2, 2)),
            {"strides": 2, "padding": "same"},
        ),
    ],
    namespaces=("nn",),
)
def separable_conv(
    inputs: Any,
    depthwise_kernel: Any,
    pointwise_kernel: Any,
    strides: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
) -> Any:
    """N-D separable convolution: a depthwise convolution, then a 1x1 (pointwise) one.

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        depthwise_kernel: (*kernel_size, in_channels, channel_multiplier).
        pointwise_kernel: (1, ..., 1, in_channels * channel_multiplier, out_channels).
        strides: strides of the depthwise step (int or tuple).
        padding: "valid" or "same" (depthwise step).
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.
        dilation_rate: dilation of the depthwise step (int or tuple).

    Returns:
        The convolved tensor, in `data_format` layout.
    """
    y = K.depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return K.conv(y, pointwise_kernel, 1, "valid", data_format, 1)


# ----------------------------------------------------------------------------- pooling


def _pool_shape(inputs, pool_size, strides, padding, data_format) -> tuple:
    return pool_geometry(inputs, pool_size, strides, padding, data_format).out_shape


def _max_pool_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 1, 5, 5, 2), 2, 2)),
        Sample((randn(rng, 1, 2, 5, 4), (3, 2), (1, 2), "same", "channels_first")),
        Sample((randn(rng, 2, 7, 2), 3, 2, "same")),
        Sample((randn(rng, 1, 3, 4, 3, 1), 2, 1)),
        # strides=None (= pool_size); Keras 3.15 fails on it (bug), so no Keras comparison
        Sample((randn(rng, 1, 4, 4, 1), 2), keras=False),
    ]


@defop(
    tensors=("inputs",),
    shape=_pool_shape,
    vjp={
        "inputs": lambda g, ans, inputs, *a: K.max_pool_backprop(inputs, g, *a),
    },
    samples=_max_pool_samples,
    namespaces=("nn",),
)
def max_pool(
    inputs: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """N-D max pooling (1D, 2D or 3D).

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        pool_size: an int or a tuple of one int per spatial dimension.
        strides: an int, a tuple, or None (the pool size).
        padding: "valid" or "same" (padded positions never win the max).
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The pooled tensor (same dtype as `inputs`).
    """


def _pool_private_samples(rng: Any, kind: str) -> list:
    cases = [
        ((1, 4, 4, 2), 2, 2, "valid", "channels_last"),
        ((1, 2, 5), 3, 2, "same", "channels_first"),
        ((2, 5, 1), 2, 1, "valid", None),
    ]
    out = []
    for x_shape, pool, st, pad, df in cases:
        y_shape = pool_geometry(x_shape, pool, st, pad, df).out_shape
        x = rng.permutation(np.arange(math.prod(x_shape), dtype=np.float64)).reshape(x_shape)
        x = x / 4.0 - 2.0  # distinct values: no ties, no kinks under finite differences
        second = randn(rng, *(y_shape if kind == "backprop" else x_shape))
        out.append(Sample((x, second, pool, st, pad, df)))
    return out


@defop(
    tensors=("inputs", "g"),
    promote=("inputs", "g"),
    shape=lambda inputs, g, *a: tuple(inputs),
    vjp={
        "inputs": zero_rule,
        "g": lambda ct, ans, inputs, g, *a: K.max_pool_select(inputs, ct, *a),
    },
    samples=lambda rng: _pool_private_samples(rng, "backprop"),
    namespaces=(),
)
def max_pool_backprop(
    inputs: Any,
    g: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """Gradient of `max_pool` (private): `g` routed to each window's first maximum.

    Args:
        inputs: the pooling's input.
        g: cotangent of the pooling's output.
        pool_size: as for `max_pool`.
        strides: as for `max_pool`.
        padding: as for `max_pool`.
        data_format: as for `max_pool`.

    Returns:
        A tensor shaped like `inputs`.
    """


@defop(
    tensors=("inputs", "values"),
    promote=("inputs", "values"),
    shape=lambda inputs, values, *a: _pool_shape(inputs, *a),
    vjp={
        "inputs": zero_rule,
        "values": lambda ct, ans, inputs, values, *a: K.max_pool_backprop(inputs, ct, *a),
    },
    samples=lambda rng: _pool_private_samples(rng, "select"),
    namespaces=(),
)
def max_pool_select(
    inputs: Any,
    values: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """Pick `values` where `inputs` has its max in each pooling window (private).

    The transpose of `max_pool_backprop` in its cotangent argument.

    Args:
        inputs: tensor whose window maxima choose the positions.
        values: tensor shaped like `inputs` to pick from.
        pool_size: as for `max_pool`.
        strides: as for `max_pool`.
        padding: as for `max_pool`.
        data_format: as for `max_pool`.

    Returns:
        A tensor shaped like `max_pool(inputs, ...)`.
    """


def _average_pool_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 1, 5, 5, 2), 2, 2)),
        Sample((randn(rng, 1, 2, 5, 4), (3, 2), (1, 2), "same", "channels_first")),
        Sample((randn(rng, 2, 7, 2), 3, 2, "same")),
        Sample((randn(rng, 1, 3, 4, 3, 1), 2, 1, "same")),
        Sample((randn(rng, 1, 4, 4, 1), 2), keras=False),  # strides=None: Keras 3.15 bug
    ]


@defop(
    tensors=("inputs",),
    promote=("inputs",),
    to_float=True,
    shape=_pool_shape,
    vjp={
        "inputs": lambda g, ans, inputs, *a: K.average_pool_backprop(g, shape_of(inputs), *a),
    },
    samples=_average_pool_samples,
    namespaces=("nn",),
)
def average_pool(
    inputs: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """N-D average pooling (1D, 2D or 3D).

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        pool_size: an int or a tuple of one int per spatial dimension.
        strides: an int, a tuple, or None (the pool size).
        padding: "valid" or "same" ("same" averages only the real, unpadded elements).
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The pooled tensor (integer inputs give floatx).
    """


@defop(
    tensors=("g",),
    shape=lambda g, input_shape, *a: tuple(input_shape),
    vjp={"g": lambda ct, ans, g, input_shape, *a: K.average_pool(ct, *a)},
    samples=lambda rng: [
        Sample((randn(rng, 1, 2, 2, 2), (1, 5, 5, 2), 2, 2)),
        Sample((randn(rng, 1, 2, 3), (1, 2, 5), 3, 2, "same", "channels_first")),
        Sample((randn(rng, 1, 3, 3, 1), (1, 3, 3, 1), 2, 1, "same")),
    ],
    namespaces=(),
)
def average_pool_backprop(
    g: Any,
    input_shape: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """Gradient of `average_pool` with respect to its input (private).

    Args:
        g: cotangent of the pooling's output.
        input_shape: full shape of the pooling's input.
        pool_size: as for `average_pool`.
        strides: as for `average_pool`.
        padding: as for `average_pool`.
        data_format: as for `average_pool`.

    Returns:
        A tensor of shape `input_shape`.
    """


def _adaptive_setup(inputs: Any, output_size: Any, data_format: Any) -> tuple:
    shape = shape_of(inputs)
    df = standardize_data_format(data_format)
    nd = _spatial_rank(shape)
    out = int_tuple(output_size, nd, "output_size")
    spatial = _split(shape, df)[0]
    if any(s is None for s in spatial):
        raise ValueError(
            "Adaptive pooling needs known spatial dimensions. "
            f"Received: inputs.shape={tuple(shape)}"
        )
    first = 1 if df == "channels_last" else 2
    return shape, out, spatial, first


def _adaptive_windows(size: int, out: int) -> list[tuple[int, int]]:
    """[start, end) of each output window along one dim (floor / ceil boundaries)."""
    return [((o * size) // out, -(-((o + 1) * size) // out)) for o in range(out)]


def _along_axis(x: Any, matrix: np.ndarray, axis: int) -> Any:
    """Contract axis `axis` of `x` with `matrix` (out, size): a pooling matrix product."""
    ndim = len(shape_of(x))
    dtype = _dt.standardize_dtype(x.dtype)
    if axis == ndim - 1:
        return K.matmul(x, K.cast(np.ascontiguousarray(matrix.T), dtype))
    m = K.cast(matrix, dtype)
    if axis == ndim - 2:
        return K.matmul(m, x)
    perm = list(range(ndim))
    perm[axis], perm[-2] = perm[-2], perm[axis]
    return K.transpose(K.matmul(m, K.transpose(x, perm)), perm)


@defop(
    tensors=("inputs",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 5, 7, 2), (2, 3))),
        Sample((randn(rng, 2, 2, 7), 3, "channels_first")),
        Sample((randn(rng, 1, 3, 4, 2, 1), (2, 3, 3))),  # 3D; 2 -> 3 upsamples
    ],
    namespaces=("nn",),
)
def adaptive_average_pool(inputs: Any, output_size: Any, data_format: str | None = None) -> Any:
    """Adaptive average pooling: average over windows that tile the input to `output_size`.

    Output position `o` of a dimension of length `n` averages the input range
    [floor(o * n / out), ceil((o + 1) * n / out)).

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        output_size: an int or a tuple of one int per spatial dimension.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The pooled tensor (integer inputs give floatx).
    """
    shape, out, spatial, first = _adaptive_setup(inputs, output_size, data_format)
    x = inputs
    if not _dt.is_float_dtype(_dt.standardize_dtype(x.dtype)):
        x = K.cast(x, config.floatx())
    for i, (n, o) in enumerate(zip(spatial, out)):
        if n == o:
            continue
        matrix = np.zeros((o, n))
        for row, (a, b) in enumerate(_adaptive_windows(n, o)):
            matrix[row, a:b] = 1.0 / (b - a)
        x = _along_axis(x, matrix, first + i)
    return x


@defop(
    tensors=("inputs",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 5, 7, 2), (2, 3))),
        Sample((randn(rng, 2, 2, 7), 3, "channels_first")),
        Sample((randn(rng, 1, 3, 4, 2, 1), (2, 3, 3))),
    ],
    namespaces=("nn",),
)
def adaptive_max_pool(inputs: Any, output_size: Any, data_format: str | None = None) -> Any:
    """Adaptive max pooling: maximum over windows that tile the input to `output_size`.

    Output position `o` of a dimension of length `n` takes the max of the input range
    [floor(o * n / out), ceil((o + 1) * n / out)).

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        output_size: an int or a tuple of one int per spatial dimension.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The pooled tensor (same dtype as `inputs`).
    """
    shape, out, spatial, first = _adaptive_setup(inputs, output_size, data_format)
    x = inputs
    for i, (n, o) in enumerate(zip(spatial, out)):
        if n == o:
            continue
        windows = _adaptive_windows(n, o)
        longest = max(b - a for a, b in windows)
        result = None
        for j in range(longest):  # one gather per window offset (windows are short)
            idx = np.array([min(a + j, b - 1) for a, b in windows], dtype=np.int32)
            part = K.take(x, idx, axis=first + i)
            result = part if result is None else K.maximum(result, part)
        x = result
    return x


# ------------------------------------------------------------------------ fold, unfold


def unfold_output_shape(x, kernel_size, dilation, padding, stride) -> tuple:
    _check_rank4(x, "x")
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


@defop(
    shape=unfold_output_shape,
    vjp={
        "x": lambda g, ans, x, *a: K.fold(g, tuple(shape_of(x)[2:]), *a),
    },
    samples=lambda rng: [
        Sample((randn(rng, 1, 2, 3, 4), 2)),
        Sample((randn(rng, 2, 1, 4, 5), (2, 3), 1, 1, 2)),
        Sample((randn(rng, 1, 1, 5, 5), 2, 2, (1, 0), 1)),
    ],
    namespaces=("nn",),
)
def unfold(x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Any:
    """Extract sliding blocks (patches) of a batched image, as columns (im2col).

    Args:
        x: a 4D tensor (batch, channels, height, width).
        kernel_size: block size, an int or a pair.
        dilation: spacing between a block's elements, an int or a pair.
        padding: zero padding added on both sides of each spatial dim, an int or a pair.
        stride: step between blocks, an int or a pair.

    Returns:
        A tensor of shape (batch, channels * kh * kw, number of blocks); the middle axis is
        ordered channel first, then the block's rows and columns.
    """


@defop(
    shape=fold_output_shape,
    vjp={
        "x": lambda g, ans, x, output_size, *a: K.unfold(g, *a),
    },
    samples=lambda rng: [
        Sample((randn(rng, 1, 8, 6), (3, 4), 2)),
        Sample((randn(rng, 2, 6, 9), (4, 5), (2, 3), 1, 1, 2)),
        Sample((randn(rng, 1, 4, 15), (5, 5), 2, 2, (1, 0), 1)),
    ],
    namespaces=("nn",),
)
def fold(
    x: Any,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Any:
    """Combine sliding blocks into a batched image, summing overlaps (col2im).

    The transpose of `unfold`.

    Args:
        x: a 3D tensor (batch, channels * kh * kw, number of blocks).
        output_size: the image's (height, width), an int or a pair.
        kernel_size: block size, an int or a pair.
        dilation: spacing between a block's elements, an int or a pair.
        padding: padding of the image that the blocks cover (cropped away), int or pair.
        stride: step between blocks, an int or a pair.

    Returns:
        A tensor of shape (batch, channels, height, width).
    """


# ------------------------------------------------------------------- space <-> depth


def _block_args(x: Any, block_size: Any, data_format: Any) -> tuple:
    shape = shape_of(x)
    _check_rank4(shape, "x")
    df = str(data_format).lower()
    if df not in ("channels_last", "channels_first"):
        raise ValueError(
            "Received an invalid value for `data_format`, expected 'channels_last' or "
            f"'channels_first'. Received: data_format={data_format!r}"
        )
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)):
        raise TypeError(
            f"Received an invalid value for `block_size`, expected an int >= 2. "
            f"Received: block_size={block_size!r}"
        )
    if block_size < 2:
        raise ValueError(
            f"Received an invalid value for `block_size`, expected an int >= 2. "
            f"Received: block_size={block_size!r}"
        )
    if df == "channels_last":
        n, h, w, c = shape
    else:
        n, c, h, w = shape
    return df, int(block_size), n, h, w, c


@defop(
    tensors=("x",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 2, 3, 8), 2)),
        Sample((randn(rng, 2, 8, 1, 2), 2, "channels_first")),
        Sample((randn(rng, 1, 1, 1, 18), 3)),
    ],
    namespaces=("nn",),
)
def depth_to_space(x: Any, block_size: Any, data_format: str = "channels_last") -> Any:
    """Move channel data into spatial blocks (the inverse of `space_to_depth`).

    Each pixel's channels are spread over a `block_size` x `block_size` block: with
    "channels_last" the channel index is (row in block, column in block, channel); with
    "channels_first" it is (channel, row in block, column in block).

    Args:
        x: a 4D tensor.
        block_size: the block side, an int >= 2; channels must be a multiple of its square.
        data_format: "channels_last" or "channels_first".

    Returns:
        A tensor with height and width multiplied by `block_size` and channels divided by
        its square.
    """
    df, b, n, h, w, c = _block_args(x, block_size, data_format)
    if c is not None and c % (b * b):
        raise ValueError(
            f"The number of channels must be a multiple of block_size**2 = {b * b}. "
            f"Received: x.shape={shape_of(x)}, block_size={block_size}"
        )
    oc = None if c is None else c // (b * b)
    h2 = None if h is None else h * b
    w2 = None if w is None else w * b

    def known(*dims: Any) -> tuple:
        return tuple(-1 if d is None else d for d in dims)

    if df == "channels_last":
        y = K.reshape(x, known(n, h, w, b, b, oc))
        y = K.transpose(y, (0, 1, 3, 2, 4, 5))
        return K.reshape(y, known(n, h2, w2, oc))
    y = K.reshape(x, known(n, oc, b, b, h, w))
    y = K.transpose(y, (0, 1, 4, 2, 5, 3))
    return K.reshape(y, known(n, oc, h2, w2))


@defop(
    tensors=("x",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 4, 6, 1), 2)),
        Sample((randn(rng, 2, 2, 2, 4), 2, "channels_first")),
        Sample((randn(rng, 1, 3, 3, 2), 3)),
    ],
    namespaces=("nn",),
)
def space_to_depth(x: Any, block_size: Any, data_format: str = "channels_last") -> Any:
    """Move spatial blocks into channels (the inverse of `depth_to_space`).

    Args:
        x: a 4D tensor.
        block_size: the block side, an int >= 2; height and width must be multiples of it.
        data_format: "channels_last" or "channels_first".

    Returns:
        A tensor with height and width divided by `block_size` and channels multiplied by
        its square.
    """
    df, b, n, h, w, c = _block_args(x, block_size, data_format)
    if (h is not None and h % b) or (w is not None and w % b):
        raise ValueError(
            f"Height and width must be multiples of block_size={block_size}. "
            f"Received: x.shape={shape_of(x)}"
        )
    h2 = None if h is None else h // b
    w2 = None if w is None else w // b
    oc = None if c is None else c * b * b

    def known(*dims: Any) -> tuple:
        return tuple(-1 if d is None else d for d in dims)

    if df == "channels_last":
        y = K.reshape(x, known(n, h2, b, w2, b, c))
        y = K.transpose(y, (0, 1, 3, 2, 4, 5))
        return K.reshape(y, known(n, h2, w2, oc))
    y = K.reshape(x, known(n, c, h2, b, w2, b))
    y = K.transpose(y, (0, 1, 3, 5, 2, 4))
    return K.reshape(y, known(n, oc, h2, w2))


__all__ = [
    "adaptive_average_pool",
    "adaptive_max_pool",
    "average_pool",
    "conv",
    "conv_transpose",
    "depth_to_space",
    "depthwise_conv",
    "fold",
    "max_pool",
    "separable_conv",
    "space_to_depth",
    "unfold",
]

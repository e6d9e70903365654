"""Convolution ops: conv, conv_transpose, depthwise_conv, separable_conv.

Besides the public ops this module declares private registry ops used by the gradient rules
(``conv_general``, ``conv_backprop_input``, ``conv_backprop_kernel``). They take explicit,
already-resolved arguments (padding as (before, after) pairs), have kernels on every engine
and rules of their own, so gradients of gradients work; they are not in ``__all__``. The
pooling, fold/unfold and space/depth ops of the family live in `kerasx.ops.pooling` and are
re-exported here.
"""

from __future__ import annotations

from typing import Any

from kerasx.engine.registry import defop
from kerasx.ops import pooling as _pooling
from kerasx.ops._helpers import K, Sample, randn, shape_of
from kerasx.ops.conv_geometry import (
    conv_geometry,
    conv_transpose_geometry,
    spatial_rank,
    split_spatial,
    standardize_data_format,
)
from kerasx.ops.pooling import *  # noqa: F403

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
    vjp_reads=("inputs", "kernel"),
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
    nd = spatial_rank(x_shape)
    if len(k_shape) != nd + 2:
        raise ValueError(
            f"Received an invalid value for `kernel`, expected a {nd + 2}D kernel "
            f"(*kernel_size, in_channels, channel_multiplier). Received: kernel.shape={k_shape}"
        )
    chans = split_spatial(x_shape, standardize_data_format(data_format))[1]
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


__all__ = [
    "conv",
    "conv_transpose",
    "depthwise_conv",
    "separable_conv",
    *_pooling.__all__,
]

"""Private op: a convolution with its bias and activation as one op (``_conv_bias_activation``).

Not part of the ``keras.ops`` surface (the name starts with an underscore, ``__all__`` is
empty). The regular convolution layers call it when they have a bias and their activation is
ReLU or none: ``activation(conv(inputs, kernel) + bias)`` then is one kernel call, so an
engine can add the bias and apply the ReLU to each block of the convolution's output while it
is still in cache (the NumPy engine does), and the backward pass needs neither the
pre-activation tensor nor separate passes for the ReLU mask and the bias gradient.

The outputs are those of the three separate ops (`conv`, `add`, `relu`), bit for bit on the
NumPy engine; the gradients agree up to float rounding (the bias gradient's sums may be
accumulated in another order). The gradient rules share one "pre-gradient" per recorded
call: ``gz = g * (ans > 0)`` (``g`` without an activation) and the bias gradient ``sum(gz)``
over every axis but the channel axis; the input and kernel gradients are then the `conv`
op's, applied to `gz`. An engine kernel may carry that pre-gradient as one fused call (the
NumPy engine's does, as its ``vjp_output`` hook, which the NumPy jit records as one call);
otherwise it is written in registry ops (so it can be differentiated again).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dispatch
from kerasx.engine.registry import REGISTRY, defop
from kerasx.ops._helpers import K, Sample, randn, shape_of
from kerasx.ops._nn_activations_common import _mask
from kerasx.ops.conv_geometry import check_fused_activation as _check_activation
from kerasx.ops.conv_geometry import conv_geometry, standardize_data_format

__all__: list[str] = []


def _channel_axis(rank: int, data_format: Any) -> int:
    return rank - 1 if standardize_data_format(data_format) == "channels_last" else 1


def _shape(inputs, kernel, bias, strides, padding, data_format, dilation_rate, activation):
    _check_activation(activation)
    geo = conv_geometry(inputs, kernel, strides, padding, data_format, dilation_rate)
    if len(bias) != 1 or (bias[0] is not None and kernel[-1] is not None and bias[0] != kernel[-1]):
        raise ValueError(
            "`_conv_bias_activation`: `bias` must be a vector with one entry per output "
            f"channel. Received: bias shape={tuple(bias)}, kernel shape={tuple(kernel)}"
        )
    return geo.out_shape


class _Cache:
    """The pre-gradient shared by the per-argument rules of one recorded call."""

    key: Any = None
    value: Any = None


_CACHE = _Cache()


def pre_gradient(g: Any, ans: Any, data_format: Any, activation: Any) -> tuple:
    """``(gz, db)``: the cotangent before the activation and the bias's cotangent.

    Args:
        g: the cotangent of the op's output.
        ans: the op's output.
        data_format: the op's data format (locates the channel axis).
        activation: None or "relu".

    Returns:
        ``gz`` (the shape of `g`) and ``db`` (one entry per output channel).
    """
    if _CACHE.key is not None and _CACHE.key[0] is g and _CACHE.key[1] is ans:
        return _CACHE.value
    rank = len(shape_of(g))
    axis = _channel_axis(rank, data_format)
    fused = getattr(REGISTRY["_conv_bias_activation"].kernel, "vjp_output", None)
    fast = dispatch.FAST_TYPES
    if fused is not None and g.__class__ in fast and ans.__class__ in fast:
        value = fused(g, ans, axis, activation)
    else:
        gz = g
        if activation == "relu":
            gz = K.multiply(g, _mask(K.greater(ans, 0), g))
        others = tuple(i for i in range(rank) if i != axis)
        value = (gz, K.sum(gz, axis=others))
    _CACHE.key = (g, ans)
    _CACHE.value = value
    return value


def _resolved(inputs: Any, kernel: Any, strides, padding, data_format, dilation_rate) -> tuple:
    geo = conv_geometry(
        shape_of(inputs), shape_of(kernel), strides, padding, data_format, dilation_rate, True
    )
    return geo.strides, geo.pads, geo.data_format, geo.dilation


def _vjp_inputs(g, ans, inputs, kernel, bias, strides, padding, data_format, dilation, act):
    gz = pre_gradient(g, ans, data_format, act)[0]
    args = _resolved(inputs, kernel, strides, padding, data_format, dilation)
    return K.conv_backprop_input(gz, kernel, shape_of(inputs), *args)


def _vjp_kernel(g, ans, inputs, kernel, bias, strides, padding, data_format, dilation, act):
    gz = pre_gradient(g, ans, data_format, act)[0]
    args = _resolved(inputs, kernel, strides, padding, data_format, dilation)
    return K.conv_backprop_kernel(inputs, gz, shape_of(kernel), *args)


def _vjp_bias(g, ans, inputs, kernel, bias, strides, padding, data_format, dilation, act):
    return pre_gradient(g, ans, data_format, act)[1]


def _samples(rng: np.random.Generator) -> list:
    return [
        Sample(
            (randn(rng, 2, 5, 5, 2), randn(rng, 3, 3, 2, 3), randn(rng, 3)), {"activation": "relu"}
        ),
        Sample((randn(rng, 2, 5, 5, 2), randn(rng, 3, 3, 2, 3), randn(rng, 3))),
        Sample(
            (randn(rng, 1, 2, 5, 4), randn(rng, 2, 2, 2, 2), randn(rng, 2)),
            {
                "strides": 2,
                "padding": "same",
                "data_format": "channels_first",
                "activation": "relu",
            },
        ),
        Sample(
            (randn(rng, 2, 7, 2), randn(rng, 3, 2, 2), randn(rng, 2)),
            {"padding": "same", "dilation_rate": 2, "activation": "relu"},
        ),
        # grouped: 4 input channels, kernel in_channels 2 -> 2 groups
        Sample(
            (randn(rng, 1, 4, 5, 4), randn(rng, 2, 2, 2, 2), randn(rng, 2)),
            {"strides": (1, 2), "activation": "relu"},
        ),
        Sample(
            (randn(rng, 1, 3, 4, 3, 1), randn(rng, 2, 2, 2, 1, 2), randn(rng, 2)),
            {"padding": "same", "activation": "relu"},
        ),
    ]


@defop(
    tensors=("inputs", "kernel", "bias"),
    promote=("inputs", "kernel", "bias"),
    composite=True,
    shape=_shape,
    vjp={"inputs": _vjp_inputs, "kernel": _vjp_kernel, "bias": _vjp_bias},
    samples=_samples,
    namespaces=(),
)
def _conv_bias_activation(
    inputs: Any,
    kernel: Any,
    bias: Any,
    strides: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
    activation: str | None = None,
) -> Any:
    """``activation(conv(inputs, kernel, ...) + bias)`` as one op.

    Args:
        inputs: the input, rank ``spatial + 2`` in `data_format` layout.
        kernel: ``(*kernel_size, in_channels // groups, out_channels)``.
        bias: ``(out_channels,)``, added along the output's channel axis.
        strides: an int or one int per spatial dimension.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first" (None: the configured one).
        dilation_rate: an int or one int per spatial dimension.
        activation: None (the bias only) or "relu".

    Returns:
        The activated convolution, in `data_format` layout.
    """
    _check_activation(activation)
    y = K.conv(inputs, kernel, strides, padding, data_format, dilation_rate)
    rank = len(shape_of(y))
    if standardize_data_format(data_format) == "channels_first":
        bias = K.reshape(bias, (-1,) + (1,) * (rank - 2))
    y = K.add(y, bias)
    return K.relu(y) if activation == "relu" else y

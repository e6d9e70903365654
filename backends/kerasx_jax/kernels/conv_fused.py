"""JAX kernel: convolution + bias + activation as one call (see ``kerasx/ops/conv_fused.py``).

The same three steps as the separate ops (XLA fuses the bias and the ReLU into the
convolution's consumer); JAX differentiates it.
"""

from __future__ import annotations

import jax.numpy as jnp

from kerasx.ops.conv_geometry import check_fused_activation, conv_geometry
from kerasx_jax.kernels.conv import _conv


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
    y = _conv(inputs, kernel, geo)
    if geo.data_format == "channels_first":
        bias = jnp.reshape(bias, (-1,) + (1,) * geo.nd)
    y = y + bias
    if activation == "relu":
        y = jnp.maximum(y, jnp.zeros((), y.dtype))
    return y


KERNELS = {"_conv_bias_activation": _conv_bias_activation}

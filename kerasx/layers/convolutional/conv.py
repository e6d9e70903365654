"""Conv1D, Conv2D, Conv3D: regular (optionally grouped) convolution layers."""

from __future__ import annotations

from typing import Any

from kerasx.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1D convolution layer: slides a 1D (temporal) window over the input and applies a kernel.

    The output is ``activation(conv(inputs, kernel) + bias)``. The kernel has shape
    ``(*kernel_size, in_channels // groups, filters)``. Inputs are
    ``(batch, steps, channels)`` for "channels_last" and ``(batch, channels, steps)`` for "channels_first".

    Args:
        filters: the number of output channels (a positive multiple of `groups`).
        kernel_size: the window size, an int or a tuple of 1 ints.
        strides: the step of the window, an int or a tuple of 1 ints.
        padding: "valid", "same", or "causal" (the input is padded on the left only, so
            output step t sees input steps up to t).
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of 1 ints (a
            rate above 1 cannot be combined with a stride above 1).
        groups: the number of channel groups convolved independently; it divides the input
            channels and `filters`.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        kernel_initializer: how the kernel is initialized.
        bias_initializer: how the bias is initialized.
        kernel_regularizer: a regularizer for the kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            1,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class Conv2D(BaseConv):
    """2D convolution layer: slides a 2D (spatial) window over the input and applies a kernel.

    The output is ``activation(conv(inputs, kernel) + bias)``. The kernel has shape
    ``(*kernel_size, in_channels // groups, filters)``. Inputs are
    ``(batch, rows, cols, channels)`` for "channels_last" and ``(batch, channels, rows, cols)`` for "channels_first".

    Args:
        filters: the number of output channels (a positive multiple of `groups`).
        kernel_size: the window size, an int or a tuple of 2 ints.
        strides: the step of the window, an int or a tuple of 2 ints.
        padding: "valid" (no padding) or "same" (output size ceil(input / stride)).
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of 2 ints (a
            rate above 1 cannot be combined with a stride above 1).
        groups: the number of channel groups convolved independently; it divides the input
            channels and `filters`.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        kernel_initializer: how the kernel is initialized.
        bias_initializer: how the bias is initialized.
        kernel_regularizer: a regularizer for the kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            2,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class Conv3D(BaseConv):
    """3D convolution layer: slides a 3D (volumetric) window over the input and applies a kernel.

    The output is ``activation(conv(inputs, kernel) + bias)``. The kernel has shape
    ``(*kernel_size, in_channels // groups, filters)``. Inputs are
    ``(batch, d1, d2, d3, channels)`` for "channels_last" and ``(batch, channels, d1, d2, d3)`` for "channels_first".

    Args:
        filters: the number of output channels (a positive multiple of `groups`).
        kernel_size: the window size, an int or a tuple of 3 ints.
        strides: the step of the window, an int or a tuple of 3 ints.
        padding: "valid" (no padding) or "same" (output size ceil(input / stride)).
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of 3 ints (a
            rate above 1 cannot be combined with a stride above 1).
        groups: the number of channel groups convolved independently; it divides the input
            channels and `filters`.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        kernel_initializer: how the kernel is initialized.
        bias_initializer: how the bias is initialized.
        kernel_regularizer: a regularizer for the kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = (1, 1, 1),
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            3,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D

"""DepthwiseConv1D, DepthwiseConv2D: per-channel (depthwise) convolution layers."""

from __future__ import annotations

from typing import Any

from kerasx import constraints, initializers, ops, regularizers
from kerasx.layers.convolutional.base_conv import ConvBase, positive_int, serialize_or_none
from kerasx.ops.conv_geometry import conv_geometry


class BaseDepthwiseConv(ConvBase):
    """The N-D depthwise convolution layer; DepthwiseConv1D/2D specialise it.

    Every input channel is convolved with its own `depth_multiplier` filters, so the output
    has ``in_channels * depth_multiplier`` channels. The kernel (named ``kernel``) has shape
    ``(*kernel_size, in_channels, depth_multiplier)``.

    Args:
        rank: the number of spatial dimensions (1 or 2).
        kernel_size: the window size, an int or a tuple of `rank` ints.
        strides: the step of the window, an int or a tuple of `rank` ints.
        padding: "valid" or "same".
        depth_multiplier: the number of filters per input channel.
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of `rank` ints.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        depthwise_initializer: how the kernel is initialized.
        bias_initializer: how the bias is initialized.
        depthwise_regularizer: a regularizer for the kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        depthwise_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    def __init__(
        self,
        rank: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            rank,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            bias_constraint=bias_constraint,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(*kernel_size, in_channels, depth_multiplier)`` and ``bias``.

        Args:
            input_shape: the input shape; its channel axis must be known.
        """
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self._build_bias(channels * self.depth_multiplier)
        self._finish_build(channels)

    def _convolve(self, inputs: Any) -> Any:
        return ops.depthwise_conv(
            inputs,
            self.kernel.value,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The output shape for `input_shape` (unknown sizes stay None)."""
        input_shape = tuple(input_shape)
        channels = input_shape[self._channel_axis]
        out_channels = None if channels is None else channels * self.depth_multiplier
        k_shape = (*self.kernel_size, 1, out_channels)
        geo = conv_geometry(
            input_shape, k_shape, self.strides, self.padding, self.data_format, self.dilation_rate
        )
        return tuple(geo.out_shape)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = self._base_config()
        config.update(
            {
                "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "depthwise_regularizer": serialize_or_none(
                    regularizers, self.depthwise_regularizer
                ),
                "depthwise_constraint": serialize_or_none(constraints, self.depthwise_constraint),
            }
        )
        return config


class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution: each input channel gets its own `depth_multiplier` filters.

    Inputs are ``(batch, steps, channels)`` ("channels_last") or ``(batch, channels,
    steps)`` ("channels_first"); the output has ``channels * depth_multiplier`` channels.

    Args:
        kernel_size: the window size, an int or a tuple of 1 int.
        strides: the step of the window, an int or a tuple of 1 int.
        padding: "valid" or "same".
        depth_multiplier: the number of filters per input channel.
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of 1 int.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        depthwise_initializer: how the kernel is initialized.
        bias_initializer: how the bias is initialized.
        depthwise_regularizer: a regularizer for the kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        depthwise_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    def __init__(
        self,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            1,
            kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution: each input channel gets its own `depth_multiplier` filters.

    Inputs are ``(batch, rows, cols, channels)`` ("channels_last") or ``(batch, channels,
    rows, cols)`` ("channels_first"); the output has ``channels * depth_multiplier``
    channels.

    Args:
        kernel_size: the window size, an int or a tuple of 2 ints.
        strides: the step of the window, an int or a tuple of 2 ints.
        padding: "valid" or "same".
        depth_multiplier: the number of filters per input channel.
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of 2 ints.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        depthwise_initializer: how the kernel is initialized.
        bias_initializer: how the bias is initialized.
        depthwise_regularizer: a regularizer for the kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        depthwise_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    def __init__(
        self,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            2,
            kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )

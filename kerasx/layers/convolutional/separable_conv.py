"""SeparableConv1D, SeparableConv2D: depthwise-then-pointwise convolution layers."""

from __future__ import annotations

from typing import Any

from kerasx import constraints, initializers, ops, regularizers
from kerasx.layers.convolutional.base_conv import ConvBase, positive_int, serialize_or_none
from kerasx.ops.conv_geometry import conv_geometry


class BaseSeparableConv(ConvBase):
    """The N-D separable convolution layer; SeparableConv1D/2D specialise it.

    A depthwise convolution (each input channel with its own `depth_multiplier` filters)
    followed by a pointwise (1x1) convolution that mixes the channels into `filters`
    outputs. Weights: ``depthwise_kernel`` ``(*kernel_size, in_channels, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, ..., 1, in_channels * depth_multiplier, filters)``, ``bias``.

    Args:
        rank: the number of spatial dimensions (1 or 2).
        filters: the number of output channels.
        kernel_size: the depthwise window size, an int or a tuple of `rank` ints.
        strides: the depthwise step, an int or a tuple of `rank` ints.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the depthwise taps, an int or a tuple of `rank` ints.
        depth_multiplier: the number of depthwise filters per input channel.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        depthwise_initializer: how the depthwise kernel is initialized.
        pointwise_initializer: how the pointwise kernel is initialized.
        bias_initializer: how the bias is initialized.
        depthwise_regularizer: a regularizer for the depthwise kernel.
        pointwise_regularizer: a regularizer for the pointwise kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        depthwise_constraint: a constraint applied to the depthwise kernel after updates.
        pointwise_constraint: a constraint applied to the pointwise kernel after updates.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
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
        self.filters = positive_int(filters, "filters")
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape: Any) -> None:
        """Create ``depthwise_kernel``, ``pointwise_kernel`` and ``bias``.

        Args:
            input_shape: the input shape; its channel axis must be known.
        """
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel",
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=((1,) * self.rank + (channels * self.depth_multiplier, self.filters)),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self._build_bias(self.filters)
        self._finish_build(channels)

    def _convolve(self, inputs: Any) -> Any:
        return ops.separable_conv(
            inputs,
            self.depthwise_kernel.value,
            self.pointwise_kernel.value,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The output shape for `input_shape` (unknown sizes stay None)."""
        input_shape = tuple(input_shape)
        k_shape = (*self.kernel_size, input_shape[self._channel_axis], self.filters)
        geo = conv_geometry(
            input_shape,
            k_shape,
            self.strides,
            self.padding,
            self.data_format,
            self.dilation_rate,
        )
        return tuple(geo.out_shape)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = self._base_config()
        config.update(
            {
                "filters": self.filters,
                "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "depthwise_regularizer": serialize_or_none(
                    regularizers, self.depthwise_regularizer
                ),
                "pointwise_regularizer": serialize_or_none(
                    regularizers, self.pointwise_regularizer
                ),
                "depthwise_constraint": serialize_or_none(constraints, self.depthwise_constraint),
                "pointwise_constraint": serialize_or_none(constraints, self.pointwise_constraint),
            }
        )
        return config


class SeparableConv1D(BaseSeparableConv):
    """1D separable convolution: a depthwise convolution, then a pointwise (1x1) one.

    Inputs are ``(batch, steps, channels)`` ("channels_last") or ``(batch, channels, steps)`` ("channels_first").
    Weights: ``depthwise_kernel`` ``(*kernel_size, in_channels, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, in_channels * depth_multiplier, filters)`` and ``bias``.

    Args:
        filters: the number of output channels.
        kernel_size: the depthwise window size, an int or a tuple of 1 ints.
        strides: the depthwise step, an int or a tuple of 1 ints.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the depthwise taps, an int or a tuple of 1 ints.
        depth_multiplier: the number of depthwise filters per input channel.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        depthwise_initializer: how the depthwise kernel is initialized.
        pointwise_initializer: how the pointwise kernel is initialized.
        bias_initializer: how the bias is initialized.
        depthwise_regularizer: a regularizer for the depthwise kernel.
        pointwise_regularizer: a regularizer for the pointwise kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        depthwise_constraint: a constraint applied to the depthwise kernel after updates.
        pointwise_constraint: a constraint applied to the pointwise kernel after updates.
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
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
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
            depth_multiplier=depth_multiplier,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution: a depthwise convolution, then a pointwise (1x1) one.

    Inputs are ``(batch, rows, cols, channels)`` ("channels_last") or ``(batch, channels, rows, cols)`` ("channels_first").
    Weights: ``depthwise_kernel`` ``(*kernel_size, in_channels, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, 1, in_channels * depth_multiplier, filters)`` and ``bias``.

    Args:
        filters: the number of output channels.
        kernel_size: the depthwise window size, an int or a tuple of 2 ints.
        strides: the depthwise step, an int or a tuple of 2 ints.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the depthwise taps, an int or a tuple of 2 ints.
        depth_multiplier: the number of depthwise filters per input channel.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        depthwise_initializer: how the depthwise kernel is initialized.
        pointwise_initializer: how the pointwise kernel is initialized.
        bias_initializer: how the bias is initialized.
        depthwise_regularizer: a regularizer for the depthwise kernel.
        pointwise_regularizer: a regularizer for the pointwise kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        depthwise_constraint: a constraint applied to the depthwise kernel after updates.
        pointwise_constraint: a constraint applied to the pointwise kernel after updates.
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
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
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
            depth_multiplier=depth_multiplier,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D

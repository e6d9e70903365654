"""Conv1DTranspose, Conv2DTranspose, Conv3DTranspose: transposed convolution layers."""

from __future__ import annotations

from typing import Any

from kerasx import constraints, initializers, ops, regularizers
from kerasx.layers.convolutional.base_conv import (
    ConvBase,
    check_strides_dilation,
    int_tuple,
    positive_int,
    serialize_or_none,
)
from kerasx.ops.conv_geometry import conv_transpose_geometry


class BaseConvTranspose(ConvBase):
    """The N-D transposed convolution layer; Conv1D/2D/3DTranspose specialise it.

    A transposed convolution maps each input position to a kernel-sized patch of the
    output (the gradient of a strided convolution with respect to its input), so it
    upsamples by `strides`. The kernel has shape ``(*kernel_size, filters, in_channels)``.

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        filters: the number of output channels.
        kernel_size: the window size, an int or a tuple of `rank` ints.
        strides: the upsampling step, an int or a tuple of `rank` ints.
        padding: "valid" or "same".
        output_padding: None (inferred from the other arguments) or an int / tuple of
            `rank` ints, each smaller than its stride: extra size added at the end of
            each spatial dimension of the output.
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of `rank` ints.
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
        rank: int,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = 1,
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
        if output_padding is not None:
            output_padding = int_tuple(output_padding, rank, "output_padding", minimum=0)
            for dim, (pad, stride) in enumerate(zip(output_padding, self.strides)):
                if pad >= stride:
                    raise ValueError(
                        "Received an invalid value for `output_padding`, expected each entry "
                        f"to be smaller than the matching stride; dimension {dim} has "
                        f"output_padding {pad} and stride {stride}. Received: "
                        f"output_padding={output_padding}, strides={self.strides}"
                    )
        self.output_padding = output_padding
        check_strides_dilation(self.strides, self.dilation_rate)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(*kernel_size, filters, in_channels)`` and ``bias``.

        Args:
            input_shape: the input shape; its channel axis must be known.
        """
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._build_bias(self.filters)
        self._finish_build(channels)

    def _convolve(self, inputs: Any) -> Any:
        return ops.conv_transpose(
            inputs,
            self.kernel.value,
            strides=self.strides,
            padding=self.padding,
            output_padding=self.output_padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The output shape for `input_shape` (unknown spatial sizes stay None)."""
        input_shape = tuple(input_shape)
        k_shape = (*self.kernel_size, self.filters, input_shape[self._channel_axis])
        geo = conv_transpose_geometry(
            input_shape,
            k_shape,
            self.strides,
            self.padding,
            self.output_padding,
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
                "output_padding": self.output_padding,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": serialize_or_none(regularizers, self.kernel_regularizer),
                "kernel_constraint": serialize_or_none(constraints, self.kernel_constraint),
            }
        )
        return config


class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution layer (sometimes called deconvolution).

    Each input position spreads a ``kernel_size`` patch into the output, so `strides`
    upsamples. The kernel has shape ``(*kernel_size, filters, in_channels)``. Inputs are
    ``(batch, steps, channels)`` for "channels_last" and ``(batch, channels, steps)`` for "channels_first".

    Args:
        filters: the number of output channels.
        kernel_size: the window size, an int or a tuple of 1 ints.
        strides: the upsampling step, an int or a tuple of 1 ints.
        padding: "valid" or "same".
        output_padding: None (inferred) or an int / tuple of 1 ints, each smaller than
            its stride: extra size at the end of each spatial dimension of the output.
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of 1 ints (a
            rate above 1 cannot be combined with a stride above 1).
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
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = 1,
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
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution layer (sometimes called deconvolution).

    Each input position spreads a ``kernel_size`` patch into the output, so `strides`
    upsamples. The kernel has shape ``(*kernel_size, filters, in_channels)``. Inputs are
    ``(batch, rows, cols, channels)`` for "channels_last" and ``(batch, channels, rows, cols)`` for "channels_first".

    Args:
        filters: the number of output channels.
        kernel_size: the window size, an int or a tuple of 2 ints.
        strides: the upsampling step, an int or a tuple of 2 ints.
        padding: "valid" or "same".
        output_padding: None (inferred) or an int / tuple of 2 ints, each smaller than
            its stride: extra size at the end of each spatial dimension of the output.
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of 2 ints (a
            rate above 1 cannot be combined with a stride above 1).
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
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
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
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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


class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution layer (sometimes called deconvolution).

    Each input position spreads a ``kernel_size`` patch into the output, so `strides`
    upsamples. The kernel has shape ``(*kernel_size, filters, in_channels)``. Inputs are
    ``(batch, d1, d2, d3, channels)`` for "channels_last" and ``(batch, channels, d1, d2, d3)`` for "channels_first".

    Args:
        filters: the number of output channels.
        kernel_size: the window size, an int or a tuple of 3 ints.
        strides: the upsampling step, an int or a tuple of 3 ints.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first" (None: the configured default).
        output_padding: None (inferred) or an int / tuple of 3 ints, each smaller than
            its stride: extra size at the end of each spatial dimension of the output.
        dilation_rate: the spacing of the kernel taps, an int or a tuple of 3 ints (a
            rate above 1 cannot be combined with a stride above 1).
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
        output_padding: Any = None,
        dilation_rate: Any = (1, 1, 1),
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
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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


Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose

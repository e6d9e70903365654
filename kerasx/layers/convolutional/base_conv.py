"""Shared machinery of the convolution layers: argument checks and the regular conv base."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import activations, config, constraints, initializers, ops, regularizers
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.ops.conv_fused import _conv_bias_activation
from kerasx.ops.conv_geometry import conv_geometry

_relu = activations.relu
_linear = activations.linear


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(value: Any, name: str) -> int:
    """`value` as an int, or a ValueError naming `name` when it is not a positive integer."""
    if not _is_int(value) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive integer. "
            f"Received: {name}={value!r}"
        )
    return int(value)


def int_tuple(value: Any, rank: int, name: str, minimum: int = 1) -> tuple[int, ...]:
    """`value` (an int or `rank` ints, each >= `minimum`) as a tuple of `rank` ints."""
    if _is_int(value):
        values: tuple = (int(value),) * rank
    elif isinstance(value, (list, tuple)) and all(_is_int(v) for v in value):
        values = tuple(int(v) for v in value)
    else:
        values = ()
    if len(values) != rank or any(v < minimum for v in values):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int or a tuple of {rank} "
            f"integers, each >= {minimum}. Received: {name}={value!r}"
        )
    return values


def standardize_padding(padding: Any, allow_causal: bool = False) -> str:
    """Lower-cased 'valid' / 'same' (and 'causal' when allowed), or a ValueError."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    mode = padding.lower() if isinstance(padding, str) else None
    if mode not in allowed:
        raise ValueError(
            "Received an invalid value for `padding`, expected one of "
            f"{', '.join(repr(a) for a in allowed)}. Received: padding={padding!r}"
        )
    return mode


def standardize_data_format(data_format: Any) -> str:
    """'channels_last' / 'channels_first'; None reads `kerasx.config.image_data_format()`."""
    if data_format is None:
        return config.image_data_format()
    value = data_format.lower() if isinstance(data_format, str) else None
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            "Received an invalid value for `data_format`, expected 'channels_last' or "
            f"'channels_first'. Received: data_format={data_format!r}"
        )
    return value


def check_strides_dilation(strides: tuple, dilation_rate: tuple) -> None:
    """Strides above 1 cannot be combined with dilation rates above 1 (as in Keras)."""
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(
            "Received incompatible values for `strides` and `dilation_rate`: a stride above 1 "
            "cannot be combined with a dilation rate above 1. Received: "
            f"strides={strides}, dilation_rate={dilation_rate}"
        )


def serialize_or_none(module: Any, obj: Any) -> Any:
    """``module.serialize(obj)``, or None for None."""
    return None if obj is None else module.serialize(obj)


class ConvBase(Layer):
    """What every convolution layer shares: geometry arguments, activation, bias, input spec.

    Subclasses create their kernels in `build` (calling `_input_channels` first) and compute
    the convolution in `_convolve`; this class adds the bias and the activation.

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        kernel_size: an int or a tuple of `rank` ints.
        strides: an int or a tuple of `rank` ints.
        padding: "valid" or "same" ("causal" too where the subclass allows it).
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: an int or a tuple of `rank` ints.
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        bias_initializer: how the bias is initialized.
        bias_regularizer: a regularizer for the bias.
        bias_constraint: a constraint applied to the bias after each update.
        allow_causal: whether "causal" padding is accepted.
        **kwargs: base `Layer` arguments (name, dtype, trainable, activity_regularizer, ...).
    """

    _auto_config = False

    def __init__(
        self,
        rank: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        bias_initializer: Any = "zeros",
        bias_regularizer: Any = None,
        bias_constraint: Any = None,
        allow_causal: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.rank = rank
        self.kernel_size = int_tuple(kernel_size, rank, "kernel_size")
        self.strides = int_tuple(strides, rank, "strides")
        self.dilation_rate = int_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)

    # ------------------------------------------------------------------ helpers

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _input_channels(self, input_shape: Any) -> int:
        """The input's channel count (which must be known), checked against the rank."""
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects inputs of rank "
                f"{self.rank + 2} (batch, {self.rank} spatial dims, channels). Received: "
                f"input_shape={input_shape}"
            )
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(
                f"The channel dimension of the inputs to layer '{self.name}' "
                f"({type(self).__name__}) must be known to create its weights, but it is None "
                f"(data_format={self.data_format!r}). Received: input_shape={input_shape}"
            )
        return int(channels)

    def _build_bias(self, size: int) -> None:
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(size,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None

    def _finish_build(self, channels: int) -> None:
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _convolve(self, inputs: Any) -> Any:
        raise NotImplementedError

    def call(self, inputs: Any) -> Any:
        """Convolve `inputs`, add the bias and apply the activation.

        Args:
            inputs: a tensor of rank ``rank + 2`` in `data_format` layout.

        Returns:
            The convolved tensor, in `data_format` layout.
        """
        x = self._convolve(inputs)
        if self.bias is not None:
            bias = self.bias.value
            if self.data_format == "channels_first":
                bias = ops.reshape(bias, (-1,) + (1,) * self.rank)
            x = ops.add(x, bias)
        activation = self.activation
        if activation is _relu:
            return ops.relu(x)
        if activation is not None:
            x = activation(x)
        return x

    def _base_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "bias_regularizer": serialize_or_none(regularizers, self.bias_regularizer),
                "activity_regularizer": serialize_or_none(regularizers, self.activity_regularizer),
                "bias_constraint": serialize_or_none(constraints, self.bias_constraint),
            }
        )
        return config


class BaseConv(ConvBase):
    """The regular (optionally grouped) N-D convolution layer; Conv1D/2D/3D specialise it.

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        filters: the number of output channels (a positive multiple of `groups`).
        kernel_size: the window size, an int or a tuple of `rank` ints.
        strides: the step of the window, an int or a tuple of `rank` ints.
        padding: "valid", "same" (and "causal" for Conv1D).
        data_format: "channels_last" or "channels_first" (None: the configured default).
        dilation_rate: the spacing of the kernel taps, an int or a tuple of `rank` ints.
        groups: the number of channel groups convolved independently (it divides both the
            input channels and `filters`).
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
            allow_causal=rank == 1,
            **kwargs,
        )
        self.filters = positive_int(filters, "filters")
        self.groups = positive_int(groups, "groups")
        if self.filters % self.groups:
            raise ValueError(
                "Received incompatible values for `filters` and `groups`: the number of "
                "filters must be a multiple of the number of groups. Received: "
                f"filters={filters}, groups={groups}"
            )
        check_strides_dilation(self.strides, self.dilation_rate)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(*kernel_size, in_channels // groups, filters)`` and ``bias``.

        Args:
            input_shape: the input shape; its channel axis must be known.
        """
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"The number of input channels of layer '{self.name}' must be a multiple of "
                f"`groups`. Received: groups={self.groups}, input channels={channels} "
                f"(input_shape={tuple(input_shape)}, data_format={self.data_format!r})"
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._build_bias(self.filters)
        self._finish_build(channels)

    def _causal_left_pad(self) -> int:
        return self.dilation_rate[0] * (self.kernel_size[0] - 1)

    def _causal_inputs(self, inputs: Any) -> tuple:
        """`inputs` and the padding to convolve them with ('causal' pads them here)."""
        padding = self.padding
        if padding == "causal":
            pad = [[0, 0], [0, 0], [0, 0]]
            pad[1 if self.data_format == "channels_last" else 2][0] = self._causal_left_pad()
            inputs = ops.pad(inputs, pad)
            padding = "valid"
        return inputs, padding

    def _convolve(self, inputs: Any) -> Any:
        inputs, padding = self._causal_inputs(inputs)
        return ops.conv(
            inputs,
            self.kernel.value,
            strides=self.strides,
            padding=padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )

    def call(self, inputs: Any) -> Any:
        """Convolve `inputs`, add the bias and apply the activation.

        With a bias and a ReLU (or no) activation, the three steps are one op
        (``_conv_bias_activation``: the same numbers, fewer passes over the output).

        Args:
            inputs: a tensor of rank ``rank + 2`` in `data_format` layout.

        Returns:
            The convolved tensor, in `data_format` layout.
        """
        activation = self.activation
        if self.bias is None or (activation is not _relu and activation is not _linear):
            return super().call(inputs)
        inputs, padding = self._causal_inputs(inputs)
        return _conv_bias_activation(
            inputs,
            self.kernel.value,
            self.bias.value,
            strides=self.strides,
            padding=padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
            activation="relu" if activation is _relu else None,
        )

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The output shape for `input_shape` (unknown spatial sizes stay None)."""
        shape = list(input_shape)
        padding = self.padding
        if padding == "causal":
            axis = 1 if self.data_format == "channels_last" else 2
            if shape[axis] is not None:
                shape[axis] += self._causal_left_pad()
            padding = "valid"
        channels = shape[self._channel_axis]
        k_shape = (
            *self.kernel_size,
            None if channels is None else channels // self.groups,
            self.filters,
        )
        geo = conv_geometry(
            tuple(shape), k_shape, self.strides, padding, self.data_format, self.dilation_rate
        )
        return tuple(geo.out_shape)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = self._base_config()
        config.update(
            {
                "filters": self.filters,
                "groups": self.groups,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": serialize_or_none(regularizers, self.kernel_regularizer),
                "kernel_constraint": serialize_or_none(constraints, self.kernel_constraint),
            }
        )
        return config

"""`ConvLSTM1D`, `ConvLSTM2D`, `ConvLSTM3D`: LSTMs whose products are convolutions."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import activations, ops
from kerasx import config as _config
from kerasx.layers.layer import Layer
from kerasx.layers.rnn.dropout_rnn_cell import (
    DropoutRNNCell,
    cell_args_config,
    check_positive_int,
    dropped,
    init_cell_args,
)
from kerasx.layers.rnn.rnn import RNN, rnn_layer_config


def _int_tuple(value: Any, rank: int, arg: str) -> tuple:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value),) * rank
    if (
        not isinstance(value, (list, tuple))
        or len(value) != rank
        or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in value
        )
    ):
        raise ValueError(
            f"Received an invalid value for argument `{arg}`, expected a positive int or a "
            f"tuple of {rank} positive ints. Received: {arg}={value!r}"
        )
    return tuple(int(v) for v in value)


def _padding(padding: Any) -> str:
    p = padding.lower() if isinstance(padding, str) else padding
    if p not in ("valid", "same"):
        raise ValueError(
            "Received an invalid value for argument `padding`, expected 'valid' or 'same'. "
            f"Received: padding={padding!r}"
        )
    return p


def _data_format(data_format: Any) -> str:
    fmt = _config.image_data_format() if data_format is None else data_format
    fmt = fmt.lower() if isinstance(fmt, str) else fmt
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            "Received an invalid value for argument `data_format`, expected 'channels_last' or "
            f"'channels_first'. Received: data_format={data_format!r}"
        )
    return fmt


def _conv_length(n: Any, k: int, padding: str, stride: int, dilation: int) -> Any:
    if n is None:
        return None
    if padding == "same":
        return -(-n // stride)
    return (n - dilation * (k - 1) - 1) // stride + 1


class ConvLSTMCell(DropoutRNNCell, Layer):
    """One ConvLSTM step (states ``[h, c]``, each an image of `filters` channels).

    Like `LSTMCell`, with the input product a convolution by ``kernel`` (`strides`,
    `padding`, `dilation_rate`) and the recurrent product a "same" convolution by
    ``recurrent_kernel``; gates in the order i, f, c, o.

    Args:
        rank: 1, 2 or 3 spatial dimensions.
        filters: output channels.
        kernel_size, strides, padding, data_format, dilation_rate: the input convolution.
        Other arguments: as in `LSTMCell`.
    """

    _auto_config = False

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.rank = rank
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = _int_tuple(kernel_size, rank, "kernel_size")
        self.strides = _int_tuple(strides, rank, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)
        self.dilation_rate = _int_tuple(dilation_rate, rank, "dilation_rate")
        init_cell_args(
            self,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
        )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.filters, self.filters]

    def build(self, inputs_shape: Any) -> None:
        """Create ``kernel``, ``recurrent_kernel`` and ``bias``."""
        channel_axis = 1 if self.data_format == "channels_first" else -1
        in_ch = inputs_shape[channel_axis]
        if in_ch is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. "
                f"Received: input_shape={tuple(inputs_shape)}"
            )
        f = self.filters
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, int(in_ch), 4 * f),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(*self.kernel_size, f, 4 * f),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                base = self.bias_initializer

                def init(shape: Any, dtype: Any = None) -> Any:
                    return ops.concatenate(
                        [
                            base((f,), dtype=dtype),
                            ops.ones((f,), dtype=dtype),
                            base((2 * f,), dtype=dtype),
                        ]
                    )

            self.bias = self.add_weight(
                shape=(4 * f,),
                name="bias",
                initializer=init,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.built = True

    def _bias_shape(self) -> tuple:
        if self.data_format == "channels_first":
            return (1, self.filters) + (1,) * self.rank
        return (self.filters,)

    def call(self, inputs: Any, states: Any, training: Any = False) -> Any:
        """One step: returns ``(h, [h, c])``."""
        h_tm1, c_tm1 = states[0], states[1]
        x = dropped(inputs, self.get_dropout_mask(inputs) if training else None, training)
        h_in = dropped(
            h_tm1, self.get_recurrent_dropout_mask(h_tm1) if training else None, training
        )
        ks = ops.split(self.kernel, 4, axis=-1)
        rks = ops.split(self.recurrent_kernel, 4, axis=-1)
        bs = ops.split(self.bias, 4) if self.bias is not None else [None] * 4
        parts = []
        for k, rk, b in zip(ks, rks, bs):
            z = ops.conv(
                x,
                k,
                strides=self.strides,
                padding=self.padding,
                data_format=self.data_format,
                dilation_rate=self.dilation_rate,
            )
            if b is not None:
                z = ops.add(z, ops.reshape(b, self._bias_shape()))
            z = ops.add(
                z, ops.conv(h_in, rk, strides=1, padding="same", data_format=self.data_format)
            )
            parts.append(z)
        i = self.recurrent_activation(parts[0])
        f = self.recurrent_activation(parts[1])
        c = ops.add(ops.multiply(f, c_tm1), ops.multiply(i, self.activation(parts[2])))
        o = self.recurrent_activation(parts[3])
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def output_spatial_shape(self, spatial: tuple) -> tuple:
        """The spatial shape of the states for inputs of spatial shape `spatial`."""
        return tuple(
            _conv_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        )

    def get_config(self) -> dict:
        """The cell's config."""
        config = super().get_config()
        config.update(_conv_config(self))
        config.update(cell_args_config(self))
        return config


def _conv_config(cell: ConvLSTMCell) -> dict:
    return {
        "filters": cell.filters,
        "kernel_size": cell.kernel_size,
        "strides": cell.strides,
        "padding": cell.padding,
        "data_format": cell.data_format,
        "dilation_rate": cell.dilation_rate,
        "unit_forget_bias": cell.unit_forget_bias,
    }


class ConvLSTM(RNN):
    """The shared implementation of `ConvLSTM1D`, `ConvLSTM2D` and `ConvLSTM3D`."""

    _rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        **kwargs: Any,
    ) -> None:
        cell = ConvLSTMCell(
            self._rank,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="conv_lstm_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.__dict__["_kx_seq_shape"] = None

    def __getattr__(self, name: str) -> Any:
        # filters, kernel_size, ... read through to the cell, as in Keras.
        if name.startswith("_") or "cell" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["cell"], name)

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        """Check the input rank, then build as `RNN`."""
        sequences_shape = tuple(sequences_shape)
        if len(sequences_shape) != self._rank + 3:
            raise ValueError(
                f"{type(self).__name__} expects inputs of rank {self._rank + 3} (batch, time, "
                f"{self._rank} spatial axes and channels). Received: "
                f"sequences.shape={sequences_shape}"
            )
        super().build(sequences_shape, initial_state_shape)

    def _kx_build_hook(self, sequences_shape: tuple) -> None:
        self.__dict__["_kx_seq_shape"] = tuple(sequences_shape)

    def _state_shape(self, sequences_shape: tuple) -> tuple:
        cell = self.cell
        step = tuple(sequences_shape)[2:]
        if cell.data_format == "channels_first":
            return (cell.filters, *cell.output_spatial_shape(step[1:]))
        return (*cell.output_spatial_shape(step[:-1]), cell.filters)

    def get_initial_state(self, batch_size: Any) -> list:
        """Zero ``[h, c]`` images of the input convolution's output shape."""
        shape = self.__dict__.get("_kx_seq_shape")
        if shape is None:
            raise ValueError(
                f"Layer '{self.name}' must be built before its initial state can be computed."
            )
        state = self._state_shape(shape)
        return [ops.zeros((batch_size, *state), dtype=self.compute_dtype) for _ in range(2)]

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        """``(batch, [time,] *spatial, filters)`` (channels_last), plus the states."""
        sequences_shape = tuple(sequences_shape)
        batch = sequences_shape[0]
        state = self._state_shape(sequences_shape)
        out = (batch, sequences_shape[1], *state) if self.return_sequences else (batch, *state)
        if self.return_state:
            return (out, (batch, *state), (batch, *state))
        return out

    def get_config(self) -> dict:
        """Keras's ConvLSTM config."""
        config = rnn_layer_config(self)
        config.update(_conv_config(self.cell))
        config.update(cell_args_config(self.cell))
        return config


class ConvLSTM1D(ConvLSTM):
    """A convolutional LSTM over sequences of 1-D signals ``(batch, time, steps, channels)``.

    Args:
        filters: the number of output channels.
        kernel_size: an int or a tuple of 1 int.
        strides, padding ("valid" or "same"), data_format, dilation_rate: the input
            convolution (the recurrent one is a "same" convolution with stride 1).
        Other arguments: as in `LSTM`.
    """

    _rank = 1


class ConvLSTM2D(ConvLSTM):
    """A convolutional LSTM over sequences of images ``(batch, time, rows, cols, channels)``.

    Args:
        filters: the number of output channels.
        kernel_size: an int or a tuple of 2 ints.
        strides, padding ("valid" or "same"), data_format, dilation_rate: the input
            convolution (the recurrent one is a "same" convolution with stride 1).
        Other arguments: as in `LSTM`.
    """

    _rank = 2


class ConvLSTM3D(ConvLSTM):
    """A convolutional LSTM over sequences of volumes ``(batch, time, d1, d2, d3, channels)``.

    Args:
        filters: the number of output channels.
        kernel_size: an int or a tuple of 3 ints.
        strides, padding ("valid" or "same"), data_format, dilation_rate: the input
            convolution (the recurrent one is a "same" convolution with stride 1).
        Other arguments: as in `LSTM`.
    """

    _rank = 3

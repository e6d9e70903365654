"""`LSTMCell` and `LSTM`: the long short-term memory layer (gates in Keras's order i, f, c, o)."""

from __future__ import annotations

from typing import Any

from kerasx import activations, ops
from kerasx.layers.layer import Layer
from kerasx.layers.rnn import fused
from kerasx.layers.rnn.dropout_rnn_cell import (
    DropoutRNNCell,
    cell_args_config,
    check_positive_int,
    dropped,
    init_cell_args,
)
from kerasx.layers.rnn.rnn import RNN, rnn_layer_config


class LSTMCell(DropoutRNNCell, Layer):
    """One LSTM step with states ``[h, c]``.

    With ``z = x @ kernel + h @ recurrent_kernel + bias`` split into four blocks of `units`
    (input, forget, candidate, output gates, in this order):
    ``c' = f * c + i * activation(z_c)`` and ``h' = o * activation(c')``, where ``i, f, o``
    are `recurrent_activation` of their blocks. The output is ``h'``.

    Args:
        units: the size of the output and of each state.
        activation: the activation of the candidate and of the cell state (default tanh).
        recurrent_activation: the activation of the gates (default sigmoid).
        use_bias: whether to add a bias vector.
        kernel_initializer: initializer of ``kernel`` ``(input_dim, 4 * units)``.
        recurrent_initializer: initializer of ``recurrent_kernel`` ``(units, 4 * units)``.
        bias_initializer: initializer of ``bias`` ``(4 * units,)``.
        unit_forget_bias: initialize the forget gate's bias to ones (the rest with
            `bias_initializer`).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        dropout: fraction of the inputs dropped while training (one mask per sequence).
        recurrent_dropout: fraction of ``h`` dropped while training.
        seed: seed of the dropout masks.
        **kwargs: base `Layer` arguments.
    """

    _auto_config = False

    def __init__(
        self,
        units: int,
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
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")
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
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape: Any) -> None:
        """Create ``kernel``, ``recurrent_kernel`` and ``bias``."""
        units = self.units
        self.kernel = self.add_weight(
            shape=(int(input_shape[-1]), 4 * units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(units, 4 * units),
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
                            base((units,), dtype=dtype),
                            ops.ones((units,), dtype=dtype),
                            base((2 * units,), dtype=dtype),
                        ]
                    )

            self.bias = self.add_weight(
                shape=(4 * units,),
                name="bias",
                initializer=init,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.built = True

    def call(self, inputs: Any, states: Any, training: Any = False) -> Any:
        """One step: returns ``(h, [h, c])``."""
        h_tm1, c_tm1 = states[0], states[1]
        x = dropped(inputs, self.get_dropout_mask(inputs) if training else None, training)
        h_in = dropped(
            h_tm1, self.get_recurrent_dropout_mask(h_tm1) if training else None, training
        )
        z = ops.add(ops.matmul(x, self.kernel), ops.matmul(h_in, self.recurrent_kernel))
        if self.bias is not None:
            z = ops.add(z, self.bias)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = ops.add(ops.multiply(f, c_tm1), ops.multiply(i, self.activation(z_c)))
        o = self.recurrent_activation(z_o)
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def get_initial_state(self, batch_size: Any = None) -> list:
        """Zeros ``[h, c]``, each ``(batch_size, units)``."""
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in range(2)]

    def get_config(self) -> dict:
        """Keras's LSTMCell config."""
        config = super().get_config()
        config.update({"units": self.units, "unit_forget_bias": self.unit_forget_bias})
        config.update(cell_args_config(self))
        return config


class LSTM(RNN):
    """Long short-term memory layer over ``(batch, timesteps, features)`` inputs.

    The weights live in the ``cell`` (an `LSTMCell` named ``lstm_cell``): ``kernel``,
    ``recurrent_kernel`` and ``bias`` with the gates in the order i, f, c, o, exactly as Keras,
    so weights move between the two. With the default activations, no recurrent dropout and
    no unrolling, the whole sequence runs as one fused op (same numbers as the step loop).

    Args:
        units: the size of the output and of each state.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias, kernel_regularizer,
        recurrent_regularizer, bias_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout, seed: as in `LSTMCell`.
        activity_regularizer: a regularizer of the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll: as in `RNN`.
        use_cudnn: accepted for Keras compatibility (kerasx has no cuDNN path).
        **kwargs: base `Layer` arguments (and ``zero_output_for_mask``).
    """

    def __init__(
        self,
        units: int,
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
        unroll: bool = False,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        cell = LSTMCell(
            units,
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
            name="lstm_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.use_cudnn = use_cudnn

    def __getattr__(self, name: str) -> Any:
        # units, activation, dropout, ... read through to the cell, as in Keras.
        if name.startswith("_") or "cell" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["cell"], name)

    def _kx_fused(self, sequences: Any, init: list, mask: Any, training: Any) -> Any:
        return fused.run_lstm(self, sequences, init, mask, training)

    def get_config(self) -> dict:
        """Keras's LSTM config."""
        config = rnn_layer_config(self)
        config.update({"units": self.cell.units, "unit_forget_bias": self.cell.unit_forget_bias})
        config.update(cell_args_config(self.cell))
        return config

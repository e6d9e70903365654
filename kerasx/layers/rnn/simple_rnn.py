"""`SimpleRNNCell` and `SimpleRNN`: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel
+ bias)``."""

from __future__ import annotations

from typing import Any

from kerasx import ops
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


class SimpleRNNCell(DropoutRNNCell, Layer):
    """One step of a fully connected recurrent network whose output is its state.

    Args:
        units: the size of the output and state (a positive integer).
        activation: the activation of the new state (default tanh).
        use_bias: whether to add a bias vector.
        kernel_initializer: initializer of ``kernel`` ``(input_dim, units)``.
        recurrent_initializer: initializer of ``recurrent_kernel`` ``(units, units)``.
        bias_initializer: initializer of ``bias`` ``(units,)``.
        kernel_regularizer: regularizer of the kernel.
        recurrent_regularizer: regularizer of the recurrent kernel.
        bias_regularizer: regularizer of the bias.
        kernel_constraint: constraint of the kernel.
        recurrent_constraint: constraint of the recurrent kernel.
        bias_constraint: constraint of the bias.
        dropout: fraction of the inputs dropped while training (one mask per sequence).
        recurrent_dropout: fraction of the previous state dropped while training.
        seed: seed of the dropout masks.
        **kwargs: base `Layer` arguments.
    """

    _auto_config = False

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
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
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape: Any) -> None:
        """Create ``kernel``, ``recurrent_kernel`` and ``bias``."""
        self.kernel = self.add_weight(
            shape=(int(input_shape[-1]), self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.built = True

    def call(self, sequence: Any, states: Any, training: Any = False) -> Any:
        """One step: returns ``(output, new_states)`` (the state is the output).

        Args:
            sequence: the step's input ``(batch, input_dim)``.
            states: the previous state, a tensor or a one-element list.
            training: whether dropout applies.
        """
        prev = states[0] if isinstance(states, (list, tuple)) else states
        x = dropped(sequence, self.get_dropout_mask(sequence) if training else None, training)
        h = ops.matmul(x, self.kernel)
        if self.bias is not None:
            h = ops.add(h, self.bias)
        prev_d = dropped(
            prev, self.get_recurrent_dropout_mask(prev) if training else None, training
        )
        output = ops.add(h, ops.matmul(prev_d, self.recurrent_kernel))
        if self.activation is not None:
            output = self.activation(output)
        new_state = [output] if isinstance(states, (list, tuple)) else output
        return output, new_state

    def get_initial_state(self, batch_size: Any = None) -> list:
        """Zeros of shape ``(batch_size, units)`` in a list."""
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self) -> dict:
        """Keras's SimpleRNNCell config."""
        config = super().get_config()
        config["units"] = self.units
        config.update(cell_args_config(self))
        return config


class SimpleRNN(RNN):
    """A fully connected recurrent layer whose output is fed back as its state.

    Takes ``(batch, timesteps, features)`` and returns the last output ``(batch, units)``
    (or every output with `return_sequences`). The weights live in the ``cell`` (a
    `SimpleRNNCell` named ``simple_rnn_cell``), as in Keras.

    Args:
        units: the size of the output and state.
        activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed: as in
            `SimpleRNNCell`.
        activity_regularizer: a regularizer of the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll: as in `RNN`.
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        cell = SimpleRNNCell(
            units,
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
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell",
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

    def __getattr__(self, name: str) -> Any:
        # units, activation, dropout, ... read through to the cell, as in Keras.
        if name.startswith("_") or "cell" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["cell"], name)

    def _kx_fused(self, sequences: Any, init: list, mask: Any, training: Any) -> Any:
        return fused.run_simple_rnn(self, sequences, init, mask, training)

    def get_config(self) -> dict:
        """Keras's SimpleRNN config (the cell's arguments, without `seed`, as Keras)."""
        config = rnn_layer_config(self)
        config["units"] = self.cell.units
        config.update(cell_args_config(self.cell))
        del config["seed"]
        return config

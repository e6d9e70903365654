"""`GRUCell` and `GRU`: the gated recurrent unit (gates in Keras's order z, r, h)."""

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


class GRUCell(DropoutRNNCell, Layer):
    """One GRU step; the state (and output) is ``h``.

    The kernels hold three blocks of `units` in the order update ``z``, reset ``r``, candidate
    ``h``. ``h' = z * h + (1 - z) * activation(x_h + r * (h @ U_h + b_h))`` with
    ``reset_after=True`` (the reset gate applied after the recurrent product; the bias then has
    shape ``(2, 3 * units)``: input and recurrent biases), or
    ``activation(x_h + (r * h) @ U_h)`` with ``reset_after=False`` (bias ``(3 * units,)``).

    Args:
        units: the size of the output and state.
        activation: the candidate's activation (default tanh).
        recurrent_activation: the gates' activation (default sigmoid).
        use_bias: whether to add biases.
        kernel_initializer, recurrent_initializer, bias_initializer: weight initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        dropout: fraction of the inputs dropped while training (one mask per sequence).
        recurrent_dropout: fraction of ``h`` dropped while training.
        reset_after: apply the reset gate after the recurrent matrix product.
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
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        reset_after: bool = True,
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
        self.reset_after = bool(reset_after)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape: Any) -> None:
        """Create ``kernel``, ``recurrent_kernel`` and ``bias``."""
        units = self.units
        self.kernel = self.add_weight(
            shape=(int(input_shape[-1]), 3 * units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(units, 3 * units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(2, 3 * units) if self.reset_after else (3 * units,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.built = True

    def call(self, inputs: Any, states: Any, training: Any = False) -> Any:
        """One step: returns ``(h, [h])`` (or ``(h, h)`` when `states` is a tensor)."""
        nested = isinstance(states, (list, tuple))
        h_tm1 = states[0] if nested else states
        units = self.units
        x = dropped(inputs, self.get_dropout_mask(inputs) if training else None, training)
        h_in = dropped(
            h_tm1, self.get_recurrent_dropout_mask(h_tm1) if training else None, training
        )
        if self.bias is not None:
            if self.reset_after:
                input_bias, recurrent_bias = self.bias[0], self.bias[1]
            else:
                input_bias, recurrent_bias = self.bias, None
        else:
            input_bias = recurrent_bias = None
        xz = ops.matmul(x, self.kernel)
        if input_bias is not None:
            xz = ops.add(xz, input_bias)
        x_z, x_r, x_h = ops.split(xz, 3, axis=-1)
        u = self.recurrent_kernel
        if self.reset_after:
            inner = ops.matmul(h_in, u)
            if recurrent_bias is not None:
                inner = ops.add(inner, recurrent_bias)
            r_z, r_r, r_h = ops.split(inner, 3, axis=-1)
            z = self.recurrent_activation(ops.add(x_z, r_z))
            r = self.recurrent_activation(ops.add(x_r, r_r))
            hh = self.activation(ops.add(x_h, ops.multiply(r, r_h)))
        else:
            r_zr = ops.matmul(h_in, u[:, : 2 * units])
            r_z, r_r = ops.split(r_zr, 2, axis=-1)
            z = self.recurrent_activation(ops.add(x_z, r_z))
            r = self.recurrent_activation(ops.add(x_r, r_r))
            hh = self.activation(ops.add(x_h, ops.matmul(ops.multiply(r, h_in), u[:, 2 * units :])))
        h = ops.add(ops.multiply(z, h_tm1), ops.multiply(ops.subtract(1.0, z), hh))
        return h, ([h] if nested else h)

    def get_initial_state(self, batch_size: Any = None) -> list:
        """Zeros ``(batch_size, units)`` in a list."""
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self) -> dict:
        """Keras's GRUCell config."""
        config = super().get_config()
        config.update({"units": self.units, "reset_after": self.reset_after})
        config.update(cell_args_config(self))
        return config


class GRU(RNN):
    """Gated recurrent unit layer over ``(batch, timesteps, features)`` inputs.

    The weights live in the ``cell`` (a `GRUCell` named ``gru_cell``), in Keras's layout, so
    weights move between the two. With the default activations, no recurrent dropout and no
    unrolling, the whole sequence runs as one fused op (same numbers as the step loop).

    Args:
        units: the size of the output and state.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
        bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
        recurrent_dropout, seed, reset_after: as in `GRUCell`.
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
        reset_after: bool = True,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
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
            reset_after=reset_after,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="gru_cell",
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
        # units, activation, reset_after, ... read through to the cell, as in Keras.
        if name.startswith("_") or "cell" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["cell"], name)

    def _kx_fused(self, sequences: Any, init: list, mask: Any, training: Any) -> Any:
        return fused.run_gru(self, sequences, init, mask, training)

    def get_config(self) -> dict:
        """Keras's GRU config."""
        config = rnn_layer_config(self)
        config.update({"units": self.cell.units, "reset_after": self.cell.reset_after})
        config.update(cell_args_config(self.cell))
        return config

"""Shared pieces of the built-in recurrent cells: per-sequence dropout masks, argument checks
and the serialization of their common arguments."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import activations, constraints, initializers, ops, regularizers
from kerasx import random as _random


def check_positive_int(value: Any, arg: str) -> int:
    """Return `value` as an int, or raise a ValueError naming `arg` unless it is > 0."""
    if (
        not isinstance(value, (int, np.integer))
        or isinstance(value, (bool, np.bool_))
        or value <= 0
    ):
        raise ValueError(
            f"Received an invalid value for argument `{arg}`, expected a positive integer. "
            f"Received: {arg}={value!r}"
        )
    return int(value)


def check_rate(value: Any, arg: str) -> float:
    """Return `value` as a float clipped to [0, 1] (as Keras does), or raise a ValueError
    naming `arg` when it is not a number."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    if not ok:
        raise ValueError(
            f"Received an invalid value for argument `{arg}`, expected a float between 0 and 1. "
            f"Received: {arg}={value!r}"
        )
    return min(1.0, max(0.0, float(value)))


def check_seed(seed: Any) -> Any:
    """Accept None or an int seed; raise a ValueError naming `seed` otherwise."""
    if seed is not None and (
        not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_))
    ):
        raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
    return seed


def _ser(module: Any, obj: Any) -> Any:
    return None if obj is None else module.serialize(obj)


class DropoutRNNCell:
    """Mixin for cells with `dropout` / `recurrent_dropout`: one mask per sequence.

    The masks are drawn once per call of the recurrent layer (the same mask at every
    timestep) from the cell's ``seed_generator``. The layer resets them before a sequence
    and may draw them before its time loop (`prepare_dropout_masks`), so that inside a
    compiled loop the masks are loop constants.
    """

    _kx_dropout_mask: Any = None
    _kx_recurrent_dropout_mask: Any = None

    def get_dropout_mask(self, step_input: Any) -> Any:
        """The (cached) dropout mask for the inputs: 0 or ``1 / (1 - dropout)``."""
        if self._kx_dropout_mask is None and self.dropout > 0:
            self.__dict__["_kx_dropout_mask"] = _random.dropout(
                ops.ones_like(step_input), rate=self.dropout, seed=self.seed_generator
            )
        return self._kx_dropout_mask

    def get_recurrent_dropout_mask(self, step_state: Any) -> Any:
        """The (cached) dropout mask for the recurrent state."""
        if self._kx_recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self.__dict__["_kx_recurrent_dropout_mask"] = _random.dropout(
                ops.ones_like(step_state), rate=self.recurrent_dropout, seed=self.seed_generator
            )
        return self._kx_recurrent_dropout_mask

    def reset_dropout_mask(self) -> None:
        """Forget the input dropout mask (a new one is drawn for the next sequence)."""
        self.__dict__["_kx_dropout_mask"] = None

    def reset_recurrent_dropout_mask(self) -> None:
        """Forget the recurrent dropout mask."""
        self.__dict__["_kx_recurrent_dropout_mask"] = None

    def prepare_dropout_masks(self, step_input: Any, states: list, training: Any) -> None:
        """Draw this sequence's masks now (called by `RNN` before its time loop)."""
        self.reset_dropout_mask()
        self.reset_recurrent_dropout_mask()
        if training:
            if self.dropout > 0:
                self.get_dropout_mask(step_input)
            if self.recurrent_dropout > 0:
                self.get_recurrent_dropout_mask(states[0])


def init_cell_args(
    cell: Any,
    *,
    activation: Any,
    use_bias: bool,
    kernel_initializer: Any,
    recurrent_initializer: Any,
    bias_initializer: Any,
    kernel_regularizer: Any,
    recurrent_regularizer: Any,
    bias_regularizer: Any,
    kernel_constraint: Any,
    recurrent_constraint: Any,
    bias_constraint: Any,
    dropout: Any,
    recurrent_dropout: Any,
    seed: Any,
) -> None:
    """Validate and store the arguments every built-in cell shares."""
    cell.activation = activations.get(activation)
    cell.use_bias = bool(use_bias)
    cell.kernel_initializer = initializers.get(kernel_initializer)
    cell.recurrent_initializer = initializers.get(recurrent_initializer)
    cell.bias_initializer = initializers.get(bias_initializer)
    cell.kernel_regularizer = regularizers.get(kernel_regularizer)
    cell.recurrent_regularizer = regularizers.get(recurrent_regularizer)
    cell.bias_regularizer = regularizers.get(bias_regularizer)
    cell.kernel_constraint = constraints.get(kernel_constraint)
    cell.recurrent_constraint = constraints.get(recurrent_constraint)
    cell.bias_constraint = constraints.get(bias_constraint)
    cell.dropout = check_rate(dropout, "dropout")
    cell.recurrent_dropout = check_rate(recurrent_dropout, "recurrent_dropout")
    cell.seed = check_seed(seed)
    cell.seed_generator = _random.SeedGenerator(seed)


def cell_args_config(cell: Any) -> dict:
    """The serialized common arguments of a built-in cell (Keras's keys)."""
    config = {
        "activation": activations.serialize(cell.activation),
        "use_bias": cell.use_bias,
        "kernel_initializer": initializers.serialize(cell.kernel_initializer),
        "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
        "bias_initializer": initializers.serialize(cell.bias_initializer),
        "kernel_regularizer": _ser(regularizers, cell.kernel_regularizer),
        "recurrent_regularizer": _ser(regularizers, cell.recurrent_regularizer),
        "bias_regularizer": _ser(regularizers, cell.bias_regularizer),
        "kernel_constraint": _ser(constraints, cell.kernel_constraint),
        "recurrent_constraint": _ser(constraints, cell.recurrent_constraint),
        "bias_constraint": _ser(constraints, cell.bias_constraint),
        "dropout": cell.dropout,
        "recurrent_dropout": cell.recurrent_dropout,
        "seed": cell.seed,
    }
    if hasattr(cell, "recurrent_activation"):
        config["recurrent_activation"] = activations.serialize(cell.recurrent_activation)
    return config


def dropped(x: Any, mask: Any, training: Any) -> Any:
    """``x * mask`` while training with a mask, else `x`."""
    if training and mask is not None:
        return ops.multiply(x, mask)
    return x

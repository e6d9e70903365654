"""Adagrad: per-coordinate step sizes shrinking with the accumulated squared gradients."""

from __future__ import annotations

from typing import Any

from kerasx import initializers, ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad: each coordinate's step is divided by the root of its summed squared gradients.

    Per weight, an ``accumulator`` starts at `initial_accumulator_value`; each step
    ``accumulator += g**2`` and ``w -= learning_rate * g / sqrt(accumulator + epsilon)``.
    Coordinates that received large gradients so far move more slowly.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        initial_accumulator_value: the starting value of every accumulator.
        epsilon: small constant added under the square root.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            as in `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list: list[Variable]) -> None:
        """Create one ``accumulator`` slot per weight, filled with the initial value."""
        if self.built:
            return
        super().build(var_list)
        init = initializers.Constant(self.initial_accumulator_value)
        self._accumulators = self.add_optimizer_variables(var_list, "accumulator", init)

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the Adagrad rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        acc = self._accumulators[self._get_variable_index(variable)]
        acc.assign(acc.value + ops.square(g))
        variable.assign(variable.value - lr * g / ops.sqrt(acc.value + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update(
            {
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon,
            }
        )
        return config

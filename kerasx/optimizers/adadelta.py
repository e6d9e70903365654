"""Adadelta: steps sized by the ratio of running RMS of past updates and of gradients."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta: a unit-consistent step from running averages of squared gradients and updates.

    Per weight, with decay `rho`: ``E[g2] = rho * E[g2] + (1 - rho) * g**2``, the step
    ``d = -g * sqrt(E[d2] + epsilon) / sqrt(E[g2] + epsilon)``, then ``E[d2] = rho * E[d2] +
    (1 - rho) * d**2`` and ``w += learning_rate * d``.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        rho: the decay of both running averages.
        epsilon: small constant added under the square roots.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            as in `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.95,
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
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list: list[Variable]) -> None:
        """Create ``accumulated_grad`` and ``accumulated_delta_var`` slots per weight."""
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"]
        )

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the Adadelta rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        rho = ops.cast(self.rho, dtype)
        i = self._get_variable_index(variable)
        acc_g, acc_d = self._accumulated_grads[i], self._accumulated_delta_vars[i]
        acc_g.assign(rho * acc_g.value + (1 - rho) * ops.square(g))
        delta = -g * ops.sqrt(acc_d.value + self.epsilon) / ops.sqrt(acc_g.value + self.epsilon)
        acc_d.assign(rho * acc_d.value + (1 - rho) * ops.square(delta))
        variable.assign(variable.value + lr * delta)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config

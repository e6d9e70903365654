"""RMSprop: steps divided by a running root-mean-square of the gradients."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.ops.optimizer_updates import _rmsprop_update
from kerasx.optimizers.base_optimizer import Optimizer, fusable


class RMSprop(Optimizer):
    """RMSprop: divide each step by a moving root-mean-square of recent gradients.

    ``v = rho * v + (1 - rho) * g**2``; the step is ``learning_rate * g / sqrt(v + epsilon)``
    (with `centered`, ``v - mean_g**2`` replaces ``v``, ``mean_g`` being a moving average of
    ``g``). With `momentum` > 0 the steps are accumulated in a momentum slot first.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        rho: decay of the moving averages.
        momentum: momentum of the step (0: none, no slot).
        epsilon: small constant inside the square root.
        centered: normalize by the estimated variance instead of the second moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            as in `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
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
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list: list[Variable]) -> None:
        """Create ``velocity`` slots, plus ``momentum`` and ``average_gradient`` when used."""
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums: list[Any] = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients: list[Any] = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the RMSprop rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        i = self._get_variable_index(variable)
        rho = self.rho
        v = self._velocities[i]
        if (
            not self.centered
            and not self.momentum > 0
            and fusable(dtype, rho, self.epsilon, self.momentum)
        ):
            new_w, new_v = _rmsprop_update(g, variable.value, v.value, lr, rho, self.epsilon)
            v.assign(new_v)
            variable.assign(new_w)
            return
        v.assign(rho * v.value + (1 - rho) * ops.square(g))
        if self.centered:
            avg = self._average_gradients[i]
            avg.assign(rho * avg.value + (1 - rho) * g)
            denom = v.value - ops.square(avg.value) + self.epsilon
        else:
            denom = v.value + self.epsilon
        step = lr * g / ops.sqrt(denom)
        if self.momentum > 0:
            m = self._momentums[i]
            m.assign(self.momentum * m.value + step)
            variable.assign(variable.value - m.value)
        else:
            variable.assign(variable.value - step)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update(
            {
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config

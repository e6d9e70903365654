"""Lamb: Adam directions rescaled per weight by a layer-wise trust ratio."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer


class Lamb(Optimizer):
    """Lamb: layer-wise adaptive moments, for large-batch training.

    Per weight, at step ``t`` (1-based), the bias-corrected Adam direction ``r = m_hat /
    (sqrt(v_hat) + epsilon)`` is computed from the usual moment estimates. It is then scaled
    by the trust ratio ``||w|| / ||r||`` (1 when either norm is zero), so each weight tensor
    moves by a step proportional to its own size: ``w -= learning_rate * ratio * r``.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        beta_1: decay of the first-moment estimate.
        beta_2: decay of the second-moment estimate.
        epsilon: small constant added to the denominator.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            as in `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list: list[Variable]) -> None:
        """Create ``momentum`` and ``velocity`` slots per weight."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"]
        )

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the Lamb rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        t = self._step_count(dtype)
        b1_t = ops.power(ops.cast(self.beta_1, dtype), t)
        b2_t = ops.power(ops.cast(self.beta_2, dtype), t)
        i = self._get_variable_index(variable)
        m, v = self._momentums[i], self._velocities[i]
        m.assign(m.value + (g - m.value) * (1 - self.beta_1))
        v.assign(v.value + (ops.square(g) - v.value) * (1 - self.beta_2))
        m_hat = m.value / (1 - b1_t)
        v_hat = v.value / (1 - b2_t)
        direction = m_hat / (ops.sqrt(v_hat) + self.epsilon)
        w_norm = ops.sqrt(ops.sum(ops.square(variable.value)))
        d_norm = ops.sqrt(ops.sum(ops.square(direction)))
        both = ops.logical_and(w_norm > 0, d_norm > 0)
        ratio = ops.where(both, w_norm / ops.where(both, d_norm, ops.ones_like(d_norm)), 1.0)
        variable.assign(variable.value - lr * ops.cast(ratio, dtype) * direction)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config

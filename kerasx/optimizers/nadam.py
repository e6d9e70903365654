"""Nadam: Adam with Nesterov momentum and a warming-up momentum schedule."""

from __future__ import annotations

from typing import Any

from kerasx import config as _config
from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer

_DECAY_BASE = 0.96


class Nadam(Optimizer):
    """Nadam: Nesterov-accelerated Adam.

    The momentum coefficient follows a schedule, ``mu_t = beta_1 * (1 - 0.5 * 0.96**t)`` at
    step ``t`` (1-based), and the optimizer keeps the running product of the ``mu_t`` in one
    shared scalar variable. Per weight, with ``m`` and ``v`` the usual Adam moments, the step
    looks one momentum step ahead::

        m_hat = mu_{t+1} * m / (1 - prod_{t+1}) + (1 - mu_t) * g / (1 - prod_t)
        v_hat = v / (1 - beta_2**t)
        w -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        beta_1: base decay of the first-moment estimate (scaled by the schedule above).
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
        """Create ``momentum`` and ``velocity`` slots per weight, then the momentum product.

        The product is one scalar (starting at 1) listed last in `variables`, named
        ``"variable"`` as in Keras.
        """
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"]
        )
        dtype = var_list[0].dtype if var_list else _config.floatx()
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype, name="variable")

    def _momentum_at(self, step: Any, dtype: str) -> Any:
        return self.beta_1 * (1.0 - 0.5 * ops.power(ops.cast(_DECAY_BASE, dtype), step))

    def _update(self, grads: list[Any], variables: list[Variable]) -> None:
        # The momentum product advances once per step, before the per-weight updates.
        dtype = self._u_product.dtype
        t = self._step_count(dtype)
        self._u_product.assign(self._u_product.value * self._momentum_at(t, dtype))
        super()._update(grads, variables)

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the Nadam rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        t = self._step_count(dtype)
        u_t = self._momentum_at(t, dtype)
        u_next = self._momentum_at(t + 1, dtype)
        prod_t = ops.cast(self._u_product.value, dtype)
        prod_next = prod_t * u_next
        b2_t = ops.power(ops.cast(self.beta_2, dtype), t)
        i = self._get_variable_index(variable)
        m, v = self._momentums[i], self._velocities[i]
        m.assign(m.value + (g - m.value) * (1 - self.beta_1))
        v.assign(v.value + (ops.square(g) - v.value) * (1 - self.beta_2))
        m_hat = u_next * m.value / (1 - prod_next) + (1 - u_t) * g / (1 - prod_t)
        v_hat = v.value / (1 - b2_t)
        variable.assign(variable.value - (m_hat * lr) / (ops.sqrt(v_hat) + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config

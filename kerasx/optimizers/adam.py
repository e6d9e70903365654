"""Adam: adaptive moment estimation."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.ops.optimizer_updates import _adam_step_size, _adam_update
from kerasx.optimizers.base_optimizer import Optimizer, fusable


class Adam(Optimizer):
    """Adam: steps scaled by running estimates of the gradient's first and second moments.

    With step ``t`` (1-based), ``m = beta_1 * m + (1 - beta_1) * g``, ``v = beta_2 * v +
    (1 - beta_2) * g**2`` and ``w -= alpha_t * m / (sqrt(v) + epsilon)`` where
    ``alpha_t = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)``. With `amsgrad`, the
    running maximum of ``v`` is used in the denominator.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        beta_1: decay of the first-moment estimate.
        beta_2: decay of the second-moment estimate.
        epsilon: small constant added to the denominator.
        amsgrad: use the AMSGrad variant.
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
        amsgrad: bool = False,
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
        self.amsgrad = amsgrad

    def build(self, var_list: list[Variable]) -> None:
        """Create ``momentum`` and ``velocity`` slots per weight (+ ``velocity_hat``)."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"]
        )
        self._velocity_hats: list[Any] = []
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def _alpha(self, learning_rate: Any, dtype: str) -> Any:
        """The bias-corrected step size of this step, in `dtype` (computed once per step)."""

        def make() -> Any:
            lr = self._cast_learning_rate(learning_rate, dtype)
            t = self._step_count(dtype)
            return _adam_step_size(lr, t, self.beta_1, self.beta_2)

        return self._step_scalar(("adam_alpha", dtype, id(learning_rate)), make)

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the Adam rule to one weight."""
        dtype = variable.dtype
        alpha = self._alpha(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        i = self._get_variable_index(variable)
        m, v = self._momentums[i], self._velocities[i]
        c1 = 1 - self.beta_1
        c2 = 1 - self.beta_2
        if not self.amsgrad and fusable(dtype, c1, c2, self.epsilon):
            new_w, new_m, new_v = _adam_update(
                g, variable.value, m.value, v.value, alpha, c1, c2, self.epsilon
            )
            m.assign(new_m)
            v.assign(new_v)
            variable.assign(new_w)
            return
        m.assign(m.value + (g - m.value) * c1)
        v.assign(v.value + (ops.square(g) - v.value) * c2)
        denom_v = v.value
        if self.amsgrad:
            v_hat = self._velocity_hats[i]
            v_hat.assign(ops.maximum(v_hat.value, v.value))
            denom_v = v_hat.value
        variable.assign(variable.value - (m.value * alpha) / (ops.sqrt(denom_v) + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
            }
        )
        return config

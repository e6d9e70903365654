"""Stochastic gradient descent, optionally with (Nesterov) momentum."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.ops.optimizer_updates import _sgd_momentum_update
from kerasx.optimizers.base_optimizer import Optimizer, fusable


class SGD(Optimizer):
    """Gradient descent with optional momentum.

    Without momentum: ``w -= learning_rate * g``. With momentum ``m`` the velocity is
    ``v = momentum * v - learning_rate * g`` and ``w += v``; with `nesterov`, ``w +=
    momentum * v - learning_rate * g`` instead.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.01).
        momentum: a float in ``[0, 1]`` (default 0: plain gradient descent, no slots).
        nesterov: use Nesterov momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            as in `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
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
        if not isinstance(momentum, float) or not 0 <= momentum <= 1:
            raise ValueError(
                "Received an invalid value for `momentum`, expected a float in [0, 1]. "
                f"Received: momentum={momentum!r}"
            )
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
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, var_list: list[Variable]) -> None:
        """Create one ``momentum`` slot per weight (only when `momentum` is non-zero)."""
        if self.built:
            return
        super().build(var_list)
        self.momentums: list[Any] = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the SGD rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        if self.momentum == 0:
            variable.assign(variable.value - g * lr)
            return
        m = self.momentums[self._get_variable_index(variable)]
        # The coefficient is a tensor of the weight's dtype (a float64 weight gets the float32
        # rounding of `momentum`, as Keras does), made once per step.
        mu = self._step_scalar(("sgd_momentum", dtype), lambda: ops.cast(self.momentum, dtype))
        if fusable(dtype):
            new_w, new_m = _sgd_momentum_update(
                g, variable.value, m.value, lr, mu, bool(self.nesterov)
            )
            m.assign(new_m)
            variable.assign(new_w)
            return
        m.assign(-g * lr + m.value * mu)
        if self.nesterov:
            variable.assign(variable.value + (-g * lr + m.value * mu))
        else:
            variable.assign(variable.value + m.value)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config

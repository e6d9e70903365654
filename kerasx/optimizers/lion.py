"""Lion: sign updates from an interpolation of momentum and gradient."""

from __future__ import annotations

from numbers import Real
from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer


class Lion(Optimizer):
    """Lion (evolved sign momentum): every coordinate moves by exactly the learning rate.

    Per weight: ``w -= learning_rate * sign(beta_1 * m + (1 - beta_1) * g)``, then the
    momentum is updated with a different decay, ``m = beta_2 * m + (1 - beta_2) * g``. Since
    the steps have unit size per coordinate, Lion usually wants a learning rate 3-10x smaller
    than Adam's.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        beta_1: weight of the momentum in the update direction, in ``(0, 1]``.
        beta_2: decay of the momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            as in `Optimizer`.

    Raises:
        ValueError: if `beta_1` is not in ``(0, 1]``.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
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
        if not isinstance(beta_1, Real) or isinstance(beta_1, bool) or not 0 < beta_1 <= 1:
            raise ValueError(
                "Received an invalid value for `beta_1`, expected a float in (0, 1] (with "
                "beta_1=0 Lion would reduce to plain sign descent). "
                f"Received: beta_1={beta_1!r}"
            )
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, var_list: list[Variable]) -> None:
        """Create one ``momentum`` slot per weight."""
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the Lion rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        b1 = ops.cast(self.beta_1, dtype)
        b2 = ops.cast(self.beta_2, dtype)
        m = self._momentums[self._get_variable_index(variable)]
        direction = ops.sign(b1 * m.value + (1 - b1) * g)
        variable.assign(variable.value - lr * direction)
        m.assign(b2 * m.value + (1 - b2) * g)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config

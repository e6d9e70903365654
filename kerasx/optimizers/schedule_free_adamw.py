"""Schedule-Free AdamW: AdamW without a learning-rate decay schedule, by iterate averaging."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW (Defazio et al., 2024).

    Instead of decaying the learning rate, the optimizer keeps a base sequence ``z`` (the
    ``momentum`` slot, starting at the weight's initial value) and a running average of it;
    the weight itself holds the interpolation ``y`` at which gradients are taken. At step
    ``t`` (1-based), with ``lr_t = learning_rate * min(1, t / warmup_steps)`` and ``c =
    1 / t``::

        v = beta_2 * v + (1 - beta_2) * g**2
        n = g / (sqrt(v / (1 - beta_2**t)) + epsilon)
        y = y + c * (z - y) + lr_t * (beta_1 * (1 - c) - 1) * n
        z = z - lr_t * n

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.0025).
        beta_1: interpolation weight between the average and the base sequence.
        beta_2: decay of the second-moment estimate.
        epsilon: small constant added to the denominator.
        warmup_steps: the number of steps of linear learning-rate warm-up (0: none).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            as in `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = 0.0025,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        warmup_steps: int = 0,
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
        if not isinstance(warmup_steps, int) or isinstance(warmup_steps, bool) or warmup_steps < 0:
            raise ValueError(
                "Received an invalid value for `warmup_steps`, expected a non-negative "
                f"integer. Received: warmup_steps={warmup_steps!r}"
            )
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, var_list: list[Variable]) -> None:
        """Create ``momentum`` (the base sequence, a copy of the weight) and ``velocity``."""
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._momentums: list[Variable] = []
        self._velocities: list[Variable] = []
        for var in var_list:
            start = var.value

            def copy_of(shape: Any, dtype: Any, start: Any = start) -> Any:
                return ops.cast(start, dtype)

            self._momentums.append(self.add_variable_from_reference(var, "momentum", copy_of))
            self._velocities.append(self.add_variable_from_reference(var, "velocity"))

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the Schedule-Free AdamW rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        t = self._step_count(dtype)
        if self.warmup_steps:
            lr = lr * ops.minimum(1.0, t / self.warmup_steps)
        i = self._get_variable_index(variable)
        z, v = self._momentums[i], self._velocities[i]
        b1 = ops.cast(self.beta_1, dtype)
        b2 = ops.cast(self.beta_2, dtype)
        v.assign(b2 * v.value + (1 - b2) * ops.square(g))
        normed = g / (ops.sqrt(v.value / (1 - ops.power(b2, t))) + self.epsilon)
        c = 1.0 / t
        y = variable.value
        y = y + (z.value - y) * c
        variable.assign(y + lr * (b1 * (1 - c) - 1) * normed)
        z.assign(z.value - lr * normed)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "warmup_steps": self.warmup_steps,
            }
        )
        return config

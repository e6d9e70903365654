"""Adafactor: Adam-like steps with a factored (row x column) second-moment estimate."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer


def _rms(x: Any) -> Any:
    return ops.sqrt(ops.mean(ops.square(x)))


class Adafactor(Optimizer):
    """Adafactor: memory-light adaptive steps relative to each weight's own scale.

    For a weight with at least two dimensions the second-moment estimate is factored: a row
    statistic ``r`` (mean over the last axis) and a column statistic ``c`` (mean over the
    second-to-last axis) replace the full matrix, and ``v = (r / mean(r)) outer c``. Lower
    rank weights keep a full ``v``. At step ``t`` (1-based)::

        decay = 1 - t**beta_2_decay
        r, c or v  <- decay * old + (1 - decay) * stat(g**2 + epsilon_1)
        u = g / sqrt(v);  u /= max(1, rms(u) / clip_threshold)
        w -= max(epsilon_2, rms(w)) * min(learning_rate, 1 / sqrt(t)) * u

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        beta_2_decay: exponent of the second-moment decay schedule (negative).
        epsilon_1: added to the squared gradients.
        epsilon_2: lower bound of the weight scale ``rms(w)``.
        clip_threshold: the update's RMS is clipped to this value.
        relative_step: stored in the config for compatibility. As in Keras 3, the step size
            is always capped by ``1 / sqrt(t)`` whatever its value.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            as in `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
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
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list: list[Variable]) -> None:
        """Create, per weight, the row and column statistics and a ``velocity`` slot.

        As in Keras (so the variable list and saved files line up), the row and column
        statistics are named after the weight; a weight with fewer than two dimensions gets
        two unused int32 scalars in their place.
        """
        if self.built:
            return
        super().build(var_list)
        self._rows: list[Variable] = []
        self._cols: list[Variable] = []
        self._velocities: list[Variable] = []
        for var in var_list:
            shape = tuple(var.shape)
            if len(shape) < 2:
                for store in (self._rows, self._cols):
                    store.append(self.add_variable((), dtype="int32", name=var.name))
            else:
                self._rows.append(self.add_variable(shape[:-1], dtype=var.dtype, name=var.name))
                self._cols.append(
                    self.add_variable(shape[:-2] + shape[-1:], dtype=var.dtype, name=var.name)
                )
            self._velocities.append(self.add_variable_from_reference(var, "velocity"))

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the Adafactor rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        t = self._step_count(dtype)
        i = self._get_variable_index(variable)
        r, c, v = self._rows[i], self._cols[i], self._velocities[i]
        g2 = ops.square(g) + self.epsilon_1
        rho = ops.minimum(lr, 1.0 / ops.sqrt(t))
        alpha = ops.maximum(ops.cast(self.epsilon_2, dtype), _rms(variable.value)) * rho
        decay = 1.0 - ops.power(t, ops.cast(self.beta_2_decay, dtype))
        if len(variable.shape) >= 2:
            r.assign(decay * r.value + (1.0 - decay) * ops.mean(g2, axis=-1))
            c.assign(decay * c.value + (1.0 - decay) * ops.mean(g2, axis=-2))
            row = r.value / ops.mean(r.value, axis=-1, keepdims=True)
            v.assign(ops.expand_dims(row, -1) * ops.expand_dims(c.value, -2))
        else:
            v.assign(decay * v.value + (1.0 - decay) * g2)
        u = g / ops.sqrt(v.value)
        u = u / ops.maximum(1.0, _rms(u) / self.clip_threshold)
        variable.assign(variable.value - alpha * u)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update(
            {
                "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step,
            }
        )
        return config

"""FTRL-Proximal: follow-the-regularized-leader with L1/L2 regularization."""

from __future__ import annotations

from numbers import Real
from typing import Any

from kerasx import initializers, ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer


def _check(name: str, value: Any, sign: str) -> None:
    ok = isinstance(value, Real) and not isinstance(value, bool)
    ok = ok and (value >= 0 if sign == "non-negative" else value <= 0)
    if not ok:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a {sign} float. "
            f"Received: {name}={value!r}"
        )


class Ftrl(Optimizer):
    """FTRL-Proximal, the online-learning rule popular for large sparse linear models.

    Per weight it keeps an ``accumulator`` ``n`` of squared gradients (starting at
    `initial_accumulator_value`) and a ``linear`` term ``z``. With ``p =
    -learning_rate_power`` and ``lr`` the learning rate, each step::

        g' = g + 2 * l2_shrinkage * w
        n' = n + g**2
        z += g' - (n'**p - n**p) / lr * w
        w  = (clip(z, -l1, l1) - z) / (n'**p / lr + 2 * (l2 + beta / (2 * lr)))

    so coordinates with ``|z| <= l1`` are exactly zero (sparsity).

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        learning_rate_power: how the per-coordinate rate decays with the accumulator; a
            float <= 0 (``-0.5``: the usual 1/sqrt decay; 0: a constant rate).
        initial_accumulator_value: the starting accumulator, >= 0.
        l1_regularization_strength: L1 strength, >= 0.
        l2_regularization_strength: L2 strength, >= 0.
        l2_shrinkage_regularization_strength: magnitude penalty added to the gradient,
            >= 0 (unlike the plain L2 term, it acts on the gradient).
        beta: the FTRL ``beta`` (adds ``beta / (2 * lr)`` to the L2 strength).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            as in `Optimizer`.

    Raises:
        ValueError: if a strength or the initial accumulator is negative, or
            `learning_rate_power` is positive.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
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
        _check("initial_accumulator_value", initial_accumulator_value, "non-negative")
        _check("learning_rate_power", learning_rate_power, "non-positive")
        _check("l1_regularization_strength", l1_regularization_strength, "non-negative")
        _check("l2_regularization_strength", l2_regularization_strength, "non-negative")
        _check(
            "l2_shrinkage_regularization_strength",
            l2_shrinkage_regularization_strength,
            "non-negative",
        )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list: list[Variable]) -> None:
        """Create ``accumulator`` (initial value) and ``linear`` (zeros) slots per weight."""
        if self.built:
            return
        super().build(var_list)
        init = initializers.Constant(self.initial_accumulator_value)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"], [init, "zeros"]
        )

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the FTRL-Proximal rule to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        i = self._get_variable_index(variable)
        acc, lin = self._accumulators[i], self._linears[i]
        p = ops.cast(-self.learning_rate_power, dtype)
        l1 = ops.cast(self.l1_regularization_strength, dtype)
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        w = variable.value
        g_shrunk = g + 2.0 * self.l2_shrinkage_regularization_strength * w
        new_acc = acc.value + ops.square(g)
        new_acc_p = ops.power(new_acc, p)
        lin.assign(lin.value + g_shrunk - (new_acc_p - ops.power(acc.value, p)) / lr * w)
        quadratic = new_acc_p / lr + 2.0 * l2
        z = lin.value
        variable.assign((ops.clip(z, -l1, l1) - z) / quadratic)
        acc.assign(new_acc)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update(
            {
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": (self.l2_shrinkage_regularization_strength),
                "beta": self.beta,
            }
        )
        return config

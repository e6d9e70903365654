"""Muon: momentum orthogonalized by Newton-Schulz for matrices, AdamW for everything else."""

from __future__ import annotations

import re
from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer


def _newton_schulz(x: Any, steps: int, a: float, b: float, c: float) -> Any:
    """Approximately orthogonalize the matrix `x` (push its singular values towards 1)."""
    rows, cols = x.shape
    y = x / (ops.sqrt(ops.sum(ops.square(x))) + 1e-7)
    wide = rows <= cols
    if not wide:
        y = ops.transpose(y)
    for _ in range(steps):
        gram = ops.matmul(y, ops.transpose(y))
        poly = b * gram + c * ops.matmul(gram, gram)
        y = a * y + ops.matmul(poly, y)
    return y if wide else ops.transpose(y)


class Muon(Optimizer):
    """Muon (MomentUm Orthogonalized by Newton-Schulz) for 2-D weights, AdamW for the rest.

    A 2-D weight ``w`` of shape ``(A, B)`` keeps a momentum ``m = momentum * m + g``; the
    direction ``d = g + momentum * m`` (Nesterov) or ``d = m`` is orthogonalized by `ns_steps`
    Newton-Schulz iterations with coefficients ``(muon_a, muon_b, muon_c)`` and applied as
    ``w -= learning_rate * rms_rate * sqrt(max(A, B)) * orth(d)``, after the decoupled decay
    ``w -= learning_rate * weight_decay * w``.

    Every other weight (not 2-D, a path containing "embedding" when `exclude_embeddings`, or
    a path matched by a regular expression in `exclude_layers`) takes an AdamW step with
    learning rate ``learning_rate * adam_lr_ratio``, betas ``adam_beta_1``/``adam_beta_2`` and
    decay ``learning_rate * adam_weight_decay``.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable (default 0.001).
        adam_beta_1: first-moment decay of the AdamW step.
        adam_beta_2: second-moment decay of the AdamW step.
        adam_weight_decay: decoupled weight decay of the AdamW-updated weights (or None).
        epsilon: small constant added to the AdamW denominator.
        weight_decay: decoupled weight decay of the Muon-updated weights (or None).
        exclude_layers: regular expressions; weights whose path matches one use AdamW.
        exclude_embeddings: update embedding tables with AdamW.
        muon_a, muon_b, muon_c: the Newton-Schulz polynomial coefficients.
        adam_lr_ratio: the AdamW learning rate relative to `learning_rate`.
        momentum: the Muon momentum.
        ns_steps: the number of Newton-Schulz iterations.
        nesterov: use the Nesterov direction.
        rms_rate: the update RMS target factor (see above).
        clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
        loss_scale_factor, gradient_accumulation_steps, name: as in `Optimizer`.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        adam_beta_1: float = 0.9,
        adam_beta_2: float = 0.999,
        adam_weight_decay: float | None = 0.004,
        epsilon: float = 1e-7,
        weight_decay: float | None = 0.004,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        exclude_layers: list[str] | None = None,
        exclude_embeddings: bool = True,
        muon_a: float = 3.4445,
        muon_b: float = -4.775,
        muon_c: float = 2.0315,
        adam_lr_ratio: float = 1,
        momentum: float = 0.95,
        ns_steps: int = 5,
        nesterov: bool = True,
        rms_rate: float = 0.2,
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
        if not isinstance(ns_steps, int) or isinstance(ns_steps, bool) or ns_steps < 0:
            raise ValueError(
                "Received an invalid value for `ns_steps`, expected a non-negative integer. "
                f"Received: ns_steps={ns_steps!r}"
            )
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.exclude_layers = list(exclude_layers or [])
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable: Variable) -> bool:
        """Whether `variable` takes the AdamW step instead of the Muon step."""
        if len(variable.shape) != 2:
            return True
        path = str(getattr(variable, "path", variable.name))
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, var_list: list[Variable]) -> None:
        """Create a ``momentum`` slot per weight and a ``velocity`` slot per AdamW weight."""
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._momentums: list[Variable] = []
        self._velocities: list[Variable | None] = []
        self._adam_flags: list[bool] = []
        for var in var_list:
            self._momentums.append(self.add_variable_from_reference(var, "momentum"))
            use_adam = self._should_use_adamw(var)
            self._adam_flags.append(use_adam)
            self._velocities.append(
                self.add_variable_from_reference(var, "velocity") if use_adam else None
            )

    def _apply_weight_decay(self, variables: list[Variable]) -> None:
        # Each kind of weight has its own decay strength.
        for var in variables:
            if not self._use_weight_decay(var):
                continue
            adam = self._adam_flags[self._get_variable_index(var)]
            wd = self.adam_weight_decay if adam else self.weight_decay
            if wd is None:
                continue
            lr = ops.cast(self.learning_rate, var.dtype)
            var.assign(var.value - var.value * ops.cast(wd, var.dtype) * lr)

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Apply the Muon or the AdamW step to one weight."""
        dtype = variable.dtype
        lr = self._cast_learning_rate(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        i = self._get_variable_index(variable)
        m = self._momentums[i]
        if self._adam_flags[i]:
            v = self._velocities[i]
            t = self._step_count(dtype)
            b1_t = ops.power(ops.cast(self.adam_beta_1, dtype), t)
            b2_t = ops.power(ops.cast(self.adam_beta_2, dtype), t)
            alpha = lr * self.adam_lr_ratio * ops.sqrt(1 - b2_t) / (1 - b1_t)
            m.assign(m.value + (g - m.value) * (1 - self.adam_beta_1))
            v.assign(v.value + (ops.square(g) - v.value) * (1 - self.adam_beta_2))
            variable.assign(variable.value - alpha * m.value / (ops.sqrt(v.value) + self.epsilon))
            return
        mu = ops.cast(self.momentum, dtype)
        m.assign(mu * m.value + g)
        direction = g + mu * m.value if self.nesterov else m.value
        orth = _newton_schulz(direction, self.ns_steps, self.muon_a, self.muon_b, self.muon_c)
        scale = self.rms_rate * max(variable.shape) ** 0.5
        variable.assign(variable.value - lr * ops.cast(scale, dtype) * orth)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras's dict)."""
        config = super().get_config()
        config.update(
            {
                "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon,
                "exclude_layers": self.exclude_layers,
                "muon_a": self.muon_a,
                "muon_b": self.muon_b,
                "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio,
                "momentum": self.momentum,
                "ns_steps": self.ns_steps,
                "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay,
                "rms_rate": self.rms_rate,
            }
        )
        return config

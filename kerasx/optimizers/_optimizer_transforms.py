"""What `Optimizer` does around the update rule: gradient and weight transforms, and the EMA.

`OptimizerTransformsMixin` holds the part of `Optimizer` that drops missing gradients, gives
``overwrite_with_gradient`` weights their gradient, clips gradients (by value, norm or global
norm), applies decoupled weight decay, and keeps the exponential moving average (EMA) of the
weights. `kerasx.optimizers.base_optimizer.Optimizer` is the only class that inherits it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable


class OptimizerTransformsMixin:
    """`Optimizer`'s gradient and weight transforms and EMA (see the module docstring)."""

    # ----------------------------------------------------------------- weight decay

    def exclude_from_weight_decay(
        self, var_list: Sequence[Variable] | None = None, var_names: Sequence[str] | None = None
    ) -> None:
        """Exempt some weights from weight decay (call before the optimizer is built).

        Args:
            var_list: weights to exempt.
            var_names: regular expressions; a weight whose name matches one is exempt.
        """
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` must be called before the optimizer is built "
                "(before its first `apply`)."
            )
        self._exclude_ids = {id(v) for v in (var_list or [])}
        self._exclude_names = list(var_names or [])

    def _use_weight_decay(self, variable: Variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        name = str(getattr(variable, "name", ""))
        return not any(re.search(pattern, name) for pattern in self._exclude_names)

    def _apply_weight_decay(self, variables: Sequence[Variable]) -> None:
        if self.weight_decay is None:
            return
        lr_value = self._step_learning_rate()
        for var in variables:
            if self._use_weight_decay(var):
                dtype = var.dtype
                lr = self._cast_learning_rate(lr_value, dtype)
                wd = self._step_scalar(
                    ("weight_decay", dtype), lambda d=dtype: ops.cast(self.weight_decay, d)
                )
                var.assign(var.value - var.value * wd * lr)

    # ----------------------------------------------------------------- clipping

    def _clip_gradients(self, grads: list[Any]) -> list[Any]:
        if self.clipnorm and self.clipnorm > 0:
            return [_clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return _clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # ----------------------------------------------------------------- gradients

    def _filter_empty_gradients(self, grads: list[Any], variables: list[Variable]) -> tuple:
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError(
                "No gradients provided for any variable: every gradient is None. Check that "
                "the loss depends on the trainable variables."
            )
        if len(kept) < len(grads):
            missing = [getattr(v, "path", v) for g, v in zip(grads, variables) if g is None]
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss; "
                "they are left unchanged.",
                stacklevel=3,
            )
        return [g for g, _ in kept], [v for _, v in kept]

    def _overwrite_with_gradients(self, grads: list[Any], variables: list[Variable]) -> tuple:
        """Weights flagged ``overwrite_with_gradient`` take the gradient as their new value."""
        out_g, out_v = [], []
        for g, v in zip(grads, variables):
            if getattr(v, "overwrite_with_gradient", False):
                v.assign(ops.cast(g, v.dtype))
            else:
                out_g.append(g)
                out_v.append(v)
        return out_g, out_v

    # ----------------------------------------------------------------- EMA

    def _update_model_variables_moving_average(self, variables: Sequence[Variable]) -> None:
        not_first = ops.not_equal(self._iteration_value(), 0)
        for var, avg in zip(variables, self._model_variables_moving_average):
            if avg is None:
                continue
            momentum = ops.cast(not_first, var.dtype) * self.ema_momentum
            avg.assign(momentum * avg.value + (1 - momentum) * var.value)

    def _overwrite_model_variables_with_average_value(self, var_list: Sequence[Variable]) -> None:
        for var in var_list:
            avg = self._model_variables_moving_average[self._get_variable_index(var)]
            if avg is not None:
                var.assign(avg.value)

    def finalize_variable_values(self, var_list: Sequence[Variable]) -> None:
        """At the end of training, copy the EMA weights into `var_list` (when `use_ema`).

        Args:
            var_list: the model's trainable weights (as given to `build`).
        """
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)


def _clip_by_norm(values: Any, clip_norm: float) -> Any:
    """Rescale `values` so their L2 norm is at most `clip_norm` (zero stays zero)."""
    l2sum = ops.sum(ops.square(values), keepdims=True)
    positive = l2sum > 0
    l2norm = ops.where(positive, ops.sqrt(ops.where(positive, l2sum, ops.ones_like(l2sum))), l2sum)
    return values * clip_norm / ops.maximum(l2norm, clip_norm)


def _clip_by_global_norm(values: list[Any], clip_norm: float) -> list[Any]:
    """Rescale all of `values` together so their joint L2 norm is at most `clip_norm`."""
    total = ops.sqrt(sum(ops.sum(ops.square(v)) for v in values))
    scale = clip_norm * ops.minimum(1.0 / total, 1.0 / clip_norm)
    return [v * ops.cast(scale, v.dtype) for v in values]

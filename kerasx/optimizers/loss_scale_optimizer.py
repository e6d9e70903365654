"""`LossScaleOptimizer`: dynamic loss scaling around another optimizer (mixed precision)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasx import ops
from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer


class LossScaleOptimizer(Optimizer):
    """Wrap an optimizer with a dynamic loss scale, for float16 training.

    `scale_loss` multiplies the loss by the current scale so small float16 gradients do not
    underflow. `apply` checks the (scaled) gradients: when all are finite it divides them by
    the scale, lets the inner optimizer apply them, and doubles the scale after
    `dynamic_growth_steps` finite steps in a row; when any is inf or NaN it skips the update
    and halves the scale. The check is traceable (no Python branch on values).

    Args:
        inner_optimizer: the `Optimizer` that applies the unscaled gradients.
        initial_scale: the starting loss scale (a positive float, default ``2**15``).
        dynamic_growth_steps: finite steps in a row before the scale doubles (default 2000).
        name: the optimizer's name.
        **kwargs: `loss_scale_factor` is not allowed here (set it on the inner optimizer).
    """

    def __init__(
        self,
        inner_optimizer: Optimizer,
        initial_scale: float = 2.0**15,
        dynamic_growth_steps: int = 2000,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("loss_scale_factor", None) is not None:
            raise ValueError(
                "LossScaleOptimizer does not take `loss_scale_factor`; set it on the "
                "`inner_optimizer` instead."
            )
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "Received an invalid value for `inner_optimizer`, expected an `Optimizer` "
                f"instance. Received: inner_optimizer={inner_optimizer!r}"
            )
        if isinstance(initial_scale, bool) or not (
            isinstance(initial_scale, (int, float)) and initial_scale > 0
        ):
            raise ValueError(
                "Received an invalid value for `initial_scale`, expected a positive float. "
                f"Received: initial_scale={initial_scale!r}"
            )
        if (
            isinstance(dynamic_growth_steps, bool)
            or not isinstance(dynamic_growth_steps, int)
            or dynamic_growth_steps < 1
        ):
            raise ValueError(
                "Received an invalid value for `dynamic_growth_steps`, expected a positive "
                f"integer. Received: dynamic_growth_steps={dynamic_growth_steps!r}"
            )
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps

    def build(self, var_list: Sequence[Variable]) -> None:
        """Build the inner optimizer and create ``step_counter`` and ``dynamic_scale``."""
        if self.built:
            return
        self.step_counter = self._make_variable(0, "int32", "step_counter")
        self.dynamic_scale = self._make_variable(
            float(self.initial_scale), "float32", "dynamic_scale"
        )
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self) -> list[Variable]:
        """This wrapper's variables followed by the inner optimizer's."""
        return list(self._variables) + self.inner_optimizer.variables

    @property
    def iterations(self) -> Any:
        """The inner optimizer's step counter."""
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self) -> Any:
        """The inner optimizer's current learning rate (settable)."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self.inner_optimizer.learning_rate = value

    def scale_loss(self, loss: Any) -> Any:
        """Multiply `loss` by the current dynamic scale (`initial_scale` before building).

        Args:
            loss: the loss tensor.

        Returns:
            The scaled loss.
        """
        scale = self.dynamic_scale.value if self.built else self.initial_scale
        return loss * ops.cast(scale, ops.convert_to_tensor(loss).dtype)

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Variable] | None = None):
        """Unscale and apply finite gradients; on inf/NaN skip the step and halve the scale.

        Args:
            grads: one gradient (or None) per weight, computed from the scaled loss.
            trainable_variables: the weights; default: the list given to `build`.

        Returns:
            This wrapper's own (unchanging) step counter, as Keras returns.
        """
        grads = list(grads)
        trainable_variables = self._apply_variables(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        present = [g for g in grads if g is not None]
        finite = ops.convert_to_tensor(True)
        for g in present:
            finite = ops.logical_and(finite, ops.all(ops.isfinite(g)))
        old_scale = self.dynamic_scale.value
        old_counter = self.step_counter.value

        def finite_step() -> None:
            # On a skipped step the branch still runs (its result is discarded): feed it
            # zeros so no inf/NaN arithmetic happens (and no floating-point warnings).
            unscaled = [
                None
                if g is None
                else ops.where(finite, g / ops.cast(old_scale, g.dtype), ops.zeros_like(g))
                for g in grads
            ]
            self.inner_optimizer.apply(unscaled, trainable_variables)
            counter = old_counter + 1
            grow = counter >= self.dynamic_growth_steps
            self.dynamic_scale.assign(ops.where(grow, old_scale * 2.0, old_scale))
            self.step_counter.assign(ops.where(grow, ops.zeros_like(counter), counter))

        candidates = list(trainable_variables) + self.variables
        self._run_where(finite, finite_step, candidates)
        self.dynamic_scale.assign(ops.where(finite, self.dynamic_scale.value, old_scale / 2.0))
        self.step_counter.assign(
            ops.where(finite, self.step_counter.value, ops.zeros_like(old_counter))
        )
        return self._iterations

    def finalize_variable_values(self, var_list: Sequence[Variable]) -> None:
        """Let the inner optimizer finalize (copy its EMA weights, if any)."""
        self.inner_optimizer.finalize_variable_values(var_list)

    def exclude_from_weight_decay(
        self, var_list: Sequence[Variable] | None = None, var_names: Sequence[str] | None = None
    ) -> None:
        """Forward to the inner optimizer (see `Optimizer.exclude_from_weight_decay`)."""
        self.inner_optimizer.exclude_from_weight_decay(var_list, var_names)

    def get_config(self) -> dict[str, Any]:
        """Return ``name``, the serialized ``inner_optimizer``, ``initial_scale`` and
        ``dynamic_growth_steps`` (Keras's dict)."""
        from kerasx.optimizers.registry import serialize

        return {
            "name": self.name,
            "inner_optimizer": serialize(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict | None = None
    ) -> LossScaleOptimizer:
        """Rebuild from `get_config`'s dict (the inner optimizer is deserialized first)."""
        from kerasx.optimizers.registry import deserialize

        config = dict(config)
        inner = config.pop("inner_optimizer")
        if not isinstance(inner, Optimizer):
            inner = deserialize(inner, custom_objects=custom_objects)
        return cls(inner_optimizer=inner, **config)

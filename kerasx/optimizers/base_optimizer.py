"""`Optimizer`: the base class every kerasx optimizer builds on.

The base class owns everything that is common to all update rules: the step counter, the
learning rate (a variable, a schedule or a callable), gradient clipping, decoupled weight decay,
gradient accumulation, an exponential moving average (EMA) of the weights, loss scaling and the
stateless entry point used by the trainer. A subclass only creates its slot variables in
`build` and writes `update_step(gradient, variable, learning_rate)`.

Everything reachable from `apply` is traceable by `jax.jit`: data-dependent choices (is this an
accumulation step? should the EMA overwrite the weights?) never branch in Python. Instead the
affected updates are computed in a nested `StatelessScope` and merged with `ops.where`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from kerasx import backend as _backend
from kerasx import config as _config
from kerasx import ops
from kerasx.engine.variables import StatelessScope, Variable
from kerasx.optimizers import schedules as _schedules
from kerasx.optimizers._optimizer_transforms import OptimizerTransformsMixin
from kerasx.optimizers._optimizer_variables import OptimizerVariablesMixin

_LR_ERROR = (
    "Received an invalid value for `learning_rate`, expected a float, a "
    "`LearningRateSchedule` instance, or a callable taking no arguments that returns the "
    "learning rate. Received: learning_rate={!r}"
)


def snake_case(name: str) -> str:
    """Turn a CamelCase class name into the default snake_case object name.

    Args:
        name: e.g. ``"RMSprop"`` or ``"AdamW"``.

    Returns:
        e.g. ``"rm_sprop"`` or ``"adam_w"``.
    """
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """Make ``base``, ``base_1``, ``base_2``, ... for successive objects of one kind.

    Args:
        base: the default name of the kind (e.g. ``"adam"``).

    Returns:
        A name not yet handed out in this session (`backend.clear_session` restarts it).
    """
    uid = _backend.get_uid(base)
    return base if uid == 1 else f"{base}_{uid - 1}"


def _is_float(value: Any) -> bool:
    return isinstance(value, float) and not isinstance(value, bool)


def check_float_in_range(name: str, value: Any, low: float = 0.0, high: float = 1.0) -> None:
    """Raise ValueError unless `value` is a Python float in ``[low, high]``.

    Args:
        name: the argument's name, used in the message.
        value: the received value.
        low: smallest allowed value.
        high: largest allowed value.
    """
    if not _is_float(value) or not low <= value <= high:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a float in [{low:g}, {high:g}]. "
            f"Received: {name}={value!r}"
        )


_UNSET = object()

# Weight dtypes the fused update ops are used for. (bfloat16 is left to the plain formulas: on
# NumPy, bfloat16 arrays combined with Python floats compute in float32, which an update
# written into bfloat16 output buffers would not reproduce.)
_FUSED_DTYPES = frozenset(("float16", "float32", "float64"))
_NUMBER_TYPES = (int, float)


def fusable(dtype: str, *coefficients: Any) -> bool:
    """True when a fused update op (`kerasx.ops.optimizer_updates`) reproduces the plain
    formula exactly: a float16/32/64 weight and Python-number coefficients.

    Args:
        dtype: the weight's dtype name.
        *coefficients: the rule's hyper-parameters passed to the op as Python scalars.

    Returns:
        Whether the fused op may be used.
    """
    if dtype not in _FUSED_DTYPES:
        return False
    for c in coefficients:
        if c.__class__ not in _NUMBER_TYPES:
            return False
    return True


# State variables (`build`, slots, saving) are `OptimizerVariablesMixin`
# (`_optimizer_variables.py`); clipping, weight decay, gradient filtering and the EMA are
# `OptimizerTransformsMixin` (`_optimizer_transforms.py`). Neither defines a name this class does.
class Optimizer(OptimizerVariablesMixin, OptimizerTransformsMixin):
    """Base class of optimizers.

    Subclasses create their slot variables in `build` (after calling ``super().build``) and
    implement `update_step`. Updates are written as ``self.assign(var, value)`` (or
    ``var.assign``), so the same code runs eagerly, under a tape, and statelessly under jit.

    Args:
        learning_rate: a float, a `LearningRateSchedule` (evaluated at the
            iteration count) or a callable with no arguments returning the rate.
        weight_decay: if set, every step first shrinks each weight by
            ``weight * weight_decay * learning_rate`` (decoupled weight decay).
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together so their joint L2 norm is at most this.
        use_ema: keep an exponential moving average of the weights.
        ema_momentum: the EMA decay, in ``[0, 1]``.
        ema_overwrite_frequency: every this many steps, copy the EMA into the weights.
        loss_scale_factor: `scale_loss` multiplies the loss by it and `apply` divides the
            gradients by it.
        gradient_accumulation_steps: apply the mean gradient every this many calls (>= 2);
            calls in between only accumulate.
        name: the optimizer's name (default: snake-cased class name, made unique).
        **kwargs: only the deprecated ``decay`` is accepted (ignored, with a warning).
    """

    # The per-step scalar cache of `_step_scalar` (a dict while `_update` runs).
    _kx_step_cache: dict | None = None

    def __init__(
        self,
        learning_rate: Any,
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
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported by optimizers and is ignored; use a "
                "`LearningRateSchedule` instead.",
                stacklevel=2,
            )
        if kwargs:
            raise ValueError(
                f"Argument(s) not recognized by {type(self).__name__}: {kwargs}. Check the "
                "spelling against the constructor's documented arguments."
            )
        if name is None:
            name = unique_name(snake_case(type(self).__name__))
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                "Received an invalid value for `name`, expected a string without '/'. "
                f"Received: name={name!r}"
            )
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if gradient_accumulation_steps and (
            not isinstance(gradient_accumulation_steps, int)
            or isinstance(gradient_accumulation_steps, bool)
            or gradient_accumulation_steps < 2
        ):
            raise ValueError(
                "Received an invalid value for `gradient_accumulation_steps`, expected an "
                "integer >= 2 (or None to apply every step). Received: "
                f"gradient_accumulation_steps={gradient_accumulation_steps!r}"
            )
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(
                    "Received an invalid value for `ema_momentum`, expected a float in [0, 1]. "
                    f"Received: ema_momentum={ema_momentum!r}"
                )
            if ema_overwrite_frequency and (
                not isinstance(ema_overwrite_frequency, int)
                or isinstance(ema_overwrite_frequency, bool)
                or ema_overwrite_frequency < 1
            ):
                raise ValueError(
                    "Received an invalid value for `ema_overwrite_frequency`, expected an "
                    "integer >= 1 or None. Received: "
                    f"ema_overwrite_frequency={ema_overwrite_frequency!r}"
                )
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        set_clips = [x is not None for x in (clipnorm, clipvalue, global_clipnorm)]
        if sum(set_clips) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list[Variable] = []
        self._trainable_variables_indices: dict[int, int] = {}
        self._exclude_ids: set[int] = set()
        self._exclude_names: list[str] = []
        self._model_variables_moving_average: list[Variable] = []
        self._accumulated_gradients: list[Variable] = []
        self._iterations = self._make_variable(0, "int32", "iteration")
        self._learning_rate = self._build_learning_rate(learning_rate)

    # ----------------------------------------------------------------- learning rate

    def _build_learning_rate(self, learning_rate: Any) -> Any:
        if isinstance(learning_rate, _schedules.LearningRateSchedule):
            return learning_rate
        if callable(learning_rate) and not isinstance(learning_rate, Variable):
            return learning_rate
        if not _is_float(learning_rate):
            raise ValueError(_LR_ERROR.format(learning_rate))
        return self._make_variable(learning_rate, _config.floatx(), "learning_rate")

    @property
    def learning_rate(self) -> Any:
        """The current learning rate (a schedule is evaluated at the iteration count)."""
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, _schedules.LearningRateSchedule) or (
            callable(value) and not isinstance(value, Variable)
        ):
            if isinstance(self._learning_rate, Variable):
                self._variables = [v for v in self._variables if v is not self._learning_rate]
            self._learning_rate = value
            return
        if not isinstance(self._learning_rate, Variable):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` (or callable) as its "
                "`learning_rate`, so its learning rate cannot be set to a value. Create the "
                "optimizer with a float `learning_rate` to make it settable."
            )
        self._learning_rate.assign(value)

    def _get_current_learning_rate(self) -> Any:
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return lr(self._iterations.value)
        if isinstance(lr, Variable):
            return lr
        return lr()

    # ----------------------------------------------------------------- helpers for rules

    def assign(self, variable: Variable, value: Any) -> None:
        """Set `variable` to `value` cast to its dtype (stateless inside a scope)."""
        variable.assign(ops.cast(value, variable.dtype))

    def assign_add(self, variable: Variable, value: Any) -> None:
        """Add `value` (cast to the variable's dtype) to `variable`."""
        variable.assign(variable.value + ops.cast(value, variable.dtype))

    def assign_sub(self, variable: Variable, value: Any) -> None:
        """Subtract `value` (cast to the variable's dtype) from `variable`."""
        variable.assign(variable.value - ops.cast(value, variable.dtype))

    def update_step(self, gradient: Any, variable: Variable, learning_rate: Any) -> None:
        """Update one weight from its gradient (subclasses implement the rule).

        Args:
            gradient: the (clipped, averaged) gradient of `variable`.
            variable: the weight to update in place.
            learning_rate: the current learning rate (a scalar).
        """
        raise NotImplementedError(f"{type(self).__name__} must implement `update_step`.")

    def scale_loss(self, loss: Any) -> Any:
        """Multiply `loss` by `loss_scale_factor` when one is set.

        Args:
            loss: the loss tensor.

        Returns:
            The scaled loss (`apply` divides the gradients by the same factor).
        """
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    # ----------------------------------------------------------------- apply

    def apply_gradients(self, grads_and_vars: Any) -> Any:
        """Apply ``(gradient, variable)`` pairs (see `apply`).

        Args:
            grads_and_vars: an iterable of ``(gradient, variable)`` pairs.

        Returns:
            The `iterations` counter variable.
        """
        pairs = list(grads_and_vars)
        grads = [g for g, _ in pairs]
        variables = [v for _, v in pairs]
        return self.apply(grads, variables)

    def _apply_variables(self, trainable_variables: Sequence[Variable] | None) -> list[Variable]:
        """`apply`'s variables as a list: the given ones, or (None) those the optimizer was
        built with, which needs a built optimizer."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "`apply(grads)` without `trainable_variables` needs a built optimizer; "
                    "pass the variables or call `optimizer.build(variables)` first."
                )
            trainable_variables = self._trainable_variables
        return list(trainable_variables)

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Variable] | None = None):
        """Update the weights from their gradients, in place (statelessly inside a scope).

        The optimizer is built on first use. Gradients that are None are skipped.

        Args:
            grads: one gradient (or None) per weight.
            trainable_variables: the weights; default: the list the optimizer was built with.

        Returns:
            The step counter variable.
        """
        grads = list(grads)
        trainable_variables = self._apply_variables(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(
                "`grads` and `trainable_variables` must have the same length. Received: "
                f"{len(grads)} gradients and {len(trainable_variables)} variables."
            )
        if not self.built:
            self.build(trainable_variables)
            self.built = True
        self._check_variables_are_known(trainable_variables)
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        grads, trainable_variables = self._overwrite_with_gradients(grads, trainable_variables)
        if trainable_variables:
            self._apply_all(grads, trainable_variables)
        for var in trainable_variables:
            constraint = getattr(var, "constraint", None)
            if constraint is not None:
                var.assign(constraint(var.value))
        return self._iterations

    def _apply_all(self, grads: list[Any], variables: list[Variable]) -> None:
        steps = self.gradient_accumulation_steps
        if steps:
            is_update = ops.equal((self._iterations.value + 1) % steps, 0)
            accs = [self._accumulated_gradients[self._get_variable_index(v)] for v in variables]

            def update() -> None:
                mean = [(g + a.value) / steps for g, a in zip(grads, accs)]
                self._update(mean, variables)

            self._run_where(is_update, update, list(variables) + self.variables)
            for g, a in zip(grads, accs):
                summed = a.value + ops.cast(g, a.dtype)
                a.assign(ops.where(is_update, ops.zeros_like(summed), summed))
        else:
            self._update(grads, variables)
        if self.use_ema:
            self._update_model_variables_moving_average(self._trainable_variables)
            if self.ema_overwrite_frequency:
                step = self._iteration_value()
                should = ops.equal((step + 1) % self.ema_overwrite_frequency, 0)

                def overwrite() -> None:
                    self._overwrite_model_variables_with_average_value(self._trainable_variables)

                self._run_where(should, overwrite, list(self._trainable_variables))
        self._iterations.assign(self._iterations.value + 1)

    def _update(self, grads: list[Any], variables: list[Variable]) -> None:
        grads = self._clip_gradients(grads)
        # Scalars that depend only on the step (cast learning rates, bias corrections) are
        # computed once per update and shared by every weight (see `_step_scalar`).
        outer = self._kx_step_cache
        self._kx_step_cache = {}
        try:
            self._apply_weight_decay(variables)
            lr = self._step_learning_rate()
            update_step = self.update_step
            for g, v in zip(grads, variables):
                update_step(g, v, lr)
        finally:
            self._kx_step_cache = outer

    def _step_scalar(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per optimizer step and reused under `key`.

        Inside `apply` the value is memoized until the step's updates are done (so the
        tensor ops that make it run once per step, not once per weight); outside `apply`
        (a direct `update_step` call) it is simply computed.

        Args:
            key: a hashable key naming the value (include the dtype it is cast to).
            make: computes the value with registry ops.

        Returns:
            The value.
        """
        cache = self._kx_step_cache
        if cache is None:
            return make()
        value = cache.get(key, _UNSET)
        if value is _UNSET:
            value = cache[key] = make()
        return value

    def _step_learning_rate(self) -> Any:
        """The current learning rate, evaluated once per step (a schedule is called once)."""
        return self._step_scalar("learning_rate", self._get_current_learning_rate)

    def _cast_learning_rate(self, learning_rate: Any, dtype: str) -> Any:
        """`learning_rate` cast to `dtype`, once per step."""
        return self._step_scalar(
            ("learning_rate", dtype, id(learning_rate)), lambda: ops.cast(learning_rate, dtype)
        )

    def _step_count(self, dtype: str) -> Any:
        """The 1-based number of the step being applied, cast to `dtype`, once per step."""
        return self._step_scalar(
            ("step_count", dtype), lambda: ops.cast(self._iteration_value() + 1, dtype)
        )

    @staticmethod
    def _run_where(pred: Any, fn: Callable[[], None], candidates: Sequence[Variable]) -> None:
        """Run `fn` and keep the assignments it makes only where `pred` is true.

        `fn`'s assignments are captured in a nested StatelessScope, then each touched
        variable among `candidates` is set to ``where(pred, new, old)``. Traceable: no
        Python branch on `pred`.
        """
        with StatelessScope() as scope:
            fn()
        for var in candidates:
            new = scope.assigned.get(id(var))
            if new is not None:
                var.assign(ops.where(pred, ops.cast(new, var.dtype), var.value))

    # ----------------------------------------------------------------- stateless

    def stateless_apply(
        self,
        optimizer_variables: Sequence[Any],
        grads: Sequence[Any],
        trainable_variables: Sequence[Any],
    ) -> tuple[list[Any], list[Any]]:
        """Pure version of `apply`: nothing is modified, new values are returned.

        Args:
            optimizer_variables: one value per entry of `variables`.
            grads: one gradient (or None) per weight of the list given to `build`.
            trainable_variables: the weights' current values, in the same order.

        Returns:
            ``(new_trainable_values, new_optimizer_values)``, aligned with the inputs.
        """
        if not self.built:
            raise ValueError(
                "`stateless_apply` needs a built optimizer: call `optimizer.build(variables)` "
                "first."
            )
        own = self.variables
        optimizer_variables = list(optimizer_variables)
        trainable_variables = list(trainable_variables)
        if len(optimizer_variables) != len(own):
            raise ValueError(
                f"Expected {len(own)} optimizer variable values (one per entry of "
                f"`optimizer.variables`), received {len(optimizer_variables)}."
            )
        if len(trainable_variables) != len(self._trainable_variables):
            raise ValueError(
                f"Expected {len(self._trainable_variables)} trainable variable values (one per "
                f"variable given to `build`), received {len(trainable_variables)}."
            )
        mapping = list(zip(self._trainable_variables, trainable_variables))
        mapping += list(zip(own, optimizer_variables))
        with StatelessScope(mapping) as scope:
            self.apply(grads)
        new_trainable = [scope.get_current_value(v) for v in self._trainable_variables]
        new_opt = [scope.get_current_value(v) for v in own]
        return new_trainable, new_opt

    # ----------------------------------------------------------------- config

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict (Keras's keys and order).

        Returns:
            A dict that `from_config` accepts.
        """
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            lr_config: Any = _schedules.serialize(lr)
        elif isinstance(lr, Variable):
            lr_config = float(lr.numpy())
        else:
            lr_config = getattr(lr, "__name__", repr(lr))
        return {
            "name": self.name,
            "learning_rate": lr_config,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Any:
        """Create an optimizer from `get_config`'s dict.

        Args:
            config: the constructor arguments (a serialized schedule is rebuilt).
            custom_objects: extra classes for a custom schedule.

        Returns:
            A new optimizer.
        """
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

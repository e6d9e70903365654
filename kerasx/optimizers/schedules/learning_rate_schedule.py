"""Learning-rate schedules written with `kerasx.ops`.

Every schedule maps a training step to a learning rate. The step may be a Python number, a
NumPy or engine scalar, or a traced value inside `kerasx.jit`: no schedule branches in Python on
the step's value (only on constructor arguments), so all of them trace on the JAX engine.
"""

from __future__ import annotations

import math
from typing import Any

from kerasx import config as _config
from kerasx import ops

_KERAS_MODULE = "keras.optimizers.schedules"


def _check_positive(name: str, value: Any) -> None:
    """Raise ValueError unless `value` (a constructor argument called `name`) is > 0."""
    if not value > 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


def _lr_dtype(initial_learning_rate: Any) -> str:
    """Dtype used for the schedule's arithmetic: the initial rate's float dtype, else floatx."""
    dtype = str(ops.convert_to_tensor(initial_learning_rate).dtype)
    if dtype.startswith(("float", "bfloat")):
        return dtype
    return _config.floatx()


class LearningRateSchedule:
    """Base class of learning-rate schedules.

    Subclasses implement `__call__(step)`, returning the learning rate for `step`, and
    `get_config()`, returning the constructor arguments as a dict so the schedule can be
    rebuilt with `from_config`.
    """

    def __call__(self, step: Any) -> Any:
        """Return the learning rate at `step`.

        Args:
            step: the current training step (number, scalar tensor or traced value).

        Returns:
            The learning rate, a scalar tensor.
        """
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments of this schedule as a dict.

        Returns:
            A dict that `from_config` accepts.
        """
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Build a schedule from the dict returned by `get_config`.

        Args:
            config: the constructor arguments.

        Returns:
            A new schedule instance.
        """
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """Multiply the rate by `decay_rate` every `decay_steps` steps (smoothly or stepwise).

    rate(step) = initial_learning_rate * decay_rate ** (step / decay_steps), where the exponent
    is floored when `staircase` is True.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: number of steps for one factor of `decay_rate`; must be > 0.
        decay_rate: the decay factor.
        staircase: if True, decay in discrete jumps (integer exponent).
        name: name of the schedule.
    """

    def __init__(
        self,
        initial_learning_rate: Any,
        decay_steps: Any,
        decay_rate: Any,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive("decay_steps", decay_steps)

    def __call__(self, step: Any) -> Any:
        """Return the learning rate at `step` (see the class docstring)."""
        dtype = _lr_dtype(self.initial_learning_rate)
        lr = ops.convert_to_tensor(self.initial_learning_rate, dtype=dtype)
        exponent = ops.divide(
            ops.cast(step, dtype), ops.convert_to_tensor(self.decay_steps, dtype=dtype)
        )
        if self.staircase:
            exponent = ops.floor(exponent)
        rate = ops.convert_to_tensor(self.decay_rate, dtype=dtype)
        return ops.multiply(lr, ops.power(rate, exponent))

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """A step function: `values[i]` on the i-th interval delimited by `boundaries`.

    The rate is `values[0]` for step <= boundaries[0], `values[i]` for
    boundaries[i-1] < step <= boundaries[i], and `values[-1]` for step > boundaries[-1].

    Args:
        boundaries: increasing step boundaries (list of numbers).
        values: the rates, one more than `boundaries`.
        name: name of the schedule.
    """

    def __init__(self, boundaries: Any, values: Any, name: str = "PiecewiseConstant") -> None:
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of `boundaries` must be one less than the length of `values`. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> Any:
        """Return the learning rate at `step` (see the class docstring)."""
        step = ops.convert_to_tensor(step)
        values = [ops.convert_to_tensor(v) for v in self.values]
        out_dtype = str(values[0].dtype)
        result = values[-1]
        for boundary, value in zip(reversed(self.boundaries), reversed(values[:-1])):
            boundary = ops.convert_to_tensor(boundary)
            result = ops.where(ops.less_equal(step, boundary), value, result)
        return ops.cast(result, out_dtype)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict."""
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from `initial_learning_rate` to `end_learning_rate` over `decay_steps`.

    rate = (initial - end) * (1 - s / decay_steps) ** power + end, with s = min(step,
    decay_steps). With `cycle=True` the horizon instead grows to the next multiple of
    `decay_steps` at or above `step` (one multiple at step 0), so the decay restarts.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: length of the decay; must be > 0.
        end_learning_rate: the final rate.
        power: exponent of the polynomial.
        cycle: whether to restart the decay past `decay_steps`.
        name: name of the schedule.
    """

    def __init__(
        self,
        initial_learning_rate: Any,
        decay_steps: Any,
        end_learning_rate: Any = 0.0001,
        power: Any = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_positive("decay_steps", decay_steps)

    def __call__(self, step: Any) -> Any:
        """Return the learning rate at `step` (see the class docstring)."""
        dtype = _lr_dtype(self.initial_learning_rate)
        lr = ops.convert_to_tensor(self.initial_learning_rate, dtype=dtype)
        end = ops.convert_to_tensor(self.end_learning_rate, dtype=dtype)
        power = ops.convert_to_tensor(self.power, dtype=dtype)
        s = ops.cast(step, dtype)
        horizon = ops.convert_to_tensor(self.decay_steps, dtype=dtype)
        if self.cycle:
            multiple = ops.ceil(ops.divide(s, horizon))
            multiple = ops.where(ops.equal(s, 0), ops.ones_like(multiple), multiple)
            horizon = ops.multiply(horizon, multiple)
        else:
            s = ops.minimum(s, horizon)
        remaining = ops.subtract(1.0, ops.divide(s, horizon))
        remaining = ops.cast(remaining, dtype)
        return ops.add(ops.multiply(ops.subtract(lr, end), ops.power(remaining, power)), end)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """Inverse-time decay: rate = initial / (1 + decay_rate * step / decay_steps).

    With `staircase=True`, `step / decay_steps` is floored.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: step scale of the decay; must be > 0.
        decay_rate: the decay coefficient.
        staircase: if True, decay in discrete jumps.
        name: name of the schedule.
    """

    def __init__(
        self,
        initial_learning_rate: Any,
        decay_steps: Any,
        decay_rate: Any,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive("decay_steps", decay_steps)

    def __call__(self, step: Any) -> Any:
        """Return the learning rate at `step` (see the class docstring)."""
        dtype = _lr_dtype(self.initial_learning_rate)
        lr = ops.convert_to_tensor(self.initial_learning_rate, dtype=dtype)
        ratio = ops.divide(
            ops.cast(step, dtype), ops.convert_to_tensor(self.decay_steps, dtype=dtype)
        )
        if self.staircase:
            ratio = ops.floor(ratio)
        rate = ops.convert_to_tensor(self.decay_rate, dtype=dtype)
        denom = ops.add(ops.convert_to_tensor(1.0, dtype=dtype), ops.multiply(rate, ratio))
        return ops.divide(lr, denom)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


def _cosine_factor(fraction: Any, alpha: Any, dtype: str) -> Any:
    """(1 - alpha) * (1 + cos(pi * fraction)) / 2 + alpha, in `dtype`."""
    pi = ops.convert_to_tensor(math.pi, dtype=dtype)
    half = ops.convert_to_tensor(0.5, dtype=dtype)
    one = ops.convert_to_tensor(1.0, dtype=dtype)
    alpha = ops.convert_to_tensor(alpha, dtype=dtype)
    cosine = ops.multiply(half, ops.add(one, ops.cos(ops.multiply(pi, fraction))))
    return ops.add(ops.multiply(ops.subtract(one, alpha), cosine), alpha)


class CosineDecay(LearningRateSchedule):
    """Cosine decay, optionally after a linear warmup.

    Without warmup (`warmup_target=None`) the rate goes from `initial_learning_rate` to
    `alpha * initial_learning_rate` along half a cosine over `decay_steps`, then stays there.
    With `warmup_target`, it first rises linearly from `initial_learning_rate` to
    `warmup_target` over `warmup_steps`, then decays from `warmup_target` the same way.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: length of the cosine decay; must be > 0.
        alpha: final rate as a fraction of the rate the decay starts from.
        name: name of the schedule.
        warmup_target: rate reached at the end of the warmup, or None for no warmup.
        warmup_steps: length of the warmup.
    """

    def __init__(
        self,
        initial_learning_rate: Any,
        decay_steps: Any,
        alpha: Any = 0.0,
        name: str = "CosineDecay",
        warmup_target: Any = None,
        warmup_steps: Any = 0,
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_positive("decay_steps", decay_steps)

    def __call__(self, step: Any) -> Any:
        """Return the learning rate at `step` (see the class docstring)."""
        dtype = _lr_dtype(self.initial_learning_rate)
        lr = ops.convert_to_tensor(self.initial_learning_rate, dtype=dtype)
        decay_steps = ops.convert_to_tensor(self.decay_steps, dtype=dtype)
        s = ops.cast(step, dtype)
        if self.warmup_target is None:
            s = ops.minimum(s, decay_steps)
            return ops.multiply(lr, _cosine_factor(ops.divide(s, decay_steps), self.alpha, dtype))
        target = ops.convert_to_tensor(self.warmup_target, dtype=dtype)
        warmup_steps = ops.convert_to_tensor(self.warmup_steps, dtype=dtype)
        s = ops.minimum(s, ops.add(decay_steps, warmup_steps))
        # The warmup branch is only selected when step < warmup_steps; a zero-length warmup
        # would divide by zero in the unselected branch, so its denominator is made safe.
        safe_warmup = self.warmup_steps if self.warmup_steps else 1
        safe_warmup = ops.convert_to_tensor(safe_warmup, dtype=dtype)
        warm = ops.add(ops.multiply(ops.subtract(target, lr), ops.divide(s, safe_warmup)), lr)
        decay_fraction = ops.divide(ops.subtract(s, warmup_steps), decay_steps)
        decayed = ops.multiply(target, _cosine_factor(decay_fraction, self.alpha, dtype))
        return ops.where(ops.less(s, warmup_steps), warm, decayed)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR).

    The first period lasts `first_decay_steps`; each following period is `t_mul` times longer
    and starts from a rate `m_mul` times the previous period's starting rate. Within a period
    the rate follows half a cosine down to `alpha` times that period's starting rate.

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: length of the first period; must be > 0.
        t_mul: growth factor of the period length.
        m_mul: factor applied to the starting rate at each restart.
        alpha: final rate of each period as a fraction of `initial_learning_rate`.
        name: name of the schedule.
    """

    def __init__(
        self,
        initial_learning_rate: Any,
        first_decay_steps: Any,
        t_mul: Any = 2.0,
        m_mul: Any = 1.0,
        alpha: Any = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_positive("first_decay_steps", first_decay_steps)

    def __call__(self, step: Any) -> Any:
        """Return the learning rate at `step` (see the class docstring)."""
        dtype = _lr_dtype(self.initial_learning_rate)
        lr = ops.convert_to_tensor(self.initial_learning_rate, dtype=dtype)
        first = ops.convert_to_tensor(self.first_decay_steps, dtype=dtype)
        one = ops.convert_to_tensor(1.0, dtype=dtype)
        t_mul = ops.convert_to_tensor(self._t_mul, dtype=dtype)
        m_mul = ops.convert_to_tensor(self._m_mul, dtype=dtype)
        fraction = ops.divide(ops.cast(step, dtype), first)
        if self._t_mul == 1.0:
            restart = ops.floor(fraction)
            fraction = ops.subtract(fraction, restart)
        else:
            # Period k spans [sum_{j<k} t^j, sum_{j<=k} t^j) in units of the first period.
            one_minus_t = ops.subtract(one, t_mul)
            restart = ops.floor(
                ops.divide(
                    ops.log(ops.subtract(one, ops.multiply(fraction, one_minus_t))),
                    ops.log(t_mul),
                )
            )
            t_pow = ops.power(t_mul, restart)
            elapsed = ops.divide(ops.subtract(one, t_pow), one_minus_t)
            fraction = ops.divide(ops.subtract(fraction, elapsed), t_pow)
        m_factor = ops.power(m_mul, restart)
        half = ops.convert_to_tensor(0.5, dtype=dtype)
        pi = ops.convert_to_tensor(math.pi, dtype=dtype)
        cosine = ops.multiply(
            ops.multiply(half, m_factor), ops.add(one, ops.cos(ops.multiply(pi, fraction)))
        )
        alpha = ops.convert_to_tensor(self.alpha, dtype=dtype)
        decayed = ops.add(ops.multiply(ops.subtract(one, alpha), cosine), alpha)
        return ops.multiply(lr, decayed)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


_BUILTINS: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls
    for cls in (
        LearningRateSchedule,
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """Turn a schedule into a JSON-compatible dict (the Keras 3 serialization format).

    Args:
        learning_rate_schedule: the schedule to serialize.

    Returns:
        A dict with keys `module`, `class_name`, `config` and `registered_name`.
    """
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError(
            "Received an invalid value for `learning_rate_schedule`, expected a "
            f"LearningRateSchedule instance. Received: "
            f"learning_rate_schedule={learning_rate_schedule!r}"
        )
    cls = type(learning_rate_schedule)
    builtin = _BUILTINS.get(cls.__name__) is cls
    return {
        "module": _KERAS_MODULE if builtin else cls.__module__,
        "class_name": cls.__name__,
        "config": learning_rate_schedule.get_config(),
        "registered_name": None if builtin else cls.__name__,
    }


def deserialize(
    config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> LearningRateSchedule:
    """Rebuild a schedule from the dict produced by `serialize`.

    Args:
        config: a dict with at least `class_name` and `config`.
        custom_objects: optional mapping from class names to user-defined schedule classes.

    Returns:
        The rebuilt schedule.
    """
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(
            "Received an invalid value for `config`, expected a dict with keys 'class_name' "
            f"and 'config'. Received: config={config!r}"
        )
    custom_objects = custom_objects or {}
    names = [config.get("registered_name"), config["class_name"]]
    cls = None
    for name in names:
        if name is not None and name in custom_objects:
            cls = custom_objects[name]
            break
    if cls is None:
        cls = _BUILTINS.get(config["class_name"])
    if cls is None:
        raise ValueError(
            "Received an invalid value for `config`: unknown learning rate schedule "
            f"class_name={config['class_name']!r}. Pass it in `custom_objects`."
        )
    return cls.from_config(dict(config["config"]))

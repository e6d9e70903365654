"""kerasx.constraints: projections applied to weights after each update."""

from __future__ import annotations

from typing import Any

from kerasx import config as _config
from kerasx import ops
from kerasx.saving import serialization as _ser


class Constraint:
    """Base class: a callable ``new_w = constraint(w)`` with a config."""

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict:
        """The constructor arguments as a dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        """Build an instance from `get_config`'s output."""
        return cls(**config)


def _norms(w: Any, axis: Any) -> Any:
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale slices along `axis` whose L2 norm exceeds `max_value`.

    Args:
        max_value: the largest allowed norm.
        axis: the axis (or axes) the norm is taken over; 0 suits a Dense kernel's columns.
    """

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return ops.multiply(w, ops.divide(desired, ops.add(_config.epsilon(), norms)))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Zero out negative weights."""

    def __call__(self, w: Any) -> Any:
        w = ops.convert_to_tensor(w)
        return ops.multiply(w, ops.cast(ops.greater_equal(w, 0.0), w.dtype))


class UnitNorm(Constraint):
    """Scale slices along `axis` to unit L2 norm.

    Args:
        axis: the axis (or axes) the norm is taken over.
    """

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        w = ops.convert_to_tensor(w)
        return ops.divide(w, ops.add(_config.epsilon(), _norms(w, self.axis)))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move slice norms into ``[min_value, max_value]`` at speed `rate`.

    The new norm is ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``.

    Args:
        min_value: the smallest allowed norm.
        max_value: the largest allowed norm.
        rate: 1.0 enforces the bounds exactly; smaller values move part way.
        axis: the axis (or axes) the norm is taken over.
    """

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0
    ) -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        clipped = ops.clip(norms, self.min_value, self.max_value)
        desired = ops.add(ops.multiply(self.rate, clipped), ops.multiply(1 - self.rate, norms))
        return ops.multiply(w, ops.divide(desired, ops.add(_config.epsilon(), norms)))

    def get_config(self) -> dict:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

ALL_OBJECTS = {Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm}
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update(
    {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm}
)


def serialize(constraint: Constraint) -> Any:
    """The Keras-format config dict of `constraint`.

    Args:
        constraint: a constraint instance.

    Returns:
        A dict with ``module``, ``class_name``, ``config`` and ``registered_name``.
    """
    return _ser.serialize_keras_object(constraint, module="keras.constraints")


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild a constraint from `serialize`'s output (or a class name).

    Args:
        config: a dict or a name.
        custom_objects: extra names to look up.

    Returns:
        A constraint instance (or the class, for a bare name).
    """
    return _ser.deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="constraint",
    )


def get(identifier: Any) -> Any:
    """Resolve `identifier` into a constraint.

    Args:
        identifier: None, a name (``"non_neg"``), a config dict, an instance or a callable.

    Returns:
        A constraint (None for None).
    """
    if identifier is None:
        return None
    obj: Any = None
    if isinstance(identifier, (str, dict)):
        try:
            obj = deserialize(identifier)
        except ValueError:
            obj = None
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret constraint identifier: {identifier!r}. "
        f"Received: identifier={identifier!r}"
    )

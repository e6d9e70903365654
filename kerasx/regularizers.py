"""kerasx.regularizers: weight penalties (the ``keras.regularizers`` surface)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx import ops
from kerasx.saving import serialization as _ser


def _check_rate(value: Any, name: str) -> float:
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or float(value) < 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a non-negative finite float. "
            f"Received: {name}={value!r}"
        )
    return float(value)


class Regularizer:
    """Base class: a callable ``penalty = regularizer(weights)`` with a config."""

    def __call__(self, x: Any) -> Any:
        return 0.0

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        """Build an instance from `get_config`'s output."""
        return cls(**config)

    def get_config(self) -> dict:
        """The constructor arguments as a dict."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config().")


class L1(Regularizer):
    """Penalty ``l1 * sum(|x|)``.

    Args:
        l1: the rate (stored in float32, as Keras does).
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = float(np.float32(_check_rate(0.01 if l1 is None else l1, "l1")))

    def __call__(self, x: Any) -> Any:
        return ops.multiply(self.l1, ops.sum(ops.absolute(x)))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """Penalty ``l2 * sum(x**2)``.

    Args:
        l2: the rate.
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _check_rate(0.01 if l2 is None else l2, "l2")

    def __call__(self, x: Any) -> Any:
        return ops.multiply(self.l2, ops.sum(ops.square(x)))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """Penalty ``l1 * sum(|x|) + l2 * sum(x**2)``.

    Args:
        l1: the L1 rate.
        l2: the L2 rate.
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check_rate(0.0 if l1 is None else l1, "l1")
        self.l2 = _check_rate(0.0 if l2 is None else l2, "l2")

    def __call__(self, x: Any) -> Any:
        out: Any = 0.0
        if self.l1:
            out = ops.add(out, ops.multiply(self.l1, ops.sum(ops.absolute(x))))
        if self.l2:
            out = ops.add(out, ops.multiply(self.l2, ops.sum(ops.square(x))))
        return out

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalty pushing the rows (or columns) of a 2D weight towards orthonormality.

    The rows (``mode="rows"``) or columns are L2-normalized; the penalty is
    ``factor * mean(|off-diagonal entries of the Gram matrix|)`` over the distinct pairs.

    Args:
        factor: the rate (stored in float32).
        mode: ``"rows"`` or ``"columns"``.
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = float(np.float32(_check_rate(factor, "factor")))
        if mode not in ("rows", "columns"):
            raise ValueError(
                "Received an invalid value for `mode`, expected 'rows' or 'columns'. "
                f"Received: mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, x: Any) -> Any:
        x = ops.convert_to_tensor(x)
        if len(x.shape) != 2:
            raise ValueError(
                "OrthogonalRegularizer expects a 2D weight; received an input of shape "
                f"{tuple(x.shape)}."
            )
        axis = 1 if self.mode == "rows" else 0
        xn = ops.normalize(x, axis=axis, order=2)
        gram = ops.matmul(xn, ops.transpose(xn)) if axis == 1 else ops.matmul(ops.transpose(xn), xn)
        size = int(x.shape[0] if axis == 1 else x.shape[1])
        off = ops.multiply(gram, ops.subtract(1.0, ops.eye(size, dtype=gram.dtype)))
        pairs = size * (size - 1) / 2.0
        return ops.multiply(self.factor * 0.5 / pairs, ops.sum(ops.absolute(off)))

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS = {Regularizer, L1, L2, L1L2, OrthogonalRegularizer}
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update(
    {"l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}
)


def serialize(regularizer: Regularizer) -> Any:
    """The Keras-format config dict of `regularizer`.

    Args:
        regularizer: a regularizer instance.

    Returns:
        A dict with ``module``, ``class_name``, ``config`` and ``registered_name``.
    """
    return _ser.serialize_keras_object(regularizer, module="keras.regularizers")


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild a regularizer from `serialize`'s output (or a class name).

    Args:
        config: a dict or a name.
        custom_objects: extra names to look up.

    Returns:
        A regularizer instance (or the class, for a bare name).
    """
    return _ser.deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="regularizer",
    )


def get(identifier: Any) -> Any:
    """Resolve `identifier` into a regularizer.

    Args:
        identifier: None, a name (``"l2"``), a config dict, an instance or a callable.

    Returns:
        A regularizer (None for None).
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
        f"Could not interpret regularizer identifier: {identifier!r}. "
        f"Received: identifier={identifier!r}"
    )

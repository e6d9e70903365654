"""Helpers shared by the normalization layers: argument checks, axis handling, broadcasting."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine import dtypes as _dt
from kerasx.engine.symbolic import KerasTensor

HALF_FLOATS = ("float16", "bfloat16")


def is_int(value: Any) -> bool:
    """True for Python/NumPy integers (booleans excluded)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value: Any) -> bool:
    """True for Python/NumPy reals (booleans excluded)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def check_int_axis(axis: Any, layer: str) -> int:
    """`axis` as an int; a TypeError (as Keras) for anything else."""
    if not is_int(axis):
        raise TypeError(
            f"{layer}: expected an integer for the argument `axis`. Received: axis={axis!r}"
        )
    return int(axis)


def check_axes(axis: Any, layer: str) -> int | list[int]:
    """`axis` as an int or a list of ints; a TypeError (as Keras) for anything else."""
    if isinstance(axis, (list, tuple)):
        if not all(is_int(a) for a in axis) or not axis:
            raise TypeError(
                f"{layer}: expected an int or a non-empty list/tuple of ints for the argument "
                f"`axis`. Received: axis={axis!r}"
            )
        return [int(a) for a in axis]
    if not is_int(axis):
        raise TypeError(
            f"{layer}: expected an int or a list/tuple of ints for the argument `axis`. "
            f"Received: axis={axis!r}"
        )
    return int(axis)


def check_epsilon(epsilon: Any, layer: str) -> float:
    """`epsilon` as a non-negative float; ValueError otherwise."""
    if not is_number(epsilon) or not epsilon >= 0:
        raise ValueError(
            f"{layer}: received an invalid value for `epsilon`, expected a non-negative "
            f"number. Received: epsilon={epsilon!r}"
        )
    return float(epsilon)


def resolve_axes(axes: Any, ndim: int, layer: str, name: str = "axis") -> list[int]:
    """Non-negative, distinct axes of a rank-`ndim` input; ValueError when out of range."""
    items = list(axes) if isinstance(axes, (list, tuple)) else [axes]
    out = []
    for a in items:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{layer}: received an invalid value for `{name}`: axis {a} is out of range "
                f"for an input of rank {ndim} (expected an axis in [{-ndim}, {ndim})). "
                f"Received: {name}={axes!r}"
            )
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(
            f"{layer}: received an invalid value for `{name}`: it repeats an axis. "
            f"Received: {name}={axes!r}"
        )
    return out


def broadcast_shape(ndim: int, axes: list[int], sizes: tuple) -> tuple | None:
    """The shape a parameter of shape `sizes` (one size per entry of the sorted `axes`)
    takes to broadcast against a rank-`ndim` input, or None when no reshape is needed."""
    if list(axes) == list(range(ndim - len(axes), ndim)):
        return None
    shape = [1] * ndim
    for a, s in zip(axes, sizes):
        shape[a] = s
    return tuple(shape)


def along(value: Any, shape: tuple | None) -> Any:
    """Reshape `value` to `shape` (None: unchanged)."""
    return value if shape is None else ops.reshape(value, shape)


def float_dtype(x: Any) -> str:
    return _dt.standardize_dtype(x.dtype)


def output_spec(layer: Any, inputs: Any) -> KerasTensor:
    """A KerasTensor shaped like `inputs`, in their dtype when floating (else the compute
    dtype): what every normalization layer returns."""
    d = _dt.standardize_dtype(inputs.dtype)
    if not _dt.is_float_dtype(d):
        d = layer.compute_dtype
    return KerasTensor(tuple(inputs.shape), d)


def serialize_or_none(module: Any, obj: Any) -> Any:
    return None if obj is None else module.serialize(obj)


def cast_to(x: Any, dtype: str) -> Any:
    """`x` in `dtype` (no op when it already is)."""
    return x if _dt.standardize_dtype(x.dtype) == dtype else ops.cast(x, dtype)

"""Shared helpers of the manipulation family (`kerasx.ops.manipulation` and its siblings).

Axis and int-sequence normalization with teaching errors, dtype names, and zero-padding along
one axis written with registry ops (gradient rules use it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine.dtypes import standardize_dtype
from kerasx.ops._helpers import K, shape_of

__all__: list[str] = []


def _dtype_of(x: Any) -> str:
    return standardize_dtype(x.dtype)


def _ax(axis: Any, ndim: int, name: str = "axis") -> int:
    """Canonical axis with a teaching error."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected an int. Received: {name}={axis!r}"
        )
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int in [{-ndim}, {ndim}). "
            f"Received: {name}={axis}"
        )
    return int(axis) % max(ndim, 1)


def _ints(value: Any) -> tuple:
    """An int or a sequence of ints as a tuple of Python ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    return tuple(int(v) for v in np.asarray(value).reshape(-1))


def _pad_axis(t: Any, axis: int, before: int, after: int) -> Any:
    """Zero-pad `t` along one axis."""
    if before == 0 and after == 0:
        return t
    pw = [(0, 0)] * len(shape_of(t))
    pw[axis] = (before, after)
    return K.pad(t, pw)

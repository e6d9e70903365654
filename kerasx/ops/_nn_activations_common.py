"""Shared helpers of the activation ops (`kerasx.ops.nn_activations` and its siblings).

Input conversion and axis validation (also used by the losses, normalization and CTC ops),
dtype helpers, and the sample generators several activation modules use.
"""

from __future__ import annotations

from typing import Any

from kerasx import config as _config
from kerasx.engine import dtypes as _dt
from kerasx.engine.shapes import canonical_axis
from kerasx.ops._helpers import K, Sample, randn

__all__: list[str] = []


def as_float(x: Any) -> Any:
    """`x` as a tensor of a floating dtype (integer and bool inputs become floatx)."""
    x = K.convert_to_tensor(x)
    if not _dt.is_float_dtype(x.dtype):
        x = K.cast(x, _config.floatx())
    return x


def _dtype_name(x: Any) -> str:
    return _dt.standardize_dtype(x.dtype)


def _mask(cond: Any, like: Any) -> Any:
    """A 0/1 tensor of `like`'s dtype from a boolean condition."""
    return K.cast(cond, _dtype_name(like))


def check_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    """Validate a single axis argument; return it non-negative."""
    if not isinstance(axis, int) or isinstance(axis, bool):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected an int. Received: {name}={axis!r}"
        )
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int in [{-ndim}, {ndim}) "
            f"for an input of rank {ndim}. Received: {name}={axis}"
        )
    return canonical_axis(axis, ndim)


# ----------------------------------------------------------------------------- samples


def _act_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3) * 2.0,)),
        Sample((randn(rng, 7) * 4.0,)),
        Sample((randn(rng, 2, 2, 3),)),
    ]


def _alpha_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3) * 2.0,)),
        Sample((randn(rng, 6) * 3.0,), {"alpha": 0.5}),
    ]

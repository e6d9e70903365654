"""Shared helpers of the element-wise families (`kerasx.ops.elementwise` and its siblings).

Dtype helpers, the sample generators several element-wise modules use, and `_float_unary`,
the `defop` preset of the float-valued unary ops.
"""

from __future__ import annotations

from typing import Any

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import same_shape_rule
from kerasx.ops._helpers import Sample, rand_bool, rand_int, rand_unit, randn

__all__: list[str] = []


def _dtype_name(x: Any) -> str:
    """Dtype name of a tensor-like, or of a Python scalar's weak type."""
    d = getattr(x, "dtype", None)
    return _dt.standardize_dtype(d) if d is not None else _dt.result_type(x)


def _unary_samples(rng: Any) -> list:
    return [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 5),))]


def _float_unary_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 5),)),
        Sample((rand_int(rng, 2, 3, low=-4, high=5),)),
    ]


def _open_unit_samples(rng: Any) -> list:
    return [
        Sample((rand_unit(rng, 2, 3),)),
        Sample((rand_unit(rng, 4),)),
        Sample((rand_int(rng, 3, low=0, high=1),)),
    ]


def _same_dtype_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 4),)),
        Sample((rand_int(rng, 2, 3, low=-5, high=5),)),
        Sample((rand_bool(rng, 3),)),
    ]


def _float_unary(rule: Any, samples: Any = _float_unary_samples, **kw: Any) -> Any:
    """`defop` for a float-valued unary op: int/bool inputs become floatx, like Keras."""
    return defop(
        promote=("x",), to_float=True, shape=same_shape_rule, vjp={"x": rule}, samples=samples, **kw
    )

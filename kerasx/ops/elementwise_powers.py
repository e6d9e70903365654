"""Element-wise ops: squares, roots and reciprocals, exponentials and logarithms.

Re-exported by `kerasx.ops.elementwise` (importing that family registers these ops too).
"""

from __future__ import annotations

import math
from typing import Any

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import same_shape_rule
from kerasx.ops._elementwise_common import (
    _float_unary,
    _open_unit_samples,
    _same_dtype_samples,
    _unary_samples,
)
from kerasx.ops._helpers import K, Sample, rand_int, rand_pos

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _pos_samples(rng: Any) -> list:
    return [Sample((rand_pos(rng, 2, 3),)), Sample((rand_pos(rng, 5),))]


def _pos_float_samples(rng: Any) -> list:
    return [
        Sample((rand_pos(rng, 2, 3),)),
        Sample((rand_pos(rng, 5, low=0.1, high=8.0),)),
        Sample((rand_int(rng, 2, 2, low=1, high=9),)),
    ]


def _pos_int_not_keras_samples(rng: Any) -> list:
    # Keras's NumPy backend keeps integer dtypes for these ops (an integer result); kerasx
    # returns floatx as Keras's JAX backend does, so the integer sample skips the Keras check.
    out = _pos_float_samples(rng)
    out[-1].keras = False
    return out


# ----------------------------------------------------------------------------------------
# Squares, roots and reciprocals.


def _square_dtype(x: Any) -> str:
    d = x if isinstance(x, str) else _dt.result_type(x)
    return "int32" if d == "bool" else d


@defop(
    shape=same_shape_rule,
    dtype=_square_dtype,
    vjp={"x": lambda g, ans, x: K.multiply(g, K.multiply(x, 2.0))},
    samples=_same_dtype_samples,
)
def square(x: Any) -> Any:
    """Square of the input, element-wise (bool inputs give int32, as in Keras).

    Args:
        x: input tensor.

    Returns:
        ``x * x``.
    """


@_float_unary(lambda g, ans, x: K.true_divide(g, K.multiply(ans, 2.0)), samples=_pos_float_samples)
def sqrt(x: Any) -> Any:
    """Non-negative square root, element-wise.

    Args:
        x: input tensor (integer inputs give floatx).

    Returns:
        ``sqrt(x)``; negative inputs give NaN.
    """


@_float_unary(
    lambda g, ans, x: K.multiply(g, K.multiply(K.multiply(K.square(ans), ans), -0.5)),
    samples=_pos_int_not_keras_samples,
    namespaces=("math",),
)
def rsqrt(x: Any) -> Any:
    """Reciprocal of the square root, element-wise.

    Integer inputs give floatx (Keras's NumPy backend keeps the integer dtype and its JAX
    backend rejects integers; a float result is the meaningful one).

    Args:
        x: input tensor.

    Returns:
        ``1 / sqrt(x)``.
    """


@_float_unary(lambda g, ans, x: K.true_divide(g, K.multiply(K.square(ans), 3.0)))
def cbrt(x: Any) -> Any:
    """Real cube root, element-wise (defined for negative inputs too).

    Args:
        x: input tensor.

    Returns:
        The real number whose cube is `x`.
    """


@_float_unary(
    lambda g, ans, x: K.negative(K.multiply(g, K.square(ans))), samples=_pos_int_not_keras_samples
)
def reciprocal(x: Any) -> Any:
    """Reciprocal ``1 / x``, element-wise.

    Integer inputs give floatx (as on Keras's JAX backend; Keras's NumPy backend does an
    integer reciprocal that truncates to 0).

    Args:
        x: input tensor.

    Returns:
        ``1 / x``.
    """


# ----------------------------------------------------------------------------------------
# Exponentials and logarithms.


@defop(
    promote=("x",),
    to_float=True,
    vjp={"x": lambda g, ans, x: K.multiply(g, ans)},
    vjp_reads=("ans",),
    samples=_unary_samples,
)
def exp(x: Any) -> Any:
    """Exponential, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``e ** x`` (integer inputs give floatx).
    """


@defop(
    promote=("x",),
    to_float=True,
    vjp={"x": lambda g, ans, x: K.true_divide(g, x)},
    samples=_pos_samples,
)
def log(x: Any) -> Any:
    """Natural logarithm, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``ln(x)`` (integer inputs give floatx).
    """


@_float_unary(lambda g, ans, x: K.multiply(g, K.multiply(ans, _LN2)))
def exp2(x: Any) -> Any:
    """Base-2 exponential, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``2 ** x``.
    """


@_float_unary(lambda g, ans, x: K.multiply(g, K.add(ans, 1.0)))
def expm1(x: Any) -> Any:
    """``exp(x) - 1``, accurate for small `x`.

    Args:
        x: input tensor.

    Returns:
        ``exp(x) - 1``.
    """


@_float_unary(lambda g, ans, x: K.true_divide(g, K.multiply(x, _LN10)), samples=_pos_float_samples)
def log10(x: Any) -> Any:
    """Base-10 logarithm, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``log10(x)``.
    """


@_float_unary(lambda g, ans, x: K.true_divide(g, K.multiply(x, _LN2)), samples=_pos_float_samples)
def log2(x: Any) -> Any:
    """Base-2 logarithm, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``log2(x)``.
    """


@_float_unary(lambda g, ans, x: K.true_divide(g, K.add(x, 1.0)), samples=_open_unit_samples)
def log1p(x: Any) -> Any:
    """``log(1 + x)``, accurate for small `x`.

    Args:
        x: input tensor (values above -1).

    Returns:
        ``log(1 + x)``.
    """


__all__ = [
    "cbrt",
    "exp",
    "exp2",
    "expm1",
    "log",
    "log10",
    "log1p",
    "log2",
    "reciprocal",
    "rsqrt",
    "sqrt",
    "square",
]

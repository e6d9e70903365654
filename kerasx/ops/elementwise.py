"""Element-wise ops: arithmetic, magnitude, copies and complex parts.

This module is the entry point of the element-wise family: it re-exports the ops of its
siblings, so importing it registers them all: `elementwise_powers` (squares, roots,
exponentials, logarithms), `elementwise_trig` (trigonometric and hyperbolic functions) and
`elementwise_more` (binary math, clipping and cleaning, special functions). Comparisons, logic
and bitwise ops live in `kerasx.ops.logic`.
"""

from __future__ import annotations

from typing import Any

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_rule, same_shape_rule
from kerasx.ops import elementwise_more as _more
from kerasx.ops import elementwise_powers as _powers
from kerasx.ops import elementwise_trig as _trig
from kerasx.ops._elementwise_common import (
    _dtype_name,
    _float_unary,
    _same_dtype_samples,
    _unary_samples,
)
from kerasx.ops._helpers import K, Sample, rand_int, rand_pos, randn, unbroadcast
from kerasx.ops.elementwise_more import *  # noqa: F403
from kerasx.ops.elementwise_powers import *  # noqa: F403
from kerasx.ops.elementwise_trig import *  # noqa: F403


def _binary_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3), randn(rng, 2, 3))),
        Sample((randn(rng, 2, 3), randn(rng, 3))),
        Sample((randn(rng, 4, 1, 3), randn(rng, 2, 1))),
        Sample((randn(rng, 3), 2.5)),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(g, x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(g, x2),
    },
    vjp_reads=(),
    samples=_binary_samples,
)
def add(x1: Any, x2: Any) -> Any:
    """Add arguments element-wise (with broadcasting).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The element-wise sum of `x1` and `x2`.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(g, x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(K.negative(g), x2),
    },
    vjp_reads=(),
    samples=_binary_samples,
)
def subtract(x1: Any, x2: Any) -> Any:
    """Subtract arguments element-wise.

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The element-wise difference ``x1 - x2``.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, x2), x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, x1), x2),
    },
    vjp_reads=("x1", "x2"),
    samples=_binary_samples,
)
def multiply(x1: Any, x2: Any) -> Any:
    """Multiply arguments element-wise.

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The element-wise product of `x1` and `x2`.
    """


def _divide_vjp_x2(g: Any, ans: Any, x1: Any, x2: Any) -> Any:
    return unbroadcast(K.negative(K.multiply(g, K.true_divide(ans, x2))), x2)


def _divide_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3), rand_pos(rng, 2, 3))),
        Sample((randn(rng, 2, 3), rand_pos(rng, 3))),
        Sample((randn(rng, 3), 2.5)),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(K.true_divide(g, x2), x1),
        "x2": _divide_vjp_x2,
    },
    samples=_divide_samples,
)
def true_divide(x1: Any, x2: Any) -> Any:
    """Divide arguments element-wise (integer inputs give a float result).

    Args:
        x1: numerator.
        x2: denominator.

    Returns:
        ``x1 / x2``.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(K.true_divide(g, x2), x1),
        "x2": _divide_vjp_x2,
    },
    samples=_divide_samples,
)
def divide(x1: Any, x2: Any) -> Any:
    """Divide arguments element-wise (alias behaviour of `true_divide`).

    Args:
        x1: numerator.
        x2: denominator.

    Returns:
        ``x1 / x2``.
    """


@defop(
    promote=("x",),
    vjp={"x": lambda g, ans, x: K.negative(g)},
    vjp_reads=(),
    samples=_unary_samples,
)
def negative(x: Any) -> Any:
    """Numerical negative, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``-x``.
    """


# ----------------------------------------------------------------------------------------
# Magnitude.


def _is_complex(x: Any) -> bool:
    return _dt.is_complex_dtype(_dtype_name(x))


def _real_dtype(x: Any) -> str:
    """Dtype rule: complex inputs give their real component's dtype, others keep theirs."""
    d = x if isinstance(x, str) else _dt.result_type(x)
    return {"complex64": "float32", "complex128": "float64"}.get(d, d)


def _abs_vjp(g: Any, ans: Any, x: Any) -> Any:
    if _is_complex(x):
        # d|z| pulled back to a complex cotangent: g * conj(z) / |z| (JAX's convention).
        c = _dtype_name(x)
        return K.multiply(K.cast(g, c), K.true_divide(K.conjugate(x), K.cast(ans, c)))
    return K.multiply(g, K.sign(x))


_ABS_SPEC = {
    "shape": same_shape_rule,
    "dtype": _real_dtype,
    "vjp": {"x": _abs_vjp},
    "samples": _same_dtype_samples,
}


@defop(**_ABS_SPEC)
def absolute(x: Any) -> Any:
    """Absolute value, element-wise.

    Integer and bool inputs keep their dtype; a complex input gives its modulus as a float
    of matching precision.

    Args:
        x: input tensor.

    Returns:
        ``|x|``.
    """


@defop(**_ABS_SPEC)
def abs(x: Any) -> Any:  # noqa: A001
    """Absolute value, element-wise (the same operation as `absolute`).

    Args:
        x: input tensor.

    Returns:
        ``|x|`` (complex inputs give their modulus as floats).
    """


@_float_unary(lambda g, ans, x: K.multiply(g, K.sign(x)))
def fabs(x: Any) -> Any:
    """Absolute value as a floating-point tensor (integer inputs give floatx).

    Args:
        x: input tensor (real).

    Returns:
        ``|x|`` as floats.
    """


# ----------------------------------------------------------------------------------------
# Copies and complex parts.


@defop(
    shape=same_shape_rule,
    vjp={"x": lambda g, ans, x: g},
    samples=_same_dtype_samples,
)
def copy(x: Any) -> Any:
    """Return a copy of the tensor.

    Args:
        x: input tensor.

    Returns:
        A tensor with the same values, shape and dtype as `x`.
    """


def _real_vjp(g: Any, ans: Any, x: Any) -> Any:
    return K.cast(g, _dtype_name(x)) if _is_complex(x) else g


def _imag_vjp(g: Any, ans: Any, x: Any) -> Any:
    if not _is_complex(x):
        return None
    # The imaginary part of z pulls a real cotangent g back to -i * g.
    return K.multiply(K.cast(g, _dtype_name(x)), -1j)


def _complex_samples(rng: Any) -> list:
    z = randn(rng, 2, 3) + 1j * randn(rng, 2, 3)
    return [
        Sample((randn(rng, 2, 3),)),
        Sample((z,)),
        Sample((rand_int(rng, 4, low=-3, high=3),)),
    ]


@defop(shape=same_shape_rule, dtype=_real_dtype, vjp={"x": _real_vjp}, samples=_complex_samples)
def real(x: Any) -> Any:
    """Real part of a (complex) tensor, element-wise.

    Args:
        x: input tensor; real inputs are returned unchanged.

    Returns:
        The real components (float for complex inputs, else `x`'s dtype).
    """


@defop(shape=same_shape_rule, dtype=_real_dtype, vjp={"x": _imag_vjp}, samples=_complex_samples)
def imag(x: Any) -> Any:
    """Imaginary part of a (complex) tensor, element-wise.

    Args:
        x: input tensor; real inputs give zeros of their own dtype.

    Returns:
        The imaginary components.
    """


def _conj_vjp(g: Any, ans: Any, x: Any) -> Any:
    return K.conjugate(g) if _is_complex(g) else g


@defop(shape=same_shape_rule, vjp={"x": _conj_vjp}, samples=_complex_samples)
def conjugate(x: Any) -> Any:
    """Complex conjugate, element-wise (real inputs are returned unchanged).

    Args:
        x: input tensor.

    Returns:
        ``real(x) - 1j * imag(x)``, same dtype as `x`.
    """


@defop(shape=same_shape_rule, vjp={"x": _conj_vjp}, samples=_complex_samples)
def conj(x: Any) -> Any:
    """Complex conjugate, element-wise (the same operation as `conjugate`).

    Args:
        x: input tensor.

    Returns:
        ``real(x) - 1j * imag(x)``, same dtype as `x`.
    """


def _angle_dtype(x: Any) -> str:
    d = x if isinstance(x, str) else _dt.result_type(x)
    return _real_dtype(d) if _dt.is_complex_dtype(d) else _dt.float_result(d)


@defop(
    promote=("x",),
    to_float=True,
    shape=same_shape_rule,
    dtype=_angle_dtype,
    nondiff=True,
    samples=_complex_samples,
)
def angle(x: Any) -> Any:
    """Counter-clockwise angle of each element in the complex plane.

    Real inputs give 0 for non-negative values and pi for negative ones (integer inputs give
    floatx). The op is treated as non-differentiable (its real-input derivative is zero).

    Args:
        x: input tensor (real or complex).

    Returns:
        The angles in radians, in (-pi, pi].
    """


__all__ = [
    *_more.__all__,
    *_powers.__all__,
    *_trig.__all__,
    "abs",
    "absolute",
    "add",
    "angle",
    "conj",
    "conjugate",
    "copy",
    "divide",
    "fabs",
    "imag",
    "multiply",
    "negative",
    "real",
    "subtract",
    "true_divide",
]

"""Element-wise ops: arithmetic, exponentials, trigonometry, comparisons, logic, bits."""

from __future__ import annotations

import math
from typing import Any

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_rule, same_shape_rule
from kerasx.ops._helpers import (
    K,
    Sample,
    rand_bool,
    rand_int,
    rand_pos,
    rand_unit,
    randn,
    unbroadcast,
)


def _binary_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3), randn(rng, 2, 3))),
        Sample((randn(rng, 2, 3), randn(rng, 3))),
        Sample((randn(rng, 4, 1, 3), randn(rng, 2, 1))),
        Sample((randn(rng, 3), 2.5)),
    ]


def _unary_samples(rng: Any) -> list:
    return [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 5),))]


def _pos_samples(rng: Any) -> list:
    return [Sample((rand_pos(rng, 2, 3),)), Sample((rand_pos(rng, 5),))]


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


@defop(
    promote=("x",),
    to_float=True,
    vjp={"x": lambda g, ans, x: K.multiply(g, K.cos(x))},
    samples=_unary_samples,
)
def sin(x: Any) -> Any:
    """Trigonometric sine, element-wise.

    Args:
        x: input tensor (radians).

    Returns:
        ``sin(x)``.
    """


@defop(
    promote=("x",),
    to_float=True,
    vjp={"x": lambda g, ans, x: K.negative(K.multiply(g, K.sin(x)))},
    samples=_unary_samples,
)
def cos(x: Any) -> Any:
    """Trigonometric cosine, element-wise.

    Args:
        x: input tensor (radians).

    Returns:
        ``cos(x)``.
    """


# ----------------------------------------------------------------------------------------
# Helpers for the unary ops below.

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_DEG_PER_RAD = 180.0 / math.pi
_RAD_PER_DEG = math.pi / 180.0


def _dtype_name(x: Any) -> str:
    """Dtype name of a tensor-like, or of a Python scalar's weak type."""
    d = getattr(x, "dtype", None)
    return _dt.standardize_dtype(d) if d is not None else _dt.result_type(x)


def _is_complex(x: Any) -> bool:
    return _dt.is_complex_dtype(_dtype_name(x))


def _real_dtype(x: Any) -> str:
    """Dtype rule: complex inputs give their real component's dtype, others keep theirs."""
    d = x if isinstance(x, str) else _dt.result_type(x)
    return {"complex64": "float32", "complex128": "float64"}.get(d, d)


def _float_unary_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 5),)),
        Sample((rand_int(rng, 2, 3, low=-4, high=5),)),
    ]


def _unit_samples(rng: Any) -> list:
    return [
        Sample((rand_unit(rng, 2, 3),)),
        Sample((rand_unit(rng, 4),)),
        Sample((rand_int(rng, 3, low=-1, high=2),)),
    ]


def _open_unit_samples(rng: Any) -> list:
    return [
        Sample((rand_unit(rng, 2, 3),)),
        Sample((rand_unit(rng, 4),)),
        Sample((rand_int(rng, 3, low=0, high=1),)),
    ]


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


# ----------------------------------------------------------------------------------------
# Magnitude, powers and roots.


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


# ----------------------------------------------------------------------------------------
# Trigonometric and hyperbolic functions.


@_float_unary(lambda g, ans, x: K.multiply(g, K.add(K.square(ans), 1.0)))
def tan(x: Any) -> Any:
    """Trigonometric tangent, element-wise.

    Args:
        x: input tensor (radians).

    Returns:
        ``tan(x)``.
    """


@_float_unary(lambda g, ans, x: K.multiply(g, K.cosh(x)))
def sinh(x: Any) -> Any:
    """Hyperbolic sine, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``sinh(x)``.
    """


@_float_unary(lambda g, ans, x: K.multiply(g, K.sinh(x)))
def cosh(x: Any) -> Any:
    """Hyperbolic cosine, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``cosh(x)``.
    """


@_float_unary(lambda g, ans, x: K.multiply(g, K.subtract(1.0, K.square(ans))), vjp_reads=("ans",))
def tanh(x: Any) -> Any:
    """Hyperbolic tangent, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``tanh(x)``.
    """


def _inv_sqrt_one_minus_sq(x: Any) -> Any:
    return K.rsqrt(K.subtract(1.0, K.square(x)))


@_float_unary(lambda g, ans, x: K.multiply(g, _inv_sqrt_one_minus_sq(x)), samples=_unit_samples)
def arcsin(x: Any) -> Any:
    """Inverse sine, element-wise.

    Args:
        x: input tensor with values in [-1, 1].

    Returns:
        The angle in [-pi/2, pi/2] whose sine is `x`.
    """


@_float_unary(
    lambda g, ans, x: K.negative(K.multiply(g, _inv_sqrt_one_minus_sq(x))), samples=_unit_samples
)
def arccos(x: Any) -> Any:
    """Inverse cosine, element-wise.

    Args:
        x: input tensor with values in [-1, 1].

    Returns:
        The angle in [0, pi] whose cosine is `x`.
    """


@_float_unary(lambda g, ans, x: K.true_divide(g, K.add(K.square(x), 1.0)))
def arctan(x: Any) -> Any:
    """Inverse tangent, element-wise.

    Args:
        x: input tensor.

    Returns:
        The angle in (-pi/2, pi/2) whose tangent is `x`.
    """


@_float_unary(lambda g, ans, x: K.multiply(g, K.rsqrt(K.add(K.square(x), 1.0))))
def arcsinh(x: Any) -> Any:
    """Inverse hyperbolic sine, element-wise.

    Args:
        x: input tensor.

    Returns:
        ``arcsinh(x)``.
    """


def _gt1_samples(rng: Any) -> list:
    return [
        Sample((rand_pos(rng, 2, 3, low=1.2, high=4.0),)),
        Sample((rand_pos(rng, 4, low=1.1, high=2.0),)),
        Sample((rand_int(rng, 3, low=1, high=6),)),
    ]


@_float_unary(
    lambda g, ans, x: K.multiply(g, K.rsqrt(K.subtract(K.square(x), 1.0))), samples=_gt1_samples
)
def arccosh(x: Any) -> Any:
    """Inverse hyperbolic cosine, element-wise.

    Args:
        x: input tensor with values >= 1.

    Returns:
        The non-negative ``arccosh(x)``.
    """


@_float_unary(
    lambda g, ans, x: K.true_divide(g, K.subtract(1.0, K.square(x))), samples=_open_unit_samples
)
def arctanh(x: Any) -> Any:
    """Inverse hyperbolic tangent, element-wise.

    Args:
        x: input tensor with values in (-1, 1).

    Returns:
        ``arctanh(x)``.
    """


@_float_unary(lambda g, ans, x: K.multiply(g, _RAD_PER_DEG))
def deg2rad(x: Any) -> Any:
    """Convert angles from degrees to radians.

    Args:
        x: angles in degrees.

    Returns:
        The same angles in radians.
    """


@_float_unary(lambda g, ans, x: K.multiply(g, _DEG_PER_RAD))
def rad2deg(x: Any) -> Any:
    """Convert angles from radians to degrees.

    Args:
        x: angles in radians.

    Returns:
        The same angles in degrees.
    """


def _sinc_vjp(g: Any, ans: Any, x: Any) -> Any:
    # d/dx sin(pi x) / (pi x) = (cos(pi x) - sinc(x)) / x, which tends to 0 at x = 0.
    at_zero = K.equal(x, 0.0)
    safe = K.where(at_zero, K.ones_like(x), x)
    d = K.true_divide(K.subtract(K.cos(K.multiply(safe, math.pi)), K.sinc(safe)), safe)
    return K.multiply(g, K.where(at_zero, K.zeros_like(d), d))


def _sinc_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 5) * 3.0,)),
        # x = 0 is a removable singularity: value 1, slope 0.
        Sample((rand_int(rng, 4, low=-2, high=3),)),
    ]


@_float_unary(_sinc_vjp, samples=_sinc_samples)
def sinc(x: Any) -> Any:
    """Normalized sinc function ``sin(pi x) / (pi x)``, equal to 1 at 0.

    Args:
        x: input tensor.

    Returns:
        ``sinc(x)``.
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
    "abs",
    "absolute",
    "add",
    "angle",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctanh",
    "cbrt",
    "conj",
    "conjugate",
    "copy",
    "cos",
    "cosh",
    "deg2rad",
    "divide",
    "exp",
    "exp2",
    "expm1",
    "fabs",
    "imag",
    "log",
    "log10",
    "log1p",
    "log2",
    "multiply",
    "negative",
    "rad2deg",
    "real",
    "reciprocal",
    "rsqrt",
    "sin",
    "sinc",
    "sinh",
    "sqrt",
    "square",
    "subtract",
    "tan",
    "tanh",
    "true_divide",
]

# The binary math, clipping and special functions live in `elementwise_more`; re-exporting
# them here registers them whenever this family is imported.
from kerasx.ops.elementwise_more import *  # noqa: E402, F403
from kerasx.ops.elementwise_more import __all__ as _more_all  # noqa: E402

__all__ += _more_all

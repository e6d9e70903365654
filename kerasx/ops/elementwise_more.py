"""Element-wise ops, continued: binary math, clipping and cleaning, special functions.

Re-exported by `kerasx.ops.elementwise` (importing that family registers these ops too).
"""

from __future__ import annotations

import math
from typing import Any

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_rule, same_shape_rule
from kerasx.ops._elementwise_common import _dtype_name
from kerasx.ops._helpers import K, Sample, rand_int, rand_pos, rand_unit, randn, unbroadcast

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0
_LN2 = math.log(2.0)


def _keep(cond: Any, g: Any) -> Any:
    """`g` where `cond` holds, zero elsewhere (broadcast to `g`'s shape)."""
    return K.where(cond, g, K.zeros_like(g))


def _tie_weight(a: Any, b: Any, like: Any) -> Any:
    """1 where ``a > b``, 0.5 where ``a == b``, 0 elsewhere, in `like`'s dtype.

    This is how JAX splits the gradient of `maximum`/`minimum` between equal arguments.
    """
    dt = _dtype_name(like)
    return K.add(K.cast(K.greater(a, b), dt), K.multiply(K.cast(K.equal(a, b), dt), 0.5))


def _numeric_dtype(x1: Any, x2: Any) -> str:
    """Dtype rule of floor_divide/mod/fmod/power: promoted, but two bools give int32."""
    d = _dt.result_type(x1, x2)
    return "int32" if d == "bool" else d


# ----------------------------------------------------------------------------------------
# Samples.


def _binary_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3), randn(rng, 2, 3))),
        Sample((randn(rng, 2, 3), randn(rng, 3))),
        Sample((randn(rng, 4, 1), randn(rng, 2))),
        Sample((randn(rng, 3), 0.25)),
        Sample((rand_int(rng, 2, 3, low=-5, high=5), rand_int(rng, 3, low=-5, high=5))),
    ]


def _binary_pos_samples(rng: Any) -> list:
    return [
        Sample((rand_pos(rng, 2, 3), rand_pos(rng, 2, 3))),
        Sample((rand_pos(rng, 2, 3), rand_pos(rng, 3))),
        Sample((rand_pos(rng, 3), 1.5)),
        Sample((rand_int(rng, 2, 3, low=1, high=5), rand_int(rng, 3, low=1, high=5))),
    ]


def _divisor_samples(rng: Any) -> list:
    den = rand_pos(rng, 2, 3, low=0.7, high=2.5)
    den[0, 1] = -den[0, 1]
    return [
        Sample((randn(rng, 2, 3) * 4.0, den)),
        Sample((randn(rng, 2, 3) * 4.0, rand_pos(rng, 3, low=0.7, high=2.5))),
        Sample((randn(rng, 4) * 4.0, 1.5)),
        Sample((rand_int(rng, 2, 3, low=-9, high=9), rand_int(rng, 3, low=1, high=4))),
        Sample((rand_int(rng, 4, low=-9, high=9), -3)),
    ]


# ----------------------------------------------------------------------------------------
# Extrema.


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, _tie_weight(x1, x2, g)), x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, _tie_weight(x2, x1, g)), x2),
    },
    samples=_binary_samples,
)
def maximum(x1: Any, x2: Any) -> Any:
    """Element-wise maximum of two tensors (NaN if either is NaN).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The larger of `x1` and `x2` at each position.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, _tie_weight(x2, x1, g)), x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, _tie_weight(x1, x2, g)), x2),
    },
    samples=_binary_samples,
)
def minimum(x1: Any, x2: Any) -> Any:
    """Element-wise minimum of two tensors (NaN if either is NaN).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The smaller of `x1` and `x2` at each position.
    """


def _fmax_pick(x1: Any, x2: Any) -> Any:
    # fmax takes x1 where it is larger or where x2 is NaN; ties go to x2 (as in JAX).
    return K.logical_or(K.greater(x1, x2), K.isnan(x2))


def _fmin_pick(x1: Any, x2: Any) -> Any:
    return K.logical_or(K.less(x1, x2), K.isnan(x2))


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(_keep(_fmax_pick(x1, x2), g), x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(_keep(K.logical_not(_fmax_pick(x1, x2)), g), x2),
    },
    samples=_binary_samples,
)
def fmax(x1: Any, x2: Any) -> Any:
    """Element-wise maximum that ignores NaNs (NaN only where both inputs are NaN).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The larger non-NaN value at each position.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(_keep(_fmin_pick(x1, x2), g), x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(_keep(K.logical_not(_fmin_pick(x1, x2)), g), x2),
    },
    samples=_binary_samples,
)
def fmin(x1: Any, x2: Any) -> Any:
    """Element-wise minimum that ignores NaNs (NaN only where both inputs are NaN).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The smaller non-NaN value at each position.
    """


# ----------------------------------------------------------------------------------------
# Division, remainders, powers.


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    dtype=_numeric_dtype,
    nondiff=True,
    samples=_divisor_samples,
)
def floor_divide(x1: Any, x2: Any) -> Any:
    """Largest integer not greater than ``x1 / x2``, element-wise.

    The result keeps the promoted dtype (integers stay integers). It is piecewise constant,
    so it is not differentiable.

    Args:
        x1: numerator.
        x2: denominator.

    Returns:
        ``floor(x1 / x2)``.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    dtype=_numeric_dtype,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(g, x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(
            K.negative(K.multiply(g, K.floor_divide(x1, x2))), x2
        ),
    },
    samples=_divisor_samples,
)
def mod(x1: Any, x2: Any) -> Any:
    """Remainder of floor division; the result has the sign of the divisor.

    Args:
        x1: dividend.
        x2: divisor.

    Returns:
        ``x1 - floor(x1 / x2) * x2``.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    dtype=_numeric_dtype,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(g, x1),
        # fmod(x1, x2) = x1 - trunc(x1 / x2) * x2, and trunc(x1 / x2) = (x1 - ans) / x2.
        "x2": lambda g, ans, x1, x2: unbroadcast(
            K.negative(K.multiply(g, K.true_divide(K.subtract(x1, ans), x2))), x2
        ),
    },
    samples=_divisor_samples,
)
def fmod(x1: Any, x2: Any) -> Any:
    """Remainder of truncated division; the result has the sign of the dividend (C's fmod).

    Args:
        x1: dividend.
        x2: divisor.

    Returns:
        ``x1 - trunc(x1 / x2) * x2``.
    """


def _divide_no_nan_samples(rng: Any) -> list:
    den = rand_pos(rng, 2, 3)
    den[1, 0] = 0.0
    return [
        Sample((randn(rng, 2, 3), rand_pos(rng, 2, 3))),
        Sample((randn(rng, 2, 3), rand_pos(rng, 3))),
        # Zero denominators: the value jumps there, so finite differences do not apply, and
        # Keras's NumPy backend emits a divide-by-zero warning (an error under pytest); its
        # values are compared in tests/core/test_ops_elementwise.py with warnings silenced.
        Sample((randn(rng, 2, 3), den), grad=False, keras=False),
        Sample((rand_int(rng, 2, 3, low=-4, high=4), rand_int(rng, 3, low=0, high=3)), keras=False),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(K.divide_no_nan(g, x2), x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(
            K.negative(K.divide_no_nan(K.multiply(g, ans), x2)), x2
        ),
    },
    samples=_divide_no_nan_samples,
)
def divide_no_nan(x1: Any, x2: Any) -> Any:
    """Division that returns 0 wherever the denominator is 0 (instead of inf or NaN).

    Args:
        x1: numerator.
        x2: denominator (integer inputs give floatx).

    Returns:
        ``x1 / x2`` where ``x2 != 0``, else 0.
    """


def _power_vjp_x1(g: Any, ans: Any, x1: Any, x2: Any) -> Any:
    d = K.multiply(x2, K.power(x1, K.subtract(x2, 1)))
    return unbroadcast(K.multiply(g, d), x1)


def _power_vjp_x2(g: Any, ans: Any, x1: Any, x2: Any) -> Any:
    # d/dx2 x1 ** x2 = x1 ** x2 * log(x1); taken as 0 where x1 == 0 (as JAX does).
    safe = K.where(K.equal(x1, 0), K.ones_like(x1), x1)
    return unbroadcast(K.multiply(g, K.multiply(ans, K.log(safe))), x2)


def _power_samples(rng: Any) -> list:
    return [
        Sample((rand_pos(rng, 2, 3), randn(rng, 2, 3))),
        Sample((rand_pos(rng, 2, 3), randn(rng, 3))),
        Sample((randn(rng, 4), 3)),
        Sample((rand_int(rng, 2, 3, low=-3, high=4), rand_int(rng, 3, low=0, high=4))),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=broadcast_rule,
    dtype=_numeric_dtype,
    vjp={"x1": _power_vjp_x1, "x2": _power_vjp_x2},
    samples=_power_samples,
)
def power(x1: Any, x2: Any) -> Any:
    """First tensor raised to the power of the second, element-wise.

    Integer inputs give an integer result (negative integer exponents are an error there).

    Args:
        x1: bases.
        x2: exponents.

    Returns:
        ``x1 ** x2``.
    """


def _ldexp_dtype(x1: Any, x2: Any) -> str:
    _check_ldexp_exponent(x2 if isinstance(x2, str) else _dt.result_type(x2))
    return _dt.float_result(x1 if isinstance(x1, str) else _dt.result_type(x1))


def _check_ldexp_exponent(dtype: str) -> None:
    if not _dt.is_int_dtype(dtype):
        raise TypeError(
            "Received an invalid value for `x2`, expected an integer tensor of exponents. "
            f"Received: x2 with dtype={dtype}"
        )


def _ldexp_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3), rand_int(rng, 2, 3, low=-3, high=4))),
        Sample((randn(rng, 2, 3), rand_int(rng, 3, low=-3, high=4))),
        Sample((randn(rng, 4), 3)),
        Sample((rand_int(rng, 2, 2, low=-5, high=5), rand_int(rng, 2, low=0, high=3))),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1",),
    to_float=True,
    shape=broadcast_rule,
    dtype=_ldexp_dtype,
    vjp={"x1": lambda g, ans, x1, x2: unbroadcast(K.ldexp(g, x2), x1)},
    samples=_ldexp_samples,
)
def ldexp(x1: Any, x2: Any) -> Any:
    """Multiply by an integer power of two: ``x1 * 2 ** x2``, element-wise.

    Args:
        x1: mantissas (integer inputs give floatx).
        x2: integer exponents; a float or bool tensor raises TypeError.

    Returns:
        ``x1 * 2 ** x2`` in `x1`'s floating dtype.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=broadcast_rule,
    nondiff=True,
    samples=_binary_samples,
)
def nextafter(x1: Any, x2: Any) -> Any:
    """The next representable floating-point value after `x1` in the direction of `x2`.

    Integer inputs give floatx. Treated as non-differentiable.

    Args:
        x1: starting values.
        x2: directions.

    Returns:
        The neighbouring float of `x1` towards `x2`.
    """


def _heaviside_samples(rng: Any) -> list:
    steps = rand_int(rng, 2, 3, low=-1, high=2).astype("float64")
    return [
        Sample((randn(rng, 2, 3), randn(rng, 2, 3))),
        Sample((randn(rng, 2, 3), 0.5)),
        # x1 == 0 takes the value of x2; the step there defeats finite differences.
        Sample((steps, randn(rng, 3)), grad=False),
        Sample((rand_int(rng, 2, 3, low=-2, high=3), rand_int(rng, 3, low=0, high=3))),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: None,
        "x2": lambda g, ans, x1, x2: unbroadcast(_keep(K.equal(x1, 0), g), x2),
    },
    samples=_heaviside_samples,
)
def heaviside(x1: Any, x2: Any) -> Any:
    """Heaviside step function: 0 where ``x1 < 0``, 1 where ``x1 > 0``, `x2` where ``x1 == 0``.

    Args:
        x1: input values (integer inputs give floatx).
        x2: the value to use where `x1` is zero.

    Returns:
        The step function of `x1`.
    """


# ----------------------------------------------------------------------------------------
# Angles, norms and log-sum-exp pairs.


def _arctan2_vjp(which: int) -> Any:
    def rule(g: Any, ans: Any, x1: Any, x2: Any) -> Any:
        den = K.add(K.square(x1), K.square(x2))
        if which == 1:
            return unbroadcast(K.true_divide(K.multiply(g, x2), den), x1)
        return unbroadcast(K.negative(K.true_divide(K.multiply(g, x1), den)), x2)

    return rule


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=broadcast_rule,
    vjp={"x1": _arctan2_vjp(1), "x2": _arctan2_vjp(2)},
    samples=_binary_samples,
)
def arctan2(x1: Any, x2: Any) -> Any:
    """Quadrant-aware inverse tangent of ``x1 / x2``.

    Args:
        x1: y-coordinates.
        x2: x-coordinates.

    Returns:
        The angle in radians, in [-pi, pi], of the point ``(x2, x1)``.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(K.true_divide(K.multiply(g, x1), ans), x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(K.true_divide(K.multiply(g, x2), ans), x2),
    },
    samples=_binary_samples,
)
def hypot(x1: Any, x2: Any) -> Any:
    """Length of the hypotenuse, ``sqrt(x1 ** 2 + x2 ** 2)``, without overflow.

    Args:
        x1: first leg.
        x2: second leg.

    Returns:
        The Euclidean norm of ``(x1, x2)`` at each position.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, K.exp(K.subtract(x1, ans))), x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, K.exp(K.subtract(x2, ans))), x2),
    },
    samples=_binary_samples,
)
def logaddexp(x1: Any, x2: Any) -> Any:
    """``log(exp(x1) + exp(x2))``, computed without overflow.

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The logarithm of the sum of exponentials.
    """


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=broadcast_rule,
    vjp={
        "x1": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, K.exp2(K.subtract(x1, ans))), x1),
        "x2": lambda g, ans, x1, x2: unbroadcast(K.multiply(g, K.exp2(K.subtract(x2, ans))), x2),
    },
    samples=_binary_samples,
)
def logaddexp2(x1: Any, x2: Any) -> Any:
    """``log2(2 ** x1 + 2 ** x2)``, computed without overflow.

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The base-2 logarithm of the sum of powers of two.
    """


# ----------------------------------------------------------------------------------------
# Clipping and cleaning.


def _clip_dtype(x: Any, x_min: Any, x_max: Any) -> str:
    d = x if isinstance(x, str) else _dt.result_type(x)
    return "int32" if d == "bool" else d


def _clip_weights(g: Any, x: Any, x_min: Any, x_max: Any) -> tuple:
    # clip(x) = minimum(maximum(x, x_min), x_max), with JAX's tie splitting at each step.
    m = K.maximum(x, x_min)
    to_max = _tie_weight(m, x_max, g)  # share of g that goes to x_max
    through = K.multiply(g, K.subtract(1.0, to_max))  # share that reaches maximum(x, x_min)
    to_x = _tie_weight(x, x_min, g)
    return through, to_x, to_max


def _clip_vjp_x(g: Any, ans: Any, x: Any, x_min: Any, x_max: Any) -> Any:
    through, to_x, _ = _clip_weights(g, x, x_min, x_max)
    return unbroadcast(K.multiply(through, to_x), x)


def _clip_vjp_min(g: Any, ans: Any, x: Any, x_min: Any, x_max: Any) -> Any:
    through, to_x, _ = _clip_weights(g, x, x_min, x_max)
    return unbroadcast(K.multiply(through, K.subtract(1.0, to_x)), x_min)


def _clip_vjp_max(g: Any, ans: Any, x: Any, x_min: Any, x_max: Any) -> Any:
    _, _, to_max = _clip_weights(g, x, x_min, x_max)
    return unbroadcast(K.multiply(g, to_max), x_max)


def _clip_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3), -0.5, 0.5)),
        Sample((randn(rng, 2, 3), randn(rng, 3) - 1.0, rand_pos(rng, 2, 1))),
        Sample((randn(rng, 4) * 3.0, -1.0, 2.0)),
        Sample((rand_int(rng, 2, 3, low=-5, high=5), -2, 3)),
        Sample((rand_int(rng, 5, low=0, high=2).astype(bool), 0, 1)),
    ]


@defop(
    tensors=("x", "x_min", "x_max"),
    shape=broadcast_rule,
    dtype=_clip_dtype,
    vjp={"x": _clip_vjp_x, "x_min": _clip_vjp_min, "x_max": _clip_vjp_max},
    samples=_clip_samples,
)
def clip(x: Any, x_min: Any, x_max: Any) -> Any:
    """Limit the values of a tensor to the interval ``[x_min, x_max]``.

    The result keeps `x`'s dtype (bool inputs give int32, as in Keras); float bounds applied
    to an integer tensor are truncated in the result.

    Args:
        x: input tensor.
        x_min: lower bound (a scalar or a tensor broadcastable to `x`).
        x_max: upper bound (a scalar or a tensor broadcastable to `x`).

    Returns:
        ``minimum(maximum(x, x_min), x_max)``.
    """


def _nan_to_num_samples(rng: Any) -> list:
    x = randn(rng, 2, 3)
    x[0, 1] = float("nan")
    x[1, 0] = float("inf")
    x[1, 2] = -float("inf")
    return [
        # The default fills are the dtype's extremes: times a cotangent they overflow in the
        # gradient check's loss, so that check uses the sample with finite fills below.
        Sample((x,), grad=False),
        Sample((x,), {"nan": 1.5, "posinf": 10.0, "neginf": -20.0}),
        Sample((randn(rng, 4),)),
        Sample((rand_int(rng, 4, low=-3, high=3),)),
    ]


@defop(
    shape=lambda x, nan, posinf, neginf: tuple(x),
    vjp={"x": lambda g, ans, x, nan, posinf, neginf: _keep(K.isfinite(x), g)},
    samples=_nan_to_num_samples,
)
def nan_to_num(
    x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Any:
    """Replace NaN and infinite values with finite numbers.

    Args:
        x: input tensor.
        nan: value that replaces NaN.
        posinf: value that replaces +inf (None: the dtype's largest finite value).
        neginf: value that replaces -inf (None: the dtype's most negative finite value).

    Returns:
        `x` with non-finite values replaced, same dtype.
    """


# ----------------------------------------------------------------------------------------
# Special functions.


def _special_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 6) * 2.5,)),
        # Keras's NumPy backend keeps integer dtypes for erf (kerasx gives floatx), so
        # integer samples of these ops skip the Keras check.
        Sample((rand_int(rng, 4, low=-3, high=4),), keras=False),
    ]


def _special(rule: Any, samples: Any = _special_samples, namespaces: tuple = ("math",)) -> Any:
    return defop(
        promote=("x",),
        to_float=True,
        shape=same_shape_rule,
        vjp={"x": rule},
        samples=samples,
        namespaces=namespaces,
    )


def _erf_slope(x: Any) -> Any:
    return K.multiply(K.exp(K.negative(K.square(x))), _TWO_OVER_SQRT_PI)


@_special(lambda g, ans, x: K.multiply(g, _erf_slope(x)))
def erf(x: Any) -> Any:
    """Gauss error function, element-wise.

    Integer inputs give floatx (Keras's NumPy backend keeps integers, its JAX backend rejects
    them; the float result is the meaningful one).

    Args:
        x: input tensor.

    Returns:
        ``erf(x) = 2 / sqrt(pi) * integral from 0 to x of exp(-t ** 2) dt``.
    """


@_special(lambda g, ans, x: K.negative(K.multiply(g, _erf_slope(x))))
def erfc(x: Any) -> Any:
    """Complementary error function ``1 - erf(x)``, accurate in the tails.

    Args:
        x: input tensor (integer inputs give floatx).

    Returns:
        ``erfc(x)``.
    """


def _erfinv_samples(rng: Any) -> list:
    edges = rand_unit(rng, 4)
    edges[:2] = [0.9995, -0.99995]
    return [
        Sample((rand_unit(rng, 2, 3),)),
        # Near +-1 the slope is steep enough that finite differences are not accurate.
        Sample((edges,), rtol=1e-4, grad=False),
        Sample((rand_int(rng, 3, low=-1, high=2),)),
    ]


@_special(
    lambda g, ans, x: K.multiply(g, K.multiply(K.exp(K.square(ans)), _SQRT_PI_OVER_TWO)),
    samples=_erfinv_samples,
)
def erfinv(x: Any) -> Any:
    """Inverse of the error function, element-wise.

    Args:
        x: input tensor with values in [-1, 1] (+-1 give +-inf, values outside give NaN).

    Returns:
        The `y` with ``erf(y) == x``.
    """


# Bessel I1, the derivative of I0, in registry ops (so i0's gradient is itself
# differentiable): its power series up to |x| = 20, its asymptotic expansion beyond.
_I1_SPLIT = 20.0
_I1_SERIES = [1.0 / (math.factorial(k) * math.factorial(k + 1)) for k in range(40)]
_I1_ASYMPTOTIC = [1.0]
for _k in range(1, 30):
    _I1_ASYMPTOTIC.append(-_I1_ASYMPTOTIC[-1] * (4.0 - (2 * _k - 1) ** 2) / (8.0 * _k))


def _horner(coefs: list, t: Any) -> Any:
    acc = K.add(K.multiply(t, coefs[-1]), coefs[-2])
    for c in reversed(coefs[:-2]):
        acc = K.add(K.multiply(acc, t), c)
    return acc


def _bessel_i1(x: Any) -> Any:
    a = K.absolute(x)
    s = K.minimum(a, _I1_SPLIT)
    small = K.multiply(_horner(_I1_SERIES, K.multiply(K.square(s), 0.25)), K.multiply(s, 0.5))
    b = K.maximum(a, _I1_SPLIT)
    scale = K.multiply(K.exp(b), K.rsqrt(K.multiply(b, 2.0 * math.pi)))
    large = K.multiply(_horner(_I1_ASYMPTOTIC, K.reciprocal(b)), scale)
    return K.multiply(K.where(K.less_equal(a, _I1_SPLIT), small, large), K.sign(x))


@_special(lambda g, ans, x: K.multiply(g, _bessel_i1(x)), namespaces=("numpy",))
def i0(x: Any) -> Any:
    """Modified Bessel function of the first kind, order 0, element-wise.

    Args:
        x: input tensor (integer inputs give floatx).

    Returns:
        ``I0(x)``.
    """


__all__ = [
    "arctan2",
    "clip",
    "divide_no_nan",
    "erf",
    "erfc",
    "erfinv",
    "floor_divide",
    "fmax",
    "fmin",
    "fmod",
    "heaviside",
    "hypot",
    "i0",
    "ldexp",
    "logaddexp",
    "logaddexp2",
    "maximum",
    "minimum",
    "mod",
    "nan_to_num",
    "nextafter",
    "power",
]

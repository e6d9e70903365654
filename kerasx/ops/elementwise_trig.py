"""Element-wise ops: trigonometric and hyperbolic functions, their inverses, angle units, sinc.

Re-exported by `kerasx.ops.elementwise` (importing that family registers these ops too).
"""

from __future__ import annotations

import math
from typing import Any

from kerasx.engine.registry import defop
from kerasx.ops._elementwise_common import _float_unary, _open_unit_samples, _unary_samples
from kerasx.ops._helpers import K, Sample, rand_int, rand_pos, rand_unit, randn

_DEG_PER_RAD = 180.0 / math.pi
_RAD_PER_DEG = math.pi / 180.0


def _unit_samples(rng: Any) -> list:
    return [
        Sample((rand_unit(rng, 2, 3),)),
        Sample((rand_unit(rng, 4),)),
        Sample((rand_int(rng, 3, low=-1, high=2),)),
    ]


# ----------------------------------------------------------------------------------------
# Trigonometric functions and their inverses.


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


@_float_unary(lambda g, ans, x: K.multiply(g, K.add(K.square(ans), 1.0)))
def tan(x: Any) -> Any:
    """Trigonometric tangent, element-wise.

    Args:
        x: input tensor (radians).

    Returns:
        ``tan(x)``.
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


# ----------------------------------------------------------------------------------------
# Hyperbolic functions and their inverses.


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


# ----------------------------------------------------------------------------------------
# Angle units and sinc.


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


__all__ = [
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctanh",
    "cos",
    "cosh",
    "deg2rad",
    "rad2deg",
    "sin",
    "sinc",
    "sinh",
    "tan",
    "tanh",
]

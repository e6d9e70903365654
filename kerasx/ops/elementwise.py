"""Element-wise ops: arithmetic, exponentials, trigonometry, comparisons, logic, bits."""

from __future__ import annotations

from typing import Any

from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_rule
from kerasx.ops._helpers import K, Sample, rand_pos, randn, unbroadcast


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


__all__ = ["add", "cos", "divide", "exp", "log", "multiply", "negative", "sin", "subtract", "true_divide"]

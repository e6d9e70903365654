"""Activations with fused engine kernels: the ReLU, ELU and sigmoid families, and GELU.

These activations are used in training, so besides being composites of registry ops they
have fused engine kernels and carry a VJP rule for the tape. Re-exported by
`kerasx.ops.nn_activations` (importing that family registers these ops too).
"""

from __future__ import annotations

import math
from typing import Any

from kerasx.engine.dispatch import FAST_TYPES
from kerasx.engine.registry import defop
from kerasx.engine.shapes import same_shape_rule
from kerasx.ops._helpers import K, Sample, randn
from kerasx.ops._nn_activations_common import _act_samples, _alpha_samples, _mask, as_float

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
GELU_COEF = 0.044715
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _relu_vjp(g: Any, ans: Any, x: Any) -> Any:
    # Read from the result: relu(x) > 0 exactly where x > 0 (NaN and -0.0 included), and the
    # tape then need not keep the input. An engine's relu kernel may carry a one-call
    # first-order gradient (`vjp_x`), used on plain engine arrays (as
    # `sparse_categorical_crossentropy`'s `vjp_output`).
    fused = getattr(relu.opdef.kernel, "vjp_x", None)
    if fused is not None and g.__class__ in FAST_TYPES and ans.__class__ in FAST_TYPES:
        return fused(g, ans)
    return K.multiply(g, _mask(K.greater(ans, 0), g))


@defop(
    promote=("x",),
    shape=same_shape_rule,
    composite=True,
    vjp={"x": _relu_vjp},
    vjp_reads=("ans",),
    samples=_act_samples,
    namespaces=("nn",),
)
def relu(x: Any) -> Any:
    """Rectified linear unit: ``max(x, 0)`` element-wise.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape and dtype as `x`.
    """
    x = K.convert_to_tensor(x)
    return K.maximum(x, K.zeros_like(x))


def _relu6_vjp(g: Any, ans: Any, x: Any) -> Any:
    return K.multiply(g, _mask(K.logical_and(K.greater(x, 0), K.less(x, 6)), g))


@defop(
    promote=("x",),
    to_float=True,
    shape=same_shape_rule,
    composite=True,
    vjp={"x": _relu6_vjp},
    samples=_act_samples,
    namespaces=("nn",),
)
def relu6(x: Any) -> Any:
    """Rectified linear unit capped at 6: ``min(max(x, 0), 6)``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x` (integer inputs give floatx).
    """
    x = as_float(x)
    return K.minimum(K.maximum(x, 0.0), 6.0)


def _leaky_relu_vjp(g: Any, ans: Any, x: Any, negative_slope: Any) -> Any:
    return K.where(K.greater_equal(x, 0), g, K.multiply(g, negative_slope))


def _leaky_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3) * 2.0,)),
        Sample((randn(rng, 6),), {"negative_slope": 0.05}),
    ]


@defop(
    promote=("x",),
    to_float=True,
    shape=lambda x, negative_slope=0.2: tuple(x),
    composite=True,
    vjp={"x": _leaky_relu_vjp},
    samples=_leaky_samples,
    namespaces=("nn",),
)
def leaky_relu(x: Any, negative_slope: float = 0.2) -> Any:
    """Leaky rectified linear unit: `x` where ``x >= 0``, ``negative_slope * x`` elsewhere.

    Args:
        x: input tensor.
        negative_slope: slope for negative inputs.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.where(K.greater_equal(x, 0), x, K.multiply(x, negative_slope))


def _elu_vjp(g: Any, ans: Any, x: Any, alpha: Any) -> Any:
    return K.where(K.greater(x, 0), g, K.multiply(g, K.add(ans, alpha)))


@defop(
    promote=("x",),
    to_float=True,
    shape=lambda x, alpha=1.0: tuple(x),
    composite=True,
    vjp={"x": _elu_vjp},
    samples=_alpha_samples,
    namespaces=("nn",),
)
def elu(x: Any, alpha: float = 1.0) -> Any:
    """Exponential linear unit: `x` for ``x > 0``, ``alpha * (exp(x) - 1)`` elsewhere.

    Args:
        x: input tensor.
        alpha: scale of the negative part.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    neg = K.multiply(K.expm1(K.minimum(x, 0.0)), alpha)
    return K.where(K.greater(x, 0), x, neg)


def _selu_vjp(g: Any, ans: Any, x: Any) -> Any:
    return K.where(
        K.greater(x, 0),
        K.multiply(g, SELU_SCALE),
        K.multiply(g, K.add(ans, SELU_SCALE * SELU_ALPHA)),
    )


@defop(
    promote=("x",),
    to_float=True,
    shape=same_shape_rule,
    composite=True,
    vjp={"x": _selu_vjp},
    samples=_act_samples,
    namespaces=("nn",),
)
def selu(x: Any) -> Any:
    """Scaled exponential linear unit: ``scale * elu(x, alpha)`` with the self-normalizing
    constants ``alpha ~ 1.6733`` and ``scale ~ 1.0507``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    neg = K.multiply(K.expm1(K.minimum(x, 0.0)), SELU_ALPHA)
    return K.multiply(K.where(K.greater(x, 0), x, neg), SELU_SCALE)


def _sigmoid_vjp(g: Any, ans: Any, x: Any) -> Any:
    return K.multiply(g, K.multiply(ans, K.subtract(1.0, ans)))


@defop(
    promote=("x",),
    to_float=True,
    shape=same_shape_rule,
    composite=True,
    vjp={"x": _sigmoid_vjp},
    vjp_reads=("ans",),
    samples=lambda rng: [
        Sample((randn(rng, 2, 3) * 3.0,)),
        Sample((randn(rng, 5) * 30.0,)),
    ],
    namespaces=("nn",),
)
def sigmoid(x: Any) -> Any:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow for large ``|x|``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`, with values in [0, 1].
    """
    x = as_float(x)
    e = K.exp(K.negative(K.absolute(x)))  # in (0, 1]: never overflows
    inv = K.divide(1.0, K.add(1.0, e))
    return K.where(K.greater_equal(x, 0), inv, K.multiply(e, inv))


def _silu_vjp(g: Any, ans: Any, x: Any) -> Any:
    s = sigmoid(x)
    return K.multiply(g, K.multiply(s, K.add(1.0, K.multiply(x, K.subtract(1.0, s)))))


@defop(
    promote=("x",),
    to_float=True,
    shape=same_shape_rule,
    composite=True,
    vjp={"x": _silu_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3) * 3.0,)),
        Sample((randn(rng, 5) * 30.0,)),
    ],
    namespaces=("nn",),
)
def silu(x: Any) -> Any:
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.multiply(x, sigmoid(x))


swish = silu


def _softplus_vjp(g: Any, ans: Any, x: Any) -> Any:
    return K.multiply(g, sigmoid(x))


@defop(
    promote=("x",),
    to_float=True,
    shape=same_shape_rule,
    composite=True,
    vjp={"x": _softplus_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3) * 3.0,)),
        Sample((randn(rng, 5) * 40.0,)),
    ],
    namespaces=("nn",),
)
def softplus(x: Any) -> Any:
    """Softplus ``log(1 + exp(x))``, computed stably for large ``|x|``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.add(K.maximum(x, 0.0), K.log1p(K.exp(K.negative(K.absolute(x)))))


def _log_sigmoid_vjp(g: Any, ans: Any, x: Any) -> Any:
    return K.multiply(g, sigmoid(K.negative(x)))


@defop(
    promote=("x",),
    to_float=True,
    shape=same_shape_rule,
    composite=True,
    vjp={"x": _log_sigmoid_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3) * 3.0,)),
        Sample((randn(rng, 5) * 40.0,)),
    ],
    namespaces=("nn",),
)
def log_sigmoid(x: Any) -> Any:
    """Logarithm of the sigmoid, ``-softplus(-x)``, stable for large ``|x|``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.negative(softplus(K.negative(x)))


def _gelu_vjp(g: Any, ans: Any, x: Any, approximate: Any) -> Any:
    if approximate:
        x2 = K.square(x)
        t = K.tanh(K.multiply(K.multiply(x, K.add(1.0, K.multiply(x2, GELU_COEF))), SQRT_2_OVER_PI))
        du = K.multiply(K.add(1.0, K.multiply(x2, 3.0 * GELU_COEF)), SQRT_2_OVER_PI)
        d = K.add(
            K.multiply(K.add(1.0, t), 0.5),
            K.multiply(K.multiply(K.multiply(x, 0.5), K.subtract(1.0, K.square(t))), du),
        )
    else:
        cdf = K.multiply(K.add(1.0, K.erf(K.multiply(x, 1.0 / math.sqrt(2.0)))), 0.5)
        pdf = K.multiply(K.exp(K.multiply(K.square(x), -0.5)), 1.0 / math.sqrt(2.0 * math.pi))
        d = K.add(cdf, K.multiply(x, pdf))
    return K.multiply(g, d)


@defop(
    promote=("x",),
    to_float=True,
    shape=lambda x, approximate=True: tuple(x),
    composite=True,
    vjp={"x": _gelu_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3) * 2.0,)),
        Sample((randn(rng, 7) * 3.0,), {"approximate": False}),
    ],
    namespaces=("nn",),
)
def gelu(x: Any, approximate: bool = True) -> Any:
    """Gaussian error linear unit ``x * Phi(x)``.

    Args:
        x: input tensor.
        approximate: use the tanh approximation
            ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))`` instead of the
            exact form ``0.5 * x * (1 + erf(x / sqrt(2)))``.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    if approximate:
        inner = K.multiply(K.add(x, K.multiply(K.power(x, 3), GELU_COEF)), SQRT_2_OVER_PI)
        return K.multiply(K.multiply(x, 0.5), K.add(1.0, K.tanh(inner)))
    return K.multiply(K.multiply(x, 0.5), K.add(1.0, K.erf(K.multiply(x, 1.0 / math.sqrt(2.0)))))


__all__ = [
    "elu",
    "gelu",
    "leaky_relu",
    "log_sigmoid",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softplus",
    "swish",
]

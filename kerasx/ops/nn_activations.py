"""Neural-network ops: activation functions.

This module is the entry point of the activations: it declares the plain composite ones
(written in registry ops, with no fused kernel or VJP rule of their own: celu, glu, the
shrinkage, hard and sparse variants, ...) and re-exports its siblings, so importing it
registers them all: `nn_activations_fused` (relu, sigmoid, silu, softplus, gelu, ..., the
activations used in training, which also have fused engine kernels) and `nn_softmax`
(softmax, log_softmax, sparsemax).

The rest of the ``keras.ops.nn`` family lives beside these files (losses and encodings in
`nn_losses`, normalization and attention in `nn_norm`, CTC in `nn_ctc`); the public namespace
is `kerasx.ops.nn`.
"""

from __future__ import annotations

from typing import Any

from kerasx.engine.registry import defop
from kerasx.ops import nn_activations_fused as _fused
from kerasx.ops import nn_softmax as _softmax
from kerasx.ops._helpers import K, Sample, randn
from kerasx.ops._nn_activations_common import (
    _act_samples,
    _alpha_samples,
    _dtype_name,
    as_float,
    check_axis,
)
from kerasx.ops.nn_activations_fused import *  # noqa: F403
from kerasx.ops.nn_activations_fused import sigmoid
from kerasx.ops.nn_softmax import *  # noqa: F403

# ----------------------------------------------------------------- composite activations


@defop(composite=True, samples=_alpha_samples, namespaces=("nn",))
def celu(x: Any, alpha: float = 1.0) -> Any:
    """Continuously differentiable exponential linear unit:
    ``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))``.

    Args:
        x: input tensor.
        alpha: scale of the negative part (must not be 0).

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    neg = K.multiply(K.expm1(K.divide(K.minimum(x, 0.0), alpha)), alpha)
    return K.add(K.maximum(x, 0.0), K.minimum(neg, 0.0))


@defop(
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 4),)),
        Sample((randn(rng, 4, 3),), {"axis": 0}),
    ],
    namespaces=("nn",),
)
def glu(x: Any, axis: int = -1) -> Any:
    """Gated linear unit: split `x` in two halves ``a, b`` along `axis`; return
    ``a * sigmoid(b)``.

    Args:
        x: input tensor; its size along `axis` must be even.
        axis: the axis to split.

    Returns:
        A float tensor with half the size of `x` along `axis`.
    """
    x = as_float(x)
    ax = check_axis(axis, len(x.shape))
    n = x.shape[ax]
    if n is not None and n % 2:
        raise ValueError(
            "`glu` needs an even size along `axis`; received an input of shape "
            f"{tuple(x.shape)} with axis={axis}."
        )
    a, b = K.split(x, 2, axis=ax)
    return K.multiply(a, sigmoid(b))


def _shrink_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3) * 2.0,)),
        Sample((randn(rng, 6) * 2.0,), {"threshold": 1.0}),
    ]


@defop(composite=True, samples=_shrink_samples, namespaces=("nn",))
def hard_shrink(x: Any, threshold: float = 0.5) -> Any:
    """Hard shrinkage: `x` where ``|x| > threshold``, 0 elsewhere.

    Args:
        x: input tensor.
        threshold: the half-width of the zeroed band.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.where(K.greater(K.absolute(x), threshold), x, K.zeros_like(x))


@defop(composite=True, samples=_shrink_samples, namespaces=("nn",))
def soft_shrink(x: Any, threshold: float = 0.5) -> Any:
    """Soft shrinkage: move `x` towards 0 by `threshold`, and zero the band
    ``|x| <= threshold``.

    Args:
        x: input tensor.
        threshold: the shrinkage amount.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.where(
        K.greater(x, threshold),
        K.subtract(x, threshold),
        K.where(K.less(x, -threshold), K.add(x, threshold), K.zeros_like(x)),
    )


@defop(composite=True, samples=_act_samples, namespaces=("nn",))
def hard_sigmoid(x: Any) -> Any:
    """Piecewise-linear sigmoid: ``clip(x / 6 + 0.5, 0, 1)``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.minimum(K.maximum(K.add(K.divide(x, 6.0), 0.5), 0.0), 1.0)


@defop(composite=True, samples=_act_samples, namespaces=("nn",))
def hard_silu(x: Any) -> Any:
    """Hard SiLU (hard swish): ``x * hard_sigmoid(x)``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


@defop(composite=True, samples=_act_samples, namespaces=("nn",))
def hard_tanh(x: Any) -> Any:
    """Piecewise-linear tanh: ``clip(x, -1, 1)``.

    Args:
        x: input tensor (integer inputs keep their dtype).

    Returns:
        A tensor of the same shape and dtype as `x`.
    """
    x = K.convert_to_tensor(x)
    if _dtype_name(x) == "bool":
        x = K.cast(x, "int32")
    return K.minimum(K.maximum(x, -1), 1)


@defop(composite=True, samples=_act_samples, namespaces=("nn",))
def softsign(x: Any) -> Any:
    """Softsign: ``x / (1 + |x|)``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`, in (-1, 1).
    """
    x = as_float(x)
    return K.divide(x, K.add(1.0, K.absolute(x)))


@defop(composite=True, samples=_act_samples, namespaces=("nn",))
def sparse_plus(x: Any) -> Any:
    """SparsePlus: 0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``|x| < 1``, `x` for ``x >= 1``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    mid = K.multiply(K.square(K.add(x, 1.0)), 0.25)
    return K.where(K.less_equal(x, -1.0), K.zeros_like(x), K.where(K.greater_equal(x, 1.0), x, mid))


@defop(composite=True, samples=_act_samples, namespaces=("nn",))
def sparse_sigmoid(x: Any) -> Any:
    """SparseSigmoid: ``clip((x + 1) / 2, 0, 1)``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`, in [0, 1].
    """
    x = as_float(x)
    return K.minimum(K.maximum(K.multiply(K.add(x, 1.0), 0.5), 0.0), 1.0)


@defop(
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3) * 2.0,)),
        Sample((randn(rng, 5) * 3.0,), {"b": 1.0}),
    ],
    namespaces=("nn",),
)
def squareplus(x: Any, b: float = 4) -> Any:
    """Squareplus: ``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU.

    Args:
        x: input tensor.
        b: smoothness (non-negative); 0 gives ReLU.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.multiply(K.add(x, K.sqrt(K.add(K.square(x), b))), 0.5)


@defop(composite=True, samples=_act_samples, namespaces=("nn",))
def tanh_shrink(x: Any) -> Any:
    """Tanh shrinkage: ``x - tanh(x)``.

    Args:
        x: input tensor.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    return K.subtract(x, K.tanh(x))


@defop(
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), 0.3, -2.0)),
        Sample((randn(rng, 6) * 2.0, -0.5, 0.0)),
    ],
    namespaces=("nn",),
)
def threshold(x: Any, threshold: float, default_value: float) -> Any:
    """Keep `x` where it is greater than `threshold`; replace it by `default_value` elsewhere.

    Args:
        x: input tensor.
        threshold: values at or below this are replaced.
        default_value: the replacement value.

    Returns:
        A tensor of the same shape and dtype as `x`.
    """
    x = K.convert_to_tensor(x)
    fill = K.cast(K.full_like(x, default_value), _dtype_name(x))
    return K.where(K.greater(x, threshold), x, fill)


__all__ = [
    *_fused.__all__,
    *_softmax.__all__,
    "celu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "soft_shrink",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "tanh_shrink",
    "threshold",
]

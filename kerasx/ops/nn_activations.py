"""Neural-network ops: activation functions.

The rest of the ``keras.ops.nn`` family lives beside this file (losses and encodings in
`nn_losses`, normalization and attention in `nn_norm`, CTC in `nn_ctc`); the public namespace
is `kerasx.ops.nn`.

Activations used in training (relu, sigmoid, silu, softplus, gelu, softmax, ...) are composites
that also have fused engine kernels, so they carry a VJP rule for the tape. The others are plain
composites written in registry ops.
"""

from __future__ import annotations

import math
from typing import Any

from kerasx import config as _config
from kerasx.engine import dtypes as _dt
from kerasx.engine.dispatch import FAST_TYPES
from kerasx.engine.registry import defop
from kerasx.engine.shapes import canonical_axis, same_shape_rule
from kerasx.ops._helpers import K, Sample, randn

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
GELU_COEF = 0.044715
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


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


def _axis_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 2, 3, 4),), {"axis": 1}),
        Sample((randn(rng, 5) * 3.0,), {"axis": 0}),
        Sample((randn(rng, 3, 4) * 10.0,), {"axis": -2}),
    ]


# ------------------------------------------------------------------ fused activations


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


def _alpha_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3) * 2.0,)),
        Sample((randn(rng, 6) * 3.0,), {"alpha": 0.5}),
    ]


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


def _softmax_vjp(g: Any, ans: Any, x: Any, axis: Any) -> Any:
    s = K.sum(K.multiply(g, ans), axis=axis, keepdims=True)
    return K.multiply(ans, K.subtract(g, s))


def _softmax_shape(x: tuple, axis: Any = -1) -> tuple:
    _check_softmax_axis(axis, len(x))
    return tuple(x)


def _check_softmax_axis(axis: Any, ndim: int) -> None:
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        check_axis(a, ndim)


@defop(
    promote=("x",),
    to_float=True,
    shape=_softmax_shape,
    composite=True,
    vjp={"x": _softmax_vjp},
    vjp_reads=("ans",),
    samples=lambda rng: [
        *_axis_samples(rng),
        Sample((randn(rng, 2, 3, 2),), {"axis": (0, 2)}),
    ],
    namespaces=("nn",),
)
def softmax(x: Any, axis: Any = -1) -> Any:
    """Softmax ``exp(x) / sum(exp(x))`` along `axis` (the maximum is subtracted first, so it
    never overflows).

    Args:
        x: input tensor.
        axis: the axis (or tuple of axes) to normalize over.

    Returns:
        A float tensor of the same shape as `x`; it sums to 1 along `axis`.
    """
    x = as_float(x)
    _check_softmax_axis(axis, len(x.shape))
    shifted = K.subtract(x, K.stop_gradient(K.max(x, axis=axis, keepdims=True)))
    e = K.exp(shifted)
    return K.divide(e, K.sum(e, axis=axis, keepdims=True))


def _log_softmax_vjp(g: Any, ans: Any, x: Any, axis: Any) -> Any:
    return K.subtract(g, K.multiply(K.exp(ans), K.sum(g, axis=axis, keepdims=True)))


@defop(
    promote=("x",),
    to_float=True,
    shape=_softmax_shape,
    composite=True,
    vjp={"x": _log_softmax_vjp},
    samples=lambda rng: [
        *_axis_samples(rng),
        Sample((randn(rng, 2, 3, 2),), {"axis": (0, 2)}),
    ],
    namespaces=("nn",),
)
def log_softmax(x: Any, axis: Any = -1) -> Any:
    """Logarithm of the softmax, ``x - logsumexp(x)`` along `axis`, computed stably.

    Args:
        x: input tensor.
        axis: the axis (or tuple of axes) to normalize over.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    _check_softmax_axis(axis, len(x.shape))
    shifted = K.subtract(x, K.stop_gradient(K.max(x, axis=axis, keepdims=True)))
    lse = K.log(K.sum(K.exp(shifted), axis=axis, keepdims=True))
    return K.subtract(shifted, lse)


def _sparsemax_shape(x: tuple, axis: Any = -1) -> tuple:
    check_axis(axis, len(x))
    return tuple(x)


def _sparsemax_vjp(g: Any, ans: Any, x: Any, axis: Any) -> Any:
    support = _mask(K.greater(ans, 0), g)
    n = K.sum(support, axis=axis, keepdims=True)
    mean_g = K.divide(K.sum(K.multiply(g, support), axis=axis, keepdims=True), n)
    return K.multiply(support, K.subtract(g, mean_g))


@defop(
    promote=("x",),
    to_float=True,
    shape=_sparsemax_shape,
    composite=True,
    vjp={"x": _sparsemax_vjp},
    samples=lambda rng: [
        # Keras 3.15's sparsemax does not return a distribution (rows don't sum to 1), so it
        # is not a reference here; `ref` (a plain NumPy sparsemax) checks the values instead.
        Sample((randn(rng, 2, 4),), keras=False),
        Sample((randn(rng, 3, 2) * 0.2,), {"axis": 0}, keras=False),
        Sample((randn(rng, 2, 3, 3) * 2.0,), {"axis": 1}, keras=False),
    ],
    ref=lambda x, axis=-1: _sparsemax_ref(x, axis),
    namespaces=("nn",),
)
def sparsemax(x: Any, axis: int = -1) -> Any:
    """Sparsemax: the Euclidean projection of `x` onto the probability simplex along `axis`.

    Like softmax it returns a distribution, but small entries are exactly zero.

    Args:
        x: input tensor.
        axis: the axis to normalize over.

    Returns:
        A float tensor of the same shape as `x`; it sums to 1 along `axis`.
    """
    x = as_float(x)
    ax = check_axis(axis, len(x.shape))
    n = x.shape[ax]
    z = K.flip(K.sort(x, axis=ax), axis=ax)  # descending
    shape = [1] * len(x.shape)
    shape[ax] = n
    k = K.reshape(K.arange(1, n + 1, dtype=_dtype_name(x)), shape)
    cums = K.cumsum(z, axis=ax)
    in_support = _mask(K.greater(K.add(1.0, K.multiply(k, z)), cums), x)
    k_max = K.sum(in_support, axis=ax, keepdims=True)
    tau = K.divide(K.subtract(K.sum(K.multiply(in_support, z), axis=ax, keepdims=True), 1.0), k_max)
    return K.maximum(K.subtract(x, tau), 0.0)


def _sparsemax_ref(x: Any, axis: int) -> Any:
    import numpy as np

    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape[:-1]):
        v = x[idx]
        z = np.sort(v)[::-1]
        cs = np.cumsum(z)
        ks = np.arange(1, v.size + 1)
        k = ks[1 + ks * z > cs].max()
        tau = (cs[k - 1] - 1) / k
        out[idx] = np.maximum(v - tau, 0)
    return np.moveaxis(out, -1, axis).astype(np.float32)


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
    "celu",
    "elu",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh_shrink",
    "threshold",
]

"""The softmax family: softmax, log_softmax and sparsemax, normalizing along an axis.

All three are composites of registry ops that also have fused engine kernels, so they carry a
VJP rule for the tape. Re-exported by `kerasx.ops.nn_activations` (importing that family
registers these ops too).
"""

from __future__ import annotations

from typing import Any

from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, randn
from kerasx.ops._nn_activations_common import _dtype_name, _mask, as_float, check_axis


def _axis_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 2, 3, 4),), {"axis": 1}),
        Sample((randn(rng, 5) * 3.0,), {"axis": 0}),
        Sample((randn(rng, 3, 4) * 10.0,), {"axis": -2}),
    ]


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


__all__ = [
    "log_softmax",
    "softmax",
    "sparsemax",
]

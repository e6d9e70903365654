"""NumPy kernels: fused activations of the nn family (inputs arrive promoted to a float dtype)."""

from __future__ import annotations

import math

import numpy as np

_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805
_GELU_COEF = 0.044715
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _like(y, x):
    """`y` with `x`'s dtype (guards against NumPy scalar upcasts)."""
    return y if y.dtype == x.dtype else y.astype(x.dtype)


def relu(x):
    return np.maximum(x, np.zeros((), dtype=x.dtype))


def _relu_vjp_x(g, x):
    # g * cast(x > 0, g.dtype) in one multiply (a bool operand takes g's dtype: same values).
    return np.multiply(g, np.greater(x, 0))


relu.vjp_x = _relu_vjp_x


def relu6(x):
    return np.clip(x, 0.0, 6.0)


def leaky_relu(x, negative_slope):
    return _like(np.where(x >= 0, x, x * negative_slope), x)


def elu(x, alpha):
    return _like(np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)) * alpha), x)


def selu(x):
    neg = np.expm1(np.minimum(x, 0.0)) * _SELU_ALPHA
    return np.where(x > 0, x, neg) * _SELU_SCALE


def sigmoid(x):
    e = np.exp(-np.abs(x))
    inv = 1.0 / (1.0 + e)
    return np.where(x >= 0, inv, e * inv)


def silu(x):
    return x * sigmoid(x)


def softplus(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def log_sigmoid(x):
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def gelu(x, approximate):
    if approximate:
        inner = (x + _GELU_COEF * (x * x * x)) * _SQRT_2_OVER_PI
        return (0.5 * x) * (1.0 + np.tanh(inner))
    from kerasx.ops._helpers import K  # NumPy has no erf: use the registry's kernel

    return (0.5 * x) * (1.0 + K.erf(x * (1.0 / math.sqrt(2.0))))


def _max_keepdims(x, axis):
    """``np.max(x, axis, keepdims=True)``. NumPy reduces a short last axis row by row, slowly
    (~10 us for 128 x 10); over the first axis of the transposed copy it is vectorised across
    rows (the maximum is exact, so the result is the same)."""
    if isinstance(axis, int) and x.ndim >= 2 and axis % x.ndim == x.ndim - 1:
        n = x.shape[-1]
        if 0 < n <= 64 and x.size >= 16 * n:
            cols = np.ascontiguousarray(x.reshape(-1, n).T)
            return np.maximum.reduce(cols, axis=0).reshape((*x.shape[:-1], 1))
    return np.maximum.reduce(x, axis=axis, keepdims=True)


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_ONES: dict = {}


def last_axis_sums(x):
    """Sums of `x` over its last axis (shape ``x.shape[:-1]``) for float32 / float64, as one
    matrix-vector product with a vector of ones: NumPy reduces a short last axis row by row
    (3.5 us for 128 x 10, against 0.9 us for the product). Other dtypes: None. The order of
    the additions differs from NumPy's reduction (a rounding difference only)."""
    if x.dtype not in _FLOATS or x.ndim == 0:
        return None
    n = x.shape[-1]
    key = (n, x.dtype)
    ones = _ONES.get(key)
    if ones is None:
        ones = np.ones(n, x.dtype)
        if len(_ONES) < 64:
            _ONES[key] = ones
    return np.dot(x.reshape(-1, n), ones).reshape(x.shape[:-1])


def softmax(x, axis):
    axis = _axis(axis)
    # np.exp(x - max) / sum, written with direct ufunc reductions and in place on the one
    # new array (the same arithmetic; this runs every training step).
    e = np.subtract(x, _max_keepdims(x, axis))
    if not isinstance(e, np.ndarray):  # 0-d input: NumPy hands back a scalar
        e = np.exp(e)
        return e / np.add.reduce(e, axis=axis, keepdims=True)
    np.exp(e, out=e)
    s = None
    if isinstance(axis, int) and axis % e.ndim == e.ndim - 1:
        s = last_axis_sums(e)
    if s is None:
        return np.divide(e, np.add.reduce(e, axis=axis, keepdims=True), out=e)
    return np.divide(e, s.reshape((*s.shape, 1)), out=e)


def log_softmax(x, axis):
    axis = _axis(axis)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def sparsemax(x, axis):
    z = -np.sort(-x, axis=axis)  # descending
    n = x.shape[axis]
    shape = [1] * x.ndim
    shape[axis] = n
    k = np.arange(1, n + 1, dtype=x.dtype).reshape(shape)
    cums = np.cumsum(z, axis=axis)
    support = (1.0 + k * z) > cums
    k_max = np.sum(support, axis=axis, keepdims=True).astype(x.dtype)
    tau = (np.sum(np.where(support, z, 0.0), axis=axis, keepdims=True) - 1.0) / k_max
    return np.maximum(x - tau, 0.0)


KERNELS = {
    "relu": relu,
    "relu6": relu6,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "selu": selu,
    "sigmoid": sigmoid,
    "silu": silu,
    "softplus": softplus,
    "log_sigmoid": log_sigmoid,
    "gelu": gelu,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "sparsemax": sparsemax,
}

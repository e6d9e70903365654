"""JAX kernels: fused activations of the nn family (inputs arrive promoted to a float dtype)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def relu(x):
    # jax.nn.relu: gradient 0 at x == 0 (as Keras on JAX, and the NumPy engine's rule);
    # jnp.maximum's would be 0.5 there.
    return jax.nn.relu(x)


def sparsemax(x, axis):
    z = -jnp.sort(-x, axis=axis)
    n = x.shape[axis]
    shape = [1] * x.ndim
    shape[axis] = n
    k = jnp.arange(1, n + 1, dtype=x.dtype).reshape(shape)
    cums = jnp.cumsum(z, axis=axis)
    support = (1.0 + k * z) > cums
    k_max = jnp.sum(support, axis=axis, keepdims=True).astype(x.dtype)
    tau = (jnp.sum(jnp.where(support, z, 0.0), axis=axis, keepdims=True) - 1.0) / k_max
    return jnp.maximum(x - tau, 0.0)


def gelu(x, approximate):
    return jax.nn.gelu(x, approximate=bool(approximate))


KERNELS = {
    "relu": relu,
    "relu6": jax.nn.relu6,  # gradient 0 at 0 and 6, as Keras on JAX
    "leaky_relu": lambda x, negative_slope: jnp.where(x >= 0, x, x * negative_slope).astype(
        x.dtype
    ),
    "elu": lambda x, alpha: jnp.where(x > 0, x, jnp.expm1(jnp.minimum(x, 0.0)) * alpha).astype(
        x.dtype
    ),
    "selu": jax.nn.selu,
    "sigmoid": jax.nn.sigmoid,
    "silu": jax.nn.silu,
    "softplus": jax.nn.softplus,
    "log_sigmoid": jax.nn.log_sigmoid,
    "gelu": gelu,
    "softmax": lambda x, axis: jax.nn.softmax(x, axis=_axis(axis)),
    "log_softmax": lambda x, axis: jax.nn.log_softmax(x, axis=_axis(axis)),
    "sparsemax": sparsemax,
}

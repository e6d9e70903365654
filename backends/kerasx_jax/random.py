"""Random kernels of the JAX engine (jax.random keyed by the drawn seed).

Every kernel takes the drawn seed first: a uint32 array of two words, which become a
threefry key. The seed may be a traced value (a SeedGenerator's state inside `jax.jit`), so
the kernels are jit-traceable.

Called eagerly (outside any trace), the elementwise draws (uniform, normal, truncated normal,
randint) are compiled per *size bucket* instead of per shape: `jax.random` compiles a
threefry program for every new shape (about half a second each with XLA's default CPU
settings: building a model's weights on JAX paid that once per weight shape). With
``jax_threefry_partitionable`` (JAX's default) element ``i`` of a draw depends only on the
key and ``i``, so the first ``n`` values of a longer flat draw, reshaped, are exactly the
values of a draw of the shape itself. Buckets are 64 elements, then four per octave (at most
a quarter of the draw is thrown away). Traced calls (inside `jax.jit`) draw the shape
itself: the program is compiled once anyway; so do draws of more than `BUCKETED_MAX` values,
whose compilation costs little next to drawing them, and whose extra quarter would not.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasx.engine.dtypes import standardize_dtype
from kerasx_jax.host import copy_to_device


def _key(seed: Any) -> Any:
    return jax.random.wrap_key_data(jnp.asarray(seed).astype(jnp.uint32).reshape(2))


def _dtype(dtype: Any) -> Any:
    return jnp.dtype(standardize_dtype(dtype))


def _float(dtype: Any) -> Any:
    """A dtype jax.random can sample in: `dtype` when floating, else float32."""
    d = _dtype(dtype)
    return d if jnp.issubdtype(d, jnp.floating) else jnp.dtype("float32")


def _param(v: Any, dtype: Any) -> Any:
    return jnp.asarray(v).astype(dtype)


# Larger eager draws are drawn at their own shape (see the module docstring).
BUCKETED_MAX = 1 << 22


def _bucket(n: int) -> int:
    """The flat size drawn for `n` values: 64, or `n` rounded up to a quarter octave."""
    if n <= 64:
        return 64
    step = 1 << (n.bit_length() - 3)
    return -(-n // step) * step


def _on_cpu(x: Any) -> bool:
    return next(iter(x.devices())).platform == "cpu"


def _first(flat: Any, n: int, shape: tuple) -> Any:
    """The first `n` values of the 1-D array `flat`, in `shape`. On the CPU they are copied
    through the host (free there, and no program is compiled per shape); elsewhere, and when
    `flat` is traced after all (concrete arguments under an enclosing trace such as
    `jax.checkpoint`), sliced by array operations."""
    if not isinstance(flat, jax.core.Tracer) and _on_cpu(flat):
        return copy_to_device(np.asarray(flat)[:n].reshape(shape))
    return jnp.reshape(flat[:n], shape)


def _size_bucketed(draw: Callable) -> Callable:
    """`draw(seed, shape, *params, dtype)`, run eagerly as a flat draw of a bucket's size and
    cut to `shape` (see the module docstring). The draw itself is unchanged: `jax.random`'s
    samplers compile once per shape (here: per bucket) and the rest of `draw` runs op by op
    on the flat array, each op compiled once per bucket, so every value is computed exactly
    as in a draw of `shape`."""

    @functools.wraps(draw)
    def kernel(seed, shape, *params_and_dtype):
        *params, dtype = params_and_dtype
        traced = any(isinstance(v, jax.core.Tracer) for v in (seed, *params))
        broadcast = any(np.ndim(v) for v in params)  # parameters with a shape of their own
        if traced or broadcast or not jax.config.jax_threefry_partitionable:
            return draw(seed, shape, *params, dtype)
        shape = tuple(int(d) for d in shape)
        n = math.prod(shape)
        if n > BUCKETED_MAX:
            return draw(seed, shape, *params, dtype)
        return _first(draw(seed, (_bucket(n),), *params, dtype), n, shape)

    kernel.draw = draw  # the plain per-shape draw (tests compare the two)
    return kernel


@_size_bucketed
def normal(seed, shape, mean, stddev, dtype):
    d = _float(dtype)
    z = jax.random.normal(_key(seed), tuple(shape), d)
    return (z * _param(stddev, d) + _param(mean, d)).astype(_dtype(dtype))


@_size_bucketed
def uniform(seed, shape, minval, maxval, dtype):
    d = _dtype(dtype)
    return jax.random.uniform(
        _key(seed), tuple(shape), d, minval=_param(minval, d), maxval=_param(maxval, d)
    )


@_size_bucketed
def randint(seed, shape, minval, maxval, dtype):
    d = _dtype(dtype)
    return jax.random.randint(_key(seed), tuple(shape), _param(minval, d), _param(maxval, d), d)


@_size_bucketed
def truncated_normal(seed, shape, mean, stddev, dtype):
    d = _float(dtype)
    z = jax.random.truncated_normal(_key(seed), -2.0, 2.0, tuple(shape), d)
    return (z * _param(stddev, d) + _param(mean, d)).astype(_dtype(dtype))


def categorical(seed, logits, num_samples, dtype):
    logits = jnp.asarray(logits)
    draws = jax.random.categorical(
        _key(seed), logits, axis=-1, shape=(num_samples, logits.shape[0])
    )
    return jnp.transpose(draws).astype(_dtype(dtype))


def gamma(seed, shape, alpha, dtype):
    d = _float(dtype)
    return jax.random.gamma(_key(seed), _param(alpha, d), tuple(shape), d).astype(_dtype(dtype))


def binomial(seed, shape, counts, probabilities, dtype):
    d = _float(dtype)
    out = jax.random.binomial(
        _key(seed), _param(counts, d), _param(probabilities, d), tuple(shape), d
    )
    return out.astype(_dtype(dtype))


def beta(seed, shape, alpha, beta, dtype):
    d = _float(dtype)
    out = jax.random.beta(_key(seed), _param(alpha, d), _param(beta, d), tuple(shape), d)
    return out.astype(_dtype(dtype))


def shuffle(seed, x, axis):
    return jax.random.permutation(_key(seed), jnp.asarray(x), axis=axis, independent=True)


RANDOM_KERNELS: dict = {
    "random_normal": normal,
    "random_uniform": uniform,
    "random_randint": randint,
    "random_truncated_normal": truncated_normal,
    "random_categorical": categorical,
    "random_gamma": gamma,
    "random_binomial": binomial,
    "random_beta": beta,
    "random_shuffle": shuffle,
}

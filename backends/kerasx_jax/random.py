"""Random kernels of the JAX engine (jax.random keyed by the drawn seed).

Every kernel takes the drawn seed first: a uint32 array of two words, which become a
threefry key. The seed may be a traced value (a SeedGenerator's state inside `jax.jit`), so
the kernels are jit-traceable.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerasx.engine.dtypes import standardize_dtype


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


def normal(seed, shape, mean, stddev, dtype):
    d = _float(dtype)
    z = jax.random.normal(_key(seed), tuple(shape), d)
    return (z * _param(stddev, d) + _param(mean, d)).astype(_dtype(dtype))


def uniform(seed, shape, minval, maxval, dtype):
    d = _dtype(dtype)
    return jax.random.uniform(
        _key(seed), tuple(shape), d, minval=_param(minval, d), maxval=_param(maxval, d)
    )


def randint(seed, shape, minval, maxval, dtype):
    d = _dtype(dtype)
    return jax.random.randint(_key(seed), tuple(shape), _param(minval, d), _param(maxval, d), d)


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

"""Random kernels of the NumPy engine (counter-based Philox keyed by the drawn seed).

Every kernel takes the drawn seed first: a uint32 array of two words. The words form the
128-bit Philox key, so a seed always yields the same stream, and streams of different seeds
are independent. Values are drawn in float64 and cast to the requested dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine.dtypes import standardize_dtype
from kerasx_numpy.dtypes import np_dtype


def _rng(seed: Any) -> np.random.Generator:
    words = np.asarray(seed).astype(np.uint64).reshape(-1)
    return np.random.Generator(np.random.Philox(key=words[:2]))


def _dtype(dtype: Any) -> Any:
    return np_dtype(standardize_dtype(dtype))


def _value(v: Any) -> Any:
    return v if isinstance(v, (int, float)) else np.asarray(v, dtype=np.float64)


def normal(seed, shape, mean, stddev, dtype):
    z = _rng(seed).standard_normal(size=shape)
    return (z * _value(stddev) + _value(mean)).astype(_dtype(dtype))


def uniform(seed, shape, minval, maxval, dtype):
    u = _rng(seed).random(size=shape)
    lo, hi = _value(minval), _value(maxval)
    out = (lo + (hi - lo) * u).astype(_dtype(dtype))
    # Rounding to a narrower dtype can reach `maxval`; keep the interval half-open.
    return np.where(out >= hi, np.nextafter(out, out.dtype.type(-np.inf)), out) if out.size else out


def randint(seed, shape, minval, maxval, dtype):
    return (
        _rng(seed)
        .integers(np.asarray(minval), np.asarray(maxval), size=shape)
        .astype(_dtype(dtype))
    )


def truncated_normal(seed, shape, mean, stddev, dtype):
    rng = _rng(seed)
    z = rng.standard_normal(size=shape)
    bad = np.abs(z) > 2.0
    while bad.any():  # resample the values beyond two standard deviations
        z[bad] = rng.standard_normal(size=int(bad.sum()))
        bad = np.abs(z) > 2.0
    return (z * _value(stddev) + _value(mean)).astype(_dtype(dtype))


def categorical(seed, logits, num_samples, dtype):
    logits = np.asarray(logits, dtype=np.float64)
    u = _rng(seed).random(size=(logits.shape[0], num_samples, logits.shape[1]))
    gumbel = -np.log(-np.log(np.maximum(u, np.finfo(np.float64).tiny)))
    return np.argmax(logits[:, None, :] + gumbel, axis=-1).astype(_dtype(dtype))


def gamma(seed, shape, alpha, dtype):
    return _rng(seed).standard_gamma(_value(alpha), size=shape).astype(_dtype(dtype))


def binomial(seed, shape, counts, probabilities, dtype):
    n = np.asarray(counts).astype(np.int64)
    return _rng(seed).binomial(n, _value(probabilities), size=shape).astype(_dtype(dtype))


def beta(seed, shape, alpha, beta, dtype):
    return _rng(seed).beta(_value(alpha), _value(beta), size=shape).astype(_dtype(dtype))


def shuffle(seed, x, axis):
    return _rng(seed).permuted(np.asarray(x), axis=axis)


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

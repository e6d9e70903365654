"""JAX kernels: array creation (ranges, filled tensors, matrices, windows, grids)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.ops._checks_creation import (
    _check_meshgrid,
    _check_num,
    _check_vander,
    _int,
    _shape,
    _space_target,
)


def _d(dtype):
    return jnp.dtype(_dt.standardize_dtype(dtype))


# `zeros` / `ones` called eagerly dispatch one compiled call per (shape, dtype): about 6 us,
# against 65 us for the two primitives `jnp.zeros` dispatches one by one (metrics reset their
# variables to zeros at every epoch). Inside a trace they inline as the same broadcast.
_zeros = jax.jit(jnp.zeros, static_argnums=(0, 1))
_ones = jax.jit(jnp.ones, static_argnums=(0, 1))


def _scalar(v):
    if v is None or isinstance(v, (int, float, bool)):
        return v
    return np.asarray(v).item()


def arange(start, stop, step, dtype):
    if dtype is None:
        dtype = _dt.result_type(*[v for v in (start, stop, step) if v is not None])
    start, stop, step = _scalar(start), _scalar(stop), _scalar(step)
    if step is not None and step == 0:
        raise ValueError(
            "Received an invalid value for `step`, expected a non-zero value. Received: step=0"
        )
    if stop is None:
        start, stop = 0, start
    return jnp.arange(start, stop, 1 if step is None else step, dtype=_d(dtype))


def _f64(x):
    x = jnp.asarray(x)
    return x.astype(jnp.complex128 if jnp.iscomplexobj(x) else jnp.float64)


def linspace(start, stop, num, endpoint, retstep, dtype, axis):
    _check_num(num)
    target = _space_target(start, stop, dtype)
    y, step = jnp.linspace(
        _f64(start), _f64(stop), num, endpoint, True, dtype=jnp.float64, axis=axis
    )
    if jnp.issubdtype(_d(target), jnp.integer):
        y = jnp.floor(y)
    y = y.astype(_d(target))
    if not retstep:
        return y
    step_dt = target if _dt.is_float_dtype(target) else _dt.standardize_dtype(None)
    return (y, jnp.asarray(step).astype(_d(step_dt)))


def _int_floor(y, target):
    if jnp.issubdtype(_d(target), jnp.integer):
        y = jnp.floor(y)
    return y.astype(_d(target))


def geomspace(start, stop, num, endpoint, dtype, axis):
    _check_num(num)
    target = _space_target(start, stop, dtype)
    y = jnp.geomspace(_f64(start), _f64(stop), num, endpoint, dtype=jnp.float64, axis=axis)
    return _int_floor(y, target)


def logspace(start, stop, num, endpoint, base, dtype, axis):
    _check_num(num)
    target = _space_target(start, stop, dtype)
    y = jnp.logspace(_f64(start), _f64(stop), num, endpoint, base, dtype=jnp.float64, axis=axis)
    return _int_floor(y, target)


def array(x, dtype):
    return jnp.array(x, dtype=None if dtype is None else _d(dtype))


def full(shape, fill_value, dtype):
    return jnp.full(_shape(shape), jnp.asarray(fill_value).astype(_d(dtype)), dtype=_d(dtype))


def full_like(x, fill_value, dtype):
    d = x.dtype if dtype is None else _d(dtype)
    return jnp.full(x.shape, jnp.asarray(fill_value).astype(d), dtype=d)


def _eye(N, M, k, dtype):  # noqa: N803
    M = None if M is None else _int(M, "M")
    return jnp.eye(_int(N, "N"), M, _int(k, "k"), dtype=_d(dtype))


def _tri(N, M, k, dtype):  # noqa: N803
    M = None if M is None else _int(M, "M")
    return jnp.tri(_int(N, "N"), M, _int(k, "k"), dtype=_d(dtype))


def vander(x, N, increasing):  # noqa: N803
    _check_vander(x)
    return jnp.vander(x, None if N is None else _int(N, "N"), increasing)


def meshgrid(x, indexing):
    _check_meshgrid(indexing)
    return list(jnp.meshgrid(*x, indexing=indexing))


def _window(fn):
    def kernel(x):
        n = _int(x, "x")
        return fn(n).astype(_d(None))

    return kernel


def kaiser(x, beta):
    return jnp.kaiser(_int(x, "x"), float(beta)).astype(_d(None))


KERNELS = {
    "arange": arange,
    "linspace": linspace,
    "geomspace": geomspace,
    "logspace": logspace,
    "array": array,
    "zeros": lambda shape, dtype: _zeros(_shape(shape), _d(dtype)),
    "ones": lambda shape, dtype: _ones(_shape(shape), _d(dtype)),
    "empty": lambda shape, dtype: _zeros(_shape(shape), _d(dtype)),
    "empty_like": lambda x, dtype: jnp.zeros(
        x.shape, dtype=x.dtype if dtype is None else _d(dtype)
    ),
    "full": full,
    "full_like": full_like,
    "eye": _eye,
    "identity": lambda n, dtype: jnp.identity(_int(n, "n"), dtype=_d(dtype)),
    "tri": _tri,
    "vander": vander,
    "meshgrid": meshgrid,
    "bartlett": _window(jnp.bartlett),
    "blackman": _window(jnp.blackman),
    "hamming": _window(jnp.hamming),
    "hanning": _window(jnp.hanning),
    "kaiser": kaiser,
}

"""JAX kernels: FFTs, framing, correlation and complex views."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.ops._checks_signal import (
    _check_complex_pair,
    _check_sequence_length,
    _check_view_as_complex,
    _complex_parts_error,
)


def _complex(x):
    _check_complex_pair(x)
    re, im = jnp.asarray(x[0]), jnp.asarray(x[1])
    for v in (re, im):
        if not jnp.issubdtype(v.dtype, jnp.floating):
            raise _complex_parts_error(re, im)
    dt = jnp.dtype(_dt.result_type(re.dtype, im.dtype))
    return jax.lax.complex(re.astype(dt), im.astype(dt)), dt


def _pair(z, dt):
    return jnp.real(z).astype(dt), jnp.imag(z).astype(dt)


def fft(x):
    z, dt = _complex(x)
    return _pair(jnp.fft.fft(z), dt)


def fft2(x):
    z, dt = _complex(x)
    return _pair(jnp.fft.fft2(z), dt)


def ifft2(x):
    z, dt = _complex(x)
    return _pair(jnp.fft.ifft2(z), dt)


def rfft(x, fft_length=None):
    return _pair(jnp.fft.rfft(x, n=fft_length), x.dtype)


def irfft(x, fft_length=None):
    z, dt = _complex(x)
    n = fft_length if fft_length is not None else 2 * (z.shape[-1] - 1)
    return jnp.fft.irfft(z, n=n).astype(dt)


def view_as_complex(x):
    _check_view_as_complex(x)
    dt = jnp.float64 if x.dtype == jnp.float64 else jnp.float32
    return jax.lax.complex(x[..., 0].astype(dt), x[..., 1].astype(dt))


def view_as_real(x):
    if jnp.issubdtype(x.dtype, jnp.complexfloating):
        dt = jnp.real(x).dtype
    elif x.dtype in (jnp.float64, jnp.float16):
        dt = x.dtype
    else:
        dt = jnp.float32
    return jnp.stack([jnp.real(x).astype(dt), jnp.imag(x).astype(dt)], axis=-1)


def correlate(x1, x2, mode="valid"):
    return jnp.correlate(x1, x2, mode=mode)


def extract_sequences(x, sequence_length, sequence_stride):
    n = x.shape[-1]
    _check_sequence_length(n, sequence_length)
    count = 1 + (n - sequence_length) // sequence_stride
    idx = np.arange(count)[:, None] * sequence_stride + np.arange(sequence_length)[None, :]
    return x[..., jnp.asarray(idx, dtype=jnp.int32)]


KERNELS = {
    "correlate": correlate,
    "extract_sequences": extract_sequences,
    "fft": fft,
    "fft2": fft2,
    "ifft2": ifft2,
    "irfft": irfft,
    "rfft": rfft,
    "view_as_complex": view_as_complex,
    "view_as_real": view_as_real,
}

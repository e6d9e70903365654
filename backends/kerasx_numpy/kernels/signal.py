"""NumPy kernels: FFTs, framing, correlation and complex views."""

from __future__ import annotations

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
    re, im = np.asarray(x[0]), np.asarray(x[1])
    for v in (re, im):
        if v.dtype.kind != "f":
            raise _complex_parts_error(re, im)
    dt = np.dtype(_dt.result_type(re.dtype, im.dtype))
    cdt = np.complex128 if dt == np.float64 else np.complex64
    z = re.astype(cdt)
    z.imag = im
    return z, dt


def _pair(z, dt):
    return np.ascontiguousarray(z.real, dtype=dt), np.ascontiguousarray(z.imag, dtype=dt)


def fft(x):
    z, dt = _complex(x)
    return _pair(np.fft.fft(z), dt)


def fft2(x):
    z, dt = _complex(x)
    return _pair(np.fft.fft2(z), dt)


def ifft2(x):
    z, dt = _complex(x)
    return _pair(np.fft.ifft2(z), dt)


def rfft(x, fft_length=None):
    return _pair(np.fft.rfft(x, n=fft_length), x.dtype)


def irfft(x, fft_length=None):
    z, dt = _complex(x)
    n = fft_length if fft_length is not None else 2 * (z.shape[-1] - 1)
    return np.asarray(np.fft.irfft(z, n=n), dtype=dt)


def view_as_complex(x):
    cdt = np.complex128 if x.dtype == np.float64 else np.complex64
    _check_view_as_complex(x)
    z = x[..., 0].astype(cdt)
    z.imag = x[..., 1]
    return z


def view_as_real(x):
    if x.dtype.kind == "c":
        dt = x.real.dtype
    elif x.dtype in (np.float64, np.float16):
        dt = x.dtype
    else:
        dt = np.float32
    return np.stack([np.real(x).astype(dt), np.imag(x).astype(dt)], axis=-1)


def correlate(x1, x2, mode="valid"):
    return np.correlate(x1, x2, mode=mode)


def extract_sequences(x, sequence_length, sequence_stride):
    n = x.shape[-1]
    _check_sequence_length(n, sequence_length)
    win = np.lib.stride_tricks.sliding_window_view(x, sequence_length, axis=-1)
    return np.ascontiguousarray(win[..., ::sequence_stride, :])


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

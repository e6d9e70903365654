"""Signal processing: FFTs (as ``(real, imag)`` pairs), STFT, framing, correlation, complex views.

The FFT ops are linear, so their gradient rules are FFTs of the cotangent (the adjoint of the
DFT matrix ``F`` is ``n * ifft``, written as ``conj(fft(conj(g)))``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, rand_int, randn, shape_of

_MATH = ("math",)


# ------------------------------------------------------------------------------ helpers


def _pad_last(x: Any, before: int, after: int, mode: str = "constant") -> Any:
    if before == 0 and after == 0:
        return x
    nd = len(shape_of(x))
    return K.pad(x, [(0, 0)] * (nd - 1) + [(before, after)], mode=mode)


def _fit_last(x: Any, n: int) -> Any:
    """Crop or zero-pad the last axis of `x` to length `n`."""
    m = shape_of(x)[-1]
    if m == n:
        return x
    if m > n:
        return K.get_item(x, (Ellipsis, slice(0, n)))
    return _pad_last(x, 0, n - m)


def _check_pair(x: Any) -> None:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(
            "Received an invalid value for `x`, expected a tuple (real, imag) of two float "
            f"tensors. Received: x={type(x).__name__}"
        )


def _pair_shape(x: Any, *args: Any) -> tuple:
    _check_pair(x)
    if tuple(x[0]) != tuple(x[1]):
        raise ValueError(
            "Received an invalid value for `x`, the real and imaginary parts must have the "
            f"same shape. Received: shapes {tuple(x[0])} and {tuple(x[1])}"
        )
    return tuple(x[0])


def _pair_dtype(x: Any, *args: Any) -> str:
    _check_pair(x)
    for d in x:
        if not _dt.is_float_dtype(d):
            raise ValueError(
                "Received an invalid value for `x`, both the real and the imaginary part must "
                f"be floating tensors. Received dtypes: {x[0]}, {x[1]}"
            )
    return _dt.result_type(*x)


def _need_int(v: Any, name: str, minimum: int = 1) -> int:
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < minimum:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int >= {minimum}. "
            f"Received: {name}={v!r}"
        )
    return int(v)


def _pair_samples(rng: Any, *shape: int) -> list:
    return [Sample(((randn(rng, *shape), randn(rng, *shape)),), rtol=1e-4, atol=1e-5)]


# ------------------------------------------------------------------------------ fft family


def _fft_vjp(g: Any, ans: Any, x: Any) -> list:
    a, b = K.fft((g[0], K.negative(g[1])))
    return [a, K.negative(b)]


@defop(
    tensors=(),
    seq=("x",),
    shape=lambda x: [_pair_shape(x), _pair_shape(x)],
    dtype=lambda x: [_pair_dtype(x)] * 2,
    vjp={"x": _fft_vjp},
    samples=lambda rng: _pair_samples(rng, 5) + _pair_samples(rng, 2, 4),
    namespaces=_MATH,
)
def fft(x: Any) -> Any:
    """Discrete Fourier transform along the last axis.

    Args:
        x: tuple ``(real, imag)`` of float tensors of the same shape.

    Returns:
        Tuple ``(real, imag)`` of the transform.
    """


def _fft2_vjp(g: Any, ans: Any, x: Any) -> list:
    a, b = K.fft2((g[0], K.negative(g[1])))
    return [a, K.negative(b)]


def _check_rank2(x: Any) -> tuple:
    s = _pair_shape(x)
    if len(s) < 2:
        raise ValueError(f"Received an invalid value for `x`, expected rank >= 2. Received: {s}")
    return s


@defop(
    tensors=(),
    seq=("x",),
    shape=lambda x: [_check_rank2(x)] * 2,
    dtype=lambda x: [_pair_dtype(x)] * 2,
    vjp={"x": _fft2_vjp},
    samples=lambda rng: _pair_samples(rng, 3, 4) + _pair_samples(rng, 2, 2, 3),
    namespaces=_MATH,
)
def fft2(x: Any) -> Any:
    """2-D discrete Fourier transform over the last two axes.

    Args:
        x: tuple ``(real, imag)`` of float tensors of the same shape (rank >= 2).

    Returns:
        Tuple ``(real, imag)`` of the transform.
    """


def _ifft2_vjp(g: Any, ans: Any, x: Any) -> list:
    s = shape_of(x[0])
    scale = 1.0 / float(s[-1] * s[-2])
    a, b = K.fft2((g[0], g[1]))
    return [K.multiply(a, scale), K.multiply(b, scale)]


@defop(
    tensors=(),
    seq=("x",),
    shape=lambda x: [_check_rank2(x)] * 2,
    dtype=lambda x: [_pair_dtype(x)] * 2,
    vjp={"x": _ifft2_vjp},
    samples=lambda rng: _pair_samples(rng, 3, 4) + _pair_samples(rng, 2, 2, 3),
    namespaces=_MATH,
)
def ifft2(x: Any) -> Any:
    """Inverse 2-D discrete Fourier transform over the last two axes.

    Args:
        x: tuple ``(real, imag)`` of float tensors of the same shape (rank >= 2).

    Returns:
        Tuple ``(real, imag)`` of the inverse transform (scaled by ``1 / (M * N)``).
    """


def _rfft_n(x: tuple, fft_length: Any) -> int:
    if fft_length is None:
        if not x or x[-1] is None:
            raise ValueError("rfft needs a known last dimension or an explicit `fft_length`")
        return int(x[-1])
    return _need_int(fft_length, "fft_length")


def _rfft_shape(x: tuple, fft_length: Any) -> list:
    if len(x) < 1:
        raise ValueError("Received an invalid value for `x`, expected rank >= 1. Received: ()")
    n = _rfft_n(x, fft_length) if fft_length is not None or x[-1] is not None else None
    out = tuple(x[:-1]) + (None if n is None else n // 2 + 1,)
    return [out, out]


def _rfft_vjp(g: Any, ans: Any, x: Any, fft_length: Any) -> Any:
    m = shape_of(x)[-1]
    n = m if fft_length is None else int(fft_length)
    gr, gi = _fit_last(g[0], n), _fit_last(g[1], n)
    a, _ = K.fft((gr, K.negative(gi)))
    return _fit_last(a, m)


@defop(
    promote=("x",),
    to_float=True,
    shape=_rfft_shape,
    vjp={"x": _rfft_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 6),), rtol=1e-4, atol=1e-5),
        Sample((randn(rng, 2, 5),), rtol=1e-4, atol=1e-5),
        Sample((randn(rng, 5),), {"fft_length": 8}, rtol=1e-4, atol=1e-5),
        Sample((randn(rng, 2, 7),), {"fft_length": 4}, rtol=1e-4, atol=1e-5),
    ],
    namespaces=_MATH,
)
def rfft(x: Any, fft_length: int | None = None) -> Any:
    """Fourier transform of a real signal along the last axis (non-negative frequencies).

    Args:
        x: real tensor (integers are cast to floatx).
        fft_length: transform length; the last axis is cropped or zero-padded to it.
            None uses the last axis's length.

    Returns:
        Tuple ``(real, imag)`` with ``fft_length // 2 + 1`` frequencies in the last axis.
    """


def _irfft_n(m: Any, fft_length: Any) -> Any:
    if fft_length is not None:
        return _need_int(fft_length, "fft_length")
    return None if m is None else 2 * (m - 1)


def _irfft_shape(x: Any, fft_length: Any) -> tuple:
    s = _pair_shape(x)
    if len(s) < 1:
        raise ValueError("Received an invalid value for `x`, expected rank >= 1. Received: ()")
    return tuple(s[:-1]) + (_irfft_n(s[-1], fft_length),)


def _irfft_vjp(g: Any, ans: Any, x: Any, fft_length: Any) -> list:
    m = shape_of(x[0])[-1]
    n = _irfft_n(m, fft_length)
    k = n // 2 + 1
    weights = [1.0 if (i == 0 or (n % 2 == 0 and i == n // 2)) else 2.0 for i in range(k)]
    dt = _dt.standardize_dtype(g.dtype)
    w = K.convert_to_tensor(np.asarray(weights) / n, dtype=dt)
    ar, ai = K.rfft(g, fft_length=n)
    return [_fit_last(K.multiply(ar, w), m), _fit_last(K.multiply(ai, w), m)]


@defop(
    tensors=(),
    seq=("x",),
    shape=_irfft_shape,
    dtype=lambda x, fft_length: _pair_dtype(x),
    vjp={"x": _irfft_vjp},
    samples=lambda rng: [
        Sample(((randn(rng, 4), randn(rng, 4)),), rtol=1e-4, atol=1e-5),
        Sample(((randn(rng, 2, 4), randn(rng, 2, 4)), 7), rtol=1e-4, atol=1e-5),
        Sample(((randn(rng, 5), randn(rng, 5)), 4), rtol=1e-4, atol=1e-5),
        Sample(((randn(rng, 3), randn(rng, 3)), 9), rtol=1e-4, atol=1e-5),
    ],
    namespaces=_MATH,
)
def irfft(x: Any, fft_length: int | None = None) -> Any:
    """Inverse of `rfft`: a real signal from its non-negative-frequency spectrum.

    Args:
        x: tuple ``(real, imag)`` of float tensors; the last axis holds frequencies.
        fft_length: length of the output signal; None uses ``2 * (x.shape[-1] - 1)``. The
            input is cropped or zero-padded to ``fft_length // 2 + 1`` frequencies.

    Returns:
        The real signal, with `fft_length` samples in the last axis.
    """


# ------------------------------------------------------------------------------ complex views


def _vac_shape(x: tuple) -> tuple:
    if len(x) < 1 or (x[-1] is not None and x[-1] != 2):
        raise ValueError(
            "Received an invalid value for `x`, expected a last dimension of size 2 (real, "
            f"imag). Received: x.shape={tuple(x)}"
        )
    return tuple(x[:-1])


@defop(
    shape=_vac_shape,
    dtype=lambda x: "complex128" if x == "float64" else "complex64",
    vjp={"x": lambda g, ans, x: K.multiply(K.view_as_real(g), [1.0, -1.0])},
    samples=lambda rng: [Sample((randn(rng, 3, 2),)), Sample((randn(rng, 2, 2, 2),))],
    namespaces=_MATH,
)
def view_as_complex(x: Any) -> Any:
    """Complex tensor from a real one whose last axis holds (real, imag).

    Args:
        x: real tensor of shape ``(..., 2)``.

    Returns:
        Complex tensor of shape ``x.shape[:-1]`` (complex128 for float64 input, else
        complex64).
    """


def _var_dtype(x: str) -> str:
    if x == "complex128" or x == "float64":
        return "float64"
    if x in ("float16", "bfloat16"):
        return x
    return "float32"


def _var_vjp(g: Any, ans: Any, x: Any) -> Any:
    if _dt.is_complex_dtype(_dt.standardize_dtype(x.dtype)):
        return K.view_as_complex(K.multiply(g, [1.0, -1.0]))
    return K.get_item(g, (Ellipsis, 0))


@defop(
    shape=lambda x: tuple(x) + (2,),
    dtype=_var_dtype,
    vjp={"x": _var_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3) + 1j * randn(rng, 3),)),
        Sample((randn(rng, 2, 2) + 1j * randn(rng, 2, 2),)),
        Sample((randn(rng, 3),)),
    ],
    namespaces=_MATH,
)
def view_as_real(x: Any) -> Any:
    """Real view of a complex tensor: a new last axis holds (real, imag).

    Args:
        x: complex (or real, whose imaginary part is zero) tensor.

    Returns:
        Real tensor of shape ``x.shape + (2,)``.
    """


# ------------------------------------------------------------------------------ correlate


def _check_mode(mode: Any) -> None:
    if mode not in ("valid", "same", "full"):
        raise ValueError(
            "Received an invalid value for `mode`, expected 'valid', 'same' or 'full'. "
            f"Received: mode={mode!r}"
        )


def _corr_len(m: int, n: int, mode: str) -> int:
    if mode == "full":
        return m + n - 1
    if mode == "same":
        return max(m, n)
    return max(m, n) - min(m, n) + 1


def _corr_shape(x1: tuple, x2: tuple, mode: str) -> tuple:
    _check_mode(mode)
    for s, name in ((x1, "x1"), (x2, "x2")):
        if len(s) != 1:
            raise ValueError(
                f"Received an invalid value for `{name}`, expected a 1-D tensor. "
                f"Received: {name}.shape={tuple(s)}"
            )
    if x1[0] is None or x2[0] is None:
        return (None,)
    return (_corr_len(x1[0], x2[0], mode),)


def _corr_full_g(g: Any, m: int, n: int, mode: str) -> Any:
    """Embed the cotangent of a 'valid'/'same' result into the full-length correlation."""
    if mode == "full":
        return g
    off = min(m, n) - 1 if mode == "valid" else (min(m, n) - 1) // 2
    length = _corr_len(m, n, mode)
    return _pad_last(g, off, m + n - 1 - off - length)


def _corr_vjp(which: int) -> Any:
    def rule(g: Any, ans: Any, x1: Any, x2: Any, mode: str) -> Any:
        m, n = shape_of(x1)[0], shape_of(x2)[0]
        gf = _corr_full_g(g, m, n, mode)
        if which == 0:
            return K.correlate(gf, K.flip(x2, 0), mode="valid")
        return K.flip(K.correlate(gf, x1, mode="valid"), 0)

    return rule


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    to_float=True,
    shape=_corr_shape,
    vjp={"x1": _corr_vjp(0), "x2": _corr_vjp(1)},
    samples=lambda rng: [
        Sample((randn(rng, 6), randn(rng, 3))),
        Sample((randn(rng, 3), randn(rng, 5)), {"mode": "same"}),
        Sample((randn(rng, 4), randn(rng, 4)), {"mode": "full"}),
        Sample((randn(rng, 5), randn(rng, 2)), {"mode": "same"}),
        Sample((rand_int(rng, 5), rand_int(rng, 3)), grad=False),
    ],
)
def correlate(x1: Any, x2: Any, mode: str = "valid") -> Any:
    """Cross-correlation of two 1-D tensors.

    Args:
        x1: first 1-D tensor (length M).
        x2: second 1-D tensor (length N).
        mode: ``"valid"`` (length ``max(M, N) - min(M, N) + 1``), ``"same"`` (length
            ``max(M, N)``) or ``"full"`` (length ``M + N - 1``).

    Returns:
        The correlation (a float tensor).
    """


# ------------------------------------------------------------------------------ framing


def _es_check(sequence_length: Any, sequence_stride: Any) -> tuple[int, int]:
    return _need_int(sequence_length, "sequence_length"), _need_int(
        sequence_stride, "sequence_stride"
    )


def _es_shape(x: tuple, sequence_length: Any, sequence_stride: Any) -> tuple:
    length, stride = _es_check(sequence_length, sequence_stride)
    if len(x) < 1:
        raise ValueError("Received an invalid value for `x`, expected rank >= 1. Received: ()")
    n = x[-1]
    if n is None:
        return tuple(x[:-1]) + (None, length)
    if n < length:
        raise ValueError(
            "Received an invalid value for `sequence_length`, expected at most the length of "
            f"the last axis ({n}). Received: sequence_length={length}"
        )
    return tuple(x[:-1]) + (1 + (n - length) // stride, length)


def overlap_add(frames: Any, stride: int) -> Any:
    """Sum frames ``(..., T, L)`` placed `stride` apart: ``(..., (T - 1) * stride + L)``."""
    fs = shape_of(frames)
    t, length = fs[-2], fs[-1]
    r = -(-length // stride)
    x = _pad_last(frames, 0, r * stride - length)
    x = K.reshape(x, tuple(fs[:-2]) + (t, r, stride))
    nd = len(fs) + 1
    total = None
    for j in range(r):
        part = K.get_item(x, (Ellipsis, slice(None), j, slice(None)))
        pads = [(0, 0)] * (nd - 3) + [(j, r - 1 - j), (0, 0)]
        part = K.pad(part, pads)
        total = part if total is None else K.add(total, part)
    out = K.reshape(total, tuple(fs[:-2]) + ((t + r - 1) * stride,))
    return K.get_item(out, (Ellipsis, slice(0, (t - 1) * stride + length)))


def _es_vjp(g: Any, ans: Any, x: Any, sequence_length: Any, sequence_stride: Any) -> Any:
    return _fit_last(overlap_add(g, int(sequence_stride)), shape_of(x)[-1])


@defop(
    shape=_es_shape,
    vjp={"x": _es_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 7), 3, 2)),
        Sample((randn(rng, 2, 8), 3, 3)),
        Sample((randn(rng, 2, 6), 2, 1)),
        Sample((rand_int(rng, 6), 4, 2), grad=False),
    ],
    namespaces=_MATH,
)
def extract_sequences(x: Any, sequence_length: int, sequence_stride: int) -> Any:
    """Frames of `sequence_length` samples taken every `sequence_stride` along the last axis.

    Args:
        x: input tensor.
        sequence_length: frame length.
        sequence_stride: hop between frame starts.

    Returns:
        Tensor of shape ``(..., num_frames, sequence_length)`` with
        ``num_frames = 1 + (N - sequence_length) // sequence_stride``.
    """


# ------------------------------------------------------------------------------ stft / istft


def _window(window: Any, length: int, fft_length: int, dtype: str) -> Any:
    """The window as a tensor of `fft_length` (centred, zero-padded), or None."""
    if window is None:
        return None
    if isinstance(window, str):
        k = np.arange(length, dtype=np.float64)
        if window == "hann":
            w = 0.5 - 0.5 * np.cos(2.0 * np.pi * k / length)
        elif window == "hamming":
            w = 0.54 - 0.46 * np.cos(2.0 * np.pi * k / length)
        else:
            raise ValueError(
                "Received an invalid value for `window`, expected 'hann', 'hamming', a tensor "
                f"or None. Received: window={window!r}"
            )
        win = K.convert_to_tensor(w, dtype=dtype)
    else:
        win = K.cast(window, dtype)
        if tuple(shape_of(win)) != (length,):
            raise ValueError(
                "Received an invalid value for `window`, expected a 1-D tensor of length "
                f"sequence_length={length}. Received: window.shape={shape_of(win)}"
            )
    left = (fft_length - length) // 2
    return _pad_last(win, left, fft_length - length - left)


def _stft_args(sequence_length: Any, sequence_stride: Any, fft_length: Any) -> tuple:
    length, stride = _es_check(sequence_length, sequence_stride)
    n = _need_int(fft_length, "fft_length")
    if n < length:
        raise ValueError(
            "Received an invalid value for `fft_length`, expected at least sequence_length="
            f"{length}. Received: fft_length={n}"
        )
    return length, stride, n


def _float_input(x: Any, name: str) -> Any:
    d = _dt.standardize_dtype(getattr(x, "dtype", None) or _dt.result_type(x))
    if not _dt.is_float_dtype(d):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected a float tensor (float16, "
            f"float32 or float64). Received: {name}.dtype={d}"
        )
    return x


@defop(
    tensors=("x",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 10), 4, 2, 4), rtol=1e-4, atol=1e-5),
        Sample((randn(rng, 2, 9), 3, 2, 4), {"window": "hamming"}, rtol=1e-4, atol=1e-5),
        Sample((randn(rng, 12), 4, 3, 6), {"center": False}, rtol=1e-4, atol=1e-5),
        Sample((randn(rng, 8), 4, 2, 4), {"window": None}, rtol=1e-4, atol=1e-5),
    ],
    namespaces=_MATH,
)
def stft(
    x: Any,
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    window: Any = "hann",
    center: bool = True,
) -> Any:
    """Short-time Fourier transform along the last axis.

    Args:
        x: float input signal(s).
        sequence_length: window length in samples.
        sequence_stride: hop between frames.
        fft_length: FFT size (>= `sequence_length`; each frame has this many samples and the
            window is zero-padded to it, centred).
        window: ``"hann"``, ``"hamming"`` (periodic windows), a 1-D tensor of length
            `sequence_length`, or None (no windowing).
        center: reflect-pad the signal by ``fft_length // 2`` on both sides so frame t is
            centred at ``t * sequence_stride``.

    Returns:
        Tuple ``(real, imag)`` of shape ``(..., num_frames, fft_length // 2 + 1)``.
    """
    length, stride, n = _stft_args(sequence_length, sequence_stride, fft_length)
    x = _float_input(x, "x")
    dt = _dt.standardize_dtype(x.dtype)
    if center:
        x = _pad_last(x, n // 2, n // 2, mode="reflect")
    frames = K.extract_sequences(x, n, stride)
    win = _window(window, length, n, dt)
    if win is not None:
        frames = K.multiply(frames, win)
    return K.rfft(frames, fft_length=n)


@defop(
    tensors=(),
    seq=("x",),
    composite=True,
    samples=lambda rng: [
        Sample(((randn(rng, 5, 3), randn(rng, 5, 3)), 4, 2, 4), {"window": "hamming"}),
        Sample(
            ((randn(rng, 5, 3), randn(rng, 5, 3)), 4, 2, 4),
            {"window": "hamming", "length": 7},
            rtol=1e-4,
            atol=1e-5,
        ),
        # Keras 3's NumPy backend (SciPy) warns "NOLA condition failed" for these Hann
        # windows, which pytest turns into an error; the values are checked in
        # tests/core/test_ops_signal.py against Keras with that warning ignored.
        Sample(((randn(rng, 5, 3), randn(rng, 5, 3)), 4, 2, 4), rtol=1e-4, atol=1e-5, keras=False),
        Sample(
            ((randn(rng, 2, 6, 4), randn(rng, 2, 6, 4)), 5, 2, 6),
            {"length": 9},
            rtol=1e-4,
            atol=1e-5,
            keras=False,
        ),
        Sample(
            ((randn(rng, 3, 3), randn(rng, 3, 3)), 4, 2, 4),
            {"center": False},
            rtol=1e-4,
            atol=1e-5,
            keras=False,
        ),
        # Keras 3's NumPy backend scales the result by fft_length / sequence_stride when
        # window=None; kerasx reconstructs with a rectangular window (exact inverse of stft).
        Sample(
            ((randn(rng, 4, 3), randn(rng, 4, 3)), 4, 2, 4),
            {"window": None},
            rtol=1e-4,
            atol=1e-5,
            keras=False,
        ),
    ],
    namespaces=_MATH,
)
def istft(
    x: Any,
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    length: int | None = None,
    window: Any = "hann",
    center: bool = True,
) -> Any:
    """Inverse short-time Fourier transform (windowed overlap-add).

    Args:
        x: tuple ``(real, imag)`` of shape ``(..., num_frames, fft_length // 2 + 1)``.
        sequence_length: window length used by `stft`.
        sequence_stride: hop used by `stft`.
        fft_length: FFT size used by `stft`.
        length: crop the output to this many samples (None: drop the centre padding only).
        window: the window used by `stft` (``"hann"``, ``"hamming"``, a tensor or None).
        center: whether `stft` centred the frames (its padding is removed).

    Returns:
        The reconstructed signal(s).
    """
    _check_pair(x)
    seq_len, stride, n = _stft_args(sequence_length, sequence_stride, fft_length)
    re = _float_input(x[0], "x")
    dt = _dt.standardize_dtype(re.dtype)
    frames = K.irfft(x, fft_length=n)
    t = shape_of(frames)[-2]
    win = _window(window, seq_len, n, dt)
    if win is None:
        win = K.ones((n,), dtype=dt)
    else:
        frames = K.multiply(frames, win)
    y = overlap_add(frames, stride)
    env = overlap_add(K.broadcast_to(K.multiply(win, win), (t, n)), stride)
    safe = K.greater(env, 1e-10)
    y = K.where(safe, K.divide(y, K.where(safe, env, K.ones_like(env))), y)
    total = shape_of(y)[-1]
    start, stop = 0, total
    if center:
        start = n // 2
        if length is None:
            stop = total - n // 2
    if length is not None:
        stop = min(total, start + _need_int(length, "length"))
    return K.get_item(y, (Ellipsis, slice(start, stop)))


__all__ = [
    "correlate",
    "extract_sequences",
    "fft",
    "fft2",
    "ifft2",
    "irfft",
    "istft",
    "rfft",
    "stft",
    "view_as_complex",
    "view_as_real",
]

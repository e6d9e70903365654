"""NumPy kernels: binary math, clipping, and the special functions erf/erfc/erfinv/i0.

NumPy has no error function, so erf, erfc and erfinv are computed here in float64 and
rounded to the input's dtype:

- erf for |x| < 0.5: its Taylor series (14 terms reach float64 precision there);
- erfc for x >= 0.5: the exponentially convergent trapezoid-rule sum of Chiarella and
  Reichel (step h = 0.5, 14 terms, plus the pole correction below x = pi / h); measured
  relative error below 1e-13 against 50-digit references, erfc's own tail included;
- erfinv: a closed-form first guess refined by three Halley steps on erf (centre) or on
  erfc (tails, where 1 - |y| keeps full relative precision).
"""

from __future__ import annotations

import math

import numpy as np

from kerasx.ops._checks_elementwise_more import _check_fill

# ------------------------------------------------------------------------ binary math


def _quiet(fn):
    """Wrap a ufunc so integer division by zero gives NumPy's value without a warning."""

    def kernel(x1, x2):
        with np.errstate(divide="ignore", invalid="ignore"):
            return fn(x1, x2)

    return kernel


def _divide_no_nan(x1, x2):
    if np.ndim(x2) == 0:
        if x2 != 0:
            return np.true_divide(x1, x2)
        zero = np.equal(x2, 0)
    else:
        zero = np.equal(x2, 0)
    if not zero.any():
        return np.true_divide(x1, x2)
    safe = np.where(zero, np.ones_like(x2), x2)
    return np.where(zero, np.zeros_like(x1), np.true_divide(x1, safe))


def _check_exponent(x2):
    if np.asarray(x2).dtype.kind not in "iu":
        raise TypeError(
            "Received an invalid value for `x2`, expected an integer tensor of exponents. "
            f"Received: x2 with dtype={np.asarray(x2).dtype}"
        )


def _ldexp(x1, x2):
    _check_exponent(x2)
    out = np.ldexp(x1, np.asarray(x2).astype(np.int32, copy=False))
    return out if out.dtype == x1.dtype else out.astype(x1.dtype)


def _clip(x, x_min, x_max):
    want = np.int32 if x.dtype == np.bool_ else x.dtype
    if x.dtype == np.bool_:
        x = x.astype(np.int32)
    out = np.clip(x, x_min, x_max)
    return out if out.dtype == want else out.astype(want)


def _nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    _check_fill("nan", nan, False)
    _check_fill("posinf", posinf, True)
    _check_fill("neginf", neginf, True)
    if x.dtype.kind not in "fc":
        return np.copy(x)
    return np.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)


# ------------------------------------------------------------------- special functions

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# erf(x) / x as a polynomial in x**2, highest power first (for Horner's rule).
_ERF_TAYLOR = [
    _TWO_OVER_SQRT_PI * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(14)
][::-1]
_CR_STEP = 0.5
_CR_NODES2 = [(k * _CR_STEP) ** 2 for k in range(1, 15)]
_CR_WEIGHTS = [math.exp(-n2) for n2 in _CR_NODES2]
_CR_POLE_LIMIT = math.pi / _CR_STEP


def _erf_small(x):
    """erf for |x| < 0.5 (float64 array)."""
    y = x * x
    acc = np.full_like(x, _ERF_TAYLOR[0])
    for c in _ERF_TAYLOR[1:]:
        acc *= y
        acc += c
    acc *= x
    return acc


def _erfc_large(a):
    """erfc for a >= 0.5 (float64 array, +inf allowed)."""
    a = np.minimum(a, 30.0)  # erfc(30) is far below the smallest float64
    a2 = a * a
    s = 0.5 / a2
    tmp = np.empty_like(a2)
    for w, n2 in zip(_CR_WEIGHTS, _CR_NODES2):
        np.add(a2, n2, out=tmp)
        np.divide(w, tmp, out=tmp)
        s += tmp
    np.negative(a2, out=a2)
    np.exp(a2, out=a2)
    s *= a2
    s *= a
    s *= 2.0 * _CR_STEP / math.pi
    # The pole correction matters below pi / h only; clamping keeps exp finite above.
    np.minimum(a, _CR_POLE_LIMIT, out=tmp)
    tmp *= 2.0 * math.pi / _CR_STEP
    np.exp(tmp, out=tmp)
    np.subtract(1.0, tmp, out=tmp)
    np.divide(2.0, tmp, out=tmp)
    s += np.where(a < _CR_POLE_LIMIT, tmp, 0.0)
    return s


def _erf64(x):
    a = np.abs(x)
    small = a < 0.5
    if small.all():
        return _erf_small(x)
    out = np.copysign(1.0 - _erfc_large(np.maximum(a, 0.5)), x)
    if small.any():
        out[small] = _erf_small(x[small])
    return out


def _erfc64(x):
    a = np.abs(x)
    small = a < 0.5
    if small.all():
        return 1.0 - _erf_small(x)
    tail = _erfc_large(np.maximum(a, 0.5))
    out = np.where(x < 0, 2.0 - tail, tail)
    if small.any():
        out[small] = 1.0 - _erf_small(x[small])
    return out


_WINITZKI_A = 0.147  # Winitzki's approximation constant for the first guess


def _erfinv64(y):
    a = np.abs(y)
    out = np.full_like(y, np.nan)
    inside = a < 1.0
    ay = a[inside]
    w = np.log((1.0 - ay) * (1.0 + ay))
    t = 2.0 / (math.pi * _WINITZKI_A) + 0.5 * w
    x = np.sqrt(np.sqrt(t * t - w / _WINITZKI_A) - t)
    tail = ay > 0.5
    centre = ~tail
    f = np.empty_like(x)
    for _ in range(3):
        f[centre] = _erf64(x[centre]) - ay[centre]
        f[tail] = (1.0 - ay[tail]) - _erfc64(x[tail])
        step = f / (_TWO_OVER_SQRT_PI * np.exp(-x * x))
        x = x - step / (1.0 + x * step)  # Halley's update, since erf'' = -2 x erf'
    out[inside] = np.copysign(x, y[inside])
    edge = a == 1.0
    out[edge] = np.copysign(np.inf, y[edge])
    return out


def _via_float64(fn):
    """Run a float64 implementation on any float input and round back to its dtype."""

    def kernel(x):
        x = np.asarray(x)
        out = fn(np.array(x, dtype=np.float64, ndmin=1)).reshape(x.shape)
        return out.astype(x.dtype, copy=False)

    return kernel


def _i0_64(x):
    return np.i0(x)


def _ints_for_bools(fn):
    """Arithmetic on two bool tensors is done (and returned) in int32, as in Keras."""

    def kernel(x1, x2):
        if x1.dtype == np.bool_:
            x1 = x1.astype(np.int32)
            x2 = x2.astype(np.int32)
        return fn(x1, x2)

    return kernel


KERNELS = {
    "maximum": np.maximum,
    "minimum": np.minimum,
    "fmax": np.fmax,
    "fmin": np.fmin,
    "floor_divide": _ints_for_bools(_quiet(np.floor_divide)),
    "mod": _ints_for_bools(_quiet(np.mod)),
    "fmod": _ints_for_bools(_quiet(np.fmod)),
    "divide_no_nan": _divide_no_nan,
    "power": _ints_for_bools(np.power),
    "ldexp": _ldexp,
    "nextafter": np.nextafter,
    "heaviside": np.heaviside,
    "arctan2": np.arctan2,
    "hypot": np.hypot,
    "logaddexp": np.logaddexp,
    "logaddexp2": np.logaddexp2,
    "clip": _clip,
    "nan_to_num": _nan_to_num,
    "erf": _via_float64(_erf64),
    "erfc": _via_float64(_erfc64),
    "erfinv": _via_float64(_erfinv64),
    "i0": _via_float64(_i0_64),
}

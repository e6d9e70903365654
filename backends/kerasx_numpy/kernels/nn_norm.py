"""NumPy kernels: `polar` of the nn family (inputs arrive promoted to one float dtype)."""

from __future__ import annotations

import numpy as np


def polar(abs_, angle):
    real = abs_ * np.cos(angle)
    imag = abs_ * np.sin(angle)
    out = np.empty(real.shape, dtype=np.complex128 if real.dtype == np.float64 else np.complex64)
    out.real = real
    out.imag = imag
    return out


KERNELS = {
    "polar": polar,
}

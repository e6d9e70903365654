"""NumPy kernels: matrix and tensor products."""

from __future__ import annotations

import numpy as np

KERNELS = {
    "matmul": np.matmul,
}

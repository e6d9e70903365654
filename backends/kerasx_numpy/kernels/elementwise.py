"""NumPy kernels: element-wise ops (inputs arrive already promoted to one dtype)."""

from __future__ import annotations

import numpy as np

KERNELS = {
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "true_divide": np.true_divide,
    "divide": np.true_divide,
    "negative": np.negative,
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
}

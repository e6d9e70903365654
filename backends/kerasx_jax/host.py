"""Moving host (NumPy) data onto JAX devices."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np


def copy_to_device(arr: np.ndarray) -> Any:
    """A JAX array holding a copy of `arr`, compiling nothing. `jnp.asarray` and `jnp.array`
    compile an identity program for every new shape of a NumPy array (JAX 0.10: about 15 ms
    each). `jax.device_put` compiles nothing, but on the CPU it may share the buffer it is
    given (an aligned one, even with ``may_alias=False``), so it gets a private copy."""
    return jax.device_put(np.array(arr, copy=True))

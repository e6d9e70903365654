"""`set_random_seed`: one call to make a program's randomness reproducible."""

from __future__ import annotations

import random

import numpy as np

from kerasx import random as kx_random


def set_random_seed(seed: int) -> None:
    """Seed every source of randomness kerasx uses.

    Seeds Python's `random` module, NumPy's global generator (`numpy.random.seed`), and
    restarts kerasx's global seed generator (the one behind ``seed=None`` in
    `kerasx.random`), which is re-created from Python's `random` on its next use. Generators
    created afterwards without an explicit seed (layers' `SeedGenerator`s) also draw their
    seeds from Python's `random`, so a program that calls `set_random_seed` first gives the
    same numbers on every run.

    Args:
        seed: an integer in ``[0, 2**32)``. NumPy integers are accepted too.
    """
    if isinstance(seed, np.integer):
        seed = int(seed)
    if not isinstance(seed, int):
        raise ValueError(
            "Expected `seed` argument to be an integer. "
            f"Received: seed={seed} (of type {type(seed)})"
        )
    if not 0 <= seed < 2**32:
        raise ValueError(
            "Received an invalid value for `seed`, expected an integer between 0 and "
            f"2**32 - 1. Received: seed={seed}"
        )
    random.seed(seed)
    np.random.seed(seed)
    kx_random._reset_global_seed_generator()

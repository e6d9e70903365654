"""Checks for the NumPy engine's trace-and-replay `jit` (see `kerasx_numpy.replay`): which
donated inputs a trace may update in place, and whether two calls agree (two recordings, or
two sets of outputs)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

_ARRAY_TYPES = (np.ndarray, np.generic)


def _check_values() -> bool:
    """Whether the second call of a signature verifies the replay by values.

    By default the second call is traced again and compared with the first trace (see
    `_retrace`): it holds no more memory than the step itself. With the environment variable
    ``KERASX_NUMPY_REPLAY_CHECK=values`` it runs `fn` eagerly and the replay on the same
    inputs and compares every output bit for bit (one more copy of the outputs in memory):
    a check of the code generation itself, for debugging and tests."""
    return os.environ.get("KERASX_NUMPY_REPLAY_CHECK", "").strip().lower() == "values"


class _Recording:
    """What a trace recorded, for comparing two traces of one signature: its kernel calls,
    constants, outputs (``("s", slot)`` or ``("v", value)``) and the output's structure."""

    __slots__ = ("program", "consts", "outputs", "structure")

    def __init__(self, program: list, consts: list, outputs: list, structure: Any) -> None:
        self.program = program
        self.consts = consts
        self.outputs = outputs
        self.structure = structure

    def same_as(self, other: _Recording) -> bool:
        try:
            return (
                self.program == other.program
                and self.structure == other.structure
                and len(self.consts) == len(other.consts)
                and all(_same_const(a, b) for a, b in zip(self.consts, other.consts))
                and len(self.outputs) == len(other.outputs)
                and all(
                    a[0] == b[0] and _same_const(a[1], b[1])
                    for a, b in zip(self.outputs, other.outputs)
                )
            )
        except Exception:  # a constant that cannot be compared: not known to be the same
            return False


def _same_const(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, _ARRAY_TYPES) or isinstance(b, _ARRAY_TYPES):
        return type(a) is type(b) and _same(a, b)
    if isinstance(a, (list, tuple)):
        return (
            type(a) is type(b) and len(a) == len(b) and all(_same_const(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(_same_const(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b or (a != a and b != b))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, _ARRAY_TYPES) or isinstance(b, _ARRAY_TYPES):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    return type(a) is type(b) and (a == b or (a != a and b != b))


def _own_disjoint(arrays: list) -> set:
    """Indices of the arrays that are writable ndarrays sharing memory with no other."""
    spans = []
    for i, a in enumerate(arrays):
        if type(a) is np.ndarray and a.nbytes:
            lo, hi = _byte_bounds(a)
            spans.append((lo, hi, i))
    spans.sort()
    shared: set = set()
    active: list = []  # (end, index) of the spans still open
    for lo, hi, i in spans:
        active = [(end, j) for end, j in active if end > lo]
        if active:
            shared.add(i)
            shared.update(j for _, j in active)
        active.append((hi, i))
    return {i for _, _, i in spans if i not in shared and arrays[i].flags.writeable}


def _byte_bounds(a: np.ndarray) -> tuple:
    utils = getattr(np.lib, "array_utils", None)  # NumPy >= 2
    return utils.byte_bounds(a) if utils is not None else np.byte_bounds(a)

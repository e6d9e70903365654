"""Helpers shared by the op declarations: lazy op access, `unbroadcast`, sample makers.

Gradient rules refer to other ops through `K` (``K.multiply(g, x2)``): the lookup happens
when the rule runs, so op families can use each other without import cycles.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine.registry import REGISTRY, Sample


class _LazyOps:
    """Attribute access to registered ops: ``K.add`` is the public ``add`` function."""

    def __getattr__(self, name: str) -> Any:
        try:
            return REGISTRY[name].fn
        except KeyError:
            raise AttributeError(f"no op named {name!r} is registered") from None


K = _LazyOps()


def shape_of(x: Any) -> tuple:
    """Static shape of a tensor, array or Python scalar."""
    s = getattr(x, "shape", None)
    if s is not None:
        return tuple(s)
    return tuple(np.shape(x))


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum the cotangent `g` down to the shape of `x` (undoing NumPy broadcasting)."""
    target = shape_of(x)
    gshape = shape_of(g)
    if gshape == target:
        return g
    lead = len(gshape) - len(target)
    axes = list(range(lead))
    for i, d in enumerate(target):
        if d == 1 and gshape[lead + i] != 1:
            axes.append(lead + i)
    if lead > 0 and len(axes) == lead and gshape[lead:] == target:
        return K.sum(g, axis=tuple(axes))  # only leading axes: already `x`'s shape (one op)
    if axes:
        g = K.sum(g, axis=tuple(axes), keepdims=True)
    return K.reshape(g, target)


def zero_rule(g: Any, ans: Any, *slots: Any) -> Any:
    """A gradient rule for an argument the output does not depend on smoothly (zeros)."""
    return None


# ------------------------------------------------------------------ sample construction


def randn(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Standard normal float64 array."""
    return rng.standard_normal(shape)


def rand_pos(
    rng: np.random.Generator, *shape: int, low: float = 0.5, high: float = 2.0
) -> np.ndarray:
    """Uniform positive float64 array, away from zero."""
    return rng.uniform(low, high, size=shape)


def rand_unit(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Uniform float64 array in (-0.9, 0.9)."""
    return rng.uniform(-0.9, 0.9, size=shape)


def rand_int(rng: np.random.Generator, *shape: int, low: int = 0, high: int = 10) -> np.ndarray:
    """int32 array."""
    return rng.integers(low, high, size=shape).astype(np.int32)


def rand_bool(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """bool array."""
    return rng.random(shape) > 0.5


__all__ = [
    "K",
    "Sample",
    "rand_bool",
    "rand_int",
    "rand_pos",
    "rand_unit",
    "randn",
    "shape_of",
    "unbroadcast",
    "zero_rule",
]

"""Reordering elements: flips, quarter-turn rotations and cyclic rolls.

Re-exported by `kerasx.ops.manipulation` (importing that family registers these ops too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, randn, shape_of
from kerasx.ops._manipulation_common import _ax, _ints


def _flip_shape(x: tuple, axis: Any = None) -> tuple:
    if axis is not None:
        for a in _ints(axis):
            _ax(a, len(x))
    return tuple(x)


@defop(
    shape=_flip_shape,
    vjp={"x": lambda g, ans, x, axis=None: K.flip(g, axis=axis)},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 2, 3, 2),), {"axis": -1}),
        Sample((randn(rng, 2, 3, 2),), {"axis": (0, 2)}),
    ],
)
def flip(x: Any, axis: Any = None) -> Any:
    """Reverse the order of elements along the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).

    Returns:
        The flipped tensor.
    """


@defop(
    composite=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 2, 3, 2),))],
)
def fliplr(x: Any) -> Any:
    """Reverse the order of elements along axis 1 (left/right).

    Args:
        x: input tensor (at least 2-D).

    Returns:
        The flipped tensor.
    """
    if len(shape_of(x)) < 2:
        raise ValueError(
            f"Received an invalid value for `x`, expected a tensor of rank >= 2. "
            f"Received: x.shape={shape_of(x)}"
        )
    return K.flip(x, axis=1)


@defop(composite=True, samples=lambda rng: [Sample((randn(rng, 2, 3),)), Sample((randn(rng, 4),))])
def flipud(x: Any) -> Any:
    """Reverse the order of elements along axis 0 (up/down).

    Args:
        x: input tensor (at least 1-D).

    Returns:
        The flipped tensor.
    """
    if len(shape_of(x)) < 1:
        raise ValueError(
            "Received an invalid value for `x`, expected a tensor of rank >= 1. Received a scalar."
        )
    return K.flip(x, axis=0)


@defop(
    tensors=("array",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 2, 3),), {"k": 2}),
        Sample((randn(rng, 2, 3),), {"k": -1}),
        Sample((randn(rng, 2, 3, 2),), {"k": 1, "axes": (1, 2)}),
    ],
)
def rot90(array: Any, k: int = 1, axes: tuple = (0, 1)) -> Any:
    """Rotate a tensor by 90 degrees `k` times in the plane of two axes.

    The rotation goes from the first axis towards the second.

    Args:
        array: input tensor (at least 2-D).
        k: number of quarter turns (negative turns the other way).
        axes: the two axes defining the plane of rotation.

    Returns:
        The rotated tensor.
    """
    nd = len(shape_of(array))
    if nd < 2:
        raise ValueError(
            f"Received an invalid value for `array`, expected a tensor of rank >= 2. "
            f"Received: array.shape={shape_of(array)}"
        )
    ax = _ints(axes)
    if len(ax) != 2:
        raise ValueError(
            f"Received an invalid value for `axes`, expected two axes. Received: axes={axes}"
        )
    a0, a1 = _ax(ax[0], nd, "axes"), _ax(ax[1], nd, "axes")
    if a0 == a1:
        raise ValueError(
            f"Received an invalid value for `axes`, expected two different axes. Received: axes={axes}"
        )
    k = int(k) % 4
    if k == 0:
        return K.reshape(array, shape_of(array))
    if k == 2:
        return K.flip(array, axis=(a0, a1))
    perm = list(range(nd))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return K.transpose(K.flip(array, axis=a1), perm)
    return K.flip(K.transpose(array, perm), axis=a1)


def _neg_shift(shift: Any) -> Any:
    return -int(shift) if isinstance(shift, (int, np.integer)) else tuple(-s for s in _ints(shift))


@defop(
    shape=lambda x, shift, axis=None: tuple(x),
    vjp={"x": lambda g, ans, x, shift, axis=None: K.roll(g, _neg_shift(shift), axis=axis)},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), 2)),
        Sample((randn(rng, 2, 3), -1), {"axis": 1}),
        Sample((randn(rng, 2, 3), (1, 2)), {"axis": (0, 1)}),
    ],
)
def roll(x: Any, shift: Any, axis: Any = None) -> Any:
    """Shift elements of a tensor cyclically along the given axes.

    Args:
        x: input tensor.
        shift: an int or a tuple of ints: the number of places to shift.
        axis: an int, a tuple of ints, or None (the flattened tensor is shifted).

    Returns:
        The rolled tensor.
    """


__all__ = [
    "flip",
    "fliplr",
    "flipud",
    "roll",
    "rot90",
]

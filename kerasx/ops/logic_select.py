"""Choosing elements by condition (`where`, `select`) and bucketing (`digitize`,
`searchsorted`).

`where` is differentiable with respect to `x1` and `x2`, and `select` (a composite of `where`)
with respect to the choices and the default; the bucketing ops return int32 indices and are
declared ``nondiff=True``. Re-exported by `kerasx.ops.logic` (importing that family registers
these ops too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_shapes
from kerasx.ops._helpers import K, Sample, rand_bool, rand_int, randn, unbroadcast, zero_rule

# ------------------------------------------------------------------------ where/select


def _check_where_pair(x1: Any, x2: Any) -> None:
    if (x1 is None) != (x2 is None):
        raise ValueError(
            "Received an invalid combination for `x1` and `x2`: pass both (to pick elements "
            "from them) or neither (to get the indices where `condition` is true). "
            f"Received: x1={'None' if x1 is None else 'a tensor'}, "
            f"x2={'None' if x2 is None else 'a tensor'}"
        )


def _where_shape(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    _check_where_pair(x1, x2)
    if x1 is None:
        return [(None,) for _ in condition]
    return broadcast_shapes(condition, x1, x2)


def _where_dtype(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    _check_where_pair(x1, x2)
    if x1 is None:
        return "int32"
    return _dt.result_type(x1, x2)


def _where_samples(rng: Any) -> list:
    return [
        Sample((rand_bool(rng, 2, 3), randn(rng, 2, 3), randn(rng, 2, 3))),
        Sample((rand_bool(rng, 3), randn(rng, 2, 1), 0.5)),
        Sample((rand_bool(rng, 2, 1), -1.0, randn(rng, 3))),
        Sample((rand_int(rng, 2, 3, low=0, high=3), rand_int(rng, 2, 3), 7), grad=False),
        # Keras's NumPy backend returns int64 indices here (its JAX backend int32, as we do).
        Sample((rand_bool(rng, 2, 3),), keras=False),
    ]


@defop(
    tensors=("condition", "x1", "x2"),
    promote=("x1", "x2"),
    shape=_where_shape,
    dtype=_where_dtype,
    vjp={
        "condition": zero_rule,
        "x1": lambda g, ans, condition, x1, x2: unbroadcast(K.where(condition, g, 0), x1),
        "x2": lambda g, ans, condition, x1, x2: unbroadcast(K.where(condition, 0, g), x2),
    },
    samples=_where_samples,
)
def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """Pick elements from `x1` where `condition` is true and from `x2` elsewhere.

    With only `condition` given, return the indices of its non-zero elements instead
    (one int32 index tensor per dimension, like `numpy.nonzero`).

    Args:
        condition: a tensor; non-zero / true elements select `x1`.
        x1: values taken where `condition` is true.
        x2: values taken where `condition` is false.

    Returns:
        A tensor of the broadcast shape and the promoted dtype of `x1` and `x2`, or, with
        only `condition`, a tuple of int32 index tensors.
    """


def _select_samples(rng: Any) -> list:
    c1 = rand_bool(rng, 2, 3)
    c2 = rand_bool(rng, 2, 3)
    return [
        Sample(([c1, c2], [randn(rng, 2, 3), randn(rng, 2, 3)])),
        Sample(([c1, rand_bool(rng, 3)], [randn(rng, 2, 1), randn(rng, 3)], randn(rng, 3))),
        Sample(([c1], [rand_int(rng, 2, 3)], 5)),
        Sample(((c2, c1), (randn(rng, 2, 3), randn(rng, 1, 3)), -2.0)),
    ]


@defop(
    tensors=("default",),
    seq=("condlist", "choicelist"),
    composite=True,
    samples=_select_samples,
)
def select(condlist: Any, choicelist: Any, default: Any = 0) -> Any:
    """Build a tensor from several choices, each picked where its condition holds.

    Where more than one condition is true the first one wins; where none is, `default`.

    Args:
        condlist: a list of tensors (bool, or non-zero means true).
        choicelist: a list of tensors, as long as `condlist`.
        default: the value used where no condition holds.

    Returns:
        A tensor of the broadcast shape of all inputs and the promoted dtype of the choices
        and `default`.
    """
    if not isinstance(condlist, (list, tuple)):
        condlist = list(condlist)
    if not isinstance(choicelist, (list, tuple)):
        choicelist = list(choicelist)
    if not condlist or not choicelist:
        raise ValueError(
            "Received an invalid value for `condlist`/`choicelist`, expected non-empty lists. "
            f"Received: len(condlist)={len(condlist)}, len(choicelist)={len(choicelist)}"
        )
    if len(condlist) != len(choicelist):
        raise ValueError(
            "Received an invalid value for `choicelist`, expected as many choices as "
            f"conditions in `condlist` ({len(condlist)}). "
            f"Received: len(choicelist)={len(choicelist)}"
        )
    result = default
    for cond, choice in zip(reversed(condlist), reversed(choicelist)):
        result = K.where(cond, choice, result)
    return result


# ----------------------------------------------------------------------- bucketization


def _digitize_shape(x: tuple, bins: tuple) -> tuple:
    if len(bins) != 1:
        raise ValueError(
            "Received an invalid value for `bins`, expected a 1-D tensor. "
            f"Received: bins.shape={tuple(bins)}"
        )
    return tuple(x)


def _digitize_samples(rng: Any) -> list:
    x = np.round(randn(rng, 2, 4), 1)
    x[0, :2] = [0.0, 0.5]
    return [
        Sample((x, np.array([-1.0, 0.0, 0.5, 1.0]))),
        Sample((x, np.array([1.0, 0.5, 0.0]))),
        Sample((rand_int(rng, 5, low=0, high=10), np.array([2, 5, 5, 8], np.int32))),
        Sample((np.array(0.25), np.array([0.0, 0.5]))),
    ]


@defop(
    tensors=("x", "bins"),
    promote=("x", "bins"),
    shape=_digitize_shape,
    dtype="int32",
    nondiff=True,
    samples=_digitize_samples,
)
def digitize(x: Any, bins: Any) -> Any:
    """Index of the bin each element of `x` falls into.

    For increasing `bins`, the result `i` satisfies ``bins[i-1] <= x < bins[i]``; for
    decreasing bins, ``bins[i-1] > x >= bins[i]``. Values below / above every edge give 0 /
    ``len(bins)``.

    Args:
        x: input tensor.
        bins: a 1-D monotonic tensor of bin edges.

    Returns:
        An int32 tensor with the shape of `x`.
    """


def _check_side(side: Any) -> None:
    if side not in ("left", "right"):
        raise ValueError(
            f"Received an invalid value for `side`, expected 'left' or 'right'. Received: side={side!r}"
        )


def _searchsorted_shape(sorted_sequence: tuple, values: tuple, side: Any = "left") -> tuple:
    if len(sorted_sequence) != 1:
        raise ValueError(
            "Received an invalid value for `sorted_sequence`, expected a 1-D tensor. "
            f"Received: sorted_sequence.shape={tuple(sorted_sequence)}"
        )
    _check_side(side)
    return tuple(values)


def _searchsorted_samples(rng: Any) -> list:
    seq = np.array([-1.0, 0.0, 0.0, 0.5, 2.0])
    values = np.array([[-2.0, 0.0, 0.25], [0.5, 2.0, 3.0]])
    return [
        Sample((seq, values)),
        Sample((seq, values), {"side": "right"}),
        Sample((np.array([1, 3, 5, 7], np.int32), rand_int(rng, 6))),
        Sample((seq, 0.5)),
    ]


@defop(
    tensors=("sorted_sequence", "values"),
    promote=("sorted_sequence", "values"),
    shape=_searchsorted_shape,
    dtype="int32",
    nondiff=True,
    samples=_searchsorted_samples,
)
def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> Any:
    """Indices where `values` would be inserted into `sorted_sequence` to keep it sorted.

    Args:
        sorted_sequence: a 1-D tensor sorted in increasing order.
        values: the values to place (any shape).
        side: "left" gives the first suitable index, "right" the last one.

    Returns:
        An int32 tensor with the shape of `values`.
    """


__all__ = [
    "digitize",
    "searchsorted",
    "select",
    "where",
]

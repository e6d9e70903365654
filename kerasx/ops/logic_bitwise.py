"""Bitwise ops on integer and bool tensors, and the integer gcd/lcm.

All are piecewise constant, so they are declared ``nondiff=True``. Re-exported by
`kerasx.ops.logic` (importing that family registers these ops too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_rule, same_shape_rule
from kerasx.ops._helpers import Sample, rand_bool, rand_int
from kerasx.ops._logic_common import _binary_doc, _stub_x, _stub_x1x2, _stub_xy, _unary_doc

# ---------------------------------------------------------------------------- samples


def _int_pair_samples(rng: Any) -> list:
    return [
        Sample((rand_int(rng, 2, 3, low=-20, high=20), rand_int(rng, 2, 3, low=-20, high=20))),
        Sample((rand_int(rng, 2, 3, low=0, high=50), rand_int(rng, 3, low=0, high=50))),
        Sample((rand_bool(rng, 2, 3), rand_bool(rng, 2, 3))),
        Sample(
            (
                rand_int(rng, 4, low=0, high=255).astype(np.uint8),
                rand_int(rng, 4, low=0, high=255).astype(np.uint8),
            )
        ),
    ]


def _shift_samples(rng: Any) -> list:
    return [
        Sample((rand_int(rng, 2, 3, low=-50, high=50), rand_int(rng, 2, 3, low=0, high=8))),
        Sample((rand_int(rng, 2, 3, low=0, high=1000), rand_int(rng, 3, low=0, high=5))),
        Sample((rand_int(rng, 4, low=0, high=255).astype(np.uint8), np.array(3, np.uint8))),
        Sample((rand_int(rng, 3, low=-9, high=9).astype(np.int8), 2)),
    ]


def _gcd_samples(rng: Any) -> list:
    return [
        Sample((np.array([-12, 0, 7, 9, 0], np.int32), np.array([18, 0, -21, 6, 5], np.int32))),
        Sample((rand_int(rng, 2, 3, low=-30, high=30), rand_int(rng, 3, low=1, high=30))),
        Sample((rand_int(rng, 4, low=0, high=15).astype(np.uint8), np.array(6, np.uint8))),
    ]


# ---------------------------------------------------------------------------- bitwise


def _require_int_or_bool(dtype: str, arg: str, op: str, kinds: str = "integer or bool") -> None:
    if dtype != "bool" and not _dt.is_int_dtype(dtype):
        raise TypeError(
            f"`{op}` works on {kinds} tensors. Received an invalid dtype for "
            f"`{arg}`: {arg}.dtype={dtype}. Cast it first, e.g. with ops.cast(x, 'int32')."
        )


def _bitwise_dtype(
    op: str, names: tuple = ("x", "y"), *, bool_to_int: bool = False, allow_bool: bool = True
) -> Any:
    def rule(*dtypes: Any) -> str:
        for d, n in zip(dtypes, names):
            kinds = "integer or bool" if allow_bool else "integer"
            if isinstance(d, str):
                _require_int_or_bool(d, n, op, kinds)
            elif isinstance(d, float):
                _require_int_or_bool("float32", n, op, kinds)
        out = _dt.result_type(*dtypes)
        if out == "bool":
            if not allow_bool:
                raise TypeError(
                    f"`{op}` is not defined for bool inputs. Cast them first, e.g. with "
                    "ops.cast(x, 'int32')."
                )
            if bool_to_int:
                out = "int32"
        return out

    return rule


def _declare_bitwise(name: str, summary: str, bool_to_int: bool = False) -> Callable[..., Any]:
    doc = _binary_doc(
        summary,
        "x",
        "y",
        "A tensor of the promoted integer (or bool) dtype and the broadcast shape.",
    )
    return defop(
        tensors=("x", "y"),
        promote=("x", "y"),
        shape=broadcast_rule,
        dtype=_bitwise_dtype(name, bool_to_int=bool_to_int),
        nondiff=True,
        samples=_shift_samples if bool_to_int else _int_pair_samples,
    )(_stub_xy(name, doc, __name__))


bitwise_and = _declare_bitwise("bitwise_and", "Element-wise bitwise AND of integer/bool tensors.")
bitwise_or = _declare_bitwise("bitwise_or", "Element-wise bitwise OR of integer/bool tensors.")
bitwise_xor = _declare_bitwise("bitwise_xor", "Element-wise bitwise XOR of integer/bool tensors.")

_LSHIFT = "Shift the bits of `x` to the left by `y` (bool inputs are treated as int32)."
_RSHIFT = (
    "Shift the bits of `x` to the right by `y` (arithmetic shift for signed integers; "
    "bool inputs are treated as int32)."
)
bitwise_left_shift = _declare_bitwise("bitwise_left_shift", _LSHIFT, bool_to_int=True)
left_shift = _declare_bitwise("left_shift", _LSHIFT + " Same as `bitwise_left_shift`.", True)
bitwise_right_shift = _declare_bitwise("bitwise_right_shift", _RSHIFT, bool_to_int=True)
right_shift = _declare_bitwise("right_shift", _RSHIFT + " Same as `bitwise_right_shift`.", True)


def _invert_dtype(x: Any) -> str:
    d = _dt.result_type(x)
    if isinstance(x, float):
        d = "float32"
    _require_int_or_bool(d, "x", "bitwise_invert")
    return d


def _invert_samples(rng: Any) -> list:
    return [
        Sample((rand_int(rng, 2, 3, low=-20, high=20),)),
        Sample((rand_bool(rng, 4),)),
        Sample((np.array([0, 1, 127, 255], np.uint8),)),
    ]


def _declare_invert(name: str, extra: str) -> Callable[..., Any]:
    doc = _unary_doc(
        "Element-wise bitwise NOT (two's complement for signed integers; logical NOT for "
        "bool)." + extra,
        "A tensor with the dtype and shape of `x`.",
    )
    return defop(shape=same_shape_rule, dtype=_invert_dtype, nondiff=True, samples=_invert_samples)(
        _stub_x(name, doc, __name__)
    )


bitwise_invert = _declare_invert("bitwise_invert", "")
bitwise_not = _declare_invert("bitwise_not", " Same as `bitwise_invert`.")


def _declare_int_binary(name: str, summary: str) -> Callable[..., Any]:
    doc = _binary_doc(
        summary, "x1", "x2", "A tensor of the promoted integer dtype and the broadcast shape."
    )
    return defop(
        tensors=("x1", "x2"),
        promote=("x1", "x2"),
        shape=broadcast_rule,
        dtype=_bitwise_dtype(name, ("x1", "x2"), allow_bool=False),
        nondiff=True,
        samples=_gcd_samples,
    )(_stub_x1x2(name, doc, __name__))


gcd = _declare_int_binary(
    "gcd",
    "Element-wise greatest common divisor of integer tensors (non-negative; gcd(0, 0) = 0).",
)
lcm = _declare_int_binary(
    "lcm",
    "Element-wise least common multiple of integer tensors (non-negative; zero when either "
    "input is zero).",
)


__all__ = [
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "gcd",
    "lcm",
    "left_shift",
    "right_shift",
]

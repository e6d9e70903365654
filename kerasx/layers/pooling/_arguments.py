"""Argument checks shared by the pooling, reshaping and regularization layers.

Every check raises ``ValueError`` naming the argument, what it expected and what it got.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import config


def is_int(value: Any) -> bool:
    """True for Python and NumPy integers (not booleans)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value: Any) -> bool:
    """True for Python and NumPy ints and floats (not booleans)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def int_tuple(value: Any, n: int, name: str, minimum: int = 1) -> tuple[int, ...]:
    """`value` (an int, or a list/tuple of `n` ints), each at least `minimum`, as `n` ints.

    Args:
        value: the user's argument.
        n: how many ints are expected.
        name: the argument's name (for the error message).
        minimum: the smallest allowed entry.

    Returns:
        A tuple of `n` Python ints.
    """
    if is_int(value):
        values: tuple = (int(value),) * n
    elif isinstance(value, (list, tuple)) and all(is_int(v) for v in value):
        values = tuple(int(v) for v in value)
    else:
        values = ()
    if len(values) != n or any(v < minimum for v in values):
        bound = "positive" if minimum == 1 else f">= {minimum}"
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int or a tuple of {n} ints, "
            f"each {bound}. Received: {name}={value!r}"
        )
    return values


def pair_tuple(value: Any, n: int, name: str) -> tuple[tuple[int, int], ...]:
    """`n` (before, after) pairs of non-negative ints, from an int, `n` ints or `n` pairs.

    Args:
        value: an int (the same amount on every side), a tuple of `n` ints (symmetric per
            dimension) or a tuple of `n` pairs (each an int or a ``(before, after)`` tuple).
        n: the number of spatial dimensions.
        name: the argument's name (for the error message).

    Returns:
        A tuple of `n` ``(before, after)`` tuples.
    """
    message = (
        f"Received an invalid value for `{name}`, expected a non-negative int, a tuple of {n} "
        f"non-negative ints, or a tuple of {n} (before, after) tuples of non-negative ints. "
        f"Received: {name}={value!r}"
    )
    if is_int(value):
        pairs = [(int(value), int(value))] * n
    elif isinstance(value, (list, tuple)) and len(value) == n:
        pairs = []
        for item in value:
            if is_int(item):
                pairs.append((int(item), int(item)))
            elif (
                isinstance(item, (list, tuple)) and len(item) == 2 and all(is_int(v) for v in item)
            ):
                pairs.append((int(item[0]), int(item[1])))
            else:
                raise ValueError(message)
    else:
        raise ValueError(message)
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError(message)
    return tuple(pairs)


def data_format(value: Any) -> str:
    """``"channels_last"`` or ``"channels_first"`` (None: the configured default)."""
    if value is None:
        return config.image_data_format()
    fmt = value.lower() if isinstance(value, str) else None
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            "Received an invalid value for `data_format`, expected 'channels_last' or "
            f"'channels_first'. Received: data_format={value!r}"
        )
    return fmt


def padding(value: Any) -> str:
    """Check a ``"valid"`` / ``"same"`` padding (any case) and return it lower-cased."""
    mode = value.lower() if isinstance(value, str) else None
    if mode not in ("valid", "same"):
        raise ValueError(
            "Received an invalid value for `padding`, expected 'valid' or 'same'. "
            f"Received: padding={value!r}"
        )
    return mode


def rate(value: Any, name: str = "rate") -> None:
    """Check a probability-like float in [0, 1]."""
    if not is_number(value) or not 0 <= value <= 1:
        raise ValueError(
            f"Invalid value received for argument `{name}`. Expected a float value between 0 "
            f"and 1. Received: {name}={value!r}"
        )


def seed(value: Any) -> None:
    """Check a seed: None or a non-negative int below 2**32."""
    if value is not None and (not is_int(value) or not 0 <= value < 2**32):
        raise ValueError(
            "Received an invalid value for `seed`, expected None or an int in [0, 2**32). "
            f"Received: seed={value!r}"
        )

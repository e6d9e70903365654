"""Minimal nested-structure utilities (lists, tuples, namedtuples, dicts).

Dicts are traversed in sorted-key order, as Keras 3 does; ``None`` is a leaf.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def is_nested(structure: Any) -> bool:
    """True for lists, tuples and dicts."""
    return isinstance(structure, (list, tuple, dict))


def _children(x: Any) -> list:
    if isinstance(x, dict):
        return [x[k] for k in sorted(x, key=_sort_key)]
    return list(x)


def _sort_key(k: Any) -> Any:
    return (str(type(k)), k) if not isinstance(k, str) else ("", k)


def flatten(structure: Any) -> list:
    """Leaves of `structure`, depth first."""
    out: list = []

    def visit(x: Any) -> None:
        if is_nested(x):
            for c in _children(x):
                visit(c)
        else:
            out.append(x)

    visit(structure)
    return out


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """Rebuild `structure` with leaves taken in order from `flat_sequence`."""
    it = iter(flat_sequence)

    def build(x: Any) -> Any:
        if isinstance(x, dict):
            vals = {k: build(x[k]) for k in sorted(x, key=_sort_key)}
            return (
                type(x)((k, vals[k]) for k in x) if type(x) is not dict else {k: vals[k] for k in x}
            )
        if _is_namedtuple(x):
            return type(x)(*[build(c) for c in x])
        if isinstance(x, (list, tuple)):
            return type(x)(build(c) for c in x)
        return next(it)

    result = build(structure)
    rest = list(it)
    if rest:
        raise ValueError(
            f"pack_sequence_as received {len(rest)} more leaves than the structure holds."
        )
    return result


def map_structure(func: Callable[..., Any], *structures: Any) -> Any:
    """Apply `func` leaf-wise over structures of the same shape."""
    if not structures:
        raise ValueError("map_structure needs at least one structure.")
    flats = [flatten(s) for s in structures]
    n = len(flats[0])
    for f in flats[1:]:
        if len(f) != n:
            raise ValueError("map_structure: the structures do not have the same number of leaves.")
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)])

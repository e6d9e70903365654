"""Nested-structure utilities: lists, tuples, namedtuples, deques and dicts.

Dicts are traversed in sorted-key order, as Keras 3 does, except `OrderedDict`s, which keep
their insertion order (as in Keras and JAX); ``None`` is a leaf.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable
from typing import Any

_NESTED = (list, tuple, dict, deque)


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def is_nested(structure: Any) -> bool:
    """True for lists, tuples (namedtuples included), deques and dicts."""
    return isinstance(structure, _NESTED)


def _dict_keys(x: dict) -> list:
    """A dict's keys in traversal order: sorted, or as inserted for an `OrderedDict`."""
    return list(x) if isinstance(x, OrderedDict) else sorted(x, key=_sort_key)


def _children(x: Any) -> list:
    if isinstance(x, dict):
        return [x[k] for k in _dict_keys(x)]
    return list(x)


def _sort_key(k: Any) -> Any:
    return (str(type(k)), k) if not isinstance(k, str) else ("", k)


def flatten(structure: Any) -> list:
    """Leaves of `structure`, depth first."""
    out: list = []
    _flatten_into(structure, out)
    return out


# The recursive helpers below are module functions, not closures: a closure that calls itself
# is a reference cycle, which would keep its leaves (often large arrays) alive until the
# garbage collector's next pass instead of freeing them when the call returns.


def _flatten_into(x: Any, out: list) -> None:
    if is_nested(x):
        for c in _children(x):
            _flatten_into(c, out)
    else:
        out.append(x)


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """Rebuild `structure` with leaves taken in order from `flat_sequence`."""
    it = iter(flat_sequence)
    result = _build(structure, it)
    rest = list(it)
    if rest:
        raise ValueError(
            f"pack_sequence_as received {len(rest)} more leaves than the structure holds."
        )
    return result


def _build(x: Any, it: Any) -> Any:
    if isinstance(x, dict):
        vals = {k: _build(x[k], it) for k in _dict_keys(x)}
        if type(x) is dict:
            return {k: vals[k] for k in x}
        return _rebuild_dict(x, [(k, vals[k]) for k in x])
    if _is_namedtuple(x):
        return type(x)(*[_build(c, it) for c in x])
    if isinstance(x, (list, tuple)):
        return type(x)(_build(c, it) for c in x)
    if isinstance(x, deque):
        return type(x)((_build(c, it) for c in x), maxlen=x.maxlen)
    return next(it)


def _rebuild_dict(x: dict, items: list) -> dict:
    """A dict of `x`'s type holding `items` (a defaultdict keeps its default factory)."""
    if isinstance(x, defaultdict):
        return type(x)(x.default_factory, items)
    return type(x)(items)


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

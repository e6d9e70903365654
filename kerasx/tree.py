"""Nested-structure utilities (``keras.tree``): lists, tuples, namedtuples, deques and dicts.

Dicts are traversed in sorted-key order, as Keras 3 does, `OrderedDict`s in insertion order;
``None`` is a leaf unless a function says otherwise (``none_is_leaf``). Structures compare as
Keras compares them: a list and a tuple differ, two namedtuple types differ, while `dict`,
`OrderedDict` and `defaultdict` with the same keys match.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from kerasx.engine.tree import _children, _dict_keys, _is_namedtuple, _rebuild_dict
from kerasx.engine.tree import flatten as flatten
from kerasx.engine.tree import is_nested as is_nested
from kerasx.engine.tree import pack_sequence_as as pack_sequence_as

__all__ = [
    "MAP_TO_NONE",
    "assert_same_paths",
    "assert_same_structure",
    "flatten",
    "flatten_with_path",
    "is_nested",
    "lists_to_tuples",
    "map_shape_structure",
    "map_structure",
    "map_structure_up_to",
    "pack_sequence_as",
    "traverse",
]


class MAP_TO_NONE:  # noqa: N801 - Keras's public name
    """Return this class from a `traverse` function to put ``None`` in a node's place
    (returning ``None`` itself means "leave this node as it is")."""


# ----------------------------------------------------------------------------- helpers


def _rebuild(x: Any, children: list) -> Any:
    """A node of `x`'s type holding `children` (given in traversal order)."""
    if isinstance(x, dict):
        by_key = dict(zip(_dict_keys(x), children))
        items = [(k, by_key[k]) for k in x]
        return dict(items) if type(x) is dict else _rebuild_dict(x, items)
    if _is_namedtuple(x):
        return type(x)(*children)
    if isinstance(x, deque):
        return type(x)(children, maxlen=x.maxlen)
    return type(x)(children)


def _columns(first: Any, xs: tuple) -> list[tuple]:
    """The children of the nodes `xs` (nested like `first`), grouped per child of `first` in
    its traversal order; dict children are matched by key."""
    if isinstance(first, dict):
        return [tuple(x[k] for x in xs) for k in _dict_keys(first)]
    return list(zip(*xs))


def _kind(x: Any) -> str:
    if isinstance(x, dict):
        return "dict, collections.OrderedDict, or collections.defaultdict"
    if _is_namedtuple(x):
        return f"namedtuple {type(x).__qualname__}"
    if isinstance(x, deque):
        return "collections.deque"
    return type(x).__name__ if type(x) in (list, tuple) else type(x).__qualname__


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict)
    if _is_namedtuple(a) or _is_namedtuple(b):
        return type(a) is type(b)
    for kind in (list, tuple, deque):
        if isinstance(a, kind):
            return isinstance(b, kind)
    return type(a) is type(b)


def _paired_children(a: Any, b: Any, where: str) -> list[tuple[Any, Any]]:
    """`a`'s and `b`'s children, paired, once their node kinds are known to match."""
    if isinstance(a, dict):
        if set(a) != set(b):
            missing = sorted(set(a) - set(b), key=repr)
            extra = sorted(set(b) - set(a), key=repr)
            raise ValueError(
                f"The structures differ{where}: a dict with keys {sorted(a, key=repr)} was "
                f"expected, received keys {sorted(b, key=repr)} (missing: {missing}, "
                f"unexpected: {extra}). Give both structures the same keys."
            )
        return [(a[k], b[k]) for k in _dict_keys(a)]
    if len(a) != len(b):
        raise ValueError(
            f"The structures differ{where}: a {_kind(a)} of length {len(a)} was expected, "
            f"received one of length {len(b)}: {b!r}."
        )
    return list(zip(a, b))


def _check_same(a: Any, b: Any, path: tuple) -> None:
    where = f" at path {path}" if path else ""
    nested_a, nested_b = is_nested(a), is_nested(b)
    if not nested_a and not nested_b:
        return
    if nested_a != nested_b:
        leaf, node = (b, a) if nested_a else (a, b)
        raise ValueError(
            f"The structures differ{where}: one has a leaf ({leaf!r}) where the other has a "
            f"nested {_kind(node)} ({node!r}). They must be nested the same way."
        )
    if not _same_kind(a, b):
        raise ValueError(
            f"The structures differ{where}: a {_kind(a)} was expected, received {b!r} (a "
            f"{_kind(b)}). Lists and tuples, and different namedtuple types, do not match."
        )
    keys = _dict_keys(a) if isinstance(a, dict) else range(len(a))
    for key, (x, y) in zip(keys, _paired_children(a, b, where)):
        _check_same(x, y, (*path, key))


# ----------------------------------------------------------------------------- public API


def assert_same_structure(a: Any, b: Any, check_types: Any = None) -> None:
    """Raise ValueError unless `a` and `b` are nested the same way (leaves may differ).

    Node kinds must match: a list is not a tuple, namedtuple types must be the same, any two
    dict types with the same keys match. `check_types` is accepted for compatibility and
    ignored (kinds are always checked, as in Keras 3).
    """
    _check_same(a, b, ())


def flatten_with_path(structure: Any) -> list[tuple[tuple, Any]]:
    """``(path, leaf)`` pairs in `flatten` order; a path holds the sequence indices and dict
    keys leading to the leaf (``()`` for a structure that is itself a leaf)."""
    out: list = []
    _with_path(structure, (), out)
    return out


def _with_path(x: Any, path: tuple, out: list) -> None:
    if not is_nested(x):
        out.append((path, x))
        return
    keys = _dict_keys(x) if isinstance(x, dict) else range(len(x))
    for key, child in zip(keys, _children(x)):
        _with_path(child, (*path, key), out)


def assert_same_paths(a: Any, b: Any) -> None:
    """Raise ValueError unless `a` and `b` have the same set of leaf paths.

    Looser than `assert_same_structure`: only the paths count, so ``[1, 2]`` and ``(1, 2)``
    pass.
    """
    paths_a = {p for p, _ in flatten_with_path(a)}
    paths_b = {p for p, _ in flatten_with_path(b)}
    if paths_a != paths_b:
        lines = ["The two structures do not have the same leaf paths."]
        if paths_a - paths_b:
            lines.append(f"Paths in `a` missing from `b`: {sorted(paths_a - paths_b, key=repr)}")
        if paths_b - paths_a:
            lines.append(f"Paths in `b` missing from `a`: {sorted(paths_b - paths_a, key=repr)}")
        raise ValueError("\n".join(lines))


def map_structure(func: Callable[..., Any], *structures: Any, none_is_leaf: bool = True) -> Any:
    """Apply `func` to the matching leaves of one or more structures nested the same way.

    The result has the first structure's nesting. With ``none_is_leaf=False`` a ``None`` is
    an empty node: it stays ``None`` and `func` is not called for it.

    Raises:
        ValueError: no structure is given, or the structures are nested differently.
    """
    if not structures:
        raise ValueError(
            "map_structure needs at least one structure after `func`. Received none: call "
            "map_structure(func, structure, *more_structures)."
        )
    for other in structures[1:]:
        assert_same_structure(structures[0], other)
    return _map(func, structures, none_is_leaf)


def _map(func: Callable[..., Any], xs: tuple, none_is_leaf: bool) -> Any:
    first = xs[0]
    if first is None and not none_is_leaf:
        return None
    if not is_nested(first):
        return func(*xs)
    return _rebuild(first, [_map(func, col, none_is_leaf) for col in _columns(first, xs)])


def map_structure_up_to(shallow_structure: Any, func: Callable[..., Any], *structures: Any) -> Any:
    """Like `map_structure`, but stop at the leaves of `shallow_structure`: `func` receives
    the (possibly nested) parts of `structures` found there.

    Raises:
        ValueError: a structure is not nested like `shallow_structure` down to its leaves.
    """
    if not structures:
        raise ValueError(
            "map_structure_up_to needs at least one structure after `func`. Received none."
        )
    for s in structures:
        _check_up_to(shallow_structure, s, ())
    return _map_up_to(shallow_structure, func, structures)


def _check_up_to(shallow: Any, x: Any, path: tuple) -> None:
    if not is_nested(shallow):
        return
    where = f" at path {path}" if path else ""
    if not is_nested(x) or not _same_kind(shallow, x):
        raise ValueError(
            f"The structure differs from the shallow structure{where}: a {_kind(shallow)} was "
            f"expected, received {x!r}."
        )
    keys = _dict_keys(shallow) if isinstance(shallow, dict) else range(len(shallow))
    for key, (s, y) in zip(keys, _paired_children(shallow, x, where)):
        _check_up_to(s, y, (*path, key))


def _map_up_to(shallow: Any, func: Callable[..., Any], xs: tuple) -> Any:
    if not is_nested(shallow):
        return func(*xs)
    pairs = zip(_children(shallow), _columns(shallow, xs))
    return _rebuild(shallow, [_map_up_to(s, func, col) for s, col in pairs])


def _is_shape(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and all(e is None or isinstance(e, int) for e in x)


def map_shape_structure(func: Callable[[Any], Any], structure: Any) -> Any:
    """`map_structure` for structures of shapes: a list or tuple of ints and ``None``s (the
    empty tuple included) is passed to `func` whole, as one leaf."""
    if _is_shape(structure) or not is_nested(structure):
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, c) for c in _children(structure)])


def lists_to_tuples(structure: Any) -> Any:
    """`structure` with every list, at any depth, turned into a tuple (other nodes keep
    their type)."""
    if not is_nested(structure):
        return structure
    children = [lists_to_tuples(c) for c in _children(structure)]
    if type(structure) is list:
        return tuple(children)
    return _rebuild(structure, children)


def traverse(func: Callable[[Any], Any], structure: Any, top_down: bool = True) -> Any:
    """Apply `func` to every node of `structure` (nested nodes and leaves) and rebuild it.

    `func` returns ``None`` to keep a node (and, top-down, to go on into its children),
    `MAP_TO_NONE` to replace it by ``None``, or any other value to replace it (top-down: its
    children are then not visited). With ``top_down=False`` children are visited first and
    `func` sees each nested node rebuilt from their results.
    """
    if top_down:
        return _top_down(func, structure)
    return _bottom_up(func, structure)


def _top_down(func: Callable[[Any], Any], x: Any) -> Any:
    got = func(x)
    if got is MAP_TO_NONE:
        return None
    if got is not None:
        return got
    if is_nested(x):
        return _rebuild(x, [_top_down(func, c) for c in _children(x)])
    return x


def _bottom_up(func: Callable[[Any], Any], x: Any) -> Any:
    if is_nested(x):
        x = _rebuild(x, [_bottom_up(func, c) for c in _children(x)])
    got = func(x)
    if got is MAP_TO_NONE:
        return None
    return x if got is None else got

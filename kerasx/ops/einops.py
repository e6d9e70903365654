"""Einops-style axis rearrangement: `rearrange`."""

from __future__ import annotations

import math
import re
from typing import Any

from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, randn, shape_of

# ------------------------------------------------------------------------- rearrange

_TOKEN = re.compile(r"\s*(\(|\)|\.\.\.|[A-Za-z_][A-Za-z0-9_]*|\d+)")


def _parse_side(side: str, pattern: str) -> list:
    """Parse one side of an einops pattern into groups of atoms (names, '...' or '1')."""
    groups: list = []
    current: list | None = None
    pos = 0
    side = side.strip()
    while pos < len(side):
        m = _TOKEN.match(side, pos)
        if m is None:
            raise ValueError(f"Received an invalid value for `pattern`: cannot parse {pattern!r}.")
        tok = m.group(1)
        pos = m.end()
        while pos < len(side) and side[pos].isspace():
            pos += 1
        if tok == "(":
            if current is not None:
                raise ValueError(
                    f"Received an invalid value for `pattern`: nested parentheses in {pattern!r}."
                )
            current = []
        elif tok == ")":
            if current is None:
                raise ValueError(
                    f"Received an invalid value for `pattern`: unbalanced ')' in {pattern!r}."
                )
            groups.append(tuple(current))  # a tuple marks a parenthesised group
            current = None
        else:
            if tok.isdigit() and tok != "1":
                raise ValueError(
                    f"Received an invalid value for `pattern`: only the anonymous axis '1' is "
                    f"allowed, got {tok!r} in {pattern!r}."
                )
            if current is None:
                groups.append([tok])
            else:
                current.append(tok)
    if current is not None:
        raise ValueError(f"Received an invalid value for `pattern`: unbalanced '(' in {pattern!r}.")
    return groups


def _right_group(
    grp: list, n_ell: int, sizes: dict, out_names: list, final: list, pattern: str
) -> None:
    """Append the atoms of one right-hand group to `out_names` and its size to `final`."""
    total: Any = 1
    for a in grp:
        if a == "1":
            continue
        group_names = [f"...{i}" for i in range(n_ell)] if a == "..." else [a]
        for nm in group_names:
            if nm not in sizes:
                raise ValueError(
                    f"Received an invalid value for `pattern`: axis {a!r} is not on the left of "
                    f"{pattern!r}."
                )
            if nm in out_names:
                raise ValueError(
                    f"Received an invalid value for `pattern`: axis {a!r} appears twice on the right."
                )
            out_names.append(nm)
            total = None if total is None or sizes[nm] is None else total * sizes[nm]
    final.append(total)


def _rearrange_plan(shape: tuple, pattern: str, lengths: dict) -> tuple:
    """Return (shape of the elementary axes, permutation, final shape)."""
    if pattern.count("->") != 1:
        raise ValueError(
            f"Received an invalid value for `pattern`, expected 'left -> right'. Received: pattern={pattern!r}"
        )
    lhs, rhs = pattern.split("->")
    left, right = _parse_side(lhs, pattern), _parse_side(rhs, pattern)
    has_ell = any("..." in grp for grp in left)
    if any("..." in grp and (len(grp) > 1 or isinstance(grp, tuple)) for grp in left):
        raise ValueError(
            f"Received an invalid value for `pattern`: '...' cannot be grouped on the left of {pattern!r}."
        )
    n_fixed = len(left) - (1 if has_ell else 0)
    if (has_ell and len(shape) < n_fixed) or (not has_ell and len(shape) != n_fixed):
        raise ValueError(
            f"Received an invalid value for `pattern`: {pattern!r} expects a tensor of rank "
            f"{n_fixed}{' or more' if has_ell else ''}, received shape {shape}."
        )
    names: list = []  # elementary axes, in the order of the input
    sizes: dict = {}
    dim_iter = iter(shape)
    n_ell = len(shape) - n_fixed
    for grp in left:
        if grp == ["..."]:
            for i in range(n_ell):
                names.append(f"...{i}")
                sizes[f"...{i}"] = next(dim_iter)
            continue
        dim = next(dim_iter)
        atoms = [a for a in grp if a != "1"]
        unknown = [a for a in atoms if a not in lengths]
        if len(unknown) > 1:
            raise ValueError(
                f"Could not infer the sizes of {unknown} in {pattern!r}; pass them as keyword "
                "arguments, e.g. rearrange(x, pattern, h=2)."
            )
        known = math.prod(int(lengths[a]) for a in atoms if a in lengths)
        for a in atoms:
            if a in sizes:
                raise ValueError(
                    f"Received an invalid value for `pattern`: axis {a!r} appears twice on the left."
                )
            if a in lengths:
                sizes[a] = int(lengths[a])
            elif dim is None:
                sizes[a] = None
            else:
                if known == 0 or dim % known:
                    raise ValueError(
                        f"Cannot split an axis of length {dim} into {grp} with sizes {lengths}."
                    )
                sizes[a] = dim // known
        if not unknown and dim is not None and known != dim:
            raise ValueError(
                f"Axis group {grp} has size {known} but the tensor's axis has length {dim}."
            )
        names.extend(atoms)
    out_names: list = []
    final: list = []
    for grp in right:
        if grp == ["..."]:  # a bare ellipsis keeps its axes separate
            grp_list = [[f"...{i}"] for i in range(n_ell)]
        else:
            grp_list = [grp]
        for sub in grp_list:
            _right_group(sub, n_ell, sizes, out_names, final, pattern)
    missing = [nm for nm in names if nm not in out_names]
    if missing:
        raise ValueError(
            f"Received an invalid value for `pattern`: axes {missing} are missing on the right of {pattern!r}."
        )
    elementary = [sizes[nm] for nm in names]
    perm = [names.index(nm) for nm in out_names]
    return elementary, perm, final


def _unknown_as_minus_one(shape: list) -> tuple:
    if shape.count(None) > 1:
        raise ValueError(f"rearrange cannot handle more than one unknown dimension here: {shape}")
    return tuple(-1 if d is None else d for d in shape)


@defop(
    tensors=("tensor",),
    composite=True,
    namespaces=(),
    samples=lambda rng: [
        Sample((randn(rng, 2, 3, 4), "a b c -> c (a b)")),
        Sample((randn(rng, 6, 4), "(h w) c -> h w c"), {"h": 2}),
        Sample((randn(rng, 2, 3, 4), "b h w -> b (w h)")),
        Sample((randn(rng, 2, 3, 2), "b ... c -> c b ..."), keras=False),  # Keras lacks '...'
    ],
)
def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> Any:
    """Reorder, merge and split axes with an einops-style pattern.

    Examples of patterns: ``"b h w c -> b c h w"``, ``"b (h w) c -> b h w c"`` (with
    ``h=...``), ``"b h w c -> b (h w c)"``, ``"b ... c -> b c ..."``, ``"a b -> a 1 b"``.

    Args:
        tensor: input tensor.
        pattern: ``"left -> right"``: axis names, parenthesised groups, ``...`` and ``1``.
        **axes_lengths: sizes of axes that cannot be inferred from the input shape.

    Returns:
        The rearranged tensor.
    """
    if not isinstance(pattern, str):
        raise TypeError(
            f"Received an invalid value for `pattern`, expected a string. Received: pattern={pattern!r}"
        )
    elementary, perm, final = _rearrange_plan(tuple(shape_of(tensor)), pattern, axes_lengths)
    t = K.reshape(tensor, _unknown_as_minus_one(elementary))
    if perm != list(range(len(perm))):
        t = K.transpose(t, perm)
    return K.reshape(t, _unknown_as_minus_one(final))


__all__ = [
    "rearrange",
]

"""Products: matmul, dot, tensordot, einsum, inner, outer, kron, cross, vdot, trace, cdist."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_shapes, canonical_axis
from kerasx.ops._helpers import K, Sample, rand_int, randn, shape_of, unbroadcast


def _matmul_shape(x1: tuple, x2: tuple) -> tuple:
    if len(x1) == 0 or len(x2) == 0:
        raise ValueError("matmul does not accept scalars (0-d tensors)")
    a = (1,) + x1 if len(x1) == 1 else x1
    b = x2 + (1,) if len(x2) == 1 else x2
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(
            f"the last dimension of x1 ({a[-1]}) must equal the second to last of x2 ({b[-2]}); "
            f"shapes {x1} and {x2} are incompatible"
        )
    batch = broadcast_shapes(a[:-2], b[:-2])
    out = batch + (a[-2], b[-1])
    if len(x1) == 1:
        out = out[:-2] + out[-1:]
    if len(x2) == 1:
        out = out[:-1]
    return out


def _swap_last(x: Any) -> Any:
    n = len(shape_of(x))
    perm = list(range(n))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return K.transpose(x, perm)


def _as_matrices(g: Any, x1: Any, x2: Any) -> tuple[Any, Any, Any]:
    """View 1-D operands as matrices (and `g` accordingly), as NumPy's matmul does."""
    s1, s2 = shape_of(x1), shape_of(x2)
    a = K.reshape(x1, (1, s1[0])) if len(s1) == 1 else x1
    b = K.reshape(x2, (s2[0], 1)) if len(s2) == 1 else x2
    g = K.reshape(g, _matmul_shape(shape_of(a), shape_of(b)))
    return g, a, b


def _matmul_vjp_x1(g: Any, ans: Any, x1: Any, x2: Any) -> Any:
    g, a, b = _as_matrices(g, x1, x2)
    return K.reshape(unbroadcast(K.matmul(g, _swap_last(b)), a), shape_of(x1))


def _matmul_vjp_x2(g: Any, ans: Any, x1: Any, x2: Any) -> Any:
    g, a, b = _as_matrices(g, x1, x2)
    return K.reshape(unbroadcast(K.matmul(_swap_last(a), g), b), shape_of(x2))


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=_matmul_shape,
    vjp={"x1": _matmul_vjp_x1, "x2": _matmul_vjp_x2},
    vjp_reads=("x1", "x2"),
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), randn(rng, 3, 4))),
        Sample((randn(rng, 5, 2, 3), randn(rng, 3, 4))),
        Sample((randn(rng, 2, 1, 2, 3), randn(rng, 4, 3, 2))),
        Sample((randn(rng, 3), randn(rng, 3, 4))),
        Sample((randn(rng, 2, 3), randn(rng, 3))),
        Sample((randn(rng, 3), randn(rng, 3))),
    ],
)
def matmul(x1: Any, x2: Any) -> Any:
    """Matrix product of two tensors (NumPy ``matmul`` semantics, batched).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The matrix product.
    """


# ------------------------------------------------------------------------------ tensordot


def _check_int(v: Any, name: str) -> None:
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected an int. Received: {name}={v!r}"
        )


def _td_axes(axes: Any, n1: int, n2: int) -> tuple[list[int], list[int]]:
    """Normalize tensordot's `axes` to two equal-length lists of non-negative axes."""
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        if not 0 <= axes <= min(n1, n2):
            raise ValueError(
                f"Received an invalid value for `axes`, expected an int in [0, {min(n1, n2)}] "
                f"for operands of rank {n1} and {n2}. Received: axes={axes}"
            )
        return list(range(n1 - axes, n1)), list(range(axes))
    try:
        a, b = axes
    except (TypeError, ValueError):
        raise ValueError(
            "Received an invalid value for `axes`, expected an int or a pair of axis lists. "
            f"Received: axes={axes!r}"
        ) from None
    a = [a] if isinstance(a, (int, np.integer)) else list(a)
    b = [b] if isinstance(b, (int, np.integer)) else list(b)
    if len(a) != len(b):
        raise ValueError(
            "Received an invalid value for `axes`, expected two lists of the same length. "
            f"Received: axes={axes!r}"
        )
    return [canonical_axis(i, n1) for i in a], [canonical_axis(i, n2) for i in b]


def _tensordot_shape(x1: tuple, x2: tuple, axes: Any) -> tuple:
    a, b = _td_axes(axes, len(x1), len(x2))
    for i, j in zip(a, b):
        if x1[i] is not None and x2[j] is not None and x1[i] != x2[j]:
            raise ValueError(
                f"contracted dimensions differ: x1 axis {i} has size {x1[i]}, x2 axis {j} has "
                f"size {x2[j]}"
            )
    return tuple(d for i, d in enumerate(x1) if i not in a) + tuple(
        d for j, d in enumerate(x2) if j not in b
    )


def _tensordot_vjp_x1(g: Any, ans: Any, x1: Any, x2: Any, axes: Any) -> Any:
    n1, n2 = len(shape_of(x1)), len(shape_of(x2))
    a, b = _td_axes(axes, n1, n2)
    free1 = [i for i in range(n1) if i not in a]
    free2 = [j for j in range(n2) if j not in b]
    g_axes = list(range(len(free1), len(free1) + len(free2)))
    r = K.tensordot(g, x2, axes=(g_axes, free2))  # dims: free1, then x2's axes b (sorted)
    order = free1 + [a[b.index(j)] for j in sorted(b)]
    return K.transpose(r, [order.index(i) for i in range(n1)])


def _tensordot_vjp_x2(g: Any, ans: Any, x1: Any, x2: Any, axes: Any) -> Any:
    n1, n2 = len(shape_of(x1)), len(shape_of(x2))
    a, b = _td_axes(axes, n1, n2)
    free1 = [i for i in range(n1) if i not in a]
    free2 = [j for j in range(n2) if j not in b]
    r = K.tensordot(x1, g, axes=(free1, list(range(len(free1)))))  # dims: x1's a sorted, free2
    order = [b[a.index(i)] for i in sorted(a)] + free2
    return K.transpose(r, [order.index(j) for j in range(n2)])


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=_tensordot_shape,
    vjp={"x1": _tensordot_vjp_x1, "x2": _tensordot_vjp_x2},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3, 4), randn(rng, 3, 4, 2))),
        Sample((randn(rng, 2, 3), randn(rng, 3, 4)), {"axes": 1}),
        Sample((randn(rng, 3, 2, 4), randn(rng, 4, 3)), {"axes": ([2, 0], [0, 1])}),
        Sample((randn(rng, 2, 3), randn(rng, 4)), {"axes": 0}),
        Sample((randn(rng, 2, 3), randn(rng, 2, 5)), {"axes": (0, -2)}),
    ],
)
def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Any:
    """Contract `x1` and `x2` over the given axes.

    Args:
        x1: first tensor.
        x2: second tensor.
        axes: an int N (the last N axes of `x1` with the first N of `x2`) or a pair
            ``(axes_of_x1, axes_of_x2)`` of ints or equal-length int sequences.

    Returns:
        The free axes of `x1` followed by the free axes of `x2`.
    """


# ------------------------------------------------------------------------------ einsum parsing

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _bad(subscripts: Any, why: str) -> ValueError:
    return ValueError(
        f"Received an invalid value for `subscripts`, {why}. Received: subscripts={subscripts!r}"
    )


def _einsum_parse(subscripts: str, shapes: list[tuple]) -> tuple[list[str], str]:
    """Expand `subscripts` into explicit per-operand letter strings and an output string.

    Ellipses become fresh letters (right-aligned across operands, as broadcasting does);
    an implicit output (no ``->``) is the sorted letters that occur once.

    Args:
        subscripts: the einsum specification.
        shapes: the operands' shapes.

    Returns:
        ``(input_subscripts, output_subscript)`` with only letters.
    """
    if not isinstance(subscripts, str):
        raise TypeError(
            "Received an invalid value for `subscripts`, expected a string. "
            f"Received: subscripts={subscripts!r}"
        )
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        lhs, out = spec.split("->", 1)
        explicit = True
    else:
        lhs, out, explicit = spec, "", False
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise _bad(subscripts, f"expected {len(ins)} operand(s) but {len(shapes)} were given")
    used = set(spec) - set(".,->")
    for ch in used:
        if ch not in _LETTERS:
            raise _bad(subscripts, f"expected letters only, found {ch!r}")
    fresh = [c for c in _LETTERS if c not in used]
    ell_rank = 0
    for s, shp in zip(ins, shapes):
        if "..." in s:
            n = len(shp) - (len(s) - 3)
            if n < 0:
                raise _bad(subscripts, f"operand subscripts {s!r} do not match rank {len(shp)}")
            ell_rank = max(ell_rank, n)
        elif len(s) != len(shp):
            raise _bad(
                subscripts,
                f"operand subscripts {s!r} have {len(s)} letters for a rank-{len(shp)} operand",
            )
    ell = "".join(fresh[:ell_rank])
    new_ins = []
    for s, shp in zip(ins, shapes):
        if "..." in s:
            n = len(shp) - (len(s) - 3)
            s = s.replace("...", ell[ell_rank - n :])
        new_ins.append(s)
    if explicit:
        if "..." in out:
            out = out.replace("...", ell)
        elif ell_rank and any("..." in s for s in ins):
            # NumPy rejects this; keep the same behaviour.
            raise _bad(subscripts, "the output needs '...' because an operand uses it")
    else:
        counts: dict[str, int] = {}
        for s in new_ins:
            for ch in s:
                if ch not in ell:
                    counts[ch] = counts.get(ch, 0) + 1
        out = ell + "".join(sorted(ch for ch, c in counts.items() if c == 1))
    return new_ins, out


def _unique(s: str) -> str:
    seen: list[str] = []
    for ch in s:
        if ch not in seen:
            seen.append(ch)
    return "".join(seen)


def _einsum_grad_operand(g: Any, subscripts: str, operands: tuple, i: int) -> Any:
    """Cotangent of operand `i` of ``einsum(subscripts, *operands)`` for the output cotangent."""
    x = operands[i]
    shapes = [shape_of(o) for o in operands]
    ins, out = _einsum_parse(subscripts, shapes)
    s = ins[i]
    xshape = shapes[i]
    sizes = {}
    for ch, d in zip(s, xshape):
        sizes.setdefault(ch, d)
    full_sizes: dict[str, int] = {}
    for sub, shp in zip(ins, shapes):
        for ch, d in zip(sub, shp):
            if full_sizes.get(ch, 1) == 1:
                full_sizes[ch] = d
    uniq = _unique(s)
    others = [j for j in range(len(operands)) if j != i]
    avail = set(out)
    for j in others:
        avail |= set(ins[j])
    keep = "".join(ch for ch in uniq if ch in avail)
    spec = ",".join([out] + [ins[j] for j in others]) + "->" + keep
    if not others and out == keep:
        r = g
    else:
        r = K.einsum(spec, g, *[operands[j] for j in others])
    # Letters where x was broadcast (size 1) but the others have a larger size: sum them.
    rshape = shape_of(r)
    axes = tuple(k for k, ch in enumerate(keep) if sizes[ch] == 1 and rshape[k] != 1)
    if axes:
        r = K.sum(r, axis=axes, keepdims=True)
    # Letters only `x` has: the output does not depend on their index, so broadcast.
    if len(keep) != len(uniq):
        missing = [ch for ch in uniq if ch not in avail]
        cur = keep
        for ch in missing:
            r = K.expand_dims(r, -1)
            cur += ch
        perm = [cur.index(ch) for ch in uniq]
        r = K.transpose(r, perm)
        r = K.broadcast_to(r, tuple(sizes[ch] for ch in uniq))
    elif keep != uniq:
        r = K.transpose(r, [keep.index(ch) for ch in uniq])
    target_shape = tuple(sizes[ch] for ch in uniq)
    if shape_of(r) != target_shape:
        r = K.broadcast_to(r, target_shape)
    if len(uniq) == len(s):
        if uniq != s:
            r = K.transpose(r, [uniq.index(ch) for ch in s])
        return r
    # Repeated letters (diagonals): spread the values back onto the diagonal.
    used = set("".join(ins)) | set(out)
    fresh = [c for c in _LETTERS if c not in used]
    target = ""
    deltas = []
    seen: set[str] = set()
    for ch in s:
        if ch in seen:
            f = fresh.pop(0)
            target += f
            deltas.append((ch + f, sizes[ch]))
        else:
            seen.add(ch)
            target += ch
    dt = getattr(x, "dtype", None)
    eyes = [K.eye(n, dtype=dt) for _, n in deltas]
    spec = ",".join([uniq] + [d for d, _ in deltas]) + "->" + target
    return K.einsum(spec, r, *eyes)


# ------------------------------------------------------------------------------ einsum


def _einsum_dtype(subscripts: Any, *operands: Any, **kwargs: Any) -> str:
    dts = [d for d in operands]
    out = _dt.result_type(*dts) if dts else _dt.standardize_dtype(None)
    return "int32" if out == "int8" else out


def _einsum_shape(subscripts: Any, *operands: Any, **kwargs: Any) -> tuple:
    shapes = [tuple(s) for s in operands]
    ins, out = _einsum_parse(subscripts, shapes)
    sizes: dict[str, Any] = {}
    for sub, shp in zip(ins, shapes):
        for ch, d in zip(sub, shp):
            cur = sizes.get(ch, 1)
            if d is None:
                sizes[ch] = None if cur == 1 else cur
            elif cur in (1, None):
                sizes[ch] = d if cur == 1 or d != 1 else cur
            elif d not in (1, cur):
                raise ValueError(
                    f"dimension {ch!r} has inconsistent sizes {cur} and {d} in einsum "
                    f"{subscripts!r}"
                )
    for ch in out:
        if ch not in sizes:
            raise _bad(subscripts, f"output letter {ch!r} does not occur in any operand")
    return tuple(sizes[ch] for ch in out)


def _einsum_vjp(g: Any, ans: Any, subscripts: Any, operands: Any, kwargs: Any) -> list:
    return [_einsum_grad_operand(g, subscripts, tuple(operands), i) for i in range(len(operands))]


def _einsum_samples(rng: Any) -> list:
    return [
        Sample(("ij,jk->ik", randn(rng, 2, 3), randn(rng, 3, 4))),
        Sample(("bij,bjk", randn(rng, 2, 2, 3), randn(rng, 2, 3, 2))),
        Sample(("ii->i", randn(rng, 3, 3))),
        Sample(("...i,i->...", randn(rng, 2, 3, 4), randn(rng, 4))),
        Sample(("i,j,k->ijk", randn(rng, 2), randn(rng, 3), randn(rng, 2))),
        Sample(("ij,ij->", randn(rng, 1, 3), randn(rng, 4, 3))),
        Sample(("ijj->i", randn(rng, 2, 3, 3))),
    ]


@defop(
    tensors=("operands",),
    shape=_einsum_shape,
    dtype=_einsum_dtype,
    vjp={"operands": _einsum_vjp},
    samples=_einsum_samples,
)
def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> Any:
    """Evaluate an Einstein-summation expression over the operands.

    Args:
        subscripts: the summation specification, e.g. ``"ij,jk->ik"`` (``...`` stands for
            broadcast dimensions; without ``->`` the output is the letters used once, sorted).
        *operands: the input tensors, one per comma-separated group of `subscripts`.
        **kwargs: accepted for compatibility (ignored).

    Returns:
        The contracted tensor (operands are promoted to one dtype; int8 gives int32).
    """


# ------------------------------------------------------------------------------ cross


def _cross_axes(axisa: Any, axisb: Any, axisc: Any, axis: Any) -> tuple:
    if axis is not None:
        return axis, axis, axis
    return axisa, axisb, axisc


def _cross_shape(x1: tuple, x2: tuple, axisa: Any, axisb: Any, axisc: Any, axis: Any) -> tuple:
    axisa, axisb, axisc = _cross_axes(axisa, axisb, axisc, axis)
    a = list(x1)
    b = list(x2)
    ia = canonical_axis(axisa, len(a))
    ib = canonical_axis(axisb, len(b))
    na, nb = a.pop(ia), b.pop(ib)
    for n, name in ((na, "x1"), (nb, "x2")):
        if n is not None and n not in (2, 3):
            raise ValueError(
                f"the vector dimension of `{name}` must have size 2 or 3, received {n}"
            )
    batch = broadcast_shapes(tuple(a), tuple(b))
    if na == 2 and nb == 2:
        return batch
    out = list(batch) + [3]
    ic = canonical_axis(axisc, len(out))
    out.insert(ic, out.pop())
    return tuple(out)


def _to3(v: Any) -> Any:
    """Pad vectors along the last axis from 2 to 3 components (a zero z component)."""
    if shape_of(v)[-1] == 3:
        return v
    zeros = K.zeros_like(K.get_item(v, (Ellipsis, slice(0, 1))))
    return K.concatenate([v, zeros], axis=-1)


def _cross_vjp(which: int) -> Any:
    def rule(g: Any, ans: Any, x1: Any, x2: Any, axisa: Any, axisb: Any, axisc: Any, axis: Any):
        axisa, axisb, axisc = _cross_axes(axisa, axisb, axisc, axis)
        a = K.moveaxis(x1, axisa, -1)
        b = K.moveaxis(x2, axisb, -1)
        na, nb = shape_of(a)[-1], shape_of(b)[-1]
        if na == 2 and nb == 2:
            gz = K.expand_dims(g, -1)
            g3 = K.concatenate([K.zeros_like(gz), K.zeros_like(gz), gz], axis=-1)
        else:
            g3 = K.moveaxis(g, axisc, -1)
        a3, b3 = _to3(a), _to3(b)
        if which == 0:
            r = K.cross(b3, g3)
            n, x, ax = na, x1, axisa
        else:
            r = K.cross(g3, a3)
            n, x, ax = nb, x2, axisb
        if n == 2:
            r = K.get_item(r, (Ellipsis, slice(0, 2)))
        moved = K.moveaxis(x, ax, -1)
        r = unbroadcast(r, moved)
        return K.moveaxis(r, -1, ax)

    return rule


def _cross_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 4, 3), randn(rng, 4, 3))),
        Sample((randn(rng, 3, 2), randn(rng, 1, 3)), {"axisa": 0, "axisc": 0}),
        Sample((randn(rng, 2, 3), randn(rng, 3)), {"axis": -1}),
        # Keras 3's NumPy backend calls np.cross, which warns (deprecated) for 2-D vectors.
        Sample((randn(rng, 4, 2), randn(rng, 4, 2)), keras=False),
        Sample((randn(rng, 4, 2), randn(rng, 3)), keras=False),
    ]


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=_cross_shape,
    vjp={"x1": _cross_vjp(0), "x2": _cross_vjp(1)},
    samples=_cross_samples,
)
def cross(
    x1: Any, x2: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None
) -> Any:
    """Cross product of two (arrays of) 3-D or 2-D vectors.

    Args:
        x1: first vectors (the vector axis has size 2 or 3).
        x2: second vectors.
        axisa: the vector axis of `x1`.
        axisb: the vector axis of `x2`.
        axisc: the vector axis of the result (when it is a vector).
        axis: if given, overrides `axisa`, `axisb` and `axisc`.

    Returns:
        The cross products (a scalar per position when both inputs are 2-D vectors).
    """


# ------------------------------------------------------------------------------ trace


def _trace_dtype(x: str, offset: Any, axis1: Any, axis2: Any) -> str:
    if x in ("bool", "int8", "int16"):
        return "int32"
    if x in ("uint8", "uint16"):
        return "uint32"
    return x


def _trace_shape(x: tuple, offset: Any, axis1: Any, axis2: Any) -> tuple:
    _check_int(offset, "offset")
    if len(x) < 2:
        raise ValueError(f"trace needs a tensor of rank >= 2, received rank {len(x)}")
    a1, a2 = canonical_axis(axis1, len(x)), canonical_axis(axis2, len(x))
    if a1 == a2:
        raise ValueError(
            f"Received an invalid value for `axis2`, expected an axis different from "
            f"`axis1`. Received: axis1={axis1}, axis2={axis2}"
        )
    return tuple(d for i, d in enumerate(x) if i not in (a1, a2))


def _trace_vjp(g: Any, ans: Any, x: Any, offset: Any, axis1: Any, axis2: Any) -> Any:
    xs = shape_of(x)
    nd = len(xs)
    a1, a2 = canonical_axis(axis1, nd), canonical_axis(axis2, nd)
    eye = K.eye(xs[a1], xs[a2], k=offset, dtype=_dt.standardize_dtype(x.dtype))
    r = K.multiply(K.expand_dims(K.expand_dims(g, -1), -1), eye)
    # r has the kept axes first, then (axis1, axis2): put those two back in place.
    rest = [i for i in range(nd) if i not in (a1, a2)]
    order = rest + [a1, a2]
    perm = [order.index(i) for i in range(nd)]
    return K.transpose(r, perm)


@defop(
    shape=_trace_shape,
    dtype=_trace_dtype,
    vjp={"x": _trace_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3, 3),)),
        Sample((randn(rng, 2, 3, 4),), {"offset": 1, "axis1": 1, "axis2": 2}),
        Sample((randn(rng, 3, 2, 4),), {"offset": -1, "axis1": -1, "axis2": 0}),
        Sample((rand_int(rng, 3, 3),), grad=False),
    ],
)
def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """Sum along a diagonal of the tensor.

    Args:
        x: input tensor (rank >= 2).
        offset: which diagonal (positive: above the main diagonal).
        axis1: first axis of the 2-D planes.
        axis2: second axis of the 2-D planes.

    Returns:
        The diagonal sums (`x` without `axis1` and `axis2`); small integer and bool inputs
        give int32.
    """


# ------------------------------------------------------------------------------ composites


def _float_of(x: Any) -> Any:
    d = _dt.standardize_dtype(getattr(x, "dtype", None) or _dt.result_type(x))
    if _dt.is_float_dtype(d):
        return x
    return K.cast(x, _dt.float_result(d))


@defop(
    tensors=("x1", "x2"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), randn(rng, 3, 2))),
        Sample((randn(rng, 2, 3, 4), randn(rng, 2, 4, 3))),
        Sample((randn(rng, 4), randn(rng, 4))),
        Sample((randn(rng, 2, 3), randn(rng, 3))),
        Sample((randn(rng, 2, 3), 2.5)),
    ],
)
def dot(x1: Any, x2: Any) -> Any:
    """Dot product (NumPy ``dot`` semantics).

    Scalars multiply; 1-D x 1-D is the inner product; otherwise the last axis of `x1` is
    contracted with the second-to-last axis of `x2` (the only axis when `x2` is 1-D).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The dot product.
    """
    s1, s2 = shape_of(x1), shape_of(x2)
    if len(s1) == 0 or len(s2) == 0:
        return K.multiply(x1, x2)
    if len(s2) == 1:
        return K.tensordot(x1, x2, axes=([len(s1) - 1], [0]))
    return K.tensordot(x1, x2, axes=([len(s1) - 1], [len(s2) - 2]))


@defop(
    tensors=("x1", "x2"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), randn(rng, 4, 3))),
        Sample((randn(rng, 3), randn(rng, 3))),
        Sample((randn(rng, 2, 2, 3), randn(rng, 3))),
        Sample((randn(rng, 3), 1.5)),
    ],
)
def inner(x1: Any, x2: Any) -> Any:
    """Inner product over the last axes (scalars multiply).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        ``sum(x1[..., :, None...] * x2[..., :])`` contracted over both last axes.
    """
    s1, s2 = shape_of(x1), shape_of(x2)
    if len(s1) == 0 or len(s2) == 0:
        return K.multiply(x1, x2)
    return K.tensordot(x1, x2, axes=([len(s1) - 1], [len(s2) - 1]))


@defop(
    tensors=("x1", "x2"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 3), randn(rng, 4))),
        Sample((randn(rng, 2, 2), randn(rng, 3))),
    ],
)
def outer(x1: Any, x2: Any) -> Any:
    """Outer product of two tensors (both are flattened first).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        A matrix of shape ``(x1.size, x2.size)``.
    """
    a = K.reshape(x1, (-1, 1))
    b = K.reshape(x2, (1, -1))
    return K.multiply(a, b)


@defop(
    tensors=("x1", "x2"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 2), randn(rng, 2, 3))),
        Sample((randn(rng, 3), randn(rng, 2))),
        Sample((randn(rng, 2), randn(rng, 2, 3))),
    ],
)
def kron(x1: Any, x2: Any) -> Any:
    """Kronecker product of two tensors (block tensor of ``x1[i] * x2``).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The Kronecker product; its rank is the larger of the two ranks.
    """
    s1, s2 = shape_of(x1), shape_of(x2)
    n = max(len(s1), len(s2))
    s1 = (1,) * (n - len(s1)) + tuple(s1)
    s2 = (1,) * (n - len(s2)) + tuple(s2)
    a = K.reshape(x1, tuple(d for p in s1 for d in (p, 1)))
    b = K.reshape(x2, tuple(d for p in s2 for d in (1, p)))
    return K.reshape(K.multiply(a, b), tuple(p * q for p, q in zip(s1, s2)))


@defop(
    tensors=("x1", "x2"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), randn(rng, 3, 2))),
        Sample((randn(rng, 4), randn(rng, 4))),
    ],
)
def vdot(x1: Any, x2: Any) -> Any:
    """Dot product of the flattened tensors, conjugating `x1` when it is complex.

    Args:
        x1: first tensor.
        x2: second tensor (same number of elements).

    Returns:
        A scalar.
    """
    a = K.reshape(x1, (-1,))
    b = K.reshape(x2, (-1,))
    if _dt.is_complex_dtype(_dt.standardize_dtype(getattr(a, "dtype", None))):
        a = K.conj(a)
    return K.tensordot(a, b, axes=1)


@defop(
    tensors=("x", "y"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 3, 2), randn(rng, 4, 2))),
        Sample((randn(rng, 2, 3, 4), randn(rng, 2, 2, 4))),
    ],
)
def cdist(x: Any, y: Any) -> Any:
    """Euclidean distances between every pair of rows of `x` and `y`.

    Args:
        x: tensor of shape ``(..., m, d)``.
        y: tensor of shape ``(..., n, d)``.

    Returns:
        Distances of shape ``(..., m, n)`` (integer inputs give floatx).
    """
    x = _float_of(x)
    y = _float_of(y)
    diff = K.subtract(K.expand_dims(x, -2), K.expand_dims(y, -3))
    return K.sqrt(K.sum(K.multiply(diff, diff), axis=-1))


__all__ = [
    "cdist",
    "cross",
    "dot",
    "einsum",
    "inner",
    "kron",
    "matmul",
    "outer",
    "tensordot",
    "trace",
    "vdot",
]

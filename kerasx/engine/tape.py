"""Reverse-mode autodiff on a tape, driven by the registry's VJP rules.

Engines without native autodiff (the NumPy engine) use this. `value_and_grad` opens a new
*level*: its inputs become `Tracer` objects of that level. Every op that meets a tracer is
run on the unwrapped values and recorded as a `Node` on the level's tape. The backward pass
walks the tape in reverse and applies each op's VJP rules. Rules are written in registry
ops, so when gradients are nested the rules' own ops are recorded on the outer level: that
gives second- and higher-order gradients.
"""

from __future__ import annotations

from typing import Any

from kerasx.engine import dispatch
from kerasx.engine import dtypes as _dt
from kerasx.engine.operators import TensorOperators

_levels: list[list[Node]] = []  # one tape (list of nodes) per open level


class Node:
    """One recorded call: how to send output cotangents back to the inputs."""

    __slots__ = ("op", "slots", "ans", "parents", "multi", "vjp_fn", "ct")

    def __init__(self, op: Any, slots: tuple, ans: Any, parents: list, multi: bool) -> None:
        self.op = op
        self.slots = slots
        self.ans = ans
        self.parents = parents  # list of (slot index, position in seq or -1, Tracer)
        self.multi = multi
        self.vjp_fn: Any = None
        # The output cotangents gathered so far during `backward` (None: none yet).
        self.ct: Any = None


class _Link:
    """A node's reference to a parent that is itself an op's result: where its cotangent
    goes (`node`, `index`) and its dtype, without the parent's value (a `Tracer` would keep
    the value alive for as long as the tape holds the node)."""

    __slots__ = ("node", "index", "dtype")

    def __init__(self, t: Tracer) -> None:
        self.node = t.node
        self.index = t.index
        self.dtype = t.value.dtype


def _parent(t: Tracer) -> Any:
    # Leaves stay themselves (their cotangents are keyed by identity); they are the
    # differentiated inputs, alive anyway.
    return t if t.node is None else _Link(t)


class _ShapeOnly:
    """What the tape saves of a value that its op's gradient rules read only the shape and
    dtype of (`OpDef.vjp_reads`)."""

    __slots__ = ("shape", "dtype", "op", "slot")

    def __init__(self, v: Any, op: Any, slot: int) -> None:
        self.shape = tuple(v.shape)
        self.dtype = v.dtype
        self.op = op
        self.slot = slot  # -1: the result

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        what = "its result" if self.slot < 0 else f"`{self.op.slot_names[self.slot]}`"
        raise TypeError(
            f"The gradient rule of `ops.{self.op.name}` read the value of {what}, but the op "
            f"declares vjp_reads={self.op.vjp_reads!r}, so the tape kept only its shape and "
            "dtype. Add the name (or 'ans' for the result) to the op's `vjp_reads`."
        )

    def __repr__(self) -> str:
        return f"<value of shape {self.shape} and dtype {self.dtype} (not saved)>"


def _shape_only(v: Any, op: Any, slot: int) -> Any:
    return _ShapeOnly(v, op, slot) if getattr(v, "shape", None) is not None else v


def _saved_slots(op: Any, slots: tuple) -> tuple:
    """`slots` as the tape saves them: shape and dtype only where the rules read no more."""
    saved = list(slots)
    for i in op.tape_shape_only:
        saved[i] = _shape_only(saved[i], op, i)
    return tuple(saved)


class Tracer(TensorOperators):
    """A value being differentiated: an engine array plus its place on a tape."""

    __slots__ = ("value", "level", "node", "index", "__weakref__")

    def __init__(self, value: Any, level: int, node: Node | None, index: int = 0) -> None:
        self.value = value
        self.level = level
        self.node = node
        self.index = index

    @property
    def shape(self) -> tuple:
        return tuple(self.value.shape)

    @property
    def dtype(self) -> Any:
        return self.value.dtype

    @property
    def ndim(self) -> int:
        return len(self.value.shape)

    def numpy(self) -> Any:
        """The concrete value as a NumPy array (drops the tape link)."""
        return dispatch.engine().to_numpy(_unbox_all(self))

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        return np.asarray(self.numpy(), dtype=dtype)

    def __float__(self) -> float:
        return float(self.numpy())

    def __int__(self) -> int:
        return int(self.numpy())

    def __bool__(self) -> bool:
        return bool(self.numpy())

    def __repr__(self) -> str:
        return f"<Tracer level={self.level} value={self.value!r}>"

    __hash__ = object.__hash__


dispatch._Tracer = Tracer


def _unbox_all(x: Any) -> Any:
    while isinstance(x, Tracer):
        x = x.value
    return x


def _top_level(op: Any, slots: tuple) -> int:
    top = -1
    for idx, kind in op.tensors.items():
        v = slots[idx]
        if kind == "tensor":
            if isinstance(v, Tracer) and v.level > top:
                top = v.level
        elif v is not None:
            for t in v:
                if isinstance(t, Tracer) and t.level > top:
                    top = t.level
    return top


def record(op: Any, slots: tuple) -> Any:
    """Run `op` on tracer arguments and record it on the innermost tape they belong to."""
    if op.nondiff:
        plain = _map_tensor_slots(op, slots, _unbox_all)
        return op.run(plain)
    if op.composite and not op.vjp:
        # No rule of its own: differentiate through its body (records the primitives).
        return dispatch.call_with_slots(op.stub, op, slots)
    index = op.tensor_index
    if index is not None:
        # Fast path: every tensor slot holds one tensor.
        level = -1
        for i in index:
            v = slots[i]
            if v.__class__ is Tracer and v.level > level:
                level = v.level
        parents = []
        inner = list(slots)
        for i in index:
            v = slots[i]
            if v.__class__ is Tracer and v.level == level:
                parents.append((i, -1, v if v.node is None else _Link(v)))  # `_parent`, inline
                inner[i] = v.value
        inner_t = tuple(inner)
        ans = op.fn(*inner_t) if op.signature_plain else op.run(inner_t)
        if level >= len(_levels):
            return ans
        saved = _saved_slots(op, inner_t) if op.tape_shape_only else inner_t
        if ans.__class__ is tuple or ans.__class__ is list:
            node = Node(op, saved, ans, parents, True)
            _levels[level].append(node)
            return type(ans)(Tracer(a, level, node, i) for i, a in enumerate(ans))
        node = Node(
            op, saved, ans if op.tape_keeps_ans else _shape_only(ans, op, -1), parents, False
        )
        _levels[level].append(node)
        return Tracer(ans, level, node, 0)
    level = _top_level(op, slots)
    parents = []

    def unbox(v: Any, idx: int, pos: int) -> Any:
        if isinstance(v, Tracer) and v.level == level:
            parents.append((idx, pos, _parent(v)))
            return v.value
        return v

    inner = list(slots)
    for idx, kind in op.tensors.items():
        v = slots[idx]
        if kind == "tensor":
            inner[idx] = unbox(v, idx, -1)
        elif v is not None:
            items = [unbox(t, idx, j) for j, t in enumerate(v)]
            inner[idx] = tuple(items) if isinstance(v, tuple) else items
    inner_t = tuple(inner)
    ans = op.run(inner_t)
    if level >= len(_levels) or not parents:
        return ans
    multi = isinstance(ans, (tuple, list))
    saved = _saved_slots(op, inner_t) if op.tape_shape_only else inner_t
    kept = ans if multi or op.tape_keeps_ans else _shape_only(ans, op, -1)
    node = Node(op, saved, kept, parents, multi)
    _levels[level].append(node)
    if multi:
        return type(ans)(Tracer(a, level, node, i) for i, a in enumerate(ans))
    return Tracer(ans, level, node, 0)


def _map_tensor_slots(op: Any, slots: tuple, f: Any) -> tuple:
    new = list(slots)
    for idx, kind in op.tensors.items():
        v = slots[idx]
        if kind == "tensor":
            new[idx] = f(v)
        elif v is not None:
            items = [f(t) for t in v]
            new[idx] = tuple(items) if isinstance(v, tuple) else items
    return tuple(new)


dispatch._record = record


# --------------------------------------------------------------------------- backward


_REG: Any = None


def _registry() -> Any:
    global _REG
    if _REG is None:
        from kerasx.engine.registry import REGISTRY

        _REG = REGISTRY
    return _REG


def _zeros_like(x: Any) -> Any:
    return _registry()["zeros_like"].fn(x)


def _add(a: Any, b: Any) -> Any:
    return _registry()["add"].fn(a, b)


def _cast(x: Any, dtype: str) -> Any:
    return _registry()["cast"].fn(x, dtype)


def _node_cotangents(node: Node, g: Any) -> list:
    """Cotangents for each parent of `node`, from the output cotangent `g`."""
    if node.vjp_fn is not None:
        grads = node.vjp_fn(g)
        out = []
        for idx, _pos, _t in node.parents:
            out.append(grads[idx])
        return out
    op = node.op
    parents = node.parents
    if len(parents) == 1:
        idx, pos, _tracer = parents[0]
        c = _rule(op, idx)(g, node.ans, *node.slots)
        return [c[pos] if pos >= 0 else c]
    results = []
    cache: dict[int, Any] = {}
    for idx, pos, _tracer in parents:
        if idx not in cache:
            cache[idx] = _rule(op, idx)(g, node.ans, *node.slots)
        c = cache[idx]
        results.append(c[pos] if pos >= 0 else c)
    return results


def _rule(op: Any, idx: int) -> Any:
    name = op.slot_names[idx]
    rule = op.vjp.get(name)
    if rule is None:
        raise TypeError(
            f"`ops.{op.name}` has no gradient rule for its argument `{name}`, so it "
            "cannot be differentiated with respect to it. Wrap that input in "
            "`ops.stop_gradient` if no gradient is needed through it."
        )
    return rule


# dtype object -> (its standard name, whether cotangents to it are dropped: int and bool)
_DTYPE_FACTS: dict = {}


def _dtype_facts(dtype: Any) -> tuple:
    facts = _DTYPE_FACTS.get(dtype)
    if facts is None:
        name = _dt.standardize_dtype(dtype)
        facts = (name, name == "bool" or _dt.is_int_dtype(name))
        _DTYPE_FACTS[dtype] = facts
    return facts


def backward(level: int, tape: list[Node], out: Tracer, g: Any, leaves: list[Tracer]) -> list:
    """Propagate `g` from `out` back through `tape`; return the cotangents of `leaves`.

    The tape is used up: each node lets go of its saved values once it has been processed."""
    leaf_ct: dict[int, Any] = {}
    facts_of = _DTYPE_FACTS.get

    def accumulate(t: Tracer, c: Any) -> None:
        if c is None:
            return
        tdt = t.dtype
        facts = facts_of(tdt) or _dtype_facts(tdt)
        if facts[1]:
            return
        cdt = getattr(c, "dtype", None)
        if cdt is not None and cdt is not tdt:
            cd = (facts_of(cdt) or _dtype_facts(cdt))[0]
            if cd != facts[0]:
                c = _cast(c, facts[0])
        node = t.node
        if node is None:
            key = id(t)
            leaf_ct[key] = c if key not in leaf_ct else _add(leaf_ct[key], c)
            return
        slot = node.ct
        if slot is None:
            slot = node.ct = [None] * (len(node.ans) if node.multi else 1)
        i = t.index
        slot[i] = c if slot[i] is None else _add(slot[i], c)

    try:
        if isinstance(out, Tracer) and out.level == level:
            accumulate(out, g)
        for node in reversed(tape):
            gs = node.ct
            if gs is None:
                continue
            node.ct = None
            if node.multi:
                gs = [gi if gi is not None else _zeros_like(a) for gi, a in zip(gs, node.ans)]
                g_node: Any = type(node.ans)(gs)
            else:
                g_node = gs[0]
            parents = node.parents
            cts = _node_cotangents(node, g_node)
            # The node is done: drop what it saved for its rule (inputs, result, parents), so
            # each forward value is freed once the last node that reads it has sent its
            # cotangents back, as a hand-written backward pass frees it, rather than when the
            # whole tape goes (the gradients would otherwise pile up on all activations).
            node.slots = node.ans = node.parents = node.vjp_fn = None
            g_node = gs = None
            if len(parents) == 1:
                accumulate(parents[0][2], cts[0])
            else:
                for (_idx, _pos, parent), c in zip(parents, cts):
                    accumulate(parent, c)
            parents = cts = None
    except BaseException:
        for node in tape:
            node.ct = None
        raise
    return [leaf_ct.get(id(t)) for t in leaves]


# --------------------------------------------------------------------------- public API


def _flatten(tree: Any) -> tuple[list, Any]:
    from kerasx.engine import tree as _tree

    return _tree.flatten(tree), tree


def value_and_grad(fn: Any, argnums: Any = 0, has_aux: bool = False) -> Any:
    """Tape-based `value_and_grad` (see `kerasx.value_and_grad` for the contract)."""
    from kerasx.engine import tree as _tree

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        for n in nums:
            if not -len(args) <= n < len(args):
                raise ValueError(
                    f"Received argnums={argnums!r} but the function was called with "
                    f"{len(args)} positional argument(s)."
                )
        level = len(_levels)
        tape: list[Node] = []
        _levels.append(tape)
        eng = dispatch.engine()
        leaves_per_arg = []
        new_args = list(args)
        try:
            for n in nums:
                flat = _tree.flatten(args[n])
                boxed = []
                for leaf in flat:
                    v = leaf.value if isinstance(leaf, dispatch._Variable) else leaf
                    if not isinstance(v, Tracer) and v.__class__ not in dispatch.FAST_TYPES:
                        v = eng.convert_to_tensor(v)
                    boxed.append(Tracer(v, level, None))
                leaves_per_arg.append(boxed)
                new_args[n] = _tree.pack_sequence_as(args[n], boxed)
            result = fn(*new_args, **kwargs)
        finally:
            _levels.pop()
        if has_aux:
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise ValueError(
                    "With has_aux=True the function must return a pair (value, aux). "
                    f"Received: {type(result).__name__}."
                )
            value, aux = result
        else:
            value, aux = result, None
        vshape = getattr(value, "shape", ())
        if tuple(vshape) != ():
            raise ValueError(
                "value_and_grad needs a function that returns a scalar, received a value of "
                f"shape {tuple(vshape)}. Reduce it first, e.g. with ops.mean or ops.sum."
            )
        one = _ones_like_unboxed(value, level)
        all_leaves = [t for group in leaves_per_arg for t in group]
        cts = backward(level, tape, value, one, all_leaves)
        grads = []
        k = 0
        for n, group in zip(nums, leaves_per_arg):
            gl = []
            for t in group:
                c = cts[k]
                k += 1
                gl.append(c if c is not None else _zeros_like(t.value))
            grads.append(_tree.pack_sequence_as(args[n], gl))
        grads_out = grads[0] if isinstance(argnums, int) else tuple(grads)
        value = _unbox_level(value, level)
        if has_aux:
            return (value, _tree.map_structure(lambda x: _unbox_level(x, level), aux)), grads_out
        return value, grads_out

    return wrapped


def _unbox_level(x: Any, level: int) -> Any:
    if isinstance(x, Tracer) and x.level == level:
        return x.value
    return x


def _ones_like_unboxed(value: Any, level: int) -> Any:
    from kerasx.engine.registry import REGISTRY

    v = _unbox_level(value, level)
    v = _unbox_all(v)
    return REGISTRY["ones_like"].fn(v)


def custom_gradient(f: Any) -> Any:
    """Tape version of `ops.custom_gradient`: ``f(*args) -> (y, grad_fn)``."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        level = -1
        for a in args:
            if isinstance(a, Tracer) and a.level > level:
                level = a.level
        if level < 0 or level >= len(_levels):
            y, _ = f(*[_unbox_all(a) if isinstance(a, Tracer) else a for a in args], **kwargs)
            return y
        parents = []
        inner = []
        for i, a in enumerate(args):
            if isinstance(a, Tracer) and a.level == level:
                parents.append((i, -1, a))
                inner.append(a.value)
            else:
                inner.append(a)
        y, grad_fn = f(*inner, **kwargs)
        multi = isinstance(y, (tuple, list))
        node = Node(None, tuple(inner), y, parents, multi)

        def vjp_fn(g: Any) -> dict:
            gs = grad_fn(*g) if multi else grad_fn(g)
            if not isinstance(gs, (tuple, list)):
                gs = (gs,)
            return {i: gs[i] if i < len(gs) else None for i in range(len(args))}

        node.vjp_fn = vjp_fn
        _levels[level].append(node)
        if multi:
            return type(y)(Tracer(v, level, node, i) for i, v in enumerate(y))
        return Tracer(y, level, node, 0)

    return wrapped


def stop_gradient(x: Any) -> Any:
    """Drop every tape link of `x`."""
    return _unbox_all(x)

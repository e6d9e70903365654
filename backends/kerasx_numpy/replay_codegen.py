"""Code generation for the NumPy engine's trace-and-replay `jit` (see `kerasx_numpy.replay`).

`_generate` turns a recording (a `_Recorder`'s program: kernel calls on input slots, earlier
results and constants) into the source of one straight-line Python function: repeated calls are
merged, dead calls dropped, arrays deleted after their last use, and kernels with in-place
variants write into donated inputs (and dead fresh results) when that is safe.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import tree as _tree

_ARRAY_TYPES = (np.ndarray, np.generic)
# Kernels whose result is always a newly allocated array (see `_can_reuse`).
_FRESH = frozenset({np.matmul, np.dot})


def _generate(
    rec: Any, out: Any, out_leaves: list, n_inputs: int, donated: frozenset = frozenset()
) -> tuple[Any, str]:
    """Turn a recording into a Python function ``replay(input arrays) -> output``.

    `donated` holds the input slots the caller gives up (``donate_argnums``): a kernel with an
    in-place variant (its ``inplace`` attribute: ``(function, argument indices)``) writes its
    results into such inputs when this call is their last use."""
    # Outputs of the traced function.
    out_t = [rec.arg(v) if isinstance(v, _ARRAY_TYPES) else rec.const(v) for v in out_leaves]
    program, out_t = _merge_repeated_calls(rec, out_t)

    # Dead-code elimination: keep the calls whose outputs are (transitively) needed.
    def slots_in(t: tuple, acc: set) -> None:
        if t[0] == "s":
            acc.add(t[1])
        elif t[0] == "l":
            for s in t[2]:
                slots_in(s, acc)

    needed: set = set()
    for t in out_t:
        slots_in(t, needed)
    kept = []
    for instr in reversed(program):
        produced: set = set()
        slots_in(instr[3], produced)
        if produced & needed:
            kept.append(instr)
            for t in instr[1]:
                slots_in(t, needed)
            for t in instr[2].values():
                slots_in(t, needed)
    kept.reverse()

    # Last use of every slot (for `del`, so memory is freed as early as in eager mode).
    last_use: dict[int, int] = {}
    for i, instr in enumerate(kept):
        used: set = set()
        for t in instr[1]:
            slots_in(t, used)
        for t in instr[2].values():
            slots_in(t, used)
        for s in used:
            last_use[s] = i
    final: set = set()
    for t in out_t:
        slots_in(t, final)
    # Slots holding a new array of their own: outputs of kernels known to allocate their result
    # (never a view, never a cached array), which a kernel may then use as scratch space.
    fresh = {
        o[1]
        for kernel, _, _, o in kept
        if o[0] == "s" and kernel in _FRESH and o[1] in rec.writable and o[1] not in rec.views
    }
    # A buffer written in place must also be dead through every view of it.
    busy_until = dict(last_use)
    for view, roots in rec.views.items():
        for root in roots:
            if view in final:
                busy_until[root] = len(kept)
            elif view in last_use:
                busy_until[root] = max(busy_until.get(root, -1), last_use[view])

    namespace: dict[str, Any] = {}
    kernel_names: dict[int, str] = {}

    def expr(t: tuple) -> str:
        if t[0] == "s":
            return f"v{t[1]}"
        if t[0] == "c":
            return f"c{t[1]}"
        inner = ", ".join(expr(s) for s in t[2])
        if t[1] is tuple:
            return f"({inner},)"
        if t[1] is list:
            return f"[{inner}]"
        namespace.setdefault(f"T{id(t[1])}", t[1])
        return f"T{id(t[1])}(({inner},))"

    lines = ["def replay(leaves):"]
    if n_inputs:
        names = ", ".join(f"v{i}" for i in range(n_inputs))
        lines.append(f"    {names}, = leaves")
    dead_inputs = [f"v{i}" for i in range(n_inputs) if i not in last_use and i not in final]
    if dead_inputs:
        lines.append(f"    del {', '.join(dead_inputs)}")
    for i, (kernel, a, k, o) in enumerate(kept):
        inplace = getattr(kernel, "inplace", None)
        if inplace is not None and _can_donate(
            inplace[1], a, i, donated, busy_until, final, rec.views
        ):
            scratch = getattr(kernel, "inplace_scratch", None)
            if scratch is not None and _can_reuse(scratch[2], a, i, fresh, busy_until, final):
                kernel = scratch[0]
            else:
                kernel = inplace[0]
        kname = kernel_names.get(id(kernel))
        if kname is None:
            kname = kernel_names[id(kernel)] = f"k{len(kernel_names)}"
            namespace[kname] = kernel
        args = [expr(t) for t in a] + [f"{n}={expr(t)}" for n, t in k.items()]
        call = f"{kname}({', '.join(args)})"
        if o[0] == "s":
            lines.append(f"    v{o[1]} = {call}")
        elif o[0] == "l" and o[2] and all(t[0] in "sn" for t in o[2]):
            # A flat tuple of results: unpack it in the assignment.
            names = [f"v{t[1]}" if t[0] == "s" and t[1] in needed else "_" for t in o[2]]
            lines.append(f"    {', '.join(names)}, = {call}")
            if "_" in names:
                lines.append("    del _")
        else:
            tmp = f"t{i}"
            lines.append(f"    {tmp} = {call}")
            unpack: list = []
            _unpack(o, tmp, needed, unpack)
            lines.extend(unpack)
            lines.append(f"    del {tmp}")
        dead = [f"v{s}" for s, last in last_use.items() if last == i and s not in final]
        if dead:
            lines.append(f"    del {', '.join(sorted(dead))}")
    # A constant array handed out would be shared by every call (and a caller may write into
    # it, e.g. by donating it to the next call): hand out copies.
    out_exprs = [
        f"{expr(t)}.copy()" if t[0] == "c" and type(rec.consts[t[1]]) is np.ndarray else expr(t)
        for t in out_t
    ]
    lines.append(f"    return {_structure_expr(out, iter(out_exprs), namespace)}")
    for idx, value in enumerate(rec.consts):
        namespace[f"c{idx}"] = value
    src = "\n".join(lines) + "\n"
    exec(compile(src, "<kerasx numpy replay>", "exec"), namespace)  # noqa: S102
    return namespace["replay"], src


def _merge_repeated_calls(rec: Any, out_t: list) -> tuple[list, list]:
    """Common-subexpression elimination: a call of the same kernel on the same arguments as an
    earlier call (kernels are pure functions of their arguments) reuses that call's result.
    Returns the program and the output templates with the repeated results renamed."""
    alias: dict[int, int] = {}

    def canon(t: tuple) -> tuple:
        if t[0] == "s":
            return ("s", alias.get(t[1], t[1]))
        if t[0] == "l":
            return ("l", t[1], [canon(x) for x in t[2]])
        return t

    def frozen(t: tuple) -> Any:
        return (t[0], t[1], tuple(frozen(x) for x in t[2])) if t[0] == "l" else t

    seen: dict[Any, int] = {}
    program = []
    for kernel, a, k, o in rec.program:
        a = [canon(t) for t in a]
        k = {n: canon(t) for n, t in k.items()}
        if o[0] == "s":
            key = (
                id(kernel),
                tuple(frozen(t) for t in a),
                tuple((n, frozen(t)) for n, t in k.items()),
            )
            earlier = seen.get(key)
            if earlier is not None:
                alias[o[1]] = earlier
                continue
            seen[key] = o[1]
        program.append((kernel, a, k, o))
    if alias:
        for view, roots in list(rec.views.items()):
            rec.views[view] = {alias.get(r, r) for r in roots}
    return program, [canon(t) for t in out_t]


def _can_donate(
    indices: tuple,
    args: list,
    i: int,
    donated: frozenset,
    busy_until: dict,
    final: set,
    views: dict,
) -> bool:
    """Whether the in-place variant may write into arguments `indices` of call `i`: each is a
    donated input used for the last time here (also through its views), not an output."""
    slots = []
    for j in indices:
        if j >= len(args) or args[j][0] != "s":
            return False
        slot = args[j][1]
        if slot not in donated or busy_until.get(slot) != i or slot in final:
            return False
        slots.append(slot)
    # The other arguments must not be one of the buffers written to, nor a view of one.
    others: set = set()
    for j, t in enumerate(args):
        if j not in indices and t[0] == "s":
            others.add(t[1])
            others |= views.get(t[1], set())
    return len(set(slots)) == len(slots) and not (others & set(slots))


def _can_reuse(j: int, args: list, i: int, fresh: set, busy_until: dict, final: set) -> bool:
    """Whether call `i` may use argument `j` as scratch space: a fresh array (see `fresh` in
    `_generate`) read by no later call (nor through a view), not an output, and passed once."""
    if j >= len(args) or args[j][0] != "s":
        return False
    slot = args[j][1]
    if slot not in fresh or busy_until.get(slot) != i or slot in final:
        return False
    return sum(1 for t in args if t[0] == "s" and t[1] == slot) == 1


def _unpack(t: tuple, src: str, needed: set, lines: list) -> None:
    for j, s in enumerate(t[2]):
        if s[0] == "s" and s[1] in needed:
            lines.append(f"    v{s[1]} = {src}[{j}]")
        elif s[0] == "l":
            _unpack(s, f"{src}[{j}]", needed, lines)


def _structure_expr(structure: Any, leaves: Any, namespace: dict) -> str:
    """Source that rebuilds `structure` from leaf expressions (as kerasx.tree packs it)."""
    cls = structure.__class__
    if cls is dict:
        built = {
            k: _structure_expr(structure[k], leaves, namespace)
            for k in sorted(structure, key=_tree._sort_key)
        }
        items = []
        for k in structure:
            name = f"K{len(namespace)}"
            namespace[name] = k
            items.append(f"{name}: {built[k]}")
        return "{" + ", ".join(items) + "}"
    if cls is list:
        return "[" + ", ".join(_structure_expr(s, leaves, namespace) for s in structure) + "]"
    if cls is tuple:
        return "(" + "".join(_structure_expr(s, leaves, namespace) + ", " for s in structure) + ")"
    if _tree.is_nested(structure):
        # namedtuples, dict subclasses, deques, ...: rebuild with kerasx.tree at run time
        n = len(_tree.flatten(structure))
        exprs = [next(leaves) for _ in range(n)]
        name = f"S{len(namespace)}"
        namespace[name] = structure
        namespace["_pack"] = _tree.pack_sequence_as
        return f"_pack({name}, [{', '.join(exprs)}])"
    return next(leaves)

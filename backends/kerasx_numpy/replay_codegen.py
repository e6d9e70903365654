"""Code generation for the NumPy engine's trace-and-replay `jit` (see `kerasx_numpy.replay`).

`_generate` turns a recording (a `_Recorder`'s program: kernel calls on input slots, earlier
results and constants) into the source of one straight-line Python function: repeated calls are
merged, dead calls dropped, arrays deleted after their last use, and kernels with in-place
variants write into donated inputs (and dead fresh results) when that is safe.
"""

from __future__ import annotations

import itertools
import operator
import threading
from typing import Any

import numpy as np

from kerasx.engine import tree as _tree

_ARRAY_TYPES = (np.ndarray, np.generic)
# Kernels whose result is always a newly allocated array (see `_can_reuse`; a kernel may also
# say so with a true ``fresh_result`` attribute).
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
    kept = _fuse_pairs(kept, out_t, rec)

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
        if o[0] == "s"
        and (kernel in _FRESH or getattr(kernel, "fresh_result", False))
        and o[1] in rec.writable
        and o[1] not in rec.views
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

    # In-place variants, decided in the recorded order (they need its liveness).
    chosen = []
    for i, (kernel, a, _, _) in enumerate(kept):
        inplace = getattr(kernel, "inplace", None)
        if inplace is not None and _can_donate(
            inplace[1], a, i, donated, busy_until, final, rec.views
        ):
            scratch = getattr(kernel, "inplace_scratch", None)
            if scratch is not None and _can_reuse(scratch[2], a, i, fresh, busy_until, final):
                kernel = scratch[0]
            else:
                kernel = inplace[0]
        chosen.append(kernel)
    program = _group_flat_updates(kept, chosen, rec, busy_until, final)
    last_use = {}
    for i, (_, a, k, _) in enumerate(program):
        used = set()
        for t in [*a, *k.values()]:
            slots_in(t, used)
        for s in used:
            last_use[s] = i

    lines = ["def replay(leaves):"]
    if n_inputs:
        names = ", ".join(f"v{i}" for i in range(n_inputs))
        lines.append(f"    {names}, = leaves")
    dead_inputs = [f"v{i}" for i in range(n_inputs) if i not in last_use and i not in final]
    if dead_inputs:
        lines.append(f"    del {', '.join(dead_inputs)}")
    for i, (kernel, a, k, o) in enumerate(program):
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


def _fuse_pairs(kept: list, out_t: list, rec: Any) -> list:
    """Pair fusion: a call whose kernel has a ``fuse_after`` table ({producer kernel: fused
    kernel}) and whose first argument is the result of a call of a listed producer on the
    call's own second argument, that result being used nowhere else, becomes one call of the
    fused kernel, on the producer's arguments followed by the call's remaining ones (the
    fused kernel computes ``call(producer(*p_args), p_args[0], *rest)``)."""
    if not any(getattr(instr[0], "fuse_after", None) for instr in kept):
        return kept
    uses: dict[int, int] = {}

    def count(t: tuple) -> None:
        if t[0] == "s":
            uses[t[1]] = uses.get(t[1], 0) + 1
        elif t[0] == "l":
            for s in t[2]:
                count(s)

    for _, a, k, _ in kept:
        for t in [*a, *k.values()]:
            count(t)
    for t in out_t:
        count(t)
    aliased = set(rec.views)
    for roots in rec.views.values():
        aliased.update(roots)
    producer = {o[1]: i for i, (_, _, _, o) in enumerate(kept) if o[0] == "s"}
    program = list(kept)
    for j, (kernel, a, k, o) in enumerate(kept):
        table = getattr(kernel, "fuse_after", None)
        if not table or k or len(a) < 2 or a[0][0] != "s":
            continue
        slot = a[0][1]
        i = producer.get(slot)
        if i is None or program[i] is None or uses.get(slot) != 1 or slot in aliased:
            continue
        p_kernel, p_args, p_kwargs, _ = program[i]
        fused = table.get(p_kernel)
        if fused is None or p_kwargs or not p_args or a[1] != p_args[0]:
            continue
        program[i] = None  # its arguments stay alive until the fused call, which replaces j
        program[j] = (fused, [*p_args, *a[2:]], {}, o)
    return [instr for instr in program if instr is not None]


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


# Variables up to this many elements are updated together (see `_group_flat_updates`); a
# larger one is worth its own calls (their cost is its memory traffic, not call overhead).
# A group holds at most _FLAT_MAX_TOTAL elements (its gradients are copied into a scratch
# buffer that size).
_FLAT_MAX_SIZE = 1 << 14
_FLAT_MAX_TOTAL = 1 << 18


def _group_flat_updates(kept: list, chosen: list, rec: Any, busy_until: dict, final: set) -> list:
    """The program with in-place optimizer updates of small variables merged: one call of a
    `_FlatGroup` per set of calls of the same update kernel with the same scalar arguments.

    A kernel opts in with a ``flat`` attribute, ``(variant, n)``: its first `n` arguments are
    same-shape tensors (a read-only one, then the state it writes in place and returns, in
    order), the update is elementwise over them, and `variant` runs it on flat arrays (it may
    use argument 0 as scratch). A few small variables then cost one kernel call instead of one
    each: for small arrays NumPy's per-call overhead, not arithmetic, is the time. The merged
    call takes the place of the group's last member; each member moves there only when no call
    in between reads its results, and its gradient is dead after it (so nothing in between
    writes into it). Returns the program as ``(kernel to call, args, kwargs, outputs)``."""
    program = [(kernel, a, k, o) for kernel, (_, a, k, o) in zip(chosen, kept)]
    groups: dict[tuple, list] = {}
    for i, ((base, a, k, o), kernel) in enumerate(zip(kept, chosen)):
        flat = getattr(base, "flat", None)
        if flat is None or kernel is base or k:
            continue  # no flat form, or not updated in place here
        n = flat[1]
        if len(a) < n or any(t[0] != "s" for t in a[:n]):
            continue
        metas = [rec.meta.get(t[1]) for t in a[:n]]
        if metas[0] is None or any(m != metas[0] for m in metas):
            continue
        shape, dtype = metas[0]
        if not 0 < int(np.prod(shape)) <= _FLAT_MAX_SIZE:
            continue
        grad = a[0][1]
        if busy_until.get(grad) != i or grad in final or grad in rec.views:
            continue
        if o[0] != "l" or len(o[2]) != n - 1 or any(t[0] not in "sn" for t in o[2]):
            continue
        shared = tuple(_scalar_key(t, rec) for t in a[n:])
        if None in shared:
            continue
        groups.setdefault((id(base), dtype.str, shared), []).append(i)
    if not groups:
        return program
    readers: dict[int, list] = {}  # slot -> indices of the calls reading it
    for i, (_, a, k, _) in enumerate(kept):
        for t in [*a, *k.values()]:
            for slot in _slots(t):
                readers.setdefault(slot, []).append(i)
    merged: dict[int, tuple] = {}  # index of a group's last member -> the merged call
    dropped: set = set()
    for members in groups.values():
        runs: list = []
        run: list = []
        limit = len(kept)  # the first later call reading a member's results
        total = 0
        for i in members:
            size = int(np.prod(rec.meta[kept[i][1][0][1]][0]))
            if run and (i >= limit or total + size > _FLAT_MAX_TOTAL):
                runs.append(run)
                run, limit, total = [], len(kept), 0
            run.append(i)
            total += size
            outs = [t[1] for t in kept[i][3][2] if t[0] == "s"]
            later = [r for s in outs for r in readers.get(s, ()) if r > i]
            limit = min([limit, *later])
        runs.append(run)
        for run in runs:
            if len(run) < 2:
                continue
            base, a0, _, _ = kept[run[0]]
            fn, n = base.flat
            shapes = [rec.meta[kept[i][1][0][1]][0] for i in run]
            dtype = rec.meta[a0[0][1]][1]
            args = [("l", tuple, [kept[i][1][j] for i in run]) for j in range(n)]
            args += list(kept[run[-1]][1][n:])
            outs = ("l", tuple, [t for i in run for t in kept[i][3][2]])
            merged[run[-1]] = (_FlatGroup(fn, n, shapes, dtype), args, {}, outs)
            dropped.update(run[:-1])
    return [merged.get(i, instr) for i, instr in enumerate(program) if i not in dropped]


def _slots(t: tuple) -> list:
    if t[0] == "s":
        return [t[1]]
    if t[0] == "l":
        return [s for x in t[2] for s in _slots(x)]
    return []


def _scalar_key(t: tuple, rec: Any) -> Any:
    """A hashable stand-in for a shared argument: its slot, or a constant's value (equal
    Python scalars, NumPy scalars or 0-d arrays of one type and dtype are interchangeable);
    None for anything else."""
    if t[0] == "s":
        return t
    if t[0] == "c":
        value = rec.consts[t[1]]
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return ("c", np.ndarray, value.dtype.str, repr(value.item()))
        if isinstance(value, np.generic):
            return ("c", type(value), value.dtype.str, repr(value.item()))
        if isinstance(value, (bool, int, float)):
            return ("c", type(value), "", repr(value))  # repr: -0.0 and 0.0 differ
    return None


class _FlatGroup:
    """One elementwise in-place update (`fn`) for several small variables at once.

    The state it writes (the variables and their optimizer slots) lives in flat buffers, one
    per state tensor, holding the variables side by side; each call returns views of them.
    When a call gets those very views back (a training loop passes each step's results to the
    next), it copies the gradients into a flat buffer and runs `fn` once on the flat arrays.
    Any other state (the first call, or a caller that kept older arrays) is first copied into
    new flat buffers. Elementwise arithmetic gives the same numbers as separate calls."""

    def __init__(self, fn: Any, n: int, shapes: list, dtype: Any) -> None:
        self.fn, self.n, self.dtype = fn, n, dtype
        self.layout = []
        offset = 0
        for shape in shapes:
            size = int(np.prod(shape))
            self.layout.append((offset, size, tuple(shape)))
            offset += size
        self.total = offset
        self.state: tuple | None = None
        self.__name__ = f"{getattr(fn, '__name__', 'update')}[flat x{len(shapes)}]"

    def _adopt(self, written: tuple) -> tuple:
        flats, views = [], []
        for per_member in written:
            flat = np.empty(self.total, dtype=self.dtype)
            these = []
            for (offset, size, shape), x in zip(self.layout, per_member):
                view = flat[offset : offset + size].reshape(shape)
                np.copyto(view, x)
                these.append(view)
            flats.append(flat)
            views.append(these)
        out = tuple(views[t][m] for m in range(len(self.layout)) for t in range(len(views)))
        state = (flats, [v for vs in views for v in vs], out)
        self.state = state  # one assignment: a concurrent call sees the old or the new state
        return state

    def __call__(self, *args: Any) -> tuple:
        n = self.n
        written = args[1:n]
        state = self.state
        if state is None or not all(
            map(operator.is_, itertools.chain.from_iterable(written), state[1])
        ):
            state = self._adopt(written)
        flats, _, out = state
        grad = _scratch(self.total, self.dtype)
        np.concatenate([g.reshape(-1) for g in args[0]], out=grad)
        self.fn(grad, *flats, *args[n:])
        return out


_SCRATCH = threading.local()


def _scratch(size: int, dtype: np.dtype) -> np.ndarray:
    """A flat buffer of `size` elements, reused by every `_FlatGroup` call of this thread."""
    cache = getattr(_SCRATCH, "buffers", None)
    if cache is None:
        cache = _SCRATCH.buffers = {}
    key = dtype.str
    buf = cache.get(key)
    if buf is None or buf.size < size:
        buf = cache[key] = np.empty(size, dtype=dtype)
    return buf[:size]


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

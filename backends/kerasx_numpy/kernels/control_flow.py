"""NumPy kernels: control flow (cond, scan, while_loop, ...) and custom_gradient.

These kernels run the user's functions in Python loops. The functions receive NumPy arrays
or, under `value_and_grad`, tape tracers: every op they run is then recorded on the tape,
so gradients flow through the loops. Slices are taken once per step and outputs are
stacked once at the end, so a recorded loop costs O(steps) tape nodes.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from kerasx.engine import dispatch, tree
from kerasx.engine import tape as _tape
from kerasx.engine.registry import REGISTRY
from kerasx.engine.symbolic import KerasTensor
from kerasx.engine.tape import Tracer
from kerasx.engine.variables import Variable

# ------------------------------------------------------------------------------ helpers


def _op(name: str) -> Any:
    return REGISTRY[name].fn


def _has_keras_tensor(slots: Any) -> bool:
    return any(isinstance(leaf, KerasTensor) for leaf in tree.flatten(list(slots)))


def _symbolic(name: str) -> Any:
    """Route calls with a KerasTensor anywhere in their arguments to the op's shape rule."""

    def decorate(kernel: Any) -> Any:
        def run(*slots: Any) -> Any:
            if _has_keras_tensor(slots):
                op = REGISTRY[name]
                return dispatch.call_with_slots(op.shape, op, slots)
            return kernel(*slots)

        run.__name__ = kernel.__name__
        run.__doc__ = kernel.__doc__
        return run

    return decorate


def _as_tensor(v: Any) -> Any:
    """A loop value as a NumPy array or tracer (Variables read, Python data converted)."""
    if isinstance(v, Variable):
        v = v.value
    if v is None or isinstance(v, (Tracer, np.ndarray, np.generic)):
        return v
    return dispatch.engine().convert_to_tensor(v)


def _tensors(structure: Any) -> Any:
    return tree.map_structure(_as_tensor, structure)


def _concrete(v: Any) -> Any:
    """The plain NumPy value of a (possibly traced) tensor."""
    if isinstance(v, Variable):
        v = v.value
    while isinstance(v, Tracer):
        v = v.value
    return np.asarray(v)


def _check_callable(fn: Any, name: str) -> None:
    if not callable(fn):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected a callable. Received: {name}={fn!r}"
        )


def _skeleton(x: Any) -> Any:
    """The container layout of a structure (lists and tuples alike; leaves as "*")."""
    if isinstance(x, dict):
        return ("dict", tuple((str(k), _skeleton(x[k])) for k in sorted(x, key=str)))
    if isinstance(x, (list, tuple)):
        return ("seq", tuple(_skeleton(c) for c in x))
    return "*"


def _check_same_structure(a: Any, b: Any, message: str) -> None:
    if _skeleton(a) != _skeleton(b):
        raise ValueError(message)


def _leading_dim(leaves: list, name: str) -> int:
    n = None
    for leaf in leaves:
        shape = tuple(leaf.shape)
        if not shape:
            raise ValueError(
                f"Received an invalid value for `{name}`: every tensor must have at least one "
                "dimension to loop over. Received a scalar."
            )
        if n is not None and shape[0] != n:
            raise ValueError(
                f"Received an invalid value for `{name}`: every tensor must have the same "
                f"size along the first axis. Received sizes {n} and {shape[0]}."
            )
        n = shape[0]
    if n is None:
        raise ValueError(f"Received an invalid value for `{name}`: it holds no tensors.")
    return n


def _slices(x: Any, n: int) -> list:
    """The `n` slices of `x` along its first axis, taken once."""
    if isinstance(x, Tracer):
        if "unstack" in REGISTRY:
            return list(_op("unstack")(x, axis=0))
        return [x[i] for i in range(n)]
    return [x[i] for i in range(n)]


def _stack_leaf(items: list) -> Any:
    if any(isinstance(t, Tracer) for t in items):
        return _op("stack")([_as_tensor(t) for t in items], axis=0)
    return np.stack([np.asarray(t) for t in items], axis=0)


def _stack_outputs(outputs: list, spec_fn: Any) -> Any:
    """Stack a list of per-step output structures leaf by leaf (None leaves stay None)."""
    if not outputs:
        spec = spec_fn()
        return tree.map_structure(
            lambda s: None if s is None else np.zeros((0, *s.shape), dtype=s.dtype), spec
        )
    flats = [tree.flatten(o) for o in outputs]
    first = outputs[0]
    for o, fl in zip(outputs, flats):
        if len(fl) != len(flats[0]):
            raise ValueError(
                "The function must return the same structure at every step. Received "
                f"{len(flats[0])} and {len(fl)} tensors."
            )
        del o
    stacked = []
    for j in range(len(flats[0])):
        column = [fl[j] for fl in flats]
        if column[0] is None:
            stacked.append(None)
        else:
            stacked.append(_stack_leaf([_as_tensor(t) for t in column]))
    return tree.pack_sequence_as(first, stacked)


def _keras_specs(structure: Any) -> Any:
    def spec(t: Any) -> Any:
        if t is None:
            return None
        t = _as_tensor(t)
        return KerasTensor(tuple(t.shape), str(np.asarray(_concrete(t)).dtype))

    return tree.map_structure(spec, structure)


def _slice_specs(structure: Any) -> Any:
    return tree.map_structure(
        lambda t: None if t is None else KerasTensor(t.shape[1:], t.dtype), _keras_specs(structure)
    )


# ---------------------------------------------------------------------------- the kernels


@_symbolic("cond")
def cond(pred, true_fn, false_fn):
    _check_callable(true_fn, "true_fn")
    _check_callable(false_fn, "false_fn")
    p = _concrete(pred)
    if p.ndim != 0:
        raise ValueError(
            f"Received an invalid value for `pred`, expected a scalar boolean. Received a "
            f"tensor of shape {p.shape}."
        )
    return _tensors(true_fn() if bool(p) else false_fn())


def _branch_index(index: Any, n: int) -> int:
    i = _concrete(index)
    if i.ndim != 0 or i.dtype.kind not in "iub":
        raise ValueError(
            f"Received an invalid value for `index`, expected a scalar integer. Received: "
            f"index={index!r}"
        )
    return int(min(max(int(i), 0), n - 1))


def _check_branches(branches: Any) -> None:
    if not isinstance(branches, (list, tuple)) or not branches:
        raise ValueError(
            "Received an invalid value for `branches`, expected a non-empty list of callables. "
            f"Received: branches={branches!r}"
        )
    for b in branches:
        _check_callable(b, "branches")


@_symbolic("switch")
def switch(index, branches, operands):
    _check_branches(branches)
    i = _branch_index(index, len(branches))
    return _tensors(branches[i](*_tensors(operands)))


def _check_max_iterations(maximum_iterations: Any) -> None:
    if maximum_iterations is None:
        return
    if isinstance(maximum_iterations, bool) or not isinstance(
        maximum_iterations, (int, np.integer)
    ):
        ok = False
    else:
        ok = maximum_iterations >= 0
    if not ok:
        raise ValueError(
            "Received an invalid value for `maximum_iterations`, expected None or an int >= 0. "
            f"Received: maximum_iterations={maximum_iterations!r}"
        )


@_symbolic("while_loop")
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    _check_callable(cond, "cond")
    _check_callable(body, "body")
    _check_max_iterations(maximum_iterations)
    is_tuple = isinstance(loop_vars, (list, tuple))
    state = tuple(_tensors(v) for v in loop_vars) if is_tuple else (_tensors(loop_vars),)
    steps = 0
    while maximum_iterations is None or steps < maximum_iterations:
        c = cond(*state)
        if not bool(_concrete(c)):
            break
        out = body(*state)
        if is_tuple:
            out = tuple(out) if isinstance(out, (list, tuple)) else (out,)
        else:
            out = (out,)
        _check_same_structure(
            state,
            out,
            "`body` must return the same structure as `loop_vars`. Received "
            f"{len(tree.flatten(out))} tensors, expected {len(tree.flatten(state))}.",
        )
        state = tuple(_tensors(o) for o in out)
        steps += 1
    return state if is_tuple else state[0]


def _loop_bound(v: Any, name: str) -> int:
    c = _concrete(v)
    if c.ndim != 0 or c.dtype.kind not in "iu":
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an integer scalar. Received: "
            f"{name}={v!r}"
        )
    return int(c)


@_symbolic("fori_loop")
def fori_loop(lower, upper, body_fun, init_val):
    _check_callable(body_fun, "body_fun")
    lo = _loop_bound(lower, "lower")
    hi = _loop_bound(upper, "upper")
    val = _tensors(init_val)
    for i in range(lo, hi):
        new = _tensors(body_fun(np.int32(i), val))
        _check_same_structure(
            val, new, "`body_fun` must return a value with the same structure as `init_val`."
        )
        val = new
    return val


def _check_scan_args(length: Any, reverse: Any, unroll: Any) -> None:
    if length is not None and (
        isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0
    ):
        raise ValueError(
            "Received an invalid value for `length`, expected None or an int >= 0. Received: "
            f"length={length!r}"
        )
    if not isinstance(reverse, (bool, np.bool_)):
        raise TypeError(
            f"Received an invalid value for `reverse`, expected a bool. Received: reverse={reverse!r}"
        )
    if not isinstance(unroll, (bool, int, np.integer)) or (
        not isinstance(unroll, bool) and unroll < 1
    ):
        raise ValueError(
            "Received an invalid value for `unroll`, expected a bool or an int >= 1. Received: "
            f"unroll={unroll!r}"
        )


@_symbolic("scan")
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    _check_callable(f, "f")
    _check_scan_args(length, reverse, unroll)
    carry = _tensors(init)
    if xs is None:
        if length is None:
            raise ValueError(
                "`scan` needs `xs` to loop over or `length` (the number of steps). Received: "
                "xs=None, length=None"
            )
        n = int(length)
        x_leaves: list = []
    else:
        xs = _tensors(xs)
        x_leaves = tree.flatten(xs)
        present = [x for x in x_leaves if x is not None]
        n = _leading_dim(present, "xs")
        if length is not None and int(length) != n:
            raise ValueError(
                f"Received an invalid value for `length`: it must match the first dimension of "
                f"`xs` ({n}). Received: length={length}"
            )
    columns = [None if x is None else _slices(x, n) for x in x_leaves]
    single = xs is not None and not tree.is_nested(xs)
    nested = tree.is_nested(carry)
    order = range(n - 1, -1, -1) if reverse else range(n)
    ys: list = []
    for i in order:
        if xs is None:
            x_i = None
        elif single:
            x_i = columns[0][i]
        else:
            x_i = tree.pack_sequence_as(xs, [None if c is None else c[i] for c in columns])
        out = f(carry, x_i)
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            raise ValueError(
                f"`f` must return a pair (new_carry, y). Received: {type(out).__name__}"
            )
        new_carry, y = out
        if nested:
            new_carry = _tensors(new_carry)
            if not ys:  # the structure is checked once, on the first step
                _check_same_structure(
                    carry, new_carry, "`f` must return a carry with the same structure as `init`."
                )
        elif not isinstance(new_carry, (Tracer, np.ndarray, np.generic)):
            if tree.is_nested(new_carry):
                raise ValueError("`f` must return a carry with the same structure as `init`.")
            new_carry = _as_tensor(new_carry)
        carry = new_carry
        ys.append(y)
    if reverse:
        ys.reverse()

    def spec() -> Any:
        x_spec = None if xs is None else _slice_specs(xs)
        return f(_keras_specs(carry), x_spec)[1]

    return carry, _stack_outputs(ys, spec)


def _map_impl(f: Any, xs: Any, name: str) -> Any:
    xs = _tensors(xs)
    leaves = tree.flatten(xs)
    n = _leading_dim([x for x in leaves if x is not None], name)
    columns = [None if x is None else _slices(x, n) for x in leaves]
    outs = [
        f(tree.pack_sequence_as(xs, [None if c is None else c[i] for c in columns]))
        for i in range(n)
    ]
    return _stack_outputs(outs, lambda: f(_slice_specs(xs)))


@_symbolic("map")
def map_(f, xs):
    _check_callable(f, "f")
    return _map_impl(f, xs, "xs")


@_symbolic("vectorized_map")
def vectorized_map(function, elements):
    _check_callable(function, "function")
    return _map_impl(function, elements, "elements")


# ----------------------------------------------------------------------- associative_scan


def _index(x: Any, axis: int, sl: slice) -> Any:
    return x[(slice(None),) * axis + (sl,)]


def _concat(parts: list, axis: int) -> Any:
    if any(isinstance(p, Tracer) for p in parts):
        return _op("concatenate")(parts, axis=axis)
    return np.concatenate(parts, axis=axis)


def _interleave(even: Any, odd: Any, axis: int) -> Any:
    """Merge `even` (ceil(n/2) items) and `odd` (floor(n/2) items) along `axis`."""
    n_even, n_odd = even.shape[axis], odd.shape[axis]
    head = _index(even, axis, slice(0, n_odd)) if n_even != n_odd else even
    if isinstance(head, Tracer) or isinstance(odd, Tracer):
        pair = _op("stack")([head, odd], axis=axis + 1)
        shape = list(head.shape)
        shape[axis] = 2 * n_odd
        merged = _op("reshape")(pair, tuple(shape))
    else:
        pair = np.stack([head, odd], axis=axis + 1)
        shape = list(head.shape)
        shape[axis] = 2 * n_odd
        merged = pair.reshape(shape)
    if n_even != n_odd:
        merged = _concat([merged, _index(even, axis, slice(n_even - 1, n_even))], axis)
    return merged


def _assoc_scan(fn: Any, leaves: list, axis: int) -> list:
    n = leaves[0].shape[axis]
    if n < 2:
        return leaves
    a = [_index(x, axis, slice(0, -1, 2)) for x in leaves]
    b = [_index(x, axis, slice(1, None, 2)) for x in leaves]
    reduced = fn(a, b)
    odd = _assoc_scan(fn, reduced, axis)
    rest = [_index(x, axis, slice(2, None, 2)) for x in leaves]
    if n % 2 == 0:
        even = fn([_index(o, axis, slice(0, -1)) for o in odd], rest)
    else:
        even = fn(odd, rest)
    even = [_concat([_index(x, axis, slice(0, 1)), e], axis) for x, e in zip(leaves, even)]
    return [_interleave(e, o, axis) for e, o in zip(even, odd)]


def _flip(x: Any, axis: int) -> Any:
    return _index(x, axis, slice(None, None, -1))


@_symbolic("associative_scan")
def associative_scan(f, elems, reverse=False, axis=0):
    _check_callable(f, "f")
    if not isinstance(reverse, (bool, np.bool_)):
        raise TypeError(
            f"Received an invalid value for `reverse`, expected a bool. Received: reverse={reverse!r}"
        )
    elems = _tensors(elems)
    leaves = tree.flatten(elems)
    if not leaves or any(x is None for x in leaves):
        raise ValueError("Received an invalid value for `elems`: expected a structure of tensors.")
    ndim = len(leaves[0].shape)
    if (
        isinstance(axis, bool)
        or not isinstance(axis, (int, np.integer))
        or not -ndim <= axis < ndim
    ):
        raise ValueError(
            f"Received an invalid value for `axis`, expected an int in [{-ndim}, {ndim}). "
            f"Received: axis={axis!r}"
        )
    axis = int(axis) % ndim
    sizes = {x.shape[axis] if len(x.shape) > axis else None for x in leaves}
    if len(sizes) != 1 or None in sizes:
        raise ValueError(
            "Received an invalid value for `elems`: every tensor must have the same size along "
            f"`axis`={axis}. Received sizes {sorted(s for s in sizes if s is not None)}."
        )

    def fn(a: list, b: list) -> list:
        out = f(tree.pack_sequence_as(elems, a), tree.pack_sequence_as(elems, b))
        out_leaves = [_as_tensor(t) for t in tree.flatten(out)]
        if len(out_leaves) != len(a):
            raise ValueError(
                "`f` must return the same structure as `elems`. Received "
                f"{len(out_leaves)} tensors, expected {len(a)}."
            )
        return out_leaves

    if reverse:
        leaves = [_flip(x, axis) for x in leaves]
    out = _assoc_scan(fn, leaves, axis)
    if reverse:
        out = [_flip(x, axis) for x in out]
    return tree.pack_sequence_as(elems, out)


# ------------------------------------------------------------------------------ vectorize

_DIMS = r"\w+(?:,\s*\w+)*"
_ARG = rf"\((?:{_DIMS})?\)"
_SIGNATURE = re.compile(rf"^{_ARG}(?:,\s*{_ARG})*->{_ARG}(?:,\s*{_ARG})*$")


def _parse_signature(signature: str) -> tuple[list, list]:
    sig = signature.replace(" ", "")
    if not _SIGNATURE.match(sig):
        raise ValueError(
            "Received an invalid value for `signature`, expected a generalized-ufunc signature "
            f"such as '(n),(n)->()'. Received: signature={signature!r}"
        )
    ins, outs = sig.split("->")

    def parse(part: str) -> list:
        return [tuple(d for d in grp.split(",") if d) for grp in re.findall(r"\((.*?)\)", part)]

    return parse(ins), parse(outs)


def _vectorize_call(pyfunc, excluded, signature, args, kwargs):
    args = list(args)
    vec_pos = [i for i in range(len(args)) if i not in excluded]
    if signature is not None:
        in_core, out_core = _parse_signature(signature)
        if len(in_core) != len(vec_pos):
            raise TypeError(
                f"The vectorized function expects {len(in_core)} vectorized arguments (from "
                f"signature={signature!r}); received {len(vec_pos)}."
            )
    else:
        in_core, out_core = [()] * len(vec_pos), None
    dim_sizes: dict = {}
    loop_shapes = []
    vec_args = []
    for i, core in zip(vec_pos, in_core):
        x = _as_tensor(args[i])
        shape = tuple(x.shape)
        if len(shape) < len(core):
            raise ValueError(
                f"Argument {i} of the vectorized function has {len(shape)} dimensions but its "
                f"core dimensions {core} need at least {len(core)}."
            )
        split = len(shape) - len(core)
        for name, size in zip(core, shape[split:]):
            if dim_sizes.setdefault(name, size) != size:
                raise ValueError(
                    f"Inconsistent size for core dimension {name!r}: {dim_sizes[name]} vs {size}."
                )
        loop_shapes.append(shape[:split])
        vec_args.append(x)
    loop_shape = np.broadcast_shapes(*loop_shapes) if loop_shapes else ()
    total = int(np.prod(loop_shape)) if loop_shape else 1
    columns = []
    for x, core in zip(vec_args, in_core):
        core_shape = tuple(x.shape)[len(x.shape) - len(core) :]
        full = tuple(loop_shape) + core_shape
        if tuple(x.shape) != full:
            x = _op("broadcast_to")(x, full)
        x = _op("reshape")(x, (total, *core_shape))
        columns.append(_slices(x, total))
    if total == 0:
        raise ValueError(
            "The vectorized function cannot be called on inputs whose loop dimensions are "
            f"empty (loop shape {tuple(loop_shape)}): the output structure is unknown."
        )
    outs = []
    for k in range(total):
        call = list(args)
        for i, col in zip(vec_pos, columns):
            call[i] = col[k]
        outs.append(pyfunc(*call, **kwargs))
    multi = isinstance(outs[0], tuple) if outs else False
    results = []
    for j in range(len(outs[0]) if multi else 1):
        column = [_as_tensor(o[j] if multi else o) for o in outs]
        stacked = _stack_leaf(column)
        core_shape = tuple(stacked.shape[1:])
        results.append(_op("reshape")(stacked, tuple(loop_shape) + core_shape))
    if out_core is not None and len(out_core) != len(results):
        raise ValueError(
            f"The function returned {len(results)} outputs but signature={signature!r} "
            f"declares {len(out_core)}."
        )
    return tuple(results) if multi else results[0]


def _check_excluded(excluded: Any) -> frozenset:
    if excluded is None:
        return frozenset()
    try:
        items = frozenset(excluded)
    except TypeError:
        items = None
    if items is None or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise ValueError(
            "Received an invalid value for `excluded`, expected a set of positional-argument "
            f"indices (ints). Received: excluded={excluded!r}"
        )
    return items


def vectorize(pyfunc, excluded=None, signature=None):
    _check_callable(pyfunc, "pyfunc")
    excluded = _check_excluded(excluded)
    if signature is not None:
        _parse_signature(signature)

    def vectorized(*args, **kwargs):
        if dispatch.engine().name != "numpy":  # made under NumPy, called under another engine
            return REGISTRY["vectorize"].kernel(pyfunc, excluded, signature)(*args, **kwargs)
        return _vectorize_call(pyfunc, excluded, signature, args, kwargs)

    vectorized.__name__ = getattr(pyfunc, "__name__", "vectorized")
    vectorized.__doc__ = getattr(pyfunc, "__doc__", None)
    return vectorized


# ------------------------------------------------------------------------ custom_gradient


def _per_arg_grads(grads: Any, args: tuple) -> list:
    """Normalise what a grad_fn returned to one entry per positional argument."""
    if len(args) == 1:
        if isinstance(grads, (list, tuple)) and len(grads) == 1:
            if not tree.is_nested(args[0]) or tree.is_nested(grads[0]) or grads[0] is None:
                grads = grads[0]
        return [grads]
    if not isinstance(grads, (list, tuple)) or len(grads) != len(args):
        got = len(grads) if isinstance(grads, (list, tuple)) else 1
        raise ValueError(
            f"The gradient function must return one gradient per argument of the decorated "
            f"function: {len(args)} expected, received {got}."
        )
    return list(grads)


def _grad_leaves(grads: Any, args: tuple) -> list:
    """Flat gradients aligned with the flattened arguments (None where missing)."""
    out: list = []
    for g, a in zip(_per_arg_grads(grads, args), args):
        n = len(tree.flatten(a))
        if g is None:
            out.extend([None] * n)
            continue
        gl = tree.flatten(g)
        if len(gl) != n:
            raise ValueError(
                "The gradient function returned a gradient whose structure does not match its "
                f"argument ({len(gl)} tensors for an argument with {n})."
            )
        out.extend(gl)
    return out


def _live_level(leaves: list) -> int:
    level = -1
    for leaf in leaves:
        if isinstance(leaf, Tracer) and leaf.level > level:
            level = leaf.level
    return level if level < len(_tape._levels) else -1


def custom_gradient(f):
    _check_callable(f, "f")

    def wrapped(*args, **kwargs):
        if dispatch.engine().name != "numpy":  # made under NumPy, called under another engine
            return REGISTRY["custom_gradient"].kernel(f)(*args, **kwargs)
        flat = tree.flatten(args)
        flat = [v.value if isinstance(v, Variable) else v for v in flat]
        if any(isinstance(v, KerasTensor) for v in flat):
            return f(*args, **kwargs)[0]
        level = _live_level(flat)
        if level < 0:
            return f(*tree.pack_sequence_as(args, flat), **kwargs)[0]
        parents: list = []
        inner = []
        for k, v in enumerate(flat):
            if isinstance(v, Tracer) and v.level == level:
                parents.append((k, -1, v))
                inner.append(v.value)
            else:
                inner.append(v)
        inner_args = tree.pack_sequence_as(args, inner)
        y, grad_fn = f(*inner_args, **kwargs)
        y_leaves = tree.flatten(y)
        n_in = len(flat)
        # Outputs that still depend on this level (through values f closes over) keep that
        # dependence: their cotangent flows back through f's own recorded ops.
        ans = []
        for j, leaf in enumerate(y_leaves):
            if isinstance(leaf, Tracer) and leaf.level == level:
                parents.append((n_in + j, -1, leaf))
                ans.append(leaf.value)
            else:
                ans.append(_as_tensor(leaf))
        node = _tape.Node(None, (), list(ans), parents, True)

        def vjp_fn(g: Any) -> list:
            g_struct = tree.pack_sequence_as(y, list(g))
            grads = _grad_leaves(grad_fn(g_struct), inner_args)
            grads = [_tape._unbox_level(c, level) for c in grads]
            return grads + list(g)

        node.vjp_fn = vjp_fn
        _tape._levels[level].append(node)
        out = [Tracer(a, level, node, j) for j, a in enumerate(ans)]
        return tree.pack_sequence_as(y, out)

    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = getattr(f, "__doc__", None)
    return wrapped


KERNELS = {
    "associative_scan": associative_scan,
    "cond": cond,
    "custom_gradient": custom_gradient,
    "fori_loop": fori_loop,
    "map": map_,
    "scan": scan,
    "switch": switch,
    "vectorize": vectorize,
    "vectorized_map": vectorized_map,
    "while_loop": while_loop,
}

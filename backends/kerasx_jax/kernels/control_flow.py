"""JAX kernels: control flow through ``jax.lax`` and ``jax.vmap``; custom_gradient.

The user's functions receive JAX arrays (tracers inside the loops); what they return is
converted with Keras's defaults (a Python float becomes float32), so loop-carried values keep
stable dtypes even though JAX's 64-bit mode is on.
"""

from __future__ import annotations

import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasx.engine import dispatch, tree
from kerasx.engine.registry import REGISTRY
from kerasx.engine.symbolic import KerasTensor
from kerasx.engine.variables import Variable

# ------------------------------------------------------------------------------ helpers


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
    if isinstance(v, Variable):
        v = v.value
    if v is None or isinstance(v, (jax.Array, jax.core.Tracer)):
        return v
    return dispatch.engine().convert_to_tensor(v)


def _tensors(structure: Any) -> Any:
    return tree.map_structure(_as_tensor, structure)


def _wrap(fn: Any) -> Any:
    """`fn` with its outputs converted to JAX arrays (Keras dtypes for Python scalars)."""

    def wrapped(*args: Any) -> Any:
        return _tensors(fn(*args))

    return wrapped


def _check_callable(fn: Any, name: str) -> None:
    if not callable(fn):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected a callable. Received: {name}={fn!r}"
        )


def _scalar(v: Any, name: str, kinds: str, what: str) -> Any:
    x = _as_tensor(v)
    if x.ndim != 0 or x.dtype.kind not in kinds:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected {what}. Received: {name}={v!r}"
        )
    return x


# ---------------------------------------------------------------------------- the kernels


@_symbolic("cond")
def cond(pred, true_fn, false_fn):
    _check_callable(true_fn, "true_fn")
    _check_callable(false_fn, "false_fn")
    p = _scalar(pred, "pred", "biuf", "a scalar boolean")
    return jax.lax.cond(p.astype(bool), _wrap(true_fn), _wrap(false_fn))


@_symbolic("switch")
def switch(index, branches, operands):
    if not isinstance(branches, (list, tuple)) or not branches:
        raise ValueError(
            "Received an invalid value for `branches`, expected a non-empty list of callables. "
            f"Received: branches={branches!r}"
        )
    for b in branches:
        _check_callable(b, "branches")
    i = _scalar(index, "index", "iub", "a scalar integer").astype(jnp.int32)
    return jax.lax.switch(i, [_wrap(b) for b in branches], *_tensors(operands))


@_symbolic("while_loop")
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    _check_callable(cond, "cond")
    _check_callable(body, "body")
    if maximum_iterations is not None and (
        isinstance(maximum_iterations, bool)
        or not isinstance(maximum_iterations, (int, np.integer))
        or maximum_iterations < 0
    ):
        raise ValueError(
            "Received an invalid value for `maximum_iterations`, expected None or an int >= 0. "
            f"Received: maximum_iterations={maximum_iterations!r}"
        )
    is_tuple = isinstance(loop_vars, (list, tuple))
    state = tuple(_tensors(v) for v in loop_vars) if is_tuple else (_tensors(loop_vars),)

    def run_body(s: tuple) -> tuple:
        out = body(*s)
        if is_tuple:
            out = tuple(out) if isinstance(out, (list, tuple)) else (out,)
        else:
            out = (out,)
        return tuple(_tensors(o) for o in out)

    def keep_going(s: tuple) -> Any:
        return jnp.asarray(cond(*s)).astype(bool).reshape(())

    if maximum_iterations is None:
        final = jax.lax.while_loop(keep_going, run_body, state)
    else:
        limit = int(maximum_iterations)

        def capped_cond(s: tuple) -> Any:
            return jnp.logical_and(s[1] < limit, keep_going(s[0]))

        def capped_body(s: tuple) -> tuple:
            return run_body(s[0]), s[1] + 1

        final, _ = jax.lax.while_loop(capped_cond, capped_body, (state, jnp.int32(0)))
    return final if is_tuple else final[0]


def _bound(v: Any, name: str) -> Any:
    x = v.value if isinstance(v, Variable) else v
    if isinstance(x, jax.core.Tracer):
        return _scalar(x, name, "iu", "an integer scalar").astype(jnp.int32)
    c = np.asarray(x)
    if c.ndim != 0 or c.dtype.kind not in "iu":
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an integer scalar. Received: "
            f"{name}={v!r}"
        )
    return np.int32(c)


@_symbolic("fori_loop")
def fori_loop(lower, upper, body_fun, init_val):
    _check_callable(body_fun, "body_fun")
    lo, hi = _bound(lower, "lower"), _bound(upper, "upper")
    body = _wrap(body_fun)
    init = _tensors(init_val)
    if isinstance(lo, np.integer) and isinstance(hi, np.integer):
        # Concrete bounds: a scan over int32 indices (reverse-differentiable; jax's own
        # fori_loop would hand the body int64 indices in 64-bit mode).
        def step(v: Any, i: Any) -> Any:
            return body(i, v), None

        indices = jnp.arange(int(lo), max(int(lo), int(hi)), dtype=jnp.int32)
        return jax.lax.scan(step, init, indices)[0]

    def keep_going(s: tuple) -> Any:
        return s[0] < hi

    def advance(s: tuple) -> tuple:
        return s[0] + jnp.int32(1), body(s[0], s[1])

    return jax.lax.while_loop(keep_going, advance, (jnp.asarray(lo, jnp.int32), init))[1]


@_symbolic("scan")
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    _check_callable(f, "f")
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
    if xs is None and length is None:
        raise ValueError(
            "`scan` needs `xs` to loop over or `length` (the number of steps). Received: "
            "xs=None, length=None"
        )
    xs = None if xs is None else _tensors(xs)
    if xs is not None:
        sizes = {tuple(x.shape)[:1] for x in tree.flatten(xs) if x is not None}
        if () in sizes or len(sizes) > 1:
            raise ValueError(
                "Received an invalid value for `xs`: every tensor must have at least one "
                f"dimension and the same size along the first axis. Received sizes {sizes}."
            )
        n = next(iter(sizes))[0] if sizes else None
        if length is not None and n is not None and n != length:
            raise ValueError(
                f"Received an invalid value for `length`: it must match the first dimension of "
                f"`xs` ({n}). Received: length={length}"
            )

    def step(carry: Any, x: Any) -> Any:
        out = f(carry, x)
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            raise ValueError(
                f"`f` must return a pair (new_carry, y). Received: {type(out).__name__}"
            )
        return _tensors(out[0]), _tensors(out[1])

    return jax.lax.scan(
        step,
        _tensors(init),
        xs,
        length=None if length is None else int(length),
        reverse=bool(reverse),
        unroll=unroll,
    )


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
    ndim = leaves[0].ndim
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
    sizes = {x.shape[axis] if x.ndim > axis else None for x in leaves}
    if len(sizes) != 1 or None in sizes:
        raise ValueError(
            "Received an invalid value for `elems`: every tensor must have the same size along "
            f"`axis`={axis}. Received sizes {sorted(s for s in sizes if s is not None)}."
        )
    return jax.lax.associative_scan(_wrap(f), elems, reverse=bool(reverse), axis=axis)


def _check_leading(xs: Any, name: str) -> None:
    sizes = {tuple(x.shape)[:1] for x in tree.flatten(xs) if x is not None}
    if not sizes or () in sizes or len(sizes) > 1:
        raise ValueError(
            f"Received an invalid value for `{name}`: every tensor must have at least one "
            f"dimension and the same size along the first axis. Received sizes {sizes}."
        )


@_symbolic("map")
def map_(f, xs):
    _check_callable(f, "f")
    xs = _tensors(xs)
    _check_leading(xs, "xs")
    return jax.lax.map(_wrap(f), xs)


@_symbolic("vectorized_map")
def vectorized_map(function, elements):
    _check_callable(function, "function")
    elements = _tensors(elements)
    _check_leading(elements, "elements")
    return jax.vmap(_wrap(function))(elements)


_DIMS = r"\w+(?:,\w+)*"
_ARG = rf"\((?:{_DIMS})?\)"
_SIGNATURE = re.compile(rf"^{_ARG}(?:,{_ARG})*->{_ARG}(?:,{_ARG})*$")


def vectorize(pyfunc, excluded=None, signature=None):
    _check_callable(pyfunc, "pyfunc")
    if excluded is None:
        excluded = frozenset()
    else:
        try:
            excluded = frozenset(excluded)
        except TypeError:
            excluded = None
        if excluded is None or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in excluded
        ):
            raise ValueError(
                "Received an invalid value for `excluded`, expected a set of positional-argument "
                f"indices (ints). Received: excluded={excluded!r}"
            )
    if signature is not None and (
        not isinstance(signature, str) or not _SIGNATURE.match(signature.replace(" ", ""))
    ):
        raise ValueError(
            "Received an invalid value for `signature`, expected a generalized-ufunc signature "
            f"such as '(n),(n)->()'. Received: signature={signature!r}"
        )
    vec = jnp.vectorize(_wrap(pyfunc), excluded=excluded, signature=signature)

    def vectorized(*args, **kwargs):
        if dispatch.engine().name != "jax":  # made under JAX, called under another engine
            return REGISTRY["vectorize"].kernel(pyfunc, excluded, signature)(*args, **kwargs)
        args = tuple(a if i in excluded else _as_tensor(a) for i, a in enumerate(args))
        if kwargs:
            return jnp.vectorize(
                _wrap(lambda *a: pyfunc(*a, **kwargs)), excluded=excluded, signature=signature
            )(*args)
        return vec(*args)

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


def _is_float(x: Any) -> bool:
    return x is not None and jnp.issubdtype(x.dtype, jnp.inexact)


def custom_gradient(f):
    _check_callable(f, "f")

    def wrapped(*args, **kwargs):
        if dispatch.engine().name != "jax":  # made under JAX, called under another engine
            return REGISTRY["custom_gradient"].kernel(f)(*args, **kwargs)
        flat = tree.flatten(args)
        if any(isinstance(v, KerasTensor) for v in flat):
            return f(*args, **kwargs)[0]
        flat = [_as_tensor(v) for v in flat]

        def primal(*fl: Any) -> Any:
            y, _ = f(*tree.pack_sequence_as(args, list(fl)), **kwargs)
            return _tensors(y)

        def gradient(fl: list, ct: Any) -> list:
            a = tree.pack_sequence_as(args, list(fl))
            _, grad_fn = f(*a, **kwargs)
            gs = _grad_leaves(grad_fn(ct), a)
            return [
                None if g is None or not _is_float(x) else jnp.asarray(_as_tensor(g), x.dtype)
                for g, x in zip(gs, fl)
            ]

        # Closure conversion hoists the values `f` closes over (e.g. tracers of an enclosing
        # jax.grad) into explicit arguments, so they may cross the custom_vjp boundary.
        conv_p, consts_p = jax.closure_convert(primal, *flat)
        out_shape = jax.eval_shape(conv_p, *flat, *consts_p)
        ct0 = jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), out_shape)
        conv_g, consts_g = jax.closure_convert(gradient, flat, ct0)

        @jax.custom_vjp
        def core(fl: list, cp: list, cg: list) -> Any:
            return conv_p(*fl, *cp)

        def core_fwd(fl: list, cp: list, cg: list) -> Any:
            return conv_p(*fl, *cp), (fl, cp, cg)

        def core_bwd(res: Any, ct: Any) -> Any:
            fl, cp, cg = res
            g_args = conv_g(fl, ct, *cg)
            g_args = [
                jnp.zeros_like(x) if g is None and _is_float(x) else g for g, x in zip(g_args, fl)
            ]
            # Closed-over values get their true derivative through the forward computation.
            float_idx = [i for i, c in enumerate(cp) if _is_float(c)]
            g_cp: list = [None] * len(cp)
            if float_idx:

                def through(fc: list) -> Any:
                    full = list(cp)
                    for i, v in zip(float_idx, fc):
                        full[i] = v
                    return conv_p(*fl, *full)

                _, vjp = jax.vjp(through, [cp[i] for i in float_idx])
                (g_float,) = vjp(ct)
                for i, g in zip(float_idx, g_float):
                    g_cp[i] = g
            return g_args, g_cp, [None] * len(cg)

        core.defvjp(core_fwd, core_bwd)
        return core(flat, list(consts_p), list(consts_g))

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

"""Control-flow ops: cond, switch, while_loop, fori_loop, scan, associative_scan, map,
vectorized_map, vectorize and custom_gradient.

These are ``higher_order`` ops: they take Python callables. Each engine's kernel receives the
raw arguments (tape tracers included) and runs the user's functions itself: the NumPy engine
calls them in Python loops, so its tape records every op the functions run and gradients
flow through the loop; the JAX engine uses ``jax.lax`` control flow and ``jax.vmap``.

The shape rules below are the symbolic path (any KerasTensor among the arguments): they
call the user's functions once on KerasTensors and build the output KerasTensors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine import tree
from kerasx.engine.registry import defop
from kerasx.engine.symbolic import KerasTensor
from kerasx.ops._helpers import Sample, randn

# ----------------------------------------------------------------------------- helpers


def _spec(x: Any) -> Any:
    """A KerasTensor with the shape and dtype of `x` (None stays None)."""
    if x is None or isinstance(x, KerasTensor):
        return x
    if isinstance(x, bool):
        return KerasTensor((), "bool")
    if isinstance(x, int):
        return KerasTensor((), "int32")
    if isinstance(x, float):
        return KerasTensor((), _dt.standardize_dtype(None))
    if hasattr(x, "value") and hasattr(x, "assign"):  # a Variable
        x = x.value
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return KerasTensor(tuple(x.shape), _dt.standardize_dtype(x.dtype))
    arr = np.asarray(x)
    dtype = _dt.standardize_dtype(arr.dtype)
    if arr.dtype == np.float64:
        dtype = _dt.standardize_dtype(None)
    elif arr.dtype == np.int64:
        dtype = "int32"
    return KerasTensor(arr.shape, dtype)


def _specs(structure: Any) -> Any:
    return tree.map_structure(_spec, structure)


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


def _same_structure(a: Any, b: Any) -> bool:
    return _skeleton(a) == _skeleton(b)


def _merge_specs(a: Any, b: Any, what: str) -> Any:
    """Check two output structures of branches agree; return the first (as specs)."""
    fa, fb = tree.flatten(a), tree.flatten(b)
    if len(fa) != len(fb) or not _same_structure(a, b):
        raise ValueError(
            f"The {what} must return the same structure of tensors. Received structures with "
            f"{len(fa)} and {len(fb)} leaves."
        )
    out = []
    for x, y in zip(fa, fb):
        if x is None or y is None:
            if x is not y:
                raise ValueError(f"The {what} must return the same structure (one gives None).")
            out.append(None)
            continue
        if len(x.shape) != len(y.shape) or any(
            d1 is not None and d2 is not None and d1 != d2 for d1, d2 in zip(x.shape, y.shape)
        ):
            raise ValueError(
                f"The {what} must return tensors of the same shapes. Received shapes "
                f"{x.shape} and {y.shape}."
            )
        shape = tuple(d1 if d1 == d2 else None for d1, d2 in zip(x.shape, y.shape))
        out.append(KerasTensor(shape, x.dtype))
    return tree.pack_sequence_as(a, out)


def _leading_dim(leaves: list, name: str) -> int | None:
    """The common size of the first axis of `leaves` (None when unknown)."""
    n: int | None = None
    for leaf in leaves:
        if not leaf.shape:
            raise ValueError(
                f"Received an invalid value for `{name}`: every tensor must have at least one "
                "dimension to loop over. Received a scalar."
            )
        d = leaf.shape[0]
        if d is not None and n is not None and d != n:
            raise ValueError(
                f"Received an invalid value for `{name}`: every tensor must have the same "
                f"size along the first axis. Received sizes {n} and {d}."
            )
        if d is not None:
            n = d
    return n


def _stacked(structure: Any, n: int | None) -> Any:
    return tree.map_structure(
        lambda t: None if t is None else KerasTensor((n, *_spec(t).shape), _spec(t).dtype),
        structure,
    )


def _sliced(structure: Any) -> Any:
    return tree.map_structure(lambda t: KerasTensor(t.shape[1:], t.dtype), structure)


# ---------------------------------------------------------------------------- shape rules


def _cond_shape(pred: Any, true_fn: Any, false_fn: Any) -> Any:
    _check_callable(true_fn, "true_fn")
    _check_callable(false_fn, "false_fn")
    a = _specs(true_fn())
    b = _specs(false_fn())
    return _merge_specs(a, b, "branches `true_fn` and `false_fn`")


def _switch_shape(index: Any, branches: Any, *operands: Any) -> Any:
    if not isinstance(branches, (list, tuple)) or not branches:
        raise ValueError(
            "Received an invalid value for `branches`, expected a non-empty list of callables. "
            f"Received: branches={branches!r}"
        )
    for b in branches:
        _check_callable(b, "branches")
    ops_spec = _specs(operands)
    outs = [_specs(b(*ops_spec)) for b in branches]
    result = outs[0]
    for o in outs[1:]:
        result = _merge_specs(result, o, "`branches`")
    return result


def _while_shape(cond: Any, body: Any, loop_vars: Any, maximum_iterations: Any = None) -> Any:
    _check_callable(cond, "cond")
    _check_callable(body, "body")
    is_tuple = isinstance(loop_vars, (list, tuple))
    state = tuple(_specs(loop_vars)) if is_tuple else (_specs(loop_vars),)
    out = body(*state)
    out = (tuple(out) if isinstance(out, (list, tuple)) else (out,)) if is_tuple else (out,)
    if not _same_structure(tuple(state), out):
        raise ValueError(
            "`body` must return the same structure as `loop_vars`. Received: loop_vars with "
            f"{len(tree.flatten(state))} tensors, body output with {len(tree.flatten(out))}."
        )
    return state if is_tuple else state[0]


def _fori_shape(lower: Any, upper: Any, body_fun: Any, init_val: Any) -> Any:
    _check_callable(body_fun, "body_fun")
    return _specs(init_val)


def _scan_shape(
    f: Any, init: Any, xs: Any = None, length: Any = None, reverse: bool = False, unroll: Any = 1
) -> Any:
    _check_callable(f, "f")
    init_s = _specs(init)
    if xs is None:
        if length is None:
            raise ValueError(
                "`scan` needs `xs` to loop over or `length` (the number of steps). Received: "
                "xs=None, length=None"
            )
        n, x_s = length, None
    else:
        xs_s = _specs(xs)
        n = _leading_dim([t for t in tree.flatten(xs_s) if t is not None], "xs")
        if length is not None and n is not None and n != length:
            raise ValueError(
                f"Received an invalid value for `length`: it must match the first dimension of "
                f"`xs` ({n}). Received: length={length}"
            )
        n = n if n is not None else length
        x_s = _sliced(xs_s)
    out = f(init_s, x_s)
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        raise ValueError("`f` must return a pair (new_carry, y).")
    carry, y = out
    carry = _specs(carry)
    if not _same_structure(init_s, carry):
        raise ValueError("`f` must return a carry with the same structure as `init`.")
    return carry, _stacked(y, n)


def _assoc_shape(f: Any, elems: Any, reverse: bool = False, axis: int = 0) -> Any:
    _check_callable(f, "f")
    return _specs(elems)


def _map_shape(f: Any, xs: Any) -> Any:
    _check_callable(f, "f")
    xs_s = _specs(xs)
    n = _leading_dim([t for t in tree.flatten(xs_s) if t is not None], "xs")
    return _stacked(f(_sliced(xs_s)), n)


def _vmap_shape(function: Any, elements: Any) -> Any:
    _check_callable(function, "function")
    xs_s = _specs(elements)
    n = _leading_dim([t for t in tree.flatten(xs_s) if t is not None], "elements")
    return _stacked(function(_sliced(xs_s)), n)


# ------------------------------------------------------------------------------ samples


def _cond_samples(rng: np.random.Generator) -> list:
    x = randn(rng, 2, 3)
    return [
        Sample((np.array(True), lambda: x * 2.0, lambda: x - 1.0)),
        Sample((np.array(False), lambda: (x, x[0]), lambda: (x + 1.0, x[1]))),
    ]


def _switch_samples(rng: np.random.Generator) -> list:
    x = randn(rng, 3)
    branches = [lambda a: a + 1.0, lambda a: a * 3.0, lambda a: a - a]
    return [
        Sample((1, branches, x)),
        Sample((7, branches, x)),  # out of range: clamped to the last branch
        Sample((-2, branches, x)),  # negative: clamped to the first branch
    ]


def _while_samples(rng: np.random.Generator) -> list:
    x = randn(rng, 3)
    return [
        Sample(
            (
                lambda i, s, c: i < 4,
                lambda i, s, c: (i + 1, s * 1.5 + c, c),
                (np.array(0, np.int32), x * 0.0, x),
            )
        ),
        Sample(
            (lambda v: v[0] < 100.0, lambda v: v * 2.0, np.abs(x) + 1.0), {"maximum_iterations": 3}
        ),
    ]


def _fori_samples(rng: np.random.Generator) -> list:
    x = randn(rng, 2, 2)
    return [
        Sample((0, 5, lambda i, s: (s[0] * 0.5 + s[1], s[1]), (np.zeros((2, 2)), x))),
        Sample((2, 4, lambda i, s: (s[0] + s[1], s[1] * 2.0), (x, x + 1.0))),
    ]


def _scan_samples(rng: np.random.Generator) -> list:
    return [
        Sample((lambda c, x: (c + x, c * x), randn(rng, 3), randn(rng, 4, 3))),
        Sample((lambda c, x: (c * 0.5 + x, c), randn(rng, 2), randn(rng, 5, 2)), {"reverse": True}),
        Sample(
            (lambda c, x: ((c[0] + x[0], c[1] * 0.9), {"y": c[0] * x[1]}),),
            {"init": (randn(rng, 2), randn(rng, 2)), "xs": (randn(rng, 3, 2), randn(rng, 3, 2))},
        ),
    ]


def _assoc_samples(rng: np.random.Generator) -> list:
    # keras=False: Keras 3's NumPy backend returns float64 for float32 inputs here (its
    # implementation upcasts); the values are compared in tests/core/test_control_flow.py.
    return [
        Sample((lambda a, b: a + b, randn(rng, 7)), keras=False),
        Sample((lambda a, b: a * b, randn(rng, 3, 5)), {"axis": 1, "reverse": True}, keras=False),
        Sample((lambda a, b: a + b, randn(rng, 6, 2)), {"reverse": True}, keras=False),
    ]


def _map_samples(rng: np.random.Generator) -> list:
    return [
        Sample((lambda x: x * x + 1.0, randn(rng, 4, 2))),
        Sample((lambda x: (x[0] + x[1], x[0] * 2.0), (randn(rng, 3, 2), randn(rng, 3, 2)))),
    ]


def _vmap_samples(rng: np.random.Generator) -> list:
    return [
        Sample((lambda x: x * 2.0 - 1.0, randn(rng, 4, 3))),
        Sample((lambda x: x[0] * x[1], (randn(rng, 5), randn(rng, 5)))),
    ]


# ------------------------------------------------------------------------------ the ops


@defop(
    tensors=(), higher_order=True, shape=_cond_shape, samples=_cond_samples, namespaces=("core",)
)
def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """Run `true_fn()` when `pred` is true, else `false_fn()`.

    Both branches take no arguments and must return the same structure of tensors (same
    shapes and dtypes). On the JAX engine both branches are traced; on the NumPy engine only
    the chosen one runs. Gradients flow through the chosen branch.

    Args:
        pred: a scalar boolean (tensor or Python bool).
        true_fn: callable run when `pred` is true.
        false_fn: callable run when `pred` is false.

    Returns:
        The output of the chosen branch.
    """


@defop(
    tensors=(),
    higher_order=True,
    shape=_switch_shape,
    samples=_switch_samples,
    namespaces=("core",),
)
def switch(index: Any, branches: list[Callable[..., Any]], *operands: Any) -> Any:
    """Run the branch selected by `index` on `operands`.

    `index` is clamped to the valid range: a negative index selects the first branch and an
    index past the end selects the last one.

    Args:
        index: a scalar integer (tensor or Python int).
        branches: a non-empty list of callables, each taking `*operands` and returning the
            same structure of tensors.
        *operands: the inputs passed to the selected branch.

    Returns:
        The output of ``branches[index](*operands)``.
    """


@defop(
    tensors=(), higher_order=True, shape=_while_shape, samples=_while_samples, namespaces=("core",)
)
def while_loop(
    cond: Callable[..., Any],
    body: Callable[..., Any],
    loop_vars: Any,
    maximum_iterations: int | None = None,
) -> Any:
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true.

    When `loop_vars` is a tuple or list its items are passed as separate arguments to `cond`
    and `body`, and `body` returns a tuple of the same structure; otherwise the single value
    is passed and returned. Reverse-mode gradients work on the NumPy engine (the tape records
    the iterations); on JAX a while loop is forward-differentiable only, as in JAX.

    Args:
        cond: callable returning a scalar boolean.
        body: callable returning the new loop variables.
        loop_vars: the initial loop variables (a tensor or a structure of tensors).
        maximum_iterations: optional cap on the number of iterations.

    Returns:
        The loop variables after the last iteration, in the structure of `loop_vars` (a
        tuple when `loop_vars` is a tuple or list).
    """


@defop(
    tensors=(), higher_order=True, shape=_fori_shape, samples=_fori_samples, namespaces=("core",)
)
def fori_loop(lower: Any, upper: Any, body_fun: Callable[[Any, Any], Any], init_val: Any) -> Any:
    """Run ``val = body_fun(i, val)`` for ``i`` from `lower` to ``upper - 1``.

    With Python-int (or concrete) bounds the loop is differentiable on both engines.

    Args:
        lower: the first loop index (int).
        upper: one past the last loop index (int).
        body_fun: callable ``body_fun(i, val) -> val`` (``i`` is an int32 scalar).
        init_val: the initial value (a tensor or a structure of tensors).

    Returns:
        The final value, with the structure of `init_val`.
    """


@defop(
    tensors=(), higher_order=True, shape=_scan_shape, samples=_scan_samples, namespaces=("core",)
)
def scan(
    f: Callable[[Any, Any], Any],
    init: Any,
    xs: Any = None,
    length: int | None = None,
    reverse: bool = False,
    unroll: int | bool = 1,
) -> Any:
    """Loop `f` over the leading axis of `xs` while carrying a state.

    At every step ``carry, y = f(carry, x)`` where ``x`` is the next slice of `xs` (a
    structure of tensors is sliced leaf by leaf). The ``y`` of all steps are stacked along a
    new first axis. Differentiable on both engines.

    Args:
        f: callable ``f(carry, x) -> (new_carry, y)``; ``new_carry`` must have the structure
            of `init`, ``y`` may be None.
        init: the initial carry (a tensor or a structure of tensors).
        xs: tensors to loop over along their first axis, or None (then ``x`` is None and
            `length` gives the number of steps).
        length: the number of steps; required when `xs` is None, else it must match.
        reverse: loop from the last slice to the first (outputs keep the order of `xs`).
        unroll: how many steps to unroll per loop iteration (a speed hint for JAX; True
            unrolls completely).

    Returns:
        A pair ``(final_carry, stacked_ys)``.
    """


@defop(
    tensors=(), higher_order=True, shape=_assoc_shape, samples=_assoc_samples, namespaces=("core",)
)
def associative_scan(
    f: Callable[[Any, Any], Any], elems: Any, reverse: bool = False, axis: int = 0
) -> Any:
    """Inclusive scan of `elems` along `axis` with an associative binary function.

    ``out[i] = f(...f(f(elems[0], elems[1]), elems[2])..., elems[i])``, computed in
    ``O(log n)`` vectorized calls of `f` (so `f` must be associative and work on batches of
    slices).

    Args:
        f: associative callable ``f(a, b)`` on structures like `elems`.
        elems: a tensor or a structure of tensors with the same size along `axis`.
        reverse: scan from the end towards the start.
        axis: the axis to scan along.

    Returns:
        The scanned values, with the structure and shapes of `elems`.
    """


@defop(tensors=(), higher_order=True, shape=_map_shape, samples=_map_samples, namespaces=("core",))
def map(f: Callable[[Any], Any], xs: Any) -> Any:  # noqa: A001 - the Keras name
    """Apply `f` to each slice of `xs` along its first axis and stack the results.

    Args:
        f: callable applied to one slice (a structure like `xs`).
        xs: a tensor or a structure of tensors with the same first dimension.

    Returns:
        The outputs of `f`, stacked along a new first axis.
    """


@defop(
    tensors=(), higher_order=True, shape=_vmap_shape, samples=_vmap_samples, namespaces=("core",)
)
def vectorized_map(function: Callable[[Any], Any], elements: Any) -> Any:
    """Apply `function` to each slice of `elements` along the first axis (vectorized).

    Same result as `map`; the JAX engine vectorizes with ``jax.vmap``, the NumPy engine loops.

    Args:
        function: callable applied to one slice (a structure like `elements`).
        elements: a tensor or a structure of tensors with the same first dimension.

    Returns:
        The outputs of `function`, stacked along a new first axis.
    """


@defop(tensors=(), higher_order=True, namespaces=("numpy",))
def vectorize(
    pyfunc: Callable[..., Any], *, excluded: Any = None, signature: str | None = None
) -> Callable[..., Any]:
    """Make `pyfunc` broadcast over the leading (loop) dimensions of its inputs.

    Like ``numpy.vectorize``: without `signature`, `pyfunc` is applied to scalars; with a
    generalized-ufunc signature such as ``"(n),(n)->()"`` it is applied to the core
    dimensions named there, and the other leading dimensions are broadcast and looped over.

    Args:
        pyfunc: the function to vectorize.
        excluded: optional set of positional-argument indices passed to `pyfunc` unchanged.
        signature: optional generalized-ufunc signature.

    Returns:
        The vectorized function.
    """


@defop(tensors=(), higher_order=True, namespaces=("core",))
def custom_gradient(f: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate `f` so that its gradient is given by the function it returns.

    `f(*args)` returns ``(y, grad_fn)``. ``grad_fn(upstream)`` receives the cotangent of
    `y` (a structure like `y`) and returns one gradient per positional argument of `f` (a
    single tensor when `f` has one argument; None means zero). `grad_fn` is called with the
    cotangent as its positional argument, so the common form
    ``def grad_fn(*args, upstream=None)`` works too. Values that `f` closes over are
    differentiated through `f`'s forward computation; keyword arguments are constants.

    Args:
        f: the function to decorate.

    Returns:
        A function with `f`'s arguments that returns `y` and differentiates with `grad_fn`.
    """


__all__ = [
    "associative_scan",
    "cond",
    "custom_gradient",
    "fori_loop",
    "map",
    "scan",
    "switch",
    "vectorize",
    "vectorized_map",
    "while_loop",
]

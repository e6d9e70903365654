"""Engine-neutral autodiff and compilation: `value_and_grad`, `grad`, `jit`.

The same call works on every engine: the NumPy engine differentiates on its tape, the JAX
engine with `jax.value_and_grad`. Arguments may be nested lists, tuples and dicts of
tensors; gradients come back in the same structure.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from kerasx.engine import dispatch

_LAST_USE = threading.local()


def value_and_grad(
    fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """Make a function that returns ``fn``'s value and its gradient.

    Args:
        fn: a function returning a scalar tensor (or ``(scalar, aux)`` with `has_aux`).
        argnums: which positional arguments to differentiate with respect to.
        has_aux: whether `fn` returns a pair whose second element is passed through.

    Returns:
        A function with `fn`'s arguments returning ``(value, grads)`` or
        ``((value, aux), grads)``; `grads` mirrors the structure of the chosen arguments
        (a tuple of them when `argnums` is a tuple).
    """
    _check_argnums(argnums)
    if not callable(fn):
        raise TypeError(f"value_and_grad expects a callable, received {type(fn).__name__}.")
    eng = dispatch.engine()
    return eng.value_and_grad(fn, argnums=argnums, has_aux=has_aux)


def grad(
    fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """Make a function that returns the gradient of ``fn`` (see `value_and_grad`).

    Returns:
        A function returning `grads`, or ``(grads, aux)`` with `has_aux`.
    """
    vg = value_and_grad(fn, argnums=argnums, has_aux=has_aux)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        value, grads = vg(*args, **kwargs)
        if has_aux:
            return grads, value[1]
        return grads

    return wrapped


def jit(fn: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """Compile `fn` with the active engine (XLA on JAX; trace and replay on NumPy).

    Args:
        fn: the function to compile (may be used as ``@jit`` or ``@jit(static_argnums=...)``).
        **kwargs: engine options such as ``static_argnums`` or ``donate_argnums``.

    Returns:
        The compiled function.
    """
    if fn is None:
        return lambda f: jit(f, **kwargs)
    return dispatch.engine().jit(fn, **kwargs)


@contextlib.contextmanager
def last_use_of_donated(enabled: bool = True) -> Iterator[None]:
    """Declare the enclosed code the last reader of the donated arrays it replaces.

    Inside a function compiled with `jit` and ``donate_argnums``, code in this block replaces
    some donated arrays by new values (an optimizer update does) and nothing after the block
    reads their old values. An engine that runs the function eagerly while compiling it (the
    NumPy engine's trace) may then write those new values into the donated arrays in place,
    as the compiled function will, instead of holding old and new values at once. Arrays
    that were not donated, and code outside a compilation, are not affected.

    Args:
        enabled: whether the declaration holds (False: the block is ordinary code).
    """
    previous = getattr(_LAST_USE, "on", False)
    _LAST_USE.on = bool(enabled)
    try:
        yield
    finally:
        _LAST_USE.on = previous


def is_last_use_of_donated() -> bool:
    """Whether code runs inside `last_use_of_donated` (on this thread)."""
    return getattr(_LAST_USE, "on", False)


def _check_argnums(argnums: Any) -> None:
    ok = isinstance(argnums, int) and not isinstance(argnums, bool)
    if isinstance(argnums, tuple) and argnums:
        ok = all(isinstance(a, int) and not isinstance(a, bool) for a in argnums)
    if not ok:
        raise TypeError(
            "Received an invalid value for `argnums`, expected an int or a non-empty tuple of "
            f"ints. Received: argnums={argnums!r}"
        )

"""Rematerialization (gradient checkpointing): ``keras.remat`` and ``keras.RematScope``.

A rematerialized function keeps only its inputs for the backward pass and computes its
intermediate results again when the gradient needs them: less memory, more compute, the same
numbers. Engines opt in with a ``remat(fn)`` member (JAX: ``jax.checkpoint``); on an engine
without one (the NumPy engine) `remat` returns the function's results unchanged and saves no
memory.

`RematScope` chooses which layers rematerialize their call: a layer records the scope in
effect when it is *created* and applies it each time it is called (see `LayerCallMixin.
_remat_call` in kerasx/layers/_layer_call.py).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from kerasx.engine import dispatch, tree
from kerasx.engine.variables import StatelessScope, Variable

_MODES = ("full", "activations", "larger_than", "list_of_layers", None)
_local = threading.local()


class RematMode(NamedTuple):
    """The settings of a `RematScope`."""

    mode: str | None
    output_size_threshold: int
    layer_names: list


def _is_array(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, type)


def remat(f: Callable) -> Callable:
    """Wrap `f` so that its intermediate results are recomputed in the backward pass.

    The wrapped function returns what `f` returns. Its array arguments (at any depth of lists,
    tuples and dicts) are the checkpointed inputs; other arguments (flags, sizes, None) are
    passed through as constants.

    Args:
        f: the function (or a layer's `call`) to rematerialize.

    Returns:
        The wrapped function.
    """
    if not callable(f):
        raise TypeError(f"remat expects a callable. Received: f={f!r} of type {type(f).__name__}")

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        hook = getattr(dispatch.engine(), "remat", None)
        if hook is None:
            return f(*args, **kwargs)
        structure = (args, kwargs)
        # a Variable passed in is checkpointed as its current value
        leaves = [v.value if isinstance(v, Variable) else v for v in tree.flatten(structure)]
        where = [i for i, leaf in enumerate(leaves) if _is_array(leaf)]
        assigned: list = []

        def on_arrays(*arrays: Any) -> Any:
            filled = list(leaves)
            for i, a in zip(where, arrays):
                filled[i] = a
            a2, k2 = tree.pack_sequence_as(structure, filled)
            # Variable assignments inside (a seed generator's state, moving statistics) are
            # captured and returned, then made outside: a value computed inside the
            # checkpointed function must leave it as one of its outputs.
            with StatelessScope() as inner:
                out = f(*a2, **k2)
            assigned[:] = [inner.assigned_variables[k] for k in inner.assigned]
            return out, [inner.assigned[k] for k in inner.assigned]

        out, values = hook(on_arrays)(*[leaves[i] for i in where])
        for variable, value in zip(assigned, values):
            variable.assign(value)
        return out

    return wrapped


def _stack() -> list:
    try:
        return _local.scopes
    except AttributeError:
        _local.scopes = []
        return _local.scopes


def get_current_remat_mode() -> RematMode | None:
    """The innermost `RematScope`'s settings (None outside any scope)."""
    scopes = _stack()
    return scopes[-1] if scopes else None


class RematScope:
    """A context manager choosing which layers created inside it rematerialize their call.

    Args:
        mode: ``"full"`` (every layer), ``"activations"`` (only the activation function of
            layers that have an ``activation`` attribute), ``"larger_than"`` (layers whose
            outputs hold more than `output_size_threshold` values, batch included),
            ``"list_of_layers"`` (the layers named in `layer_names`), or None (none: turns an
            enclosing scope off).
        output_size_threshold: the size bound of ``"larger_than"``.
        layer_names: the layer names of ``"list_of_layers"``.
    """

    def __init__(
        self,
        mode: str | None = "full",
        output_size_threshold: int = 1024,
        layer_names: Any = None,
    ) -> None:
        if mode not in _MODES:
            raise ValueError(
                f"Invalid mode {mode!r}. Supported modes are: 'full', 'activations', "
                "'larger_than', 'list_of_layers', or None."
            )
        if isinstance(output_size_threshold, bool) or not isinstance(output_size_threshold, int):
            raise ValueError(
                "Argument `output_size_threshold` must be an int (a number of values). "
                f"Received: output_size_threshold={output_size_threshold!r}"
            )
        if isinstance(layer_names, str):
            raise ValueError(
                "Argument `layer_names` must be a list of layer names, not a single string. "
                f"Received: layer_names={layer_names!r}; pass [{layer_names!r}]."
            )
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = list(layer_names or [])

    def __enter__(self) -> RematScope:
        _stack().append(RematMode(self.mode, self.output_size_threshold, self.layer_names))
        return self

    def __exit__(self, *exc: Any) -> None:
        _stack().pop()

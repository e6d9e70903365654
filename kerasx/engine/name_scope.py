"""Name scopes (``keras.name_scope``) and device scopes (``keras.device``).

One thread-local stack of names prefixes the paths of the variables created inside it:
``with kerasx.name_scope("outer"): v = kerasx.Variable(0.0, name="v")`` gives ``v.path ==
"outer/v"``. Layers push their own name while they build and run (kerasx/layers/_context.py
shares this stack), so ``outer/dense/kernel``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from kerasx.engine import dispatch

_local = threading.local()


def names() -> list[str]:
    """This thread's stack of scope names, outermost first (the list itself, shared)."""
    try:
        return _local.names
    except AttributeError:
        _local.names = []
        return _local.names


def _frames() -> list[tuple[int, Any]]:
    # (stack depth after the push, caller) of each public scope that pushed a name
    try:
        return _local.frames
    except AttributeError:
        _local.frames = []
        return _local.frames


def pushed_by_name_scope() -> bool:
    """Whether the innermost name was pushed by a `name_scope` (not by a layer)."""
    frames = _frames()
    return bool(frames) and frames[-1][0] == len(names())


def current_path() -> str:
    """The names in effect, joined with ``/`` (``""`` outside any scope)."""
    return "/".join(names())


def path_for(name: str) -> str:
    """The path a variable called `name` created now gets."""
    stack = names()
    return "/".join([*stack, name]) if stack else name


def _check_name(name: Any, argument: str) -> None:
    if not isinstance(name, str) or "/" in name:
        raise ValueError(
            f"Argument `{argument}` must be a string without '/' (a single scope name; nest "
            f"scopes to build a path). Received: {argument}={name!r}"
        )


class name_scope:  # noqa: N801 - Keras's public name
    """A context manager that prefixes the paths of variables created inside it with `name`.

    Args:
        name: one scope name (a string without ``/``; ``""`` adds nothing).
        caller: the object opening the scope. When `deduplicate` is true and the innermost
            scope was opened by the same caller under the same name, nothing is added (a
            layer calling itself does not nest its own name twice).
        deduplicate: see `caller`.
        override_parent: a path (``"a/b"``) that replaces the enclosing scopes for the
            duration of this one (``""`` or None: keep them).
    """

    def __init__(
        self,
        name: str,
        caller: Any = None,
        deduplicate: bool = True,
        override_parent: str | None = None,
    ) -> None:
        _check_name(name, "name")
        if override_parent is not None and not isinstance(override_parent, str):
            raise ValueError(
                "Argument `override_parent` must be a path string such as 'outer/inner', or "
                f"None. Received: override_parent={override_parent!r}"
            )
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._pushed = False
        self._saved: list[str] | None = None

    def __enter__(self) -> name_scope:
        stack = names()
        if self.override_parent:
            self._saved = stack[:]
            stack[:] = [p for p in self.override_parent.split("/") if p]
        frames = _frames()
        same = (
            self.deduplicate
            and self.caller is not None
            and frames
            and frames[-1][0] == len(stack)
            and frames[-1][1] is self.caller
            and stack[-1] == self.name
        )
        if self.name and not same:
            stack.append(self.name)
            frames.append((len(stack), self.caller))
            self._pushed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        stack = names()
        if self._pushed:
            stack.pop()
            _frames().pop()
            self._pushed = False
        if self._saved is not None:
            stack[:] = self._saved
            self._saved = None


@contextlib.contextmanager
def device(device_name: Any) -> Iterator[None]:
    """Run the block with new arrays placed on `device_name` (``"cpu"``, ``"gpu:0"``, ...).

    The engine decides what a device is (its optional ``device_scope(name)`` member): the JAX
    engine makes it JAX's default device (an unknown device raises there); an engine without
    one (the NumPy engine computes on the CPU only) accepts any name, as Keras's NumPy backend
    does.
    """
    engine = dispatch.engine()
    scope = getattr(engine, "device_scope", None)
    if scope is None:
        if not isinstance(device_name, str):
            raise ValueError(
                "Invalid value for argument `device_name`: expected a string such as 'cpu', "
                f"'cpu:0' or 'gpu:0'. Received: device_name={device_name!r}"
            )
        yield
        return
    with scope(device_name):
        yield

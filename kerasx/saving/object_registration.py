"""Names for user-defined classes and functions: the registry and custom-object scopes.

A saved config refers to a user's class by a name. Loading finds it here: in the
`custom_objects` passed to the loading call, in an open `CustomObjectScope`, or in the global
registry filled by `register_keras_serializable`. Nothing else outside kerasx is ever looked
up, so a file can only name code the user has made available on purpose.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

# "package>Name" -> object, filled by `register_keras_serializable` (Keras's global table).
_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
# object -> "package>Name".
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}

_scopes = threading.local()


def _scope_stack() -> list[dict[str, Any]]:
    stack = getattr(_scopes, "stack", None)
    if stack is None:
        stack = _scopes.stack = []
    return stack


class CustomObjectScope:
    """Make extra names visible to deserialization inside a ``with`` block.

    Example::

        with CustomObjectScope({"MyLayer": MyLayer}):
            model = kerasx.models.load_model("m.keras")

    Args:
        custom_objects: a dict mapping names to classes or functions (several dicts may be
            given; later ones win).
    """

    def __init__(self, custom_objects: dict[str, Any] | None = None, *more: dict) -> None:
        merged: dict[str, Any] = {}
        for d in (custom_objects, *more):
            if d is None:
                continue
            if not isinstance(d, dict):
                raise TypeError(
                    "Received an invalid value for `custom_objects`, expected a dict mapping "
                    f"names to classes or functions. Received: custom_objects={d!r}"
                )
            merged.update(d)
        self.custom_objects = merged

    def __enter__(self) -> CustomObjectScope:
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _scope_stack().pop()


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict[str, Any]:
    """The global registry of custom objects (a live dict: editing it registers names).

    Returns:
        The dict mapping registered names (``"package>Name"``) to classes or functions.
    """
    return _GLOBAL_CUSTOM_OBJECTS


def scoped_custom_objects() -> dict[str, Any]:
    """The names of all open `CustomObjectScope`s merged (innermost wins)."""
    merged: dict[str, Any] = {}
    for d in _scope_stack():
        merged.update(d)
    return merged


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator registering a class or function under ``"package>name"`` for loading.

    Args:
        package: the package part of the registered name.
        name: the name part (default: the object's ``__name__``).

    Returns:
        A decorator returning the object unchanged.
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(
            "Received an invalid value for `package`, expected a string without '>'. "
            f"Received: package={package!r}"
        )

    def decorator(obj: Any) -> Any:
        short = name if name is not None else getattr(obj, "__name__", None)
        if not isinstance(short, str):
            raise ValueError(
                f"Cannot register {obj!r}: it has no `__name__`; pass `name=` explicitly."
            )
        registered = f"{package}>{short}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register class {obj.__name__}: it has no `get_config()` method, so it "
                "could not be saved. Define `get_config()` (and `from_config()` if needed)."
            )
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj: Any) -> str:
    """The name `obj` is saved under: its registered name, else its ``__name__``.

    Args:
        obj: a class or function.

    Returns:
        The name.
    """
    try:
        registered = _GLOBAL_CUSTOM_NAMES.get(obj)
    except TypeError:  # unhashable
        registered = None
    if registered is not None:
        return registered
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(
    name: str, custom_objects: dict[str, Any] | None = None, module_objects: dict | None = None
) -> Any:
    """Find a class or function by name among the user's custom objects.

    Looks in open `CustomObjectScope`s, then the global registry, then `custom_objects`, then
    `module_objects`.

    Args:
        name: the registered name (``"package>Name"``) or plain name.
        custom_objects: extra names to look in.
        module_objects: a module's names to look in last.

    Returns:
        The object, or None when the name is unknown.
    """
    scoped = scoped_custom_objects()
    if name in scoped:
        return scoped[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None

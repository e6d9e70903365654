"""A minimal Keras-format (de)serializer for functions and small config-carrying objects.

The dict format is Keras 3's::

    {"module": "keras.initializers", "class_name": "GlorotUniform",
     "config": {...}, "registered_name": None}

Plain functions (activations) serialize to their name. The ``module`` we write uses the
``keras.`` prefix so configs interchange with real Keras; both ``keras.`` and ``kerasx.``
prefixes are accepted when reading.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any


def _public_module(obj: Any, default: str | None) -> str | None:
    if default is not None:
        return default
    mod = type(obj).__module__ or ""
    parts = mod.split(".")
    if parts and parts[0] == "kerasx":
        return ".".join(["keras"] + parts[1:2])
    return mod


def serialize_keras_object(obj: Any, module: str | None = None) -> Any:
    """Turn `obj` into a JSON-friendly value in Keras's format.

    Args:
        obj: None, a plain value, a function (serialized to its name) or an object with a
            ``get_config`` method.
        module: the public module to record (e.g. ``"keras.initializers"``); by default it
            is derived from the object's class.

    Returns:
        None, the value itself, a function name, or a dict with the keys ``module``,
        ``class_name``, ``config`` and ``registered_name``.
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(o) for o in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return obj.__name__
    if hasattr(obj, "get_config"):
        config = obj.get_config()
        config = {k: serialize_keras_object(v) for k, v in config.items()}
        return {
            "module": _public_module(obj, module),
            "class_name": type(obj).__name__,
            "config": config,
            "registered_name": None,
        }
    raise TypeError(
        f"Cannot serialize object {obj!r} of type {type(obj).__name__}: it is not a plain "
        "value, a function, or an object with a `get_config` method."
    )


def deserialize_keras_object(
    config: Any,
    module_objects: dict[str, Any] | None = None,
    custom_objects: dict[str, Any] | None = None,
    printable_module_name: str = "object",
) -> Any:
    """Rebuild an object from `serialize_keras_object`'s output.

    Args:
        config: None, a name (looked up in `custom_objects`, then `module_objects`), or a
            dict with ``class_name`` and ``config`` keys.
        module_objects: the names a module exposes (class or function by name).
        custom_objects: user-supplied names, which take precedence.
        printable_module_name: what to call the object in error messages.

    Returns:
        The rebuilt object (an instance built with ``from_config``, or a function).
    """
    if config is None:
        return None
    lookup: dict[str, Any] = dict(module_objects or {})
    lookup.update(custom_objects or {})
    if isinstance(config, str):
        if config not in lookup:
            raise ValueError(f"Unknown {printable_module_name}: '{config}'.")
        return lookup[config]
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Could not deserialize {printable_module_name}: expected a name or a dict with "
            f"a 'class_name' key. Received: config={config!r}"
        )
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name == "function":
        # Keras's format for a plain function: the name sits in "config".
        return deserialize_keras_object(
            inner, module_objects, custom_objects, printable_module_name
        )
    name = config.get("registered_name") or class_name
    cls: Any = lookup.get(name, lookup.get(class_name))
    if cls is None:
        raise ValueError(
            f"Unknown {printable_module_name}: '{class_name}'. Make sure it is a built-in "
            "name or pass it in `custom_objects`."
        )
    if isinstance(inner, dict):
        inner = {k: _maybe_seed_generator(v) for k, v in inner.items()}
    from_config: Callable[..., Any] | None = getattr(cls, "from_config", None)
    if from_config is not None:
        return from_config(inner)
    return cls(**inner)


def _maybe_seed_generator(value: Any) -> Any:
    """A nested serialized ``SeedGenerator`` (as Keras writes a seed) becomes one again."""
    if isinstance(value, dict) and value.get("class_name") == "SeedGenerator":
        from kerasx.random import SeedGenerator

        return SeedGenerator.from_config(value.get("config", {}))
    return value

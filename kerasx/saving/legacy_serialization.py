"""The Keras 2 object format: ``{"class_name": ..., "config": ...}`` (keras.utils.legacy).

Keras 3 writes objects with their module and registered name (`kerasx.saving.serialize_keras_object`);
old configs and code use this shorter form, where the reader says where to look names up
(`module_objects`, `custom_objects`).
"""

from __future__ import annotations

import inspect
from typing import Any

from kerasx.saving import object_registration as _reg


def serialize_keras_object(instance: Any) -> Any:
    """`instance` in the legacy format.

    An object with `get_config` becomes ``{"class_name": <registered name>, "config":
    get_config()}``; a function, its registered name; None stays None.

    Raises:
        ValueError: `instance` has no `get_config` (and is not a function).
    """
    if instance is None:
        return None
    get_config = getattr(instance, "get_config", None)
    if get_config is not None and not inspect.isclass(instance):
        try:
            config = get_config()
        except NotImplementedError as e:
            raise ValueError(
                f"Cannot serialize {instance} because it doesn't implement `get_config()`."
            ) from e
        return {"class_name": _reg.get_registered_name(type(instance)), "config": config}
    if inspect.isfunction(instance) or inspect.isbuiltin(instance) or inspect.isclass(instance):
        return _reg.get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't implement `get_config()`.")


def deserialize_keras_object(
    identifier: Any,
    module_objects: dict | None = None,
    custom_objects: dict | None = None,
    printable_module_name: str = "object",
) -> Any:
    """Rebuild an object from the legacy format.

    Names are looked up in open custom-object scopes, the registered custom objects,
    `custom_objects`, then `module_objects`. A dict builds its class from ``config``
    (`from_config`, which gets `custom_objects` when it takes them); a string gives the
    function, or an instance of the class, of that name; a callable is returned as is.

    Args:
        identifier: a dict, a name, a callable, or None.
        module_objects: the names of the module the object belongs to (e.g. the layers).
        custom_objects: the user's own classes and functions.
        printable_module_name: what the object is, for error messages ("layer", ...).

    Raises:
        ValueError: an unknown name, or an identifier of another kind.
    """
    if identifier is None:
        return None
    custom_objects = custom_objects or {}
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(
                f"Improper config format for {printable_module_name}: {identifier}. It "
                "needs the keys 'class_name' and 'config'."
            )
        name = identifier["class_name"]
        cls = _reg.get_registered_object(name, custom_objects, module_objects)
        if cls is None:
            raise ValueError(_unknown(printable_module_name, name))
        config = identifier["config"]
        from_config = getattr(cls, "from_config", None)
        if from_config is None:
            return cls(**config)
        if "custom_objects" in inspect.signature(from_config).parameters:
            merged = {**(module_objects or {}), **custom_objects}
            return from_config(config, custom_objects=merged)
        with _reg.CustomObjectScope(custom_objects):
            return from_config(config)
    if isinstance(identifier, str):
        obj = _reg.get_registered_object(identifier, custom_objects, module_objects)
        if obj is None:
            raise ValueError(_unknown(printable_module_name, identifier))
        return obj() if inspect.isclass(obj) else obj
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret serialized {printable_module_name}: {identifier!r} (expected a "
        "dict with 'class_name' and 'config', a name, or a callable)."
    )


def _unknown(kind: str, name: str) -> str:
    return (
        f"Unknown {kind}: '{name}'. Please ensure you are using a `kerasx.utils."
        "custom_object_scope` and that this object is included in the scope, or pass it in "
        "`custom_objects`."
    )

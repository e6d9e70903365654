"""Look-up of optimizers by name: `get`, `serialize`, `deserialize`.

Names are resolved at call time from the classes exported by `kerasx.optimizers`, so an
optimizer class added to that package's ``__init__`` is found by name with no change here.
Look-up ignores case: ``"adam"``, ``"Adam"`` and ``"ADAM"`` are the same.
"""

from __future__ import annotations

import inspect
from typing import Any

from kerasx.optimizers.base_optimizer import Optimizer
from kerasx.saving.serialization import serialize_keras_object

_MODULE = "keras.optimizers"


def _known_classes() -> dict[str, type]:
    """Map each exported optimizer class's lower-cased name to the class."""
    import kerasx.optimizers as package

    table = {}
    for name, obj in vars(package).items():
        if inspect.isclass(obj) and issubclass(obj, Optimizer) and obj is not Optimizer:
            table[name.lower()] = obj
    return table


def serialize(optimizer: Optimizer | None) -> dict[str, Any] | None:
    """Describe an optimizer as a Keras-format config dict.

    Args:
        optimizer: an `Optimizer` instance (or None).

    Returns:
        ``{"module": "keras.optimizers", "class_name", "config", "registered_name"}``, or
        None for None.
    """
    if optimizer is None:
        return None
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "Received an invalid value for `optimizer`, expected an `Optimizer` instance. "
            f"Received: optimizer={optimizer!r}"
        )
    return serialize_keras_object(optimizer, module=_MODULE)


def deserialize(config: Any, custom_objects: dict | None = None) -> Optimizer:
    """Rebuild an optimizer from `serialize`'s output (or from a bare name).

    Args:
        config: a dict with ``class_name`` and ``config`` keys, or a name such as "adam".
        custom_objects: extra name -> class mapping for user-defined optimizers.

    Returns:
        A new `Optimizer` instance.
    """
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Could not deserialize optimizer: expected a name or a dict with 'class_name' "
            f"and 'config' keys. Received: config={config!r}"
        )
    class_name = config["class_name"]
    custom = dict(custom_objects or {})
    cls = custom.get(class_name) or custom.get(config.get("registered_name") or "")
    if cls is None:
        cls = _known_classes().get(str(class_name).lower())
    if cls is None:
        raise ValueError(
            f"Could not interpret optimizer identifier: {class_name}. Expected one of "
            f"{sorted(_known_classes())} (any case) or a class given in `custom_objects`."
        )
    inner = dict(config.get("config") or {})
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(inner, custom_objects=custom_objects)
    return cls.from_config(inner)


def get(identifier: Any) -> Optimizer | None:
    """Resolve an optimizer from a name, a config dict or an instance.

    Args:
        identifier: e.g. ``"adam"``, ``"RMSprop"``, a `serialize` dict, an `Optimizer`
            instance (returned as is), or None.

    Returns:
        An `Optimizer` (a new one with default arguments for a name), or None for None.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _known_classes().get(identifier.lower())
        if cls is not None and cls.__name__ in ("LossScaleOptimizer", "MultiOptimizer"):
            raise ValueError(
                f"The optimizer {identifier!r} wraps other optimizers, so it cannot be built "
                f"from its name alone. Create it yourself (e.g. `{cls.__name__}(...)` around "
                "`kerasx.optimizers.Adam()`) and pass the instance."
            )
        if cls is not None:
            return cls()
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Expected an `Optimizer` "
        f"instance, a config dict, or one of the names {sorted(_known_classes())} (any case)."
    )

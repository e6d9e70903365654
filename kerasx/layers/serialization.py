"""`kerasx.layers.serialize` / `deserialize`: a layer to Keras's config dict and back."""

from __future__ import annotations

from typing import Any

from kerasx.saving import serialization as _ser


def serialize(layer: Any) -> dict:
    """Describe a layer in Keras 3's format.

    Args:
        layer: a `Layer` (or `Model`).

    Returns:
        ``{"module": "keras.layers", "class_name": ..., "config": ..., "registered_name":
        ..., "build_config": ...}`` (``build_config`` once the layer is built).
    """
    return _ser.serialize_keras_object(layer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Any:
    """Rebuild a layer from `serialize`'s output.

    Args:
        config: a Keras-format layer dict.
        custom_objects: names of user classes and functions the config may refer to.

    Returns:
        The new layer (built when the config has a ``build_config``).
    """
    from kerasx.layers.layer import Layer

    obj = _ser.deserialize_keras_object(
        config, custom_objects=custom_objects, printable_module_name="layer"
    )
    if not isinstance(obj, Layer):
        raise ValueError(
            "`kerasx.layers.deserialize` was passed a config that does not describe a layer. "
            f"Received: config={config!r}"
        )
    return obj

"""`Wrapper`: the base class of layers that wrap another layer (TimeDistributed,
Bidirectional)."""

from __future__ import annotations

from typing import Any

from kerasx.layers.layer import Layer
from kerasx.layers.rnn.rnn import deserialize_layer
from kerasx.saving.serialization import serialize_keras_object


class Wrapper(Layer):
    """A layer that adds behaviour around another layer (``self.layer``).

    The wrapped layer's weights are the wrapper's weights; its config is stored under the
    ``layer`` key. Subclasses implement `call`; the base class calls the wrapped layer.

    Args:
        layer: the `Layer` instance to wrap.
        **kwargs: base `Layer` arguments.
    """

    _auto_config = False

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Please initialize `{type(self).__name__}` layer with a "
                f"`keras.layers.Layer` instance. Received: layer={layer!r}"
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        """Build the wrapped layer on `input_shape`."""
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    @property
    def supports_masking(self) -> bool:  # type: ignore[override]
        """Whether the wrapped layer supports masking."""
        return bool(getattr(self.layer, "supports_masking", False))

    @supports_masking.setter
    def supports_masking(self, value: bool) -> None:
        pass

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """Call the wrapped layer."""
        return self.layer(*args, **kwargs)

    def get_config(self) -> dict:
        """The base config plus the serialized wrapped layer under ``layer``."""
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer, module="keras.layers")
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Wrapper:
        """Rebuild the wrapped layer, then the wrapper."""
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        return super().from_config(config)

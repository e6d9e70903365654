"""`Pipeline`: a sequence of (preprocessing) layers applied one after the other."""

from __future__ import annotations

import inspect
from typing import Any

from kerasx.layers.layer import Layer


def _accepts(layer: Any, name: str) -> bool:
    try:
        params = inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class Pipeline(Layer):
    """Apply layers in order, like a `Sequential` model that is only a layer.

    Meant for preprocessing chains (e.g. augmentation layers): ``training`` is passed to each
    layer that takes it (default True, as Keras's), and so is the mask.

    Args:
        layers: the layers, applied first to last.
        name: the layer's name.
    """

    _auto_config = False

    def __init__(self, layers: list, name: str | None = None) -> None:
        super().__init__(name=name)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(x, Layer) for x in layers):
            raise ValueError(
                "Received an invalid value for `layers`, expected a list of Layer instances. "
                f"Received: layers={layers!r}"
            )
        self._pipeline_layers = list(layers)
        self.built = True

    @property
    def layers(self) -> list:
        """The layers, in order."""
        return list(self._pipeline_layers)

    def call(self, inputs: Any, training: bool = True, mask: Any = None) -> Any:
        """Run `inputs` through every layer in order."""
        x = inputs
        for layer in self._pipeline_layers:
            kwargs: dict = {}
            if _accepts(layer, "training"):
                kwargs["training"] = training
            if mask is not None and _accepts(layer, "mask"):
                kwargs["mask"] = mask
            x = layer(x, **kwargs)
            if mask is not None:
                mask = layer.compute_mask(x, mask)
        return x

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The shape after every layer's `compute_output_shape`."""
        shape = input_shape
        for layer in self._pipeline_layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self) -> dict:
        """The serialized layers and the name (as Keras)."""
        from kerasx.saving import serialization

        return {
            "layers": [serialization.serialize_keras_object(x) for x in self._pipeline_layers],
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict) -> Pipeline:
        """Rebuild the pipeline and its layers."""
        from kerasx.saving import serialization

        config = dict(config)
        layers = [serialization.deserialize_keras_object(x) for x in config.pop("layers")]
        return cls(layers, **config)

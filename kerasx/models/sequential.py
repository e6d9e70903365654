"""`Sequential`: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from typing import Any

from kerasx.engine.symbolic import KerasTensor
from kerasx.layers import _context
from kerasx.layers.input_layer import InputLayer
from kerasx.layers.layer import Layer
from kerasx.models.model import Model


class Sequential(Model):
    """A model whose layers run one after the other.

    Start it with `kerasx.Input(shape)` (or a first layer given ``input_shape``) to build it at
    once; otherwise it builds on its first call or `fit`, from the data's shape.

    Args:
        layers: the layers, in order.
        trainable: whether the model's weights are trained.
        name: the model's name (default ``sequential``, ``sequential_1``, ...).
    """

    def __init__(
        self, layers: list | None = None, trainable: bool = True, name: str | None = None
    ) -> None:
        super().__init__(trainable=trainable, name=name)
        self._kx_layers: list = []
        self._kx_functional = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    # ------------------------------------------------------------------ editing

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or an `Input` tensor, as the first entry).

        Args:
            layer: a `Layer`, or the KerasTensor returned by `kerasx.Input`.
            rebuild: rebuild the model's graph now when its input shape is known.
        """
        if isinstance(layer, KerasTensor):
            history = getattr(layer, "_keras_history", None)
            if history is not None and isinstance(history.operation, InputLayer):
                layer = history.operation
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `kerasx.layers.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if isinstance(layer, InputLayer) and self._kx_layers:
            if isinstance(self._kx_layers[0], InputLayer):
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input "
                    f"shape {self._kx_layers[0].batch_shape}. You cannot add a different Input "
                    "layer to it."
                )
            raise ValueError(
                "An Input can only be the first layer of a Sequential model. Create the model "
                "with the Input first, e.g. `Sequential([Input(shape), Dense(...)])`."
            )
        if any(existing.name == layer.name for existing in self._kx_layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                "argument to pass a unique name."
            )
        self._kx_layers.append(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self.built = False
            self._kx_functional = None

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        layers = self.layers
        if not layers:
            raise TypeError("There are no layers in the model.")
        layer = layers[-1]
        self._kx_layers.remove(layer)
        self.built = False
        self._kx_functional = None
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        self.built = False
        self._kx_functional = None
        if not self._kx_layers:
            return
        first = self._kx_layers[0]
        if isinstance(first, InputLayer) and len(self._kx_layers) > 1:
            self.build(first.batch_shape)
        elif not isinstance(first, InputLayer):
            shape = getattr(first, "_kx_batch_input_shape", None)
            if shape is not None:
                self.build(shape)

    # ------------------------------------------------------------------ building

    def build(self, input_shape: Any = None) -> None:
        """Create the graph from an input shape (batch axis included)."""
        from kerasx.models.functional import Functional

        if not self._kx_layers:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no layers. Call "
                "`model.add(layer)`."
            )
        first = self._kx_layers[0]
        if isinstance(first, InputLayer):
            inputs = first.output
        else:
            if input_shape is None:
                raise ValueError(
                    f"Sequential model {self.name} needs an input shape to be built: start it "
                    "with `kerasx.Input(shape)`, or call `build((None, ...))`."
                )
            if (
                isinstance(input_shape, (list, tuple))
                and input_shape
                and isinstance(input_shape[0], (list, tuple))
            ):
                input_shape = input_shape[0]
            shape = (None, *tuple(input_shape)[1:])
            first_layer = InputLayer(batch_shape=shape, dtype=first.compute_dtype)
            self._kx_layers.insert(0, first_layer)
            inputs = first_layer.output
        x = inputs
        with _context.name_scope(self.name):
            for layer in self._kx_layers[1:]:
                x = layer(x)
        self._kx_functional = Functional(inputs, x)
        self.built = True

    def _maybe_build(self, args: tuple, kwargs: dict) -> None:
        if self.built:
            return
        first = args[0] if args else kwargs.get("inputs")
        shape = tuple(first.shape) if hasattr(first, "shape") else None
        self.build(shape)

    # ------------------------------------------------------------------ structure

    @property
    def _layers(self) -> list:
        return [la for la in self._kx_layers if not isinstance(la, InputLayer)]

    @property
    def layers(self) -> list:
        """The model's layers (without the InputLayer)."""
        return self._layers

    @property
    def inputs(self) -> list:
        return self._kx_functional.inputs if self._kx_functional is not None else []

    @property
    def outputs(self) -> list:
        return self._kx_functional.outputs if self._kx_functional is not None else []

    @property
    def input_shape(self) -> Any:
        if self._kx_functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has not been built yet.")
        return self._kx_functional.input_shape

    @property
    def output_shape(self) -> Any:
        if self._kx_functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has not been built yet.")
        return self._kx_functional.output_shape

    @property
    def input(self) -> Any:
        return self._kx_functional.input if self._kx_functional is not None else None

    @property
    def output(self) -> Any:
        return self._kx_functional.output if self._kx_functional is not None else None

    @property
    def output_names(self) -> list:
        if self._kx_functional is not None:
            return self._kx_functional.output_names
        layers = self.layers
        return [layers[-1].name] if layers else []

    # ------------------------------------------------------------------ running

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        if self._kx_functional is None:
            self.build(tuple(inputs.shape))
        return self._kx_functional.call(inputs, training=training, mask=mask)

    def compute_output_spec(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        return self.call(inputs, training=training, mask=mask)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if self._kx_functional is None:
            return None
        return self._kx_functional.compute_mask(inputs, mask)

    # ------------------------------------------------------------------ config

    def get_config(self) -> dict:
        """Keras's Sequential config: the layer configs (InputLayer first when known)."""
        from kerasx import dtype_policies
        from kerasx.saving.serialization import serialize_keras_object

        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policies.serialize(self._dtype_policy),
            "layers": [serialize_keras_object(layer) for layer in self._kx_layers],
        }
        if self._kx_functional is not None:
            config["build_input_shape"] = self._kx_functional.input_shape
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Sequential:
        """Rebuild the stack from `get_config`'s output (or a Keras 3 config)."""
        from kerasx.saving.serialization import deserialize_keras_object

        layer_configs = config.get("layers")
        if not isinstance(layer_configs, list):
            raise ValueError(
                "Invalid Sequential config: expected a 'layers' list. Received: "
                f"{type(layer_configs).__name__}"
            )
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in layer_configs:
            layer = deserialize_keras_object(
                layer_config, custom_objects=custom_objects, printable_module_name="layer"
            )
            model.add(layer, rebuild=False)
        model._maybe_rebuild()
        shape = config.get("build_input_shape")
        if not model.built and isinstance(shape, (list, tuple)):
            model.build(tuple(shape))
        return model

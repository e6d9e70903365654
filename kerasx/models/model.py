"""`Model`: a layer that can be trained (compile/fit/evaluate/predict) and summarized."""

from __future__ import annotations

from typing import Any

from kerasx.engine import tree
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.trainers.trainer import Trainer


class Model(Trainer, Layer):
    """A trainable stack of layers.

    Use it three ways, as in Keras: ``Model(inputs, outputs)`` builds a functional model from
    `kerasx.Input` tensors; ``Sequential([...])`` stacks layers; subclassing ``Model`` with
    layers created in ``__init__`` and the computation in ``call`` gives full control.

    Args:
        inputs: (functional form) the model's Input tensor(s).
        outputs: (functional form) the output tensor(s).
        name: the model's name.
        trainable: whether the model's weights are trained.
        dtype: a dtype name or policy.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (
            len(args) >= 2 or "inputs" in kwargs or ("outputs" in kwargs and args)
        ):
            from kerasx.models.functional import Functional

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kerasx.models.functional import Functional

        if (args or "inputs" in kwargs) and not isinstance(self, Functional):
            raise TypeError(
                f"{type(self).__name__} is a subclassed Model: its __init__ received inputs/"
                "outputs. Use `kerasx.Model(inputs, outputs)` for a functional model, or create "
                "layers in your subclass's __init__ and use them in `call`."
            )
        allowed = {"name", "trainable", "dtype"}
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError(
                f"Model.__init__ received unexpected keyword arguments {sorted(unknown)}. "
                f"Accepted: {sorted(allowed)} (functional models also take inputs, outputs)."
            )
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)

    # ------------------------------------------------------------------ structure

    @property
    def layers(self) -> list:
        """The model's direct sub-layers, in the order they were assigned."""
        return list(self._layers)

    @layers.setter
    def layers(self, value: Any) -> None:
        raise AttributeError(
            "`Model.layers` is read-only. Add layers with `Sequential.add` or by assigning them "
            "as attributes of a subclassed model."
        )

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """Find a direct sub-layer by `name` or by `index` (exactly one of the two).

        Returns:
            The layer.
        """
        if index is not None and name is not None:
            raise ValueError(
                "Provide only a layer name or a layer index to `get_layer`, not both. "
                f"Received: name={name}, index={index}"
            )
        layers = self.layers
        if index is not None:
            if not isinstance(index, int) or not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[la.name for la in layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def build(self, input_shape: Any = None) -> None:
        """Build a subclassed model by calling it on symbolic inputs of `input_shape`."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError(
                "You must provide an `input_shape` argument to build a subclassed model, e.g. "
                "`model.build((None, 784))`."
            )

        def spec(s: Any) -> KerasTensor:
            return KerasTensor(tuple(s), self.compute_dtype)

        if isinstance(input_shape, dict):
            x: Any = {k: spec(s) for k, s in input_shape.items()}
        elif (
            isinstance(input_shape, list)
            and input_shape
            and isinstance(input_shape[0], (list, tuple))
        ):
            x = [spec(s) for s in input_shape]
        else:
            x = spec(input_shape)
        self.__dict__["_kx_built"] = True  # avoid re-entering build from __call__
        try:
            self(x)
        except Exception:
            self.__dict__["_kx_built"] = False
            raise
        self.__dict__["_kx_build_shape"] = (
            tree.map_structure(lambda t: tuple(t.shape), x)
            if not isinstance(input_shape, tuple)
            else tuple(input_shape)
        )

    # Layer._maybe_build: when this symbolic call fails on a model first called on values,
    # the eager call builds the sub-layers instead (as in Keras).
    build._kx_symbolic_default = True  # type: ignore[attr-defined]

    def summary(
        self,
        line_length: int | None = None,
        positions: list | None = None,
        print_fn: Any = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Print the layer table and parameter counts as Keras 3 does.

        Args:
            line_length: total width of the table.
            positions: column boundaries (fractions or absolute positions).
            print_fn: a function taking each line (default `print`).
            expand_nested: also list the layers of nested models.
            show_trainable: add a column saying whether each layer is trainable.
            layer_range: kept for Keras compatibility.
        """
        from kerasx.models.summary import print_summary

        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
        )

    def get_config(self) -> dict:
        """Subclassed models: the constructor arguments captured automatically."""
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Model:
        """Create a model from its config (a functional config rebuilds the graph)."""
        if isinstance(config, dict) and {"layers", "input_layers", "output_layers"} <= set(config):
            from kerasx.saving.graph_config import functional_from_config

            return functional_from_config(cls, config, custom_objects)
        return super().from_config(config)

    def get_build_config(self) -> dict | None:
        """The input shape the model was built with (``{"input_shape": None}`` for graphs)."""
        config = Layer.get_build_config(self)
        if config is None and self.built:
            return {"input_shape": None}
        return config

    def compile_from_config(self, config: dict) -> None:
        """Compile with the arguments saved by `get_compile_config` (as `load_model` does)."""
        from kerasx.saving.saving_lib import compile_from_config

        compile_from_config(self, config)

    # ------------------------------------------------------------------ saving

    def save(self, filepath: Any, overwrite: bool = True, zipped: bool | None = None, **kwargs):
        """Save the model (config, weights, optimizer state) to a ``.keras`` file.

        The file is written to a temporary file beside `filepath` and renamed into place, so
        a crash never leaves a half-written file where a good one was.

        Args:
            filepath: the path, ending in ``.keras``.
            overwrite: whether to replace an existing file without asking.
            zipped: False writes a directory instead of a zip archive.
            **kwargs: none are supported (an error names them).
        """
        from kerasx.saving import saving_api

        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath: Any, overwrite: bool = True, max_shard_size: Any = None):
        """Save the weights (and optimizer state) to a ``.weights.h5`` file (Keras's layout).

        With `max_shard_size`, the weights are split over numbered shard files
        (``<name>_00000.weights.h5``, ...) listed by a ``<name>.weights.json`` index, which
        `load_weights` accepts.

        Args:
            filepath: the path, ending in ``.weights.h5`` (``.weights.json`` when sharding).
            overwrite: whether to replace an existing file without asking.
            max_shard_size: None (one file) or the largest shard size in GB (2**30 bytes).
        """
        from kerasx.saving import saving_api

        saving_api.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """Load weights from a ``.weights.h5`` or ``.keras`` file.

        Everything in the file is checked against the model first; only then are the
        weights assigned, so a bad file leaves the model exactly as it was.

        Args:
            filepath: the file.
            skip_mismatch: skip (with a warning) layers whose weights do not match instead
                of raising.
            **kwargs: none are supported.
        """
        from kerasx.saving import saving_api

        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs: Any) -> str:
        """The model's Keras-format config as a JSON string (`models.model_from_json`).

        Args:
            **kwargs: passed to `json.dumps` (e.g. ``indent=2``).

        Returns:
            The JSON string.
        """
        import json

        from kerasx.saving.serialization import serialize_keras_object

        return json.dumps(serialize_keras_object(self), **kwargs)

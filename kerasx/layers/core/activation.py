"""`Activation`: apply an activation function as a layer."""

from __future__ import annotations

from typing import Any

from kerasx import activations
from kerasx.layers.layer import Layer


class Activation(Layer):
    """Apply an activation function elementwise (the mask, if any, passes through).

    Args:
        activation: an activation function or its name (``"relu"``); None means linear.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Return ``activation(inputs)``."""
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape (activations keep shapes)."""
        return input_shape

    def get_config(self) -> dict:
        """The base config plus the activation (by name for built-ins)."""
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config

"""`Identity`: a layer that returns its inputs unchanged."""

from __future__ import annotations

from typing import Any

from kerasx.layers.layer import Layer


class Identity(Layer):
    """Return the inputs (any structure of tensors) unchanged; masks pass through.

    Useful as a placeholder, e.g. to switch a block off without changing a model's code.

    Args:
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Return `inputs`."""
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

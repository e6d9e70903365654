"""`UnitNormalization`: scale each example to unit L2 norm over the given axes."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.layer import Layer
from kerasx.layers.normalization._utils import check_axes, output_spec, resolve_axes


class UnitNormalization(Layer):
    """Divide each example by its L2 norm over `axis`, so that norm becomes 1.

    A norm below 1e-12 counts as 1e-12, so all-zero inputs stay zero.

    Args:
        axis: the axis or axes the norm is taken over (an int or a list/tuple of ints).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = check_axes(axis, "UnitNormalization")
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Normalize `inputs` to unit L2 norm over `axis`.

        Args:
            inputs: the input tensor.

        Returns:
            A float tensor of the shape of `inputs`.
        """
        axes = resolve_axes(self.axis, len(inputs.shape), "UnitNormalization")
        return ops.normalize(inputs, axis=tuple(axes), order=2, epsilon=1e-12)

    def compute_output_spec(self, inputs: Any) -> Any:
        resolve_axes(self.axis, len(inputs.shape), "UnitNormalization")
        return output_spec(self, inputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = super().get_config()
        config.update({"axis": self.axis})
        return config

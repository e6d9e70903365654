"""`ELU`: the exponential linear unit layer."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args


class ELU(Layer):
    """Exponential linear unit: ``x`` for ``x > 0`` and ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        alpha: the scale of the negative part (a float).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not args.is_number(alpha):
            raise ValueError(
                f"Received an invalid value for `alpha`, expected a float. Received: alpha={alpha!r}"
            )
        self.alpha = alpha
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Apply ELU to `inputs`."""
        return ops.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict:
        """The base config plus alpha."""
        config = super().get_config()
        config["alpha"] = self.alpha
        return config

"""`ActivityRegularization`: add an L1/L2 penalty on the layer's input to the loss."""

from __future__ import annotations

from typing import Any

from kerasx import regularizers
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args


class ActivityRegularization(Layer):
    """Pass the input through unchanged and add ``l1 * sum|x| + l2 * sum x**2`` to the loss.

    The penalty is divided by the batch size (as every activity regularizer is) and is
    collected in `layer.losses` after each call.

    Args:
        l1: the L1 factor, a non-negative float.
        l2: the L2 factor, a non-negative float.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        for arg, value in (("l1", l1), ("l2", l2)):
            if not args.is_number(value) or value < 0:
                raise ValueError(
                    f"Received an invalid value for `{arg}`, expected a non-negative float. "
                    f"Received: {arg}={value!r}"
                )
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Return `inputs` (the penalty is added by the layer machinery)."""
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict:
        """The base config (without the derived activity_regularizer) plus l1 and l2."""
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config

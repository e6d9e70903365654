"""`ReLU` and `LeakyReLU` layers."""

from __future__ import annotations

import warnings
from typing import Any

from kerasx import activations, ops
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args


class ReLU(Layer):
    """Rectified linear unit with an optional cap, leak and threshold.

    ``f(x) = max_value`` for ``x >= max_value``, ``x`` for ``threshold <= x < max_value``
    and ``negative_slope * (x - threshold)`` below `threshold`.

    Args:
        max_value: the largest output (a non-negative float), or None for no cap.
        negative_slope: the slope below `threshold` (a non-negative float).
        threshold: where the function switches from the leak to the identity (a
            non-negative float).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None and (not args.is_number(max_value) or max_value < 0):
            raise ValueError(
                "Received an invalid value for `max_value`, expected None or a non-negative "
                f"float. Received: max_value={max_value!r}"
            )
        for arg, value in (("negative_slope", negative_slope), ("threshold", threshold)):
            if not args.is_number(value) or value < 0:
                raise ValueError(
                    f"Received an invalid value for `{arg}`, expected a non-negative float. "
                    f"Received: {arg}={value!r}"
                )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Apply the rectifier to `inputs`."""
        if self.max_value is None and self.negative_slope == 0 and self.threshold == 0:
            return ops.relu(inputs)
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict:
        """The base config plus max_value, negative_slope and threshold."""
        config = super().get_config()
        config.update(
            {
                "max_value": self.max_value,
                "negative_slope": self.negative_slope,
                "threshold": self.threshold,
            }
        )
        return config


class LeakyReLU(Layer):
    """Leaky rectifier: ``x`` for ``x >= 0`` and ``negative_slope * x`` below 0.

    Args:
        negative_slope: the slope for negative inputs (a non-negative float).
        **kwargs: base `Layer` arguments (name, dtype, ...). The deprecated ``alpha=`` is
            still accepted as a synonym of `negative_slope` (it wins, with a warning).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn(
                "Argument `alpha` is deprecated. Use `negative_slope` instead.",
                UserWarning,
                stacklevel=2,
            )
        super().__init__(**kwargs)
        if not args.is_number(negative_slope) or negative_slope < 0:
            raise ValueError(
                "Received an invalid value for `negative_slope`, expected a non-negative "
                f"float. Received: negative_slope={negative_slope!r}"
            )
        self.negative_slope = negative_slope
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Apply the leaky rectifier to `inputs`."""
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict:
        """The base config plus negative_slope."""
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config

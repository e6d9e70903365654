"""`RMSNormalization`: divide by the root mean square over the feature axes, then scale."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.layer import Layer
from kerasx.layers.normalization._utils import (
    check_axes,
    check_epsilon,
    output_spec,
    resolve_axes,
)


class RMSNormalization(Layer):
    """Root-mean-square normalization: ``x / sqrt(mean(x ** 2) + epsilon) * scale``.

    The mean square is taken per example over `axis`; the learned ``scale`` has the sizes of
    those axes. Unlike layer normalization, the input is not centered.

    Args:
        axis: the axis or axes to normalize over (an int or a list/tuple of ints).
        epsilon: a small non-negative number added to the mean square.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(self, axis: Any = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        check_axes(axis, "RMSNormalization")
        self.axis = axis
        self.epsilon = check_epsilon(epsilon, "RMSNormalization")
        self.scale = None

    def build(self, input_shape: Any) -> None:
        """Create ``scale``, shaped like the normalized axes.

        Args:
            input_shape: the input shape; the normalized axes must be known.
        """
        input_shape = tuple(input_shape)
        axes = check_axes(self.axis, "RMSNormalization")
        self.axis = sorted(axes) if isinstance(axes, list) else [axes]
        positive = resolve_axes(self.axis, len(input_shape), "RMSNormalization")
        shape = tuple(input_shape[a] for a in positive)
        if any(s is None for s in shape):
            raise ValueError(
                f"RMSNormalization: the sizes of the normalized axes (axis={self.axis}) must be "
                f"known to create the weights. Received: input_shape={input_shape}"
            )
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self._kx_axes = tuple(positive)
        self.built = True

    def call(self, x: Any) -> Any:
        """Normalize `x` over `axis` and multiply by ``scale``.

        Args:
            x: the input tensor.

        Returns:
            A tensor of the shape and dtype of `x`.
        """
        return ops.rms_normalization(
            x, scale=self.scale.value, axis=self._kx_axes, epsilon=self.epsilon
        )

    def compute_output_spec(self, x: Any) -> Any:
        return output_spec(self, x)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config

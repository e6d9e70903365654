"""`LayerNormalization`: normalize each example over its feature axes."""

from __future__ import annotations

import warnings
from typing import Any

from kerasx import constraints, initializers, ops, regularizers
from kerasx.layers.layer import Layer
from kerasx.layers.normalization._utils import (
    check_axes,
    check_epsilon,
    output_spec,
    resolve_axes,
    serialize_or_none,
)


class LayerNormalization(Layer):
    """Normalize each example to zero mean and unit variance over `axis`, then scale and
    shift: ``gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

    Unlike `BatchNormalization`, the statistics are those of each example (over the axes in
    `axis`), so training and inference behave the same. float16/bfloat16 inputs are
    normalized in float32 and cast back.

    Args:
        axis: the axis or axes to normalize over (an int or a list/tuple of ints). ``gamma``
            and ``beta`` have the sizes of these axes.
        epsilon: a small non-negative number added to the variance.
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned scale ``gamma``.
        beta_initializer: initializer of ``beta``.
        gamma_initializer: initializer of ``gamma``.
        beta_regularizer: optional regularizer of ``beta``.
        gamma_regularizer: optional regularizer of ``gamma``.
        beta_constraint: optional constraint of ``beta``.
        gamma_constraint: optional constraint of ``gamma``.
        **kwargs: base `Layer` arguments (name, dtype, ...). ``rms_scaling=True`` (deprecated,
            as in Keras) divides the uncentered input by ``sqrt(variance + epsilon)`` and has
            no ``beta``; prefer `RMSNormalization`.
    """

    _auto_config = False
    supports_masking = True

    def __init__(
        self,
        axis: Any = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        rms_scaling = bool(kwargs.pop("rms_scaling", False))
        super().__init__(**kwargs)
        self.axis = check_axes(axis, "LayerNormalization")
        self.epsilon = check_epsilon(epsilon, "LayerNormalization")
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = rms_scaling
        if rms_scaling:
            warnings.warn(
                "LayerNormalization(rms_scaling=True) is deprecated: it divides the input by "
                "the square root of its variance, not by its root mean square. Use "
                "`kerasx.layers.RMSNormalization` for RMS normalization.",
                UserWarning,
                stacklevel=2,
            )
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = None
        self.beta = None

    def build(self, input_shape: Any) -> None:
        """Create ``gamma`` and ``beta``, shaped like the normalized axes.

        Args:
            input_shape: the input shape; the normalized axes must be known.
        """
        input_shape = tuple(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self.axis = sorted(axes)
        positive = resolve_axes(self.axis, len(input_shape), "LayerNormalization")
        shape = tuple(input_shape[a] for a in positive)
        if any(s is None for s in shape):
            raise ValueError(
                f"LayerNormalization: the sizes of the normalized axes (axis={self.axis}) "
                f"must be known to create the weights. Received: input_shape={input_shape}"
            )
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
            )
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
            )
        self._kx_axes = tuple(positive)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Normalize `inputs` over `axis`.

        Args:
            inputs: the input tensor.

        Returns:
            A tensor of the shape and dtype of `inputs`.
        """
        gamma = None if self.gamma is None else self.gamma.value
        beta = None if self.beta is None else self.beta.value
        return ops.layer_normalization(
            inputs,
            gamma,
            beta,
            axis=self._kx_axes,
            epsilon=self.epsilon,
            rms_scaling=self.rms_scaling,
        )

    def compute_output_spec(self, inputs: Any) -> Any:
        return output_spec(self, inputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "rms_scaling": self.rms_scaling,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": serialize_or_none(regularizers, self.beta_regularizer),
                "gamma_regularizer": serialize_or_none(regularizers, self.gamma_regularizer),
                "beta_constraint": serialize_or_none(constraints, self.beta_constraint),
                "gamma_constraint": serialize_or_none(constraints, self.gamma_constraint),
            }
        )
        return config

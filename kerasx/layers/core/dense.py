"""`Dense`: the fully connected layer, ``activation(inputs @ kernel + bias)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import activations, constraints, initializers, ops, regularizers
from kerasx.layers.core._lora import LoraMixin, lora_base_property
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer

_relu = activations.relu


def _serialize_or_none(module: Any, obj: Any) -> Any:
    return None if obj is None else module.serialize(obj)


class Dense(LoraMixin, Layer):
    """A densely connected layer: ``output = activation(dot(inputs, kernel) + bias)``.

    The product is taken over the last axis of the input, so an input of shape
    ``(batch, ..., d)`` gives an output of shape ``(batch, ..., units)``. The weights are
    ``kernel`` of shape ``(d, units)`` and, with `use_bias`, ``bias`` of shape ``(units,)``.

    Args:
        units: the size of the output's last axis (a positive integer).
        activation: the activation applied to the output (None: none).
        use_bias: whether to add a bias vector.
        kernel_initializer: how the kernel is initialized.
        bias_initializer: how the bias is initialized.
        kernel_regularizer: a regularizer for the kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        lora_rank: when set (a positive integer), LoRA is enabled at build time with this
            rank: the kernel is frozen and two trainable low-rank factors learn a correction
            (see `enable_lora`).
        lora_alpha: the LoRA scale numerator (None: `lora_rank`). As in Keras 3.15.1, the
            LoRA enabled by `lora_rank` at build time uses ``lora_alpha = lora_rank``; pass
            `lora_alpha` to `enable_lora` for another scale.
        quantization_config: accepted for Keras compatibility (must be None: quantization is
            not implemented).
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if (
            not isinstance(units, (int, np.integer))
            or isinstance(units, (bool, np.bool_))
            or units <= 0
        ):
            raise ValueError(
                "Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units}"
            )
        if quantization_config is not None:
            raise NotImplementedError(
                "Dense(quantization_config=...) is not supported: kerasx does not implement "
                "quantization. Leave `quantization_config` as None. "
                f"Received: quantization_config={quantization_config!r}"
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._kernel = None
        self._init_lora(lora_rank, lora_alpha)
        self.quantization_config = None
        self.input_spec = InputSpec(min_ndim=2)

    kernel = lora_base_property("kernel")

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(input_shape[-1], units)`` and ``bias`` ``(units,)``.

        Args:
            input_shape: the input shape; its last axis must be known.
        """
        input_shape = tuple(input_shape)
        in_dim = input_shape[-1] if input_shape else None
        if in_dim is None:
            raise ValueError(
                f"The last dimension of the inputs to layer '{self.name}' (Dense) must be "
                "known to create the kernel, but it is None. Received: "
                f"input_shape={input_shape}"
            )
        in_dim = int(in_dim)
        self._kernel = self.add_weight(
            name="kernel",
            shape=(in_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self.built = True
        self._maybe_enable_lora()

    def call(self, inputs: Any, training: Any = None) -> Any:
        """Compute ``activation(inputs @ kernel + bias)``.

        Args:
            inputs: a tensor whose last axis has the build-time size.
            training: unused (accepted so the flag flows through).

        Returns:
            A tensor of shape ``inputs.shape[:-1] + (units,)``.
        """
        # Reading the variables' values here (what an op does with a Variable argument
        # anyway) lets the ops take their fast path.
        x = ops.matmul(inputs, self._lora_effective())
        if self.bias is not None:
            x = ops.add(x, self.bias.value)
        activation = self.activation
        if activation is _relu:
            # `activations.relu` with its defaults is `ops.relu` (after a no-op conversion).
            return ops.relu(x)
        if activation is not None:
            x = activation(x)
        return x

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """``input_shape`` with its last axis replaced by `units`."""
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _serialize_or_none(regularizers, self.kernel_regularizer),
                "bias_regularizer": _serialize_or_none(regularizers, self.bias_regularizer),
                "kernel_constraint": _serialize_or_none(constraints, self.kernel_constraint),
                "bias_constraint": _serialize_or_none(constraints, self.bias_constraint),
                "quantization_config": None,
                **self._lora_config(),
            }
        )
        return config

"""`Embedding`: look up a dense vector for each integer index."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kerasx import constraints, initializers, ops, regularizers
from kerasx.engine import dtypes as _dt
from kerasx.layers.core._lora import LoraMixin, lora_base_property
from kerasx.layers.layer import Layer


def _serialize_or_none(module: Any, obj: Any) -> Any:
    return None if obj is None else module.serialize(obj)


def _check_positive_int(name: str, value: Any) -> int:
    if (
        not isinstance(value, (int, np.integer))
        or isinstance(value, (bool, np.bool_))
        or value <= 0
    ):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive integer. "
            f"Received: {name}={value!r} (of type {type(value).__name__})"
        )
    return int(value)


class Embedding(LoraMixin, Layer):
    """Map integer indices to dense vectors: row ``i`` of the ``embeddings`` matrix for index ``i``.

    An input of shape ``(batch, ...)`` of integers in ``[0, input_dim)`` gives an output of
    shape ``(batch, ..., output_dim)``. The gradient of the loss reaches the rows that were
    looked up. With `mask_zero`, index 0 is padding: the layer produces a mask
    ``inputs != 0`` that flows to later layers (so index 0 must not be used for a real item,
    and `input_dim` should count it).

    Args:
        input_dim: the vocabulary size (largest index + 1), a positive integer.
        output_dim: the size of each embedding vector, a positive integer.
        embeddings_initializer: how the ``embeddings`` matrix is initialized.
        embeddings_regularizer: a regularizer for the matrix.
        embeddings_constraint: a constraint applied to the matrix after each update.
        mask_zero: whether index 0 is padding to be masked.
        weights: an optional list holding the initial ``(input_dim, output_dim)`` matrix.
        lora_rank: when set (a positive integer), LoRA is enabled at build time with this
            rank: ``embeddings`` is frozen and two trainable factors ``lora_embeddings_a``
            ``(input_dim, rank)`` and ``lora_embeddings_b`` ``(rank, output_dim)`` learn a
            correction (see `enable_lora`).
        lora_alpha: the LoRA scale numerator (None: `lora_rank`). As in Keras 3.15.1, the
            LoRA enabled by `lora_rank` at build time uses ``lora_alpha = lora_rank``; pass
            `lora_alpha` to `enable_lora` for another scale.
        quantization_config: accepted for Keras compatibility (must be None: quantization is
            not implemented).
        **kwargs: base `Layer` arguments (name, dtype, trainable, activity_regularizer, ...).
    """

    _auto_config = False

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        weights: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("input_length", None) is not None:
            warnings.warn(
                "Argument `input_length` is deprecated. Just remove it.", UserWarning, stacklevel=2
            )
        super().__init__(**kwargs)
        if quantization_config is not None:
            raise NotImplementedError(
                f"{type(self).__name__}(quantization_config=...) is not supported: kerasx does "
                "not implement quantization. Leave `quantization_config` as None. "
                f"Received: quantization_config={quantization_config!r}"
            )
        self.input_dim = _check_positive_int("input_dim", input_dim)
        self.output_dim = _check_positive_int("output_dim", output_dim)
        if isinstance(embeddings_initializer, str) and embeddings_initializer == "uniform":
            # Keras's short name for RandomUniform(-0.05, 0.05), the default here.
            embeddings_initializer = initializers.RandomUniform()
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._init_lora(lora_rank, lora_alpha)
        self.quantization_config = None
        self._embeddings = None
        if weights is not None:
            self.build()
            if not isinstance(weights, (list, tuple)):
                weights = [weights]
            self.set_weights(list(weights))

    _lora_base = "embeddings"

    embeddings = lora_base_property("embeddings")

    def build(self, input_shape: Any = None) -> None:
        """Create the ``embeddings`` matrix ``(input_dim, output_dim)`` (the input shape is
        not needed)."""
        if self._embeddings is not None:
            return
        self._embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
            trainable=True,
        )
        self.built = True
        self._maybe_enable_lora()

    def call(self, inputs: Any) -> Any:
        """Gather the rows of ``embeddings`` named by `inputs`.

        Args:
            inputs: integer indices (floats are cast to int32).

        Returns:
            A tensor of shape ``inputs.shape + (output_dim,)`` in the compute dtype.
        """
        if not _dt.is_int_dtype(_dt.standardize_dtype(inputs.dtype)):
            inputs = ops.cast(inputs, "int32")
        outputs = ops.take(self._embeddings.value, inputs, axis=0)
        if self.lora_enabled:
            # Only the looked-up rows of the correction: (A[ids] @ B) * scale.
            rows = ops.take(self.lora_embeddings_a.value, inputs, axis=0)
            delta = ops.multiply(ops.matmul(rows, self.lora_embeddings_b.value), self._lora_scale())
            outputs = ops.add(outputs, ops.cast(delta, outputs.dtype))
        if _dt.standardize_dtype(outputs.dtype) != self.compute_dtype:
            outputs = ops.cast(outputs, self.compute_dtype)
        return outputs

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """``inputs != 0`` when `mask_zero`, else None."""
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """``input_shape + (output_dim,)``."""
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = super().get_config()
        config.update(
            {
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": _serialize_or_none(
                    regularizers, self.embeddings_regularizer
                ),
                "activity_regularizer": _serialize_or_none(regularizers, self.activity_regularizer),
                "embeddings_constraint": _serialize_or_none(
                    constraints, self.embeddings_constraint
                ),
                "mask_zero": self.mask_zero,
                "quantization_config": None,
                **self._lora_config(),
            }
        )
        return config

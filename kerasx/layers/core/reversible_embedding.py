"""`ReversibleEmbedding`: an embedding that can also project vectors back to vocabulary logits."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine import dtypes as _dt
from kerasx.layers.core.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """An `Embedding` whose matrix can also be used the other way round, as an output layer.

    ``layer(ids)`` looks up vectors as `Embedding` does; ``layer(hidden, reverse=True)``
    multiplies hidden states of shape ``(..., output_dim)`` by the transposed matrix, giving
    logits of shape ``(..., input_dim)`` (the usual weight tying of language models). With
    ``tie_weights=False`` the reverse projection has its own ``reverse_embeddings`` weight
    of shape ``(output_dim, input_dim)``.

    Args:
        input_dim: the vocabulary size, a positive integer.
        output_dim: the size of each embedding vector, a positive integer.
        tie_weights: whether the reverse projection reuses ``embeddings`` (transposed).
        embeddings_initializer: how the weights are initialized.
        embeddings_regularizer: a regularizer for the weights.
        embeddings_constraint: a constraint applied to the weights after each update.
        mask_zero: whether index 0 is padding to be masked (forward calls).
        reverse_dtype: the dtype the reverse projection computes in (None: the compute
            dtype), e.g. ``"float32"`` for full-precision logits in a mixed-precision model.
        logit_soft_cap: when set, reverse logits become ``tanh(logits / cap) * cap``.
        **kwargs: further `Embedding` / base `Layer` arguments.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        tie_weights: bool = True,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        reverse_dtype: Any = None,
        logit_soft_cap: float | None = None,
        **kwargs: Any,
    ) -> None:
        if logit_soft_cap is not None and (
            not isinstance(logit_soft_cap, (int, float, np.integer, np.floating))
            or isinstance(logit_soft_cap, bool)
            or not logit_soft_cap > 0
        ):
            raise ValueError(
                "Received an invalid value for `logit_soft_cap`, expected a positive number "
                f"or None. Received: logit_soft_cap={logit_soft_cap!r}"
            )
        if reverse_dtype is not None:
            try:
                reverse_dtype = _dt.standardize_dtype(reverse_dtype)
            except (TypeError, ValueError) as e:
                raise ValueError(
                    "Received an invalid value for `reverse_dtype`, expected a dtype name or "
                    f"None. Received: reverse_dtype={reverse_dtype!r}"
                ) from e
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        self.reverse_embeddings = None
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
            mask_zero=mask_zero,
            **kwargs,
        )

    def build(self, input_shape: Any = None) -> None:
        """Create ``embeddings`` and, without tied weights, ``reverse_embeddings``."""
        if self.embeddings is not None:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings",
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
                regularizer=self.embeddings_regularizer,
                constraint=self.embeddings_constraint,
                trainable=True,
            )
        self.built = True

    def call(self, inputs: Any, reverse: bool = False) -> Any:
        """Look up `inputs` (forward) or project them to vocabulary logits (`reverse`).

        Args:
            inputs: integer ids (forward) or vectors with last axis `output_dim` (reverse).
            reverse: whether to run the reverse projection.

        Returns:
            ``inputs.shape + (output_dim,)`` forward, ``inputs.shape[:-1] + (input_dim,)``
            in reverse.
        """
        if not reverse:
            return super().call(inputs)
        if self.tie_weights:
            kernel = ops.transpose(self.embeddings)
        else:
            kernel = self.reverse_embeddings.value
        if self.reverse_dtype is not None:
            inputs = ops.cast(inputs, self.reverse_dtype)
            kernel = ops.cast(kernel, self.reverse_dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = ops.multiply(ops.tanh(ops.divide(logits, cap)), cap)
        return logits

    def compute_output_shape(self, input_shape: Any, reverse: bool = False) -> tuple:
        """The output shape of a forward or (`reverse`) reverse call."""
        input_shape = tuple(input_shape)
        if reverse:
            return (*input_shape[:-1], self.input_dim)
        return (*input_shape, self.output_dim)

    def get_config(self) -> dict:
        """The `Embedding` config plus tie_weights, reverse_dtype and logit_soft_cap."""
        config = super().get_config()
        config.update(
            {
                "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype,
                "logit_soft_cap": self.logit_soft_cap,
            }
        )
        return config

"""`CategoryEncoding`: integer category ids to one-hot, multi-hot or count vectors."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.layer import Layer
from kerasx.layers.preprocessing.features._utils import (
    check_sparse,
    encode,
    encoded_shape,
    is_int,
)


class CategoryEncoding(Layer):
    """Encode integer category ids in ``[0, num_tokens)`` as dense vectors.

    ``one_hot`` turns every id into its own vector (a trailing axis of size 1 is replaced);
    ``multi_hot`` marks which ids occur along the last axis; ``count`` counts them (optionally
    weighted by the call's `count_weights`). A rank-1 input is one sample for multi_hot and
    count. Ids outside the range contribute nothing.

    Args:
        num_tokens: the number of categories (a positive integer).
        output_mode: ``"one_hot"``, ``"multi_hot"`` (default) or ``"count"``.
        sparse: must be False (kerasx has no sparse tensors).
        **kwargs: base `Layer` arguments (name, dtype: the output dtype, ...).
    """

    _auto_config = False

    def __init__(
        self,
        num_tokens: int | None = None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if num_tokens is None:
            raise ValueError(
                "`num_tokens` must be set to use this layer. If the number of tokens is not "
                "known beforehand, use the IntegerLookup layer instead. Received: "
                "num_tokens=None"
            )
        if not is_int(num_tokens) or num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if output_mode not in ("one_hot", "multi_hot", "count"):
            raise ValueError(
                "Unknown value for `output_mode`, expected one of 'one_hot', 'multi_hot', "
                f"'count'. Received: output_mode={output_mode}"
            )
        check_sparse("CategoryEncoding", sparse)
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = bool(sparse)
        self.built = True

    def call(self, inputs: Any, count_weights: Any = None) -> Any:
        """Encode `inputs` (integer ids; floats are truncated).

        Args:
            inputs: category ids.
            count_weights: weights of the same shape as `inputs`, summed instead of 1 per id
                (``output_mode="count"`` only).

        Returns:
            The encoded tensor in the layer's compute dtype.
        """
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                "`count_weights` is not used when `output_mode` is not `'count'`. Received "
                f"`count_weights={count_weights}`."
            )
        x = ops.convert_to_tensor(inputs)
        if "int" not in str(x.dtype):
            x = ops.cast(x, "int32")
        return encode(x, self.output_mode, self.num_tokens, self.compute_dtype, count_weights)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The encoded shape (see the class docstring)."""
        return encoded_shape(tuple(input_shape), self.output_mode, self.num_tokens)

    def get_config(self) -> dict:
        """The base config plus num_tokens and output_mode."""
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config

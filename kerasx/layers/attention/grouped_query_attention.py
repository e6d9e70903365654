"""`GroupQueryAttention` (Keras's GroupedQueryAttention): attention where groups of query
heads share one key/value head."""

from __future__ import annotations

import math
from typing import Any

from kerasx import backend as _backend
from kerasx import constraints, initializers, ops, regularizers
from kerasx.layers.attention.attention import _check_rate, _check_seed
from kerasx.layers.attention.multi_head_attention import (
    _serialize_or_none,
    check_positive_int,
    mask_from_parts,
    masked_softmax,
)
from kerasx.layers.core.dropout import Dropout
from kerasx.layers.core.einsum_dense import EinsumDense
from kerasx.layers.layer import Layer


class GroupQueryAttention(Layer):
    """Grouped-query attention (GQA): `num_query_heads` query heads share
    `num_key_value_heads` key/value heads, each shared head serving a group of
    ``num_query_heads // num_key_value_heads`` consecutive query heads.

    With ``num_key_value_heads == num_query_heads`` this is multi-head attention; with 1,
    multi-query attention. Projections are ``query`` ``(dim, num_query_heads, head_dim)``,
    ``key`` and ``value`` ``(dim, num_key_value_heads, head_dim)`` and ``attention_output``
    ``(num_query_heads, head_dim, dim)`` EinsumDense sublayers. Keras's class is
    ``GroupedQueryAttention``, exported (and serialized) as ``GroupQueryAttention``; default
    layer names are ``grouped_query_attention``, as in Keras.

    Args:
        head_dim: the size of each head.
        num_query_heads: the number of query heads.
        num_key_value_heads: the number of key/value heads (must divide `num_query_heads`).
        dropout: the dropout rate on the attention weights (training only).
        use_bias: whether the projections have biases.
        sliding_window: when set, position ``i`` only attends to ``|i - j| < sliding_window``.
        flash_attention: accepted for Keras compatibility (no effect).
        kernel_initializer: initializer of the projection kernels.
        bias_initializer: initializer of the projection biases.
        kernel_regularizer: regularizer of the projection kernels.
        bias_regularizer: regularizer of the projection biases.
        activity_regularizer: regularizer of the output.
        kernel_constraint: constraint of the projection kernels.
        bias_constraint: constraint of the projection biases.
        use_gate: whether a sigmoid gate projected from the query multiplies the heads.
        seed: an int seed for the dropout.
        **kwargs: base `Layer` arguments (name, dtype, ...).

    Call arguments are those of `MultiHeadAttention` (query ``(B, T, dim)``, value
    ``(B, S, dim)``, optional key, query/value/key masks, attention_mask ``(B, T, S)``,
    return_attention_scores giving weights ``(B, num_query_heads, T, S)``, training,
    use_causal_mask).
    """

    #: Keras's class is GroupedQueryAttention: its .keras weight files use that name.
    _kx_weights_name = "grouped_query_attention"

    _auto_config = False
    supports_masking = True

    def __init__(
        self,
        head_dim: int,
        num_query_heads: int,
        num_key_value_heads: int,
        dropout: float = 0.0,
        use_bias: bool = True,
        sliding_window: int | None = None,
        flash_attention: bool | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        use_gate: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("name") is None:
            # Keras's class is GroupedQueryAttention (exported as GroupQueryAttention): its
            # default names read "grouped_query_attention", "grouped_query_attention_1", ...
            uid = _backend.get_uid("grouped_query_attention")
            kwargs["name"] = (
                "grouped_query_attention" if uid == 1 else f"grouped_query_attention_{uid - 1}"
            )
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.head_dim = check_positive_int("head_dim", head_dim)
        self.num_query_heads = check_positive_int("num_query_heads", num_query_heads)
        self.num_key_value_heads = check_positive_int("num_key_value_heads", num_key_value_heads)
        if self.num_query_heads % self.num_key_value_heads != 0:
            raise ValueError(
                "`num_query_heads` must be divisible by `num_key_value_heads`. Received: "
                f"num_query_heads={num_query_heads}, num_key_value_heads={num_key_value_heads}"
            )
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        self.dropout = _check_rate("dropout", dropout)
        self.use_bias = bool(use_bias)
        self.sliding_window = check_positive_int("sliding_window", sliding_window, True)
        self._flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.use_gate = bool(use_gate)
        self.seed = _check_seed(seed)
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(self.head_dim))
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed, dtype=self.dtype_policy)

    def _dense(self, name: str, equation: str, output_shape: tuple, bias_axes: str) -> Any:
        def clone(init: Any) -> Any:
            if hasattr(init, "get_config"):
                return type(init).from_config(init.get_config())
            return init

        return EinsumDense(
            equation,
            output_shape=output_shape,
            bias_axes=bias_axes if self.use_bias else None,
            activation="sigmoid" if name == "gate" else None,
            kernel_initializer=clone(self.kernel_initializer),
            bias_initializer=clone(self.bias_initializer),
            kernel_regularizer=self.kernel_regularizer,
            bias_regularizer=self.bias_regularizer,
            kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint,
            name=name,
            dtype=self.dtype_policy,
        )

    def build(self, query_shape: Any, value_shape: Any, key_shape: Any = None) -> None:
        """Create the projections for ``(B, T, dim)`` query and ``(B, S, dim)`` value/key.

        Args:
            query_shape: the query's shape.
            value_shape: the value's shape.
            key_shape: the key's shape (default `value_shape`).
        """
        query_shape = tuple(query_shape)
        value_shape = tuple(value_shape)
        shapes = {"query_shape": query_shape, "value_shape": value_shape}
        if key_shape is not None:
            shapes["key_shape"] = tuple(key_shape)
        self._kx_build_shapes = shapes
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        for arg, shape in (
            ("query_shape", query_shape),
            ("value_shape", value_shape),
            ("key_shape", key_shape),
        ):
            if len(shape) != 3:
                raise ValueError(
                    "GroupQueryAttention expects inputs of rank 3 (batch, positions, "
                    f"features). Received: {arg}={shape}"
                )
        qh, kvh, hd = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._dense("query", "bqm,muh->bquh", (None, qh, hd), "uh")
        self._query_dense.build(query_shape)
        self._key_dense = self._dense("key", "bkm,mvh->bkvh", (None, kvh, hd), "vh")
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = self._dense("gate", "bqm,muh->bquh", (None, qh, hd), "uh")
            self._gate_dense.build(query_shape)
        else:
            self._gate_dense = None
        self._value_dense = self._dense("value", "bkm,mvh->bkvh", (None, kvh, hd), "vh")
        self._value_dense.build(value_shape)
        self._output_dense = self._dense(
            "attention_output", "bquh,uhm->bqm", (None, query_shape[-1]), "m"
        )
        self._output_dense.build((*query_shape[:-1], qh, hd))
        self.built = True

    def call(
        self,
        query: Any,
        value: Any,
        key: Any = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: Any = None,
        use_causal_mask: bool = False,
    ) -> Any:
        """Attend from `query` to `value` (see `MultiHeadAttention.call`).

        Returns:
            The output ``(B, T, dim)``, or ``(output, scores)`` with
            `return_attention_scores`.
        """
        if key is None:
            key = value
        mask = mask_from_parts(
            query,
            value,
            query_mask,
            value_mask,
            key_mask,
            attention_mask,
            use_causal_mask,
            self.sliding_window,
        )
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        if self.num_repeats > 1:
            k = ops.repeat(k, self.num_repeats, axis=2)
            v = ops.repeat(v, self.num_repeats, axis=2)
        q = ops.multiply(q, ops.cast(self._inverse_sqrt_head_dim, q.dtype))
        scores = ops.einsum("bkuh,bquh->buqk", k, q)
        # As in Keras: without dropout or returned scores (Keras's fused path) a fully masked
        # row gets equal weights; otherwise it is all zeros.
        fused = not return_attention_scores and self.dropout == 0
        scores = masked_softmax(scores, mask, (-1,), zero_blocked_rows=not fused)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 else scores
        heads = ops.einsum("buqk,bkuh->bquh", dropped, v)
        if self._gate_dense is not None:
            heads = ops.multiply(heads, self._gate_dense(query))
        output = self._output_dense(heads)
        if return_attention_scores:
            return output, scores
        return output

    def compute_output_shape(
        self, query_shape: Any, value_shape: Any = None, key_shape: Any = None
    ) -> tuple:
        """The query's shape."""
        return tuple(query_shape)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The query's mask."""
        return mask

    def get_build_config(self) -> dict | None:
        """The input shapes the layer was built with, in Keras's ``shapes_dict`` format."""
        shapes = self.__dict__.get("_kx_build_shapes")
        return {"shapes_dict": dict(shapes)} if shapes is not None else None

    def build_from_config(self, config: dict | None) -> None:
        """Build from `get_build_config`'s output."""
        if not config or self.built:
            return
        if "shapes_dict" in config:
            self.build(**{k: tuple(v) for k, v in config["shapes_dict"].items() if v})
        elif "input_shape" in config:
            shape = tuple(config["input_shape"])
            self.build(shape, shape)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = super().get_config()
        config.update(
            {
                "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads,
                "use_bias": self.use_bias,
                "use_gate": self.use_gate,
                "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _serialize_or_none(regularizers, self.kernel_regularizer),
                "bias_regularizer": _serialize_or_none(regularizers, self.bias_regularizer),
                "activity_regularizer": _serialize_or_none(regularizers, self.activity_regularizer),
                "kernel_constraint": _serialize_or_none(constraints, self.kernel_constraint),
                "bias_constraint": _serialize_or_none(constraints, self.bias_constraint),
                "seed": self.seed,
            }
        )
        return config

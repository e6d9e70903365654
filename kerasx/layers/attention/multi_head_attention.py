"""`MultiHeadAttention`: scaled dot-product attention over several learned projections."""

from __future__ import annotations

import math
import string
from typing import Any

import numpy as np

from kerasx import constraints, initializers, ops, regularizers
from kerasx.layers.attention.attention import _check_rate, _check_seed, large_negative
from kerasx.layers.core.dropout import Dropout
from kerasx.layers.core.einsum_dense import EinsumDense
from kerasx.layers.layer import Layer

_LETTERS = string.ascii_lowercase


def _serialize_or_none(module: Any, obj: Any) -> Any:
    return None if obj is None else module.serialize(obj)


def check_positive_int(name: str, value: Any, allow_none: bool = False) -> Any:
    """`value` as an int, or a ValueError naming the argument."""
    if value is None and allow_none:
        return None
    if (
        not isinstance(value, (int, np.integer))
        or isinstance(value, (bool, np.bool_))
        or value <= 0
    ):
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected a positive integer. "
            f"Received: {name}={value!r}"
        )
    return int(value)


def projection_equation(rank: int, n_out: int) -> tuple[str, str]:
    """An einsum equation projecting the last axis of a rank-`rank` tensor onto `n_out` new
    axes, and the bias letters (the new axes)."""
    inputs = _LETTERS[:rank]
    new = _LETTERS[rank : rank + n_out]
    return f"{inputs},{inputs[-1]}{new}->{inputs[:-1]}{new}", new


def mask_from_parts(
    query: Any,
    value: Any,
    query_mask: Any,
    value_mask: Any,
    key_mask: Any,
    attention_mask: Any,
    use_causal_mask: bool,
    sliding_window: int | None,
) -> Any:
    """The boolean attention mask ``(batch | 1, T, S)`` from all the mask sources, or None.

    A query mask blocks whole rows, value and key masks block columns, the causal mask
    keeps ``col <= row`` and a sliding window keeps ``|row - col| < window``.
    """
    mask = None

    def combine(a: Any, b: Any) -> Any:
        return b if a is None else ops.logical_and(a, b)

    if query_mask is not None:
        mask = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
    if value_mask is not None:
        mask = combine(mask, ops.expand_dims(ops.cast(value_mask, "bool"), -2))
    if key_mask is not None:
        mask = combine(mask, ops.expand_dims(ops.cast(key_mask, "bool"), -2))
    if use_causal_mask or sliding_window is not None:
        t_q, t_v = ops.shape(query)[1], ops.shape(value)[1]
        rows = ops.expand_dims(ops.arange(t_q), -1)
        cols = ops.expand_dims(ops.arange(t_v), 0)
        diff = ops.subtract(rows, cols)
        positional = None
        if use_causal_mask:
            positional = ops.greater_equal(diff, 0)
        if sliding_window is not None:
            band = ops.less(ops.abs(diff), sliding_window)
            positional = combine(positional, band)
        mask = combine(mask, ops.expand_dims(positional, 0))
    if attention_mask is not None:
        mask = combine(mask, ops.cast(attention_mask, "bool"))
    return mask


def masked_softmax(scores: Any, mask: Any, axes: tuple, zero_blocked_rows: bool = True) -> Any:
    """Softmax of `scores` over `axes`, with masked entries (mask False) given zero weight.

    `mask` lacks the heads axis: it is expanded in front of the attention axes until its
    rank matches. A fully masked row gives all zeros with `zero_blocked_rows`, else equal
    weights over all its entries (what Keras's fused attention path produces).
    """
    if mask is None:
        return ops.softmax(scores, axis=axes)
    n_attn = len(axes)
    while len(mask.shape) < len(scores.shape):
        mask = ops.expand_dims(mask, -2 * n_attn - 1)
    blocked = ops.where(mask, scores, large_negative(scores.dtype))
    probs = ops.softmax(blocked, axis=axes)
    if zero_blocked_rows:
        probs = ops.where(mask, probs, ops.zeros_like(probs))
    return probs


class MultiHeadAttention(Layer):
    """Multi-head attention as in "Attention Is All You Need".

    The query, key and value are each projected to `num_heads` heads (``query``, ``key``
    and ``value`` EinsumDense sublayers; kernels ``(dim, num_heads, key_dim)``); each head
    computes ``softmax(q k^T / sqrt(key_dim)) v`` over the attention axes, and an
    ``attention_output`` projection maps the concatenated heads back to `output_shape`
    (by default the query's feature size). Masks (attention, causal, sliding window, and the
    Keras padding masks of query/value/key) set the weights of blocked pairs to zero.

    Args:
        num_heads: the number of heads.
        key_dim: the size of each head for query and key.
        value_dim: the size of each head for value (default `key_dim`).
        dropout: the dropout rate on the attention weights (training only).
        use_bias: whether the projections have biases.
        output_shape: the output's feature shape (an int or a tuple; default the query's
            last axis).
        attention_axes: the axes attention runs over (default all axes between the batch
            and feature axes), e.g. ``(2, 3)`` for 2D attention on ``(B, H, W, C)`` inputs.
        sliding_window: when set, position ``i`` only attends to ``|i - j| < sliding_window``.
        flash_attention: accepted for Keras compatibility (no effect: the plain computation
            is used).
        kernel_initializer: initializer of the projection kernels.
        bias_initializer: initializer of the projection biases.
        kernel_regularizer: regularizer of the projection kernels.
        bias_regularizer: regularizer of the projection biases.
        activity_regularizer: regularizer of the output.
        kernel_constraint: constraint of the projection kernels.
        bias_constraint: constraint of the projection biases.
        use_gate: whether a sigmoid gate, projected from the query (``gate`` sublayer),
            multiplies the heads' outputs.
        seed: an int seed for the dropout.
        **kwargs: base `Layer` arguments (name, dtype, ...).

    Call arguments:
        query: ``(B, T, dim)``; value: ``(B, S, dim_v)``; key: ``(B, S, dim_k)`` (default
        value); query_mask / value_mask / key_mask: ``(B, T)`` / ``(B, S)`` boolean padding
        masks (filled in from Keras masks in functional models); attention_mask: ``(B, T, S)``
        boolean (True attends); return_attention_scores: also return the weights
        ``(B, num_heads, T, S)``; training: whether dropout is active; use_causal_mask:
        forbid attending to later positions.

    A fully masked query row gets zero weights when the scores are returned, when dropout
    is set, or with several attention axes, and equal weights otherwise (as Keras's fused
    path does). Unlike Keras 3.15, an explicitly passed `query_mask` is applied just like a
    query padding mask coming from a Keras mask (Keras applies only the latter).
    """

    _auto_config = False
    supports_masking = True

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        attention_axes: Any = None,
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
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._num_heads = check_positive_int("num_heads", num_heads)
        self._key_dim = check_positive_int("key_dim", key_dim)
        self._value_dim = check_positive_int("value_dim", value_dim, allow_none=True)
        if self._value_dim is None:
            self._value_dim = self._key_dim
        self._dropout = _check_rate("dropout", dropout)
        self._use_bias = bool(use_bias)
        if output_shape is not None:
            if isinstance(output_shape, (int, np.integer)) and not isinstance(output_shape, bool):
                output_shape = (int(output_shape),)
            elif isinstance(output_shape, (list, tuple)) and all(
                isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0
                for d in output_shape
            ):
                output_shape = tuple(int(d) for d in output_shape)
            else:
                raise ValueError(
                    "Received an invalid value for argument `output_shape`, expected a "
                    f"positive integer or a tuple of them. Received: output_shape={output_shape!r}"
                )
        self._output_shape = output_shape
        if attention_axes is not None:
            if isinstance(attention_axes, (int, np.integer)) and not isinstance(
                attention_axes, bool
            ):
                attention_axes = (int(attention_axes),)
            elif not isinstance(attention_axes, (list, tuple)) or not all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in attention_axes
            ):
                raise ValueError(
                    "Received an invalid value for argument `attention_axes`, expected an "
                    f"int or a tuple of ints. Received: attention_axes={attention_axes!r}"
                )
        self._attention_axes = attention_axes
        self._sliding_window = check_positive_int("sliding_window", sliding_window, True)
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self._use_gate = bool(use_gate)
        self.seed = _check_seed(seed)
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        self._dropout_layer = Dropout(rate=self._dropout, seed=self.seed, dtype=self.dtype_policy)

    # ------------------------------------------------------------------ properties

    @property
    def num_heads(self) -> int:
        """The number of heads."""
        return self._num_heads

    @property
    def key_dim(self) -> int:
        """The size of each query/key head."""
        return self._key_dim

    @property
    def value_dim(self) -> int:
        """The size of each value head."""
        return self._value_dim

    @property
    def dropout(self) -> float:
        """The dropout rate on the attention weights."""
        return self._dropout

    @property
    def use_bias(self) -> bool:
        """Whether the projections have biases."""
        return self._use_bias

    @property
    def attention_axes(self) -> Any:
        """The axes attention runs over (None: the default)."""
        return self._attention_axes

    # ------------------------------------------------------------------ building

    def _dense(self, name: str, equation: str, output_shape: Any, bias_axes: str) -> EinsumDense:
        return EinsumDense(
            equation,
            output_shape=output_shape,
            bias_axes=bias_axes if self._use_bias else None,
            kernel_initializer=self._clone(self._kernel_initializer),
            bias_initializer=self._clone(self._bias_initializer),
            kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer,
            kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint,
            activation=None if name != "gate" else "sigmoid",
            name=name,
            dtype=self.dtype_policy,
        )

    @staticmethod
    def _clone(initializer: Any) -> Any:
        # A fresh instance per sublayer, so seeded initializers do not repeat values.
        if hasattr(initializer, "get_config"):
            return type(initializer).from_config(initializer.get_config())
        return initializer

    def build(self, query_shape: Any, value_shape: Any, key_shape: Any = None) -> None:
        """Create the projections for inputs of the given shapes.

        Args:
            query_shape: the query's shape ``(B, T..., dim)``.
            value_shape: the value's shape ``(B, S..., dim_v)``.
            key_shape: the key's shape (default `value_shape`).
        """
        query_shape = tuple(query_shape)
        value_shape = tuple(value_shape)
        shapes = {"query_shape": query_shape, "value_shape": value_shape}
        if key_shape is not None:
            shapes["key_shape"] = tuple(key_shape)
        self._kx_build_shapes = shapes
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        rank = len(query_shape)
        if rank < 3:
            raise ValueError(
                "MultiHeadAttention needs inputs of rank 3 or more (batch, positions..., "
                f"features). Received: query_shape={query_shape}"
            )
        if len(value_shape) != rank or len(key_shape) != rank:
            raise ValueError(
                "The query, value and key of MultiHeadAttention must have the same rank. "
                f"Received: query_shape={query_shape}, value_shape={value_shape}, "
                f"key_shape={key_shape}"
            )
        axes = self._normalized_axes(rank)
        self._axes = axes
        free = [None] * (rank - 2)
        eq, bias = projection_equation(rank, 2)
        self.query_dense = self._dense("query", eq, (*free, self._num_heads, self._key_dim), bias)
        self.query_dense.build(query_shape)
        self.key_dense = self._dense("key", eq, (*free, self._num_heads, self._key_dim), bias)
        self.key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = self._dense(
                "gate", eq, (*free, self._num_heads, self._value_dim), bias
            )
            self._gate_dense.build(query_shape)
        else:
            self._gate_dense = None
        self.value_dense = self._dense("value", eq, (*free, self._num_heads, self._value_dim), bias)
        self.value_dense.build(value_shape)
        self._build_attention_equations(rank + 1, axes)
        out_features = self._output_shape
        if out_features is None:
            out_features = (query_shape[-1],)
        proj_rank = rank + 1
        ins = _LETTERS[:proj_rank]
        new = _LETTERS[proj_rank : proj_rank + len(out_features)]
        out_eq = f"{ins},{ins[-2:]}{new}->{ins[:-2]}{new}"
        self.output_dense = self._dense(
            "attention_output", out_eq, (*([None] * (proj_rank - 3)), *out_features), new
        )
        self.output_dense.build((*query_shape[:-1], self._num_heads, self._value_dim))
        self.built = True

    def _normalized_axes(self, rank: int) -> tuple:
        if self._attention_axes is None:
            return tuple(range(1, rank - 1))
        axes = []
        for a in self._attention_axes:
            a = int(a)
            norm = a + rank if a < 0 else a
            if not 1 <= norm <= rank - 2:
                raise ValueError(
                    "Received an invalid value for argument `attention_axes`: each axis must "
                    f"be between the batch axis and the feature axis of the rank-{rank} query "
                    f"(1 to {rank - 2}). Received: attention_axes={self._attention_axes}"
                )
            axes.append(norm)
        return tuple(axes)

    def _build_attention_equations(self, proj_rank: int, axes: tuple) -> None:
        query = _LETTERS[:proj_rank]
        key = list(query)
        extra = iter(_LETTERS[proj_rank:])
        for a in axes:
            key[a] = next(extra)
        key = "".join(key)
        batch = [i for i in range(proj_rank - 1) if i not in axes]
        scores = (
            "".join(query[i] for i in batch)
            + "".join(query[i] for i in axes)
            + "".join(key[i] for i in axes)
        )
        self._dot_product_equation = f"{key},{query}->{scores}"
        self._combine_equation = f"{scores},{key}->{query}"
        n = len(axes)
        self._softmax_axes = tuple(range(-n, 0))

    # ------------------------------------------------------------------ calling

    def _compute_attention(
        self,
        query: Any,
        key: Any,
        value: Any,
        mask: Any,
        training: Any,
        return_attention_scores: bool = False,
    ) -> tuple[Any, Any]:
        query = ops.multiply(query, ops.cast(self._inverse_sqrt_key_dim, query.dtype))
        scores = ops.einsum(self._dot_product_equation, key, query)
        # As in Keras: rank-3 attention without dropout or returned scores (Keras's fused
        # path) gives a fully masked row equal weights; otherwise the row is all zeros.
        fused = (
            not return_attention_scores
            and self._dropout == 0
            and len(self._softmax_axes) == 1
            and len(scores.shape) == 4
        )
        scores = masked_softmax(scores, mask, self._softmax_axes, zero_blocked_rows=not fused)
        dropped = self._dropout_layer(scores, training=training) if self._dropout > 0 else scores
        output = ops.einsum(self._combine_equation, dropped, value)
        return output, scores

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
        """Attend from `query` to `value` (see the class docstring for the arguments).

        Returns:
            The output ``(B, T..., *output_shape)``, or ``(output, scores)`` with
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
            self._sliding_window,
        )
        q = self.query_dense(query)
        k = self.key_dense(key)
        v = self.value_dense(value)
        heads, scores = self._compute_attention(q, k, v, mask, training, return_attention_scores)
        if self._gate_dense is not None:
            heads = ops.multiply(heads, self._gate_dense(query))
        output = self.output_dense(heads)
        if return_attention_scores:
            return output, scores
        return output

    def compute_output_shape(
        self, query_shape: Any, value_shape: Any = None, key_shape: Any = None
    ) -> tuple:
        """The output shape: ``query_shape[:-1] + output_shape`` (default the query's
        features)."""
        query_shape = tuple(query_shape)
        out = self._output_shape if self._output_shape is not None else (query_shape[-1],)
        return (*query_shape[:-1], *out)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The query's mask (the output has the query's positions)."""
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
                "num_heads": self._num_heads,
                "key_dim": self._key_dim,
                "value_dim": self._value_dim,
                "dropout": self._dropout,
                "use_bias": self._use_bias,
                "use_gate": self._use_gate,
                "output_shape": self._output_shape,
                "attention_axes": self._attention_axes,
                "sliding_window": self._sliding_window,
                "kernel_initializer": initializers.serialize(self._kernel_initializer),
                "bias_initializer": initializers.serialize(self._bias_initializer),
                "kernel_regularizer": _serialize_or_none(regularizers, self._kernel_regularizer),
                "bias_regularizer": _serialize_or_none(regularizers, self._bias_regularizer),
                "activity_regularizer": _serialize_or_none(regularizers, self.activity_regularizer),
                "kernel_constraint": _serialize_or_none(constraints, self._kernel_constraint),
                "bias_constraint": _serialize_or_none(constraints, self._bias_constraint),
                "seed": self.seed,
            }
        )
        return config

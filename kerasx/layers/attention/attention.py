"""`Attention` (dot-product, Luong style) and `AdditiveAttention` (Bahdanau style)."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import ops
from kerasx import random as _random
from kerasx.engine import dtypes as _dt
from kerasx.layers.layer import Layer


def _check_rate(name: str, value: Any) -> float:
    if (
        not isinstance(value, (int, float, np.integer, np.floating))
        or isinstance(value, (bool, np.bool_))
        or not 0 <= value <= 1
    ):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a float between 0 and 1. "
            f"Received: {name}={value!r}"
        )
    return value


def _check_seed(seed: Any) -> Any:
    if seed is not None and (
        not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_))
    ):
        raise ValueError(
            f"Received an invalid value for `seed`, expected an int or None. "
            f"Received: seed={seed!r}"
        )
    return seed


def large_negative(dtype: Any) -> float:
    """A very negative number that is finite in `dtype` (for masking scores)."""
    return -65504.0 if _dt.standardize_dtype(dtype) == "float16" else -1.0e9


class Attention(Layer):
    """Dot-product attention: each query position takes a softmax-weighted mix of the values.

    Called on ``[query, value]`` or ``[query, value, key]`` (key defaults to value), with
    query of shape ``(batch, Tq, dim)`` and value/key of shape ``(batch, Tv, dim)``. Scores are
    ``query @ key^T`` (``score_mode="dot"``) or ``sum(tanh(query + key))`` over the feature axis
    (``"concat"``); a softmax over ``Tv`` turns them into weights, and the output is
    ``weights @ value``, shape ``(batch, Tq, dim_value)``.

    Args:
        use_scale: whether the scores are multiplied by a learned scalar ``scale`` (for
            ``"concat"``, it scales the sum inside the tanh).
        score_mode: ``"dot"`` or ``"concat"``. ``"concat"`` also learns a scalar
            ``concat_score_weight``.
        dropout: the fraction of attention weights dropped while training.
        seed: an int seed for the dropout.
        **kwargs: base `Layer` arguments (name, dtype, ...).

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]``.
        mask: ``[query_mask, value_mask]`` boolean tensors of shapes ``(batch, Tq)`` and
            ``(batch, Tv)`` (either may be None): masked values get no weight, masked query
            positions give zero outputs. Filled in from Keras masks in functional models.
        training: whether dropout is active.
        return_attention_scores: also return the attention weights ``(batch, Tq, Tv)``.
        use_causal_mask: forbid position ``i`` from attending to positions after ``i``.
    """

    _auto_config = False
    supports_masking = True

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                f"Received: score_mode={score_mode}"
            )
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = _check_rate("dropout", dropout)
        self.seed = _check_seed(seed)
        if self.dropout > 0:
            self.seed_generator = _random.SeedGenerator(seed)
        self.scale = None
        self.concat_score_weight = None

    def build(self, input_shape: Any) -> None:
        """Create ``scale`` (with `use_scale`) and ``concat_score_weight`` (concat mode)."""
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones"
            )
        self.built = True

    def _calculate_scores(self, query: Any, key: Any) -> Any:
        """Scores of shape ``(batch, Tq, Tv)`` before the softmax."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -1, -2))
            if self.scale is not None:
                scores = ops.multiply(scores, self.scale)
            return scores
        pairs = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))
        if self.scale is not None:
            pairs = ops.multiply(pairs, self.scale)
        return ops.multiply(self.concat_score_weight, ops.sum(ops.tanh(pairs), axis=-1))

    def _apply_scores(
        self, scores: Any, value: Any, scores_mask: Any, training: Any
    ) -> tuple[Any, Any]:
        if scores_mask is not None:
            blocked = ops.cast(ops.logical_not(scores_mask), scores.dtype)
            scores = ops.add(scores, ops.multiply(blocked, large_negative(scores.dtype)))
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = _random.dropout(weights, self.dropout, seed=self.seed_generator)
        return ops.matmul(weights, value), weights

    def _scores_mask(self, scores: Any, value_mask: Any, use_causal_mask: bool) -> Any:
        mask = None
        if value_mask is not None:
            mask = ops.expand_dims(ops.cast(value_mask, "bool"), -2)
        if use_causal_mask:
            shape = ops.shape(scores)
            t_q, t_v = shape[-2], shape[-1]
            rows = ops.expand_dims(ops.arange(t_q), -1)
            cols = ops.expand_dims(ops.arange(t_v), 0)
            causal = ops.expand_dims(ops.greater_equal(rows, cols), 0)
            mask = causal if mask is None else ops.logical_and(mask, causal)
        return mask

    def call(
        self,
        inputs: Any,
        mask: Any = None,
        training: Any = False,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> Any:
        """Attend from the query to the value (see the class docstring for the arguments).

        Returns:
            The attention output ``(batch, Tq, dim_value)``, or ``(output, scores)`` with
            `return_attention_scores`.
        """
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        q_mask = mask[0] if mask is not None else None
        v_mask = mask[1] if mask is not None else None
        scores = self._calculate_scores(query, key)
        scores_mask = self._scores_mask(scores, v_mask, use_causal_mask)
        result, weights = self._apply_scores(scores, value, scores_mask, training)
        if q_mask is not None:
            keep = ops.expand_dims(ops.cast(q_mask, result.dtype), -1)
            result = ops.multiply(result, keep)
        if return_attention_scores:
            return result, weights
        return result

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The query mask (the output has the query's positions)."""
        self._validate_inputs(inputs, mask)
        if mask is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """``query_shape[:-1] + value_shape[-1:]``."""
        self._validate_inputs(input_shape)
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def _validate_inputs(self, inputs: Any, mask: Any = None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or (
            inputs and all(d is None or isinstance(d, (int, np.integer)) for d in inputs)
        ):
            shown = getattr(inputs, "shape", inputs)
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely [query, value] or "
                f"[query, value, key]. Received: inputs={shown}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                f"[query, value, key]. Received length: {len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(
                    f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                    f"Received: mask shape={getattr(mask, 'shape', mask)}."
                )
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(
                    f"{name} layer accepts mask list of length 2 or 3. Received: mask list "
                    f"of length {len(mask)}."
                )

    def get_config(self) -> dict:
        """The base config plus use_scale, score_mode, dropout and seed."""
        config = super().get_config()
        config.update(
            {
                "use_scale": self.use_scale,
                "score_mode": self.score_mode,
                "dropout": self.dropout,
                "seed": self.seed,
            }
        )
        return config


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention.

    Scores are ``sum(scale * tanh(query + key), axis=-1)`` (without `use_scale`, the plain
    sum), computed for every query/key pair; the rest is as in `Attention`: softmax over the
    value positions, masks, causal masking, dropout and ``return_attention_scores``.

    Args:
        use_scale: whether to learn a ``scale`` vector of the feature size.
        dropout: the fraction of attention weights dropped while training.
        **kwargs: ``seed`` and base `Layer` arguments (name, dtype, ...).
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs: Any) -> None:
        seed = kwargs.pop("seed", None)
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape: Any) -> None:
        """Create ``scale`` of shape ``(dim,)`` (with `use_scale`)."""
        self._validate_inputs(input_shape)
        dim = tuple(input_shape[0])[-1]
        if self.use_scale:
            if dim is None:
                raise ValueError(
                    "The last axis of the query given to AdditiveAttention must be known to "
                    f"create `scale`. Received: input_shape={input_shape}"
                )
            self.scale = self.add_weight(
                name="scale", shape=(int(dim),), initializer="glorot_uniform"
            )
        self.built = True

    def _calculate_scores(self, query: Any, key: Any) -> Any:
        pairs = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))
        if self.scale is not None:
            pairs = ops.multiply(self.scale, pairs)
        return ops.sum(pairs, axis=-1)

    def get_config(self) -> dict:
        """The base config plus use_scale, dropout and seed."""
        config = super().get_config()
        del config["score_mode"]
        return config

"""Accuracy metrics: how often predictions match targets (exactly, after a threshold, by
arg-max, or within the top k scores)."""

from __future__ import annotations

import numbers
from typing import Any

from kerasx import config, ops
from kerasx.losses.loss import align_ranks
from kerasx.metrics.reduction_metrics import MeanMetricWrapper


def _as_float(hits: Any) -> Any:
    return ops.cast(hits, config.floatx())


def _tensors(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    return ops.convert_to_tensor(y_true), ops.convert_to_tensor(y_pred)


def _squeeze_label_axis(labels: Any, y_pred: Any) -> Any:
    """Integer labels given as ``(..., 1)`` next to scores ``(..., classes)`` lose that axis."""
    if labels.ndim == y_pred.ndim and labels.ndim > 0 and labels.shape[-1] == 1:
        labels = ops.squeeze(labels, -1)
    return labels


def _check_k(k: Any) -> None:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(
            f"Received an invalid value for `k`, expected a positive integer. Received: k={k!r}"
        )


def _accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where `y_pred` equals `y_true` exactly, else 0.0 (element-wise)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true, y_pred = align_ranks(y_true, y_pred)
    return _as_float(ops.equal(y_true, y_pred))


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Any:
    """Element-wise match of binary targets with thresholded predictions.

    Args:
        y_true: targets in {0, 1}.
        y_pred: predicted probabilities (or scores); values above `threshold` count as 1.
        threshold: the decision threshold.

    Returns:
        A float tensor of 1.0 (match) and 0.0, shaped like the (rank-reconciled) inputs.
    """
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true, y_pred = align_ranks(y_true, y_pred)
    predicted = ops.cast(ops.greater(y_pred, threshold), y_true.dtype)
    return _as_float(ops.equal(y_true, predicted))


def categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """Whether the arg-max of the one-hot targets equals the arg-max of the predictions.

    Args:
        y_true: one-hot (or score) targets, shape ``(..., classes)``.
        y_pred: predicted scores, shape ``(..., classes)``.

    Returns:
        A float tensor of 1.0/0.0 with the last axis removed.
    """
    y_true, y_pred = _tensors(y_true, y_pred)
    return _as_float(ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1)))


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """Whether integer class labels equal the arg-max of the predictions.

    Args:
        y_true: class indices, shape ``(...)`` or ``(..., 1)``.
        y_pred: predicted scores, shape ``(..., classes)``.

    Returns:
        A float tensor of 1.0/0.0 shaped like the labels.
    """
    y_true, y_pred = _tensors(y_true, y_pred)
    labels = _squeeze_label_axis(y_true, y_pred)
    predicted = ops.cast(ops.argmax(y_pred, axis=-1), labels.dtype)
    return _as_float(ops.equal(labels, predicted))


def _labels_in_top_k(labels: Any, y_pred: Any, k: int, shape: Any) -> Any:
    flat_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
    flat_labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
    return ops.reshape(ops.in_top_k(flat_labels, flat_pred, k), tuple(shape))


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Any:
    """Whether the arg-max of the one-hot targets is among the `k` highest predictions.

    Ties at the k-th score count as inside the top k.

    Args:
        y_true: one-hot targets, shape ``(..., classes)``.
        y_pred: predicted scores, shape ``(..., classes)``.
        k: how many top scores to consider.

    Returns:
        A float tensor of 1.0/0.0 with the last axis removed.
    """
    _check_k(k)
    y_true, y_pred = _tensors(y_true, y_pred)
    labels = ops.argmax(y_true, axis=-1)
    return _as_float(_labels_in_top_k(labels, y_pred, k, labels.shape))


def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> Any:
    """Whether integer class labels are among the `k` highest predictions.

    Args:
        y_true: class indices, shape ``(...)`` or ``(..., 1)``.
        y_pred: predicted scores ``(..., classes)``, or, with `from_sorted_ids`, class ids
            already sorted by decreasing score ``(..., n)``.
        k: how many top scores (or leading ids) to consider.
        from_sorted_ids: whether `y_pred` holds sorted class ids rather than scores.

    Returns:
        A float tensor of 1.0/0.0 shaped like `y_true`.
    """
    _check_k(k)
    y_true, y_pred = _tensors(y_true, y_pred)
    labels = _squeeze_label_axis(y_true, y_pred)
    if from_sorted_ids:
        leading = ops.cast(y_pred[..., :k], "int32")
        hits = ops.any(ops.equal(leading, ops.expand_dims(ops.cast(labels, "int32"), -1)), -1)
        return _as_float(ops.reshape(hits, tuple(y_true.shape)))
    return _as_float(_labels_in_top_k(labels, y_pred, k, y_true.shape))


class Accuracy(MeanMetricWrapper):
    """How often predictions equal targets exactly.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(_accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions match binary targets.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
        threshold: predictions above it count as 1.
    """

    def __init__(
        self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5
    ) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (arg-max) matches the one-hot target's class.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (arg-max) matches an integer label.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target's class is among the `k` highest predictions.

    Args:
        k: how many top scores to consider.
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(
        self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        _check_k(k)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often an integer label is among the `k` highest predictions.

    Args:
        k: how many top scores to consider.
        name: name of the metric.
        dtype: dtype of the state.
        from_sorted_ids: whether predictions are class ids sorted by decreasing score.
    """

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ) -> None:
        _check_k(k)
        super().__init__(
            sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )

    def get_config(self) -> dict:
        """Name, dtype and `k` (and `from_sorted_ids` when it is set)."""
        config = {"name": self.name, "dtype": self.dtype, "k": self._fn_kwargs["k"]}
        if self._fn_kwargs["from_sorted_ids"]:
            config["from_sorted_ids"] = True
        return config

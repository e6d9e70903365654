"""`FBetaScore` and `F1Score`: the weighted harmonic mean of precision and recall per class."""

from __future__ import annotations

from typing import Any

from kerasx import config, ops
from kerasx.metrics.metric import Metric

_AVERAGES = (None, "micro", "macro", "weighted")
_VARIABLES = ("true_positives", "false_positives", "false_negatives", "intermediate_weights")


def _cast(x: Any, dtype: str) -> Any:
    x = ops.convert_to_tensor(x)
    return x if str(x.dtype) == dtype else ops.cast(x, dtype)


class FBetaScore(Metric):
    """F-beta score of multi-class or multi-label predictions, from running counts.

    ``F_beta = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)``,
    computed per class from the true positive, false positive and false negative counts
    accumulated over all batches. Inputs have shape ``(batch_size, num_classes)``.

    Args:
        average: None (one score per class), "micro" (one score from the counts pooled over
            classes), "macro" (the mean of the per-class scores) or "weighted" (their mean
            weighted by each class's number of true instances).
        beta: a positive float; recall counts `beta` times as much as precision.
        threshold: a float in (0, 1]: predictions above it are positive. When None, the
            largest prediction(s) of each row are positive and the rest negative.
        name: name of the metric.
        dtype: dtype of the state and computation.
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(
                "Invalid `average` argument value. Expected one of: "
                f"{{None, 'micro', 'macro', 'weighted'}}. Received: average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python float. "
                    f"Received: threshold={threshold} of type '{type(threshold)}'"
                )
            if not 0.0 < threshold <= 1.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                    f"Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def build(self, y_true_shape: Any, y_pred_shape: Any) -> None:
        """Create the per-class state from the input shapes (done on the first update).

        Args:
            y_true_shape: shape of the labels, ``(batch_size, num_classes)``.
            y_pred_shape: shape of the predictions, ``(batch_size, num_classes)``.
        """
        y_true_shape = tuple(y_true_shape)
        y_pred_shape = tuple(y_pred_shape)
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received "
                f"input shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
            )
        num_classes = y_pred_shape[-1]
        if num_classes is None:
            raise ValueError(
                "FBetaScore expects the last axis of `y_pred` (the number of classes) to be "
                f"known. Received: y_pred.shape={y_pred_shape}"
            )
        var_shape = () if self.average == "micro" else (int(num_classes),)
        for attr in _VARIABLES:
            var = self.add_variable(
                shape=var_shape, initializer="zeros", dtype=self.dtype, name=attr
            )
            setattr(self, attr, var)
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's weighted per-class counts.

        Args:
            y_true: labels of shape ``(batch_size, num_classes)`` (one-hot or multi-hot).
            y_pred: scores of the same shape.
            sample_weight: optional per-sample weights of shape ``(batch_size,)``.
        """
        y_true = _cast(y_true, self.dtype)
        y_pred = _cast(y_pred, self.dtype)
        if not self._built:
            self.build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            row_max = ops.max(y_pred, axis=-1, keepdims=True)
            y_pred = ops.cast(y_pred >= row_max, self.dtype)
        else:
            y_pred = ops.cast(y_pred > self.threshold, self.dtype)
        weight = None
        if sample_weight is not None:
            weight = _cast(sample_weight, self.dtype)
            if weight.ndim == 1:
                weight = ops.expand_dims(weight, 1)

        def total(values: Any) -> Any:
            if weight is not None:
                values = values * weight
            return ops.sum(values, axis=self.axis)

        updates = {
            "true_positives": total(y_pred * y_true),
            "false_positives": total(y_pred * (1 - y_true)),
            "false_negatives": total((1 - y_pred) * y_true),
            "intermediate_weights": total(y_true),
        }
        for attr, delta in updates.items():
            var = getattr(self, attr)
            var.assign(var.value + _cast(delta, var.dtype))

    def result(self) -> Any:
        """The score: per class (average None) or one number (other averages)."""
        if not self._built:
            raise ValueError(
                f"{type(self).__name__} has no state yet: call `update_state` (or `build`) "
                "before `result`."
            )
        eps = config.epsilon()
        tp = self.true_positives.value
        precision = tp / (tp + self.false_positives.value + eps)
        recall = tp / (tp + self.false_negatives.value + eps)
        beta_sq = self.beta**2
        score = precision * recall / (beta_sq * precision + recall + eps) * (1 + beta_sq)
        if self.average == "weighted":
            counts = self.intermediate_weights.value
            score = ops.sum(score * (counts / (ops.sum(counts) + eps)))
        elif self.average is not None:
            score = ops.mean(score)
        return score

    def reset_state(self) -> None:
        """Zero the counts (nothing to do before the state is created)."""
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        """Constructor arguments: name, dtype, average, beta, threshold."""
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """F1 score: the harmonic mean of precision and recall (`FBetaScore` with beta 1).

    Args:
        average: None, "micro", "macro" or "weighted" (see `FBetaScore`).
        threshold: a float in (0, 1], or None to take the largest prediction(s) of each row.
        name: name of the metric.
        dtype: dtype of the state and computation.
    """

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        """Constructor arguments: name, dtype, average, threshold."""
        cfg = super().get_config()
        del cfg["beta"]
        return cfg

"""Regression metrics: running means of error functions, RMSE, cosine similarity and R^2."""

from __future__ import annotations

from typing import Any

from kerasx import losses, ops
from kerasx.losses.loss import align_ranks
from kerasx.metrics.metric import Metric
from kerasx.metrics.reduction_metrics import Mean, MeanMetricWrapper, _cast


def _cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """Cosine of the angle between target and prediction vectors along `axis`."""
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of the squared error (averaged over the last axis per sample).

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of the absolute error.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Running mean of the absolute percentage error.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Running mean of the squared error of ``log(1 + x)``.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """Running mean of ``log(cosh(y_pred - y_true))``.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(losses.log_cosh, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine similarity between targets and predictions.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
        axis: the axis holding the vectors.
    """

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1) -> None:
        super().__init__(_cosine_similarity, name=name, dtype=dtype, axis=axis)

    def get_config(self) -> dict:
        """Name and dtype (as in Keras, `axis` is not part of the config)."""
        return {"name": self.name, "dtype": self.dtype}


class RootMeanSquaredError(Mean):
    """Square root of the running (weighted) mean of squared errors.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Fold the squared errors of one batch into the mean.

        Args:
            y_true: targets.
            y_pred: predictions.
            sample_weight: None or per-sample (or per-element) weights.
        """
        y_true, y_pred = align_ranks(_cast(y_true, self.dtype), _cast(y_pred, self.dtype))
        super().update_state(ops.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> Any:
        """Return ``sqrt(total / count)``."""
        return ops.sqrt(super().result())


_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """Coefficient of determination R^2 of each output column, optionally aggregated.

    R^2 = 1 - residual sum of squares / total sum of squares, accumulated over all batches.
    With `num_regressors` p > 0, the adjusted R^2 ``1 - (1 - R^2) (n - 1) / (n - p - 1)`` is
    returned, where n counts the target values seen (unadjusted when n - p - 1 <= 0). A
    column with constant targets scores 0 (nan when its predictions are exact as well).

    Args:
        class_aggregation: None (one score per column), "uniform_average" or
            "variance_weighted_average" (columns weighted by their target variance).
        num_regressors: number of independent variables, for the adjusted R^2.
        name: name of the metric.
        dtype: dtype of the state.

    Inputs are 2D: ``(batch, outputs)``; the per-column state is created on the first
    update.
    """

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{_AGGREGATIONS}. Received: class_aggregation={class_aggregation}"
            )
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, int):
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected an integer >= 0. "
                f"Received: num_regressors={num_regressors!r}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, num_outputs: int) -> None:
        shape = (num_outputs,)
        self.squared_sum = self.add_variable(shape, "zeros", name="squared_sum")
        self.sum = self.add_variable(shape, "zeros", name="sum")
        self.total_mse = self.add_variable(shape, "zeros", name="residual")
        self.count = self.add_variable(shape, "zeros", name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate the per-column sums of one batch.

        Args:
            y_true: targets, shape ``(batch, outputs)``.
            y_pred: predictions of the same shape.
            sample_weight: None, per-sample ``(batch,)``/``(batch, 1)`` or per-value
                ``(batch, outputs)`` weights.
        """
        y_true = _cast(y_true, self.dtype)
        y_pred = _cast(y_pred, self.dtype)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={tuple(y_pred.shape)} and "
                f"y_true.shape={tuple(y_true.shape)}."
            )
        if tuple(y_true.shape) != tuple(y_pred.shape):
            raise ValueError(
                "R2Score expects `y_true` and `y_pred` of the same shape. Received: "
                f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
            )
        if not self._built:
            self._build(int(y_true.shape[-1]))
        elif int(y_true.shape[-1]) != self.sum.shape[0]:
            raise ValueError(
                f"R2Score was built for {self.sum.shape[0]} outputs; received inputs with "
                f"{y_true.shape[-1]} outputs. Received: y_true.shape={tuple(y_true.shape)}"
            )
        if sample_weight is None:
            weight = ops.ones_like(y_true)
        else:
            weight = _cast(sample_weight, self.dtype)
            if weight.ndim == 1:
                weight = ops.expand_dims(weight, 1)
            weight = ops.broadcast_to(weight, y_true.shape)
        size = int(y_true.shape[0]) * int(y_true.shape[1])
        self.sum.assign(self.sum.value + ops.sum(weight * y_true, axis=0))
        self.squared_sum.assign(self.squared_sum.value + ops.sum(weight * y_true * y_true, axis=0))
        self.total_mse.assign(
            self.total_mse.value + ops.sum(weight * ops.square(y_true - y_pred), axis=0)
        )
        self.count.assign(self.count.value + ops.sum(weight, axis=0))
        self.num_samples.assign(self.num_samples.value + size)

    def result(self) -> Any:
        """Return the (aggregated, optionally adjusted) R^2."""
        if not self._built:
            return ops.convert_to_tensor(0.0, dtype=self.dtype)
        count = self.count.value
        mean = self.sum.value / ops.where(ops.equal(count, 0.0), 1.0, count)
        total = self.squared_sum.value - self.sum.value * mean
        residual = self.total_mse.value
        # Constant targets (zero total sum of squares) score 0, or nan when also exact.
        flat = ops.equal(total, 0.0)
        scores = 1.0 - residual / ops.where(flat, 1.0, total)
        undefined = ops.full_like(scores, float("nan"))
        fallback = ops.where(ops.equal(residual, 0.0), undefined, ops.zeros_like(scores))
        scores = ops.where(flat, fallback, scores)
        if self.class_aggregation == "uniform_average":
            r2 = ops.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            weight_sum = ops.sum(total)
            weighted = ops.sum(ops.where(flat, 0.0, total * scores))
            r2 = ops.where(
                ops.equal(weight_sum, 0.0),
                float("nan"),
                weighted / ops.where(ops.equal(weight_sum, 0.0), 1.0, weight_sum),
            )
        else:
            r2 = scores
        if self.num_regressors:
            n = ops.cast(self.num_samples.value, self.dtype)
            dof = n - self.num_regressors - 1.0
            adjusted = 1.0 - (1.0 - r2) * (n - 1.0) / ops.where(dof > 0, dof, 1.0)
            r2 = ops.where(dof > 0, adjusted, r2)
        return r2

    def reset_state(self) -> None:
        """Set every accumulated sum back to zero (the per-column state is kept)."""
        super().reset_state()

    def get_config(self) -> dict:
        """Name, dtype, `class_aggregation` and `num_regressors`."""
        return {
            "name": self.name,
            "dtype": self.dtype,
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }

"""Correlation metrics: Pearson's and Lin's concordance correlation, per sample."""

from __future__ import annotations

from typing import Any

from kerasx import config, ops
from kerasx.engine import dtypes as _dt
from kerasx.losses.loss import align_ranks
from kerasx.metrics.reduction_metrics import MeanMetricWrapper


def _floats(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    y_pred = ops.convert_to_tensor(y_pred)
    dtype = str(y_pred.dtype)
    if not _dt.is_float_dtype(dtype):
        dtype = config.floatx()
    y_pred = ops.cast(y_pred, dtype)
    y_true = ops.cast(ops.convert_to_tensor(y_true), dtype)
    return align_ranks(y_true, y_pred)


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """Pearson correlation coefficient between targets and predictions along `axis`.

    Args:
        y_true: targets.
        y_pred: predictions.
        axis: the axis along which the correlation is computed.

    Returns:
        The correlations, with `axis` removed (nan where either input is constant).
    """
    y_true, y_pred = _floats(y_true, y_pred)
    t = y_true - ops.mean(y_true, axis=axis, keepdims=True)
    p = y_pred - ops.mean(y_pred, axis=axis, keepdims=True)
    cov = ops.sum(t * p, axis=axis)
    norm = ops.sqrt(ops.sum(t * t, axis=axis) * ops.sum(p * p, axis=axis))
    return ops.cast(cov / norm, config.floatx())


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """Lin's concordance correlation coefficient along `axis`.

    ``2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p))^2)``, which is 1 only when the
    predictions equal the targets (a small epsilon keeps the denominator positive).

    Args:
        y_true: targets.
        y_pred: predictions.
        axis: the axis along which the coefficient is computed.

    Returns:
        The coefficients, with `axis` removed.
    """
    y_true, y_pred = _floats(y_true, y_pred)
    mean_t = ops.mean(y_true, axis=axis, keepdims=True)
    mean_p = ops.mean(y_pred, axis=axis, keepdims=True)
    t = y_true - mean_t
    p = y_pred - mean_p
    cov = ops.mean(t * p, axis=axis)
    var_t = ops.mean(t * t, axis=axis)
    var_p = ops.mean(p * p, axis=axis)
    shift = ops.square(ops.squeeze(mean_t - mean_p, axis=axis))
    value = 2.0 * cov / (var_t + var_p + shift + config.epsilon())
    return ops.cast(value, config.floatx())


class PearsonCorrelation(MeanMetricWrapper):
    """Running mean of the per-sample Pearson correlation.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
        axis: the axis along which each correlation is computed.
    """

    def __init__(self, name: str = "pearson_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)


class ConcordanceCorrelation(MeanMetricWrapper):
    """Running mean of the per-sample concordance correlation.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
        axis: the axis along which each coefficient is computed.
    """

    def __init__(self, name: str = "concordance_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)

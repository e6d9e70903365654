"""Hinge metrics: running means of the hinge losses (for maximum-margin classifiers)."""

from __future__ import annotations

from typing import Any

from kerasx import losses
from kerasx.metrics.reduction_metrics import MeanMetricWrapper


class Hinge(MeanMetricWrapper):
    """Running mean of the hinge loss ``max(1 - y_true * y_pred, 0)`` (targets in {-1, 1};
    {0, 1} targets are mapped to {-1, 1}).

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "hinge", dtype: Any = None) -> None:
        super().__init__(losses.hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """Running mean of the squared hinge loss.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """Running mean of the categorical hinge loss (one-hot targets).

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None) -> None:
        super().__init__(losses.categorical_hinge, name=name, dtype=dtype)

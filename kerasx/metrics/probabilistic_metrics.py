"""Probabilistic metrics: running means of cross-entropies, KL divergence and Poisson loss."""

from __future__ import annotations

from typing import Any

from kerasx import losses, ops
from kerasx.metrics.reduction_metrics import MeanMetricWrapper


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of the binary cross-entropy.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
        from_logits: whether predictions are logits rather than probabilities.
        label_smoothing: amount in [0, 1] by which targets are pulled towards 0.5.
    """

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
    ) -> None:
        super().__init__(
            losses.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of the categorical cross-entropy (one-hot targets).

    Args:
        name: name of the metric.
        dtype: dtype of the state.
        from_logits: whether predictions are logits rather than probabilities.
        label_smoothing: amount in [0, 1] by which targets are pulled towards uniform.
        axis: the class axis.
    """

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of the cross-entropy with integer class labels.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
        from_logits: whether predictions are logits rather than probabilities.
        ignore_class: a label whose samples are left out of the mean.
        axis: the class axis.
    """

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )

    def _values_mask(self, y_true: Any, values: Any) -> Any:
        ignore_class = self._fn_kwargs["ignore_class"]
        if ignore_class is None:
            return None
        if y_true.ndim == values.ndim + 1 and y_true.shape[-1] == 1:
            y_true = ops.squeeze(y_true, -1)
        return ops.not_equal(y_true, ignore_class)


class KLDivergence(MeanMetricWrapper):
    """Running mean of the Kullback-Leibler divergence from targets to predictions.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(losses.kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """Running mean of the Poisson loss ``y_pred - y_true * log(y_pred)``.

    Args:
        name: name of the metric.
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "poisson", dtype: Any = None) -> None:
        super().__init__(losses.poisson, name=name, dtype=dtype)

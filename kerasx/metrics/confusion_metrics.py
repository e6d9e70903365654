"""Metrics built on confusion-matrix counts at decision thresholds.

`TruePositives`, `FalsePositives`, `TrueNegatives`, `FalseNegatives`, `Precision`, `Recall`,
and the constrained operating-point metrics `SensitivityAtSpecificity`,
`SpecificityAtSensitivity`, `PrecisionAtRecall` and `RecallAtPrecision`. `AUC` (in
`kerasx.metrics.auc`) shares the counting routine `update_confusion_counts` defined here.

A prediction ``p`` counts as positive at threshold ``t`` when ``p > t``; a label counts as
positive when it is non-zero. Counting is vectorised (a comparison against the vector of
thresholds, or a histogram of threshold buckets when the thresholds are evenly spaced), so
`update_state` traces under `jit`.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from kerasx import config, ops
from kerasx.metrics.metric import Metric

NEG_INF = -1e10


# Threshold parsing ---------------------------------------------------------------------------


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def parse_thresholds(thresholds: Any, default: float) -> list[float]:
    """Turn the `thresholds` argument into a validated list of floats.

    Args:
        thresholds: None, a float, or a list/tuple (or 1-D array) of floats in [0, 1].
        default: the single threshold used when `thresholds` is None.

    Returns:
        The thresholds as a list of Python floats.
    """
    if thresholds is None:
        return [default]
    if isinstance(thresholds, (list, tuple, np.ndarray)):
        values = list(np.asarray(thresholds, dtype=object).reshape(-1))
    else:
        values = [thresholds]
    bad = [t for t in values if t is None or (_is_real(t) and not 0 <= t <= 1)]
    if bad:
        raise ValueError(
            f"Threshold values must be in [0, 1]. Received: {bad} (thresholds={thresholds!r})"
        )
    for t in values:
        if not _is_real(t):
            raise TypeError(
                "Received an invalid value for `thresholds`, expected a float or a list of "
                f"floats in [0, 1]. Received: thresholds={thresholds!r}"
            )
    return [float(t) for t in values]


def evenly_spaced(thresholds: list[float]) -> bool:
    """Whether `thresholds` (more than two of them) are ``i / (n - 1)`` for ``i < n``.

    Args:
        thresholds: a sorted list of thresholds.

    Returns:
        True when the bucketed counting path applies.
    """
    n = len(thresholds)
    if n < 3:
        return False
    grid = np.arange(n) / (n - 1)
    return bool(np.max(np.abs(np.asarray(thresholds, dtype="float64") - grid)) <= 1e-6)


def check_unit_interval(value: Any, arg: str) -> None:
    """Raise ValueError unless `value` is a number in [0, 1] (naming the argument `arg`)."""
    if not _is_real(value) or not 0 <= value <= 1:
        raise ValueError(f"Argument `{arg}` must be in the range [0, 1]. Received: {arg}={value}")


# Counting ------------------------------------------------------------------------------------


def _cast(x: Any, dtype: str) -> Any:
    x = ops.convert_to_tensor(x)
    return x if str(x.dtype) == dtype else ops.cast(x, dtype)


def _match_ranks(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """Drop a trailing unit axis that makes one of the two tensors one rank longer."""
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = ops.squeeze(y_pred, -1)
    elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    return y_true, y_pred


def filter_top_k(y_pred: Any, k: int) -> Any:
    """Keep the `k` largest entries of each row (last axis); set the others to ``NEG_INF``.

    Args:
        y_pred: predictions, classes on the last axis.
        k: how many entries to keep per row (ties keep the lower index).

    Returns:
        A tensor like `y_pred`.
    """
    _, idx = ops.top_k(y_pred, k)
    keep = ops.sum(ops.one_hot(idx, y_pred.shape[-1], dtype=y_pred.dtype), axis=-2) > 0
    return ops.where(keep, y_pred, ops.cast(NEG_INF, y_pred.dtype))


def _batch_weights(sample_weight: Any, like: Any, dtype: str) -> Any:
    """Broadcast sample weights onto `like`, aligning the batch axis first."""
    if sample_weight is None:
        return ops.ones(like.shape, dtype=dtype)
    w = _cast(sample_weight, dtype)
    if w.ndim > like.ndim and w.shape[-1] == 1:
        w = ops.reshape(w, w.shape[: like.ndim])
    while w.ndim < like.ndim:
        w = ops.expand_dims(w, -1)
    return ops.broadcast_to(w, like.shape)


def _above_counts(
    y_pred: Any, weights: Any, thresholds: list[float], evenly: bool, dtype: str
) -> tuple[Any, Any]:
    """Sums of `weights` over predictions above / not above each threshold.

    `y_pred` and `weights` have shape ``(n,)`` (one label) or ``(n, labels)``.

    Returns:
        ``(above, below)`` of shape ``(num_thresholds,)`` or ``(num_thresholds, labels)``.
    """
    n_t = len(thresholds)
    if not evenly:
        t = ops.convert_to_tensor(np.asarray(thresholds, dtype=dtype))
        t = ops.reshape(t, (n_t,) + (1,) * y_pred.ndim)
        is_above = ops.expand_dims(y_pred, 0) > t
        w = ops.expand_dims(weights, 0)
        zero = ops.zeros((), dtype=dtype)
        above = ops.sum(ops.where(is_above, w, zero), axis=1)
        below = ops.sum(ops.where(is_above, zero, w), axis=1)
        return above, below
    # Evenly spaced thresholds: bucket each prediction by how many thresholds it exceeds.
    # With p clipped to [0, 1], the thresholds below p are those i with i / (n_t - 1) < p,
    # i.e. i < ceil(p * (n_t - 1)); a first threshold below zero is exceeded by every p.
    low = 1 if thresholds[0] < 0 else 0
    p = ops.clip(y_pred, 0.0, 1.0)
    bucket = ops.clip(ops.ceil(p * (n_t - 1)), low, n_t - 1)
    bucket = ops.cast(bucket, "int32")
    if y_pred.ndim == 2:
        n_labels = y_pred.shape[1]
        ids = bucket * n_labels + ops.expand_dims(ops.arange(n_labels, dtype="int32"), 0)
        hist = ops.segment_sum(
            ops.reshape(weights, (-1,)), ops.reshape(ids, (-1,)), num_segments=n_t * n_labels
        )
        hist = ops.reshape(hist, (n_t, n_labels))
    else:
        hist = ops.segment_sum(weights, bucket, num_segments=n_t)
    # Buckets above index i exceed threshold i; buckets up to i do not.
    below = ops.cumsum(hist, axis=0)
    at_or_above = ops.flip(ops.cumsum(ops.flip(hist, 0), axis=0), 0)
    above = ops.concatenate([at_or_above[1:], ops.zeros_like(at_or_above[:1])], axis=0)
    return above, below


def update_confusion_counts(
    variables: dict[str, Any],
    y_true: Any,
    y_pred: Any,
    thresholds: list[float],
    thresholds_distributed_evenly: bool = False,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight: Any = None,
    multi_label: bool = False,
    label_weights: Any = None,
    dtype: str = "float32",
) -> None:
    """Add one batch's weighted confusion counts to the given variables.

    Args:
        variables: a dict with some of the keys ``"tp"``, ``"fp"``, ``"tn"``, ``"fn"``
            mapping to variables of shape ``(num_thresholds,)`` (or
            ``(num_thresholds, num_labels)`` with `multi_label`).
        y_true: labels; non-zero means positive.
        y_pred: predictions, compared with ``>`` against each threshold.
        thresholds: the thresholds (a list of floats).
        thresholds_distributed_evenly: whether `thresholds` are evenly spaced on [0, 1]
            (enables the bucketed path, which clips predictions to [0, 1]).
        top_k: keep only the `top_k` largest predictions per row before thresholding.
        class_id: restrict the counts to this class (last axis index).
        sample_weight: optional weights, broadcast onto the predictions.
        multi_label: keep the last axis of rank-2 inputs as separate labels.
        label_weights: per-label weights folded into the counts (without `multi_label`).
        dtype: dtype of the computation.
    """
    y_true = ops.convert_to_tensor(y_true)
    y_pred = _cast(y_pred, dtype)
    y_true, y_pred = _match_ranks(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            "`y_true` and `y_pred` must have the same shape. Received: "
            f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    weights = _batch_weights(sample_weight, y_pred, dtype)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[..., class_id]
        y_pred = y_pred[..., class_id]
        weights = weights[..., class_id]
    if multi_label:
        if y_pred.ndim != 2:
            raise ValueError(
                "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                f"{y_pred.ndim}. Full shape received for `y_pred`: {tuple(y_pred.shape)}"
            )
    else:
        if label_weights is not None:
            weights = weights * _cast(label_weights, dtype)
        y_true = ops.reshape(y_true, (-1,))
        y_pred = ops.reshape(y_pred, (-1,))
        weights = ops.reshape(weights, (-1,))
    positive = ops.cast(y_true, "bool")
    zero = ops.zeros((), dtype=dtype)
    pos_w = ops.where(positive, weights, zero)
    neg_w = ops.where(positive, zero, weights)
    counts: dict[str, Any] = {}
    if "tp" in variables or "fn" in variables:
        counts["tp"], counts["fn"] = _above_counts(
            y_pred, pos_w, thresholds, thresholds_distributed_evenly, dtype
        )
    if "fp" in variables or "tn" in variables:
        counts["fp"], counts["tn"] = _above_counts(
            y_pred, neg_w, thresholds, thresholds_distributed_evenly, dtype
        )
    for key, var in variables.items():
        var.assign(var.value + _cast(counts[key], var.dtype))


# Metrics -------------------------------------------------------------------------------------


class _ConfusionCount(Metric):
    """One confusion-matrix count (per threshold); the four count metrics subclass this."""

    _key = "tp"

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, default=0.5)
        self._thresholds_distributed_evenly = evenly_spaced(self.thresholds)
        self.accumulator = self.add_variable(
            shape=(len(self.thresholds),),
            initializer="zeros",
            dtype=config.floatx(),
            name="accumulator",
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's weighted count at each threshold.

        Args:
            y_true: labels (non-zero means positive).
            y_pred: predictions (usually in [0, 1]).
            sample_weight: optional weights broadcastable to `y_pred`.
        """
        update_confusion_counts(
            {self._key: self.accumulator},
            y_true,
            y_pred,
            self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            dtype=self.dtype,
        )

    def result(self) -> Any:
        """The count: a scalar for one threshold, else a vector with one per threshold."""
        if len(self.thresholds) == 1:
            return self.accumulator.value[0]
        return self.accumulator.value

    def get_config(self) -> dict:
        """Constructor arguments: name, dtype and thresholds (as given)."""
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """Weighted number of true positives: positive labels predicted above the threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); a prediction above a
            threshold counts as positive. The result has one count per threshold (a scalar
            for a single threshold).
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _key = "tp"


class FalsePositives(_ConfusionCount):
    """Weighted number of false positives: negative labels predicted above the threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _key = "fp"


class TrueNegatives(_ConfusionCount):
    """Weighted number of true negatives: negative labels predicted at or below the threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _key = "tn"


class FalseNegatives(_ConfusionCount):
    """Weighted number of false negatives: positive labels predicted at or below the threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _key = "fn"


def _check_top_k_class_id(top_k: Any, class_id: Any) -> None:
    if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool)):
        raise TypeError(
            f"Received an invalid value for `top_k`, expected an int or None. Received: "
            f"top_k={top_k!r}"
        )
    if class_id is not None and (not isinstance(class_id, int) or isinstance(class_id, bool)):
        raise TypeError(
            f"Received an invalid value for `class_id`, expected an int or None. Received: "
            f"class_id={class_id!r}"
        )


class _PrecisionRecallBase(Metric):
    """Shared state of `Precision` and `Recall`: true positives plus one error count."""

    _second = "false_positives"
    _second_key = "fp"

    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        _check_top_k_class_id(top_k, class_id)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = NEG_INF if top_k is not None else 0.5
        self.thresholds = parse_thresholds(thresholds, default=default)
        self._thresholds_distributed_evenly = evenly_spaced(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(
            shape=(n,), initializer="zeros", dtype=config.floatx(), name="true_positives"
        )
        second = self.add_variable(
            shape=(n,), initializer="zeros", dtype=config.floatx(), name=self._second
        )
        setattr(self, self._second, second)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's weighted counts.

        Args:
            y_true: labels (non-zero means positive).
            y_pred: predictions (usually in [0, 1]).
            sample_weight: optional weights broadcastable to `y_pred`.
        """
        update_confusion_counts(
            {"tp": self.true_positives, self._second_key: getattr(self, self._second)},
            y_true,
            y_pred,
            self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
            dtype=self.dtype,
        )

    def result(self) -> Any:
        """``tp / (tp + second)`` per threshold (0 where undefined); a scalar for one."""
        tp = self.true_positives.value
        value = ops.divide_no_nan(tp, tp + getattr(self, self._second).value)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        """Constructor arguments: name, dtype, thresholds, top_k, class_id."""
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecallBase):
    """Precision: the fraction of predicted positives that are truly positive.

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction above a threshold is a
            positive prediction. Defaults to 0.5, or, with `top_k`, to counting every kept
            prediction as positive. The result has one value per threshold (a scalar for one).
        top_k: only the `top_k` largest predictions of each row can count as positive.
        class_id: compute the metric for this class (index on the last axis) only.
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _second = "false_positives"
    _second_key = "fp"


class Recall(_PrecisionRecallBase):
    """Recall: the fraction of true positives that are predicted positive.

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction above a threshold is a
            positive prediction. Defaults to 0.5, or, with `top_k`, to counting every kept
            prediction as positive. The result has one value per threshold (a scalar for one).
        top_k: only the `top_k` largest predictions of each row can count as positive.
        class_id: compute the metric for this class (index on the last axis) only.
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _second = "false_negatives"
    _second_key = "fn"


class _OperatingPointBase(Metric):
    """Four counts on an evenly spaced threshold grid, reduced to one operating point.

    Subclasses name their constraint argument (`_arg`) and implement `result`.
    """

    _arg = "value"

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        check_unit_interval(value, self._arg)
        if not isinstance(num_thresholds, int) or isinstance(num_thresholds, bool):
            raise TypeError(
                "Received an invalid value for `num_thresholds`, expected an integer > 0. "
                f"Received: num_thresholds={num_thresholds!r}"
            )
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. Received: "
                f"num_thresholds={num_thresholds}"
            )
        _check_top_k_class_id(None, class_id)
        self.value = value
        self.class_id = class_id
        self.num_thresholds = num_thresholds
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        for attr in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            var = self.add_variable(
                shape=(num_thresholds,), initializer="zeros", dtype=config.floatx(), name=attr
            )
            setattr(self, attr, var)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's weighted counts at every threshold.

        Args:
            y_true: labels (non-zero means positive).
            y_pred: predictions in [0, 1].
            sample_weight: optional weights broadcastable to `y_pred`.
        """
        update_confusion_counts(
            {
                "tp": self.true_positives,
                "fp": self.false_positives,
                "tn": self.true_negatives,
                "fn": self.false_negatives,
            },
            y_true,
            y_pred,
            self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
            dtype=self.dtype,
        )

    def _rates(self) -> dict[str, Any]:
        tp = self.true_positives.value
        fp = self.false_positives.value
        tn = self.true_negatives.value
        fn = self.false_negatives.value
        return {
            "recall": ops.divide_no_nan(tp, tp + fn),
            "specificity": ops.divide_no_nan(tn, tn + fp),
            "precision": ops.divide_no_nan(tp, tp + fp),
        }

    def _best(self, constrained: str, target: str) -> Any:
        """Largest `target` rate over thresholds whose `constrained` rate reaches `value`."""
        rates = self._rates()
        feasible = rates[constrained] >= ops.cast(self.value, rates[constrained].dtype)
        target_rate = rates[target]
        return ops.max(ops.where(feasible, target_rate, ops.zeros_like(target_rate)))

    def get_config(self) -> dict:
        """Constructor arguments: name, dtype, num_thresholds, class_id and the constraint."""
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._arg: self.value,
        }


class SensitivityAtSpecificity(_OperatingPointBase):
    """Best sensitivity (recall) over thresholds whose specificity is at least `specificity`.

    Args:
        specificity: the required specificity, in [0, 1].
        num_thresholds: number of evenly spaced thresholds on [0, 1] (default 200).
        class_id: compute the metric for this class (index on the last axis) only.
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _arg = "specificity"

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(specificity, num_thresholds, class_id, name, dtype)
        self.specificity = specificity

    def result(self) -> Any:
        """The sensitivity at the chosen operating point (0 when none qualifies)."""
        return self._best("specificity", "recall")


class SpecificityAtSensitivity(_OperatingPointBase):
    """Best specificity over thresholds whose sensitivity is at least `sensitivity`.

    Args:
        sensitivity: the required sensitivity (recall), in [0, 1].
        num_thresholds: number of evenly spaced thresholds on [0, 1] (default 200).
        class_id: compute the metric for this class (index on the last axis) only.
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _arg = "sensitivity"

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
        self.sensitivity = sensitivity

    def result(self) -> Any:
        """The specificity at the chosen operating point (0 when none qualifies)."""
        return self._best("recall", "specificity")


class PrecisionAtRecall(_OperatingPointBase):
    """Best precision over thresholds whose recall is at least `recall`.

    Args:
        recall: the required recall, in [0, 1].
        num_thresholds: number of evenly spaced thresholds on [0, 1] (default 200).
        class_id: compute the metric for this class (index on the last axis) only.
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _arg = "recall"

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(recall, num_thresholds, class_id, name, dtype)
        self.recall = recall

    def result(self) -> Any:
        """The precision at the chosen operating point (0 when none qualifies)."""
        return self._best("recall", "precision")


class RecallAtPrecision(_OperatingPointBase):
    """Best recall over thresholds whose precision is at least `precision`.

    Args:
        precision: the required precision, in [0, 1].
        num_thresholds: number of evenly spaced thresholds on [0, 1] (default 200).
        class_id: compute the metric for this class (index on the last axis) only.
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _arg = "precision"

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(precision, num_thresholds, class_id, name, dtype)
        self.precision = precision

    def result(self) -> Any:
        """The recall at the chosen operating point (0 when none qualifies)."""
        return self._best("precision", "recall")

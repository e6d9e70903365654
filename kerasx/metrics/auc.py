"""`AUC`: area under the ROC, precision-recall or precision-recall-gain curve.

The metric accumulates true/false positive/negative counts at a grid of thresholds (the same
vectorised counting as the other confusion metrics), then integrates the chosen curve over
the grid with a Riemann sum.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from kerasx import config, ops
from kerasx.metrics.confusion_metrics import (
    evenly_spaced,
    parse_thresholds,
    update_confusion_counts,
)
from kerasx.metrics.metric import Metric


class AUCCurve(enum.Enum):
    """The curve whose area `AUC` computes."""

    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"

    @staticmethod
    def from_str(key: Any) -> AUCCurve:
        """Parse a curve name (case-insensitive) or pass an `AUCCurve` through."""
        if isinstance(key, AUCCurve):
            return key
        name = key.upper() if isinstance(key, str) else key
        for member in AUCCurve:
            if member.value == name:
                return member
        raise ValueError(
            f'Invalid AUC curve value: "{key}". Expected values are ["PR", "ROC", "PRGAIN"]'
        )


class AUCSummationMethod(enum.Enum):
    """How `AUC` turns the curve's points into an area."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key: Any) -> AUCSummationMethod:
        """Parse a summation method name (lower case) or pass a member through."""
        if isinstance(key, AUCSummationMethod):
            return key
        for member in AUCSummationMethod:
            if member.value == key:
                return member
        raise ValueError(
            f'Invalid AUC summation method value: "{key}". Expected values are '
            '["interpolation", "majoring", "minoring"]'
        )


_VARIABLES = ("true_positives", "false_positives", "true_negatives", "false_negatives")


class AUC(Metric):
    """Area under the ROC curve (default), the precision-recall curve or the PR-gain curve.

    Counts are accumulated at `num_thresholds` thresholds: ``-eps``, ``i / (n - 1)`` for the
    inner ones, and ``1 + eps``, so that predictions of exactly 0 and 1 fall inside the grid.
    The area is a Riemann sum over consecutive thresholds.

    Args:
        num_thresholds: number of thresholds (an integer > 1, default 200); ignored when
            `thresholds` is given.
        curve: "ROC" (true positive rate against false positive rate), "PR" (precision
            against recall) or "PRGAIN" (precision gain against recall gain).
        summation_method: "interpolation" (trapezoids; for "PR" the interpolation of
            Davis & Goadrich, which is linear in the counts rather than in precision),
            "minoring" (the lower of the two heights of each interval) or "majoring" (the
            higher).
        name: name of the metric.
        dtype: dtype of the computation.
        thresholds: explicit inner thresholds in [0, 1] (sorted here); the two end
            thresholds are added to them.
        multi_label: with rank-2 inputs, keep one curve per label (last axis) and average
            their areas; otherwise every entry is one sample of a single curve.
        num_labels: number of labels with `multi_label` (else the state is created on the
            first update).
        label_weights: per-label weights: the weights of the per-label areas in the average
            with `multi_label`, otherwise multipliers of the counts.
        from_logits: apply a sigmoid to the predictions first.
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: Any = "ROC",
        summation_method: Any = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.curve = AUCCurve.from_str(curve)
        self.summation_method = AUCSummationMethod.from_str(summation_method)
        if thresholds is not None:
            inner = sorted(parse_thresholds(thresholds, default=0.5))
            self.num_thresholds = len(inner) + 2
            self._init_from_thresholds = True
        else:
            if not isinstance(num_thresholds, int) or isinstance(num_thresholds, bool):
                raise TypeError(
                    "Received an invalid value for `num_thresholds`, expected an integer > 1. "
                    f"Received: num_thresholds={num_thresholds!r}"
                )
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. Received: "
                    f"num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._init_from_thresholds = False
        eps = config.epsilon()
        self._thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self._thresholds_distributed_evenly = not self._init_from_thresholds or evenly_spaced(
            self._thresholds
        )
        self.multi_label = bool(multi_label)
        if num_labels is not None and (
            not isinstance(num_labels, int) or isinstance(num_labels, bool) or num_labels < 1
        ):
            raise ValueError(
                "Received an invalid value for `num_labels`, expected a positive integer or "
                f"None. Received: num_labels={num_labels!r}"
            )
        if num_labels is not None and not self.multi_label:
            raise ValueError(
                "`num_labels` is needed only when `multi_label` is True. Received: "
                f"num_labels={num_labels}, multi_label={multi_label}"
            )
        self.num_labels = num_labels
        if isinstance(label_weights, dict) and label_weights.get("class_name") == "__tensor__":
            # The serialized form of an array in Keras's config files.
            label_weights = label_weights["config"]["value"]
        if label_weights is not None:
            host = np.asarray(label_weights, dtype=self.dtype)
            if host.ndim != 1:
                raise ValueError(
                    "Received an invalid value for `label_weights`, expected a 1-D list of "
                    f"per-label weights. Received: label_weights={label_weights!r}"
                )
            self._label_weights_host = host
            self.label_weights = ops.convert_to_tensor(host)
        else:
            self._label_weights_host = None
            self.label_weights = None
        self._from_logits = bool(from_logits)
        self._built = False
        if self.multi_label:
            if num_labels is not None:
                self._build((None, num_labels))
        else:
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, end points included."""
        return list(self._thresholds)

    def _build(self, shape: Any) -> None:
        """Create the four count variables (per label with `multi_label`)."""
        if self.multi_label:
            if shape is None or len(shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                    f"{0 if shape is None else len(shape)}. Full shape received for `y_pred`: "
                    f"{shape}"
                )
            self._build_input_shape = tuple(shape)
            var_shape = (self.num_thresholds, int(shape[-1]))
        else:
            var_shape = (self.num_thresholds,)
        for attr in _VARIABLES:
            var = self.add_variable(
                shape=var_shape, initializer="zeros", dtype=config.floatx(), name=attr
            )
            setattr(self, attr, var)
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's weighted counts at every threshold.

        Args:
            y_true: labels (non-zero means positive).
            y_pred: predictions in [0, 1] (logits with `from_logits`).
            sample_weight: optional weights broadcastable to `y_pred`.
        """
        y_pred = ops.convert_to_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = ops.sigmoid(ops.cast(y_pred, self.dtype))
        update_confusion_counts(
            {
                "tp": self.true_positives,
                "fp": self.false_positives,
                "tn": self.true_negatives,
                "fn": self.false_negatives,
            },
            y_true,
            y_pred,
            self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            dtype=self.dtype,
        )

    def _average_over_labels(self, per_label: Any) -> Any:
        if self.label_weights is None:
            return ops.mean(per_label)
        lw = ops.cast(self.label_weights, per_label.dtype)
        return ops.divide_no_nan(ops.sum(per_label * lw), ops.sum(lw))

    def _total(self, increments: Any) -> Any:
        if self.multi_label:
            return self._average_over_labels(ops.sum(increments, axis=0))
        return ops.sum(increments)

    def _pr_interpolation(self, tp: Any, fp: Any, fn: Any) -> Any:
        """PR area with the counts (not precision) linear between consecutive thresholds.

        Between thresholds i and i + 1, with predicted positives P running from p[i + 1]
        to p[i] and true positives tp = a * P + b along the way, precision is a + b / P and
        recall is tp / positives, so the area of the slice is
        ``a * (dtp + b * log(p[i] / p[i + 1])) / positives``.
        """
        d_tp = tp[:-1] - tp[1:]
        pred_pos = tp + fp
        d_pos = pred_pos[:-1] - pred_pos[1:]
        slope = ops.divide_no_nan(d_tp, ops.maximum(d_pos, 0))
        intercept = tp[1:] - slope * pred_pos[1:]
        both_positive = ops.logical_and(pred_pos[:-1] > 0, pred_pos[1:] > 0)
        ratio = ops.where(
            both_positive,
            ops.divide_no_nan(pred_pos[:-1], ops.maximum(pred_pos[1:], 0)),
            ops.ones_like(pred_pos[1:]),
        )
        area = ops.divide_no_nan(
            slope * (d_tp + intercept * ops.log(ratio)), ops.maximum(tp[1:] + fn[1:], 0)
        )
        return self._total(area)

    def result(self) -> Any:
        """The area under the chosen curve (averaged over labels with `multi_label`)."""
        if not self._built:
            return ops.zeros((), dtype=config.floatx())
        tp = self.true_positives.value
        fp = self.false_positives.value
        tn = self.true_negatives.value
        fn = self.false_negatives.value
        interpolate = self.summation_method == AUCSummationMethod.INTERPOLATION
        if self.curve == AUCCurve.PR and interpolate:
            return self._pr_interpolation(tp, fp, fn)
        if self.curve == AUCCurve.ROC:
            x = ops.divide_no_nan(fp, fp + tn)
            y = ops.divide_no_nan(tp, tp + fn)
        elif self.curve == AUCCurve.PR:
            x = ops.divide_no_nan(tp, tp + fn)
            y = ops.divide_no_nan(tp, tp + fp)
        else:
            # Gains relative to the always-positive classifier; the positive-to-negative
            # ratio is taken from the counts at each threshold.
            positives = tp + fn
            negatives = fp + tn
            y = 1.0 - ops.divide_no_nan(positives * fp, negatives * tp)
            x = ops.divide_no_nan(tp * negatives - fn * positives, tp * negatives)
            x = ops.clip(x, 0.0, 1.0)
        if interpolate:
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == AUCSummationMethod.MINORING:
            heights = ops.minimum(y[:-1], y[1:])
        else:
            heights = ops.maximum(y[:-1], y[1:])
        return self._total((x[:-1] - x[1:]) * heights)

    def reset_state(self) -> None:
        """Zero the counts (nothing to do before the state is created)."""
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        """Constructor arguments; `thresholds` only when they were given explicitly."""
        cfg = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve.value,
            "summation_method": self.summation_method.value,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self._label_weights_host,
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            cfg["thresholds"] = self._thresholds[1:-1]
        return cfg

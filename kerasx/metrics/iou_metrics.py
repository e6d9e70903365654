"""Intersection-over-union metrics: `IoU`, `BinaryIoU`, `MeanIoU`, `OneHotIoU`, `OneHotMeanIoU`.

All of them accumulate a ``(num_classes, num_classes)`` confusion matrix (rows: true class,
columns: predicted class). For a class ``c`` the IoU is ``cm[c, c]`` divided by the sum of
row ``c`` and column ``c`` minus ``cm[c, c]``; the result averages it over the target classes
that have been seen (true or predicted) at least once.
"""

from __future__ import annotations

import warnings
from typing import Any

from kerasx import config, ops
from kerasx.metrics.metric import Metric


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _flat(x: Any) -> Any:
    return ops.reshape(x, (-1,)) if x.ndim != 1 else x


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int, weights: Any, dtype: str) -> Any:
    """Weighted confusion matrix of integer class ids (ids outside the range are dropped).

    Args:
        y_true: 1-D true class ids.
        y_pred: 1-D predicted class ids.
        num_classes: number of classes.
        weights: 1-D weight of each pair.
        dtype: dtype of the result.

    Returns:
        A ``(num_classes, num_classes)`` tensor; entry ``[i, j]`` sums the weights of the
        pairs with true class ``i`` and predicted class ``j``.
    """
    t = ops.cast(y_true, "int32")
    p = ops.cast(y_pred, "int32")
    valid = (t >= 0) & (t < num_classes) & (p >= 0) & (p < num_classes)
    ids = ops.where(valid, t * num_classes + p, -1)
    w = ops.where(valid, ops.cast(weights, dtype), ops.zeros((), dtype=dtype))
    cm = ops.segment_sum(w, ids, num_segments=num_classes * num_classes)
    return ops.reshape(cm, (num_classes, num_classes))


class IoU(Metric):
    """Intersection-over-union of segmentation (or classification) labels, for chosen classes.

    The IoU of a class is ``TP / (TP + FP + FN)`` from the accumulated confusion matrix. The
    result is the mean IoU over `target_class_ids`, counting only classes that have appeared
    (as a label or a prediction).

    Args:
        num_classes: number of classes (the confusion matrix is square of this size).
        target_class_ids: the class ids whose IoU is averaged.
        name: name of the metric.
        dtype: dtype of the confusion matrix (default "int32": weights are truncated to
            integers).
        ignore_class: a label value whose entries are left out (e.g. a "void" class).
        sparse_y_true: whether labels are class ids (True) or one-hot / scores along `axis`.
        sparse_y_pred: whether predictions are class ids (True) or scores along `axis`.
        axis: the class axis of non-sparse inputs.
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Any,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(name=name, dtype=dtype or "int32")
        if not _is_int(num_classes) or num_classes < 1:
            raise ValueError(
                "Received an invalid value for `num_classes`, expected a positive integer. "
                f"Received: num_classes={num_classes!r}"
            )
        if not isinstance(target_class_ids, (list, tuple)):
            raise TypeError(
                "Received an invalid value for `target_class_ids`, expected a list or tuple "
                f"of class ids. Received: target_class_ids={target_class_ids!r}"
            )
        ids = list(target_class_ids)
        if not ids or not all(_is_int(i) for i in ids):
            raise ValueError(
                "Received an invalid value for `target_class_ids`, expected a non-empty list "
                f"of integer class ids. Received: target_class_ids={target_class_ids!r}"
            )
        if max(ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(ids)} is out of range, which is [0, {num_classes})."
            )
        if min(ids) < -num_classes:
            raise ValueError(
                f"Target class id {min(ids)} is out of range, which is [0, {num_classes})."
            )
        self.num_classes = num_classes
        self.target_class_ids = ids
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            shape=(num_classes, num_classes),
            initializer="zeros",
            dtype=self.dtype,
            name="total_confusion_matrix",
        )

    def _weights(self, sample_weight: Any, like: Any) -> Any:
        if sample_weight is None:
            return ops.ones(like.shape, dtype=self.dtype)
        w = ops.convert_to_tensor(sample_weight)
        if "float" in str(w.dtype) and "int" in self.dtype:
            warnings.warn(
                f"{type(self).__name__} has integer dtype {self.dtype!r} but received float "
                "`sample_weight`: the weights are truncated to integers. Pass integer weights, "
                "or create the metric with a float `dtype`.",
                UserWarning,
                stacklevel=3,
            )
        w = ops.cast(w, self.dtype)
        if w.ndim > like.ndim and w.shape[-1] == 1:
            w = ops.reshape(w, w.shape[: like.ndim])
        while w.ndim < like.ndim:
            w = ops.expand_dims(w, -1)
        return ops.broadcast_to(w, like.shape)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's weighted (true, predicted) class pairs to the confusion matrix.

        Args:
            y_true: class ids (or one-hot labels when `sparse_y_true` is False).
            y_pred: predicted class ids (or scores when `sparse_y_pred` is False).
            sample_weight: optional weights broadcastable to the class ids.
        """
        y_true = ops.convert_to_tensor(y_true)
        y_pred = ops.convert_to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.cast(y_true, self.dtype)
        y_pred = ops.cast(y_pred, self.dtype)
        weights = _flat(self._weights(sample_weight, y_true))
        y_true = _flat(y_true)
        y_pred = _flat(y_pred)
        if self.ignore_class is not None:
            keep = y_true != ops.cast(self.ignore_class, y_true.dtype)
            zero = ops.zeros((), dtype=self.dtype)
            y_true = ops.where(keep, y_true, zero)
            y_pred = ops.where(keep, y_pred, zero)
            weights = ops.where(keep, weights, zero)
        cm = confusion_matrix(y_true, y_pred, self.num_classes, weights, self.dtype)
        self.total_cm.assign(self.total_cm.value + cm)

    def result(self) -> Any:
        """Mean IoU over the target classes that have appeared (0 when none has)."""
        out_dtype = self.dtype if "float" in self.dtype else config.floatx()
        cm = ops.cast(self.total_cm.value, out_dtype)
        tp = ops.diagonal(cm)
        union = ops.sum(cm, axis=0) + ops.sum(cm, axis=1) - tp
        ids = ops.convert_to_tensor([i % self.num_classes for i in self.target_class_ids])
        tp = ops.take(tp, ids)
        union = ops.take(union, ids)
        eps = config.epsilon()
        seen = ops.sum(ops.cast(union > 1e-9, out_dtype))
        iou = tp / (union + eps)
        return ops.sum(iou) / (seen + eps)

    def get_config(self) -> dict:
        """Constructor arguments."""
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class BinaryIoU(IoU):
    """IoU for binary labels, with predictions turned into classes by a threshold.

    A prediction at or above `threshold` is class 1, below it class 0.

    Args:
        target_class_ids: which of the two classes to average (default both).
        threshold: the decision threshold on the predictions (default 0.5).
        name: name of the metric.
        dtype: dtype of the confusion matrix (default "int32").
    """

    def __init__(
        self,
        target_class_ids: Any = (0, 1),
        threshold: float = 0.5,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Threshold the predictions, then add the batch to the confusion matrix.

        Args:
            y_true: binary labels (truncated to integers).
            y_pred: scores; ``>= threshold`` means class 1.
            sample_weight: optional weights broadcastable to the labels.
        """
        y_pred = ops.convert_to_tensor(y_pred)
        y_pred = ops.cast(y_pred >= ops.cast(self.threshold, y_pred.dtype), self.dtype)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        """Constructor arguments: target_class_ids, threshold, name, dtype."""
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


class MeanIoU(IoU):
    """Mean IoU over all classes.

    Args:
        num_classes: number of classes.
        name: name of the metric.
        dtype: dtype of the confusion matrix (default "int32").
        ignore_class: a label value whose entries are left out.
        sparse_y_true: whether labels are class ids (else one-hot along `axis`).
        sparse_y_pred: whether predictions are class ids (else scores along `axis`).
        axis: the class axis of non-sparse inputs.
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        if not _is_int(num_classes) or num_classes < 1:
            raise ValueError(
                "Received an invalid value for `num_classes`, expected a positive integer. "
                f"Received: num_classes={num_classes!r}"
            )
        super().__init__(
            num_classes=num_classes,
            target_class_ids=list(range(num_classes)),
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        """Constructor arguments (without target_class_ids)."""
        cfg = super().get_config()
        del cfg["target_class_ids"]
        return cfg


class OneHotIoU(IoU):
    """IoU for one-hot labels and per-class scores (class ids taken by argmax).

    Args:
        num_classes: number of classes.
        target_class_ids: the class ids whose IoU is averaged.
        name: name of the metric.
        dtype: dtype of the confusion matrix (default "int32").
        ignore_class: a class id whose entries are left out.
        sparse_y_pred: whether predictions are already class ids.
        axis: the class axis.
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Any,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            target_class_ids=target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        """Constructor arguments (without sparse_y_true)."""
        cfg = super().get_config()
        del cfg["sparse_y_true"]
        return cfg


class OneHotMeanIoU(MeanIoU):
    """Mean IoU over all classes for one-hot labels and per-class scores.

    Args:
        num_classes: number of classes.
        name: name of the metric.
        dtype: dtype of the confusion matrix (default "int32").
        ignore_class: a class id whose entries are left out.
        sparse_y_pred: whether predictions are already class ids.
        axis: the class axis.
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        """Constructor arguments (without sparse_y_true)."""
        cfg = super().get_config()
        del cfg["sparse_y_true"]
        return cfg

"""Loss functions (per-sample losses, unreduced) built on `kerasx.ops`."""

from __future__ import annotations

import math
from typing import Any

from kerasx import config, ops
from kerasx.losses.loss import align_ranks


def _pair(y_true: Any, y_pred: Any, align: bool = True) -> tuple[Any, Any]:
    """Tensors for `y_true`/`y_pred` in `y_pred`'s dtype, ranks reconciled."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    if align:
        y_true, y_pred = align_ranks(y_true, y_pred)
    return y_true, y_pred


def _fused_ops() -> Any:
    from kerasx.ops import softmax_losses  # imported on first use (import time)

    return softmax_losses


def _softmax_logits(y_pred: Any, axis: Any) -> Any:
    """The logits `y_pred` was computed from by `activations.softmax` over `axis`, or None
    (cross-entropies of such probabilities differentiate at the logits: one fused step)."""
    if isinstance(axis, bool) or not isinstance(axis, int):
        return None
    return _fused_ops().logits_of(y_pred, axis)


def _check_axis(axis: Any) -> None:
    if isinstance(axis, bool):
        raise ValueError(
            f"Received an invalid value for `axis`, expected an integer. Received: axis={axis}"
        )


def _smooth(y_true: Any, label_smoothing: float, num_classes: Any = None) -> Any:
    """Blend targets with a uniform distribution (binary when `num_classes` is None)."""
    if not label_smoothing:
        return y_true
    share = 0.5 if num_classes is None else 1.0 / num_classes
    return y_true * (1.0 - label_smoothing) + label_smoothing * share


def mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    """Mean of squared differences over the last axis.

    Args:
        y_true: targets, shape ``(batch, ..., d)``.
        y_pred: predictions of the same shape.

    Returns:
        Losses of shape ``(batch, ...)``.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Any:
    """Mean of absolute differences over the last axis.

    Args:
        y_true: targets.
        y_pred: predictions.

    Returns:
        Per-sample losses.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Any:
    """100 times the mean relative absolute error over the last axis.

    Args:
        y_true: targets (their magnitude is floored at `epsilon`).
        y_pred: predictions.

    Returns:
        Per-sample losses.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    rel = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), config.epsilon()))
    return 100.0 * ops.mean(rel, axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Any:
    """Mean squared difference of ``log(1 + x)`` over the last axis (inputs floored at eps).

    Args:
        y_true: targets.
        y_pred: predictions.

    Returns:
        Per-sample losses.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    eps = config.epsilon()
    a = ops.log(ops.maximum(y_pred, eps) + 1.0)
    b = ops.log(ops.maximum(y_true, eps) + 1.0)
    return ops.mean(ops.square(a - b), axis=-1)


def _hinge_labels(y_true: Any) -> Any:
    """Map {0, 1} labels to {-1, 1}; leave other label sets untouched."""
    binary = ops.all(ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1)))
    return ops.where(binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true: Any, y_pred: Any) -> Any:
    """Mean of ``max(1 - y_true * y_pred, 0)`` over the last axis.

    Args:
        y_true: labels in {-1, 1} (or {0, 1}, converted).
        y_pred: predicted scores.

    Returns:
        Per-sample losses.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return ops.mean(ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Any:
    """Mean of ``max(1 - y_true * y_pred, 0) ** 2`` over the last axis.

    Args:
        y_true: labels in {-1, 1} (or {0, 1}, converted).
        y_pred: predicted scores.

    Returns:
        Per-sample losses.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return ops.mean(ops.square(ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Any:
    """Hinge between the true class score and the best wrong class score.

    Args:
        y_true: one-hot targets.
        y_pred: predicted scores.

    Returns:
        Per-sample losses ``max(max_wrong - true + 1, 0)``.
    """
    y_true, y_pred = _pair(y_true, y_pred, align=False)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Huber loss: quadratic for errors up to `delta`, linear beyond; mean over last axis.

    Args:
        y_true: targets.
        y_pred: predictions.
        delta: where the quadratic part turns linear.

    Returns:
        Per-sample losses.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    err = y_pred - y_true
    mag = ops.abs(err)
    quad = 0.5 * ops.square(err)
    lin = delta * mag - 0.5 * delta * delta
    return ops.mean(ops.where(mag <= delta, quad, lin), axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Any:
    """Mean of ``log(cosh(y_pred - y_true))`` over the last axis (computed stably).

    Args:
        y_true: targets.
        y_pred: predictions.

    Returns:
        Per-sample losses.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    d = y_pred - y_true
    return ops.mean(d + ops.softplus(-2.0 * d) - math.log(2.0), axis=-1)


def kl_divergence(y_true: Any, y_pred: Any) -> Any:
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))`` over the last axis.

    Both inputs are clipped to ``[epsilon, 1]``.

    Args:
        y_true: target distribution.
        y_pred: predicted distribution.

    Returns:
        Per-sample losses.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    eps = config.epsilon()
    y_true = ops.clip(y_true, eps, 1.0)
    y_pred = ops.clip(y_pred, eps, 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Any:
    """Poisson negative log-likelihood (up to a constant), mean over the last axis.

    Args:
        y_true: observed counts.
        y_pred: predicted rates.

    Returns:
        Per-sample losses ``mean(y_pred - y_true * log(y_pred + eps))``.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(y_pred - y_true * ops.log(y_pred + config.epsilon()), axis=-1)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """Negative cosine similarity along `axis` (-1 means aligned, 0 orthogonal).

    Args:
        y_true: targets.
        y_pred: predictions.
        axis: axis holding the vectors.

    Returns:
        Per-sample losses.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    a = ops.normalize(y_true, axis=axis)
    b = ops.normalize(y_pred, axis=axis)
    return -ops.sum(a * b, axis=axis)


def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Binary cross-entropy, averaged over `axis`.

    Args:
        y_true: targets in [0, 1].
        y_pred: probabilities (or logits with `from_logits`).
        from_logits: whether `y_pred` holds logits.
        label_smoothing: moves targets towards 0.5 by this fraction.
        axis: axis to average over.

    Returns:
        Per-sample losses.
    """
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _smooth(y_true, label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Binary cross-entropy down-weighted on easy examples by ``(1 - p_t) ** gamma``.

    Args:
        y_true: targets in [0, 1].
        y_pred: probabilities (or logits with `from_logits`).
        apply_class_balancing: weight positives by `alpha` and negatives by ``1 - alpha``.
        alpha: class balance weight.
        gamma: focusing exponent.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: moves targets towards 0.5 by this fraction.
        axis: axis to average over.

    Returns:
        Per-sample losses.
    """
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _smooth(y_true, label_smoothing)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits)
    prob = ops.sigmoid(y_pred) if from_logits else y_pred
    p_t = y_true * prob + (1.0 - y_true) * (1.0 - prob)
    loss = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        loss = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * loss
    return ops.mean(loss, axis=axis)


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Categorical cross-entropy between one-hot (or soft) targets and predictions.

    Args:
        y_true: one-hot targets.
        y_pred: probabilities (or logits with `from_logits`).
        from_logits: whether `y_pred` holds logits.
        label_smoothing: mixes targets with the uniform distribution by this fraction.
        axis: the class axis.

    Returns:
        Per-sample losses.
    """
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred, align=False)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            "Arguments `y_true` and `y_pred` must have the same shape. "
            f"Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    y_true = _smooth(y_true, label_smoothing, int(y_true.shape[axis]))
    logits = None if from_logits else _softmax_logits(y_pred, axis)
    if logits is not None:  # softmax probabilities: differentiate at the logits
        return _fused_ops()._cce_softmax(y_true, y_pred, logits, axis=axis)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Categorical cross-entropy with each class term scaled by ``alpha * (1 - p) ** gamma``.

    Args:
        y_true: one-hot targets.
        y_pred: probabilities (or logits with `from_logits`).
        alpha: weighting factor.
        gamma: focusing exponent.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: mixes targets with the uniform distribution by this fraction.
        axis: the class axis.

    Returns:
        Per-sample losses.
    """
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred, align=False)
    y_true = _smooth(y_true, label_smoothing, int(y_true.shape[axis]))
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    prob = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    eps = config.epsilon()
    prob = ops.clip(prob, eps, 1.0 - eps)
    terms = -y_true * ops.log(prob) * (alpha * ops.power(1.0 - prob, gamma))
    return ops.sum(terms, axis=axis)


def _sparse_ce(y_true: Any, y_pred: Any, from_logits: bool, ignore_class: Any, axis: int):
    """(losses, valid mask or None) of the sparse categorical cross-entropy."""
    _check_axis(axis)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    if ignore_class is None:
        y_true = ops.cast(y_true, "int32")
        logits = None if from_logits else _softmax_logits(y_pred, axis)
        if logits is not None:  # softmax probabilities: differentiate at the logits
            return _fused_ops()._scce_softmax(y_true, y_pred, logits, axis=axis), None
        res = ops.sparse_categorical_crossentropy(
            y_true, y_pred, from_logits=from_logits, axis=axis
        )
        return res, None
    valid = ops.not_equal(y_true, ops.cast(ignore_class, y_true.dtype))
    y_true = ops.cast(ops.where(valid, y_true, 0), "int32")
    y_pred = y_pred * ops.cast(ops.expand_dims(valid, axis), y_pred.dtype)
    res = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    res = ops.where(valid, res, ops.zeros_like(res))
    return res, valid


def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> Any:
    """Categorical cross-entropy with integer class indices as targets.

    Args:
        y_true: integer class indices (a trailing unit axis is allowed).
        y_pred: probabilities (or logits with `from_logits`) with a class axis.
        from_logits: whether `y_pred` holds logits.
        ignore_class: a label value whose positions get zero loss.
        axis: the class axis of `y_pred`.

    Returns:
        Per-sample losses.
    """
    return _sparse_ce(y_true, y_pred, from_logits, ignore_class, axis)[0]


def categorical_generalized_cross_entropy(y_true: Any, y_pred: Any, q: float) -> Any:
    """Generalized cross-entropy ``(1 - p_true ** q) / q`` for integer labels.

    Args:
        y_true: integer class indices.
        y_pred: predicted probabilities with the classes on the last axis.
        q: in (0, 1]; towards 0 it approaches cross-entropy, at 1 it is MAE-like.

    Returns:
        Per-sample losses.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), "int32")
    onehot = ops.one_hot(y_true, int(y_pred.shape[-1]), dtype=y_pred.dtype)
    p = ops.sum(onehot * y_pred, axis=-1)
    return (1.0 - ops.power(p, q)) / q


def ctc(y_true: Any, y_pred: Any) -> Any:
    """Connectionist temporal classification loss (blank index 0).

    Args:
        y_true: integer label sequences ``(batch, max_label_length)``, padded with 0.
        y_pred: per-step class scores ``(batch, steps, classes)``.

    Returns:
        Per-sample losses.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), "int32")
    batch, steps = int(y_pred.shape[0]), int(y_pred.shape[1])
    out_len = ops.full((batch,), steps, dtype="int32")
    lab_len = ops.sum(ops.cast(ops.not_equal(y_true, 0), "int32"), axis=-1)
    return ops.ctc_loss(y_true, y_pred, lab_len, out_len, mask_index=0)


def dice(y_true: Any, y_pred: Any, axis: Any = None) -> Any:
    """One minus the Dice coefficient ``2 |A n B| / (|A| + |B|)`` over `axis`.

    Args:
        y_true: targets.
        y_pred: predictions.
        axis: axes to sum over (None: all).

    Returns:
        The loss (a scalar when `axis` is None).
    """
    y_true, y_pred = _pair(y_true, y_pred, align=False)
    inter = ops.sum(y_true * y_pred, axis=axis)
    union = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis)
    return 1.0 - (2.0 * inter) / (union + config.epsilon())


def tversky(y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: Any = None):
    """One minus the Tversky index ``TP / (TP + alpha FN + beta FP)`` over `axis`.

    Args:
        y_true: targets.
        y_pred: predictions.
        alpha: weight of false negatives.
        beta: weight of false positives.
        axis: axes to sum over (None: all).

    Returns:
        The loss (a scalar when `axis` is None).
    """
    y_true, y_pred = _pair(y_true, y_pred, align=False)
    tp = ops.sum(y_true * y_pred, axis=axis)
    fp = ops.sum((1.0 - y_true) * y_pred, axis=axis)
    fn = ops.sum(y_true * (1.0 - y_pred), axis=axis)
    return 1.0 - tp / (tp + alpha * fn + beta * fp + config.epsilon())


def _circle(y_true, y_pred, ref_labels, ref_embeddings, remove_diagonal, gamma, margin):
    """(losses, mask of rows with a finite loss) of the circle loss."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), "int32")
    ref = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else ops.cast(ref_labels, "int32")
    dist = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(ref)), 0.0)
    same = ops.equal(ops.expand_dims(y_true, 1), ops.expand_dims(ref_labels, 0))
    pos = same
    if remove_diagonal:
        eye = ops.eye(int(y_true.shape[0]), int(ref_labels.shape[0]), dtype="bool")
        pos = ops.logical_and(pos, ops.logical_not(eye))
    neg = ops.logical_not(same)
    fpos = ops.cast(pos, y_pred.dtype)
    fneg = ops.cast(neg, y_pred.dtype)
    w_pos = ops.maximum((margin + dist) * fpos, 0.0)
    w_neg = ops.maximum((1.0 + margin - dist) * fneg, 0.0)
    pos_terms = -gamma * w_pos * (margin - dist)
    neg_terms = gamma * w_neg * ((1.0 - margin) - dist)
    ninf = ops.full_like(dist, -math.inf)
    p_loss = ops.logsumexp(ops.where(pos, pos_terms, ninf), axis=1)
    n_loss = ops.logsumexp(ops.where(neg, neg_terms, ninf), axis=1)
    res = ops.softplus(p_loss + n_loss)
    return res, res > 0


def circle(
    y_true: Any,
    y_pred: Any,
    ref_labels: Any = None,
    ref_embeddings: Any = None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> Any:
    """Circle loss for metric learning on L2-normalized embeddings.

    Args:
        y_true: integer labels ``(batch,)``.
        y_pred: embeddings ``(batch, dim)``.
        ref_labels: labels of the reference set (defaults to `y_true`).
        ref_embeddings: reference embeddings (defaults to `y_pred`).
        remove_diagonal: ignore each sample's pairing with itself.
        gamma: scale factor.
        margin: relaxation margin.

    Returns:
        Per-sample losses.
    """
    return _circle(y_true, y_pred, ref_labels, ref_embeddings, remove_diagonal, gamma, margin)[0]

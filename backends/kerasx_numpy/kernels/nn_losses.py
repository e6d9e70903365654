"""NumPy kernels: cross-entropies and one-hot encodings of the nn family."""

from __future__ import annotations

import threading

import numpy as np

from kerasx import config as _config
from kerasx.engine.dtypes import standardize_dtype
from kerasx_numpy.dtypes import np_dtype
from kerasx_numpy.kernels.nn import last_axis_sums


def _rules():
    from kerasx.ops import nn_losses  # shape validation shared with the symbolic path

    return nn_losses


def _log_softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _log_probs(output, from_logits, axis):
    if from_logits:
        return _log_softmax(output, axis)
    eps = float(_config.epsilon())
    q = output / np.sum(output, axis=axis, keepdims=True)
    return np.log(np.clip(q, eps, 1.0 - eps))


def binary_crossentropy(target, output, from_logits):
    _rules().bce_shape(target.shape, output.shape)
    if from_logits:
        return np.maximum(output, 0.0) - output * target + np.log1p(np.exp(-np.abs(output)))
    eps = float(_config.epsilon())
    o = np.clip(output, eps, 1.0 - eps)
    return -(target * np.log(o) + (1.0 - target) * np.log(1.0 - o))


def categorical_crossentropy(target, output, from_logits, axis):
    _rules().cce_shape(target.shape, output.shape, from_logits, axis)
    return -np.sum(target * _log_probs(output, from_logits, axis), axis=axis)


def _class_mask(target, n, ax, ndim):
    shape = [1] * ndim
    shape[ax] = n
    return np.expand_dims(target, ax) == np.arange(n).reshape(shape)


# Direct ufunc reductions: the same arithmetic as np.sum / np.max / np.min / np.clip without
# their Python wrappers (these kernels run on small arrays every training step).
_sum = np.add.reduce
_max = np.maximum.reduce
_min = np.minimum.reduce


def _clip(x, lo, hi):
    # np.clip(x, lo, hi) for scalar bounds lo <= hi: NaN stays NaN, as there.
    return np.minimum(np.maximum(x, lo), hi)


_SCCE_CHECKED: set = set()
_ROWS: dict = {}


def _scce_check(target, output, from_logits, axis):
    """The shape rule, run once per combination of shapes and arguments."""
    key = (target.shape, output.shape, from_logits, axis)
    if key not in _SCCE_CHECKED:
        _rules().scce_shape(target.shape, output.shape, from_logits, axis)
        if len(_SCCE_CHECKED) < 256:
            _SCCE_CHECKED.add(key)
    ax = axis % output.ndim
    if target.ndim == output.ndim:
        target = target.reshape(target.shape[:-1])
    return target, ax


def _row_starts(m, n):
    """``arange(m) * n``: where each row of an ``(m, n)`` C-ordered array starts (cached)."""
    key = (m, n)
    starts = _ROWS.get(key)
    if starts is None:
        starts = np.arange(0, m * n, n, dtype=np.intp)
        if len(_ROWS) < 64:
            _ROWS[key] = starts
    return starts


_UNSIGNED: dict = {}


def _unsigned(dtype):
    """The unsigned integer dtype of `dtype`'s size and byte order (cached)."""
    u = _UNSIGNED.get(dtype)
    if u is None:
        u = _UNSIGNED[dtype] = np.dtype(dtype.str.replace("i", "u"))
    return u


def _index_plan(target, output, ax):
    """For integer targets and the class axis last: ``(flat indices, valid)`` to pick the
    target entries of ``output.reshape(-1)`` (C order), where `valid` (rows whose index is in
    range) is None when every row is valid; invalid rows then point at their row's first
    entry. None for other cases (use the one-hot mask)."""
    kind = target.dtype.kind
    if ax != output.ndim - 1 or kind not in "iu":
        return None
    n = output.shape[-1]
    t = target.reshape(-1)
    # One reduction checks 0 <= t < n: viewed as unsigned, negative indices are huge.
    u = t if kind == "u" else t.view(_unsigned(t.dtype))
    if t.size and _max(u) < n:
        valid = None
    else:
        valid = u < n
        t = np.where(valid, t, 0)
    return np.add(_row_starts(t.shape[0], n), t), valid


def sparse_categorical_crossentropy(target, output, from_logits, axis):
    # The same numbers as ``-sum(where(one_hot_mask, log_probs, 0), axis)``, but only the
    # picked entries go through the logarithm (rows whose index is out of range give -0.0,
    # as that sum does).
    target, ax = _scce_check(target, output, from_logits, axis)
    plan = _index_plan(target, output, ax)
    if plan is None:
        mask = _class_mask(target, output.shape[ax], ax, output.ndim)
        picked = np.sum(np.where(mask, output, 0.0), axis=ax)
        valid = np.any(mask, axis=ax)
    else:
        idx, valid = plan
        picked = output.reshape(-1)[idx].reshape(target.shape)
        if valid is not None:
            valid = valid.reshape(target.shape)
    if from_logits:
        top = _max(output, axis=ax, keepdims=True)
        shifted = output - top
        lse = np.log(_sum(np.exp(shifted), axis=ax))
        logp = (picked - np.squeeze(top, ax)) - lse
    else:
        eps = float(_config.epsilon())
        logp = np.log(_clip(picked / _class_sums(output, ax), eps, 1.0 - eps))
    if valid is not None:
        logp = np.where(valid, logp, 0.0)
    return -logp


def _class_sums(output, ax):
    """``sum(output, axis=ax)``; over the last axis as one BLAS product (see `last_axis_sums`)."""
    if ax == output.ndim - 1:
        sums = last_axis_sums(output)
        if sums is not None:
            return sums
    return _sum(output, axis=ax)


def _scce_vjp_output(g, target, output, from_logits, axis):
    """d loss / d output of `sparse_categorical_crossentropy` in one pass (first order).

    The same numbers as the registry-op rule in ``kerasx.ops.nn_losses`` (which the tape uses
    when the gradient itself is differentiated).
    """
    target, ax = _scce_check(target, output, from_logits, axis)
    plan = _index_plan(target, output, ax) if g.shape == target.shape else None
    ge = g.reshape((*g.shape, 1)) if plan is not None else np.expand_dims(g, ax)
    n = output.shape[ax]
    if from_logits:
        from kerasx_numpy.kernels.nn import softmax

        p = softmax(output, ax)
        if plan is None:
            mask = _class_mask(target, n, ax, output.ndim)
            valid = np.any(mask, axis=ax, keepdims=True).astype(output.dtype)
            return ge * (p * valid - mask.astype(output.dtype))
        # softmax * 1 - one_hot: subtract 1 at the target entries; rows out of range are 0.
        idx, valid = plan
        d = np.ascontiguousarray(p).reshape(-1, n)  # `p` is a new array: edit in place
        d.reshape(-1)[idx] -= 1.0
        if valid is not None:
            d[~valid] = 0.0
        return ge * d.reshape(output.shape)
    eps = float(_config.epsilon())
    s = _sum(output, axis=ax, keepdims=True)
    if plan is None:
        mask = _class_mask(target, n, ax, output.ndim)
        qt = np.sum(np.where(mask, output / s, 0.0), axis=ax, keepdims=True)
        valid = np.any(mask, axis=ax, keepdims=True)
    else:
        idx, valid = plan
        picked = output.reshape(-1)[idx]
        if valid is not None:
            picked = np.where(valid, picked, 0.0)
            valid = valid.reshape(s.shape)
        qt = picked.reshape(s.shape) / s
    c = _clip(qt, eps, 1.0 - eps)
    inside = (c == qt).astype(c.dtype)  # eps <= qt <= 1 - eps (False for NaN)
    dqt = -(ge / c) * inside
    if valid is not None:
        # Rows without a target get exact zeros, even where ``g / epsilon`` overflows.
        dqt = np.where(valid, dqt, 0.0)
    # (dq - sum(dq * q)) / s where dq is dqt at the target entry and 0 elsewhere.
    sub = dqt * qt
    if plan is None:
        return (np.where(mask, dqt, 0.0) - sub) / s
    out = np.empty(output.shape, dtype=np.result_type(sub, s))
    out[...] = (0.0 - sub) / s
    flat = out.reshape(-1)
    at = ((dqt - sub) / s).reshape(-1)
    if valid is None:
        flat[idx] = at
    else:
        keep = valid.reshape(-1)
        flat[idx[keep]] = at[keep]
    return out


sparse_categorical_crossentropy.vjp_output = _scce_vjp_output


# The gradient of `_scce_softmax` needs what its forward pass computes (the target indices,
# the normalised probabilities ``q = p / sum(p)``). The forward kernel leaves them here for
# the gradient kernel of the same step, which takes them when it is called on the very same
# `target` and `output` objects (held here, so no other array can reuse their ids); any
# other call recomputes. One slot per thread; only small outputs (`_HANDOVER_MAX`
# elements): for large ones the extra array would cost memory and the recomputation is
# cheap next to the arithmetic.
_HANDOVER = threading.local()
_HANDOVER_MAX = 1 << 16


def _scce_softmax_parts(output, plan):
    """``(q_t, d0, valid)`` for the class axis last and the targets' `_index_plan`: the
    target's normalised probability per row, ``q - onehot`` as an ``(rows, classes)`` array,
    and the rows with a valid index (None: all)."""
    idx, valid = plan
    n = output.shape[-1]
    flat = output.reshape(-1, n)
    d0 = np.divide(flat, _class_sums(flat, 1).reshape(-1, 1))  # q: new, edited in place
    d0_flat = d0.reshape(-1)
    q_t = d0_flat[idx]
    d0_flat[idx] -= 1.0
    return q_t, d0, valid


def _scce_softmax(target, output, logits, axis):
    _HANDOVER.slot = None
    t, ax = _scce_check(target, output, False, axis)
    if ax != output.ndim - 1 or output.size > _HANDOVER_MAX:
        return sparse_categorical_crossentropy(target, output, False, axis)
    plan = _index_plan(t, output, ax)
    if plan is None:
        return sparse_categorical_crossentropy(target, output, False, axis)
    parts = _scce_softmax_parts(output, plan)
    q_t, _, valid = parts
    # The numbers of `sparse_categorical_crossentropy` (picked / sum is q's entry).
    eps = float(_config.epsilon())
    logp = np.log(_clip(q_t.reshape(t.shape), eps, 1.0 - eps))
    if valid is not None:
        logp = np.where(valid.reshape(t.shape), logp, 0.0)
    _HANDOVER.slot = (target, output, axis, parts)
    return -logp


def _scce_softmax_vjp_logits(g, target, output, axis):
    """d loss / d logits of `_scce_softmax` in one pass: ``g * inside * (p / s - onehot)``
    (``kerasx.ops.softmax_losses`` derives it; the registry-op form is used otherwise)."""
    slot = getattr(_HANDOVER, "slot", None)
    _HANDOVER.slot = None
    t, ax = _scce_check(target, output, False, axis)
    if g.shape != t.shape:
        return None
    if slot is not None and slot[0] is target and slot[1] is output and slot[2] == axis:
        q_t, d, valid = slot[3]
    else:
        plan = _index_plan(t, output, ax)
        if plan is None:
            return None
        q_t, d, valid = _scce_softmax_parts(output, plan)
    eps = float(_config.epsilon())
    coef = g.reshape(-1) * ((q_t >= eps) & (q_t <= 1.0 - eps))  # 0 where q_t is clipped
    if valid is not None:
        coef = np.where(valid, coef, 0.0).astype(coef.dtype, copy=False)
    np.multiply(d, coef.reshape(-1, 1), out=d)
    return d.reshape(output.shape)


_scce_softmax.vjp_logits = _scce_softmax_vjp_logits


def _cce_softmax(target, output, logits, axis):
    return categorical_crossentropy(target, output, False, axis)


def one_hot(x, num_classes, axis, dtype, sparse):
    _rules()._one_hot_shape(x.shape, num_classes, axis, dtype, sparse)
    ax = axis % (x.ndim + 1)
    return _class_mask(x, num_classes, ax, x.ndim + 1).astype(np_dtype(standardize_dtype(dtype)))


def multi_hot(inputs, num_classes, axis, dtype, sparse, kwargs):
    rules = _rules()
    rules._multi_hot_shape(inputs.shape, num_classes, axis, dtype, sparse, **kwargs)
    n = num_classes if num_classes is not None else kwargs["num_tokens"]
    ax, reduced = rules.multi_hot_layout(inputs.ndim, axis)
    mask = _class_mask(inputs, n, ax, inputs.ndim + 1)
    return np.any(mask, axis=reduced).astype(np_dtype(standardize_dtype(dtype)))


KERNELS = {
    "_scce_softmax": _scce_softmax,
    "_cce_softmax": _cce_softmax,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "one_hot": one_hot,
    "multi_hot": multi_hot,
}

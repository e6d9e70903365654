"""NumPy kernels: cross-entropies and one-hot encodings of the nn family."""

from __future__ import annotations

import numpy as np

from kerasx import config as _config
from kerasx.engine.dtypes import standardize_dtype
from kerasx_numpy.dtypes import np_dtype


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


def sparse_categorical_crossentropy(target, output, from_logits, axis):
    _rules().scce_shape(target.shape, output.shape, from_logits, axis)
    ax = axis % output.ndim
    if target.ndim == output.ndim:
        target = target.reshape(target.shape[:-1])
    mask = _class_mask(target, output.shape[ax], ax, output.ndim)
    logp = _log_probs(output, from_logits, ax)
    return -np.sum(np.where(mask, logp, 0.0), axis=ax)


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
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "one_hot": one_hot,
    "multi_hot": multi_hot,
}

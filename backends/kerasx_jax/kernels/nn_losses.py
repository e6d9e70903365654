"""JAX kernels: cross-entropies and one-hot encodings of the nn family."""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from kerasx import config as _config
from kerasx.engine.dtypes import standardize_dtype


def _rules():
    from kerasx.ops import nn_losses  # shape validation shared with the symbolic path

    return nn_losses


def _log_softmax(x, axis):
    shifted = x - jnp.max(x, axis=axis, keepdims=True)
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=axis, keepdims=True))


def _log_probs(output, from_logits, axis):
    if from_logits:
        return _log_softmax(output, axis)
    eps = float(_config.epsilon())
    q = output / jnp.sum(output, axis=axis, keepdims=True)
    return jnp.log(jnp.clip(q, eps, 1.0 - eps))


def binary_crossentropy(target, output, from_logits):
    _rules().bce_shape(target.shape, output.shape)
    if from_logits:
        return jnp.maximum(output, 0.0) - output * target + jnp.log1p(jnp.exp(-jnp.abs(output)))
    eps = float(_config.epsilon())
    o = jnp.clip(output, eps, 1.0 - eps)
    return -(target * jnp.log(o) + (1.0 - target) * jnp.log(1.0 - o))


def categorical_crossentropy(target, output, from_logits, axis):
    _rules().cce_shape(target.shape, output.shape, from_logits, axis)
    return -jnp.sum(target * _log_probs(output, from_logits, axis), axis=axis)


def _class_mask(target, n, ax, ndim):
    shape = [1] * ndim
    shape[ax] = n
    return jnp.expand_dims(target, ax) == jnp.arange(n, dtype=jnp.int32).reshape(shape)


def _sparse_mask(target, output, axis):
    """The one-hot mask of integer `target` over `output`'s class axis, and that axis."""
    ax = axis % output.ndim
    if target.ndim == output.ndim:
        target = target.reshape(target.shape[:-1])
    return _class_mask(target, output.shape[ax], ax, output.ndim), ax


def sparse_categorical_crossentropy(target, output, from_logits, axis):
    _rules().scce_shape(target.shape, output.shape, from_logits, axis)
    mask, ax = _sparse_mask(target, output, axis)
    logp = _log_probs(output, from_logits, ax)
    return -jnp.sum(jnp.where(mask, logp, 0.0), axis=ax)


def one_hot(x, num_classes, axis, dtype, sparse):
    _rules()._one_hot_shape(x.shape, num_classes, axis, dtype, sparse)
    ax = axis % (x.ndim + 1)
    return _class_mask(x, num_classes, ax, x.ndim + 1).astype(jnp.dtype(standardize_dtype(dtype)))


def multi_hot(inputs, num_classes, axis, dtype, sparse, kwargs):
    rules = _rules()
    rules._multi_hot_shape(inputs.shape, num_classes, axis, dtype, sparse, **kwargs)
    n = num_classes if num_classes is not None else kwargs["num_tokens"]
    ax, reduced = rules.multi_hot_layout(inputs.ndim, axis)
    mask = _class_mask(inputs, n, ax, inputs.ndim + 1)
    return jnp.any(mask, axis=reduced).astype(jnp.dtype(standardize_dtype(dtype)))


# ----------------------------------------------------------------------------- softmax losses
# `_scce_softmax` / `_cce_softmax` (see kerasx.ops.softmax_losses): the values are the plain
# cross-entropies of `output = softmax(logits)`; the derivative is declared at the logits in
# one step, ``(A * q - a) . dz`` (``q = output / sum(output)``, ``a = target`` where ``q`` is not
# clipped, ``A = sum(a)``), and not through `output`. As a JVP rule (`jax.custom_jvp`), forward
# and reverse mode and higher orders all work; reverse mode then skips the softmax's and the
# clipped log's derivatives entirely (their cotangent is a symbolic zero).


def _logits_tangent(target, output, dz, ax):
    eps = float(_config.epsilon())
    q = output / jnp.sum(output, axis=ax, keepdims=True)
    a = jnp.where((q >= eps) & (q <= 1.0 - eps), target, 0.0)
    return jnp.sum((jnp.sum(a, axis=ax, keepdims=True) * q - a) * dz, axis=ax)


@partial(jax.custom_jvp, nondiff_argnums=(3,))
def _scce_softmax(target, output, logits, axis):
    return sparse_categorical_crossentropy(target, output, False, axis)


@_scce_softmax.defjvp
def _scce_softmax_jvp(axis, primals, tangents):
    target, output, logits = primals
    dz = tangents[2]
    mask, ax = _sparse_mask(target, output, axis)
    dense = mask.astype(output.dtype)
    return _scce_softmax(target, output, logits, axis), _logits_tangent(dense, output, dz, ax)


@partial(jax.custom_jvp, nondiff_argnums=(3,))
def _cce_softmax(target, output, logits, axis):
    return categorical_crossentropy(target, output, False, axis)


@_cce_softmax.defjvp
def _cce_softmax_jvp(axis, primals, tangents):
    target, output, logits = primals
    dt, dz = tangents[0], tangents[2]
    ax = axis % output.ndim
    # d/d target of -sum(target * log q): -log q (clipped as in the value)
    logq = _log_probs(output, False, ax)
    tangent = _logits_tangent(target, output, dz, ax) - jnp.sum(dt * logq, axis=ax)
    return _cce_softmax(target, output, logits, axis), tangent


KERNELS = {
    "_scce_softmax": _scce_softmax,
    "_cce_softmax": _cce_softmax,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "one_hot": one_hot,
    "multi_hot": multi_hot,
}

"""Private ops: cross-entropies of softmax probabilities, differentiated at the logits.

A classifier usually ends in ``Dense(n, activation="softmax")`` and is trained with a
cross-entropy on its probabilities ``p = softmax(z)``. Differentiated op by op, the gradient
goes from the loss to ``p`` (a division by the clipped target probability, a renormalisation)
and then through the softmax's Jacobian back to ``z``: about a dozen array operations that
collapse, exactly, to ``g * (A * p / s - a)``, with ``a = target * inside`` (``inside``: the
class probability ``q = p / s`` is not clipped, ``s = sum(p)``) and ``A = sum(a)``. For one-hot
targets that is the familiar ``p - onehot``.

`activations.softmax` therefore remembers, for each concrete tensor it returns, the logits it
came from (a weak side table, as masks are kept); the cross-entropy losses look their
``y_pred`` up there and, when they find it, call the ops below. Their *values* are computed
from the probabilities exactly as `categorical_crossentropy` / `sparse_categorical_crossentropy`
compute them (so losses are bit-identical to the plain ops'), but their gradient goes
straight to the logits. As with Keras on TensorFlow (which substitutes the logits kept on a
softmax's output), the loss then no longer sends a gradient through the probabilities
tensor itself: gradients with respect to the model's weights are the same (up to float
rounding), a gradient taken with respect to the probabilities tensor is not formed.

Engines whose autodiff differentiates kernels themselves implement the same rule in their own
terms: the JAX kernels are `jax.custom_jvp` functions whose JVP is taken at the logits only
(forward mode, reverse mode and higher orders work; reverse mode skips the softmax's and the
clipped log's derivatives). An engine may also implement the ops as the plain cross-entropy of
`output`: the gradient then reaches the logits through the softmax, with the same result.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from kerasx import config as _config
from kerasx.engine import dispatch
from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, rand_int, shape_of
from kerasx.ops._nn_activations_common import check_axis
from kerasx.ops.nn_losses import (
    _dense_target,
    _promote_pair,
    categorical_crossentropy,
    cce_shape,
    scce_shape,
    sparse_categorical_crossentropy,
)

__all__: list[str] = []

# id(probabilities) -> (weak reference to them, logits, axis)
_LOGITS: dict[int, tuple[Any, Any, int]] = {}


def remember_logits(probs: Any, logits: Any, axis: Any) -> None:
    """Note that `probs` is ``softmax(logits, axis)`` (silently skipped for objects that
    cannot be weakly referenced, and for a tuple of axes)."""
    if not isinstance(axis, int) or isinstance(axis, bool):
        return
    key = id(probs)
    try:
        ref = weakref.ref(probs, lambda r, k=key: _drop(k, r))
    except TypeError:
        return
    _LOGITS[key] = (ref, logits, axis)


def _drop(key: int, ref: Any) -> None:
    entry = _LOGITS.get(key)
    if entry is not None and entry[0] is ref:
        del _LOGITS[key]


def logits_of(probs: Any, axis: int) -> Any:
    """The logits `probs` was computed from by a softmax over `axis`, or None."""
    if not _LOGITS:
        return None
    entry = _LOGITS.get(id(probs))
    if entry is None or entry[0]() is not probs:
        return None
    ndim = len(shape_of(probs))
    if not -ndim <= axis < ndim or entry[2] % ndim != axis % ndim:
        return None
    logits = entry[1]
    if shape_of(logits) != shape_of(probs) or logits.dtype != probs.dtype:
        return None
    return logits


def _eps() -> float:
    return float(_config.epsilon())


def _logits_grad(g: Any, target: Any, output: Any, axis: Any) -> Any:
    """``g * (A * q - a)`` in registry ops (`target` dense): see the module docstring."""
    ax = check_axis(axis, len(shape_of(output)))
    eps = _eps()
    s = K.sum(output, axis=ax, keepdims=True)
    q = K.divide(output, s)
    inside = K.cast(
        K.logical_and(K.greater_equal(q, eps), K.less_equal(q, 1.0 - eps)),
        _dt.standardize_dtype(q.dtype),
    )
    a = K.multiply(target, inside)
    total = K.sum(a, axis=ax, keepdims=True)
    return K.multiply(K.expand_dims(g, ax), K.subtract(K.multiply(total, q), a))


def _plain(*xs: Any) -> bool:
    fast = dispatch.FAST_TYPES
    return all(x.__class__ in fast for x in xs)


def _scce_logits_vjp(g: Any, ans: Any, target: Any, output: Any, logits: Any, axis: Any) -> Any:
    # The engine's one-pass gradient kernel (its ``vjp_logits``), if it has one.
    fused = getattr(_scce_softmax.opdef.kernel, "vjp_logits", None)
    if fused is not None and _plain(g, target, output):
        d = fused(g, target, output, axis)
        if d is not None:  # None: a layout the one-pass kernel does not handle
            return d
    return _logits_grad(g, _dense_target(target, output, axis), output, axis)


def _cce_logits_vjp(g: Any, ans: Any, target: Any, output: Any, logits: Any, axis: Any) -> Any:
    return _logits_grad(g, target, output, axis)


def _softmax_of(rng: Any, *shape: int) -> tuple[np.ndarray, np.ndarray]:
    z = rng.normal(size=shape) * 2.0
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True), z


def _scce_samples(rng: Any) -> list:
    p, z = _softmax_of(rng, 3, 4)
    p3, z3 = _softmax_of(rng, 2, 2, 3)
    # The gradient reaches the logits only (not `output`): no finite-difference check here;
    # tests/core/test_softmax_losses.py checks it against the softmax-then-loss chain.
    return [
        Sample((rand_int(rng, 3, high=4), p, z), grad=False, keras=False),
        Sample((rand_int(rng, 2, 2, high=3), p3, z3), grad=False, keras=False),
    ]


def _cce_samples(rng: Any) -> list:
    p, z = _softmax_of(rng, 3, 4)
    t = rng.uniform(0, 1, (3, 4))
    return [Sample((t / t.sum(-1, keepdims=True), p, z), grad=False, keras=False)]


@defop(
    tensors=("target", "output", "logits"),
    promote=("output", "logits"),
    to_float=True,
    shape=lambda target, output, logits, axis=-1: scce_shape(target, output, False, axis),
    composite=True,
    vjp={
        "target": lambda g, ans, t, o, z, axis: None,
        "output": lambda g, ans, t, o, z, axis: None,
        "logits": _scce_logits_vjp,
    },
    vjp_reads=("target", "output"),
    samples=_scce_samples,
    namespaces=(),
)
def _scce_softmax(target: Any, output: Any, logits: Any, axis: int = -1) -> Any:
    """`sparse_categorical_crossentropy(target, output)` for ``output = softmax(logits)``.

    Args:
        target: integer class indices (see `sparse_categorical_crossentropy`).
        output: the probabilities, ``softmax(logits, axis)``.
        logits: the softmax's input; the loss's gradient goes to it (not to `output`).
        axis: the class axis.

    Returns:
        The same values as ``sparse_categorical_crossentropy(target, output, axis=axis)``.
    """
    return sparse_categorical_crossentropy(target, output, from_logits=False, axis=axis)


@defop(
    tensors=("target", "output", "logits"),
    promote=("target", "output", "logits"),
    to_float=True,
    shape=lambda target, output, logits, axis=-1: cce_shape(target, output, False, axis),
    composite=True,
    vjp={
        "target": lambda g, ans, t, o, z, axis: K.negative(
            K.multiply(
                K.expand_dims(g, check_axis(axis, len(shape_of(o)))),
                K.log(K.clip(K.divide(o, K.sum(o, axis=axis, keepdims=True)), _eps(), 1 - _eps())),
            )
        ),
        "output": lambda g, ans, t, o, z, axis: None,
        "logits": _cce_logits_vjp,
    },
    samples=_cce_samples,
    namespaces=(),
)
def _cce_softmax(target: Any, output: Any, logits: Any, axis: int = -1) -> Any:
    """`categorical_crossentropy(target, output)` for ``output = softmax(logits)``.

    Args:
        target: target distribution, shaped like `output`.
        output: the probabilities, ``softmax(logits, axis)``.
        logits: the softmax's input; the loss's gradient goes to it (not to `output`).
        axis: the class axis.

    Returns:
        The same values as ``categorical_crossentropy(target, output, axis=axis)``.
    """
    target, output = _promote_pair(target, output)
    return categorical_crossentropy(target, output, from_logits=False, axis=axis)

"""Neural-network ops: cross-entropies, one-hot encodings and PSNR.

The three cross-entropies are composites with fused engine kernels, so they carry VJP rules.
An engine's fused `sparse_categorical_crossentropy` kernel may also carry a one-pass
first-order gradient as its ``vjp_output`` attribute (the NumPy engine's does); the rule uses
it when it is given plain engine arrays, and its registry-op form otherwise.
Probabilities (``from_logits=False``) are clipped to ``[epsilon, 1 - epsilon]`` with
``kerasx.config.epsilon()`` (1e-7 by default), as Keras does; logits go through numerically
stable formulas.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx import config as _config
from kerasx.engine import dispatch
from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, rand_int, randn, shape_of
from kerasx.ops._nn_activations_common import as_float, check_axis
from kerasx.ops.nn_activations import log_softmax, sigmoid, softmax


def _fmt(shape: Any) -> tuple:
    return tuple(shape)


def _mask(cond: Any, like: Any) -> Any:
    return K.cast(cond, _dt.standardize_dtype(like.dtype))


# ------------------------------------------------------------------------ shape rules


def bce_shape(target: tuple, output: tuple, from_logits: Any = False) -> tuple:
    """Shape rule of `binary_crossentropy` (also used by the engine kernels)."""
    if len(target) != len(output) or any(
        a is not None and b is not None and a != b for a, b in zip(target, output)
    ):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={_fmt(target)}, output.shape={_fmt(output)}"
        )
    return tuple(b if b is not None else a for a, b in zip(target, output))


def cce_shape(target: tuple, output: tuple, from_logits: Any = False, axis: Any = -1) -> tuple:
    """Shape rule of `categorical_crossentropy` (also used by the engine kernels)."""
    full = bce_shape(target, output)
    if len(full) < 1:
        raise ValueError(
            "Arguments `target` and `output` must be at least rank 1. Received: "
            f"target.shape={_fmt(target)}, output.shape={_fmt(output)}"
        )
    ax = check_axis(axis, len(full))
    return full[:ax] + full[ax + 1 :]


def scce_shape(target: tuple, output: tuple, from_logits: Any = False, axis: Any = -1) -> tuple:
    """Shape rule of `sparse_categorical_crossentropy` (also used by the engine kernels).

    `target` may carry a trailing dimension of size 1, which is dropped.
    """
    if len(output) < 1:
        raise ValueError(
            f"Argument `output` must be at least rank 1. Received: output.shape={_fmt(output)}"
        )
    ax = check_axis(axis, len(output))
    expected = tuple(output[:ax]) + tuple(output[ax + 1 :])
    t = tuple(target)
    if len(t) == len(output) and t and t[-1] == 1:
        t = t[:-1]
    if len(t) != len(expected) or any(
        a is not None and b is not None and a != b for a, b in zip(t, expected)
    ):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape apart from the class "
            f"axis of `output` (axis={axis}). Received: target.shape={_fmt(target)}, "
            f"output.shape={_fmt(output)}"
        )
    return tuple(b if b is not None else a for a, b in zip(t, expected))


def _eps() -> float:
    return float(_config.epsilon())


# ---------------------------------------------------------------- binary crossentropy


def _bce_vjp_output(g: Any, ans: Any, target: Any, output: Any, from_logits: Any) -> Any:
    if from_logits:
        return K.multiply(g, K.subtract(sigmoid(output), target))
    eps = _eps()
    o = K.clip(output, eps, 1.0 - eps)
    inside = _mask(K.logical_and(K.greater_equal(output, eps), K.less_equal(output, 1.0 - eps)), o)
    d = K.divide(K.subtract(o, target), K.multiply(o, K.subtract(1.0, o)))
    return K.multiply(K.multiply(g, d), inside)


def _bce_vjp_target(g: Any, ans: Any, target: Any, output: Any, from_logits: Any) -> Any:
    if from_logits:
        return K.negative(K.multiply(g, output))
    eps = _eps()
    o = K.clip(output, eps, 1.0 - eps)
    return K.multiply(g, K.subtract(K.log(K.subtract(1.0, o)), K.log(o)))


def _bce_samples(rng: Any) -> list:
    t = rng.uniform(0, 1, (2, 3))
    return [
        Sample((t, rng.uniform(0.05, 0.95, (2, 3)))),
        Sample((t, randn(rng, 2, 3) * 3.0), {"from_logits": True}),
        Sample((rng.uniform(0, 1, 6), randn(rng, 6)), {"from_logits": True}),
        # Probabilities outside [eps, 1 - eps] are clipped (no gradient there).
        Sample((np.array([0.0, 1.0, 0.5, 1.0]), np.array([0.0, 1.0, 1e-9, 0.3])), grad=False),
    ]


@defop(
    tensors=("target", "output"),
    promote=("target", "output"),
    to_float=True,
    shape=bce_shape,
    composite=True,
    vjp={"target": _bce_vjp_target, "output": _bce_vjp_output},
    samples=_bce_samples,
    namespaces=("nn",),
)
def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Any:
    """Binary cross-entropy between targets and predicted probabilities, element-wise.

    Args:
        target: targets in [0, 1], same shape as `output`.
        output: predicted probabilities, or logits when `from_logits=True`.
        from_logits: whether `output` holds logits (a stable formula is used) rather than
            probabilities (clipped to ``[epsilon, 1 - epsilon]``).

    Returns:
        The per-element loss, shaped like `output`.
    """
    target, output = _promote_pair(target, output)
    bce_shape(shape_of(target), shape_of(output))
    if from_logits:
        return K.add(
            K.subtract(K.maximum(output, 0.0), K.multiply(output, target)),
            K.log1p(K.exp(K.negative(K.absolute(output)))),
        )
    eps = _eps()
    o = K.clip(output, eps, 1.0 - eps)
    return K.negative(
        K.add(
            K.multiply(target, K.log(o)),
            K.multiply(K.subtract(1.0, target), K.log(K.subtract(1.0, o))),
        )
    )


def _promote_pair(a: Any, b: Any) -> tuple:
    a = K.convert_to_tensor(a)
    b = K.convert_to_tensor(b)
    dt = _dt.result_type(_dt.standardize_dtype(a.dtype), _dt.standardize_dtype(b.dtype))
    dt = _dt.float_result(dt)
    if _dt.standardize_dtype(a.dtype) != dt:
        a = K.cast(a, dt)
    if _dt.standardize_dtype(b.dtype) != dt:
        b = K.cast(b, dt)
    return a, b


# ----------------------------------------------------------- categorical crossentropy


def _cce_grad_output(g: Any, target: Any, output: Any, from_logits: Any, axis: Any) -> Any:
    """d output of the categorical cross-entropy, `target` dense."""
    ax = check_axis(axis, len(shape_of(output)))
    ge = K.expand_dims(g, ax)
    if from_logits:
        d_out = K.subtract(
            K.multiply(softmax(output, axis=ax), K.sum(target, axis=ax, keepdims=True)), target
        )
        return K.multiply(ge, d_out)
    eps = _eps()
    s = K.sum(output, axis=ax, keepdims=True)
    q = K.divide(output, s)
    c = K.clip(q, eps, 1.0 - eps)
    inside = _mask(K.logical_and(K.greater_equal(q, eps), K.less_equal(q, 1.0 - eps)), c)
    dq = K.multiply(K.negative(K.divide(K.multiply(ge, target), c)), inside)
    return K.divide(K.subtract(dq, K.sum(K.multiply(dq, q), axis=ax, keepdims=True)), s)


def _cce_grad_target(g: Any, target: Any, output: Any, from_logits: Any, axis: Any) -> Any:
    """d target of the categorical cross-entropy."""
    ax = check_axis(axis, len(shape_of(output)))
    ge = K.expand_dims(g, ax)
    if from_logits:
        return K.negative(K.multiply(ge, log_softmax(output, axis=ax)))
    eps = _eps()
    q = K.divide(output, K.sum(output, axis=ax, keepdims=True))
    return K.negative(K.multiply(ge, K.log(K.clip(q, eps, 1.0 - eps))))


def _cce_samples(rng: Any) -> list:
    t = rng.uniform(0, 1, (2, 4))
    t = t / t.sum(-1, keepdims=True)
    return [
        Sample((t, rng.uniform(0.1, 1.0, (2, 4)))),
        Sample((t, randn(rng, 2, 4) * 3.0), {"from_logits": True}),
        Sample((np.ascontiguousarray(t.T), rng.uniform(0.1, 1.0, (4, 2))), {"axis": 0}),
        Sample((t.reshape(2, 2, 2), randn(rng, 2, 2, 2)), {"from_logits": True, "axis": 1}),
    ]


@defop(
    tensors=("target", "output"),
    promote=("target", "output"),
    to_float=True,
    shape=cce_shape,
    composite=True,
    vjp={
        "target": lambda g, ans, t, o, fl, axis: _cce_grad_target(g, t, o, fl, axis),
        "output": lambda g, ans, t, o, fl, axis: _cce_grad_output(g, t, o, fl, axis),
    },
    samples=_cce_samples,
    namespaces=("nn",),
)
def categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> Any:
    """Categorical cross-entropy between one-hot (or soft) targets and predictions.

    Args:
        target: target distribution, same shape as `output`.
        output: predicted probabilities (rescaled to sum to 1 along `axis`, then clipped to
            ``[epsilon, 1 - epsilon]``), or logits when `from_logits=True`.
        from_logits: whether `output` holds logits.
        axis: the class axis.

    Returns:
        The loss, with the class axis removed.
    """
    target, output = _promote_pair(target, output)
    cce_shape(shape_of(target), shape_of(output), from_logits, axis)
    ax = check_axis(axis, len(shape_of(output)))
    if from_logits:
        logp = log_softmax(output, axis=ax)
    else:
        eps = _eps()
        q = K.divide(output, K.sum(output, axis=ax, keepdims=True))
        logp = K.log(K.clip(q, eps, 1.0 - eps))
    return K.negative(K.sum(K.multiply(target, logp), axis=ax))


# ---------------------------------------------------- sparse categorical crossentropy


def _dense_target(target: Any, output: Any, axis: Any) -> Any:
    """One-hot encode integer `target` along the class axis of `output`."""
    oshape = shape_of(output)
    ax = check_axis(axis, len(oshape))
    tshape = shape_of(target)
    if len(tshape) == len(oshape) and tshape and tshape[-1] == 1:
        target = K.reshape(target, tshape[:-1])
    return one_hot(target, oshape[ax], axis=ax, dtype=_dt.standardize_dtype(output.dtype))


def _scce_vjp_output(g: Any, ans: Any, target: Any, output: Any, fl: Any, axis: Any) -> Any:
    # An engine's fused kernel may carry a one-pass first-order gradient (`vjp_output`): it
    # is used when every argument is a plain engine array, i.e. when this gradient is not
    # itself being differentiated. Otherwise the rule below, in registry ops, runs.
    fused = getattr(_SCCE.kernel, "vjp_output", None)
    if fused is not None:
        fast = dispatch.FAST_TYPES
        if g.__class__ in fast and target.__class__ in fast and output.__class__ in fast:
            return fused(g, target, output, fl, axis)
    return _cce_grad_output(g, _dense_target(target, output, axis), output, fl, axis)


def _scce_samples(rng: Any) -> list:
    return [
        Sample((rand_int(rng, 3, high=4), rng.uniform(0.1, 1.0, (3, 4)))),
        Sample((rand_int(rng, 3, high=4), randn(rng, 3, 4) * 3.0), {"from_logits": True}),
        Sample((rand_int(rng, 3, 1, high=4), randn(rng, 3, 4)), {"from_logits": True}),
        Sample((rand_int(rng, 2, 2, high=3), rng.uniform(0.1, 1.0, (2, 2, 3)))),
    ]


@defop(
    tensors=("target", "output"),
    promote=("output",),
    to_float=True,
    shape=scce_shape,
    composite=True,
    vjp={
        "target": lambda g, ans, t, o, fl, axis: None,
        "output": _scce_vjp_output,
    },
    samples=_scce_samples,
    namespaces=("nn",),
)
def sparse_categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> Any:
    """Categorical cross-entropy with integer class indices as targets.

    Args:
        target: integer class indices, shaped like `output` without its class axis (a trailing
            dimension of size 1 is accepted). Indices outside ``[0, num_classes)`` give a loss
            of 0.
        output: predicted probabilities (rescaled and clipped as in
            `categorical_crossentropy`), or logits when `from_logits=True`.
        from_logits: whether `output` holds logits.
        axis: the class axis of `output`.

    Returns:
        The loss, shaped like `target` (without a trailing size-1 dimension).
    """
    output = as_float(output)
    target = K.convert_to_tensor(target)
    scce_shape(shape_of(target), shape_of(output), from_logits, axis)
    dense = _dense_target(target, output, axis)
    return categorical_crossentropy(dense, output, from_logits=from_logits, axis=axis)


_SCCE = sparse_categorical_crossentropy.opdef


# ------------------------------------------------------------------ one-hot encodings


def _one_hot_shape(
    x: tuple, num_classes: Any, axis: Any = -1, dtype: Any = None, sparse: Any = False
) -> tuple:
    n = check_num_classes(num_classes)
    check_dense(sparse)
    ax = check_axis(axis, len(x) + 1)
    out = list(x)
    out.insert(ax, n)
    return tuple(out)


def check_num_classes(num_classes: Any, name: str = "num_classes") -> int:
    """Validate a class count; return it as an int."""
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, (int, np.integer))
        or num_classes < 0
    ):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a non-negative int. "
            f"Received: {name}={num_classes!r}"
        )
    return int(num_classes)


def check_dense(sparse: Any) -> None:
    """Reject ``sparse=True`` (kerasx tensors are dense)."""
    if sparse:
        raise ValueError(
            "kerasx tensors are dense: `sparse=True` is not supported. Received: sparse=True"
        )


def _encoding_samples(rng: Any) -> list:
    return [
        Sample((rand_int(rng, 5, high=4), 4), grad=False),
        Sample((rand_int(rng, 2, 3, high=3), 3), {"axis": 0}, grad=False),
        # Out-of-range indices give zero rows (Keras's NumPy backend raises IndexError there).
        Sample(
            (np.array([0, 2, -1, 5], dtype=np.int32), 3),
            {"dtype": "int32"},
            grad=False,
            keras=False,
        ),
        Sample((rand_int(rng, 2, 2, high=3), 3), {"axis": 1}, grad=False),
    ]


@defop(
    shape=_one_hot_shape,
    dtype=lambda x, num_classes, axis=-1, dtype=None, sparse=False: _dt.standardize_dtype(dtype),
    nondiff=True,
    samples=_encoding_samples,
    namespaces=("nn",),
)
def one_hot(
    x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False
) -> Any:
    """One-hot encode integer class indices.

    Args:
        x: integer class indices; indices outside ``[0, num_classes)`` give all-zero vectors.
        num_classes: number of classes (size of the new axis).
        axis: where the new class axis goes in the result.
        dtype: result dtype (default floatx).
        sparse: must be False (kerasx tensors are dense).

    Returns:
        A tensor with one more dimension than `x`.
    """


def _multi_hot_count(num_classes: Any, kwargs: dict) -> int:
    extra = {k: v for k, v in kwargs.items() if k != "num_tokens"}
    if extra:
        raise TypeError(
            f"`multi_hot` got unexpected keyword arguments: {sorted(extra)}. Received: {extra}"
        )
    if num_classes is None:
        num_classes = kwargs.get("num_tokens")
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified. Received: num_classes=None")
    return check_num_classes(num_classes)


def multi_hot_layout(rank: int, axis: Any) -> tuple[int, int]:
    """(class axis, reduced axis) of `multi_hot` in the rank ``rank + 1`` one-hot encoding.

    As in Keras, the reduced axis is axis 1 of the encoding (axis 0 for rank-1 inputs),
    wherever the class axis was put.
    """
    ax = check_axis(axis, rank + 1)
    return ax, (0 if rank == 1 else 1)


def _multi_hot_shape(
    inputs: tuple,
    num_classes: Any = None,
    axis: Any = -1,
    dtype: Any = None,
    sparse: Any = False,
    **kwargs: Any,
) -> tuple:
    n = _multi_hot_count(num_classes, kwargs)
    check_dense(sparse)
    if len(inputs) < 1:
        raise ValueError(
            f"`multi_hot` needs inputs of rank >= 1. Received: inputs.shape={_fmt(inputs)}"
        )
    ax, reduced = multi_hot_layout(len(inputs), axis)
    full = list(inputs)
    full.insert(ax, n)
    del full[reduced]
    return tuple(full)


@defop(
    tensors=("inputs",),
    shape=_multi_hot_shape,
    dtype=lambda inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kw: (
        _dt.standardize_dtype(dtype)
    ),
    nondiff=True,
    samples=lambda rng: [
        Sample((rand_int(rng, 2, 3, high=4), 4), grad=False),
        Sample((rand_int(rng, 3, high=5), 5), grad=False),
        Sample((rand_int(rng, 2, 3, high=3), 3), {"axis": 0}, grad=False),
        Sample(
            (np.array([[0, 2], [1, -1]], dtype=np.int32),),
            {"num_classes": 3, "dtype": "int32"},
            grad=False,
        ),
    ],
    namespaces=("nn",),
)
def multi_hot(
    inputs: Any,
    num_classes: int | None = None,
    axis: int = -1,
    dtype: Any = None,
    sparse: bool = False,
    **kwargs: Any,
) -> Any:
    """Multi-hot encode integer class indices: mark every class that occurs in a sample.

    As in Keras, a sample is a slice along axis 1 of `inputs` (axis 0 for a rank-1 input):
    for a ``(batch, tokens)`` input the result is ``(batch, num_classes)``.

    Args:
        inputs: integer class indices; the last axis lists the classes of one sample.
        num_classes: number of classes (``num_tokens`` is accepted as an older name).
        axis: where the class axis goes in the result.
        dtype: result dtype (default floatx).
        sparse: must be False (kerasx tensors are dense).
        **kwargs: only ``num_tokens``.

    Returns:
        The one-hot encoding of `inputs` (class axis at `axis`) reduced by "any" over the
        sample axis.
    """


# ------------------------------------------------------------------------------- psnr


@defop(
    tensors=("x1", "x2"),
    composite=True,
    samples=lambda rng: [
        Sample((rng.uniform(0, 1, (2, 3)), rng.uniform(0, 1, (2, 3)), 1.0)),
        Sample((rng.uniform(0, 255, (2, 2, 3)), rng.uniform(0, 255, (2, 2, 3)), 255.0)),
    ],
    namespaces=("nn",),
)
def psnr(x1: Any, x2: Any, max_val: float) -> Any:
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mean((x1 - x2)**2))``.

    Args:
        x1: first image batch.
        x2: second image batch, same shape as `x1`.
        max_val: the largest possible pixel value (e.g. 1.0 or 255).

    Returns:
        A scalar, in decibels (infinite for identical inputs).
    """
    x1, x2 = _promote_pair(x1, x2)
    if shape_of(x1) != shape_of(x2):
        raise ValueError(
            "Arguments `x1` and `x2` must have the same shape for PSNR. Received: "
            f"x1.shape={shape_of(x1)}, x2.shape={shape_of(x2)}"
        )
    mse = K.mean(K.square(K.subtract(x1, x2)))
    max_val = K.cast(max_val, _dt.standardize_dtype(x1.dtype))
    ten_over_ln10 = 10.0 / math.log(10.0)
    return K.multiply(K.subtract(K.multiply(K.log(max_val), 2.0), K.log(mse)), ten_over_ln10)


__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "multi_hot",
    "one_hot",
    "psnr",
    "sparse_categorical_crossentropy",
]

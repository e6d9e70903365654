"""Neural-network ops: normalization, moments, attention and `polar`.

All but `polar` are composites written in registry ops, so their gradients come from the
primitives they use.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx import config as _config
from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_shapes
from kerasx.ops._helpers import K, Sample, rand_bool, rand_pos, randn, shape_of, unbroadcast
from kerasx.ops._nn_activations_common import as_float, check_axis
from kerasx.ops.nn_activations import softmax


def _dtype(x: Any) -> str:
    return _dt.standardize_dtype(x.dtype)


def _axes(axis: Any, ndim: int, name: str = "axis") -> tuple[int, ...]:
    """Validate an int or a sequence of ints; return sorted non-negative axes."""
    items = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = tuple(check_axis(a, ndim, name) for a in items)
    if len(set(out)) != len(out):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected distinct axes. "
            f"Received: {name}={axis!r}"
        )
    return tuple(sorted(out))


def _eps(epsilon: Any) -> float:
    return float(_config.epsilon()) if epsilon is None else float(epsilon)


def _along(v: Any, x: Any, axes: tuple[int, ...]) -> Any:
    """Reshape a per-feature parameter `v` so it broadcasts against `x` along `axes`."""
    if v is None:
        return None
    v = K.convert_to_tensor(v)
    vshape = shape_of(v)
    xshape = shape_of(x)
    if len(vshape) == len(xshape) or len(vshape) != len(axes):
        return v
    if len(axes) == 1 and axes[0] == len(xshape) - 1:
        return v
    target = [1] * len(xshape)
    for a, d in zip(axes, vshape):
        target[a] = d
    return K.reshape(v, tuple(target))


# ------------------------------------------------------------------------- normalize


@defop(
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 3, 4),), {"axis": 0, "order": 1}),
        Sample((randn(rng, 2, 5),), {"order": 3}),
        Sample((randn(rng, 2, 3) * 1e-4,), {"epsilon": 1e-3}),
    ],
    namespaces=("nn",),
)
def normalize(x: Any, axis: Any = -1, order: int = 2, epsilon: float | None = None) -> Any:
    """Divide `x` by its `order`-norm along `axis` (a norm below `epsilon` counts as
    `epsilon`, so zero vectors stay zero).

    Args:
        x: input tensor.
        axis: the axis (or axes) the norm is taken over.
        order: the norm order, an int >= 1 (2 is the Euclidean norm).
        epsilon: the smallest norm divided by (default ``kerasx.config.epsilon()``).

    Returns:
        A float tensor of the same shape as `x`.
    """
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(
            f"Received an invalid value for `order`, expected an int >= 1. Received: order={order!r}"
        )
    x = as_float(x)
    axes = _axes(axis, len(shape_of(x)))
    eps = _eps(epsilon)
    if order == 2:
        sq = K.sum(K.square(x), axis=axes, keepdims=True)
        return K.divide(x, K.sqrt(K.maximum(sq, eps * eps)))
    if order == 1:
        norm = K.sum(K.absolute(x), axis=axes, keepdims=True)
    else:
        p = float(order)
        norm = K.power(K.sum(K.power(K.absolute(x), p), axis=axes, keepdims=True), 1.0 / p)
    return K.divide(x, K.maximum(norm, eps))


# --------------------------------------------------------------------------- moments


@defop(
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3, 4), (0, 2))),
        Sample((randn(rng, 3, 4) + 2.0, [1]), {"keepdims": True}),
        Sample((randn(rng, 5), -1)),
    ],
    namespaces=("nn",),
)
def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False) -> Any:
    """Mean and variance of `x` over `axes`.

    Args:
        x: input tensor.
        axes: the axis or axes to reduce.
        keepdims: keep the reduced axes with length 1.
        synchronized: accepted for Keras compatibility (kerasx runs on one device, so the
            statistics are always global).

    Returns:
        A tuple ``(mean, variance)``. float16 inputs are reduced in float32 and cast back.
    """
    x = as_float(x)
    dt = _dtype(x)
    if dt in ("float16", "bfloat16"):
        x = K.cast(x, "float32")
    ax = _axes(axes, len(shape_of(x)), "axes")
    mean = K.mean(x, axis=ax, keepdims=True)
    variance = K.mean(K.square(K.subtract(x, mean)), axis=ax, keepdims=True)
    if not keepdims:
        mean = K.squeeze(mean, axis=ax)
        variance = K.squeeze(variance, axis=ax)
    if dt != _dtype(mean):
        mean, variance = K.cast(mean, dt), K.cast(variance, dt)
    return mean, variance


# ----------------------------------------------------------------- batch normalization


def _bn_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 2, 3), randn(rng, 3), rand_pos(rng, 3), -1)),
        Sample(
            (randn(rng, 2, 3, 2), randn(rng, 3), rand_pos(rng, 3), 1),
            {"offset": randn(rng, 3), "scale": randn(rng, 3)},
        ),
        Sample((randn(rng, 4, 2), randn(rng, 2), rand_pos(rng, 2), 1), {"epsilon": 0.1}),
    ]


@defop(composite=True, samples=_bn_samples, namespaces=("nn",))
def batch_normalization(
    x: Any,
    mean: Any,
    variance: Any,
    axis: int,
    offset: Any = None,
    scale: Any = None,
    epsilon: float = 1e-3,
) -> Any:
    """Normalize `x` with given statistics: ``(x - mean) / sqrt(variance + epsilon) * scale
    + offset``.

    Args:
        x: input tensor.
        mean: per-feature mean, a vector of length ``x.shape[axis]``.
        variance: per-feature variance, same shape as `mean`.
        axis: the feature axis of `x`.
        offset: optional per-feature shift (beta).
        scale: optional per-feature scale (gamma).
        epsilon: added to the variance.

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    ax = (check_axis(axis, len(shape_of(x))),)
    mean = _along(mean, x, ax)
    inv = K.divide(1.0, K.sqrt(K.add(_along(variance, x, ax), epsilon)))
    if scale is not None:
        inv = K.multiply(inv, _along(scale, x, ax))
    out = K.multiply(K.subtract(x, mean), inv)
    if offset is not None:
        out = K.add(out, _along(offset, x, ax))
    return out


# ----------------------------------------------------------------- layer normalization


@defop(
    tensors=("x", "gamma", "beta"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 4),)),
        Sample((randn(rng, 2, 3, 4), randn(rng, 4), randn(rng, 4))),
        Sample((randn(rng, 2, 3, 2), randn(rng, 3)), {"axis": 1, "epsilon": 1e-3}),
        Sample((randn(rng, 2, 5), randn(rng, 5)), {"rms_scaling": True}, keras=False),
    ],
    namespaces=("nn",),
)
def layer_normalization(
    x: Any,
    gamma: Any = None,
    beta: Any = None,
    axis: Any = -1,
    epsilon: float | None = None,
    **kwargs: Any,
) -> Any:
    """Normalize `x` to zero mean and unit variance over `axis`, then scale and shift.

    Args:
        x: input tensor.
        gamma: optional scale, shaped like the normalized axes.
        beta: optional shift, shaped like the normalized axes.
        axis: the axis (or axes) to normalize over.
        epsilon: added to the variance (default ``kerasx.config.epsilon()``).
        **kwargs: ``rms_scaling=True`` divides by ``sqrt(variance + epsilon)`` without
            centering and ignores `beta` (an older Keras option).

    Returns:
        A float tensor of the same shape as `x`.
    """
    rms_scaling = bool(kwargs.pop("rms_scaling", False))
    if kwargs:
        raise TypeError(f"`layer_normalization` got unexpected keyword arguments: {sorted(kwargs)}")
    x = as_float(x)
    dt = _dtype(x)
    compute = "float32" if dt in ("float16", "bfloat16") else dt
    xc = K.cast(x, compute) if compute != dt else x
    axes = _axes(axis, len(shape_of(x)))
    eps = _eps(epsilon)
    mean = K.mean(xc, axis=axes, keepdims=True)
    centered = K.subtract(xc, mean)
    var = K.mean(K.square(centered), axis=axes, keepdims=True)
    inv = K.divide(1.0, K.sqrt(K.add(var, eps)))
    out = K.multiply(xc if rms_scaling else centered, inv)
    if gamma is not None:
        out = K.multiply(out, _along(gamma, x, axes))
    if beta is not None and not rms_scaling:
        out = K.add(out, _along(beta, x, axes))
    return K.cast(out, dt) if _dtype(out) != dt else out


@defop(
    tensors=("x", "scale"),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 4),)),
        Sample((randn(rng, 2, 3, 4), randn(rng, 4))),
        Sample((randn(rng, 3, 4), randn(rng, 3)), {"axis": 0, "epsilon": 1e-3}, keras=False),
    ],
    namespaces=("nn",),
)
def rms_normalization(
    x: Any, scale: Any = None, axis: Any = -1, epsilon: float | None = None
) -> Any:
    """Root-mean-square normalization: ``x / sqrt(mean(x**2) + epsilon) * scale`` over `axis`.

    Args:
        x: input tensor.
        scale: optional scale, shaped like the normalized axes.
        axis: the axis (or axes) to normalize over.
        epsilon: added to the mean square (default ``kerasx.config.epsilon()``).

    Returns:
        A float tensor of the same shape as `x`.
    """
    x = as_float(x)
    axes = _axes(axis, len(shape_of(x)))
    ms = K.mean(K.square(x), axis=axes, keepdims=True)
    out = K.multiply(x, K.divide(1.0, K.sqrt(K.add(ms, _eps(epsilon)))))
    if scale is not None:
        out = K.multiply(out, _along(scale, x, axes))
    return out


# ---------------------------------------------------------------- dot-product attention


def _attention_shapes(query: tuple, key: tuple, value: tuple) -> tuple:
    for name, s in (("query", query), ("key", key), ("value", value)):
        if len(s) != 4:
            raise ValueError(
                "`dot_product_attention` expects 4D inputs (batch, length, heads, head_dim). "
                f"Received: query.shape={query}, key.shape={key}, value.shape={value} "
                f"(`{name}` has rank {len(s)})."
            )
    _, _, n, h = query
    _, s_len, kh, kd = key
    if tuple(key[:3]) != tuple(value[:3]) and None not in key[:3] + value[:3]:
        raise ValueError(
            "`key` and `value` must agree on batch, length and heads. Received: "
            f"key.shape={key}, value.shape={value}"
        )
    if h is not None and kd is not None and h != kd:
        raise ValueError(
            "`query` and `key` must have the same head_dim. Received: "
            f"query.shape={query}, key.shape={key}"
        )
    if n is not None and kh is not None and n % kh:
        raise ValueError(
            "The number of query heads must be a multiple of the number of key/value heads. "
            f"Received: query.shape={query}, key.shape={key}"
        )
    return n, kh


def _attention_shape(
    query: tuple, key: tuple, value: tuple, bias: Any = None, mask: Any = None, *args: Any
) -> tuple:
    _attention_shapes(query, key, value)
    b = query[0] if query[0] is not None else key[0]
    return (b, query[1], query[2], value[3])


def _attention_dtype(query: str, key: str, value: str, *args: Any) -> str:
    return _dt.float_result(_dt.result_type(query, key, value))


_MASK_VALUE = {"float16": -3.0e4, "bfloat16": -1.0e9, "float32": -1.0e9, "float64": -1.0e9}


def _attention_samples(rng: Any) -> list:
    b, t, s, n, h = 1, 3, 4, 2, 2
    q, k, v = randn(rng, b, t, n, h), randn(rng, b, s, n, h), randn(rng, b, s, n, h)
    mask = rand_bool(rng, b, n, t, s)
    mask[..., 0] = True
    return [
        Sample((q, k, v)),
        Sample((q, k, v), {"is_causal": True, "scale": 0.7}),
        Sample((q, k, v), {"bias": randn(rng, b, n, t, s), "mask": mask}),
        Sample((randn(rng, 2, 2, 2, 3), randn(rng, 2, 3, 1, 3), randn(rng, 2, 3, 1, 2))),
    ]


@defop(
    tensors=("query", "key", "value", "bias", "mask"),
    composite=True,
    shape=_attention_shape,
    dtype=_attention_dtype,
    samples=_attention_samples,
    namespaces=("nn",),
)
def dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    bias: Any = None,
    mask: Any = None,
    scale: float | None = None,
    is_causal: bool = False,
    flash_attention: bool | None = None,
    attn_logits_soft_cap: float | None = None,
) -> Any:
    """Scaled dot-product attention ``softmax(q k^T * scale + bias) v``.

    Args:
        query: ``(batch, target_length, num_heads, head_dim)``.
        key: ``(batch, source_length, num_kv_heads, head_dim)``; `num_heads` must be a
            multiple of `num_kv_heads` (grouped-query attention repeats the key/value heads).
        value: ``(batch, source_length, num_kv_heads, value_dim)``.
        bias: optional additive logits bias, broadcastable to
            ``(batch, num_heads, target_length, source_length)``.
        mask: optional boolean mask of that shape (True = attend). A query position with no
            allowed key attends uniformly.
        scale: logits scale (default ``1 / sqrt(head_dim)``).
        is_causal: also mask keys after the query position (top-left aligned).
        flash_attention: accepted for Keras compatibility; the result is the same either way.
        attn_logits_soft_cap: if given, logits are squashed to ``cap * tanh(logits / cap)``
            (after scaling, before the bias).

    Returns:
        ``(batch, target_length, num_heads, value_dim)``.
    """
    query, key, value = as_float(query), as_float(key), as_float(value)
    n, kh = _attention_shapes(shape_of(query), shape_of(key), shape_of(value))
    dt = _attention_dtype(_dtype(query), _dtype(key), _dtype(value))
    query, key, value = (v if _dtype(v) == dt else K.cast(v, dt) for v in (query, key, value))
    if n != kh and n is not None and kh is not None:
        key = K.repeat(key, n // kh, axis=2)
        value = K.repeat(value, n // kh, axis=2)
    if scale is None:
        scale = 1.0 / math.sqrt(shape_of(query)[-1])
    logits = K.multiply(K.einsum("btnh,bsnh->bnts", query, key), scale)
    if attn_logits_soft_cap is not None:
        cap = float(attn_logits_soft_cap)
        logits = K.multiply(K.tanh(K.divide(logits, cap)), cap)
    if bias is not None:
        logits = K.add(logits, K.cast(bias, dt))
    allowed = None
    if mask is not None:
        allowed = K.cast(mask, "bool")
    if is_causal:
        t_len, s_len = shape_of(query)[1], shape_of(key)[1]
        causal = np.tril(np.ones((t_len, s_len), dtype=bool))
        allowed = causal if allowed is None else K.logical_and(allowed, causal)
    if allowed is not None:
        logits = K.where(allowed, logits, _MASK_VALUE.get(dt, -1.0e9))
    probs = softmax(logits, axis=-1)
    return K.einsum("bnts,bsnh->btnh", probs, value)


# ------------------------------------------------------------------------------ polar


def _polar_dtype(abs_: Any, angle: Any) -> str:
    f = _dt.float_result(_dt.result_type(abs_, angle))
    return "complex128" if f == "float64" else "complex64"


def _polar_vjp_abs(g: Any, ans: Any, abs_: Any, angle: Any) -> Any:
    d = K.subtract(K.multiply(K.real(g), K.cos(angle)), K.multiply(K.imag(g), K.sin(angle)))
    return unbroadcast(d, abs_)


def _polar_vjp_angle(g: Any, ans: Any, abs_: Any, angle: Any) -> Any:
    d = K.negative(K.add(K.multiply(K.real(g), K.imag(ans)), K.multiply(K.imag(g), K.real(ans))))
    return unbroadcast(d, angle)


@defop(
    tensors=("abs_", "angle"),
    promote=("abs_", "angle"),
    to_float=True,
    shape=lambda abs_, angle: broadcast_shapes(abs_, angle),
    dtype=_polar_dtype,
    vjp={"abs_": _polar_vjp_abs, "angle": _polar_vjp_angle},
    samples=lambda rng: [
        Sample((rand_pos(rng, 2, 3), randn(rng, 2, 3))),
        Sample((rand_pos(rng, 3), randn(rng, 2, 3))),
        Sample((rand_pos(rng, 4), 0.5)),
    ],
    namespaces=("nn",),
)
def polar(abs_: Any, angle: Any) -> Any:
    """Complex numbers from polar coordinates: ``abs_ * (cos(angle) + 1j * sin(angle))``.

    Args:
        abs_: magnitudes.
        angle: angles in radians (broadcast against `abs_`).

    Returns:
        A complex tensor (complex64, or complex128 for float64 inputs).
    """


__all__ = [
    "batch_normalization",
    "dot_product_attention",
    "layer_normalization",
    "moments",
    "normalize",
    "polar",
    "rms_normalization",
]

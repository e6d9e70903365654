"""kerasx.activations: activation functions (the ``keras.activations`` surface).

Each function is built on `kerasx.ops`, so it runs on every engine and is differentiable.
`get` turns a name, a serialized dict, a callable or None into an activation function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.saving import serialization as _ser


def relu(
    x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> Any:
    """Rectified linear unit with optional leak, cap and threshold.

    Args:
        x: input tensor.
        negative_slope: slope used below `threshold` (0 gives the plain ReLU).
        max_value: if given, outputs are capped at this value.
        threshold: values at or below this are treated as "negative".

    Returns:
        A tensor of the same shape: `x` above `threshold` (capped at `max_value`), and
        ``negative_slope * (x - threshold)`` below it.
    """
    x = ops.convert_to_tensor(x)
    if negative_slope != 0 and max_value is None and threshold == 0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    if negative_slope != 0:
        below = ops.relu(ops.subtract(threshold, x)) if threshold != 0 else ops.relu(-x)
    if threshold != 0:
        out = ops.multiply(x, ops.cast(ops.greater(x, threshold), x.dtype))
    elif max_value == 6:
        out = ops.relu6(x)
    else:
        out = ops.relu(x)
    if max_value is not None:
        out = ops.clip(out, 0.0, max_value)
    if negative_slope != 0:
        out = ops.subtract(out, ops.multiply(negative_slope, below))
    return out


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Any:
    """Leaky ReLU: `x` for positive inputs, ``negative_slope * x`` otherwise.

    Args:
        x: input tensor.
        negative_slope: slope for negative inputs.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x: Any) -> Any:
    """ReLU capped at 6: ``min(max(x, 0), 6)``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.relu6(x)


def softmax(x: Any, axis: Any = -1) -> Any:
    """Softmax along `axis`: non-negative outputs that sum to one along that axis.

    Args:
        x: input tensor.
        axis: the axis (or tuple of axes) to normalize over.

    Returns:
        A tensor of the same shape as `x`.
    """
    out = ops.softmax(x, axis=axis)
    if hasattr(x, "dtype") and not isinstance(out, KerasTensor):
        from kerasx.ops.softmax_losses import remember_logits

        # Cross-entropy losses on `out` differentiate at `x` (kerasx.ops.softmax_losses).
        remember_logits(out, x, axis)
    return out


def elu(x: Any, alpha: float = 1.0) -> Any:
    """Exponential linear unit: `x` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        x: input tensor.
        alpha: scale of the negative part.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.elu(x, alpha=alpha)


def selu(x: Any) -> Any:
    """Scaled exponential linear unit (self-normalizing constants).

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.selu(x)


def softplus(x: Any) -> Any:
    """Softplus: ``log(1 + exp(x))``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.softplus(x)


def softsign(x: Any) -> Any:
    """Softsign: ``x / (1 + |x|)``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.softsign(x)


def soft_shrink(x: Any, threshold: float = 0.5) -> Any:
    """Soft shrinkage: shift `x` towards zero by `threshold`, zeroing ``|x| <= threshold``.

    Args:
        x: input tensor.
        threshold: width of the zeroed band.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.soft_shrink(x, threshold=threshold)


def sparse_plus(x: Any) -> Any:
    """SparsePlus: 0 below -1, ``(x + 1)**2 / 4`` on [-1, 1], `x` above 1.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.sparse_plus(x)


def silu(x: Any) -> Any:
    """SiLU (swish): ``x * sigmoid(x)``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.silu(x)


def squareplus(x: Any, b: float = 4) -> Any:
    """Squareplus: ``(x + sqrt(x**2 + b)) / 2``.

    Args:
        x: input tensor.
        b: smoothness parameter (non-negative).

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.squareplus(x, b=b)


def gelu(x: Any, approximate: bool = False) -> Any:
    """Gaussian error linear unit ``x * Phi(x)``.

    Args:
        x: input tensor.
        approximate: use the tanh approximation instead of the exact erf form.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.gelu(x, approximate=approximate)


def celu(x: Any, alpha: float = 1.0) -> Any:
    """Continuously differentiable ELU: ``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))``.

    Args:
        x: input tensor.
        alpha: scale of the negative part.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.celu(x, alpha=alpha)


def glu(x: Any, axis: int = -1) -> Any:
    """Gated linear unit: halves ``a, b`` of `x` along `axis` give ``a * sigmoid(b)``.

    Args:
        x: input tensor (even size along `axis`).
        axis: the axis to split.

    Returns:
        A tensor with half the size of `x` along `axis`.
    """
    return ops.glu(x, axis=axis)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.tanh(x)


def tanh_shrink(x: Any) -> Any:
    """Tanh shrink: ``x - tanh(x)``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.tanh_shrink(x)


def hard_tanh(x: Any) -> Any:
    """Hard tanh: `x` clipped to [-1, 1].

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.hard_tanh(x)


def hard_shrink(x: Any, threshold: float = 0.5) -> Any:
    """Hard shrinkage: `x` where ``|x| > threshold``, 0 elsewhere.

    Args:
        x: input tensor.
        threshold: width of the zeroed band.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.hard_shrink(x, threshold=threshold)


def threshold(x: Any, threshold: float, default_value: float) -> Any:
    """Keep `x` above `threshold`; use `default_value` elsewhere.

    Args:
        x: input tensor.
        threshold: the cut-off.
        default_value: the value for entries at or below the cut-off.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.threshold(x, threshold, default_value)


def sigmoid(x: Any) -> Any:
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.sigmoid(x)


def exponential(x: Any) -> Any:
    """Exponential ``exp(x)``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.exp(x)


def hard_sigmoid(x: Any) -> Any:
    """Piecewise-linear sigmoid: ``relu6(x + 3) / 6``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.hard_sigmoid(x)


def hard_silu(x: Any) -> Any:
    """Hard SiLU (hard swish): ``x * hard_sigmoid(x)``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.hard_silu(x)


def linear(x: Any) -> Any:
    """The identity activation: returns `x` unchanged.

    Args:
        x: input tensor.

    Returns:
        `x` itself.
    """
    return x


def mish(x: Any) -> Any:
    """Mish: ``x * tanh(softplus(x))``.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    x = ops.convert_to_tensor(x)
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


def log_softmax(x: Any, axis: Any = -1) -> Any:
    """Log of the softmax along `axis`, computed stably.

    Args:
        x: input tensor.
        axis: the axis to normalize over.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.log_softmax(x, axis=axis)


def log_sigmoid(x: Any) -> Any:
    """Log of the sigmoid, ``-softplus(-x)``, computed stably.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.log_sigmoid(x)


def sparse_sigmoid(x: Any) -> Any:
    """Sparse sigmoid: 0 below -1, ``(x + 1) / 2`` on [-1, 1], 1 above.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.sparse_sigmoid(x)


def sparsemax(x: Any, axis: int = -1) -> Any:
    """Sparsemax: Euclidean projection onto the probability simplex along `axis`.

    Args:
        x: input tensor.
        axis: the axis to normalize over.

    Returns:
        A tensor of the same shape as `x`.
    """
    return ops.sparsemax(x, axis=axis)


swish = silu
hard_swish = hard_silu

ALL_OBJECTS = {
    f.__name__: f
    for f in (
        relu,
        leaky_relu,
        relu6,
        softmax,
        celu,
        elu,
        selu,
        softplus,
        softsign,
        soft_shrink,
        squareplus,
        sparse_plus,
        silu,
        gelu,
        glu,
        tanh,
        tanh_shrink,
        hard_tanh,
        hard_shrink,
        threshold,
        sigmoid,
        exponential,
        hard_sigmoid,
        hard_silu,
        linear,
        mish,
        log_softmax,
        log_sigmoid,
        sparse_sigmoid,
        sparsemax,
    )
}
ALL_OBJECTS_DICT = dict(ALL_OBJECTS)
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu


def serialize(activation: Callable[..., Any]) -> Any:
    """The serialized form of an activation: its name for built-ins, else a Keras dict.

    Args:
        activation: an activation function (or an object with ``get_config``).

    Returns:
        A string (built-in functions) or a config dict.
    """
    name = getattr(activation, "__name__", None)
    if name is not None and ALL_OBJECTS_DICT.get(name) is activation:
        return name
    return _ser.serialize_keras_object(activation, module="keras.activations")


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Callable[..., Any]:
    """Rebuild an activation from `serialize`'s output.

    Args:
        config: a name or a serialized dict.
        custom_objects: extra names to look up.

    Returns:
        The activation function.
    """
    return _ser.deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="activation function",
    )


def get(identifier: Any) -> Callable[..., Any]:
    """Resolve `identifier` into an activation function.

    Args:
        identifier: None (gives `linear`), a name such as ``"relu"``, a serialized dict, or
            a callable (returned as is).

    Returns:
        A callable activation.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        try:
            obj = deserialize(identifier)
        except ValueError:
            obj = None
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError(
        "Could not interpret activation function identifier: "
        f"{identifier!r}. Received: identifier={identifier!r}"
    )

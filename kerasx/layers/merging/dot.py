"""`Dot` and `dot`: per-sample dot products of two tensors."""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.layers.merging.base_merge import is_shape_list


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _l2_normalize(x: Any, axis: int) -> Any:
    squares = ops.sum(ops.multiply(x, x), axis=axis, keepdims=True)
    return ops.multiply(x, ops.rsqrt(ops.maximum(squares, 1e-12)))


def batch_dot(x: Any, y: Any, axes: tuple[int, int]) -> Any:
    """Per-sample tensor contraction of `x` axis ``axes[0]`` with `y` axis ``axes[1]``.

    The output shape is `x`'s shape without the contracted axis, followed by `y`'s without
    its batch axis and contracted axis; a result with only the batch axis gets a trailing
    axis of size 1.
    """
    a0, a1 = axes
    if a0 == 0 or a1 == 0:
        raise ValueError(
            "Cannot perform batch_dot over axis 0 (the batch axis). If your inputs are not "
            "batched, add a dummy batch axis with `kerasx.ops.expand_dims(x, 0)`."
        )
    letters = iter(string.ascii_letters)
    batch, shared = next(letters), next(letters)
    xs = [batch] + [shared if i == a0 else next(letters) for i in range(1, len(x.shape))]
    ys = [batch] + [shared if i == a1 else next(letters) for i in range(1, len(y.shape))]
    out = [batch] + [c for c in xs[1:] if c != shared] + [c for c in ys[1:] if c != shared]
    result = ops.einsum(f"{''.join(xs)},{''.join(ys)}->{''.join(out)}", x, y)
    if len(out) == 1:
        result = ops.expand_dims(result, -1)
    return result


class Dot(Layer):
    """Dot product between the samples of two tensors.

    For inputs of shapes ``(batch, n)`` and ``(batch, n)`` the output is ``(batch, 1)``;
    in general the product contracts axis ``axes[0]`` of the first input with axis
    ``axes[1]`` of the second, per sample.

    Args:
        axes: an int (the same axis in both inputs) or a pair of ints; negative values count
            from each input's last axis. Never the batch axis.
        normalize: whether to L2-normalize both inputs along the contracted axes first, which
            makes the output the cosine similarity.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not _is_int(axes):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    "Invalid type for argument `axes`: it should be a list or an int. "
                    f"Received: axes={axes}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain two elements. "
                    f"Received: axes={axes}"
                )
            if not all(_is_int(a) for a in axes):
                raise ValueError(
                    "Invalid format for argument `axes`: list elements should be integers. "
                    f"Received: axes={axes}"
                )
        self.axes = axes
        self.normalize = normalize

    def _axes_for(self, shape1: tuple, shape2: tuple) -> tuple[int, int]:
        pair = (self.axes, self.axes) if _is_int(self.axes) else tuple(self.axes)
        out = []
        for a, shape in zip(pair, (shape1, shape2)):
            rank = len(shape)
            if not -rank <= a < rank:
                raise ValueError(
                    f"Received an invalid value for `axes` in layer '{self.name}': axis {a} is "
                    f"out of range for an input of shape {tuple(shape)}. Received: axes={self.axes}"
                )
            out.append(int(a) % rank)
        return out[0], out[1]

    def _check(self, input_shape: Any) -> tuple[int, int]:
        if not is_shape_list(input_shape) or len(input_shape) != 2:
            raise ValueError(
                "A `Dot` layer should be called on a list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = (tuple(s) for s in input_shape)
        a0, a1 = self._axes_for(shape1, shape2)
        if shape1[a0] != shape2[a1]:
            raise ValueError(
                f"Incompatible input shapes: axis values {shape1[a0]} (at axis {a0}) != "
                f"{shape2[a1]} (at axis {a1}). Full input shapes: {shape1}, {shape2}"
            )
        return a0, a1

    def build(self, input_shape: Any) -> None:
        """Check that the contracted axes have the same size.

        Args:
            input_shape: a list of two shapes.
        """
        if is_shape_list(input_shape) and any(s is None for s in input_shape):
            self.built = True
            return
        self._check(input_shape)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """The per-sample dot product of ``inputs[0]`` and ``inputs[1]``."""
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                "A `Dot` layer should be called on a list of 2 inputs. "
                f"Received: input_shape={tuple(inputs.shape)}"
            )
        a0, a1 = self._check([tuple(x.shape) for x in inputs])
        x, y = inputs
        if self.normalize:
            x = _l2_normalize(x, a0)
            y = _l2_normalize(y, a1)
        return batch_dot(x, y, (a0, a1))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The shape of the product (see the class docstring)."""
        a0, a1 = self._check(input_shape)
        shape1, shape2 = (list(s) for s in input_shape)
        shape1.pop(a0)
        shape2.pop(a1)
        shape2.pop(0)
        out = shape1 + shape2
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """The symbolic output."""
        traced = self.call(inputs)
        shape = self.compute_output_shape([tuple(x.shape) for x in inputs])
        return KerasTensor(shape, traced.dtype)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        """Dot products drop masks: always None."""
        return None

    def get_config(self) -> dict:
        """The base config plus `axes` and `normalize`."""
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def dot(inputs: list, axes: Any = -1, **kwargs: Any) -> Any:
    """Functional form of `Dot`.

    Args:
        inputs: a list of two tensors.
        axes: the contracted axis (or pair of axes).
        **kwargs: other `Dot` constructor arguments (e.g. ``normalize=True``).

    Returns:
        The per-sample dot product.
    """
    return Dot(axes=axes, **kwargs)(inputs)

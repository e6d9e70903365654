"""Elementwise merges: Add, Subtract, Multiply, Average, Maximum, Minimum (+ functions)."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.merging.base_merge import Merge


class Add(Merge):
    """Sum a list of tensors elementwise (shapes broadcast; see `Merge`).

    Args:
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    def _merge_function(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return out


class Subtract(Merge):
    """Subtract the second of exactly two tensors from the first.

    Args:
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    def _check_input_count(self, input_shape: Any) -> None:
        if len(input_shape) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: input_shape={[tuple(s) for s in input_shape]}"
            )

    def _merge_function(self, inputs: list) -> Any:
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Multiply a list of tensors elementwise.

    Args:
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    def _merge_function(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.multiply(out, x)
        return out


class Average(Merge):
    """The elementwise mean of a list of tensors.

    Args:
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    def _merge_function(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return ops.divide(out, len(inputs))


class Maximum(Merge):
    """The elementwise maximum of a list of tensors.

    Args:
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    def _merge_function(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.maximum(out, x)
        return out


class Minimum(Merge):
    """The elementwise minimum of a list of tensors.

    Args:
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    def _merge_function(self, inputs: list) -> Any:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.minimum(out, x)
        return out


def add(inputs: list, **kwargs: Any) -> Any:
    """Functional form of `Add`: ``Add(**kwargs)(inputs)``.

    Args:
        inputs: a list of tensors.
        **kwargs: `Add` constructor arguments.

    Returns:
        The elementwise sum.
    """
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs: Any) -> Any:
    """Functional form of `Subtract`: ``inputs[0] - inputs[1]``.

    Args:
        inputs: a list of exactly two tensors.
        **kwargs: `Subtract` constructor arguments.

    Returns:
        The difference.
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs: Any) -> Any:
    """Functional form of `Multiply`.

    Args:
        inputs: a list of tensors.
        **kwargs: `Multiply` constructor arguments.

    Returns:
        The elementwise product.
    """
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs: Any) -> Any:
    """Functional form of `Average`.

    Args:
        inputs: a list of tensors.
        **kwargs: `Average` constructor arguments.

    Returns:
        The elementwise mean.
    """
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs: Any) -> Any:
    """Functional form of `Maximum`.

    Args:
        inputs: a list of tensors.
        **kwargs: `Maximum` constructor arguments.

    Returns:
        The elementwise maximum.
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs: Any) -> Any:
    """Functional form of `Minimum`.

    Args:
        inputs: a list of tensors.
        **kwargs: `Minimum` constructor arguments.

    Returns:
        The elementwise minimum.
    """
    return Minimum(**kwargs)(inputs)

"""`Merge`: the base class of the layers that combine a list of tensors elementwise."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer


def is_shape_list(input_shape: Any) -> bool:
    """True when `input_shape` is a list/tuple of shapes (not a single shape)."""
    return isinstance(input_shape, (list, tuple)) and all(
        isinstance(s, (list, tuple)) for s in input_shape
    )


def broadcast_sample_shapes(shape1: tuple | None, shape2: tuple | None) -> tuple | None:
    """Broadcast two per-sample shapes aligned on the right (None: unknown size).

    Raises:
        ValueError: when two known sizes differ and neither is 1.
    """
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        return broadcast_sample_shapes(shape2, shape1)
    if not shape2:
        return tuple(shape1)
    out = list(shape1[: len(shape1) - len(shape2)])
    for a, b in zip(shape1[-len(shape2) :], shape2):
        if a is None or b is None:
            out.append(None)
        elif a == 1:
            out.append(b)
        elif b == 1 or a == b:
            out.append(a)
        else:
            raise ValueError(
                "Inputs have incompatible shapes. Received shapes "
                f"{tuple(shape1)} and {tuple(shape2)}"
            )
    return tuple(out)


class Merge(Layer):
    """Base class of Add, Subtract, Multiply, Average, Maximum and Minimum.

    Called on a list of tensors with the same batch size whose per-sample shapes
    broadcast; an input of lower rank gets new axes right after its batch axis. The output
    mask keeps a position when any input keeps it (None when some input has no mask).
    Subclasses implement `_merge_function(inputs)`.

    Args:
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def _merge_function(self, inputs: list) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement `_merge_function`.")

    def _check_input_count(self, input_shape: Any) -> None:
        """Hook for layers that need a fixed number of inputs (Subtract)."""

    def build(self, input_shape: Any) -> None:
        """Check that the inputs can be merged.

        Args:
            input_shape: a list of input shapes.
        """
        if not is_shape_list(input_shape):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )
        if len(input_shape) < 1:
            raise ValueError(
                "A merge layer should be called on a list of at least 1 input. "
                f"Received: input_shape={input_shape}"
            )
        self._check_input_count(input_shape)
        batches = {s[0] for s in input_shape if s and s[0] is not None}
        if len(batches) > 1:
            raise ValueError(
                "Cannot merge tensors with different batch sizes. Received tensors with shapes "
                f"{[tuple(s) for s in input_shape]}"
            )
        self._sample_shape(input_shape)
        self.built = True

    @staticmethod
    def _sample_shape(input_shapes: list) -> tuple | None:
        out = tuple(input_shapes[0][1:]) if input_shapes[0] else ()
        for s in input_shapes[1:]:
            out = broadcast_sample_shapes(out, tuple(s[1:]) if s else ())
        return out

    def call(self, inputs: Any) -> Any:
        """Merge the list `inputs` (lower-rank inputs get axes after their batch axis)."""
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"A `{type(self).__name__}` layer should be called on a list of inputs. "
                f"Received: inputs={inputs}"
            )
        inputs = list(inputs)
        self._check_input_count([tuple(x.shape) for x in inputs])
        ranks = [len(x.shape) for x in inputs]
        top = max(ranks)
        expanded = []
        for x, r in zip(inputs, ranks):
            for _ in range(top - r):
                x = ops.expand_dims(x, 1)
            expanded.append(x)
        return self._merge_function(expanded)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The broadcast shape of the inputs (an unknown size anywhere gives None there)."""
        shapes = [tuple(s) for s in input_shape]
        batches = {s[0] for s in shapes if s and s[0] is not None}
        batch = batches.pop() if len(batches) == 1 else None
        sample = self._sample_shape(shapes)
        return (batch, *sample)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """The symbolic output: Keras's broadcast shape, the dtype of the traced merge."""
        traced = self.call(inputs)
        shape = self.compute_output_shape([tuple(x.shape) for x in inputs])
        return KerasTensor(shape, traced.dtype)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Keep a position where any input's mask keeps it (None if an input has no mask)."""
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f"`mask` should be a list. Received: mask={mask}")
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
        if len(mask) != len(inputs):
            raise ValueError(
                "The lists `inputs` and `mask` should have the same length. Received: "
                f"inputs={inputs} of length {len(inputs)}, and mask={mask} of length {len(mask)}"
            )
        if any(m is None for m in mask):
            return None
        out = ops.cast(mask[0], "bool")
        for m in mask[1:]:
            out = ops.logical_or(out, ops.cast(m, "bool"))
        return out

    def get_config(self) -> dict:
        """The base config (merge layers have no arguments of their own)."""
        return super().get_config()

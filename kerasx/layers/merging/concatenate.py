"""`Concatenate` and `concatenate`: join a list of tensors along one axis."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.layers.merging.base_merge import is_shape_list


class Concatenate(Layer):
    """Concatenate a list of tensors along `axis`.

    All inputs have the same rank and the same sizes on every other axis.

    Args:
        axis: the axis to join along (default the last).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def _axis_for(self, rank: int) -> int:
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"Received an invalid value for `axis` in layer '{self.name}', expected an "
                f"axis of the inputs (rank {rank}). Received: axis={self.axis}"
            )
        return self.axis % rank

    def _check(self, shapes: list) -> None:
        error = ValueError(
            "A `Concatenate` layer requires inputs with matching shapes except for the "
            f"concatenation axis. Received: input_shape={shapes}"
        )
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise error
        axis = self._axis_for(ranks.pop())
        for i, sizes in enumerate(zip(*shapes)):
            if i == axis:
                continue
            if len({d for d in sizes if d is not None}) > 1:
                raise error

    def build(self, input_shape: Any) -> None:
        """Check the shapes of the inputs.

        Args:
            input_shape: a list of input shapes.
        """
        if not is_shape_list(input_shape) or len(input_shape) < 1:
            raise ValueError(
                "A `Concatenate` layer should be called on a list of at least 1 input. "
                f"Received: input_shape={input_shape}"
            )
        self._check([tuple(s) for s in input_shape])
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Concatenate the list `inputs` along `axis`."""
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of at least 1 input. "
                f"Received: input_shape={tuple(inputs.shape)}"
            )
        shapes = [tuple(x.shape) for x in inputs]
        self._check(shapes)
        return ops.concatenate(list(inputs), axis=self._axis_for(len(shapes[0])))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The joined shape (None on the axis when one input's size there is unknown)."""
        shapes = [tuple(s) for s in input_shape]
        self._check(shapes)
        axis = self._axis_for(len(shapes[0]))
        out = []
        for i, sizes in enumerate(zip(*shapes)):
            if i == axis:
                out.append(None if any(d is None for d in sizes) else sum(sizes))
            else:
                known = [d for d in sizes if d is not None]
                out.append(known[0] if known else None)
        return tuple(out)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """The symbolic output."""
        traced = self.call(inputs)
        shape = self.compute_output_shape([tuple(x.shape) for x in inputs])
        return KerasTensor(shape, traced.dtype)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Join the input masks (an input without one counts as all kept).

        A missing mask is all True over the input's shape without its last axis; each mask
        shorter than its input gets a trailing axis, the masks are concatenated along
        `axis`, and the result keeps a position when any entry along the last axis is kept
        (Keras 3's rule).
        """
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f"`mask` should be a list. Received mask={mask}")
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
        if len(mask) != len(inputs):
            raise ValueError(
                "The lists `inputs` and `mask` should have the same length. Received: "
                f"inputs={inputs} of length {len(inputs)}, and mask={mask} of length {len(mask)}"
            )
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            # A missing mask keeps everything: all True over the input's leading axes.
            m = ops.any(ops.ones_like(x, dtype="bool"), axis=-1) if m is None else m
            m = ops.cast(m, "bool")
            if len(m.shape) < len(x.shape):
                m = ops.expand_dims(m, -1)
            masks.append(m)
        joined = ops.concatenate(masks, axis=self._axis_for(len(masks[0].shape)))
        return ops.any(joined, axis=-1)

    def get_config(self) -> dict:
        """The base config plus `axis`."""
        config = super().get_config()
        config["axis"] = self.axis
        return config


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    """Functional form of `Concatenate`.

    Args:
        inputs: a list of tensors.
        axis: the axis to join along.
        **kwargs: other `Concatenate` constructor arguments.

    Returns:
        The concatenated tensor.
    """
    return Concatenate(axis=axis, **kwargs)(inputs)

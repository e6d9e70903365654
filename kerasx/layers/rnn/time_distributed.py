"""`TimeDistributed`: apply a layer to every timestep of a sequence."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine import tree
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.rnn.wrapper import Wrapper


class TimeDistributed(Wrapper):
    """Apply the same layer (same weights) to each timestep of ``(batch, timesteps, ...)``.

    The batch and time axes are merged, the layer runs once on ``(batch * timesteps, ...)``
    and the result is split back to ``(batch, timesteps, ...)``. The input mask is passed on
    unchanged.

    Args:
        layer: the `Layer` to apply at every timestep (e.g. ``Dense(8)``).
        **kwargs: base `Layer` arguments.
    """

    def _child_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions (batch, timesteps, ...), received: input_shape={input_shape}"
            )
        return (None, *input_shape[2:])

    def build(self, input_shape: Any) -> None:
        """Build the wrapped layer on one timestep's shape."""
        child = self._child_shape(input_shape)
        if not self.layer.built:
            self.layer.build(child)
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """``(batch, timesteps) + layer output shape without its batch axis``."""
        input_shape = tuple(input_shape)
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (input_shape[0], input_shape[1], *tuple(child)[1:])

    def compute_output_spec(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        """A symbolic output of `compute_output_shape`."""
        shape = self.compute_output_shape(tuple(inputs.shape))
        return KerasTensor(shape, self.compute_dtype)

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        """Run the layer on every timestep."""
        shape = tuple(inputs.shape)
        if len(shape) < 3:
            self._child_shape(shape)
        batch, steps = shape[0], shape[1]
        merged = ops.reshape(inputs, (-1, *shape[2:]))
        kwargs: dict = {}
        info = getattr(self.layer, "_kx_call", None)
        if info is not None and info.accepts_training:
            kwargs["training"] = training
        if mask is not None and info is not None and info.accepts_mask:
            kwargs["mask"] = ops.reshape(mask, (-1, *tuple(mask.shape)[2:]))
        out = self.layer(merged, **kwargs)
        return tree.map_structure(
            lambda t: ops.reshape(t, (batch, steps, *tuple(t.shape)[1:])), out
        )

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The input mask."""
        return mask

"""Shared pieces of the spatial reshaping layers (cropping, zero padding, upsampling)."""

from __future__ import annotations

from typing import Any

from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer


class SpatialLayer(Layer):
    """A layer acting on the spatial axes of a ``(batch, *spatial, channels)`` input.

    Subclasses set `_rank` (the number of spatial axes) and `data_format`, and implement
    `_spatial_out(sizes)` (the output spatial sizes for input spatial sizes, None unknown).
    """

    _auto_config = False
    _rank = 1
    data_format = "channels_last"

    def _init_spatial(self) -> None:
        self.input_spec = InputSpec(ndim=self._rank + 2)
        self.built = True

    def _first_axis(self) -> int:
        return 1 if self.data_format == "channels_last" else 2

    def _spatial_out(self, sizes: tuple) -> tuple:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape with its spatial sizes transformed by the layer."""
        shape = list(input_shape)
        first = self._first_axis()
        shape[first : first + self._rank] = self._spatial_out(
            tuple(shape[first : first + self._rank])
        )
        return tuple(shape)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """A symbolic tensor of `compute_output_shape`'s shape and the input's dtype."""
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)), inputs.dtype)

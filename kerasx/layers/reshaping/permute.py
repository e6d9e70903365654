"""`Permute`: reorder the non-batch axes of the input."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args


class Permute(Layer):
    """Permute the axes of the input, leaving the batch axis in place.

    ``Permute((2, 1))`` turns ``(batch, steps, features)`` into ``(batch, features, steps)``.

    Args:
        dims: a permutation of ``1 .. rank - 1`` (axis indices count from 1, after the batch
            axis): output axis ``i`` is input axis ``dims[i - 1]``.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        values = tuple(dims) if isinstance(dims, (list, tuple)) else None
        if (
            not values
            or not all(args.is_int(d) for d in values)
            or sorted(int(d) for d in values) != list(range(1, len(values) + 1))
        ):
            raise ValueError(
                "Received an invalid value for `dims`, expected a permutation of the axis "
                "indices 1..n (the batch axis 0 is never moved), e.g. (2, 1). "
                f"Received: dims={dims!r}"
            )
        self.dims = tuple(int(d) for d in values)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Transpose `inputs` with ``(0, *dims)``."""
        return ops.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape with its non-batch axes reordered by `dims`."""
        shape = tuple(input_shape)
        return (shape[0], *(shape[d] for d in self.dims))

    def get_config(self) -> dict:
        """The base config plus dims."""
        config = super().get_config()
        config["dims"] = self.dims
        return config

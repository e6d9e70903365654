"""`InputLayer` and `Input`: the symbolic entry points of functional models."""

from __future__ import annotations

import warnings
from typing import Any

from kerasx import config
from kerasx.engine import dtypes as _dt
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.layers.node import Node


class InputLayer(Layer):
    """A layer whose output is a symbolic placeholder for a model's input.

    Args:
        shape: the input shape without the batch axis.
        batch_size: an optional fixed batch size.
        dtype: the input dtype (default floatx).
        sparse: kept for Keras compatibility (no sparse tensors here).
        batch_shape: the full shape including the batch axis (instead of shape/batch_size).
        input_tensor: an existing KerasTensor to wrap.
        optional: whether the input may be None.
        name: the layer's name.
    """

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: Any = None,
        ragged: Any = None,
        batch_shape: Any = None,
        input_tensor: Any = None,
        optional: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if "input_shape" in kwargs:
            warnings.warn(
                "Argument `input_shape` is deprecated. Use `shape` instead.", stacklevel=2
            )
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to InputLayer: {kwargs}")
        super().__init__(name=name)
        if shape is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `shape` and `batch_shape` at the same time. Pass only one."
            )
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(
                    "Received an invalid value for `input_tensor`, expected a KerasTensor. "
                    f"Received: input_tensor={input_tensor!r}"
                )
            batch_shape = input_tensor.shape
            dtype = dtype or input_tensor.dtype
        if batch_shape is None:
            if shape is None:
                raise ValueError(
                    "You must pass a `shape` argument (the input shape without the batch axis), "
                    "e.g. `Input(shape=(784,))`."
                )
            if isinstance(shape, int):
                shape = (shape,)
            if not isinstance(shape, (tuple, list)):
                raise ValueError(
                    "Received an invalid value for `shape`, expected a tuple of ints or None. "
                    f"Received: shape={shape!r}"
                )
            batch_shape = (batch_size, *tuple(shape))
        self._batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._dtype = _dt.standardize_dtype(dtype or config.floatx())
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        self.optional = optional
        self.built = True
        tensor = input_tensor or KerasTensor(self._batch_shape, self._dtype, name=self.name)
        self._input_tensor = tensor
        Node(self, (), {}, tensor)

    @property
    def batch_shape(self) -> tuple:
        """The input's full shape (batch axis first)."""
        return self._batch_shape

    @property
    def dtype(self) -> str:
        """The input dtype."""
        return self._dtype

    @property
    def output(self) -> Any:
        return self._input_tensor

    def call(self) -> Any:
        return self._input_tensor

    def get_config(self) -> dict:
        """Keras's InputLayer config."""
        return {
            "batch_shape": self._batch_shape,
            "dtype": self._dtype,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "name": self.name,
            "optional": self.optional,
        }


def Input(
    shape: Any = None,
    batch_size: int | None = None,
    dtype: Any = None,
    sparse: Any = None,
    ragged: Any = None,
    batch_shape: Any = None,
    name: str | None = None,
    tensor: Any = None,
    optional: bool = False,
) -> KerasTensor:
    """Create a symbolic input for a functional model.

    Args:
        shape: the input shape without the batch axis, e.g. ``(784,)``.
        batch_size: an optional fixed batch size.
        dtype: the input dtype (default floatx).
        sparse: kept for Keras compatibility.
        ragged: kept for Keras compatibility.
        batch_shape: the full shape including the batch axis.
        name: the input's name (its InputLayer's name).
        tensor: an existing KerasTensor to wrap.
        optional: whether the input may be None.

    Returns:
        A `KerasTensor` to build the model from.
    """
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        ragged=ragged,
        batch_shape=batch_shape,
        input_tensor=tensor,
        optional=optional,
        name=name,
    )
    return layer.output

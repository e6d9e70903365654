"""`Reshape`: give each sample a new shape (the batch axis is kept)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer


class Reshape(Layer):
    """Reshape every sample to `target_shape`: ``(batch, *a)`` becomes ``(batch, *target)``.

    Args:
        target_shape: the new per-sample shape (batch axis excluded), a tuple of integers;
            at most one entry may be -1, whose size is inferred from the input.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            target = tuple(target_shape)
        except TypeError:
            raise TypeError(
                "Received an invalid value for `target_shape`, expected a tuple of integers. "
                f"Received: target_shape={target_shape!r}"
            ) from None
        if not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and (d >= 0 or d == -1)
            for d in target
        ):
            raise ValueError(
                "Received an invalid value for `target_shape`, expected a tuple of non-negative "
                f"integers (or -1 once). Received: target_shape={target_shape!r}"
            )
        if target.count(-1) > 1:
            raise ValueError(
                "There must be at most one unknown dimension (-1) in `target_shape`. "
                f"Received: target_shape={target}."
            )
        self.target_shape = tuple(int(d) for d in target)
        self.built = True

    def _resolve(self, sample_shape: tuple) -> tuple:
        """`target_shape` with -1 replaced (None when it cannot be known yet)."""
        target = self.target_shape
        known = math.prod(d for d in target if d != -1)
        if any(d is None for d in sample_shape):
            return tuple(None if d == -1 else d for d in target)
        size = math.prod(sample_shape)
        if -1 in target:
            if known == 0 or size % known:
                raise ValueError(
                    "The total size of the tensor must be unchanged, but the input size is not "
                    "divisible by the known dimensions of `target_shape`. Received: "
                    f"input_shape={sample_shape}, target_shape={target}"
                )
            return tuple(size // known if d == -1 else d for d in target)
        if size != known:
            raise ValueError(
                "The total size of the tensor must be unchanged. Received: "
                f"input_shape={sample_shape}, target_shape={target}"
            )
        return target

    def call(self, inputs: Any) -> Any:
        """Return `inputs` reshaped to ``(batch, *target_shape)``."""
        shape = tuple(inputs.shape)
        return ops.reshape(inputs, (shape[0], *self._resolve(shape[1:])))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """``(batch, *target_shape)`` with -1 inferred when the input sizes are known."""
        input_shape = tuple(input_shape)
        return (input_shape[0], *self._resolve(input_shape[1:]))

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """A symbolic tensor of the reshaped shape."""
        return KerasTensor(self.compute_output_shape(inputs.shape), inputs.dtype)

    def get_config(self) -> dict:
        """The base config plus `target_shape`."""
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config

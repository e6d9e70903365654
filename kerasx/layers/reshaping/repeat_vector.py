"""`RepeatVector`: repeat a batch of vectors `n` times along a new axis."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args


class RepeatVector(Layer):
    """Turn ``(batch, features)`` into ``(batch, n, features)`` by repeating each vector.

    Args:
        n: how many times to repeat (a positive int).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not args.is_int(n):
            raise TypeError(
                f"Received an invalid value for `n`, expected an integer. Received: n={n!r} "
                f"(of type {type(n).__name__})"
            )
        if n <= 0:
            raise ValueError(
                f"Received an invalid value for `n`, expected a positive integer. Received: n={n}"
            )
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Repeat each row of `inputs` `n` times along a new axis 1."""
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """``(batch, n, features)``."""
        shape = tuple(input_shape)
        return (shape[0], self.n, shape[1])

    def get_config(self) -> dict:
        """The base config plus n."""
        config = super().get_config()
        config["n"] = self.n
        return config

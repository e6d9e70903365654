"""`Rescaling`: multiply inputs by a scale and add an offset."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.layer import Layer
from kerasx.layers.preprocessing.image._base import is_number


def _check_number_or_list(value: Any, name: str) -> None:
    ok = is_number(value) or (
        isinstance(value, (list, tuple)) and value and all(is_number(v) for v in value)
    )
    if not ok:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a number or a list of numbers "
            f"(one per channel). Received: {name}={value!r}"
        )


class Rescaling(Layer):
    """Compute ``inputs * scale + offset`` in the layer's compute dtype.

    Typical uses: ``Rescaling(1 / 255)`` maps [0, 255] pixels to [0, 1], and
    ``Rescaling(1 / 127.5, offset=-1)`` maps them to [-1, 1]. It works on tensors of any
    rank; integer inputs are cast to the compute dtype first.

    Args:
        scale: a number, or a list of numbers broadcast against the last axis (one per
            channel).
        offset: a number or list of numbers added after scaling.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_number_or_list(scale, "scale")
        _check_number_or_list(offset, "offset")
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Scale and shift `inputs` (cast to the compute dtype)."""
        dtype = self.compute_dtype
        x = ops.cast(inputs, dtype)
        scale = ops.convert_to_tensor(self.scale, dtype=dtype)
        offset = ops.convert_to_tensor(self.offset, dtype=dtype)
        return x * scale + offset

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict:
        """The base config plus scale and offset."""
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config

"""`Masking`: mark timesteps whose features all equal a value as padding."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.layer import Layer


class Masking(Layer):
    """Mask the timesteps of a sequence whose features all equal `mask_value`.

    For an input of shape ``(batch, timesteps, features)`` the mask is
    ``any(inputs != mask_value, axis=-1)``, shape ``(batch, timesteps)``; masked timesteps
    are zeroed in the output, and the mask flows on to layers that support masking
    (e.g. recurrent layers skip those steps).

    Args:
        mask_value: the padding value.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.built = True

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """A boolean tensor of shape ``inputs.shape[:-1]``: True where a step is kept."""
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs: Any) -> Any:
        """Return `inputs` with the masked timesteps set to zero."""
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return ops.multiply(inputs, ops.cast(keep, inputs.dtype))

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict:
        """The base config plus `mask_value`."""
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config

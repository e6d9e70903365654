"""`Flatten`: collapse every axis but the batch axis into one."""

from __future__ import annotations

import math
from typing import Any

from kerasx import config as _config
from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer


class Flatten(Layer):
    """Flatten each sample: ``(batch, d1, d2, ...)`` becomes ``(batch, d1 * d2 * ...)``.

    A 1-D input ``(batch,)`` becomes ``(batch, 1)``. The batch axis is never touched.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global image
            data format). With ``"channels_first"``, inputs of rank 3 or more first move their
            channel axis (axis 1) last, so the flattened order matches a channels-last model.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format is not None and data_format not in ("channels_first", "channels_last"):
            raise ValueError(
                "The `data_format` argument must be one of {'channels_first', "
                f"'channels_last'}}. Received: data_format={data_format}"
            )
        self.data_format = _config.standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Return `inputs` reshaped to ``(batch, -1)``."""
        x = inputs
        rank = len(x.shape)
        if self.data_format == "channels_first" and rank > 2:
            x = ops.transpose(x, (0, *range(2, rank), 1))
        rest = x.shape[1:]
        return ops.reshape(x, (x.shape[0], math.prod(int(d) for d in rest)))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """``(batch, product of the other axes)``; None when one of them is unknown."""
        input_shape = tuple(input_shape)
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """A symbolic tensor of the flattened shape."""
        return KerasTensor(self.compute_output_shape(inputs.shape), inputs.dtype)

    def get_config(self) -> dict:
        """The base config plus `data_format`."""
        config = super().get_config()
        config["data_format"] = self.data_format
        return config

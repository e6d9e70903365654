"""Spatial dropout: drop whole feature maps (channels) instead of single elements."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx import random as _random
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args


class BaseSpatialDropout(Layer):
    """Zero entire channels with probability `rate` while training.

    One keep/drop decision is drawn per (sample, channel) and shared across every spatial
    position, so neighbouring (correlated) activations are dropped together. Kept channels
    are scaled by ``1 / (1 - rate)``. Outside training the layer is the identity.
    Subclasses set `_rank` (the number of spatial axes).

    Args:
        rate: the fraction of channels to drop, a float in [0, 1].
        data_format: "channels_last" or "channels_first" (None: the configured default).
        seed: an int seed for reproducible masks (None: random).
        name: the layer's name.
        dtype: the layer's dtype policy.
    """

    _auto_config = False
    _rank = 1
    supports_masking = True

    def __init__(
        self,
        rate: float,
        data_format: str | None = None,
        seed: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        args.rate(rate)
        args.seed(seed)
        self.rate = rate
        self.seed = seed
        self.data_format = args.data_format(data_format)
        if rate > 0:
            self.seed_generator = _random.SeedGenerator(seed)
        self.input_spec = InputSpec(ndim=self._rank + 2)
        self.built = True

    def _noise_shape(self, shape: tuple) -> tuple:
        ones = (1,) * self._rank
        if self.data_format == "channels_last":
            return (shape[0], *ones, shape[-1])
        return (shape[0], shape[1], *ones)

    def call(self, inputs: Any, training: Any = False) -> Any:
        """Drop whole channels of `inputs` when `training` is true; else return `inputs`."""
        if training and self.rate > 0:
            shape = tuple(ops.shape(inputs))
            return _random.dropout(
                inputs, self.rate, noise_shape=self._noise_shape(shape), seed=self.seed_generator
            )
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def compute_output_spec(self, inputs: Any, training: Any = False) -> KerasTensor:
        """A symbolic tensor like `inputs`."""
        return KerasTensor(inputs.shape, inputs.dtype)

    def get_config(self) -> dict:
        """rate, seed, name, dtype (and data_format for 2D/3D), as Keras writes them."""
        config = {
            "rate": self.rate,
            "seed": self.seed,
            "name": self.name,
            "dtype": self.dtype_policy.name,
        }
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config


class SpatialDropout1D(BaseSpatialDropout):
    """Dropout of whole feature channels of a ``(batch, steps, features)`` input.

    Args:
        rate: the fraction of channels to drop, a float in [0, 1].
        seed: an int seed for reproducible masks (None: random).
        name: the layer's name.
        dtype: the layer's dtype policy.
    """

    _rank = 1

    def __init__(
        self, rate: float, seed: int | None = None, name: str | None = None, dtype: Any = None
    ) -> None:
        super().__init__(rate, "channels_last", seed=seed, name=name, dtype=dtype)


class SpatialDropout2D(BaseSpatialDropout):
    """Dropout of whole feature maps of an image batch.

    Args:
        rate: the fraction of channels to drop, a float in [0, 1].
        data_format: "channels_last" ``(batch, rows, cols, channels)`` or "channels_first"
            ``(batch, channels, rows, cols)``; None uses the configured image data format.
        seed: an int seed for reproducible masks (None: random).
        name: the layer's name.
        dtype: the layer's dtype policy.
    """

    _rank = 2


class SpatialDropout3D(BaseSpatialDropout):
    """Dropout of whole feature volumes of a 5D input.

    Args:
        rate: the fraction of channels to drop, a float in [0, 1].
        data_format: "channels_last" ``(batch, d1, d2, d3, channels)`` or "channels_first"
            ``(batch, channels, d1, d2, d3)``; None uses the configured image data format.
        seed: an int seed for reproducible masks (None: random).
        name: the layer's name.
        dtype: the layer's dtype policy.
    """

    _rank = 3

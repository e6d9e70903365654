"""Noise layers: `GaussianNoise`, `GaussianDropout`, `AlphaDropout` (active only in training)."""

from __future__ import annotations

import math
from typing import Any

from kerasx import ops
from kerasx import random as _random
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args

# The negative saturation value of SELU, ``-scale * alpha``.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_ALPHA_PRIME = -_SELU_SCALE * _SELU_ALPHA


class _NoiseLayer(Layer):
    """Shared plumbing: an optional seed generator, identity outside training."""

    _auto_config = False
    supports_masking = True

    def _init_seed(self, seed: Any, active: bool) -> None:
        args.seed(seed)
        self.seed = seed
        if active:
            self.seed_generator = _random.SeedGenerator(seed)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def compute_output_spec(self, inputs: Any, training: Any = False) -> KerasTensor:
        """A symbolic tensor like `inputs` (noise keeps the shape and dtype)."""
        return KerasTensor(inputs.shape, inputs.dtype)


class GaussianNoise(_NoiseLayer):
    """Add zero-mean Gaussian noise of standard deviation `stddev` while training.

    A regularizer (and a simple data augmentation for real-valued inputs); the identity
    outside training.

    Args:
        stddev: the noise's standard deviation, a float in [0, 1] (Keras's range).
        seed: an int seed for reproducible noise (None: random).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        args.rate(stddev, "stddev")
        self.stddev = stddev
        self._init_seed(seed, stddev > 0)

    def call(self, inputs: Any, training: Any = False) -> Any:
        """``inputs + noise`` when `training` is true; otherwise `inputs`."""
        if training and self.stddev > 0:
            noise = _random.normal(
                ops.shape(inputs),
                mean=0.0,
                stddev=self.stddev,
                dtype=inputs.dtype,
                seed=self.seed_generator,
            )
            return ops.add(inputs, noise)
        return inputs

    def get_config(self) -> dict:
        """The base config plus stddev and seed."""
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


class GaussianDropout(_NoiseLayer):
    """Multiply the input by Gaussian noise of mean 1 while training.

    The noise's standard deviation is ``sqrt(rate / (1 - rate))``, the variance of
    inverted dropout with drop probability `rate`. The identity outside training.

    Args:
        rate: the equivalent drop probability, a float in [0, 1).
        seed: an int seed for reproducible noise (None: random).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        args.rate(rate)
        if rate == 1:
            raise ValueError(
                "Received an invalid value for `rate`: GaussianDropout needs a rate below 1 "
                f"(its noise has standard deviation sqrt(rate / (1 - rate))). Received: "
                f"rate={rate!r}"
            )
        self.rate = rate
        self._init_seed(seed, rate > 0)

    def call(self, inputs: Any, training: Any = False) -> Any:
        """``inputs * noise`` (noise ~ N(1, rate / (1 - rate))) when training; else `inputs`."""
        if training and 0 < self.rate < 1:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            noise = _random.normal(
                ops.shape(inputs),
                mean=1.0,
                stddev=stddev,
                dtype=inputs.dtype,
                seed=self.seed_generator,
            )
            return ops.multiply(inputs, noise)
        return inputs

    def get_config(self) -> dict:
        """The base config plus rate and seed."""
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


class AlphaDropout(_NoiseLayer):
    """Dropout that keeps the mean and variance of its inputs (for SELU networks).

    While training, each element is replaced with probability `rate` by SELU's negative
    saturation value ``-scale * alpha``, then an affine map restores the input's zero mean
    and unit variance. The identity outside training.

    Args:
        rate: the drop probability, a float in [0, 1).
        noise_shape: the shape of the keep/drop mask, broadcast over the input; None entries
            take the input's size.
        seed: an int seed for reproducible masks (None: random).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        args.rate(rate)
        if rate == 1:
            raise ValueError(
                "Received an invalid value for `rate`: AlphaDropout needs a rate below 1 (its "
                f"affine correction divides by 1 - rate). Received: rate={rate!r}"
            )
        if noise_shape is not None:
            dims = tuple(noise_shape) if isinstance(noise_shape, (list, tuple)) else None
            if dims is None or not all(d is None or args.is_int(d) for d in dims):
                raise ValueError(
                    "Received an invalid value for `noise_shape`, expected a tuple of ints or "
                    f"None. Received: noise_shape={noise_shape!r}"
                )
            noise_shape = tuple(None if d is None else int(d) for d in dims)
        self.rate = rate
        self.noise_shape = noise_shape
        self._init_seed(seed, rate > 0)

    def _mask_shape(self, shape: tuple) -> tuple:
        if self.noise_shape is None:
            return shape
        if len(self.noise_shape) != len(shape):
            raise ValueError(
                f"Received an invalid value for `noise_shape` in layer '{self.name}': it must "
                f"have one entry per input axis ({len(shape)}). Received: "
                f"noise_shape={self.noise_shape} for inputs of shape {shape}"
            )
        return tuple(s if n is None else n for n, s in zip(self.noise_shape, shape))

    def call(self, inputs: Any, training: Any = False) -> Any:
        """Alpha-drop elements of `inputs` when `training` is true; otherwise `inputs`."""
        if training and 0 < self.rate < 1:
            rate = self.rate
            shape = self._mask_shape(tuple(ops.shape(inputs)))
            keep = ops.greater_equal(
                _random.uniform(shape, dtype="float32", seed=self.seed_generator), rate
            )
            scale = ((1.0 - rate) * (1.0 + rate * _ALPHA_PRIME**2)) ** -0.5
            shift = -scale * _ALPHA_PRIME * rate
            dropped = ops.where(keep, inputs, ops.cast(_ALPHA_PRIME, inputs.dtype))
            return ops.add(ops.multiply(dropped, scale), shift)
        return inputs

    def get_config(self) -> dict:
        """The base config plus rate, seed and noise_shape."""
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config

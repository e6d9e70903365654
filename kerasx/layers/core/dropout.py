"""`Dropout`: randomly zero inputs during training (inverted dropout)."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import random as _random
from kerasx.layers.layer import Layer


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(
        x, (bool, np.bool_)
    )


class Dropout(Layer):
    """Set each input element to 0 with probability `rate` while training.

    Kept elements are scaled by ``1 / (1 - rate)`` so the expected sum is unchanged. The
    layer is the identity unless it is called with ``training=True`` (which `fit` does).
    Its randomness comes from a `kerasx.random.SeedGenerator` (``self.seed_generator``),
    whose state is part of the layer's non-trainable variables, so a jitted training step
    stays pure and a fixed `seed` gives reproducible masks.

    Args:
        rate: the fraction of inputs to drop, a float in [0, 1].
        noise_shape: the shape of the keep/drop mask, broadcast over the input (e.g.
            ``(batch, 1, features)`` drops the same features at every timestep); None entries
            take the input's size.
        seed: an int seed for reproducible masks (None: random).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        message = (
            "Invalid value received for argument `rate`. Expected a float value between 0 and "
            f"1. Received: rate={rate!r}"
        )
        if not _is_number(rate):
            raise TypeError(message)
        if not 0 <= rate <= 1:
            raise ValueError(message)
        if noise_shape is not None:
            dims = tuple(noise_shape) if isinstance(noise_shape, (list, tuple)) else None
            if dims is None or not all(
                d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool))
                for d in dims
            ):
                raise ValueError(
                    "Invalid value received for argument `noise_shape`. Expected an iterable of "
                    "integers or None (e.g., a tuple or list). "
                    f"Received: noise_shape={noise_shape!r}"
                )
            noise_shape = tuple(None if d is None else int(d) for d in noise_shape)
        if seed is not None and (
            not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_))
        ):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self.rate = rate
        self.seed = seed
        self.noise_shape = noise_shape
        if rate > 0:
            self.seed_generator = _random.SeedGenerator(seed)
        self.built = True

    def call(self, inputs: Any, training: Any = False) -> Any:
        """Drop elements when `training` is true; otherwise return `inputs`.

        Args:
            inputs: any tensor.
            training: whether the layer runs in training mode (a Python bool).

        Returns:
            A tensor of the shape and dtype of `inputs`.
        """
        if training and self.rate > 0:
            return _random.dropout(
                inputs, self.rate, noise_shape=self.noise_shape, seed=self.seed_generator
            )
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict:
        """The base config plus rate, seed and noise_shape."""
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config

"""Policies built from other augmentation layers: `RandAugment` and `AugMix`.

Both pick operations at random with `ops.switch` (jit-friendly: one branch runs). Their
inner layers draw from one `SeedStream` refreshed from the policy's own generator on every
call, so the policy holds a single seed state.
"""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx import random as _random
from kerasx.layers.preprocessing.image._base import (
    WARP_INTERPOLATIONS,
    BaseImageLayer,
    SeedStream,
    check_choice,
    factor_pair,
    is_number,
    positive_int,
    value_range_pair,
)
from kerasx.layers.preprocessing.image.color import (
    RandomColorDegeneration,
    RandomPosterization,
    RandomSharpness,
)
from kerasx.layers.preprocessing.image.color_basic import RandomBrightness, RandomContrast
from kerasx.layers.preprocessing.image.geometric import (
    RandomRotation,
    RandomShear,
    RandomTranslation,
)
from kerasx.layers.preprocessing.image.histogram import AutoContrast, Equalization, Solarization


def _operations(
    magnitude: float, value_range: tuple, interpolation: str, data_format: str, color: bool
) -> list:
    """The inner layers of the policies, each at strength `magnitude` in [0, 1]."""
    m = float(magnitude)
    common = {"data_format": data_format}
    warp = {"interpolation": interpolation, "fill_mode": "constant", **common}
    ops_list = [
        RandomShear(x_factor=m, y_factor=0.0, **warp),
        RandomShear(x_factor=0.0, y_factor=m, **warp),
        RandomTranslation(m / 2, 0.0, **warp),
        RandomTranslation(0.0, m / 2, **warp),
        RandomRotation(m / 4, **warp),
        AutoContrast(value_range=value_range, **common),
        Equalization(value_range=value_range, **common),
        RandomPosterization((max(1, 8 - int(round(4 * m))), 8), value_range=value_range, **common),
        Solarization(threshold_factor=(1.0 - m, 1.0), value_range=value_range, **common),
    ]
    if color:
        ops_list += [
            RandomBrightness(m, value_range=value_range, **common),
            RandomColorDegeneration(m, value_range=value_range, **common),
            RandomContrast(m, value_range=value_range, **common),
            RandomSharpness(m, value_range=value_range, **common),
        ]
    return ops_list


class _PolicyLayer(BaseImageLayer):
    """Shared set-up of the policy layers."""

    _cast_at_inference = True

    def _build_ops(self, magnitude: float, color: bool) -> None:
        self._stream = SeedStream()
        self._ops = _operations(
            magnitude, self.value_range, self.interpolation, self.data_format, color
        )
        for layer in self._ops:
            layer.generator = self._stream
            layer.seed = None

    def _apply_random_op(self, images: Any) -> Any:
        """One randomly chosen operation, applied to the whole batch."""
        index = _random.randint((), 0, len(self._ops), seed=self._seed())
        branches = [
            (lambda x, layer=layer: ops.cast(layer._transform(x, True), x.dtype))
            for layer in self._ops
        ]
        return ops.switch(index, branches, images)


class RandAugment(_PolicyLayer):
    """Apply `num_ops` randomly chosen augmentations to each batch (RandAugment).

    The operations are shears, translations, a rotation, auto-contrast, equalization,
    posterization, solarization, brightness, colour degeneration, contrast and sharpness,
    at a strength set by `factor`'s upper bound; one operation is chosen per step for the
    whole batch (its own random parameters still vary per image).

    Args:
        value_range: the ``(low, high)`` range of the pixel values.
        num_ops: how many operations to chain.
        factor: a number ``f`` in [0, 1] (``(0, f)``) or a pair: the strength.
        interpolation: "bilinear" or "nearest" (for the geometric operations).
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        value_range: Any = (0, 255),
        num_ops: int = 2,
        factor: Any = 0.5,
        interpolation: str = "bilinear",
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range_pair(value_range)
        self._value_range_cfg = value_range
        self.num_ops = positive_int(num_ops, "num_ops")
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        check_choice(interpolation, "interpolation", WARP_INTERPOLATIONS)
        self.interpolation = interpolation
        self._make_seed_generator(seed)
        self._build_ops(self.factor[1], color=True)

    def _transform(self, images: Any, training: bool) -> Any:
        self._stream.reset(_random.draw_seed(self.generator))
        out = images
        for _ in range(self.num_ops):
            out = self._apply_random_op(out)
        return ops.clip(out, *self.value_range)

    def get_config(self) -> dict:
        """The base config plus the constructor arguments."""
        return {
            **super().get_config(),
            "value_range": self._value_range_cfg,
            "num_ops": self.num_ops,
            "factor": self.factor,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }


class AugMix(_PolicyLayer):
    """Mix several chains of random augmentations with the original image (AugMix).

    Each of `num_chains` chains applies `chain_depth` randomly chosen operations (as
    `RandAugment`'s; without the colour ones when ``all_ops=False``). The chains are
    averaged with Dirichlet(alpha) weights drawn per image, and the result is blended with
    the original image with a Beta(alpha, alpha) weight drawn per image.

    Args:
        value_range: the ``(low, high)`` range of the pixel values.
        num_chains: how many augmentation chains to mix.
        chain_depth: how many operations each chain applies.
        factor: a number ``f`` in [0, 1] (``(0, f)``) or a pair: the strength.
        alpha: the Dirichlet and Beta parameter (> 0).
        all_ops: include brightness, colour, contrast and sharpness operations.
        interpolation: "bilinear" or "nearest".
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        value_range: Any = (0, 255),
        num_chains: int = 3,
        chain_depth: int = 3,
        factor: Any = 0.3,
        alpha: float = 1.0,
        all_ops: bool = True,
        interpolation: str = "bilinear",
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range_pair(value_range)
        self._value_range_cfg = value_range
        self.num_chains = positive_int(num_chains, "num_chains")
        self.chain_depth = positive_int(chain_depth, "chain_depth")
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        if not is_number(alpha) or alpha <= 0:
            raise ValueError(
                "Received an invalid value for `alpha`, expected a positive number. "
                f"Received: alpha={alpha!r}"
            )
        self.alpha = alpha
        self.all_ops = bool(all_ops)
        check_choice(interpolation, "interpolation", WARP_INTERPOLATIONS)
        self.interpolation = interpolation
        self._make_seed_generator(seed)
        self._build_ops(self.factor[1], color=self.all_ops)

    def _transform(self, images: Any, training: bool) -> Any:
        self._stream.reset(_random.draw_seed(self.generator))
        batch = images.shape[0]
        dtype = self.compute_dtype
        weights = _random.gamma(
            (batch, self.num_chains), self.alpha, dtype=dtype, seed=self._seed()
        )
        weights = weights / ops.sum(weights, axis=1, keepdims=True)
        a = _random.gamma((batch,), self.alpha, dtype=dtype, seed=self._seed())
        b = _random.gamma((batch,), self.alpha, dtype=dtype, seed=self._seed())
        mix = self._bcast(a / (a + b))
        mixed = ops.zeros_like(images)
        for i in range(self.num_chains):
            chain = images
            for _ in range(self.chain_depth):
                chain = self._apply_random_op(chain)
            mixed = mixed + self._bcast(weights[:, i]) * chain
        out = mix * images + (1.0 - mix) * mixed
        return ops.clip(out, *self.value_range)

    def get_config(self) -> dict:
        """The base config plus the constructor arguments."""
        return {
            **super().get_config(),
            "value_range": self._value_range_cfg,
            "num_chains": self.num_chains,
            "chain_depth": self.chain_depth,
            "factor": self.factor,
            "alpha": self.alpha,
            "all_ops": self.all_ops,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }

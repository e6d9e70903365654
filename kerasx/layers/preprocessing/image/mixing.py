"""Batch-mixing augmentations: `MixUp` and `CutMix` (images only; labels are not mixed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import ops
from kerasx import random as _random
from kerasx.layers.preprocessing.image._base import BaseImageLayer, factor_pair, is_number


def _log_gamma(shape: tuple, alpha: Any, layer: Any) -> Any:
    """The logarithm of Gamma(alpha) draws, finite for any alpha > 0: a Gamma(alpha) draw is a
    Gamma(alpha + 1) draw times U ** (1 / alpha) with U uniform on (0, 1), whose logarithm
    stays in range where the draw itself underflows to 0 (alpha near 0, as CutMix samples)."""
    g = _random.gamma(shape, alpha + 1.0, dtype="float32", seed=layer._seed())
    tiny = float(np.finfo(np.float32).tiny)
    u = _random.uniform(shape, minval=tiny, maxval=1.0, dtype="float32", seed=layer._seed())
    return ops.log(g) + ops.log(u) / alpha


def _beta(shape: tuple, alpha: Any, dtype: str, layer: Any) -> Any:
    """Beta(alpha, alpha) draws, A / (A + B) for two Gamma(alpha) draws (seeded by `layer`),
    computed as sigmoid(log A - log B): in [0, 1] even where both draws underflow (0 / 0)."""
    alpha = ops.cast(alpha, "float32")  # drawn in float32 (also under float16 policies)
    a = _log_gamma(shape, alpha, layer)
    b = _log_gamma(shape, alpha, layer)
    return ops.cast(ops.sigmoid(a - b), dtype)


def _permute(images: Any, seed: Any) -> Any:
    """The batch in a random order (each image gets a random partner)."""
    order = _random.shuffle(ops.arange(images.shape[0]), seed=seed)
    return ops.take(images, order, axis=0)


class MixUp(BaseImageLayer):
    """Blend each image with another image of the batch while training (MixUp).

    Each image becomes ``lam * x + (1 - lam) * x_other`` with ``lam`` drawn per image from
    Beta(alpha, alpha) and ``x_other`` a random image of the same batch. Labels are not
    handled (Keras also mixes the labels of dict inputs; kerasx takes images only).

    Args:
        alpha: the Beta distribution's parameter (> 0); small values keep images mostly
            intact.
        data_format: "channels_last" or "channels_first" (None: the global setting).
        seed: an int seed (None: random).
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        alpha: float = 0.2,
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if not is_number(alpha) or alpha <= 0:
            raise ValueError(
                "Received an invalid value for `alpha`, expected a positive number. "
                f"Received: alpha={alpha!r}"
            )
        self.alpha = alpha
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        lam = self._bcast(_beta((images.shape[0],), self.alpha, self.compute_dtype, self))
        other = _permute(images, self._seed())
        return lam * images + (1.0 - lam) * other

    def get_config(self) -> dict:
        """The base config plus alpha and seed."""
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}


class CutMix(BaseImageLayer):
    """Paste a random rectangle of another image of the batch into each image (CutMix).

    Per image, ``lam`` is drawn from Beta(f, f) with ``f`` drawn from `factor`; a box of
    ``sqrt(1 - lam)`` times the image's height and width, centred at a random pixel and
    clipped to the image, is copied from a random partner image of the batch. Labels are
    not handled (images only).

    Args:
        factor: a number ``f`` in [0, 1] (``(0, f)``) or a pair: the Beta parameter range.
        seed: an int seed (None: random).
        data_format: "channels_last" or "channels_first" (None: the global setting).
        **kwargs: base `Layer` arguments.
    """

    _cast_at_inference = True

    def __init__(
        self,
        factor: Any = 1.0,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", 0, 1, scalar="positive")
        self._make_seed_generator(seed)

    def _transform(self, images: Any, training: bool) -> Any:
        batch = images.shape[0]
        h, w = self._hw(tuple(images.shape))
        dtype = self.compute_dtype
        f = self._uniform((batch,), *self.factor)
        f = ops.maximum(f, 1e-3)  # a Beta parameter must be positive
        lam = _beta((batch,), f, dtype, self)
        ratio = ops.sqrt(1.0 - lam)
        cut_h = ops.floor(ratio * h)
        cut_w = ops.floor(ratio * w)
        cy = ops.floor(self._uniform((batch,), 0.0, float(h)))
        cx = ops.floor(self._uniform((batch,), 0.0, float(w)))
        y0 = ops.clip(cy - ops.floor(cut_h / 2), 0, h)
        y1 = ops.clip(cy + ops.floor(cut_h / 2), 0, h)
        x0 = ops.clip(cx - ops.floor(cut_w / 2), 0, w)
        x1 = ops.clip(cx + ops.floor(cut_w / 2), 0, w)
        rows = ops.reshape(ops.arange(h, dtype=dtype), (1, h, 1))
        cols = ops.reshape(ops.arange(w, dtype=dtype), (1, 1, w))

        def col(v: Any) -> Any:
            return ops.reshape(v, (-1, 1, 1))

        inside = (
            ops.greater_equal(rows, col(y0))
            & ops.less(rows, col(y1))
            & ops.greater_equal(cols, col(x0))
            & ops.less(cols, col(x1))
        )
        inside = ops.expand_dims(inside, -1 if self.data_format == "channels_last" else 1)
        return ops.where(inside, _permute(images, self._seed()), images)

    def get_config(self) -> dict:
        """The base config plus factor and seed."""
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}

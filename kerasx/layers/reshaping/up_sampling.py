"""Upsampling layers: repeat (or interpolate) the input along its spatial axes."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.pooling import _arguments as args
from kerasx.layers.reshaping._spatial import SpatialLayer

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


class _BaseUpSampling(SpatialLayer):
    _factors: tuple

    def _spatial_out(self, sizes: tuple) -> tuple:
        return tuple(None if s is None else s * f for s, f in zip(sizes, self._factors))

    def call(self, inputs: Any) -> Any:
        """Repeat every spatial position of `inputs` by the size factors."""
        first = self._first_axis()
        x = inputs
        for i, factor in enumerate(self._factors):
            if factor != 1:
                x = ops.repeat(x, factor, axis=first + i)
        return x


class UpSampling1D(_BaseUpSampling):
    """Repeat each step of a ``(batch, steps, features)`` input `size` times.

    Args:
        size: the repetition factor (a positive int).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _rank = 1

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not args.is_int(size):
            raise TypeError(
                "Received an invalid value for `size`, expected a positive integer. "
                f"Received: size={size!r} (of type {type(size).__name__})"
            )
        if size <= 0:
            raise ValueError(
                "Received an invalid value for `size`, expected a positive integer. "
                f"Received: size={size}"
            )
        self.size = int(size)
        self._factors = (self.size,)
        self.data_format = "channels_last"
        self._init_spatial()

    def get_config(self) -> dict:
        """The base config plus size."""
        config = super().get_config()
        config["size"] = self.size
        return config


class UpSampling2D(_BaseUpSampling):
    """Upsample an image batch by integer factors along rows and columns.

    With ``interpolation="nearest"`` each pixel is repeated; the other methods resize the
    image to ``(rows * size[0], cols * size[1])`` with `kerasx.ops.image.resize`.

    Args:
        size: the factors, an int or ``(rows, cols)``.
        data_format: "channels_last" ``(batch, rows, cols, channels)`` or "channels_first"
            ``(batch, channels, rows, cols)``; None uses the configured image data format.
        interpolation: "nearest", "bilinear", "bicubic", "lanczos3" or "lanczos5".
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _rank = 2

    def __init__(
        self,
        size: Any = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.size = args.int_tuple(size, 2, "size")
        self._factors = self.size
        self.data_format = args.data_format(data_format)
        method = interpolation.lower() if isinstance(interpolation, str) else None
        if method not in _INTERPOLATIONS:
            raise ValueError(
                f"Received an invalid value for `interpolation`, expected one of "
                f"{_INTERPOLATIONS}. Received: interpolation={interpolation!r}"
            )
        self.interpolation = method
        self._method = method
        self._init_spatial()

    def call(self, inputs: Any) -> Any:
        """Upsample `inputs` by `size` with the chosen interpolation."""
        if self._method == "nearest":
            return super().call(inputs)
        first = self._first_axis()
        rows, cols = tuple(inputs.shape)[first : first + 2]
        return ops.image.resize(
            inputs,
            (rows * self.size[0], cols * self.size[1]),
            interpolation=self._method,
            data_format=self.data_format,
        )

    def get_config(self) -> dict:
        """The base config plus size, data_format and interpolation."""
        config = super().get_config()
        config.update(
            {
                "size": self.size,
                "data_format": self.data_format,
                "interpolation": self.interpolation,
            }
        )
        return config


class UpSampling3D(_BaseUpSampling):
    """Repeat each voxel of a volume batch by integer factors along the three spatial axes.

    Args:
        size: the factors, an int or ``(d1, d2, d3)``.
        data_format: "channels_last" ``(batch, d1, d2, d3, channels)`` or "channels_first"
            ``(batch, channels, d1, d2, d3)``; None uses the configured image data format.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.size = args.int_tuple(size, 3, "size")
        self._factors = self.size
        self.data_format = args.data_format(data_format)
        self._init_spatial()

    def get_config(self) -> dict:
        """The base config plus size and data_format."""
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config

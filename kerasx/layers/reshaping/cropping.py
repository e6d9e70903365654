"""Cropping layers: remove rows, columns or depth slices at the borders of the input."""

from __future__ import annotations

from typing import Any

from kerasx.layers.pooling import _arguments as args
from kerasx.layers.reshaping._spatial import SpatialLayer


class _BaseCropping(SpatialLayer):
    cropping: tuple

    def _spatial_out(self, sizes: tuple) -> tuple:
        out = []
        for size, (before, after) in zip(sizes, self.cropping):
            if size is None:
                out.append(None)
            elif before + after >= size:
                raise ValueError(
                    f"Received an invalid value for `cropping` in layer '{self.name}' "
                    f"({type(self).__name__}): the amount cropped from each spatial axis must "
                    f"be smaller than its size, so at least one position is left. Received: "
                    f"cropping={self.cropping} for spatial sizes {tuple(sizes)}"
                )
            else:
                out.append(size - before - after)
        return tuple(out)

    def call(self, inputs: Any) -> Any:
        """Slice the cropped borders off `inputs`."""
        shape = tuple(inputs.shape)
        first = self._first_axis()
        self.compute_output_shape(shape)  # validates the cropping against the sizes
        key = [slice(None)] * len(shape)
        for i, (before, after) in enumerate(self.cropping):
            key[first + i] = slice(before, shape[first + i] - after)
        return inputs[tuple(key)]

    def get_config(self) -> dict:
        """The base config plus cropping (and data_format for 2D/3D)."""
        config = super().get_config()
        config["cropping"] = self._config_cropping()
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config

    def _config_cropping(self) -> tuple:
        return self.cropping


class Cropping1D(_BaseCropping):
    """Crop steps at the start and end of a ``(batch, steps, features)`` input.

    Args:
        cropping: an int (the same at both ends) or ``(start, end)``: how many steps to
            remove at each end.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cropping = (args.int_tuple(cropping, 2, "cropping", minimum=0),)
        self.data_format = "channels_last"
        self._init_spatial()

    def _config_cropping(self) -> tuple:
        return self.cropping[0]


class Cropping2D(_BaseCropping):
    """Crop rows and columns at the borders of an image batch.

    Args:
        cropping: an int (every border), ``(rows, cols)`` (symmetric per axis) or
            ``((top, bottom), (left, right))``.
        data_format: "channels_last" ``(batch, rows, cols, channels)`` or "channels_first"
            ``(batch, channels, rows, cols)``; None uses the configured image data format.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _rank = 2

    def __init__(
        self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.cropping = args.pair_tuple(cropping, 2, "cropping")
        self.data_format = args.data_format(data_format)
        self._init_spatial()


class Cropping3D(_BaseCropping):
    """Crop the borders of the three spatial axes of a volume batch.

    Args:
        cropping: an int (every border), ``(d1, d2, d3)`` (symmetric per axis) or
            ``((d1_start, d1_end), (d2_start, d2_end), (d3_start, d3_end))``.
        data_format: "channels_last" ``(batch, d1, d2, d3, channels)`` or "channels_first"
            ``(batch, channels, d1, d2, d3)``; None uses the configured image data format.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _rank = 3

    def __init__(
        self,
        cropping: Any = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cropping = args.pair_tuple(cropping, 3, "cropping")
        self.data_format = args.data_format(data_format)
        self._init_spatial()

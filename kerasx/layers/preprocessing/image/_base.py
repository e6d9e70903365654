"""Shared machinery of the image preprocessing layers.

`BaseImageLayer` turns a single image (3-D) into a batch of one and back, resolves
`data_format`, answers symbolic calls without running the (random) computation, and writes
the common part of the config. Subclasses implement `_transform(images, training)` on a
4-D batch, and say how the output shape and dtype follow from the input's.

The helpers below validate the constructor arguments the way every layer of this family
needs (factor ranges, value ranges, choices), with errors that name the argument.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx import config as _config
from kerasx import ops
from kerasx import random as _random
from kerasx.engine import dtypes as _dt
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
WARP_INTERPOLATIONS = ("nearest", "bilinear")


class UnknownChoiceError(ValueError, NotImplementedError):
    """An argument outside its allowed set of strings.

    It is a `ValueError` (an invalid argument) and, for code written against Keras, which
    raises `NotImplementedError` for unknown fill modes and interpolations, also that.
    """


def is_number(x: Any) -> bool:
    """True for a real Python/NumPy number (booleans excluded)."""
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(
        x, (bool, np.bool_)
    )


def check_choice(value: Any, name: str, choices: tuple) -> None:
    """Raise `UnknownChoiceError` unless `value` is one of `choices`."""
    if value not in choices:
        raise UnknownChoiceError(
            f"Received an invalid value for `{name}`, expected one of {choices}. "
            f"Received: {name}={value!r}"
        )


def check_seed(seed: Any) -> None:
    """Raise unless `seed` is None or a non-negative int."""
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
        raise ValueError(
            f"Received an invalid value for `seed`, expected an int or None. "
            f"Received: seed={seed!r}"
        )


def standardize_data_format(data_format: Any) -> str:
    """`data_format`, or the global image data format when it is None."""
    if data_format is None:
        return _config.image_data_format()
    fmt = str(data_format).lower() if isinstance(data_format, str) else data_format
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format}"
        )
    return fmt


def factor_pair(
    factor: Any,
    name: str,
    low: float,
    high: float,
    scalar: str = "symmetric",
    low_open: bool = False,
) -> tuple[float, float]:
    """Read a factor given as a number or a pair of numbers into ``(lower, upper)``.

    Args:
        factor: the user's value.
        name: the argument's name (for errors).
        low: the smallest allowed value.
        high: the largest allowed value.
        scalar: how a single number ``f`` is read: "symmetric" -> ``(-f, f)``,
            "positive" -> ``(0, f)``, "same" -> ``(f, f)``.
        low_open: whether `low` itself is excluded.

    Returns:
        The two bounds.
    """
    bad = (
        f"The `{name}` argument should be a number (or a list of two numbers) in the range "
        f"{'(' if low_open else '['}{low}, {high}]. Received: {name}={factor!r}"
    )
    if is_number(factor):
        f = factor
        if scalar == "symmetric":
            pair = (-f, f)
        elif scalar == "positive":
            pair = (0, f)
        else:
            pair = (f, f)
        values = (f,)
    elif (
        isinstance(factor, (list, tuple)) and len(factor) == 2 and all(is_number(v) for v in factor)
    ):
        pair = (factor[0], factor[1])
        values = pair
        if scalar == "symmetric" and low == 0:
            # a config written from a single number holds (-f, f)
            low = -high
    else:
        raise ValueError(bad)
    for v in values:
        if v > high or v < low or (low_open and v == low):
            raise ValueError(bad)
    if pair[0] > pair[1]:
        raise ValueError(
            f"The `{name}` argument's lower bound must not exceed its upper bound. "
            f"Received: {name}={factor!r}"
        )
    return pair


def value_range_pair(value_range: Any) -> tuple[float, float]:
    """Check a ``(low, high)`` pixel value range."""
    if (
        not isinstance(value_range, (list, tuple))
        or len(value_range) != 2
        or not all(is_number(v) for v in value_range)
    ):
        raise ValueError(
            "The `value_range` argument should be a list of two numbers. "
            f"Received: value_range={value_range!r}"
        )
    if value_range[0] > value_range[1]:
        raise ValueError(
            "The `value_range` argument's first value must not exceed its second. "
            f"Received: value_range={value_range!r}"
        )
    return (value_range[0], value_range[1])


def positive_int(value: Any, name: str) -> int:
    """Check a positive integer argument."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive integer. "
            f"Received: {name}={value!r}"
        )
    return int(value)


class BaseImageLayer(Layer):
    """Base of the image preprocessing layers (not public).

    Args:
        data_format: "channels_last" (``(batch, height, width, channels)``) or
            "channels_first"; None uses `kerasx.config.image_data_format()`.
        **kwargs: base `Layer` arguments.
    """

    _auto_config = False
    # Whether a call with `training=False` returns the inputs untouched (Keras does this
    # for most random layers: no cast either). When False, `_transform` always runs.
    _identity_at_inference = True
    # Whether such an identity still casts to the compute dtype (Keras does for some layers).
    _cast_at_inference = False
    # Whether integer inputs keep their dtype (else the output is in the compute dtype).
    _keeps_int_dtype = False

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.built = True

    # ------------------------------------------------------------------ geometry

    @property
    def _h_axis(self) -> int:
        return -3 if self.data_format == "channels_last" else -2

    @property
    def _w_axis(self) -> int:
        return -2 if self.data_format == "channels_last" else -1

    @property
    def _c_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else -3

    def _hw(self, shape: tuple) -> tuple:
        return shape[self._h_axis], shape[self._w_axis]

    # ------------------------------------------------------------------ calling

    def _make_seed_generator(self, seed: Any) -> None:
        check_seed(seed)
        self.seed = seed
        self.generator = _random.SeedGenerator(seed)

    def _check_rank(self, shape: tuple) -> None:
        if len(shape) not in (3, 4):
            raise ValueError(
                f"{type(self).__name__} expects images of rank 3 (one image) or 4 (a batch). "
                f"Received: inputs.shape={tuple(shape)}"
            )

    def call(self, inputs: Any, training: Any = True) -> Any:
        """Apply the layer to a batch of images or one image.

        Args:
            inputs: a 4-D batch or a 3-D single image.
            training: whether random augmentation applies (Keras's default is True when the
                layer is called directly; `fit` passes True and `predict` False).

        Returns:
            The processed images.
        """
        x = ops.convert_to_tensor(inputs) if not hasattr(inputs, "shape") else inputs
        shape = tuple(x.shape)
        self._check_rank(shape)
        if not training and self._identity_at_inference:
            return ops.cast(x, self._output_dtype(x.dtype, training))
        if not self._keeps_int_dtype or _dt.is_float_dtype(_dt.standardize_dtype(x.dtype)):
            x = ops.cast(x, self.compute_dtype)
        unbatched = len(shape) == 3
        if unbatched:
            x = ops.expand_dims(x, 0)
        y = self._transform(x, bool(training))
        if unbatched:
            y = ops.squeeze(y, 0)
        return y

    def _transform(self, images: Any, training: bool) -> Any:
        raise NotImplementedError

    def _output_dtype(self, dtype: str, training: Any) -> str:
        dtype = _dt.standardize_dtype(dtype)
        if not training and self._identity_at_inference and not self._cast_at_inference:
            return dtype
        if self._keeps_int_dtype and not _dt.is_float_dtype(dtype):
            return dtype
        return self.compute_dtype

    def compute_output_spec(self, inputs: Any, training: Any = True) -> Any:
        """A KerasTensor of the output shape and dtype (nothing is computed)."""
        self._check_rank(tuple(inputs.shape))
        shape = self.compute_output_shape(tuple(inputs.shape))
        if not training and self._identity_at_inference:
            shape = tuple(inputs.shape)
        return KerasTensor(shape, self._output_dtype(inputs.dtype, training))

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for an input of `input_shape` (the same by default)."""
        return tuple(input_shape)

    def get_config(self) -> dict:
        """The base config plus `data_format`."""
        config = super().get_config()
        config["data_format"] = self.data_format
        return config

    # ------------------------------------------------------------------ helpers

    def _seed(self) -> Any:
        """The seed for the next random draw (the generator, or a derived seed tensor)."""
        gen = self.generator
        return gen.next() if isinstance(gen, SeedStream) else gen

    def _uniform(self, shape: tuple, low: Any, high: Any) -> Any:
        """Uniform draws in ``[low, high)`` (exactly `low` when the range is empty)."""
        if low == high:
            return ops.full(shape, low, dtype=self.compute_dtype)
        return _random.uniform(shape, low, high, dtype=self.compute_dtype, seed=self._seed())

    def _normalize(self, images: Any) -> Any:
        """Map `value_range` to [0, 1]."""
        low, high = self.value_range
        if (low, high) == (0, 1):
            return images
        return (images - low) / (high - low)

    def _denormalize(self, images: Any) -> Any:
        """Map [0, 1] back to `value_range`."""
        low, high = self.value_range
        if (low, high) == (0, 1):
            return images
        return images * (high - low) + low

    def _bernoulli(self, batch: int, probability: Any) -> Any:
        """A (batch,) boolean tensor, each True with `probability`."""
        return ops.less(self._uniform((batch,), 0.0, 1.0), probability)

    def _bcast(self, per_sample: Any) -> Any:
        """Reshape a (batch,) tensor to broadcast over a 4-D image batch."""
        return ops.reshape(per_sample, (-1, 1, 1, 1))


class SeedStream:
    """Distinct seeds derived from one base seed tensor, without touching any variable.

    Composite layers (RandAugment, AugMix) draw one base seed from their generator and give
    their inner layers a stream, so inner draws can run inside `ops.switch` branches.
    """

    def __init__(self) -> None:
        self.base: Any = None
        self.count = 0

    def reset(self, base: Any) -> None:
        """Start a new stream from `base` (a uint32 tensor of shape (2,))."""
        self.base = base
        self.count = 0

    def next(self) -> Any:
        """The next seed: the base with its second word moved on."""
        self.count += 1
        step = ops.convert_to_tensor([0, 7919 * self.count], dtype="uint32")
        return self.base + step


def rotation_matrix(angle: Any, h: int, w: int) -> Any:
    """Affine coefficients (batch, 8) of a rotation by `angle` radians about the centre."""
    c, s = ops.cos(angle), ops.sin(angle)
    x_off = ((w - 1) - (c * (w - 1) - s * (h - 1))) / 2.0
    y_off = ((h - 1) - (s * (w - 1) + c * (h - 1))) / 2.0
    zero = ops.zeros_like(c)
    return ops.stack([c, -s, x_off, s, c, y_off, zero, zero], axis=1)


def blend(a: Any, b: Any, factor: Any) -> Any:
    """``a + factor * (b - a)``: 0 gives `a`, 1 gives `b`."""
    return a + factor * (b - a)


def to_channels_last(images: Any, data_format: str) -> Any:
    """A 4-D batch in channels_last layout."""
    if data_format == "channels_first":
        return ops.transpose(images, (0, 2, 3, 1))
    return images


def from_channels_last(images: Any, data_format: str) -> Any:
    """Back to `data_format` from channels_last."""
    if data_format == "channels_first":
        return ops.transpose(images, (0, 3, 1, 2))
    return images


def two_pi() -> float:
    """2 pi (for factors given as fractions of a full turn)."""
    return 2.0 * math.pi

"""kerasx.initializers: weight initializers (the ``keras.initializers`` surface).

``initializer(shape, dtype=None)`` returns a tensor of the active engine. As in Keras, an
instance built with an int seed (or with no seed: one is drawn once at construction) returns
the same values on every call; one built with a `SeedGenerator` advances it each call.
"""

from __future__ import annotations

import math
import random as _py_random
from typing import Any

import numpy as np

from kerasx import config as _config
from kerasx import ops
from kerasx import random as _random
from kerasx.saving import serialization as _ser


def _dtype(dtype: Any) -> Any:
    return _config.floatx() if dtype is None else dtype


class Initializer:
    """Base class: a callable ``tensor = initializer(shape, dtype=None)`` with a config."""

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__call__(shape, dtype=None)`: subclasses of "
            "Initializer return a tensor of the given shape and dtype."
        )

    def get_config(self) -> dict:
        """The constructor arguments as a dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        """Build an instance from `get_config`'s output."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new instance with the same config."""
        return self.__class__.from_config(self.get_config())


class Constant(Initializer):
    """Fill with `value`.

    Args:
        value: a number (or anything broadcastable to the requested shape).
    """

    def __init__(self, value: Any = 0.0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        dtype = _dtype(dtype)
        return ops.multiply(ops.cast(self.value, dtype), ops.ones(shape, dtype=dtype))

    def get_config(self) -> dict:
        return {"value": self.value}


class Zeros(Initializer):
    """Fill with zeros."""

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return ops.zeros(shape, dtype=_dtype(dtype))


class Ones(Initializer):
    """Fill with ones."""

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return ops.ones(shape, dtype=_dtype(dtype))


class Identity(Initializer):
    """``gain * eye`` for a 2D shape.

    Args:
        gain: the diagonal value.
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        if len(shape) != 2:
            raise ValueError(
                "Identity initializer expects a 2D `shape`. Received: "
                f"shape={tuple(shape)} of rank {len(shape)}"
            )
        dtype = _dtype(dtype)
        return ops.multiply(ops.cast(self.gain, dtype), ops.eye(*shape, dtype=dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


class _Seeded(Initializer):
    def __init__(self, seed: Any = None) -> None:
        if seed is not None and not isinstance(seed, (int, _random.SeedGenerator)):
            raise ValueError(
                "Received an invalid value for `seed`, expected an int, a "
                f"`kerasx.random.SeedGenerator` or None. Received: seed={seed!r}"
            )
        self._init_seed = seed
        self.seed = _py_random.randint(1, int(1e9)) if seed is None else seed

    def _seed_config(self) -> Any:
        s = self._init_seed
        return _ser.serialize_keras_object(s) if isinstance(s, _random.SeedGenerator) else s


class RandomNormal(_Seeded):
    """Normal draws with `mean` and `stddev`.

    Args:
        mean: the mean.
        stddev: the standard deviation.
        seed: an int, a `SeedGenerator`, or None.
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return _random.normal(shape, self.mean, self.stddev, dtype=_dtype(dtype), seed=self.seed)

    def get_config(self) -> dict:
        return {"seed": self._seed_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """Normal draws with `mean` and `stddev`, redrawn beyond two standard deviations.

    Args:
        mean: the mean.
        stddev: the standard deviation (before truncation).
        seed: an int, a `SeedGenerator`, or None.
    """

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return _random.truncated_normal(
            shape, self.mean, self.stddev, dtype=_dtype(dtype), seed=self.seed
        )


class RandomUniform(_Seeded):
    """Uniform draws in ``[minval, maxval)``.

    Args:
        minval: the lower bound.
        maxval: the upper bound.
        seed: an int, a `SeedGenerator`, or None.
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None) -> None:
        self.minval, self.maxval = minval, maxval
        super().__init__(seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return _random.uniform(shape, self.minval, self.maxval, dtype=_dtype(dtype), seed=self.seed)

    def get_config(self) -> dict:
        return {"seed": self._seed_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape: Any, input_axes: Any = None, output_axes: Any = None) -> tuple:
    """Fan-in and fan-out of a weight shape (Keras's convention).

    Args:
        shape: the weight shape.
        input_axes: optional axes whose sizes multiply to the fan-in (with `output_axes`).
        output_axes: optional axes whose sizes multiply to the fan-out.

    Returns:
        ``(fan_in, fan_out)`` as ints.
    """
    shape = tuple(int(d) for d in shape)
    if input_axes is not None and output_axes is not None:
        return (
            math.prod(shape[a] for a in input_axes),
            math.prod(shape[a] for a in output_axes),
        )
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    field = math.prod(shape[:-2])
    return shape[-2] * field, shape[-1] * field


class VarianceScaling(_Seeded):
    """Draws whose variance is ``scale / n``, n being the fan-in, fan-out or their mean.

    Args:
        scale: positive scale factor.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"`` (also ``"normal"``), ``"untruncated_normal"``
            or ``"uniform"``.
        seed: an int, a `SeedGenerator`, or None.
        input_axes: optional axes defining the fan-in (used together with `output_axes`).
        output_axes: optional axes defining the fan-out.
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: Any = None,
        input_axes: Any = None,
        output_axes: Any = None,
    ) -> None:
        if not scale > 0.0:
            raise ValueError(
                f"Received an invalid value for `scale`, expected a positive float. "
                f"Received: scale={scale}"
            )
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                "Received an invalid value for `mode`, expected one of 'fan_in', 'fan_out', "
                f"'fan_avg'. Received: mode={mode!r}"
            )
        dist = str(distribution).lower()
        if dist == "normal":
            dist = "truncated_normal"
        if dist not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                "Received an invalid value for `distribution`, expected one of "
                "'truncated_normal', 'untruncated_normal', 'uniform', 'normal'. "
                f"Received: distribution={distribution!r}"
            )
        self.scale, self.mode, self.distribution = scale, mode, dist
        self.input_axes, self.output_axes = input_axes, output_axes
        super().__init__(seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        dtype = _dtype(dtype)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        var = self.scale / max(1.0, n[self.mode])
        if self.distribution == "truncated_normal":
            # Divide by the std of a unit normal truncated at +-2 to keep the variance.
            std = math.sqrt(var) / 0.87962566103423978
            return _random.truncated_normal(shape, 0.0, std, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return _random.normal(shape, 0.0, math.sqrt(var), dtype=dtype, seed=self.seed)
        lim = math.sqrt(3.0 * var)
        return _random.uniform(shape, -lim, lim, dtype=dtype, seed=self.seed)

    def get_config(self) -> dict:
        return {
            "seed": self._seed_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _preset(name: str, scale: float, mode: str, dist: str, doc: str) -> type:
    def __init__(self, seed=None, input_axes=None, output_axes=None):  # noqa: N807
        VarianceScaling.__init__(self, scale, mode, dist, seed, input_axes, output_axes)

    def get_config(self):
        return {
            "seed": self._seed_config(),
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }

    return type(
        name,
        (VarianceScaling,),
        {"__init__": __init__, "get_config": get_config, "__doc__": doc, "__module__": __name__},
    )


_SEED_ARGS = (
    "\n\n    Args:\n        seed: an int, a `SeedGenerator`, or None.\n"
    "        input_axes: optional fan-in axes.\n        output_axes: optional fan-out axes.\n"
)
GlorotUniform = _preset(
    "GlorotUniform",
    1.0,
    "fan_avg",
    "uniform",
    "Uniform in +-sqrt(6 / (fan_in + fan_out))." + _SEED_ARGS,
)
GlorotNormal = _preset(
    "GlorotNormal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "Truncated normal with variance 2 / (fan_in + fan_out)." + _SEED_ARGS,
)
HeUniform = _preset(
    "HeUniform", 2.0, "fan_in", "uniform", "Uniform in +-sqrt(6 / fan_in)." + _SEED_ARGS
)
HeNormal = _preset(
    "HeNormal",
    2.0,
    "fan_in",
    "truncated_normal",
    "Truncated normal with variance 2 / fan_in." + _SEED_ARGS,
)
LecunUniform = _preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "Uniform in +-sqrt(3 / fan_in)." + _SEED_ARGS
)
LecunNormal = _preset(
    "LecunNormal",
    1.0,
    "fan_in",
    "truncated_normal",
    "Truncated normal with variance 1 / fan_in." + _SEED_ARGS,
)


class Orthogonal(_Seeded):
    """A (semi-)orthogonal matrix, reshaped to `shape` (rank >= 2), times `gain`.

    Args:
        gain: multiplier.
        seed: an int, a `SeedGenerator`, or None.
    """

    def __init__(self, gain: float = 1.0, seed: Any = None) -> None:
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        shape = tuple(int(d) for d in shape)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal initializer expects a `shape` of rank >= 2. Received: shape={shape}"
            )
        dtype = _dtype(dtype)
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = _random.normal((max(rows, cols), min(rows, cols)), dtype=dtype, seed=self.seed)
        q, r = ops.qr(a)
        q = ops.multiply(q, ops.sign(ops.diagonal(r)))
        if rows < cols:
            q = ops.transpose(q)
        return ops.multiply(ops.cast(self.gain, dtype), ops.reshape(q, shape))

    def get_config(self) -> dict:
        return {"seed": self._seed_config(), "gain": self.gain}


IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
constant = Constant
zeros = Zeros
ones = Ones
identity = Identity
orthogonal = Orthogonal


class STFT(Initializer):
    """Kernels of a short-time Fourier transform written as a 1-D convolution.

    For a kernel of shape ``(frame_length, channels, bins)`` the values are the real
    (``cos``) or imaginary (``-sin``) parts of the ``fft_length = 2 * (bins - 1)``-point DFT
    basis for the first `bins` frequencies, multiplied by the window (the same for every
    channel). `STFTSpectrogram` builds its kernels the same way.

    Args:
        side: ``"real"`` or ``"imag"``: which part of the transform the kernel computes.
        window: a window name (``"hann"``, ``"hamming"``, ...; other names need SciPy), an
            array of `frame_length` values, or None (rectangular, never scaled).
        scaling: ``"density"`` (the window has unit energy), ``"spectrum"`` (unit sum) or
            None (as given).
        periodic: use the periodic form of a named window instead of the symmetric one.
    """

    def __init__(
        self,
        side: str = "real",
        window: Any = "hann",
        scaling: str | None = "density",
        periodic: bool = False,
    ) -> None:
        if side not in ("real", "imag"):
            raise ValueError(
                f"Received an invalid value for `side`, expected 'real' or 'imag'. "
                f"Received: side={side!r}"
            )
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(
                "Received an invalid value for `scaling`, expected None, 'density' or "
                f"'spectrum'. Received: scaling={scaling!r}"
            )
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        shape = tuple(int(d) for d in shape)
        if len(shape) != 3 or shape[2] < 2:
            raise ValueError(
                "STFT initializes kernels of shape (frame_length, channels, bins) with bins >= "
                f"2 (the DFT has 2 * (bins - 1) points). Received: shape={shape}"
            )
        # The kernels are shared with the layer (imported here: layers import this module).
        from kerasx.layers.preprocessing.features.stft_spectrogram import stft_kernels

        frame_length, channels, bins = shape
        real, imag = stft_kernels(
            frame_length, 2 * (bins - 1), self.window, bool(self.periodic), self.scaling
        )
        kernel = real if self.side == "real" else imag
        return ops.convert_to_tensor(np.broadcast_to(kernel, shape), dtype=_dtype(dtype))

    def get_config(self) -> dict:
        return {
            "side": self.side,
            "window": self.window,
            "periodic": self.periodic,
            "scaling": self.scaling,
        }


STFTInitializer = STFT
stft = STFT
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform

ALL_OBJECTS = {
    Initializer,
    Constant,
    Zeros,
    Ones,
    Identity,
    Orthogonal,
    STFT,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
}
ALL_OBJECTS_DICT: dict[str, Any] = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update(
    {
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "constant": Constant,
        "zeros": Zeros,
        "ones": Ones,
        "identity": Identity,
        "orthogonal": Orthogonal,
        "STFTInitializer": STFT,
        "stft": STFT,
        "random_normal": RandomNormal,
        "random_uniform": RandomUniform,
        "uniform": RandomUniform,
        "normal": RandomNormal,
        "one": Ones,
        "zero": Zeros,
        "truncated_normal": TruncatedNormal,
        "variance_scaling": VarianceScaling,
        "glorot_normal": GlorotNormal,
        "glorot_uniform": GlorotUniform,
        "he_normal": HeNormal,
        "he_uniform": HeUniform,
        "lecun_normal": LecunNormal,
        "lecun_uniform": LecunUniform,
    }
)


def serialize(initializer: Initializer) -> Any:
    """The Keras-format config dict of `initializer`.

    Args:
        initializer: an initializer instance.

    Returns:
        A dict with ``module``, ``class_name``, ``config`` and ``registered_name``.
    """
    return _ser.serialize_keras_object(initializer, module="keras.initializers")


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild an initializer from `serialize`'s output (or a name).

    Args:
        config: a dict or a name.
        custom_objects: extra names to look up.

    Returns:
        An initializer instance (or the class, for a bare name).
    """
    return _ser.deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="initializer",
    )


def get(identifier: Any) -> Any:
    """Resolve `identifier` into an initializer.

    Args:
        identifier: None, a name (``"glorot_uniform"``), a config dict, an instance, a class
            or a callable.

    Returns:
        An initializer (None for None).
    """
    if identifier is None:
        return None
    obj: Any = None
    if isinstance(identifier, (str, dict)):
        try:
            obj = deserialize(identifier)
        except ValueError:
            obj = None
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. "
        f"Received: identifier={identifier!r}"
    )

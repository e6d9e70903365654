"""kerasx.random: seeded random tensors (the ``keras.random`` surface).

Randomness is keyed, never hidden global state inside an engine: every function draws a
*seed* (two uint32 words) and hands it to the active engine's random kernel (NumPy:
counter-based Philox keyed by the seed; JAX: ``jax.random`` with a threefry key).

- ``seed=<int>``: the seed is ``[int, 0]``, so the same int gives the same numbers every call.
- ``seed=<SeedGenerator>``: the generator's state (a uint32 Variable) is drawn and advanced,
  so successive calls differ. Inside a ``StatelessScope`` (e.g. a jitted training step) the
  state is read from the scope and the advance is recorded there, which keeps the step pure.
- ``seed=None``: a process-wide generator is used (seeded from Python's `random` module).
"""

from __future__ import annotations

import random as _py_random
from typing import Any

import numpy as np

from kerasx import config
from kerasx.engine import dispatch
from kerasx.engine import dtypes as _dt
from kerasx.engine.symbolic import KerasTensor
from kerasx.engine.variables import Variable
from kerasx.ops._helpers import K

_MAX_SEED = 2**32


class SeedGenerator:
    """A stateful source of seeds for the functions of `kerasx.random`.

    The state is a non-trainable uint32 Variable of shape (2,), ``[seed, counter]``; each
    call to `next` returns the current state and increments the counter. Layers that use
    randomness (Dropout, ...) own one, so their random state is saved and restored with them.

    Args:
        seed: an int in [0, 2**32) for reproducible streams, or None to pick one at random
            (from Python's `random` module, so ``random.seed`` makes it reproducible).
        name: the generator's name (default "seed_generator").
        **kwargs: accepted for Keras compatibility (``backend=...`` is ignored).
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        unknown = set(kwargs) - {"backend"}
        if unknown:
            raise TypeError(f"SeedGenerator got unexpected keyword arguments: {sorted(unknown)}")
        if name is None:
            name = "seed_generator"
        if not isinstance(name, str):
            raise ValueError(
                f"Received an invalid value for `name`, expected a string. Received: name={name!r}"
            )
        if seed is None:
            seed = _py_random.randint(1, int(1e9))
        elif not _is_int(seed) or not 0 <= int(seed) < _MAX_SEED:
            raise ValueError(
                "Received an invalid value for `seed`, expected an int in [0, 2**32) or None. "
                f"Received: seed={seed!r}"
            )
        self.name = name
        self._initial_seed = int(seed)
        self.state = Variable(
            np.array([self._initial_seed, 0], dtype=np.uint32),
            shape=(2,),
            dtype="uint32",
            trainable=False,
            name="seed_generator_state",
        )
        self.state.path = f"{name}/seed_generator_state"

    def next(self, ordered: bool = True) -> Any:
        """Return the current seed (a uint32 tensor of shape (2,)) and advance the state.

        Args:
            ordered: kept for Keras compatibility (draws are always ordered here).

        Returns:
            The seed to key the next random draw with.
        """
        current = self.state.value
        self.state.assign(K.add(current, np.array([0, 1], dtype=np.uint32)))
        return current

    def get_config(self) -> dict:
        """The constructor arguments: ``{"seed": ..., "name": ...}``."""
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> SeedGenerator:
        """Rebuild a generator from `get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name} seed={self._initial_seed}>"


_global_generator: SeedGenerator | None = None


def global_seed_generator() -> SeedGenerator:
    """The process-wide generator used when a random function gets ``seed=None``."""
    global _global_generator
    if _global_generator is None:
        _global_generator = SeedGenerator(name="global_seed_generator")
    return _global_generator


def _reset_global_seed_generator() -> None:
    """Forget the global generator (the next ``seed=None`` draw creates a fresh one)."""
    global _global_generator
    _global_generator = None


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def draw_seed(seed: Any) -> Any:
    """Turn a `seed` argument into a uint32 tensor of shape (2,) for the engine's kernels.

    Args:
        seed: an int, a `SeedGenerator`, None (the global generator), or a uint32 tensor of
            shape (2,) (a seed drawn earlier).

    Returns:
        A native uint32 array of the active engine.
    """
    eng = dispatch.engine()
    if isinstance(seed, SeedGenerator):
        value = seed.next()
    elif seed is None:
        value = global_seed_generator().next()
    elif _is_int(seed):
        if not 0 <= int(seed) < _MAX_SEED:
            raise ValueError(
                "Received an invalid value for `seed`, expected an int in [0, 2**32). "
                f"Received: seed={seed}"
            )
        value = np.array([int(seed), 0], dtype=np.uint32)
    elif hasattr(seed, "shape") and hasattr(seed, "dtype") and tuple(seed.shape) == (2,):
        value = seed.value if isinstance(seed, Variable) else seed
    else:
        raise ValueError(
            "Argument `seed` must be an integer, a `kerasx.random.SeedGenerator`, None, or a "
            f"uint32 tensor of shape (2,). Received: seed={seed!r} (of type {type(seed)})"
        )
    return eng.convert_to_tensor(value, "uint32")


def _kernel(name: str) -> Any:
    eng = dispatch.engine()
    k = eng.kernels.get(f"random_{name}")
    if k is None:
        raise dispatch.OpNotAvailableError(
            f"`kerasx.random.{name}` is not available on the {eng.name!r} engine (it has no "
            f"`random_{name}` kernel)."
        )
    return k


def _shape(shape: Any) -> tuple:
    dims = (shape,) if _is_int(shape) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        dims = None
    if dims is None or not all(_is_int(d) and int(d) >= 0 for d in dims):
        raise ValueError(
            "Received an invalid value for `shape`, expected a tuple of non-negative ints. "
            f"Received: shape={shape!r}"
        )
    return tuple(int(d) for d in dims)


def _dtype(dtype: Any, fn: str, kind: str | None = "float") -> str:
    d = _dt.standardize_dtype(config.floatx() if dtype is None else dtype)
    if kind == "float" and not _dt.is_float_dtype(d):
        raise ValueError(
            f"`kerasx.random.{fn}` requires a floating point `dtype`. Received: dtype={dtype}"
        )
    if kind == "int" and not _dt.is_int_dtype(d):
        raise ValueError(
            f"`kerasx.random.{fn}` requires an integer `dtype`. Received: dtype={dtype}"
        )
    return d


def _param(v: Any) -> Any:
    """A distribution parameter: a Python number, or a tensor's concrete value."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    if isinstance(v, Variable):
        v = v.value
    while isinstance(v, dispatch._Tracer):
        v = v.value
    return dispatch.engine().convert_to_tensor(v)


def normal(
    shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = None, seed: Any = None
) -> Any:
    """Draw samples from a normal (Gaussian) distribution.

    Args:
        shape: the output shape.
        mean: the mean of the distribution.
        stddev: the standard deviation of the distribution.
        dtype: a floating dtype (default floatx).
        seed: an int, a `SeedGenerator` or None.

    Returns:
        A tensor of `shape` and `dtype`.
    """
    shape = _shape(shape)
    d = _dtype(dtype, "normal", kind=None)
    return _kernel("normal")(draw_seed(seed), shape, _param(mean), _param(stddev), d)


def uniform(
    shape: Any, minval: Any = 0.0, maxval: Any = 1.0, dtype: Any = None, seed: Any = None
) -> Any:
    """Draw samples uniformly from ``[minval, maxval)``.

    Args:
        shape: the output shape.
        minval: the lower bound (inclusive).
        maxval: the upper bound (exclusive).
        dtype: a floating dtype (default floatx).
        seed: an int, a `SeedGenerator` or None.

    Returns:
        A tensor of `shape` and `dtype`.
    """
    shape = _shape(shape)
    d = _dtype(dtype, "uniform")
    if isinstance(minval, (int, float)) and isinstance(maxval, (int, float)) and maxval < minval:
        raise ValueError(
            "Received invalid bounds: `maxval` must be >= `minval`. Received: "
            f"minval={minval}, maxval={maxval}"
        )
    return _kernel("uniform")(draw_seed(seed), shape, _param(minval), _param(maxval), d)


def randint(shape: Any, minval: Any, maxval: Any, dtype: Any = "int32", seed: Any = None) -> Any:
    """Draw random integers uniformly from ``[minval, maxval)``.

    Args:
        shape: the output shape.
        minval: the lower bound (inclusive).
        maxval: the upper bound (exclusive).
        dtype: an integer dtype (default int32).
        seed: an int, a `SeedGenerator` or None.

    Returns:
        An integer tensor of `shape` and `dtype`.
    """
    shape = _shape(shape)
    d = _dtype(dtype, "randint", kind="int")
    if _is_int(minval) and _is_int(maxval) and maxval <= minval:
        raise ValueError(
            "Received invalid bounds: `maxval` must be > `minval`. Received: "
            f"minval={minval}, maxval={maxval}"
        )
    return _kernel("randint")(draw_seed(seed), shape, _param(minval), _param(maxval), d)


def truncated_normal(
    shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = None, seed: Any = None
) -> Any:
    """Draw from a normal distribution truncated to two standard deviations of the mean.

    Values farther than ``2 * stddev`` from `mean` are redrawn.

    Args:
        shape: the output shape.
        mean: the mean of the distribution.
        stddev: the standard deviation before truncation.
        dtype: a floating dtype (default floatx).
        seed: an int, a `SeedGenerator` or None.

    Returns:
        A tensor of `shape` and `dtype`.
    """
    shape = _shape(shape)
    d = _dtype(dtype, "truncated_normal", kind=None)
    return _kernel("truncated_normal")(draw_seed(seed), shape, _param(mean), _param(stddev), d)


def categorical(logits: Any, num_samples: int, dtype: Any = "int32", seed: Any = None) -> Any:
    """Draw class indices from categorical distributions given by unnormalised log-probs.

    Args:
        logits: a 2-D tensor ``(batch_size, num_classes)``.
        num_samples: how many samples to draw per row.
        dtype: an integer dtype for the result (default int32).
        seed: an int, a `SeedGenerator` or None.

    Returns:
        An integer tensor of shape ``(batch_size, num_samples)``.
    """
    logits = _param(logits)
    if len(getattr(logits, "shape", ())) != 2:
        raise ValueError(
            "`logits` should be a 2-D tensor with shape (batch_size, num_classes). Received: "
            f"logits.shape={tuple(getattr(logits, 'shape', ()))}"
        )
    if not _is_int(num_samples) or num_samples < 0:
        raise ValueError(
            "Received an invalid value for `num_samples`, expected an int >= 0. Received: "
            f"num_samples={num_samples!r}"
        )
    d = _dtype(dtype, "categorical", kind="int")
    return _kernel("categorical")(draw_seed(seed), logits, int(num_samples), d)


def gamma(shape: Any, alpha: Any, dtype: Any = None, seed: Any = None) -> Any:
    """Draw samples from a gamma distribution with unit scale.

    Args:
        shape: the output shape.
        alpha: the concentration (shape) parameter, > 0.
        dtype: the result dtype (default floatx).
        seed: an int, a `SeedGenerator` or None.

    Returns:
        A tensor of `shape` and `dtype`.
    """
    shape = _shape(shape)
    d = _dtype(dtype, "gamma", kind=None)
    return _kernel("gamma")(draw_seed(seed), shape, _param(alpha), d)


def binomial(
    shape: Any, counts: Any, probabilities: Any, dtype: Any = None, seed: Any = None
) -> Any:
    """Draw the number of successes of `counts` trials with success probability `probabilities`.

    Args:
        shape: the output shape.
        counts: the number of trials.
        probabilities: the success probability of each trial, in [0, 1].
        dtype: the result dtype (default floatx, as in Keras).
        seed: an int, a `SeedGenerator` or None.

    Returns:
        A tensor of `shape` and `dtype`.
    """
    shape = _shape(shape)
    d = _dtype(dtype, "binomial", kind=None)
    return _kernel("binomial")(draw_seed(seed), shape, _param(counts), _param(probabilities), d)


def beta(shape: Any, alpha: Any, beta: Any, dtype: Any = None, seed: Any = None) -> Any:
    """Draw samples from a beta distribution.

    Args:
        shape: the output shape.
        alpha: the first concentration parameter, > 0.
        beta: the second concentration parameter, > 0.
        dtype: the result dtype (default floatx).
        seed: an int, a `SeedGenerator` or None.

    Returns:
        A tensor of `shape` and `dtype`, with values in [0, 1].
    """
    shape = _shape(shape)
    d = _dtype(dtype, "beta", kind=None)
    return _kernel("beta")(draw_seed(seed), shape, _param(alpha), _param(beta), d)


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Any:
    """Shuffle `x` along `axis` (each slice across the other axes is permuted on its own).

    Args:
        x: the tensor to shuffle.
        axis: the axis to shuffle along.
        seed: an int, a `SeedGenerator` or None.

    Returns:
        A tensor like `x` with its values permuted along `axis`.
    """
    x = _param(x)
    ndim = len(x.shape)
    if not _is_int(axis) or not -ndim <= axis < max(ndim, 1):
        raise ValueError(
            f"Received an invalid value for `axis`, expected an int in [{-ndim}, {ndim}). "
            f"Received: axis={axis!r}"
        )
    return _kernel("shuffle")(draw_seed(seed), x, int(axis))


def _noise_shape(inputs_shape: tuple, noise_shape: Any) -> tuple:
    if noise_shape is None:
        return tuple(inputs_shape)
    dims = tuple(noise_shape)
    if len(dims) != len(inputs_shape):
        raise ValueError(
            "Received an invalid value for `noise_shape`: it must have as many dimensions as "
            f"`inputs` ({len(inputs_shape)}). Received: noise_shape={noise_shape!r}"
        )
    out = []
    for d, full in zip(dims, inputs_shape):
        d = full if d is None else int(d)
        if d not in (1, full):
            raise ValueError(
                "Received an invalid value for `noise_shape`: each dimension must be 1, None or "
                f"the matching dimension of `inputs` {tuple(inputs_shape)}. Received: "
                f"noise_shape={noise_shape!r}"
            )
        out.append(d)
    return tuple(out)


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Any:
    """Zero each element of `inputs` with probability `rate`; scale the rest by ``1/(1-rate)``.

    Differentiable with respect to `inputs` (the mask is a constant).

    Args:
        inputs: the input tensor.
        rate: the drop probability, a float in [0, 1].
        noise_shape: the shape of the random keep/drop mask, broadcast to the shape of
            `inputs` (1 or None in a dimension shares the mask along it).
        seed: an int, a `SeedGenerator` or None.

    Returns:
        A tensor of the shape and dtype of `inputs`.
    """
    try:
        r = float(rate)
    except (TypeError, ValueError):
        r = float("nan")
    if not 0.0 <= r <= 1.0:
        raise ValueError(
            f"Received an invalid value for `rate`, expected a float in [0, 1]. Received: "
            f"rate={rate!r}"
        )
    x = inputs.value if isinstance(inputs, Variable) else inputs
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        x = dispatch.engine().convert_to_tensor(x)
    if isinstance(x, KerasTensor):
        return KerasTensor(x.shape, x.dtype)
    shape = _noise_shape(tuple(x.shape), noise_shape)
    dtype = _dt.standardize_dtype(x.dtype)
    if r == 1.0:
        return K.zeros_like(x)
    keep = 1.0 - r
    mask = K.less(uniform(shape, dtype="float32", seed=seed), keep)
    out = K.where(mask, K.divide(x, keep), K.zeros_like(x))
    if _dt.standardize_dtype(out.dtype) != dtype:
        out = K.cast(out, dtype)
    return out


__all__ = [
    "SeedGenerator",
    "beta",
    "binomial",
    "categorical",
    "dropout",
    "gamma",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]

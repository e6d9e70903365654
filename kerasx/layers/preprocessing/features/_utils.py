"""Shared helpers of the feature preprocessing layers: argument checks, reading `adapt` data
on the host, and the one/multi-hot, count and TF-IDF encodings (written in `kerasx.ops`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine import dispatch
from kerasx.engine.symbolic import KerasTensor
from kerasx.engine.variables import Variable

ENCODING_MODES = ("one_hot", "multi_hot", "count")


def check_choice(layer: str, arg: str, value: Any, allowed: tuple) -> None:
    """Raise a ValueError naming `arg` unless `value` is one of `allowed`."""
    if value not in allowed:
        raise ValueError(
            f"Unknown value for `{arg}` argument of {layer}. Allowed values are: {allowed}. "
            f"Received: {arg}={value}"
        )


def is_int(value: Any) -> bool:
    """True for Python/NumPy integers (not booleans)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_sparse(layer: str, sparse: Any) -> None:
    """kerasx has no sparse tensors: `sparse=True` raises a ValueError naming the argument."""
    if sparse:
        raise ValueError(
            f"{layer} does not support `sparse=True` in kerasx (there are no sparse tensors); "
            f"use the dense output (sparse=False). Received: sparse={sparse}"
        )


def to_host(x: Any) -> np.ndarray:
    """A NumPy view of a tensor, Variable, list or array (strings become a str/bytes array)."""
    if isinstance(x, KerasTensor):
        raise ValueError(
            f"This preprocessing step runs on concrete data, not on symbolic tensors. Received: {x}"
        )
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, np.ndarray):
        return x
    if dispatch.engine().is_native(x) and not isinstance(x, (list, tuple)):
        return np.asarray(ops.convert_to_numpy(x))
    if hasattr(x, "numpy") and callable(x.numpy):
        x = x.numpy()
    return np.asarray(x)


def _is_batch(x: Any) -> bool:
    return isinstance(x, (np.ndarray, np.generic, Variable)) or (
        hasattr(x, "shape") and hasattr(x, "dtype")
    )


def iter_batches(data: Any, steps: int | None = None, batch_size: int | None = None) -> Iterator:
    """Yield the batches of `adapt` data as NumPy arrays.

    An array or tensor (or a list convertible to one regular array of scalars/strings) is one
    batch (split into `batch_size` rows when given); any other iterable (a generator, a list
    of arrays, a data set object) yields one batch per element. `steps` stops after that many
    batches.
    """
    if isinstance(data, KerasTensor):
        raise ValueError(f"`adapt` needs concrete data, not a symbolic tensor. Received: {data}")
    if isinstance(data, dict):
        raise ValueError(
            "`adapt` expects an array, a tensor or an iterable of batches; received a dict."
        )
    if _is_batch(data):
        batches: Any = [to_host(data)]
    elif isinstance(data, (list, tuple)) and not any(_is_batch(v) for v in data):
        batches = [np.asarray(data)]
    else:
        batches = iter(data)
    if batch_size is not None:
        batches = _split(batches, int(batch_size))
    for i, batch in enumerate(batches):
        if steps is not None and i >= steps:
            break
        if isinstance(batch, tuple) and len(batch) in (2, 3) and _is_batch(batch[0]):
            batch = batch[0]  # (x, y) or (x, y, sample_weight) pairs: adapt on x
        yield to_host(batch)


def _split(batches: Any, size: int) -> Iterator:
    for b in batches:
        b = to_host(b)
        if b.ndim == 0:
            yield b
            continue
        for i in range(0, max(len(b), 1), size):
            yield b[i : i + size]


def encode(
    inputs: Any,
    output_mode: str,
    depth: int,
    dtype: str,
    count_weights: Any = None,
    idf_weights: Any = None,
) -> Any:
    """Encode integer indices as one-hot, multi-hot, counts or TF-IDF vectors of `depth`.

    A trailing axis of size 1 is dropped for one-hot; a scalar is treated as a 1-vector.
    Multi-hot, count and TF-IDF reduce the last axis (a rank-1 input is one sample). Indices
    outside ``[0, depth)`` contribute nothing.
    """
    x = inputs
    rank = len(x.shape)
    if rank == 0:
        x = ops.expand_dims(x, 0)
        rank = 1
    if output_mode == "one_hot":
        if rank > 1 and x.shape[-1] == 1:
            x = ops.squeeze(x, axis=-1)
        return ops.one_hot(x, depth, dtype=dtype)
    hot = ops.one_hot(x, depth, dtype=dtype)
    if output_mode == "multi_hot":
        return ops.max(hot, axis=-2)
    if count_weights is not None:
        w = ops.cast(count_weights, dtype)
        if len(w.shape) == 0:
            w = ops.expand_dims(w, 0)
        hot = hot * ops.expand_dims(w, -1)
    counts = ops.sum(hot, axis=-2)
    if output_mode == "tf_idf":
        return counts * ops.cast(idf_weights, dtype)
    return counts


def encoded_shape(input_shape: tuple, output_mode: str, depth: int) -> tuple:
    """The output shape of `encode` for an input of `input_shape`."""
    shape = tuple(input_shape)
    if not shape:
        shape = (1,)
    if output_mode == "int":
        return tuple(input_shape)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        return (*shape, depth)
    return (*shape[:-1], depth)


def _objectify(x: Any) -> Any:
    """Make text inputs NumPy object arrays (which every engine's layer call passes through)."""
    if isinstance(x, np.ndarray):
        return x.astype(object) if x.dtype.kind in "US" else x
    if isinstance(x, (str, bytes)):
        return np.asarray(x, dtype=object)
    if isinstance(x, (list, tuple)):
        if any(hasattr(v, "shape") and hasattr(v, "dtype") for v in x):
            return type(x)(_objectify(v) for v in x)
        arr = np.asarray(x)
        return arr.astype(object) if arr.dtype.kind in "US" else x
    return x


class HostInputMixin:
    """Lets a layer take text inputs (lists, str/bytes/object arrays) on every engine."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            args = (_objectify(args[0]), *args[1:])
        return super().__call__(*args, **kwargs)  # type: ignore[misc]

"""Host-side helpers shared by the data adapters: packing batches, checks, class weights.

Everything here works on NumPy arrays (and nested lists / tuples / dicts of them); no tensor
math runs here, so it is the same on every engine.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx import config

_FORMAT_HINT = "`x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`"


# ---------------------------------------------------------------------------------------------
# Packing and unpacking of batches
# ---------------------------------------------------------------------------------------------


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """Split one batch into its inputs, targets and sample weights.

    A tuple or list of length 1, 2 or 3 is read as `(x,)`, `(x, y)` or `(x, y, sample_weight)`;
    anything else (an array, a dict, ...) is the inputs alone.

    Args:
        data: One batch, as a data adapter or a custom `train_step` sees it.

    Returns:
        The tuple `(x, y, sample_weight)`, with `None` for the missing parts.

    Raises:
        ValueError: for an empty tuple/list or one with more than three entries.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError(f"Data is expected to be in format {_FORMAT_HINT}, found: {data}")


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """Assemble one batch from its parts (the inverse of `unpack_x_y_sample_weight`).

    Without targets the batch is `x` itself, or `(x,)` when `x` is a tuple or list (so that
    unpacking it again cannot mistake the inputs for `(x, y)`); sample weights are dropped when
    there are no targets. With targets it is `(x, y)` or `(x, y, sample_weight)`.

    Args:
        x: The inputs.
        y: The targets, or `None`.
        sample_weight: Per-sample weights, or `None`.

    Returns:
        The packed batch.
    """
    if y is None:
        if isinstance(x, (list, tuple)):
            return (x,)
        return x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def list_to_tuple(maybe_list: Any) -> Any:
    """Return `tuple(maybe_list)` for a list, else the argument unchanged."""
    if isinstance(maybe_list, list):
        return tuple(maybe_list)
    return maybe_list


# ---------------------------------------------------------------------------------------------
# Nested structures
# ---------------------------------------------------------------------------------------------


def flatten(struct: Any) -> list[Any]:
    """The leaves of a nest of lists, tuples and dicts (dicts in sorted-key order)."""
    if isinstance(struct, (list, tuple)):
        out: list[Any] = []
        for item in struct:
            out.extend(flatten(item))
        return out
    if isinstance(struct, dict):
        out = []
        for key in sorted(struct):
            out.extend(flatten(struct[key]))
        return out
    return [struct]


def map_structure(fn: Any, struct: Any) -> Any:
    """Apply `fn` to every leaf of a nest, keeping lists, tuples and dicts as they are."""
    if isinstance(struct, list):
        return [map_structure(fn, item) for item in struct]
    if isinstance(struct, tuple):
        return tuple(map_structure(fn, item) for item in struct)
    if isinstance(struct, dict):
        return {key: map_structure(fn, value) for key, value in struct.items()}
    return fn(struct)


# ---------------------------------------------------------------------------------------------
# Array-likes
# ---------------------------------------------------------------------------------------------


def is_array_like(x: Any) -> bool:
    """Whether `x` is one array the array adapter can batch (not a Python list or scalar).

    NumPy arrays, engine tensors, `Variable`s, and objects that expose a shape and convert to
    NumPy (arrays of another framework, pandas frames and series) qualify.
    """
    if isinstance(x, np.ndarray):
        return True
    if isinstance(x, (str, bytes, bool, int, float, complex, list, tuple, dict)) or x is None:
        return False
    from kerasx import ops
    from kerasx.engine.variables import Variable

    if isinstance(x, Variable) or ops.is_tensor(x):
        return True
    return hasattr(x, "shape") and (hasattr(x, "__array__") or hasattr(x, "to_numpy"))


def is_array_structure(x: Any) -> bool:
    """Whether `x` is an array-like or a non-empty nest of them (with optional `None`s)."""
    leaves = flatten(x)
    if not leaves or all(leaf is None for leaf in leaves):
        return False
    return all(leaf is None or is_array_like(leaf) for leaf in leaves)


def to_numpy(x: Any) -> Any:
    """Convert one array-like to a NumPy array (NumPy arrays are returned as they are)."""
    if x is None or isinstance(x, np.ndarray):
        return x
    from kerasx import ops
    from kerasx.engine.variables import Variable

    if isinstance(x, Variable) or ops.is_tensor(x):
        return np.asarray(ops.convert_to_numpy(x))
    if hasattr(x, "to_numpy"):  # pandas
        return np.asarray(x.to_numpy())
    return np.asarray(x)


def check_array_dtype(x: np.ndarray, name: str) -> None:
    """Raise a ValueError unless `x` holds numbers or booleans."""
    if x.dtype.kind not in "biufc":
        raise ValueError(
            f"Arrays given as `{name}` must hold numbers or booleans, but one has dtype "
            f"{x.dtype} (shape {x.shape}). Convert strings or Python objects to numeric "
            "arrays first, e.g. with a lookup or `np.asarray(..., dtype='float32')`."
        )


def standardize_float_dtype(x: np.ndarray) -> np.ndarray:
    """Cast a floating-point array to `config.floatx()`; other dtypes are left alone."""
    if x.dtype.kind == "f":
        target = config.floatx()
        if x.dtype != target:
            return x.astype(target)
    return x


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def check_data_cardinality(data: tuple[Any, ...]) -> int:
    """Check that every array in `(x, y, sample_weight)` has the same number of samples.

    Args:
        data: The tuple `(x, y, sample_weight)` of nests of NumPy arrays (`None` allowed).

    Returns:
        The common number of samples.

    Raises:
        ValueError: when the arrays disagree, naming every size by argument.
    """
    names = ("x", "y", "sample_weight")
    sizes_by_name: list[tuple[str, list[int]]] = []
    for name, part in zip(names, data):
        leaves = [leaf for leaf in flatten(part) if leaf is not None]
        for leaf in leaves:
            if leaf.ndim == 0:
                raise ValueError(
                    f"Every array in `{name}` needs a first (batch) dimension, but one is a "
                    f"scalar array: {leaf!r}. Pass arrays of shape (num_samples, ...)."
                )
        if leaves:
            sizes_by_name.append((name, [int(leaf.shape[0]) for leaf in leaves]))
    all_sizes = {size for _, sizes in sizes_by_name for size in sizes}
    if len(all_sizes) > 1:
        detail = "".join(
            f"'{name}' sizes: {', '.join(str(s) for s in sizes)}\n" for name, sizes in sizes_by_name
        )
        raise ValueError(
            "Data cardinality is ambiguous: the arrays do not all contain the same number of "
            f"samples (their first dimension).\n{detail}"
            "Make sure all arrays contain the same number of samples."
        )
    return all_sizes.pop() if all_sizes else 0


def check_batch_size(batch_size: Any) -> None:
    """Raise unless `batch_size` is `None` or a positive integer."""
    if batch_size is None:
        return
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(
            "Received an invalid value for `batch_size`, expected a positive integer. "
            f"Received: batch_size={batch_size!r}"
        )


def check_steps(steps: Any, name: str = "steps_per_epoch") -> None:
    """Raise unless `steps` is `None` or a positive integer."""
    if steps is None:
        return
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive integer or None. "
            f"Received: {name}={steps!r}"
        )


def check_shuffle(shuffle: Any) -> None:
    """Raise unless `shuffle` is a bool or the string `"batch"`."""
    if isinstance(shuffle, (bool, np.bool_)) or shuffle == "batch":
        return
    raise ValueError(
        'Received an invalid value for `shuffle`, expected True, False or "batch". '
        f"Received: shuffle={shuffle!r}"
    )


# ---------------------------------------------------------------------------------------------
# Class weights
# ---------------------------------------------------------------------------------------------


def check_class_weight(class_weight: Any) -> None:
    """Raise a TypeError unless `class_weight` is `None` or a dict."""
    if class_weight is not None and not isinstance(class_weight, dict):
        raise TypeError(
            "`class_weight` must be a dict mapping class indices (ints) to weights (floats), "
            f"e.g. {{0: 1.0, 1: 5.0}}. Received: class_weight={class_weight!r} of type "
            f"{type(class_weight).__name__}"
        )


def _single_target(y: Any) -> np.ndarray:
    if isinstance(y, (list, tuple, dict)):
        raise ValueError(
            "`class_weight` is only supported for Models with a single output. Received "
            f"targets of type {type(y).__name__}; for several outputs pass per-output "
            "`sample_weight` instead."
        )
    return np.asarray(y)


def class_indices(y: Any) -> np.ndarray:
    """The class index of each sample: argmax of one-hot rows, else the rounded label.

    Args:
        y: Targets of shape `(samples,)`, `(samples, 1)` or `(samples, classes)`.

    Returns:
        An int64 vector of length `samples`.
    """
    y = _single_target(y)
    if y.ndim >= 2 and y.shape[-1] > 1:
        idx = np.argmax(y, axis=-1)
    else:
        idx = np.round(y).astype("int64") if y.dtype.kind in "fc" else y.astype("int64")
        if idx.ndim >= 1:
            idx = idx.reshape(idx.shape[: max(idx.ndim - 1, 1)])
    if idx.ndim != 1:
        raise ValueError(
            "`class_weight` needs targets of shape (samples,), (samples, 1) or one-hot "
            f"(samples, classes). Received targets of shape {y.shape}."
        )
    return idx


def class_weight_to_sample_weights(y: Any, class_weight: dict) -> np.ndarray:
    """Turn a `{class index: weight}` dict into one weight per sample of `y`.

    Classes missing from the dict get weight 1.

    Args:
        y: Targets of one output (see `class_indices`).
        class_weight: Dict from class index to weight.

    Returns:
        A vector of `config.floatx()` weights, one per sample.
    """
    idx = class_indices(y)
    classes, inverse = np.unique(idx, return_inverse=True)
    table = np.array([float(class_weight.get(int(c), 1.0)) for c in classes], dtype="float64")
    return table[inverse.reshape(-1)].astype(config.floatx())


# ---------------------------------------------------------------------------------------------
# Validation split
# ---------------------------------------------------------------------------------------------


def train_validation_split(arrays: Any, validation_split: float) -> tuple[Any, Any]:
    """Split arrays into a training part and the LAST `validation_split` fraction (unshuffled).

    Args:
        arrays: One array or a nest of arrays (e.g. `(x, y, sample_weight)`); `None` entries
            are kept as `None` in both parts.
        validation_split: Fraction of the samples, strictly between 0 and 1, to hold out.

    Returns:
        `(train, validation)`, each with the structure of `arrays`.

    Raises:
        ValueError: for generators, datasets or other non-array leaves, and when the split
            would leave the training or the validation part empty.
    """
    leaves = flatten(arrays)
    bad = [type(t) for t in leaves if t is not None and not is_array_like(t)]
    if bad:
        raise ValueError(
            "Argument `validation_split` is only supported for tensors or NumPy arrays. "
            f"Found incompatible type in the input: {bad}. For generators and `PyDataset`s "
            "pass `validation_data` instead."
        )
    arrays = map_structure(to_numpy, arrays)
    first = next((t for t in flatten(arrays) if t is not None), None)
    if first is None:
        return arrays, arrays
    num_samples = int(first.shape[0])
    split_at = int(math.floor(num_samples * (1.0 - validation_split)))
    if split_at <= 0 or split_at >= num_samples:
        raise ValueError(
            f"Training data contains {num_samples} samples, which is not sufficient to split "
            "it into a validation and training set as specified by "
            f"`validation_split={validation_split}`. Either provide more data, or a different "
            "value (strictly between 0 and 1) for the `validation_split` argument."
        )

    def head(t: Any) -> Any:
        return None if t is None else t[:split_at]

    def tail(t: Any) -> Any:
        return None if t is None else t[split_at:]

    return map_structure(head, arrays), map_structure(tail, arrays)

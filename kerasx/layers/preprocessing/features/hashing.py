"""`Hashing` and `HashedCrossing`: stable hashing of categorical features into bins.

The hashes run on the host (NumPy / Python), as Keras's run outside a TensorFlow graph; they
are FarmHash64 fingerprints (SipHash-2-4 when salted), so the bins equal Keras's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.layers.preprocessing.features import _hash
from kerasx.layers.preprocessing.features._utils import (
    HostInputMixin,
    check_choice,
    check_sparse,
    encode,
    encoded_shape,
    is_int,
    to_host,
)

_CROSS_KEY = 0xDECAFCAFFE  # the default key of TensorFlow's hashed feature crossing
_U64 = (1 << 64) - 1


def _is_text(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "USO"


def _host_values(inputs: Any) -> np.ndarray:
    arr = to_host(inputs)
    if arr.dtype.kind == "O":
        flat = arr.reshape(-1)
        if flat.size and not isinstance(flat[0], (str, bytes)):
            arr = arr.astype("int64")
    return arr


class Hashing(HostInputMixin, Layer):
    """Hash strings or integers into `num_bins` bins with a stable hash.

    Integers are hashed as their decimal text, so ``1`` and ``"1"`` share a bin. Without a
    salt the hash is FarmHash64; with one it is SipHash-2-4 keyed by the salt. With a
    `mask_value`, that value maps to 0 and the others to ``1 .. num_bins - 1``. Hashing runs
    on the host (not inside a compiled function).

    Args:
        num_bins: the number of bins, the mask bin included.
        mask_value: a value that maps to bin 0 (None: no mask bin).
        salt: an integer, or a pair of integers: the SipHash key (an integer ``s`` means
            ``(s, s)``). None uses FarmHash64.
        output_mode: ``"int"`` (bin indices, int64), ``"one_hot"``, ``"multi_hot"`` or
            ``"count"``.
        sparse: must be False (kerasx has no sparse tensors).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(
        self,
        num_bins: int,
        mask_value: Any = None,
        salt: Any = None,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or not is_int(num_bins) or num_bins <= 0:
            raise ValueError(
                "The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                f"Received: num_bins={num_bins}."
            )
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of ('int', 'one_hot', "
                f"'multi_hot', 'count'). Received: output_mode={output_mode}"
            )
        check_sparse("Hashing", sparse)
        if salt is not None:
            if is_int(salt):
                salt = [int(salt), int(salt)]
            elif isinstance(salt, (list, tuple)) and len(salt) == 2 and all(map(is_int, salt)):
                salt = [int(s) for s in salt]
            else:
                raise ValueError(
                    "The `salt` argument for `Hashing` can only be a tuple of size 2 integers, "
                    f"or a single integer. Received: salt={salt}."
                )
        if mask_value is not None and num_bins < 2:
            raise ValueError(
                "With a `mask_value`, `num_bins` must be at least 2 (bin 0 is the mask's). "
                f"Received: num_bins={num_bins}, mask_value={mask_value!r}"
            )
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = salt
        self.output_mode = output_mode
        self.sparse = bool(sparse)
        self.built = True

    def _bins(self, inputs: Any) -> np.ndarray:
        arr = _host_values(inputs)
        if _is_text(arr):
            flat = list(arr.reshape(-1))
        else:
            flat = arr.reshape(-1).astype("int64").tolist()
        salt = None if self.salt is None else (self.salt[0], self.salt[1])
        hashes = np.array(_hash.hash_values(flat, salt), dtype="uint64")
        available = self.num_bins - (1 if self.mask_value is not None else 0)
        bins = (hashes % np.uint64(available)).astype("int64")
        if self.mask_value is not None:
            bins += 1
            mask = self.mask_value
            if _is_text(arr):
                mask = mask.decode() if isinstance(mask, bytes) else str(mask)
                text = [v.decode() if isinstance(v, bytes) else v for v in flat]
                hit = np.array([v == mask for v in text], dtype=bool)
            else:
                hit = np.asarray(flat) == int(mask)
            bins[hit] = 0
        return bins.reshape(arr.shape)

    def call(self, inputs: Any) -> Any:
        """Hash `inputs` (strings or integers; floats are truncated) into bins."""
        bins = self._bins(inputs)
        out_dtype = self.compute_dtype if "int" in self.compute_dtype else "int64"
        idx = ops.convert_to_tensor(bins, dtype="int64")
        if self.output_mode == "int":
            return ops.cast(idx, out_dtype)
        return encode(idx, self.output_mode, self.num_bins, self.compute_dtype)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """The output spec (int64 bins, or the encoded compute dtype)."""
        dtype = "int64" if self.output_mode == "int" else self.compute_dtype
        if self.output_mode == "int" and "int" in self.compute_dtype:
            dtype = self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape for ``"int"``, else the encoded shape."""
        return encoded_shape(tuple(input_shape), self.output_mode, self.num_bins)

    def get_config(self) -> dict:
        """The base config plus the hashing arguments."""
        config = super().get_config()
        config.update(
            {
                "num_bins": self.num_bins,
                "salt": self.salt,
                "mask_value": self.mask_value,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
            }
        )
        return config


class HashedCrossing(HostInputMixin, Layer):
    """Cross several categorical features by hashing each combination into `num_bins` bins.

    The inputs (two or more, integer or string, all of shape ``()``, ``(batch,)`` or
    ``(batch, 1)``) are combined element-wise: each value's fingerprint (an integer stands
    for itself, a string for its FarmHash64) is folded into a running 64-bit fingerprint, and
    the result modulo `num_bins` is the bin, as Keras's TensorFlow-based crossing computes it.

    Args:
        num_bins: the number of bins.
        output_mode: ``"int"`` (bin indices, int64) or ``"one_hot"``.
        sparse: must be False (kerasx has no sparse tensors).
        name: the layer's name.
        dtype: the output dtype (default int64 for ``"int"``, else float32).
        **kwargs: further base `Layer` arguments.
    """

    _auto_config = False

    def __init__(
        self,
        num_bins: int,
        output_mode: str = "int",
        sparse: bool = False,
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        if dtype is None:
            dtype = "int64" if output_mode == "int" else "float32"
        super().__init__(name=name, dtype=dtype, **kwargs)
        check_choice("HashedCrossing", "output_mode", output_mode, ("int", "one_hot"))
        check_sparse("HashedCrossing", sparse)
        if not is_int(num_bins) or num_bins <= 0:
            raise ValueError(
                f"`num_bins` must be a positive integer. Received: num_bins={num_bins}"
            )
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = bool(sparse)
        self.built = True

    def _check(self, inputs: Any) -> list:
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(
                "`HashedCrossing` should be called on at least two inputs. Received: "
                f"inputs={inputs}"
            )
        shapes = [tuple(x.shape) for x in inputs]
        for s in shapes:
            if not (len(s) == 0 or len(s) == 1 or (len(s) == 2 and s[1] == 1)):
                raise ValueError(
                    "All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
                    f"`(batch_size, 1)`. Received: input shapes={shapes}"
                )
        if len(set(shapes)) != 1 and not any(isinstance(x, KerasTensor) for x in inputs):
            raise ValueError(
                f"All `HashedCrossing` inputs should have equal shape. Received: input "
                f"shapes={shapes}"
            )
        return shapes

    def call(self, inputs: Any) -> Any:
        """Cross the features of `inputs` (a list or tuple of tensors) into bins."""
        self._check(inputs)
        arrays = [_host_values(x) for x in inputs]
        for a in arrays:
            if not (_is_text(a) or a.dtype.kind in "iu"):
                raise ValueError(
                    "All `HashedCrossing` inputs should have an integer or string dtype. "
                    f"Received dtypes: {[str(x.dtype) for x in arrays]}"
                )
        shape = arrays[0].shape
        columns = []
        for a in arrays:
            flat = list(a.reshape(-1))
            if _is_text(a):
                columns.append(_hash.hash_values(flat))
            else:
                columns.append([int(v) & _U64 for v in flat])
        out = []
        for values in zip(*columns):
            acc = _CROSS_KEY
            for v in values:
                acc = _hash.fingerprint_cat64(acc, v)
            out.append(acc % self.num_bins)
        idx = ops.convert_to_tensor(np.array(out, dtype="int64").reshape(shape))
        if self.output_mode == "int":
            return ops.cast(idx, self.compute_dtype) if "int" in self.compute_dtype else idx
        return encode(idx, "one_hot", self.num_bins, self.compute_dtype)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """The output spec of crossing `inputs`."""
        shapes = self._check(inputs)
        shape = self.compute_output_shape(shapes)
        dtype = self.compute_dtype if self.output_mode == "one_hot" else "int64"
        if self.output_mode == "int" and "int" in self.compute_dtype:
            dtype = self.compute_dtype
        return KerasTensor(shape, dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The first input's shape, or ``(batch, num_bins)`` for one-hot."""
        first = tuple(input_shape[0])
        return encoded_shape(first, self.output_mode, self.num_bins)

    def get_config(self) -> dict:
        """num_bins, output_mode, sparse, name and dtype (as Keras)."""
        return {
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self._dtype_policy.name,
        }

"""`Discretization`: bucket continuous values by boundaries, given or learned as quantiles."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine.dtypes import standardize_dtype
from kerasx.layers.layer import Layer
from kerasx.layers.preprocessing.features._utils import (
    check_choice,
    check_sparse,
    encode,
    encoded_shape,
    is_int,
    iter_batches,
)

_MODES = ("int", "one_hot", "multi_hot", "count")


def _is_array(data: Any) -> bool:
    return (
        hasattr(data, "shape")
        and hasattr(data, "dtype")
        or (isinstance(data, (list, tuple)) and not any(hasattr(v, "shape") for v in data))
    )


def _sketch(values: np.ndarray, epsilon: float) -> np.ndarray:
    """A weighted sample of sorted `values`: about ``1 / epsilon`` evenly spaced points, each
    standing for the number of values it replaces (row 0: points, row 1: weights)."""
    values = np.sort(np.reshape(values, (-1,)))
    per_point = values.size / (1.0 / epsilon)  # values each kept point stands for
    step = max(per_point, 1)
    points = values[int(per_point) :: int(step)]
    return np.stack([points, np.full(points.shape, step, dtype=points.dtype)])


def _shrink(sketch: np.ndarray, epsilon: float) -> np.ndarray:
    """Resample a sketch to ``1 / epsilon`` points at evenly spaced cumulative weights."""
    if sketch.shape[1] * epsilon < 1:
        return sketch
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = sketch[1].cumsum()
    frac = cum / cum[-1]
    points = np.interp(targets, frac, sketch[0])
    new_cum = np.interp(targets, frac, cum)
    weights = new_cum - np.concatenate(([0.0], new_cum[:-1]))
    return np.stack([points, weights]).astype("float32")


def _combine(a: np.ndarray, b: np.ndarray, epsilon: float) -> np.ndarray:
    both = np.concatenate([a, b], axis=1)
    both = both[:, np.argsort(both[0], kind="stable")]
    return _shrink(both, epsilon)


class Discretization(Layer):
    """Map each value to the index of its bucket: ``i`` where
    ``bin_boundaries[i - 1] <= x < bin_boundaries[i]`` (0 below the first boundary).

    The boundaries are given, or learned by ``adapt(data)`` as approximate quantiles that
    split the data into `num_bins` buckets of about equal size (`epsilon` sets the sketch's
    resolution).

    Args:
        bin_boundaries: sorted boundaries (``n`` boundaries make ``n + 1`` buckets).
        num_bins: the number of buckets to learn with `adapt` (instead of `bin_boundaries`).
        epsilon: the relative error of the quantile sketch used by `adapt`.
        output_mode: ``"int"`` (bucket indices, int32), ``"one_hot"``, ``"multi_hot"`` or
            ``"count"`` (encoded over ``num_bins`` / ``len(bin_boundaries) + 1`` buckets).
        sparse: must be False (kerasx has no sparse tensors).
        dtype: the output dtype of the encoded modes (default float32).
        name: the layer's name.
    """

    _auto_config = False

    def __init__(
        self,
        bin_boundaries: Any = None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(dtype=dtype, name=name)
        check_choice("Discretization", "output_mode", output_mode, _MODES)
        check_sparse("Discretization", sparse)
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. Received: "
                f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError(
                "You need to set either `num_bins` or `bin_boundaries`. Received: "
                "num_bins=None and bin_boundaries=None"
            )
        if num_bins is not None and (not is_int(num_bins) or num_bins < 1):
            raise ValueError(
                f"`num_bins` must be a positive integer. Received: num_bins={num_bins}"
            )
        if not isinstance(epsilon, (int, float)) or not 0 < epsilon < 1:
            raise ValueError(f"`epsilon` must be a number in (0, 1). Received: epsilon={epsilon}")
        self.bin_boundaries = (
            None if bin_boundaries is None else [float(b) for b in np.ravel(bin_boundaries)]
        )
        self.num_bins = None if num_bins is None else int(num_bins)
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = bool(sparse)
        self.input_bin_boundaries = self.bin_boundaries
        self._summary = np.zeros((2, 0), dtype="float32")
        self.built = True

    @property
    def _depth(self) -> int:
        if self.bin_boundaries is not None:
            return len(self.bin_boundaries) + 1
        return int(self.num_bins)  # type: ignore[arg-type]

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn `num_bins - 1` boundaries from the quantiles of `data`.

        Args:
            data: an array or tensor, or an iterable of batches.
            steps: read at most this many batches.
        """
        if self.input_bin_boundaries is not None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized with "
                "`bin_boundaries`, use `num_bins` instead."
            )
        self.reset_state()
        # An array is read in slices of 32 rows (the batches Keras makes of it), which the
        # sketch then merges one after the other.
        batch_size = 32 if _is_array(data) else None
        for batch in iter_batches(data, steps=steps, batch_size=batch_size):
            batch = np.asarray(batch, dtype="float32")
            if batch.size == 0:
                continue
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        """Fold one batch into the quantile sketch."""
        sketch = _sketch(np.asarray(data, dtype="float32"), self.epsilon)
        self._summary = _combine(sketch, self._summary, self.epsilon)

    def finalize_state(self) -> None:
        """Turn the sketch into `bin_boundaries`."""
        if self.input_bin_boundaries is not None or self._summary.shape[1] == 0:
            return
        cut = _shrink(self._summary, 1.0 / self.num_bins)  # type: ignore[operator]
        self.bin_boundaries = [float(b) for b in cut[0, :-1]]

    def reset_state(self) -> None:
        """Forget what `adapt` learned."""
        if self.input_bin_boundaries is not None:
            return
        self._summary = np.zeros((2, 0), dtype="float32")
        self.bin_boundaries = None

    def call(self, inputs: Any) -> Any:
        """Bucket `inputs`; encode the bucket indices unless ``output_mode="int"``."""
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at construction time "
                "or call `adapt(dataset)` before you can start using the `Discretization` "
                "layer."
            )
        x = ops.convert_to_tensor(inputs)
        if not self.bin_boundaries:
            idx = ops.zeros(ops.shape(x), dtype="int32")
        else:
            dtype = standardize_dtype(x.dtype)
            if "float" not in dtype:
                x = ops.cast(x, "float64" if dtype in ("int64", "uint64") else "float32")
                dtype = standardize_dtype(x.dtype)
            bounds = ops.cast(np.asarray(self.bin_boundaries, dtype="float64"), dtype)
            idx = ops.cast(ops.digitize(x, bounds), "int32")
        if self.output_mode == "int":
            return idx
        return encode(idx, self.output_mode, self._depth, self.compute_dtype)

    def compute_output_spec(self, inputs: Any) -> Any:
        """The output tensor spec (int32 indices or the encoded compute dtype)."""
        from kerasx.engine.symbolic import KerasTensor

        shape = self.compute_output_shape(inputs.shape)
        dtype = "int32" if self.output_mode == "int" else self.compute_dtype
        return KerasTensor(shape, dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape for ``"int"``, else the encoded shape."""
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(tuple(input_shape), self.output_mode, self._depth)

    @classmethod
    def from_config(cls, config: dict) -> Discretization:
        """Rebuild a layer; a learned config (boundaries and num_bins) keeps both."""
        config = dict(config)
        learned = None
        if config.get("num_bins") is not None and config.get("bin_boundaries") is not None:
            learned = config.pop("bin_boundaries")
        layer = super().from_config(config)
        if learned is not None:
            layer.bin_boundaries = [float(b) for b in learned]
        return layer

    def get_config(self) -> dict:
        """Boundaries, num_bins, epsilon, output_mode, sparse, name and dtype (as Keras)."""
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self._dtype_policy.name,
        }

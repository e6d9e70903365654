"""`Softmax`: the softmax activation layer, with optional masking."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args


def _large_negative(dtype: Any) -> float:
    """A very negative logit that the dtype can hold (exp of it underflows to 0)."""
    return -3e4 if str(dtype) == "float16" else -1e9


class Softmax(Layer):
    """Softmax over `axis`: non-negative outputs that sum to one along it.

    With a `mask` (True keeps a position; of the input's rank, each dimension 1 or equal to
    the input's), masked positions get
    probability 0 and the rest share the whole mass; where every position along `axis` is
    masked, the output is all zeros.

    Args:
        axis: the axis, or a tuple/list of axes, to normalize over.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not (
            args.is_int(axis)
            or (isinstance(axis, (list, tuple)) and axis and all(args.is_int(a) for a in axis))
        ):
            raise ValueError(
                "Received an invalid value for `axis`, expected an int or a tuple of ints. "
                f"Received: axis={axis!r}"
            )
        self.axis = axis
        self.built = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        """Softmax of `inputs` along `axis`, with masked positions set to 0."""
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        if mask is None:
            return ops.softmax(inputs, axis=axis)
        in_shape, mask_shape = tuple(inputs.shape), tuple(mask.shape)
        if len(mask_shape) != len(in_shape) or any(
            m is not None and i is not None and m not in (1, i)
            for m, i in zip(mask_shape, in_shape)
        ):
            raise ValueError(
                f"Received an invalid `mask` in layer '{self.name}' (Softmax): it must have the "
                "rank of `inputs`, each dimension 1 or equal to the input's. Received: "
                f"inputs.shape={in_shape}, mask.shape={mask_shape}"
            )
        keep = ops.cast(mask, inputs.dtype)
        logits = ops.add(
            inputs, ops.multiply(ops.subtract(1.0, keep), _large_negative(inputs.dtype))
        )
        if isinstance(axis, tuple):
            # Normalize over several axes: exp(x - logsumexp(x)).
            out = ops.exp(ops.subtract(logits, ops.logsumexp(logits, axis=axis, keepdims=True)))
        else:
            out = ops.softmax(logits, axis=axis)
        return ops.multiply(out, keep)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict:
        """The base config plus axis."""
        config = super().get_config()
        config["axis"] = self.axis
        return config

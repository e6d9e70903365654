"""`InputSpec`: what a layer accepts (rank, dtype, fixed axes), checked on every call."""

from __future__ import annotations

from typing import Any

from kerasx.engine import tree


class InputSpec:
    """Constraints on one input of a layer.

    Args:
        dtype: the expected dtype, or None.
        shape: the full expected shape (None entries match anything).
        ndim: the exact rank.
        max_ndim: the largest allowed rank.
        min_ndim: the smallest allowed rank.
        axes: ``{axis: size}`` for axes whose size is fixed.
        allow_last_axis_squeeze: accept inputs whose last axis of size 1 is missing.
        name: the input's name (used in messages).
        optional: whether the input may be None.
    """

    def __init__(
        self,
        dtype: Any = None,
        shape: Any = None,
        ndim: int | None = None,
        max_ndim: int | None = None,
        min_ndim: int | None = None,
        axes: dict | None = None,
        allow_last_axis_squeeze: bool = False,
        name: str | None = None,
        optional: bool = False,
    ) -> None:
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            top = (self.ndim if self.ndim is not None else self.max_ndim) - 1
            if max(self.axes) > top:
                raise ValueError(
                    f"Axis {max(self.axes)} is greater than the maximum allowed value: {top}"
                )

    def get_config(self) -> dict:
        """The constructor arguments."""
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
        }

    @classmethod
    def from_config(cls, config: dict) -> InputSpec:
        """Rebuild from `get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.get_config().items() if v]
        return f"InputSpec({', '.join(parts)})"


def assert_input_compatibility(input_spec: Any, inputs: Any, layer_name: str) -> None:
    """Raise ValueError when `inputs` break `input_spec` (a spec or a list of specs)."""
    if not input_spec:
        return
    specs = tree.flatten(input_spec)
    flat = tree.flatten(inputs)
    if len(flat) != len(specs):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} '
            f"input tensors. Inputs received: {flat}"
        )
    for i, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None:
            continue
        if x is None:
            if spec.optional:
                continue
            raise ValueError(f'Input {i} of layer "{layer_name}" is None, which is not allowed.')
        if not hasattr(x, "shape"):
            continue
        shape = tuple(x.shape)
        rank = len(shape)
        head = (
            f"Input {i} with name '{spec.name}' of layer '{layer_name}' is incompatible with "
            "the layer:"
        )
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
            raise ValueError(
                f"{head} expected ndim={spec.ndim}, found ndim={rank}. Full shape received: {shape}"
            )
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(
                f"{head} expected max_ndim={spec.max_ndim}, found ndim={rank}. "
                f"Full shape received: {shape}"
            )
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(
                f"{head} expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                f"Full shape received: {shape}"
            )
        for axis, value in spec.axes.items():
            if value is None or not -rank <= axis < rank:
                continue
            got = shape[axis]
            if got is not None and got != value:
                raise ValueError(
                    f"{head} expected axis {axis} of input shape to have value {value}, but "
                    f"received input with shape {shape}"
                )
        if spec.shape is not None and rank == len(spec.shape):
            for want, got in zip(spec.shape, shape):
                if want is not None and got is not None and want != got:
                    raise ValueError(f"{head} expected shape={spec.shape}, found shape={shape}")

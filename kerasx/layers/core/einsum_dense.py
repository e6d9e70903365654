"""`EinsumDense`: a dense layer whose contraction is an einsum equation."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from kerasx import activations, constraints, initializers, ops, regularizers
from kerasx.layers.core._lora import LoraMixin, lora_base_property
from kerasx.layers.layer import Layer

_PLAIN = re.compile(r"^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$")
_LEFT = re.compile(r"^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$")
_RIGHT = re.compile(r"^([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]{2,})\.\.\.$")


def _serialize_or_none(module: Any, obj: Any) -> Any:
    return None if obj is None else module.serialize(obj)


def parse_equation(equation: str) -> tuple[str, str, str, str]:
    """Split ``equation`` into (input spec, kernel spec, output spec, elision).

    `elision` is ``""`` (no ellipsis), ``"left"`` (``...ab,bc->...ac``) or ``"right"``
    (``ab...,bc->ac...``).
    """
    for pattern, elision in ((_PLAIN, ""), (_LEFT, "left"), (_RIGHT, "right")):
        match = pattern.match(equation) if isinstance(equation, str) else None
        if match:
            return match.group(1), match.group(2), match.group(3), elision
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], "
        "...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
    )


def analyze_equation(
    equation: str,
    bias_axes: str | None,
    input_shape: tuple,
    output_shape: tuple,
    need_weights: bool = True,
) -> tuple[tuple, tuple | None, tuple]:
    """Work out the kernel shape, the bias shape and the full output shape.

    Args:
        equation: the einsum equation (see `EinsumDense`).
        bias_axes: output letters that get a bias, or None.
        input_shape: the full input shape (batch axis included).
        output_shape: the output shape without the batch axis (entries may be None).
        need_weights: whether the kernel's sizes must all be known (False when only the
            output shape is wanted).

    Returns:
        ``(kernel_shape, bias_shape_or_None, full_output_shape)``.
    """
    in_spec, w_spec, out_spec, elision = parse_equation(equation)
    input_shape = tuple(input_shape)
    n_elided = len(input_shape) - len(in_spec)
    if n_elided < 0 or (elision == "" and n_elided != 0):
        raise ValueError(
            f"The equation '{equation}' expects inputs of rank {len(in_spec)}"
            f"{' or more' if elision else ''}, but received input_shape={input_shape}."
        )
    # Each named output letter's requested size (None: free / taken from the input).
    given = list(output_shape)
    requested: dict[str, Any] = {}
    if elision == "left":
        # The named output axes are the trailing ones.
        tail = given[-len(out_spec) :] if given else []
        tail = [None] * (len(out_spec) - len(tail)) + list(tail)
        requested = dict(zip(out_spec, tail))
    else:
        full = [input_shape[0], *given]
        requested = {c: (full[i] if i < len(full) else None) for i, c in enumerate(out_spec)}
    if elision == "left":
        in_dims = dict(zip(in_spec, input_shape[n_elided:]))
    else:
        in_dims = dict(zip(in_spec, input_shape[: len(in_spec)]))
    out_dims: dict[str, Any] = {}
    for c in out_spec:
        req = requested.get(c)
        if c in in_dims:
            have = in_dims[c]
            if req is not None and have is not None and req != have:
                raise ValueError(
                    f"Input shape and output shape do not match at shared dimension '{c}'. "
                    f"Input shape is {have}, and output shape is {req}."
                )
            out_dims[c] = have if have is not None else req
        elif c in w_spec:
            out_dims[c] = req
        else:
            raise ValueError(
                f"Dimension '{c}' was specified in the output '{out_spec}' but has no "
                f"corresponding dim in the input spec '{in_spec}' or weight spec '{w_spec}'"
            )
    kernel_shape = []
    for c in w_spec:
        if c in in_dims:
            size = in_dims[c]
        elif c in out_dims:
            size = out_dims[c]
        else:
            raise ValueError(
                f"Weight dimension '{c}' did not have a match in either the input spec "
                f"'{in_spec}' or the output spec '{out_spec}'. For this layer, the weight "
                "must be fully specified."
            )
        if size is None and need_weights:
            raise ValueError(
                f"The size of weight dimension '{c}' of equation '{equation}' is unknown: "
                f"give it in `output_shape` or make it known in the input. Received: "
                f"input_shape={input_shape}, output_shape={tuple(output_shape)}"
            )
        kernel_shape.append(None if size is None else int(size))
    bias_shape = None
    if bias_axes is not None:
        for c in bias_axes:
            if c not in out_spec:
                raise ValueError(
                    f"Bias dimension '{c}' was requested, but is not part of the output spec "
                    f"'{out_spec}'"
                )
        first = min(out_spec.index(c) for c in bias_axes)
        bias_shape = []
        for c in out_spec[first:]:
            if c not in bias_axes:
                bias_shape.append(1)
            elif out_dims[c] is None:
                raise ValueError(
                    f"The size of bias dimension '{c}' is unknown: give it in `output_shape`. "
                    f"Received: output_shape={tuple(output_shape)}"
                )
            else:
                bias_shape.append(int(out_dims[c]))
        if elision == "right":
            bias_shape.extend([1] * n_elided)
        bias_shape = tuple(bias_shape)
    named = [out_dims[c] for c in out_spec]
    if elision == "left":
        full_out = (*input_shape[:n_elided], *named)
    elif elision == "right":
        full_out = (*named, *input_shape[len(in_spec) :])
    else:
        full_out = tuple(named)
    return tuple(kernel_shape), bias_shape, full_out


def _normalize_output_shape(output_shape: Any) -> tuple:
    if isinstance(output_shape, (int, np.integer)) and not isinstance(output_shape, bool):
        return (int(output_shape),)
    if isinstance(output_shape, (list, tuple)) and all(
        d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool))
        for d in output_shape
    ):
        return tuple(None if d is None else int(d) for d in output_shape)
    raise ValueError(
        "Received an invalid value for `output_shape`, expected an integer or a tuple of "
        f"integers (None for an axis whose size comes from the input). "
        f"Received: output_shape={output_shape!r}"
    )


class EinsumDense(LoraMixin, Layer):
    """A dense layer that multiplies its input with a kernel along an einsum equation.

    The equation names the input's axes, the kernel's axes and the output's axes, e.g.
    ``"ab,bc->ac"`` is an ordinary `Dense` layer, ``"abc,cde->abde"`` projects a sequence
    to several heads. A leading or trailing ``...`` (``"...b,bc->...c"``,
    ``"ab...,bc->ac..."``) stands for axes passed through unchanged. The kernel's shape
    follows from the input's sizes and `output_shape`; with `bias_axes` a bias is added
    over the named output axes (broadcast over the others).

    Args:
        equation: the einsum equation, ``input,kernel->output``.
        output_shape: the output's shape without the batch axis (an int for one axis);
            None entries take the input's size.
        activation: the activation applied to the output (None: none).
        bias_axes: the output letters that carry a bias (None: no bias).
        kernel_initializer: how the kernel is initialized.
        bias_initializer: how the bias is initialized.
        kernel_regularizer: a regularizer for the kernel.
        bias_regularizer: a regularizer for the bias.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        lora_rank: when set (a positive integer), LoRA is enabled at build time with this
            rank: the kernel is frozen and two trainable factors ``lora_kernel_a``
            (``kernel.shape[:-1] + (rank,)``) and ``lora_kernel_b`` (``(rank,
            kernel.shape[-1])``) learn a correction (see `enable_lora`).
        lora_alpha: the LoRA scale numerator (None: `lora_rank`); the correction is scaled
            by ``lora_alpha / lora_rank``.
        gptq_unpacked_column_size: accepted for Keras compatibility (must be None:
            quantization is not implemented).
        quantization_config: accepted for Keras compatibility (must be None: quantization is
            not implemented).
        **kwargs: base `Layer` arguments (name, dtype, trainable, activity_regularizer, ...).
    """

    _auto_config = False
    _lora_keeps_alpha = True

    def __init__(
        self,
        equation: str,
        output_shape: Any,
        activation: Any = None,
        bias_axes: str | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        gptq_unpacked_column_size: int | None = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for arg, value in (
            ("gptq_unpacked_column_size", gptq_unpacked_column_size),
            ("quantization_config", quantization_config),
        ):
            if value is not None:
                raise NotImplementedError(
                    f"EinsumDense(`{arg}`=...) is not supported: kerasx does not implement "
                    f"quantization. Leave `{arg}` as None. Received: {arg}={value!r}"
                )
        in_spec, _, out_spec, _ = parse_equation(equation)
        if bias_axes is not None:
            if not isinstance(bias_axes, str):
                raise ValueError(
                    "Received an invalid value for `bias_axes`, expected a string of output "
                    f"letters or None. Received: bias_axes={bias_axes!r}"
                )
            for c in bias_axes:
                if c not in out_spec:
                    raise ValueError(
                        f"Bias dimension '{c}' was requested, but is not part of the output "
                        f"spec '{out_spec}'. Received: bias_axes={bias_axes!r}"
                    )
        self.equation = equation
        self.partial_output_shape = _normalize_output_shape(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha)
        self.quantization_config = None
        self.full_output_shape: tuple | None = None
        self._kernel = None
        self.bias = None

    kernel = lora_base_property("kernel")

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` (and ``bias`` when `bias_axes` is set) for inputs of `input_shape`.

        Args:
            input_shape: the full input shape; the axes the kernel contracts must be known.
        """
        kernel_shape, bias_shape, full = analyze_equation(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape
        )
        self.full_output_shape = full
        self._kernel = self.add_weight(
            name="kernel",
            shape=kernel_shape,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if bias_shape is not None:
            self.bias = self.add_weight(
                name="bias",
                shape=bias_shape,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.built = True
        self._maybe_enable_lora()

    def call(self, inputs: Any, training: Any = None) -> Any:
        """Contract `inputs` with the kernel, add the bias, apply the activation.

        Args:
            inputs: a tensor matching the equation's input spec.
            training: unused (accepted so the flag flows through).

        Returns:
            The output tensor (see `compute_output_shape`).
        """
        x = ops.einsum(self.equation, inputs, self._lora_effective())
        if self.bias is not None:
            x = ops.add(x, self.bias)
        if self.activation is not None:
            x = self.activation(x)
        return x

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The output shape for inputs of `input_shape` (batch axis included)."""
        _, _, full = analyze_equation(
            self.equation, None, tuple(input_shape), self.partial_output_shape, need_weights=False
        )
        return full

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = super().get_config()
        config.update(
            {
                "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _serialize_or_none(regularizers, self.kernel_regularizer),
                "bias_regularizer": _serialize_or_none(regularizers, self.bias_regularizer),
                "kernel_constraint": _serialize_or_none(constraints, self.kernel_constraint),
                "bias_constraint": _serialize_or_none(constraints, self.bias_constraint),
                "quantization_config": None,
                **self._lora_config(),
            }
        )
        return config

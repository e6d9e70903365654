"""`PReLU`: the leaky rectifier with a learned slope."""

from __future__ import annotations

from typing import Any

from kerasx import constraints, initializers, ops, regularizers
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.layers.pooling import _arguments as args


def _serialize_or_none(module: Any, obj: Any) -> Any:
    return None if obj is None else module.serialize(obj)


class PReLU(Layer):
    """Parametric ReLU: ``x`` for ``x >= 0`` and ``alpha * x`` below 0, `alpha` learned.

    The weight ``alpha`` has the input's shape without the batch axis, except that the
    `shared_axes` have size 1 (one slope shared along them, e.g. ``shared_axes=[1, 2]``
    for one slope per channel of a ``(batch, rows, cols, channels)`` image).

    Args:
        alpha_initializer: how ``alpha`` is initialized (default zeros: a plain ReLU).
        alpha_regularizer: a regularizer for ``alpha``.
        alpha_constraint: a constraint applied to ``alpha`` after each update.
        shared_axes: an int or a list of axes (counted from 1, after the batch axis) along
            which ``alpha`` is shared; None shares along no axis.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(
        self,
        alpha_initializer: Any = "Zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            if not all(args.is_int(a) and a >= 1 for a in axes):
                raise ValueError(
                    "Received an invalid value for `shared_axes`, expected None, an int or a "
                    "list of ints >= 1 (axes after the batch axis). "
                    f"Received: shared_axes={shared_axes!r}"
                )
            self.shared_axes = [int(a) for a in axes]

    def build(self, input_shape: Any) -> None:
        """Create ``alpha`` of shape ``input_shape[1:]`` with the shared axes set to 1.

        Args:
            input_shape: the input shape (its non-shared, non-batch axes must be known).
        """
        shape = tuple(input_shape)
        param_shape = list(shape[1:])
        for axis in self.shared_axes or []:
            if axis >= len(shape):
                raise ValueError(
                    f"Received an invalid value for `shared_axes` in layer '{self.name}': axis "
                    f"{axis} does not exist for inputs of rank {len(shape)}. "
                    f"Received: shared_axes={self.shared_axes}"
                )
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(
                f"Layer '{self.name}' (PReLU) needs the size of every non-shared axis to create "
                f"its `alpha` weight. Received: input_shape={shape}"
            )
        self.alpha = self.add_weight(
            shape=param_shape,
            name="alpha",
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        axes = {}
        if self.shared_axes:
            axes = {i: shape[i] for i in range(1, len(shape)) if i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(shape), axes=axes)
        self.built = True

    def call(self, inputs: Any) -> Any:
        """``relu(x) - alpha * relu(-x)``."""
        negative = ops.multiply(self.alpha.value, ops.relu(ops.negative(inputs)))
        return ops.subtract(ops.relu(inputs), negative)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict:
        """The base config plus the alpha initializer/regularizer/constraint and shared_axes."""
        config = super().get_config()
        config.update(
            {
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": _serialize_or_none(regularizers, self.alpha_regularizer),
                "alpha_constraint": _serialize_or_none(constraints, self.alpha_constraint),
                "shared_axes": self.shared_axes,
            }
        )
        return config

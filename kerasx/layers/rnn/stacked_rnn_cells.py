"""`StackedRNNCells`: several recurrent cells run as one, each feeding the next."""

from __future__ import annotations

from typing import Any

from kerasx.engine import tree
from kerasx.layers.layer import Layer
from kerasx.layers.rnn.rnn import _accepts, deserialize_layer, state_template
from kerasx.saving.serialization import serialize_keras_object


class StackedRNNCells(Layer):
    """Wrap a list of recurrent cells so they behave as one cell (a deep RNN per timestep).

    At each step the first cell reads the input, each further cell reads the previous cell's
    output, and the output is the last cell's. The states are those of every cell, in order
    (``state_size`` is the list of the cells' state sizes).

    Args:
        cells: a list of cells (e.g. ``[LSTMCell(32), LSTMCell(16)]``).
        **kwargs: base `Layer` arguments.
    """

    _auto_config = False

    def __init__(self, cells: list, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError(
                "Argument `cells` must be a non-empty list of recurrent cells. "
                f"Received: cells={cells!r}"
            )
        for cell in cells:
            if not callable(getattr(cell, "call", None)) or not hasattr(cell, "state_size"):
                raise ValueError(
                    "All cells must have a `call` method and a `state_size` attribute. "
                    f"Received: cells={cells!r}"
                )
        self.cells = list(cells)

    @property
    def state_size(self) -> list:
        """The cells' state sizes, in order."""
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> Any:
        """The last cell's output size."""
        last = self.cells[-1]
        out = getattr(last, "output_size", None)
        if out is None:
            out = tree.flatten(state_template(last.state_size))[0]
        return out

    def get_initial_state(self, batch_size: Any = None) -> list:
        """Each cell's initial states, in a list per cell."""
        from kerasx import ops

        out = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                init = fn(batch_size=batch_size)
                out.append(list(init) if isinstance(init, (list, tuple)) else [init])
            else:
                out.append(
                    [
                        ops.zeros((batch_size, s), dtype=self.compute_dtype)
                        for s in tree.flatten(state_template(cell.state_size))
                    ]
                )
        return out

    def build(self, input_shape: Any) -> None:
        """Build each cell on the previous cell's output size."""
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(shape)
                cell.built = True
            out = getattr(cell, "output_size", None)
            if out is None:
                out = tree.flatten(state_template(cell.state_size))[0]
            shape = (shape[0], *(out if isinstance(out, (list, tuple)) else (out,)))
        self.built = True

    def prepare_dropout_masks(self, step_input: Any, states: list, training: Any) -> None:
        """Draw every cell's dropout masks before the time loop."""
        from kerasx import ops

        x = step_input
        for cell, cell_states in zip(self.cells, states):
            if not isinstance(cell_states, (list, tuple)):
                cell_states = [cell_states]
            prepare = getattr(cell, "prepare_dropout_masks", None)
            if prepare is not None:
                prepare(x, cell_states, training)
            out = getattr(cell, "output_size", None)
            if isinstance(out, int):
                x = ops.zeros((x.shape[0], out), dtype=x.dtype)

    def call(self, inputs: Any, states: Any, training: Any = False, **kwargs: Any) -> tuple:
        """Run the cells in order; returns ``(last output, [states of each cell])``."""
        new_states = []
        x = inputs
        for cell, cell_states in zip(self.cells, states):
            nested = isinstance(cell_states, (list, tuple))
            given = list(cell_states) if nested else [cell_states]
            kw = {"training": training} if _accepts(cell.call, "training") else {}
            x, new = cell.call(x, given, **kw)
            new = tree.flatten(new)
            new_states.append(new if nested else new[0])
        return x, new_states

    def get_config(self) -> dict:
        """Keras's config: the serialized cells."""
        config = super().get_config()
        config["cells"] = [serialize_keras_object(c, module="keras.layers") for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> StackedRNNCells:
        """Rebuild the cells, then the stack."""
        config = dict(config)
        config["cells"] = [deserialize_layer(c, custom_objects) for c in config["cells"]]
        return super().from_config(config)

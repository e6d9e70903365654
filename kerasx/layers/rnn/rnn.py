"""`RNN`: runs a recurrent cell over the time axis of a sequence.

The time loop is `ops.scan` (a compiled `lax.scan` on the JAX engine, so compile time does not
grow with the sequence length; an eager loop recorded on the tape on the NumPy engine), or a
Python loop with ``unroll=True``. The built-in LSTM, GRU and SimpleRNN layers may instead run
a fused whole-sequence op (see `kerasx.layers.rnn.fused`), which gives the same numbers.
"""

from __future__ import annotations

import inspect
from typing import Any

from kerasx import ops
from kerasx.engine import tree
from kerasx.engine.symbolic import KerasTensor
from kerasx.engine.variables import Variable
from kerasx.layers.layer import Layer
from kerasx.saving.serialization import serialize_keras_object


class _StateSlot:
    """Holds one stateful-RNN state variable so it travels with the non-trainable variables
    (the trainer carries those through a compiled step) without being a weight: like Keras,
    `weights` / `get_weights` do not list the states."""

    def __init__(self, variable: Variable) -> None:
        self.state = variable


def state_template(state_size: Any) -> list:
    """`state_size` as a list (an int becomes a one-element list)."""
    if isinstance(state_size, (list, tuple)):
        return list(state_size)
    return [state_size]


def _is_shape_leaf(x: Any) -> bool:
    return not isinstance(x, (list, tuple))


def _flat_sizes(state_size: Any) -> list:
    return tree.flatten(state_template(state_size))


def _pack(template: list, flat: list) -> list:
    """Pack a flat list of tensors into `template`'s nesting (ints are leaves)."""
    it = iter(flat)
    return [_take(t, it) for t in template]


def _take(t: Any, it: Any) -> Any:
    # a module function: a self-calling closure would keep `flat` alive until the next GC pass
    if isinstance(t, (list, tuple)):
        return [_take(s, it) for s in t]
    return next(it)


def _expand_mask(m: Any, ref: Any) -> Any:
    """Reshape a ``(batch,)`` mask so it broadcasts against `ref` ``(batch, ...)``."""
    extra = len(ref.shape) - 1
    return ops.reshape(m, (-1,) + (1,) * extra) if extra else m


def _accepts(fn: Any, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def rnn_layer_config(layer: Any) -> dict:
    """The config keys every recurrent layer shares (Keras's names), without `cell`."""
    config = Layer.get_config(layer)
    config.update(
        {
            "return_sequences": layer.return_sequences,
            "return_state": layer.return_state,
            "go_backwards": layer.go_backwards,
            "stateful": layer.stateful,
            "unroll": layer.unroll,
            "zero_output_for_mask": layer.zero_output_for_mask,
        }
    )
    if "activity_regularizer" not in config:
        config["activity_regularizer"] = None
    return config


def deserialize_layer(config: Any, custom_objects: dict | None = None) -> Any:
    """Rebuild a (nested) layer from its serialized form: built-in layers by name, user
    classes through `custom_objects`, `register_keras_serializable` or a custom-object
    scope (as Keras)."""
    import kerasx.layers as layers_mod
    from kerasx.saving.serialization import deserialize_keras_object

    if isinstance(config, Layer):
        return config
    lookup = {k: v for k, v in vars(layers_mod).items() if isinstance(v, type)}
    return deserialize_keras_object(
        config, custom_objects, module_objects=lookup, printable_module_name="layer"
    )


class RNN(Layer):
    """Run a recurrent cell over the time axis of ``(batch, timesteps, ...)`` inputs.

    A cell is any layer with ``call(inputs, states)`` returning ``(output, new_states)`` and a
    ``state_size`` attribute (an int, or a list with one entry per state); it may define
    ``output_size`` and ``get_initial_state(batch_size)``. A list of cells is wrapped in
    `StackedRNNCells`.

    Args:
        cell: the cell, or a list of cells.
        return_sequences: return the output at every timestep ``(batch, timesteps, units)``
            instead of only the last ``(batch, units)``.
        return_state: also return the final states (``[output, *states]``).
        go_backwards: process the sequence in reverse (outputs come in processing order).
        stateful: keep the final states of a batch as the initial states of the next call
            (the batch size must be fixed); `reset_states` sets them back to zero.
        unroll: run the time loop as Python code (faster for short sequences, more memory,
            needs a known number of timesteps) instead of a compiled scan.
        zero_output_for_mask: masked timesteps output zeros instead of repeating the previous
            output.
        **kwargs: base `Layer` arguments.

    Call arguments:
        sequences: the input ``(batch, timesteps, ...)``.
        initial_state: a tensor or list of tensors, one per state (default zeros, or the kept
            states when `stateful`).
        mask: boolean ``(batch, timesteps)``; masked steps keep the previous states.
        training: whether the cell's dropout applies.
    """

    _auto_config = False

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        if isinstance(cell, (list, tuple)):
            from kerasx.layers.rnn.stacked_rnn_cells import StackedRNNCells

            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(
                "Argument `cell` should have a `call` method, expected a recurrent cell such as "
                f"LSTMCell(units). Received: cell={cell!r}"
            )
        if not hasattr(cell, "state_size"):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (the size of each state, "
                f"e.g. an int or a list of ints). Received: cell={cell!r}"
            )
        for arg, value in (
            ("return_sequences", return_sequences),
            ("return_state", return_state),
            ("go_backwards", go_backwards),
            ("stateful", stateful),
            ("unroll", unroll),
            ("zero_output_for_mask", zero_output_for_mask),
        ):
            if not isinstance(value, bool) and value not in (0, 1):
                raise ValueError(
                    f"Received an invalid value for argument `{arg}`, expected a bool. "
                    f"Received: {arg}={value!r}"
                )
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.__dict__["_kx_state_vars"] = None
        self.__dict__["_kx_state_slots"] = []

    # ------------------------------------------------------------------ states

    @property
    def _state_template(self) -> list:
        return state_template(self.cell.state_size)

    @property
    def states(self) -> Any:
        """The kept state variables of a stateful layer (None otherwise)."""
        return self.__dict__.get("_kx_state_vars")

    @property
    def _seed_generators(self) -> list:
        return super()._seed_generators + list(self.__dict__.get("_kx_state_slots", []))

    def get_initial_state(self, batch_size: Any) -> list:
        """The cell's initial states for `batch_size` (zeros by default), as a list."""
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            init = fn(batch_size=batch_size)
            if not isinstance(init, (list, tuple)):
                init = [init]
            return list(init)
        dtype = self.compute_dtype
        sizes = _flat_sizes(self.cell.state_size)
        return _pack(
            self._state_template,
            [ops.zeros((batch_size, *_as_shape(s)), dtype=dtype) for s in sizes],
        )

    def reset_states(self) -> None:
        """Set the kept states of a stateful layer back to their initial value (zeros)."""
        if self.states is None:
            return
        for v in self.states:
            v.assign(ops.zeros(v.shape, dtype=v.dtype))

    reset_state = reset_states

    # ------------------------------------------------------------------ building

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        """Build the cell for one timestep's input and, when stateful, create the states."""
        sequences_shape = tuple(sequences_shape)
        if len(sequences_shape) < 3:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects inputs of rank >= 3 "
                f"(batch, timesteps, features). Received: sequences.shape={sequences_shape}"
            )
        if self.stateful and sequences_shape[0] is None:
            raise ValueError(
                "When using `stateful=True` in a RNN, the batch size must be static. Found "
                f"dynamic batch size: sequences.shape={sequences_shape}. Pass "
                "`batch_size=` to `Input` (or `batch_shape=`)."
            )
        step_shape = (sequences_shape[0], *sequences_shape[2:])
        cell = self.cell
        if isinstance(cell, Layer) and not cell.built:
            cell.build(step_shape)
            cell.built = True
        self._kx_build_hook(sequences_shape)
        if self.stateful:
            init = tree.flatten(self.get_initial_state(int(sequences_shape[0])))
            variables = []
            for t in init:
                var = Variable(
                    ops.convert_to_numpy(t), dtype=t.dtype, trainable=False, name="rnn_state"
                )
                var.path = f"{self.name}/rnn_state"
                variables.append(var)
            self.__dict__["_kx_state_vars"] = variables
            self.__dict__["_kx_state_slots"] = [_StateSlot(v) for v in variables]
        self.built = True

    def _kx_build_hook(self, sequences_shape: tuple) -> None:
        """Subclasses that need the full input shape (ConvLSTM) record it here."""

    # ------------------------------------------------------------------ calling

    def _initial_flat_states(self, sequences: Any, initial_state: Any) -> list:
        n = len(tree.flatten(self._state_template))
        if initial_state is not None:
            given = tree.flatten(initial_state)
            if len(given) != n:
                raise ValueError(
                    f"Layer '{self.name}' expects {n} initial state tensor(s) (one per state of "
                    f"its cell), but received {len(given)}: initial_state={initial_state!r}"
                )
            return [ops.cast(ops.convert_to_tensor(s), self.compute_dtype) for s in given]
        if self.stateful:
            return [v.value for v in self.states]
        flat = tree.flatten(self.get_initial_state(sequences.shape[0]))
        return [ops.cast(s, self.compute_dtype) for s in flat]

    def call(
        self, sequences: Any, initial_state: Any = None, mask: Any = None, training: Any = False
    ) -> Any:
        """Run the cell over the timesteps (see the class docstring for the arguments)."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None:
            mask = ops.cast(mask, "bool")
        init = self._initial_flat_states(sequences, initial_state)
        result = None
        if not self.unroll:
            result = self._kx_fused(sequences, init, mask, training)
        if result is None:
            result = self._loop(sequences, init, mask, training)
        outputs, last_output, final = result
        if self.stateful:
            for var, value in zip(self.states, final):
                var.assign(value)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output, *_pack(self._state_template, final)]
        return output

    def _kx_fused(self, sequences: Any, init: list, mask: Any, training: Any) -> Any:
        """A fused whole-sequence path: ``(outputs, last_output, final_states)`` or None."""
        return None

    def _step_fn(self, training: Any) -> Any:
        cell = self.cell
        template = self._state_template
        call = cell.call
        kwargs = {"training": training} if _accepts(cell.call, "training") else {}

        def step(x_t: Any, flat: list) -> tuple:
            states = _pack(template, flat)
            out, new = call(x_t, states, **kwargs)
            new_flat = tree.flatten(new)
            if len(new_flat) != len(flat):
                raise ValueError(
                    f"The cell of layer '{self.name}' returned {len(new_flat)} state(s), but its "
                    f"state_size declares {len(flat)}."
                )
            return out, new_flat

        return step

    def _loop(self, sequences: Any, init: list, mask: Any, training: Any) -> tuple:
        cell = self.cell
        if self.go_backwards:
            sequences = ops.flip(sequences, axis=1)
            if mask is not None:
                mask = ops.flip(mask, axis=1)
        xs = ops.moveaxis(sequences, 1, 0)
        ms = ops.moveaxis(mask, 1, 0) if mask is not None else None
        timesteps = sequences.shape[1]
        prepare = getattr(cell, "prepare_dropout_masks", None)
        if prepare is not None and timesteps:
            prepare(xs[0], _pack(self._state_template, init), training)
        step = self._step_fn(training)
        zero_out = self.zero_output_for_mask
        n = len(init)
        try:
            if self.unroll:
                if timesteps is None:
                    raise ValueError(
                        "Cannot unroll a RNN if the time dimension is undefined. Use "
                        "`unroll=False` or give the inputs a fixed number of timesteps. "
                        f"Received: sequences.shape={tuple(sequences.shape)}"
                    )
                states = list(init)
                prev_out = None
                ys = []
                x_steps = ops.unstack(xs, axis=0)
                m_steps = ops.unstack(ms, axis=0) if ms is not None else None
                for t in range(timesteps):
                    out, new = step(x_steps[t], states)
                    if m_steps is not None:
                        keep = m_steps[t]
                        if prev_out is None:
                            prev_out = ops.zeros_like(out)
                        states = [
                            ops.where(_expand_mask(keep, s), a, s) for a, s in zip(new, states)
                        ]
                        fill = ops.zeros_like(out) if zero_out else prev_out
                        out = ops.where(_expand_mask(keep, out), out, fill)
                        prev_out = out
                    else:
                        states = new
                    ys.append(out)
                outputs = ops.stack(ys, axis=1)
                return outputs, ys[-1], states

            if ms is None:

                def body(carry: list, x_t: Any) -> tuple:
                    out, new = step(x_t, list(carry))
                    return new, out

                final, ys = ops.scan(body, list(init), xs)
            else:
                # A masked step repeats the previous output; before the first step that is
                # the first state when it has the output's shape (as Keras), else zeros.
                first = init[0]
                out_size = getattr(cell, "output_size", None)
                if isinstance(out_size, int) and tuple(first.shape)[1:] != (out_size,):
                    first = ops.zeros((first.shape[0], out_size), dtype=first.dtype)

                def body(carry: list, inp: Any) -> tuple:
                    x_t, keep = inp
                    states, prev_out = list(carry[:n]), carry[n]
                    out, new = step(x_t, states)
                    new = [ops.where(_expand_mask(keep, s), a, s) for a, s in zip(new, states)]
                    fill = ops.zeros_like(out) if zero_out else prev_out
                    out = ops.where(_expand_mask(keep, out), out, fill)
                    return [*new, out], out

                carry, ys = ops.scan(body, [*init, first], (xs, ms))
                final = list(carry[:n])
        finally:
            for c in _dropout_cells(cell):
                c.reset_dropout_mask()
                c.reset_recurrent_dropout_mask()
        outputs = ops.moveaxis(ys, 0, 1)
        return outputs, ys[-1], list(final)

    # ------------------------------------------------------------------ shapes

    def _output_size(self) -> Any:
        out = getattr(self.cell, "output_size", None)
        if out is None:
            out = tree.flatten(self._state_template)[0]
        return out

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        """The output shape (and the states' shapes with `return_state`)."""
        sequences_shape = tuple(sequences_shape)
        batch = sequences_shape[0]
        out = _as_shape(self._output_size())
        if self.return_sequences:
            output_shape = (batch, sequences_shape[1], *out)
        else:
            output_shape = (batch, *out)
        if not self.return_state:
            return output_shape
        states = []
        for entry in self._state_template:
            if isinstance(entry, (list, tuple)):
                states.append([(batch, *_as_shape(s)) for s in tree.flatten(entry)])
            else:
                states.append((batch, *_as_shape(entry)))
        return (output_shape, *states)

    def compute_output_spec(
        self, sequences: Any, initial_state: Any = None, mask: Any = None, training: Any = False
    ) -> Any:
        """Symbolic outputs, from `compute_output_shape`."""
        shapes = self.compute_output_shape(tuple(sequences.shape))
        dtype = self.compute_dtype
        if not self.return_state:
            return KerasTensor(shapes, dtype)
        out = [KerasTensor(shapes[0], dtype)]
        for s in shapes[1:]:
            if isinstance(s, list):
                out.append([KerasTensor(x, dtype) for x in s])
            else:
                out.append(KerasTensor(s, dtype))
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The input mask when returning sequences (None otherwise), plus None per state."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            n = len(self._state_template)
            return [output_mask] + [None] * n
        return output_mask

    # ------------------------------------------------------------------ config

    def get_config(self) -> dict:
        """Keras's RNN config: the flags plus the serialized cell."""
        config = rnn_layer_config(self)
        config.pop("activity_regularizer", None)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = Layer.get_config(self)["activity_regularizer"]
        config["cell"] = serialize_keras_object(self.cell, module="keras.layers")
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> RNN:
        """Rebuild the layer (and its cell) from `get_config`'s output."""
        config = dict(config)
        if "cell" in config:
            config["cell"] = deserialize_layer(config["cell"], custom_objects)
        return super().from_config(config)


def _as_shape(size: Any) -> tuple:
    if isinstance(size, (list, tuple)):
        return tuple(size)
    return (size,)


def _dropout_cells(cell: Any) -> list:
    out = []
    if hasattr(cell, "reset_dropout_mask"):
        out.append(cell)
    for c in getattr(cell, "cells", []) or []:
        out.extend(_dropout_cells(c))
    return out

"""`Bidirectional`: run a recurrent layer forwards and backwards and merge the outputs."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.layers.rnn.rnn import deserialize_layer
from kerasx.layers.rnn.wrapper import Wrapper
from kerasx.saving.serialization import serialize_keras_object

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _clone(layer: Layer, name: str, go_backwards: bool | None = None) -> Layer:
    config = layer.get_config()
    config["name"] = name
    if go_backwards is not None:
        config["go_backwards"] = go_backwards
    return type(layer).from_config(config)


class Bidirectional(Wrapper):
    """Run a recurrent layer over the sequence in both directions and merge the two results.

    The forward layer is a copy of `layer` named ``forward_<name>``; the backward layer is
    `backward_layer` or a copy of `layer` that goes backwards, named ``backward_<name>``. With
    `return_sequences` the backward outputs are reversed back into time order before merging.

    Args:
        layer: a recurrent layer (`RNN`, `LSTM`, `GRU`, ...).
        merge_mode: how to combine the two outputs: ``"concat"`` (default), ``"sum"``,
            ``"mul"``, ``"ave"``, or None (return both, as a list).
        weights: optional initial weights (forward layer's then backward layer's), set when
            the layer is built.
        backward_layer: an explicit backward recurrent layer (it must go the other way and
            return the same things as `layer`).
        **kwargs: base `Layer` arguments.

    Call arguments:
        sequences: ``(batch, timesteps, ...)``.
        initial_state: the forward states followed by the backward states.
        mask: boolean ``(batch, timesteps)``.
        training: whether dropout applies.
    """

    def __init__(
        self,
        layer: Any,
        merge_mode: str | None = "concat",
        weights: Any = None,
        backward_layer: Any = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                f"Received: layer={layer!r}"
            )
        if not hasattr(layer, "go_backwards") or not hasattr(layer, "return_sequences"):
            raise ValueError(
                "Argument `layer` of `Bidirectional` must be a recurrent layer (with "
                f"`go_backwards` and `return_sequences`), such as LSTM(4). Received: layer={layer!r}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `keras.layers.Layer` instance. "
                f"Received: backward_layer={backward_layer!r}"
            )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: merge_mode={merge_mode!r}. Merge mode should be "
                'one of {"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(layer, **kwargs)
        self.forward_layer = _clone(layer, "forward_" + layer.name)
        if backward_layer is None:
            self.backward_layer = _clone(
                layer, "backward_" + layer.name, go_backwards=not layer.go_backwards
            )
        else:
            self.backward_layer = backward_layer
        self._check_pair()
        del self.layer  # the two copies hold the weights
        self.__dict__["_kx_template"] = layer
        self.merge_mode = merge_mode
        self._kx_initial_weights = weights
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.forward_layer.zero_output_for_mask = self.return_sequences
        self.backward_layer.zero_output_for_mask = self.return_sequences
        self.input_spec = None

    def _check_pair(self) -> None:
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. "
                f"Received: forward_layer.go_backwards={fwd.go_backwards}, "
                f"backward_layer.go_backwards={bwd.go_backwards}"
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fwd, attr, None) != getattr(bwd, attr, None):
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value for "
                    f"attribute `{attr}`, got `{getattr(fwd, attr, None)}` for forward layer and "
                    f"`{getattr(bwd, attr, None)}` for backward layer"
                )

    @property
    def layer(self) -> Layer:
        """The forward layer (the wrapped layer's copy)."""
        return self.__dict__.get("forward_layer", self.__dict__.get("_kx_template"))

    @layer.setter
    def layer(self, value: Layer) -> None:
        self.__dict__["_kx_template"] = value

    @layer.deleter
    def layer(self) -> None:
        pass

    @property
    def supports_masking(self) -> bool:  # type: ignore[override]
        """Recurrent layers support masking."""
        return True

    @supports_masking.setter
    def supports_masking(self, value: bool) -> None:
        pass

    @property
    def states(self) -> Any:
        """The forward then backward kept states (stateful layers), else None."""
        f, b = self.forward_layer.states, self.backward_layer.states
        if f is None and b is None:
            return None
        return tuple((f or []) + (b or []))

    def reset_states(self) -> None:
        """Reset the kept states of both directions."""
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        """Build both directions on the input shape."""
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer.build(tuple(sequences_shape))
                layer.built = True
        self.built = True
        if self._kx_initial_weights is not None:
            self.set_weights(self._kx_initial_weights)
            self._kx_initial_weights = None

    def _merge(self, y: Any, y_rev: Any) -> Any:
        mode = self.merge_mode
        if mode == "concat":
            return ops.concatenate([y, y_rev], axis=-1)
        if mode == "sum":
            return ops.add(y, y_rev)
        if mode == "ave":
            return ops.multiply(ops.add(y, y_rev), 0.5)
        if mode == "mul":
            return ops.multiply(y, y_rev)
        return [y, y_rev]

    def call(
        self, sequences: Any, initial_state: Any = None, mask: Any = None, training: Any = None
    ) -> Any:
        """Run both directions and merge (see the class docstring)."""
        fwd_kwargs: dict = {"training": training}
        bwd_kwargs: dict = {"training": training}
        if mask is not None:
            fwd_kwargs["mask"] = mask
            bwd_kwargs["mask"] = mask
        if initial_state is not None:
            states = list(initial_state)
            if len(states) % 2:
                raise ValueError(
                    "When passing `initial_state` to a Bidirectional RNN, the state should be a "
                    "list containing the states of the underlying RNNs (forward states first, "
                    f"then backward states). Received: {len(states)} state tensor(s)"
                )
            half = len(states) // 2
            fwd_kwargs["initial_state"] = states[:half]
            bwd_kwargs["initial_state"] = states[half:]
        y = self.forward_layer(sequences, **fwd_kwargs)
        y_rev = self.backward_layer(sequences, **bwd_kwargs)
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        output = self._merge(y, y_rev)
        if self.return_state:
            if self.merge_mode is None:
                return [*output, *states]
            return [output, *states]
        return output

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        """The merged output shape (and the states' shapes with `return_state`)."""
        fwd = self.forward_layer.compute_output_shape(tuple(sequences_shape))
        bwd = self.backward_layer.compute_output_shape(tuple(sequences_shape))
        if self.return_state:
            fwd_out, fwd_states = fwd[0], list(fwd[1:])
            bwd_out, bwd_states = bwd[0], list(bwd[1:])
        else:
            fwd_out, bwd_out, fwd_states, bwd_states = fwd, bwd, [], []
        if self.merge_mode == "concat":
            out: Any = (*tuple(fwd_out)[:-1], fwd_out[-1] + bwd_out[-1])
        elif self.merge_mode is None:
            out = [tuple(fwd_out), tuple(bwd_out)]
        else:
            out = tuple(fwd_out)
        if not self.return_state:
            return tuple(out) if isinstance(out, list) else out
        states = [tuple(s) for s in fwd_states + bwd_states]
        if self.merge_mode is None:
            return (*out, *states)
        return (out, *states)

    def compute_output_spec(
        self, sequences: Any, initial_state: Any = None, mask: Any = None, training: Any = None
    ) -> Any:
        """Symbolic outputs from `compute_output_shape`."""
        shapes = self.compute_output_shape(tuple(sequences.shape))
        dtype = self.compute_dtype
        if self.return_state or self.merge_mode is None:
            return [KerasTensor(s, dtype) for s in shapes]
        return KerasTensor(shapes, dtype)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The input mask when returning sequences (one per output with ``merge_mode=None``)."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if not self.return_sequences:
            return None
        if self.merge_mode is None and not self.return_state:
            return [mask, mask]
        return mask

    def get_config(self) -> dict:
        """Keras's config: merge mode and both serialized layers."""
        config = Layer.get_config(self)
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialize_keras_object(self.forward_layer, module="keras.layers")
        config["backward_layer"] = serialize_keras_object(
            self.backward_layer, module="keras.layers"
        )
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Bidirectional:
        """Rebuild both layers (keeping their names), then the wrapper."""
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = deserialize_layer(backward, custom_objects)
        config.pop("weights", None)
        obj = cls(layer=layer, backward_layer=backward, **config)
        obj.forward_layer.name = layer.name
        return obj

"""Weight creation, weight/variable listings and added losses: a mixin of `Layer`.

`LayerWeightsMixin` holds the part of `Layer` that creates weights (`add_weight`), lists them
(`weights`, `trainable_weights`, ..., walking the sub-layers that `Layer._tracked` finds),
gets and sets their values, and collects the losses added during a call (`add_loss`,
`losses`). `kerasx.layers.layer.Layer` is the only class that inherits it.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from kerasx import constraints as _constraints
from kerasx import initializers as _initializers
from kerasx import regularizers as _regularizers
from kerasx.engine import dtypes as _dt
from kerasx.engine.variables import Variable
from kerasx.layers import _context

# Layers whose `_kx_losses` may be non-empty (filled by `add_loss`, emptied by `_clear_losses`).
_LOSS_HOLDERS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


class LayerWeightsMixin:
    """`Layer`'s weights and losses (see the module docstring); no state of its own."""

    # ------------------------------------------------------------------ weights

    def add_weight(
        self,
        shape: Any = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        aggregation: str = "none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
    ) -> Variable:
        """Create a weight variable owned by this layer.

        Args:
            shape: the weight's shape (default scalar).
            initializer: an initializer, its name, or None (glorot_uniform for floats,
                zeros otherwise).
            dtype: the variable dtype (default: the policy's variable dtype).
            trainable: whether optimizers update it.
            autocast: kept for Keras compatibility.
            regularizer: a regularizer whose value is added to `losses`.
            constraint: a projection applied after each optimizer update.
            aggregation: kept for Keras compatibility.
            overwrite_with_gradient: kept for Keras compatibility.
            name: the weight's name (its path is prefixed by the layer's).

        Returns:
            The new `Variable`.
        """
        shape = () if shape is None else tuple(int(s) for s in shape)
        dtype = _dt.standardize_dtype(dtype or self._dtype_policy.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if _dt.is_float_dtype(dtype) else "zeros"
        init = _initializers.get(initializer)
        name = name or f"variable_{len(self._kx_tv) + len(self._kx_ntv)}"
        if _context.innermost_name() == self.name:
            path = _context.current_path(name)
        else:
            with _context.name_scope(self.name):
                path = _context.current_path(name)
        var = Variable(init, shape=shape, dtype=dtype, trainable=trainable, name=name)
        if trainable and not self.trainable:
            var.trainable = False  # created in a frozen layer: unfreezing the layer flips it
        var.path = path
        var.regularizer = _regularizers.get(regularizer)
        var.constraint = _constraints.get(constraint)
        var.overwrite_with_gradient = overwrite_with_gradient
        (self._kx_tv if trainable else self._kx_ntv).append(var)
        return var

    add_variable = add_weight

    @property
    def _layers(self) -> list:
        return self._tracked()[0]

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> list:
        out = [self] if include_self else []
        for layer in self._layers:
            out.append(layer)
            if recursive:
                out.extend(layer._flatten_layers(include_self=False))
        return out

    @property
    def trainable(self) -> bool:
        """Whether the layer's weights are trained; setting it applies to sub-layers too."""
        return self.__dict__.get("_kx_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # As in Keras 3, the layer's trainable weights follow: freezing sets their own
        # `trainable` flags to False, unfreezing back to True (also for a weight frozen by
        # hand in between); weights created non-trainable are left alone.
        value = bool(value)
        self.__dict__["_kx_trainable"] = value
        _, attr_vars, _ = self._tracked()
        frozen_attrs = self.__dict__.setdefault("_kx_frozen_attr_vars", set())
        for v in self._kx_tv:
            v.trainable = value
        for v in attr_vars:
            if not value and v.trainable:
                v.trainable = False
                frozen_attrs.add(id(v))
            elif value and id(v) in frozen_attrs:
                v.trainable = True
        if value:
            frozen_attrs.clear()
        for layer in self._layers:
            layer.trainable = value

    def _own_variables(self) -> tuple[list, list]:
        _, attr_vars, _ = self._tracked()
        tv = list(self._kx_tv) + [v for v in attr_vars if v.trainable]
        ntv = list(self._kx_ntv) + [v for v in attr_vars if not v.trainable]
        return tv, ntv

    @property
    def trainable_weights(self) -> list:
        """Weights updated by training (empty when the layer is frozen)."""
        if not self.trainable:
            return []
        tv, _ = self._own_variables()
        out = [v for v in tv if v.trainable]
        for layer in self._layers:
            out.extend(layer.trainable_weights)
        return _unique(out)

    @property
    def non_trainable_weights(self) -> list:
        """Weights not updated by training."""
        if not self.trainable:
            return self.weights
        tv, ntv = self._own_variables()
        out = [v for v in tv if not v.trainable] + ntv
        for layer in self._layers:
            out.extend(layer.non_trainable_weights)
        return _unique(out)

    @property
    def weights(self) -> list:
        """All weights: own trainable, own non-trainable, then sub-layers' weights."""
        tv, ntv = self._own_variables()
        out = tv + ntv
        for layer in self._layers:
            out.extend(layer.weights)
        return _unique(out)

    @property
    def _seed_generators(self) -> list:
        out = list(self._tracked()[2])
        for layer in self._layers:
            out.extend(layer._seed_generators)
        return _unique(out)

    @property
    def variables(self) -> list:
        """Weights plus other state (random seed generators)."""
        return _unique(self.weights + [s.state for s in self._seed_generators])

    @property
    def trainable_variables(self) -> list:
        """Same as `trainable_weights`."""
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        """Non-trainable weights plus seed generator states."""
        return _unique(self.non_trainable_weights + [s.state for s in self._seed_generators])

    def get_weights(self) -> list:
        """The weights' values as NumPy arrays, in `weights` order."""
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights: list) -> None:
        """Set every weight from a list of arrays (same order and shapes as `get_weights`).

        Nothing changes unless every shape matches.
        """
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(mine)} weights."
            )
        arrays = []
        for var, w in zip(mine, weights):
            arr = np.asarray(w)
            if tuple(arr.shape) != tuple(var.shape):
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(var.shape)} is not compatible with "
                    f"provided weight shape {tuple(arr.shape)}."
                )
            arrays.append(arr)
        for var, arr in zip(mine, arrays):
            var.assign(arr)

    def count_params(self) -> int:
        """Number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # ------------------------------------------------------------------ losses

    def add_loss(self, loss: Any) -> None:
        """Add a scalar loss term (collected in `losses` and added to the training loss)."""
        self._kx_losses.append(loss)
        _LOSS_HOLDERS[id(self)] = self

    @property
    def losses(self) -> list:
        """Losses added during the last call, plus the regularization terms of the trainable
        weights (as in Keras, a frozen weight or layer adds no regularization loss)."""
        added: list = []
        for layer in self._flatten_layers():
            added.extend(layer._kx_losses)
        regular: list = []
        for v in self.trainable_weights:
            reg = getattr(v, "regularizer", None)
            if reg is not None:
                regular.append(reg(v.value))
        return added + regular

    def _clear_losses(self) -> None:
        # Only `add_loss` fills `_kx_losses`, and it registers the layer in _LOSS_HOLDERS:
        # when no layer holds losses there is nothing to clear (and no tree to walk).
        if not _LOSS_HOLDERS:
            return
        for layer in self._flatten_layers():
            layer._kx_losses.clear()
            _LOSS_HOLDERS.pop(id(layer), None)


def _unique(seq: list) -> list:
    seen: set = set()
    out = []
    for v in seq:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out

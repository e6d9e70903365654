"""LoRA (low-rank adaptation) shared by `Dense`, `EinsumDense` and `Embedding`.

A layer with LoRA enabled freezes its base matrix ``W`` (``kernel`` or ``embeddings``) and
learns two small factors ``A`` (``W.shape[:-1] + (rank,)``) and ``B`` (``(rank,
W.shape[-1])``); the layer then uses ``W + (lora_alpha / rank) * (A @ B)`` in place of ``W``.
Saved weight files hold that merged matrix, so they have the same layout as without LoRA.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import initializers, ops


def check_lora_rank(rank: Any, what: str = "lora_rank") -> int:
    """`rank` as an int, or a ValueError unless it is a positive integer."""
    if not isinstance(rank, (int, np.integer)) or isinstance(rank, (bool, np.bool_)) or rank <= 0:
        raise ValueError(
            f"Received an invalid value for `{what}`, expected a positive integer. "
            f"Received: {what}={rank!r}"
        )
    return int(rank)


def check_lora_alpha(alpha: Any) -> Any:
    """`alpha` unchanged, or a ValueError unless it is None or a real number."""
    if alpha is None:
        return None
    if not isinstance(alpha, (int, float, np.integer, np.floating)) or isinstance(
        alpha, (bool, np.bool_)
    ):
        raise ValueError(
            "Received an invalid value for `lora_alpha`, expected a number (or None for "
            f"`lora_alpha = rank`). Received: lora_alpha={alpha!r}"
        )
    return alpha


def lora_base_property(name: str) -> property:
    """The public property for a LoRA layer's base matrix, stored as ``self._<name>``: the
    variable itself, or with LoRA enabled the merged matrix (a tensor); assigning sets the
    stored variable."""

    def get(self: Any) -> Any:
        if self.lora_enabled:
            return self._lora_effective()
        return getattr(self, "_" + name)

    def put(self: Any, value: Any) -> None:
        setattr(self, "_" + name, value)

    return property(
        get, put, doc=f"The {name} variable; with LoRA enabled, the merged matrix (a tensor)."
    )


class _WhileLora:
    """A method that exists on an instance only while its LoRA is enabled.

    The weights writer gives a layer its own storage format when the layer has
    `save_own_variables` / `load_own_variables`; without LoRA the generic format (one
    dataset per weight, with its shape checks) is the right one, so the methods hide.
    """

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.fn
        if not obj.__dict__.get("lora_enabled", False):
            raise AttributeError(
                f"'{type(obj).__name__}' object has no attribute '{self.name}' (only a layer "
                "with LoRA enabled saves its own variables)"
            )
        return self.fn.__get__(obj, owner)


class LoraMixin:
    """LoRA for a layer whose base matrix is the variable ``self._<_lora_base>``.

    Subclasses set `_lora_base` (``"kernel"`` or ``"embeddings"``), call `_init_lora` in
    their constructor and `_maybe_enable_lora` at the end of `build`, read the matrix they
    compute with through `_lora_effective` (or the public property) and add
    `_lora_config` to their config.
    """

    _lora_base = "kernel"
    _lora_keeps_alpha = False

    # ------------------------------------------------------------------ set-up

    def _init_lora(self, lora_rank: Any, lora_alpha: Any) -> None:
        # Like Keras, a rank of 0 (or None) means "no LoRA".
        if lora_rank is not None and not (
            isinstance(lora_rank, (int, np.integer))
            and not isinstance(lora_rank, (bool, np.bool_))
            and lora_rank == 0
        ):
            lora_rank = check_lora_rank(lora_rank)
        else:
            lora_rank = None
        lora_alpha = check_lora_alpha(lora_alpha)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False

    def _maybe_enable_lora(self) -> None:
        if self.lora_rank:
            # Keras 3.15.1's Dense and Embedding enable the constructor's LoRA with
            # `lora_alpha` left at its default (a scale of 1 whatever `lora_alpha` the
            # constructor got); its EinsumDense keeps the constructor's `lora_alpha`. kerasx
            # does the same, so that a config and its weights give the same outputs in both.
            alpha = self.lora_alpha if self._lora_keeps_alpha else None
            self.enable_lora(self.lora_rank, lora_alpha=alpha)

    def _lora_constraint(self) -> Any:
        return getattr(self, f"{self._lora_base}_constraint", None)

    def enable_lora(
        self,
        rank: int,
        lora_alpha: float | None = None,
        a_initializer: Any = "he_uniform",
        b_initializer: Any = "zeros",
    ) -> None:
        """Freeze the base matrix and add trainable low-rank factors ``A`` and ``B``.

        From then on the layer computes with ``W + (lora_alpha / rank) * (A @ B)``. ``B``
        starts at zero (by default), so enabling LoRA does not change the outputs.

        Args:
            rank: the inner size of the factors (a positive integer).
            lora_alpha: the scale numerator (None: `rank`, i.e. a scale of 1).
            a_initializer: how ``A`` is initialized.
            b_initializer: how ``B`` is initialized.

        Raises:
            ValueError: the layer is not built yet, LoRA is already enabled, the base
                matrix has a constraint, or `rank` / `lora_alpha` is invalid.
        """
        base = self._lora_base
        label = f"layer '{self.name}' ({type(self).__name__})"
        if not self.built:
            raise ValueError(
                f"Cannot enable LoRA on {label} before it is built: build it first (call it "
                "on an input or call `layer.build(input_shape)`)."
            )
        if self.lora_enabled:
            raise ValueError(
                f"LoRA is already enabled on {label}; `enable_lora` can be called only once "
                "per layer."
            )
        if self._lora_constraint() is not None:
            raise ValueError(
                f"LoRA cannot be enabled on {label} because it has a `{base}_constraint` "
                "(a constraint on the frozen base matrix cannot hold for the merged one). "
                f"Remove the `{base}_constraint` argument to use LoRA."
            )
        rank = check_lora_rank(rank, "rank")
        lora_alpha = check_lora_alpha(lora_alpha)
        variable = getattr(self, f"_{base}")
        shape = tuple(variable.shape)
        regularizer = getattr(self, f"{base}_regularizer", None)
        variable.trainable = False
        a = self.add_weight(
            name=f"lora_{base}_a",
            shape=(*shape[:-1], rank),
            initializer=initializers.get(a_initializer),
            regularizer=regularizer,
        )
        b = self.add_weight(
            name=f"lora_{base}_b",
            shape=(rank, shape[-1]),
            initializer=initializers.get(b_initializer),
            regularizer=regularizer,
        )
        setattr(self, f"lora_{base}_a", a)
        setattr(self, f"lora_{base}_b", b)
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank
        self.lora_enabled = True

    # ------------------------------------------------------------------ computing

    def _lora_scale(self) -> float:
        return float(self.lora_alpha) / float(self.lora_rank)

    def _lora_delta(self) -> Any:
        """``(lora_alpha / rank) * (A @ B)``, the shape of the base matrix."""
        base = self._lora_base
        a = getattr(self, f"lora_{base}_a").value
        b = getattr(self, f"lora_{base}_b").value
        return ops.multiply(ops.matmul(a, b), self._lora_scale())

    def _lora_effective(self) -> Any:
        """The matrix the layer computes with: the base variable's value, plus the LoRA
        product when enabled."""
        variable = getattr(self, f"_{self._lora_base}")
        if not self.lora_enabled:
            return variable.value
        return ops.add(variable.value, ops.cast(self._lora_delta(), variable.value.dtype))

    def _lora_config(self) -> dict:
        if not self.lora_rank:
            return {}
        return {"lora_rank": self.lora_rank, "lora_alpha": self.lora_alpha}

    # ------------------------------------------------------------------ saving

    def _lora_saved_variables(self) -> list:
        """The variables a weights file holds for this layer, base matrix first."""
        base = self._lora_base
        lora = {id(getattr(self, f"lora_{base}_a")), id(getattr(self, f"lora_{base}_b"))}
        return [v for v in self.weights if id(v) not in lora]

    @_WhileLora
    def save_own_variables(self, store: Any) -> None:
        """Write the weights as without LoRA, the base matrix merged with ``A @ B``.

        Args:
            store: a dict-like filled with ``"0"``, ``"1"``, ... -> array.
        """
        base_var = getattr(self, f"_{self._lora_base}")
        for i, var in enumerate(self._lora_saved_variables()):
            if var is base_var:
                store[str(i)] = np.asarray(ops.convert_to_numpy(self._lora_effective()))
            else:
                store[str(i)] = np.asarray(var.numpy())

    @_WhileLora
    def load_own_variables(self, store: Any) -> None:
        """Read weights written with or without LoRA: the base matrix takes the (merged)
        matrix and the LoRA factors restart at zero, so the outputs are the saved ones.

        Args:
            store: a dict-like of ``"0"``, ``"1"``, ... -> array.
        """
        targets = self._lora_saved_variables()
        keys = sorted(store.keys(), key=lambda k: (len(str(k)), str(k)))
        expected = [str(i) for i in range(len(targets))]
        if [str(k) for k in keys] != expected:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}, LoRA enabled) expected "
                f"{len(targets)} saved variables {[v.path for v in targets]} under keys "
                f"{expected}, but the store holds keys {[str(k) for k in keys]}."
            )
        arrays = []
        for key, var in zip(expected, targets):
            arr = np.asarray(store[key])
            if tuple(arr.shape) != tuple(var.shape):
                raise ValueError(
                    f"Shape mismatch in layer '{self.name}': variable '{var.path}' has shape "
                    f"{tuple(var.shape)}, but the saved array '{key}' has shape "
                    f"{tuple(arr.shape)}."
                )
            arrays.append(arr)
        for var, arr in zip(targets, arrays):
            var.assign(arr)
        base = self._lora_base
        for name in (f"lora_{base}_a", f"lora_{base}_b"):
            var = getattr(self, name)
            var.assign(ops.zeros(var.shape, dtype=var.dtype))

"""Keras masks attached to tensors.

A symbolic `KerasTensor` carries its mask as the ``_keras_mask`` attribute. Concrete arrays
(NumPy arrays, JAX arrays, tape tracers) cannot always take attributes, so their masks live in
a side table keyed by the tensor's identity and dropped when the tensor is garbage collected
(a weak reference). Eager calls then propagate masks the way Keras 3 does:
``lstm(embedding(tokens))`` sees the padding mask.
"""

from __future__ import annotations

import weakref
from typing import Any

# id(tensor) -> (weak reference to the tensor, mask)
MASKS: dict[int, tuple[Any, Any]] = {}


def get_mask(t: Any) -> Any:
    """The Keras mask carried by `t`, or None."""
    m = getattr(t, "_keras_mask", None)
    if m is not None or not MASKS:
        return m
    entry = MASKS.get(id(t))
    if entry is not None and entry[0]() is t:
        return entry[1]
    return None


def set_mask(t: Any, mask: Any) -> None:
    """Attach `mask` to `t` (silently does nothing for objects that can hold neither an
    attribute nor a weak reference, e.g. Python scalars)."""
    from kerasx.engine.symbolic import KerasTensor

    if isinstance(t, KerasTensor):
        t._keras_mask = mask
        return
    key = id(t)
    try:
        ref = weakref.ref(t, lambda r, k=key: _drop(k, r))
    except TypeError:
        try:
            t._keras_mask = mask
        except (AttributeError, TypeError):
            pass
        return
    MASKS[key] = (ref, mask)


def _drop(key: int, ref: Any) -> None:
    entry = MASKS.get(key)
    if entry is not None and entry[0] is ref:
        del MASKS[key]

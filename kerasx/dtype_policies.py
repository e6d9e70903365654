"""Dtype policies: the compute dtype and the variable dtype of a layer.

A policy named after a float dtype ("float32") computes and stores in that dtype; the mixed
policies ("mixed_float16", "mixed_bfloat16") compute in the half type and keep variables in
float32, as in Keras 3.
"""

from __future__ import annotations

from typing import Any

from kerasx import config
from kerasx.engine import dtypes as _dt

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


class DTypePolicy:
    """Which dtypes a layer computes in and stores its variables in.

    Args:
        name: a dtype name ("float32", "float64", "int32", ...) or "mixed_float16" /
            "mixed_bfloat16". Default: the global policy (`kerasx.config.dtype_policy()`).
    """

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = config._flags["dtype_policy"] or config.floatx()
        if not isinstance(name, str):
            raise TypeError(
                "Received an invalid value for `name`, expected a dtype name string such as "
                f"'float32' or 'mixed_float16'. Received: name={name!r}"
            )
        if name in _MIXED:
            self._compute, self._variable = _MIXED[name], "float32"
        else:
            try:
                d = _dt.standardize_dtype(name)
            except (ValueError, TypeError):
                raise ValueError(
                    "Received an invalid value for `name`, expected a dtype name or "
                    f"'mixed_float16' / 'mixed_bfloat16'. Received: name={name!r}"
                ) from None
            self._compute = self._variable = d
            name = d
        self._name = name

    @property
    def name(self) -> str:
        """The policy's name."""
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype layers compute in."""
        return self._compute

    @property
    def variable_dtype(self) -> str:
        """The dtype layers create their variables in."""
        return self._variable

    def get_config(self) -> dict:
        """``{"name": ...}``."""
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> DTypePolicy:
        """Rebuild a policy from `get_config`'s output."""
        return cls(**config)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


FloatDTypePolicy = DTypePolicy


def get(identifier: Any) -> DTypePolicy:
    """Turn a policy, a name, a serialized dict or None (global default) into a `DTypePolicy`.

    Args:
        identifier: a `DTypePolicy`, a dtype / policy name, a Keras config dict, or None.

    Returns:
        A `DTypePolicy`.
    """
    if isinstance(identifier, DTypePolicy):
        return identifier
    if identifier is None or isinstance(identifier, str):
        return DTypePolicy(identifier)
    if isinstance(identifier, dict) and "config" in identifier:
        return DTypePolicy(**identifier["config"])
    if isinstance(identifier, dict) and "name" in identifier:
        return DTypePolicy(identifier["name"])
    if hasattr(identifier, "name") and isinstance(getattr(identifier, "name", None), str):
        return DTypePolicy(identifier.name)
    try:
        return DTypePolicy(_dt.standardize_dtype(identifier))
    except (ValueError, TypeError):
        raise ValueError(
            "Received an invalid value for `dtype`, expected a dtype name, a DTypePolicy or "
            f"None. Received: dtype={identifier!r}"
        ) from None


def deserialize(config: Any, custom_objects: Any = None) -> DTypePolicy:
    """Rebuild a policy from `serialize`'s output (or a name)."""
    return get(config)


def serialize(policy: DTypePolicy) -> dict:
    """Keras's serialized form of a policy (module ``keras``, class ``DTypePolicy``)."""
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": policy.get_config(),
        "registered_name": None,
    }

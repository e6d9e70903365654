"""`Config`: a dict-like container of named settings (``keras.utils.Config``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

_FROZEN_MESSAGE = (
    "Cannot mutate attribute(s) because the config is frozen. Call `config.unfreeze()` first "
    "if the change is intended."
)


class Config:
    """Named values read and set as attributes or as dict items, optionally frozen.

    Example:

    ```python
    config = Config(learning_rate=0.1)
    config.momentum = 0.9          # attribute style
    config["seed"] = 7             # dict style
    config.freeze()                # later changes raise ValueError
    print(config.to_json())
    ```

    Args:
        **kwargs: the initial entries.
    """

    def __init__(self, **kwargs: Any) -> None:
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    # ------------------------------------------------------------------ freezing

    @property
    def frozen(self) -> bool:
        """Whether changes are refused."""
        return self._frozen

    def freeze(self) -> None:
        """Refuse every later change (setting, deleting, `pop`, `update`) with ValueError."""
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        """Allow changes again."""
        object.__setattr__(self, "_frozen", False)

    def _check_mutable(self) -> None:
        if self._frozen:
            raise ValueError(_FROZEN_MESSAGE)

    # ------------------------------------------------------------------ attribute access

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: the entries
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self.__dict__["_config"][name]
        except KeyError:
            raise AttributeError(f"Unknown attribute: '{name}'.") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._check_mutable()
        if name in ("frozen", "_config", "_frozen") or hasattr(type(self), name):
            raise AttributeError(f"Cannot set '{name}': it is a method or property of Config.")
        self._config[name] = value

    # ------------------------------------------------------------------ dict access

    def __getitem__(self, key: str) -> Any:
        return self._config[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._check_mutable()
        self._config[key] = value

    def __delitem__(self, key: str) -> None:
        self._check_mutable()
        del self._config[key]

    def __contains__(self, key: object) -> bool:
        return key in self._config

    def __iter__(self) -> Iterator[str]:
        return iter(self._config)

    def __len__(self) -> int:
        return len(self._config)

    def __repr__(self) -> str:
        return f"<Config {self._config!r}>"

    def keys(self) -> Any:
        """The entries' names."""
        return self._config.keys()

    def values(self) -> Any:
        """The entries' values."""
        return self._config.values()

    def items(self) -> Any:
        """``(name, value)`` pairs."""
        return self._config.items()

    def get(self, key: str, default: Any = None) -> Any:
        """The value of `key`, or `default`."""
        return self._config.get(key, default)

    def pop(self, *args: Any) -> Any:
        """Remove an entry and return its value (``dict.pop``)."""
        self._check_mutable()
        return self._config.pop(*args)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Add or replace entries (``dict.update``)."""
        self._check_mutable()
        self._config.update(*args, **kwargs)

    # ------------------------------------------------------------------ conversion

    def as_dict(self) -> dict:
        """A plain dict copy of the entries."""
        return dict(self._config)

    def to_json(self) -> str:
        """The entries as a JSON string (values must be JSON-serializable)."""
        return json.dumps(self._config)

"""Thread-local call context: the name scope for new variables and the `training` flag.

When a layer is called (or built) inside another layer, the outer layer's name prefixes
the paths of variables created inside (``model/dense/kernel``) and its `training` value
flows down to inner layers that were not given one explicitly. The stack of names is the one
`kerasx.name_scope` pushes onto (kerasx/engine/name_scope.py), so user scopes prefix layers'
paths too (``outer/dense/kernel``).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from kerasx.engine.name_scope import names as _names
from kerasx.engine.name_scope import path_for as _path_for
from kerasx.engine.name_scope import pushed_by_name_scope as _pushed_by_name_scope

_local = threading.local()


def _stack(attr: str) -> list:
    s = getattr(_local, attr, None)
    if s is None:
        s = []
        setattr(_local, attr, s)
    return s


class name_scope:
    """Push `name` onto the path used for variables created inside the block."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.pushed = False

    def __enter__(self) -> None:
        names = _names()
        # A layer re-entering its own scope (a model's build calling the model) adds nothing.
        self.pushed = not names or names[-1] != self.name or _pushed_by_name_scope()
        if self.pushed:
            names.append(self.name)

    def __exit__(self, *exc: Any) -> None:
        if self.pushed:
            _names().pop()


def innermost_name() -> str | None:
    """The innermost name scope (None outside any)."""
    names = _names()
    return names[-1] if names else None


def current_path(name: str) -> str:
    """The full path of a variable called `name` created now."""
    return _path_for(name)


class training_scope:
    """Make `training` the value inner layers see when they are not given one."""

    def __init__(self, training: Any) -> None:
        self.training = training

    def __enter__(self) -> None:
        _stack("training").append(self.training)

    def __exit__(self, *exc: Any) -> None:
        _stack("training").pop()


def current_training() -> Any:
    """The innermost `training` value in effect (None when none was set)."""
    s = _stack("training")
    return s[-1] if s else None


def in_call() -> bool:
    """True while some layer's call is running."""
    return bool(_stack("training"))


def enter_call(training: Any, name: str) -> bool:
    """What ``training_scope(training)`` then ``name_scope(name)`` do on entry, in one call.

    Returns:
        Whether `name` was pushed (pass it to `exit_call`).
    """
    try:
        trainings = _local.training
    except AttributeError:
        trainings = _stack("training")
    names = _names()
    trainings.append(training)
    if names and names[-1] == name and not _pushed_by_name_scope():
        return False
    names.append(name)
    return True


def exit_call(pushed: bool) -> None:
    """Undo `enter_call` (the name first, then the training value)."""
    if pushed:
        _names().pop()
    _local.training.pop()


def snake_case(name: str) -> str:
    """``"BatchNormalization"`` -> ``"batch_normalization"``, ``"Conv2D"`` -> ``"conv2d"``."""
    out = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    out = re.sub(r"([a-z])([A-Z])", r"\1_\2", out)
    return out.lower()

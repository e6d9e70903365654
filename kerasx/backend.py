"""kerasx.backend: engine, dtype and global-setting utilities (the ``keras.backend`` surface)."""

from __future__ import annotations

import collections
from typing import Any

from kerasx.config import backend as backend
from kerasx.config import epsilon as epsilon
from kerasx.config import floatx as floatx
from kerasx.config import image_data_format as image_data_format
from kerasx.config import set_epsilon as set_epsilon
from kerasx.config import set_floatx as set_floatx
from kerasx.config import set_image_data_format as set_image_data_format
from kerasx.engine.dtypes import is_float_dtype as is_float_dtype
from kerasx.engine.dtypes import is_int_dtype as is_int_dtype
from kerasx.engine.dtypes import result_type as result_type
from kerasx.engine.dtypes import standardize_dtype as standardize_dtype
from kerasx.engine.symbolic import is_keras_tensor as is_keras_tensor

_uids: collections.defaultdict[str, int] = collections.defaultdict(int)
_clear_hooks: list[Any] = []


def get_uid(prefix: str = "") -> int:
    """Return 1, 2, 3, ... for successive calls with the same `prefix` (reset by clear_session).

    Args:
        prefix: the namespace of the counter (e.g. a layer's default name).

    Returns:
        The next integer for that prefix.
    """
    _uids[prefix] += 1
    return _uids[prefix]


def clear_session(free_memory: bool = True) -> None:
    """Reset global state: name counters (so default names restart) and registered caches.

    Args:
        free_memory: accepted for Keras compatibility; caches are always dropped.
    """
    _uids.clear()
    for hook in list(_clear_hooks):
        hook()


def register_clear_session_hook(hook: Any) -> None:
    """Call `hook()` whenever `clear_session` runs (used by modules holding global state)."""
    _clear_hooks.append(hook)

"""Engine-neutral argument checks of the elementwise_more kernels (nan_to_num fill values).

Pure Python on static arguments; the NumPy and JAX kernels import them so every engine rejects
the same arguments with the same messages.
"""

from __future__ import annotations

import numbers


def _check_fill(name, value, allow_none):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Received an invalid value for `{name}`, expected a real number"
            f"{' or None' if allow_none else ''}. Received: {name}={value!r}"
        )

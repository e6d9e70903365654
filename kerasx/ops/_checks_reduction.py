"""Engine-neutral argument checks of the reduction kernels.

Pure Python on static arguments; the NumPy and JAX kernels import them so every engine rejects
the same arguments with the same messages.
"""

from __future__ import annotations


def _check_axis_int(axis):
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool)):
        raise ValueError(
            "Received an invalid value for `axis`, expected an int or None. "
            f"Received: axis={axis!r}"
        )

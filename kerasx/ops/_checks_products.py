"""Engine-neutral argument handling of the product kernels (cross).

Pure Python on static arguments and shapes; the NumPy and JAX kernels import them so every
engine resolves and rejects the same arguments with the same messages.
"""

from __future__ import annotations


def _cross_axes(axisa, axisb, axisc, axis):
    if axis is not None:
        return axis, axis, axis
    return axisa, axisb, axisc


def _check_cross_vectors(a, b):
    """Raise unless the vector (last) dimension of `a` and `b` has size 2 or 3."""
    for v, name in ((a, "x1"), (b, "x2")):
        if v.shape[-1] not in (2, 3):
            raise ValueError(
                f"the vector dimension of `{name}` must have size 2 or 3, received {v.shape[-1]}"
            )

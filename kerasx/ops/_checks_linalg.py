"""Engine-neutral argument checks of the linalg kernels (qr mode, jvp arguments).

Pure Python on static arguments; the NumPy and JAX kernels import them so every engine rejects
the same arguments with the same messages.
"""

from __future__ import annotations


def _check_qr_mode(mode):
    if mode not in ("reduced", "complete"):
        raise ValueError(
            "Received an invalid value for `mode`, expected 'reduced' or 'complete'. "
            f"Received: mode={mode!r}"
        )


def _check_jvp_sequences(primals, tangents):
    """Raise unless `primals` and `tangents` are both tuples or lists."""
    for v, name in ((primals, "primals"), (tangents, "tangents")):
        if not isinstance(v, (tuple, list)):
            raise TypeError(
                f"Received an invalid value for `{name}`, expected a tuple or list. "
                f"Received: {name}={type(v).__name__}"
            )

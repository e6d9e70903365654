"""Engine-neutral argument checks of the signal kernels (complex pairs, framing).

Pure Python on static arguments and shapes; the NumPy and JAX kernels import them so every
engine rejects the same arguments with the same messages.
"""

from __future__ import annotations


def _check_complex_pair(x):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(
            "Received an invalid value for `x`, expected a tuple (real, imag) of two float "
            f"tensors. Received: x={type(x).__name__}"
        )


def _complex_parts_error(re, im):
    return ValueError(
        "Received an invalid value for `x`, both the real and the imaginary part must "
        f"be floating tensors. Received dtypes: {re.dtype}, {im.dtype}"
    )


def _check_view_as_complex(x):
    if x.shape[-1:] != (2,):
        raise ValueError(
            "Received an invalid value for `x`, expected a last dimension of size 2. "
            f"Received: x.shape={x.shape}"
        )


def _check_sequence_length(n, sequence_length):
    if n < sequence_length:
        raise ValueError(
            "Received an invalid value for `sequence_length`, expected at most the length of "
            f"the last axis ({n}). Received: sequence_length={sequence_length}"
        )

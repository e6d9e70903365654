"""Engine-neutral argument checks of the sorting kernels (argpartition, segment reductions, top_k).

Pure Python on static arguments and shapes; the NumPy and JAX kernels import them so every
engine rejects the same arguments with the same messages.
"""

from __future__ import annotations


def _check_segments(data, segment_ids, num_segments):
    if num_segments is not None and (
        not isinstance(num_segments, int) or isinstance(num_segments, bool) or num_segments < 0
    ):
        raise ValueError(
            "Received an invalid value for `num_segments`, expected an int >= 0 or None. "
            f"Received: num_segments={num_segments!r}"
        )
    if segment_ids.ndim != 1 or data.ndim == 0 or segment_ids.shape[0] != data.shape[0]:
        raise ValueError(
            "Received an invalid value for `segment_ids`, expected a 1-D tensor of length "
            f"data.shape[0]. Received: segment_ids.shape={segment_ids.shape}, "
            f"data.shape={data.shape}"
        )


def _check_kth(x, kth, axis):
    """Return (length of `axis`, `kth` made non-negative), raising for an invalid `kth`."""
    n = x.shape[axis]
    if not isinstance(kth, int) or isinstance(kth, bool) or not -n <= kth < n:
        raise ValueError(
            f"Received an invalid value for `kth`, expected an int in [{-n}, {n}). "
            f"Received: kth={kth!r}"
        )
    return n, kth % n


def _check_top_k(x, k):
    if x.ndim == 0:
        raise ValueError(
            "Received an invalid value for `x`, expected rank >= 1. Received: a scalar"
        )
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= x.shape[-1]:
        raise ValueError(
            f"Received an invalid value for `k`, expected an int in [1, {x.shape[-1]}]. "
            f"Received: k={k!r}"
        )

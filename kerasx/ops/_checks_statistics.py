"""Engine-neutral argument checks of the statistics kernels (quantiles, histograms, bin counts).

Pure Python on static arguments and shapes; the NumPy and JAX kernels import them so every
engine rejects the same arguments with the same messages.
"""

from __future__ import annotations


def _check_method(method):
    if method not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise ValueError(
            "Received an invalid value for `method`, expected one of linear, lower, higher, "
            f"midpoint, nearest. Received: method={method!r}"
        )


def _check_histogram(x, bins, range):  # noqa: A002
    if x.ndim != 1:
        raise ValueError(
            f"Received an invalid value for `x`, expected a 1-D tensor. Received: x.shape={x.shape}"
        )
    if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
        raise ValueError(
            "Received an invalid value for `bins`, expected a positive int. "
            f"Received: bins={bins!r}"
        )
    if range is not None and (len(range) != 2 or range[0] > range[1]):
        raise ValueError(
            "Received an invalid value for `range`, expected a pair (min, max) with "
            f"min <= max. Received: range={range!r}"
        )


def _check_bincount(x, minlength, sparse):
    if sparse:
        raise ValueError(
            "Received an invalid value for `sparse`: sparse results are not supported. "
            "Received: sparse=True"
        )
    if not isinstance(minlength, int) or isinstance(minlength, bool) or minlength < 0:
        raise ValueError(
            "Received an invalid value for `minlength`, expected an int >= 0. "
            f"Received: minlength={minlength!r}"
        )
    if x.ndim not in (1, 2):
        raise ValueError(
            "Received an invalid value for `x`, expected a 1-D or 2-D tensor. "
            f"Received: x.shape={x.shape}"
        )

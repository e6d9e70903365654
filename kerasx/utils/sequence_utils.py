"""`pad_sequences`: turn a list of variable-length sequences into one padded array."""

from __future__ import annotations

from typing import Any

import numpy as np


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Pad (and truncate) sequences to a common length and stack them into one array.

    Each sequence is first cut to `maxlen` items (dropping items at the start with
    ``truncating="pre"`` or at the end with ``"post"``), then filled with `value` up to
    `maxlen` (before the items with ``padding="pre"``, after them with ``"post"``). Items may
    themselves be arrays (all of one shape); the result then has their shape as trailing axes.

    Args:
        sequences: a list (or other sized iterable) of sequences (lists or arrays).
        maxlen: the common length; ``None`` uses the length of the longest sequence.
        dtype: the dtype of the result. Use ``object`` (or a string dtype) for strings.
        padding: ``"pre"`` or ``"post"``: where the padding goes.
        truncating: ``"pre"`` or ``"post"``: which end of a long sequence is cut off.
        value: the padding value (a number, or a string for string dtypes).

    Returns:
        A NumPy array of shape ``(len(sequences), maxlen) + item_shape``.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    num_samples = len(sequences)

    lengths = []
    sample_shape: tuple = ()
    found_shape = False
    for seq in sequences:
        try:
            lengths.append(len(seq))
        except TypeError as e:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {seq}"
            ) from e
        if not found_shape and len(seq):
            sample_shape = np.asarray(seq).shape[1:]
            found_shape = True

    if maxlen is None:
        maxlen = np.max(lengths)

    string_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not string_dtype:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )

    out = np.full((num_samples, maxlen) + sample_shape, value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq):
            continue
        if truncating == "pre":
            kept = seq[-maxlen:]
        elif truncating == "post":
            kept = seq[:maxlen]
        else:
            raise ValueError(f'Truncating type "{truncating}" not understood')

        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {i} is different "
                f"from expected shape {sample_shape}"
            )
        if padding == "post":
            out[i, : len(kept)] = kept
        elif padding == "pre":
            out[i, -len(kept) :] = kept
        else:
            raise ValueError(f'Padding type "{padding}" not understood')
    return out

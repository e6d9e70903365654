"""IMDB movie reviews: 50,000 reviews as word-index sequences, labelled by sentiment.

Downloaded on first use. The helpers below also encode the Reuters newswires (same format).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np

from kerasx.datasets._safe_pickle import load_npz
from kerasx.utils.file_utils import get_file

_ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
_WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def _shift_indices(sequences: Any, start_char: int | None, index_from: int) -> list[list[int]]:
    """Add `index_from` to every word index and put `start_char` (unless None) in front."""
    head = [] if start_char is None else [start_char]
    return [head + [w + index_from for w in seq] for seq in sequences]


def _drop_long(maxlen: int | None, sequences: list, labels: np.ndarray) -> tuple[list, np.ndarray]:
    """Keep the sequences shorter than `maxlen` (all of them when `maxlen` is falsy)."""
    if not maxlen:
        return sequences, labels
    keep = [len(seq) < maxlen for seq in sequences]
    kept = [seq for seq, k in zip(sequences, keep) if k]
    return kept, labels[np.asarray(keep, dtype=bool)]


def _limit_vocabulary(
    sequences: list, num_words: int | None, skip_top: int, oov_char: int | None
) -> list[list[int]]:
    """Map word indices outside ``[skip_top, num_words)`` to `oov_char`, or drop them if None.

    When `num_words` is falsy, the largest index present is used as the (exclusive) bound.
    """
    if not num_words:
        num_words = max((max(seq) for seq in sequences if len(seq)), default=0)
    if oov_char is None:
        return [[w for w in seq if skip_top <= w < num_words] for seq in sequences]
    return [[w if skip_top <= w < num_words else oov_char for w in seq] for seq in sequences]


def _as_object_array(sequences: list) -> np.ndarray:
    """A 1-D object array holding one Python list per sequence."""
    out = np.empty(len(sequences), dtype=object)
    for i, seq in enumerate(sequences):
        out[i] = seq
    return out


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs: Any,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the IMDB sentiment data as ``(x_train, y_train), (x_test, y_test)``.

    Each review is a list of word indices; a word's index is its frequency rank in the corpus
    (1 is the most frequent word) plus `index_from`. Index 0 is never used for a word (it is
    left for padding). The ``imdb.npz`` file is downloaded once (sha256 checked) into the
    kerasx cache (``$KERASX_HOME/datasets``, by default ``~/.kerasx/datasets``).

    Args:
        path: the file name to cache the data under, inside the cache's ``datasets`` folder.
        num_words: keep only word indices below this bound (after shifting by `index_from`);
            others become `oov_char`. None or 0: the largest index in the data is the bound.
        skip_top: word indices below this (after shifting) also become `oov_char`.
        maxlen: drop the reviews whose length (start character included) is `maxlen` or more.
            None or 0 keeps them all.
        seed: seed of the shuffle applied to the training set, then to the test set.
        start_char: index put at the start of each review; None for no start marker.
        oov_char: index that replaces the words cut by `num_words` or `skip_top`; None
            removes those words instead.
        index_from: offset added to every word index of the file.
        **kwargs: accepted for compatibility and ignored (with a warning).

    Returns:
        Two tuples. ``x_train`` and ``x_test``: 1-D object arrays of 25,000 lists of ints
        each (fewer with `maxlen`). ``y_train`` and ``y_test``: int64 arrays of labels,
        0 negative and 1 positive.

    Raises:
        ValueError: when `maxlen` leaves no review in the training or the test set.
    """
    if kwargs:
        warnings.warn(
            f"imdb.load_data ignores the unknown keyword arguments {sorted(kwargs)}.",
            stacklevel=2,
        )
    local = get_file(fname=path, origin=_ORIGIN_FOLDER + "imdb.npz", file_hash=_FILE_HASH)
    arrays = load_npz(local)
    rng = np.random.RandomState(seed)
    order = rng.permutation(len(arrays["x_train"]))
    x_train, y_train = arrays["x_train"][order], arrays["y_train"][order]
    order = rng.permutation(len(arrays["x_test"]))
    x_test, y_test = arrays["x_test"][order], arrays["y_test"][order]

    x_train, y_train = _drop_long(maxlen, _shift_indices(x_train, start_char, index_from), y_train)
    x_test, y_test = _drop_long(maxlen, _shift_indices(x_test, start_char, index_from), y_test)
    if maxlen and (not x_train or not x_test):
        raise ValueError(
            f"Received maxlen={maxlen}, which removes every review from the "
            f"{'training' if not x_train else 'test'} set (only reviews shorter than `maxlen` "
            "are kept, counting the start character). Increase `maxlen`."
        )
    n_train = len(x_train)
    sequences = _limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    train = (_as_object_array(sequences[:n_train]), labels[:n_train])
    test = (_as_object_array(sequences[n_train:]), labels[n_train:])
    return train, test


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """Return the IMDB word index: a dict from word to its frequency rank (1 = most frequent).

    The ranks are the indices found in the ``imdb.npz`` file, before `load_data` adds
    `index_from` to them. The JSON file is downloaded once into the kerasx cache.

    Args:
        path: the file name to cache the index under, inside the cache's ``datasets`` folder.

    Returns:
        The word index, as a dict.
    """
    local = get_file(
        fname=path, origin=_ORIGIN_FOLDER + "imdb_word_index.json", file_hash=_WORD_INDEX_HASH
    )
    with open(local) as f:
        return json.load(f)

"""Reuters newswires: 11,228 articles as word-index sequences, labelled with 46 topics.

Downloaded on first use. The word-index encoding is the one IMDB uses (see `imdb`).
"""

from __future__ import annotations

import json

import numpy as np

from kerasx.datasets._safe_pickle import load_npz
from kerasx.datasets.imdb import _as_object_array, _drop_long, _limit_vocabulary, _shift_indices
from kerasx.utils.file_utils import get_file

_ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
_WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"

# The topic of each label, in label order (label 3 is "earn", the most common).
_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
    "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
    "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the Reuters topic data as ``(x_train, y_train), (x_test, y_test)``.

    Each newswire is a list of word indices; a word's index is its frequency rank in the
    corpus (1 is the most frequent word) plus `index_from`. The articles are shuffled, then
    the last `test_split` fraction becomes the test set. The ``reuters.npz`` file is
    downloaded once (sha256 checked) into the kerasx cache (``$KERASX_HOME/datasets``, by
    default ``~/.kerasx/datasets``).

    Args:
        path: the file name to cache the data under, inside the cache's ``datasets`` folder.
        num_words: keep only word indices below this bound (after shifting by `index_from`);
            others become `oov_char`. None or 0: the largest index in the data is the bound.
        skip_top: word indices below this (after shifting) also become `oov_char`.
        maxlen: drop the articles whose length (start character included) is `maxlen` or
            more. None or 0 keeps them all.
        test_split: fraction of the articles held out for testing, in [0, 1].
        seed: seed of the shuffle applied before the split.
        start_char: index put at the start of each article; None for no start marker.
        oov_char: index that replaces the words cut by `num_words` or `skip_top`; None
            removes those words instead.
        index_from: offset added to every word index of the file.

    Returns:
        Two tuples. ``x_train`` and ``x_test``: 1-D object arrays of lists of ints.
        ``y_train`` and ``y_test``: int64 arrays of topic labels 0..45 (see
        `get_label_names`).
    """
    if not isinstance(test_split, (int, float)) or not 0 <= test_split <= 1:
        raise ValueError(
            "Received an invalid value for `test_split`, expected a fraction in [0, 1]. "
            f"Received: test_split={test_split!r}"
        )
    local = get_file(fname=path, origin=_ORIGIN_FOLDER + "reuters.npz", file_hash=_FILE_HASH)
    arrays = load_npz(local)
    order = np.random.RandomState(seed).permutation(len(arrays["x"]))
    xs, labels = arrays["x"][order], arrays["y"][order]
    xs, labels = _drop_long(maxlen, _shift_indices(xs, start_char, index_from), labels)
    xs = _limit_vocabulary(xs, num_words, skip_top, oov_char)
    n_train = int(len(xs) * (1 - test_split))
    train = (_as_object_array(xs[:n_train]), labels[:n_train])
    test = (_as_object_array(xs[n_train:]), labels[n_train:])
    return train, test


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """Return the Reuters word index: a dict from word to its frequency rank (1 = most frequent).

    The ranks are the indices found in the ``reuters.npz`` file, before `load_data` adds
    `index_from` to them. The JSON file is downloaded once into the kerasx cache.

    Args:
        path: the file name to cache the index under, inside the cache's ``datasets`` folder.

    Returns:
        The word index, as a dict.
    """
    local = get_file(
        path, origin=_ORIGIN_FOLDER + "reuters_word_index.json", file_hash=_WORD_INDEX_HASH
    )
    with open(local) as f:
        return json.load(f)


def get_label_names() -> tuple[str, ...]:
    """Return the names of the 46 Reuters topics, indexed by label.

    Returns:
        A tuple of 46 strings; ``get_label_names()[y]`` names label ``y``.
    """
    return _LABEL_NAMES

"""`text_dataset_from_directory` and `audio_dataset_from_directory`, returning `PyDataset`s.

Both functions list the files of a directory tree (one subdirectory per class, or the whole
tree when labels are given or not wanted), label, shuffle and split them the way Keras 3 does,
and read the files lazily, batch by batch. Keras 3 returns `tf.data.Dataset`s (or grain
datasets); kerasx has neither, so the result is an `ArrayDataset` (a `PyDataset` that `fit`,
`evaluate` and `predict` accept) with a `class_names` attribute.
"""

from __future__ import annotations

import codecs
import logging
import os
import sys
import wave
from collections.abc import Sequence
from typing import Any

import numpy as np

from kerasx import config
from kerasx.utils.dataset_utils import ArrayDataset

_logger = logging.getLogger("kerasx")

_TEXT_FORMATS = (".txt",)
_AUDIO_FORMATS = (".wav",)
_LABEL_MODES = ("int", "categorical", "binary", None)
_SUBSETS = ("training", "validation", "both", None)


def _say(message: str) -> None:
    """Show a message on stdout, or log it when interactive logging is off (as Keras does)."""
    if config.is_interactive_logging_enabled():
        sys.stdout.write(message + "\n")
        sys.stdout.flush()
    else:
        _logger.info(message)


# -- argument checks -----------------------------------------------------------------------------


def _check_labels_args(labels: Any, class_names: Any, label_mode: Any, kind: str) -> None:
    if not (isinstance(labels, str) and labels == "inferred") and labels is not None:
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                'Received an invalid value for `labels`: expected "inferred" (one class per '
                f"subdirectory), None (no labels), or a list/tuple with one integer label per "
                f"{kind} file, in the sorted order of the file paths. Received: labels={labels!r}"
            )
        if class_names:
            raise ValueError(
                '`class_names` can only be passed together with `labels="inferred"`; with '
                "explicit labels the class names are the sorted distinct labels. Received: "
                f"labels={labels!r}, class_names={class_names!r}"
            )
    if label_mode not in _LABEL_MODES:
        raise ValueError(
            'Received an invalid value for `label_mode`, expected one of "int", '
            f'"categorical", "binary" or None. Received: label_mode={label_mode!r}'
        )


def _check_split_args(validation_split: Any, subset: Any, shuffle: bool, seed: Any) -> None:
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            "Received an invalid value for `validation_split`, expected a float strictly "
            f"between 0 and 1. Received: validation_split={validation_split!r}"
        )
    if bool(validation_split) != bool(subset):
        raise ValueError(
            "`validation_split` and `subset` go together: pass both (e.g. "
            'validation_split=0.2, subset="training") or neither. Received: '
            f"validation_split={validation_split!r}, subset={subset!r}"
        )
    if subset not in _SUBSETS:
        raise ValueError(
            'Received an invalid value for `subset`, expected "training", "validation" or '
            f'"both". Received: subset={subset!r}'
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "With `validation_split` and `shuffle=True` a `seed` is required, so that the "
            "training and validation calls shuffle the files the same way and do not overlap. "
            "Pass e.g. seed=1337 (the same value in both calls)."
        )


def _check_format(format: Any) -> None:
    if format not in ("tf", "grain"):
        raise ValueError(
            f'Received an invalid value for `format`, expected "tf" or "grain". '
            f"Received: format={format!r}"
        )


# -- listing the files ---------------------------------------------------------------------------


def _class_subdirectories(directory: str) -> list[str]:
    try:
        entries = sorted(os.listdir(directory))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"The directory {directory!r} passed as `directory` does not exist."
        ) from None
    except NotADirectoryError:
        raise NotADirectoryError(
            f"`directory` must be a directory holding one subdirectory per class. Received "
            f"the file {directory!r}."
        ) from None
    return [
        name
        for name in entries
        if not name.startswith(".") and os.path.isdir(os.path.join(directory, name))
    ]


def _files_under(root: str, formats: tuple[str, ...], follow_links: bool) -> list[str]:
    """The paths of the files under `root` with an allowed extension, in Keras's order.

    Directories are visited in sorted order of their paths (as strings), and the files of
    each directory in sorted order of their names; extensions match case-insensitively.
    """
    found = []
    for dirpath, _, filenames in sorted(
        os.walk(root, followlinks=follow_links), key=lambda w: w[0]
    ):
        for name in sorted(filenames):
            if name.lower().endswith(formats):
                found.append(os.path.join(dirpath, name))
    return found


def _index_directory(
    directory: str,
    labels: Any,
    formats: tuple[str, ...],
    class_names: Any,
    follow_links: bool,
    verbose: bool,
) -> tuple[list[str], np.ndarray | None, list[str] | None]:
    """List the files with their integer labels and the class names, before any shuffle."""
    directory = os.fspath(directory)
    inferred = isinstance(labels, str) and labels == "inferred"
    if inferred:
        subdirs = _class_subdirectories(directory)
        if class_names is not None:
            missing = [c for c in class_names if c not in subdirs]
            if missing:
                raise ValueError(
                    "Every entry of `class_names` must be the name of a subdirectory of "
                    f"`directory`. Not found: {missing}. The subdirectories are {subdirs}. "
                    f"Received: class_names={list(class_names)}"
                )
            subdirs = list(class_names)
        paths: list[str] = []
        label_list: list[int] = []
        for index, name in enumerate(subdirs):
            files = _files_under(os.path.join(directory, name), formats, follow_links)
            paths += files
            label_list += [index] * len(files)
        label_array: np.ndarray | None = np.asarray(label_list, dtype="int32")
        names: list[str] | None = list(subdirs)
    else:
        if class_names is not None:
            if labels is None:
                raise ValueError(
                    "`class_names` cannot be passed without labels (`labels=None` or "
                    f"`label_mode=None`). Received: class_names={class_names!r}"
                )
            raise ValueError(
                "`class_names` cannot be passed with explicit `labels`: the class names are "
                f"the sorted distinct labels. Received: class_names={class_names!r}"
            )
        paths = _files_under(directory, formats, follow_links)
        if labels is None:
            label_array, names = None, None
        else:
            if len(labels) != len(paths):
                raise ValueError(
                    f"`labels` must hold one label per file: found {len(paths)} files in "
                    f"directory {directory!r} but received {len(labels)} labels."
                )
            label_array = np.asarray(labels)
            if label_array.size and label_array.dtype.kind not in "iub":
                raise ValueError(
                    "`labels` must be integers (one class index per file). Received labels "
                    f"of dtype {label_array.dtype}: {list(labels)[:5]}..."
                )
            label_array = label_array.astype("int32").reshape(len(paths))
            names = [str(v) for v in sorted(set(int(v) for v in label_array))]
    if verbose:
        if label_array is None:
            _say(f"Found {len(paths)} files.")
        else:
            _say(f"Found {len(paths)} files belonging to {len(names)} classes.")
    return paths, label_array, names


def _split_rows(n: int, validation_split: Any, subset: str | None, log: bool = True) -> np.ndarray:
    """The positions (in the shuffled file list) kept for `subset`.

    As in Keras, the last ``int(validation_split * n)`` files are the validation files and
    the others the training files (so a split that rounds down to 0 files leaves the
    training subset empty and gives every file to the validation subset).
    """
    rows = np.arange(n, dtype="int64")
    if not validation_split:
        return rows
    num_val = int(validation_split * n)
    if subset == "training":
        kept = rows[: n - num_val] if num_val else rows[:0]
        if log:
            _say(f"Using {len(kept)} files for training.")
    else:
        kept = rows[n - num_val :] if num_val else rows
        if log:
            _say(f"Using {len(kept)} files for validation.")
    return kept


def _encode_labels(labels: np.ndarray, label_mode: str, num_classes: int) -> np.ndarray:
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        # Like tf.one_hot, an index outside [0, num_classes) gives an all-zero row.
        return (labels[:, None] == np.arange(num_classes)[None, :]).astype("float32")
    return labels.astype("int32")


class _ReshuffledDataset(ArrayDataset):
    """An `ArrayDataset` that draws a new sample order from its own generator every epoch."""

    def __init__(self, *args: Any, seed: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rng = np.random.RandomState(seed)

    def on_epoch_end(self) -> None:
        self._rows = self._rng.permutation(self._rows)


def _build(
    fetch_sample: Any,
    paths: list[str],
    labels: np.ndarray | None,
    label_mode: str | None,
    num_classes: int,
    rows: np.ndarray,
    batch_size: int | None,
    reshuffle_seed: int | None,
    collate: Any,
    class_names: list[str] | None,
) -> ArrayDataset:
    encoded = None if label_mode is None else _encode_labels(labels, label_mode, num_classes)

    def fetch(index: Any) -> Any:
        if isinstance(index, (int, np.integer)):
            sample = fetch_sample(paths[int(index)])
            return sample if encoded is None else (sample, encoded[int(index)])
        samples = collate([fetch_sample(paths[int(i)]) for i in index])
        return samples if encoded is None else (samples, encoded[index])

    if reshuffle_seed is None:
        dataset = ArrayDataset(fetch, rows, batch_size)
    else:
        dataset = _ReshuffledDataset(fetch, rows, batch_size, seed=reshuffle_seed)
    dataset.class_names = class_names
    dataset.file_paths = [paths[int(i)] for i in rows]
    return dataset


def _directory_datasets(
    kind: str,
    formats: tuple[str, ...],
    directory: Any,
    labels: Any,
    label_mode: Any,
    class_names: Any,
    batch_size: int | None,
    shuffle: bool,
    seed: Any,
    validation_split: Any,
    subset: Any,
    follow_links: bool,
    verbose: bool,
    fetch_sample: Any,
    collate: Any,
) -> Any:
    """The part shared by the text and audio functions, after their own argument checks."""
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    _check_split_args(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = int(np.random.randint(int(1e6)))
    paths, label_array, names = _index_directory(
        directory, labels, formats, class_names, follow_links, verbose
    )
    if label_mode == "binary" and len(names) != 2:
        raise ValueError(
            f'`label_mode="binary"` needs exactly 2 classes, but there are {len(names)}: '
            f'class_names={names}. Use label_mode="int" or "categorical" for more classes.'
        )
    order = np.arange(len(paths), dtype="int64")
    if shuffle:
        # The same permutation Keras applies to its file and label lists.
        np.random.RandomState(seed).shuffle(order)
    paths = [paths[i] for i in order]
    if label_array is not None:
        label_array = label_array[order]
    num_classes = len(names) if names else 0

    def make(which: str | None, reshuffle: bool) -> ArrayDataset:
        rows = _split_rows(len(paths), validation_split, which)
        if not len(rows):
            prefix = {"training": "training ", "validation": "validation "}.get(which, "")
            raise ValueError(
                f"No {prefix}{kind} files found in directory {os.fspath(directory)!r}. Allowed "
                f"format(s): {', '.join(formats)}"
                + (
                    f". With {len(paths)} files, validation_split={validation_split} leaves "
                    "this subset empty."
                    if paths
                    else ""
                )
            )
        return _build(
            fetch_sample,
            paths,
            label_array,
            label_mode,
            num_classes,
            rows,
            batch_size,
            seed if reshuffle else None,
            collate,
            names,
        )

    if subset == "both":
        return make("training", shuffle), make("validation", False)
    return make(subset if validation_split else None, shuffle)


# -- text ------------------------------------------------------------------------------------------


def _text_reader(max_length: int | None, format: str) -> Any:
    def read(path: str) -> str:
        with open(path, "rb") as f:
            data = f.read()
        if max_length is None:
            return data.decode("utf-8", errors="replace")
        if format == "tf":
            # A cut in the middle of a multi-byte character drops that character.
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            return decoder.decode(data[:max_length], final=False)
        return data.decode("utf-8", errors="replace")[:max_length]

    return read


def _string_batch(texts: list[str]) -> np.ndarray:
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def text_dataset_from_directory(
    directory: str | os.PathLike,
    labels: str | Sequence[int] | None = "inferred",
    label_mode: str | None = "int",
    class_names: Sequence[str] | None = None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    format: str = "tf",
    verbose: bool = True,
) -> Any:
    """Make a dataset of `(texts, labels)` batches from the `.txt` files under a directory.

    With ``labels="inferred"`` every subdirectory of `directory` (in sorted order, names
    starting with ``.`` skipped) is a class, numbered from 0, and holds that class's files
    at any depth. With explicit labels or no labels, every `.txt` file under `directory` is
    used, with the directory structure ignored. Files are listed directory by directory
    (directories sorted by path) and, within a directory, sorted by name; the extension
    test ignores case.

    Unlike Keras 3, which returns a `tf.data.Dataset` (or a grain dataset), this returns an
    `ArrayDataset`, a `PyDataset` that `fit` accepts, reading the files lazily. Each batch
    is ``(texts, labels)`` (just ``texts`` without labels), with ``texts`` a NumPy array of
    Python strings of dtype ``object`` and shape ``(batch,)``: UTF-8 decoded (invalid bytes
    become U+FFFD), line endings kept. `TextVectorization` takes such arrays directly.

    Shuffling: the files are shuffled once with ``np.random.RandomState(seed)``, the same
    permutation Keras applies, so the training / validation split holds exactly Keras's
    files and the validation subset comes in Keras's order. Keras then also streams the
    training files through a tf.data shuffle buffer; here the training subset is served in
    the permuted order in the first epoch and in a fresh permutation (drawn from `seed`) after
    each epoch, so its batch order differs from Keras's.

    Args:
        directory: the root directory.
        labels: ``"inferred"`` (from the subdirectories), None (texts only), or a list/tuple
            of integer labels, one per file in the listing order above.
        label_mode: ``"int"`` (int32 labels, shape ``(batch,)``), ``"categorical"``
            (float32 one-hot, shape ``(batch, num_classes)``), ``"binary"`` (float32 0/1,
            shape ``(batch, 1)``; needs exactly 2 classes), or None (texts only).
        class_names: with ``labels="inferred"``, the subdirectories to use, in label order
            (a subset of the subdirectories; default all, sorted).
        batch_size: texts per batch, or None for single samples (a `str` and its label).
        max_length: truncate each text to this length: bytes of UTF-8 with
            ``format="tf"`` (as tf.strings.substr; a cut character is dropped), characters
            with ``format="grain"``. None: no truncation.
        shuffle: shuffle the files (False: the sorted listing order).
        seed: the shuffle seed. None: drawn from NumPy's global generator (so
            `kerasx.utils.set_random_seed` makes it reproducible); required with
            `validation_split` when shuffling.
        validation_split: the fraction of the files reserved for validation (the last
            ``int(validation_split * num_files)`` files after shuffling).
        subset: ``"training"``, ``"validation"`` or ``"both"`` (a list
            ``[training, validation]``); only with `validation_split`.
        follow_links: descend into symbolic links to directories.
        format: ``"tf"`` or ``"grain"``; the result is an `ArrayDataset` either way.
        verbose: print how many files and classes were found.

    Returns:
        An `ArrayDataset` with a `class_names` attribute (None without labels; the sorted
        distinct labels as strings for explicit labels) and a `file_paths` attribute (its
        files, in first-epoch order), or a list of two for ``subset="both"``.
    """
    _check_labels_args(labels, class_names, label_mode, "text")
    _check_format(format)
    if max_length is not None and (
        isinstance(max_length, bool)
        or not isinstance(max_length, (int, np.integer))
        or max_length < 0
    ):
        raise ValueError(
            "Received an invalid value for `max_length`, expected a non-negative integer or "
            f"None. Received: max_length={max_length!r}"
        )
    result = _directory_datasets(
        "text",
        _TEXT_FORMATS,
        directory,
        labels,
        label_mode,
        class_names,
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        verbose,
        _text_reader(max_length, format),
        _string_batch,
    )
    return list(result) if isinstance(result, tuple) else result


# -- audio -----------------------------------------------------------------------------------------


def _wav_reader(sampling_rate: int | None, output_sequence_length: int | None) -> Any:
    def read(path: str) -> np.ndarray:
        try:
            with wave.open(path, "rb") as f:
                width, channels, rate = f.getsampwidth(), f.getnchannels(), f.getframerate()
                frames = f.readframes(f.getnframes())
        except (wave.Error, EOFError) as e:
            raise ValueError(
                f"Could not decode the WAV file {path!r}: {e}. Only uncompressed PCM WAV files "
                "can be read."
            ) from None
        if width != 2:
            raise ValueError(
                f"Only 16-bit PCM WAV files can be read; {path!r} has {8 * width}-bit samples."
            )
        if sampling_rate is not None and rate != sampling_rate:
            raise ValueError(
                f"The WAV file {path!r} is sampled at {rate} Hz but `sampling_rate` is "
                f"{sampling_rate}. kerasx does not resample audio (Keras uses tensorflow-io "
                "for it): resample the files beforehand, or pass sampling_rate=None."
            )
        audio = np.frombuffer(frames, dtype="<i2").reshape(-1, channels)
        audio = audio.astype("float32") / np.float32(32768.0)
        if output_sequence_length is not None:
            audio = audio[:output_sequence_length]
            if len(audio) < output_sequence_length:
                pad = np.zeros((output_sequence_length - len(audio), channels), "float32")
                audio = np.concatenate([audio, pad])
        return audio

    return read


def _pad_batch(clips: list[np.ndarray]) -> np.ndarray:
    channels = {c.shape[1] for c in clips}
    if len(channels) > 1:
        raise ValueError(
            "The audio files of a batch have different numbers of channels "
            f"({sorted(channels)}); they cannot be batched together."
        )
    out = np.zeros((len(clips), max(len(c) for c in clips), channels.pop()), "float32")
    for i, clip in enumerate(clips):
        out[i, : len(clip)] = clip
    return out


def audio_dataset_from_directory(
    directory: str | os.PathLike,
    labels: str | Sequence[int] | None = "inferred",
    label_mode: str | None = "int",
    class_names: Sequence[str] | None = None,
    batch_size: int | None = 32,
    sampling_rate: int | None = None,
    output_sequence_length: int | None = None,
    ragged: bool = False,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    verbose: bool = True,
) -> Any:
    """Make a dataset of `(audio, labels)` batches from the `.wav` files under a directory.

    Files, labels, class names, shuffling and the validation split follow the same rules as
    `text_dataset_from_directory` (with `.wav` files). Each file is decoded with the standard
    library's `wave` module: 16-bit PCM only, scaled to float32 in ``[-1, 1)`` (sample /
    32768), shape ``(samples, channels)``.

    Unlike Keras 3, which returns a `tf.data.Dataset`, this returns an `ArrayDataset` (a
    `PyDataset` that `fit` accepts) reading the files lazily. Batches are float32 arrays of
    shape ``(batch, samples, channels)``: clips are cut or zero-padded at the end to
    `output_sequence_length`, or, without it, zero-padded to the longest clip of the batch
    (as Keras's padded batches). Keras resamples to `sampling_rate` with tensorflow-io;
    kerasx cannot resample, so a file at another rate is an error. Ragged batches do not
    exist in kerasx (``ragged=True`` is an error).

    Args:
        directory: the root directory.
        labels: ``"inferred"``, None, or a list/tuple of integer labels, one per file.
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or None (see
            `text_dataset_from_directory`).
        class_names: with ``labels="inferred"``, the subdirectories to use, in label order.
        batch_size: clips per batch, or None for single clips.
        sampling_rate: the expected sampling rate in Hz (files must already have it), or None.
        output_sequence_length: cut or pad every clip to this many samples; None: keep each
            clip's length (batches are padded to their longest clip).
        ragged: must be False.
        shuffle: shuffle the files (False: the sorted listing order).
        seed: the shuffle seed (required with `validation_split` when shuffling).
        validation_split: the fraction of the files reserved for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (a tuple ``(training,
            validation)``); only with `validation_split`.
        follow_links: descend into symbolic links to directories.
        verbose: print how many files and classes were found.

    Returns:
        An `ArrayDataset` with `class_names` and `file_paths` attributes, or a tuple of two for
        ``subset="both"``.
    """
    _check_labels_args(labels, class_names, label_mode, "audio")
    if ragged and output_sequence_length is not None:
        raise ValueError(
            "`ragged=True` and `output_sequence_length` exclude each other. Received: "
            f"output_sequence_length={output_sequence_length!r}"
        )
    if ragged:
        raise ValueError(
            "kerasx has no ragged tensors, so `ragged=True` is not supported. Pass "
            "`output_sequence_length` for fixed-length clips, or leave both unset to pad each "
            "batch to its longest clip."
        )
    if sampling_rate is not None and (
        isinstance(sampling_rate, bool) or not isinstance(sampling_rate, int) or sampling_rate <= 0
    ):
        raise ValueError(
            "Received an invalid value for `sampling_rate`, expected a positive integer or "
            f"None. Received: sampling_rate={sampling_rate!r}"
        )
    if output_sequence_length is not None and (
        isinstance(output_sequence_length, bool)
        or not isinstance(output_sequence_length, (int, np.integer))
        or output_sequence_length < 1
    ):
        raise ValueError(
            "Received an invalid value for `output_sequence_length`, expected a positive "
            f"integer or None. Received: output_sequence_length={output_sequence_length!r}"
        )
    return _directory_datasets(
        "audio",
        _AUDIO_FORMATS,
        directory,
        labels,
        label_mode,
        class_names,
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        verbose,
        _wav_reader(sampling_rate, output_sequence_length),
        _pad_batch,
    )

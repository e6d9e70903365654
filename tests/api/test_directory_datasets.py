"""`text_dataset_from_directory` and `audio_dataset_from_directory`: closed-form checks.

Each test builds a small directory tree in `tmp_path` whose files hold their own relative
path, so a batch says exactly which files it holds. Keras cannot run these functions here
(it needs TensorFlow or grain), but its pure-Python file indexing can: the listing, shuffle
and split are compared with it when Keras is installed.
"""

from __future__ import annotations

import os
import wave

import numpy as np
import pytest

import kerasx
from kerasx.utils import audio_dataset_from_directory, text_dataset_from_directory

TREE = {
    "b/x1.txt": None,
    "b/deep/x2.txt": None,
    "a/y2.txt": None,
    "a/y1.TXT": None,
    "a/notes.md": None,
    "a-b/z.txt": None,
    ".hidden/h.txt": None,
    "top.txt": None,
}


def make_tree(root, files=TREE):
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((rel if content is None else content).encode("utf-8"))
    return root


def rel(dataset, root):
    return [os.path.relpath(p, root) for p in dataset.file_paths]


def all_texts(dataset):
    out = []
    for batch in dataset:
        texts = batch[0] if isinstance(batch, tuple) else batch
        out += list(texts)
    return out


# -- listing, labels, batches ------------------------------------------------------------------


def test_inferred_labels_listing_and_batches(tmp_path, capsys):
    make_tree(tmp_path)
    ds = text_dataset_from_directory(tmp_path, batch_size=2, shuffle=False)
    assert capsys.readouterr().out == "Found 5 files belonging to 3 classes.\n"
    # classes: sorted subdirectories, hidden ones skipped; top-level files ignored
    assert ds.class_names == ["a", "a-b", "b"]
    # per class: directories by path, files by name; the extension test ignores case
    order = ["a/y1.TXT", "a/y2.txt", "a-b/z.txt", "b/x1.txt", "b/deep/x2.txt"]
    assert rel(ds, tmp_path) == order
    assert len(ds) == 3
    texts, labels = ds[0]
    assert texts.dtype == object and texts.shape == (2,)
    assert all(type(t) is str for t in texts)
    assert labels.dtype == np.int32 and labels.shape == (2,)
    assert all_texts(ds) == order
    np.testing.assert_array_equal(np.concatenate([b[1] for b in ds]), [0, 0, 1, 2, 2])
    assert ds[2][0].shape == (1,)


def test_label_modes(tmp_path):
    make_tree(tmp_path, {"neg/1.txt": None, "neg/2.txt": None, "pos/3.txt": None})
    kw = {"shuffle": False, "verbose": False, "batch_size": 8}
    _, y = text_dataset_from_directory(tmp_path, label_mode="categorical", **kw)[0]
    assert y.dtype == np.float32 and y.shape == (3, 2)
    np.testing.assert_array_equal(y, [[1, 0], [1, 0], [0, 1]])
    _, y = text_dataset_from_directory(tmp_path, label_mode="binary", **kw)[0]
    assert y.dtype == np.float32 and y.shape == (3, 1)
    np.testing.assert_array_equal(y, [[0], [0], [1]])
    only_texts = text_dataset_from_directory(tmp_path, label_mode=None, **kw)
    assert isinstance(only_texts[0], np.ndarray) and only_texts.class_names is None


def test_binary_needs_two_classes(tmp_path):
    make_tree(tmp_path)
    with pytest.raises(ValueError, match=r'label_mode="binary"` needs exactly 2 classes'):
        text_dataset_from_directory(tmp_path, label_mode="binary", verbose=False)


def test_no_labels_walks_the_whole_tree(tmp_path, capsys):
    make_tree(tmp_path)
    ds = text_dataset_from_directory(tmp_path, labels=None, shuffle=False)
    assert capsys.readouterr().out == "Found 7 files.\n"
    expected = [
        "top.txt",
        ".hidden/h.txt",
        "a/y1.TXT",
        "a/y2.txt",
        "a-b/z.txt",
        "b/x1.txt",
        "b/deep/x2.txt",
    ]
    assert rel(ds, tmp_path) == expected and all_texts(ds) == expected
    assert ds.class_names is None
    # label_mode=None ignores the structure the same way
    ds = text_dataset_from_directory(tmp_path, label_mode=None, shuffle=False, verbose=False)
    assert rel(ds, tmp_path) == expected


def test_explicit_labels(tmp_path, capsys):
    make_tree(tmp_path, {"f1.txt": None, "f2.txt": None, "sub/f3.txt": None})
    ds = text_dataset_from_directory(tmp_path, labels=[2, 0, 2], shuffle=False, batch_size=None)
    assert capsys.readouterr().out == "Found 3 files belonging to 2 classes.\n"
    assert ds.class_names == ["0", "2"]
    text, label = ds[0]
    assert text == "f1.txt" and label.dtype == np.int32 and int(label) == 2
    # categorical over len(class_names) classes; like tf.one_hot, label 2 is out of range
    ds = text_dataset_from_directory(
        tmp_path, labels=(2, 0, 2), label_mode="categorical", shuffle=False, verbose=False
    )
    np.testing.assert_array_equal(ds[0][1], [[0, 0], [1, 0], [0, 0]])
    with pytest.raises(ValueError, match="found 3 files .* but received 2 labels"):
        text_dataset_from_directory(tmp_path, labels=[0, 1], verbose=False)
    with pytest.raises(ValueError, match="`labels` must be integers"):
        text_dataset_from_directory(tmp_path, labels=["a", "b", "c"], verbose=False)


def test_class_names_select_and_order(tmp_path):
    make_tree(tmp_path)
    ds = text_dataset_from_directory(
        tmp_path, class_names=["b", "a"], shuffle=False, verbose=False, batch_size=None
    )
    assert ds.class_names == ["b", "a"]
    assert rel(ds, tmp_path) == ["b/x1.txt", "b/deep/x2.txt", "a/y1.TXT", "a/y2.txt"]
    assert [int(ds[i][1]) for i in range(4)] == [0, 0, 1, 1]
    with pytest.raises(ValueError, match=r"Not found: \['c'\]"):
        text_dataset_from_directory(tmp_path, class_names=["a", "c"], verbose=False)


def test_unbatched_and_verbose_off(tmp_path, capsys):
    make_tree(tmp_path)
    ds = text_dataset_from_directory(tmp_path, batch_size=None, shuffle=False, verbose=False)
    assert capsys.readouterr().out == ""
    assert len(ds) == 5
    text, label = ds[-1]
    assert text == "b/deep/x2.txt" and label.shape == () and label.dtype == np.int32


# -- shuffling and splitting --------------------------------------------------------------------


def test_shuffle_is_keras_permutation_and_reshuffles_each_epoch(tmp_path):
    files = {f"c{i % 2}/f{i:02d}.txt": None for i in range(12)}
    make_tree(tmp_path, files)
    sorted_ds = text_dataset_from_directory(tmp_path, shuffle=False, verbose=False)
    order = np.arange(12)
    np.random.RandomState(7).shuffle(order)
    ds = text_dataset_from_directory(tmp_path, seed=7, batch_size=5, verbose=False)
    assert ds.file_paths == [sorted_ds.file_paths[i] for i in order]
    first = all_texts(ds)
    assert first == [os.path.relpath(p, tmp_path) for p in ds.file_paths]
    assert first == all_texts(text_dataset_from_directory(tmp_path, seed=7, verbose=False))
    labels = np.concatenate([b[1] for b in ds])
    assert [f"c{v}" for v in labels] == [t.split("/")[0] for t in first]
    ds.on_epoch_end()
    second = all_texts(ds)
    assert second != first and sorted(second) == sorted(first)
    # pairs stay together after a reshuffle
    for texts, labels in ds:
        assert [f"c{v}" for v in labels] == [t.split("/")[0] for t in texts]


def test_validation_split_subsets(tmp_path, capsys):
    files = {f"c{i % 3}/f{i:02d}.txt": None for i in range(10)}
    make_tree(tmp_path, files)
    kw = {"validation_split": 0.25, "seed": 3}
    everything = text_dataset_from_directory(tmp_path, seed=3, verbose=False).file_paths
    capsys.readouterr()
    train = text_dataset_from_directory(tmp_path, subset="training", **kw)
    assert capsys.readouterr().out == (
        "Found 10 files belonging to 3 classes.\nUsing 8 files for training.\n"
    )
    val = text_dataset_from_directory(tmp_path, subset="validation", **kw)
    assert capsys.readouterr().out.endswith("Using 2 files for validation.\n")
    # int(0.25 * 10) = 2: the last two files of the shuffled list are the validation files
    assert train.file_paths == everything[:8] and val.file_paths == everything[8:]
    assert all_texts(val) == [os.path.relpath(p, tmp_path) for p in everything[8:]]
    both = text_dataset_from_directory(tmp_path, subset="both", verbose=False, **kw)
    assert isinstance(both, list) and len(both) == 2
    assert both[0].file_paths == train.file_paths and both[1].file_paths == val.file_paths
    assert both[0].class_names == both[1].class_names == ["c0", "c1", "c2"]
    # the validation subset is never reshuffled
    both[1].on_epoch_end()
    assert both[1].file_paths == val.file_paths and all_texts(both[1]) == all_texts(val)
    # without shuffling no seed is needed, and the split is over the sorted files
    train = text_dataset_from_directory(
        tmp_path, shuffle=False, validation_split=0.25, subset="training", verbose=False
    )
    assert train.file_paths == sorted_paths(tmp_path)[:8]


def sorted_paths(root):
    return text_dataset_from_directory(root, shuffle=False, verbose=False).file_paths


def test_split_rounding_to_zero_leaves_training_empty(tmp_path):
    make_tree(tmp_path, {"a/1.txt": None, "b/2.txt": None, "b/3.txt": None})
    kw = {"validation_split": 0.2, "seed": 1, "verbose": False}
    with pytest.raises(ValueError, match="No training text files found"):
        text_dataset_from_directory(tmp_path, subset="training", **kw)
    with pytest.raises(ValueError, match="No training text files found"):
        text_dataset_from_directory(tmp_path, subset="both", **kw)
    # as in Keras, int(0.2 * 3) == 0 validation files means "all of them"
    val = text_dataset_from_directory(tmp_path, subset="validation", **kw)
    assert val.num_samples == 3


# -- contents ------------------------------------------------------------------------------------


def test_max_length_and_decoding(tmp_path):
    make_tree(tmp_path, {"a/1.txt": "h\u00e9llo w\u00f6rld", "a/2.txt": "line\r\nbreak"})
    kw = {"shuffle": False, "verbose": False, "batch_size": 4}
    texts = text_dataset_from_directory(tmp_path, **kw)[0][0]
    assert list(texts) == ["h\u00e9llo w\u00f6rld", "line\r\nbreak"]
    # "tf": max_length counts UTF-8 bytes; a character cut in two is dropped
    texts = text_dataset_from_directory(tmp_path, max_length=2, **kw)[0][0]
    assert list(texts) == ["h", "li"]
    texts = text_dataset_from_directory(tmp_path, max_length=3, **kw)[0][0]
    assert list(texts) == ["h\u00e9", "lin"]
    # "grain": max_length counts characters
    texts = text_dataset_from_directory(tmp_path, max_length=2, format="grain", **kw)[0][0]
    assert list(texts) == ["h\u00e9", "li"]
    texts = text_dataset_from_directory(tmp_path, max_length=0, **kw)[0][0]
    assert list(texts) == ["", ""]
    (tmp_path / "a" / "3.txt").write_bytes(b"bad \xff byte")
    texts = text_dataset_from_directory(tmp_path, **kw)[0][0]
    assert texts[2] == "bad \ufffd byte"


# -- errors --------------------------------------------------------------------------------------

ERRORS = [
    ({"labels": "folders"}, ValueError, "invalid value for `labels`"),
    ({"labels": np.array([0, 1])}, ValueError, "invalid value for `labels`"),
    ({"labels": [0, 1], "class_names": ["a"]}, ValueError, "can only be passed together"),
    ({"labels": [0, 1], "class_names": []}, ValueError, "cannot be passed with explicit"),
    ({"label_mode": None, "class_names": ["a"]}, ValueError, "cannot be passed without labels"),
    ({"label_mode": "sparse"}, ValueError, "invalid value for `label_mode`"),
    ({"format": "torch"}, ValueError, "invalid value for `format`"),
    ({"max_length": -1}, ValueError, "invalid value for `max_length`"),
    ({"max_length": 2.5}, ValueError, "invalid value for `max_length`"),
    ({"validation_split": 1.5, "subset": "training"}, ValueError, "`validation_split`"),
    ({"validation_split": 0.2}, ValueError, "`validation_split` and `subset` go together"),
    ({"subset": "training"}, ValueError, "`validation_split` and `subset` go together"),
    ({"validation_split": 0.2, "subset": "test", "seed": 1}, ValueError, "`subset`"),
    ({"validation_split": 0.2, "subset": "training"}, ValueError, "a `seed` is required"),
    ({"batch_size": 0}, ValueError, "`batch_size`"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), ERRORS)
def test_argument_errors(tmp_path, kwargs, error, match):
    make_tree(tmp_path)
    with pytest.raises(error, match=match):
        text_dataset_from_directory(tmp_path, verbose=False, **kwargs)


def test_missing_or_empty_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        text_dataset_from_directory(tmp_path / "nope", verbose=False)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_text("no")
    with pytest.raises(ValueError, match=r"No text files found in directory .*\.txt"):
        text_dataset_from_directory(tmp_path, verbose=False)
    with pytest.raises(ValueError, match="No text files found"):
        text_dataset_from_directory(tmp_path / "nope", labels=None, verbose=False)


def test_follow_links(tmp_path):
    make_tree(tmp_path / "data", {"a/1.txt": None})
    make_tree(tmp_path / "elsewhere", {"2.txt": None})
    try:
        os.symlink(tmp_path / "elsewhere", tmp_path / "data" / "a" / "link")
    except (OSError, NotImplementedError):
        pytest.skip("symbolic links are not available")
    root = tmp_path / "data"
    kw = {"shuffle": False, "verbose": False}
    assert rel(text_dataset_from_directory(root, **kw), root) == ["a/1.txt"]
    assert rel(text_dataset_from_directory(root, follow_links=True, **kw), root) == [
        "a/1.txt",
        "a/link/2.txt",
    ]


# -- training ------------------------------------------------------------------------------------


@pytest.fixture
def numpy_engine():
    previous = kerasx.config.backend()
    kerasx.config.set_backend("numpy")
    yield
    kerasx.config.set_backend(previous)


def test_text_vectorization_embedding_model_fits(tmp_path, numpy_engine):
    # String inputs inside a model need the NumPy engine (JAX arrays cannot hold strings,
    # as in Keras on JAX); on JAX, vectorize the text batches before the model.
    words = {"pos": "good great fine nice", "neg": "bad awful poor sad"}
    files = {}
    for label, vocab in words.items():
        for i in range(6):
            files[f"{label}/{i}.txt"] = " ".join(vocab.split()[j % 4] for j in range(i, i + 3))
    make_tree(tmp_path, files)
    train, val = text_dataset_from_directory(
        tmp_path, batch_size=4, validation_split=0.25, subset="both", seed=0, verbose=False
    )
    vectorize = kerasx.layers.TextVectorization(max_tokens=20, output_sequence_length=3)
    vectorize.adapt(np.concatenate([texts for texts, _ in train]))
    model = kerasx.Sequential(
        [
            kerasx.Input(shape=(), dtype="string"),
            vectorize,
            kerasx.layers.Embedding(20, 8),
            kerasx.layers.GlobalAveragePooling1D(),
            kerasx.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and np.isfinite(history.history["val_loss"]).all()
    assert model.predict(val, verbose=0).shape == (val.num_samples, 2)


# -- parity with Keras's file indexing ----------------------------------------------------------


@pytest.mark.parametrize("labels", ["inferred", None])
@pytest.mark.parametrize("seed", [0, 11, 12345])
def test_listing_shuffle_and_split_match_keras(tmp_path, labels, seed):
    pytest.importorskip("keras")
    from keras.src.utils import dataset_utils

    files = {f"{c}/{s}f{i}.txt": None for c in "xyz" for s in ("", "s/") for i in range(3)}
    make_tree(tmp_path, {**TREE, **files})
    paths, keras_labels, names = dataset_utils.index_directory(
        str(tmp_path), labels, formats=(".txt",), shuffle=True, seed=seed, verbose=False
    )
    ds = text_dataset_from_directory(tmp_path, labels=labels, seed=seed, verbose=False)
    assert [os.path.normpath(p) for p in ds.file_paths] == [os.path.normpath(p) for p in paths]
    assert ds.class_names == names
    if labels is not None:
        np.testing.assert_array_equal(np.concatenate([b[1] for b in ds]), keras_labels)
    for subset in ("training", "validation"):
        kept, _ = dataset_utils.get_training_or_validation_split(paths, None, 0.3, subset)
        ours = text_dataset_from_directory(
            tmp_path, labels=labels, seed=seed, validation_split=0.3, subset=subset, verbose=False
        )
        assert [os.path.normpath(p) for p in ours.file_paths] == [os.path.normpath(p) for p in kept]


# -- audio ---------------------------------------------------------------------------------------


def write_wav(path, samples, rate=16000, width=2):
    samples = np.asarray(samples, dtype="<i2")
    if samples.ndim == 1:
        samples = samples[:, None]
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(samples.shape[1])
        f.setsampwidth(width)
        f.setframerate(rate)
        f.writeframes(samples.tobytes() if width == 2 else bytes(samples.size))


def test_audio_decoding_padding_and_labels(tmp_path, capsys):
    write_wav(tmp_path / "no" / "a.wav", [0, 16384, -32768])
    write_wav(tmp_path / "yes" / "b.WAV", [1, 2, 3, 4, 5])
    (tmp_path / "yes" / "c.txt").write_text("ignored")
    ds = audio_dataset_from_directory(tmp_path, shuffle=False)
    assert capsys.readouterr().out == "Found 2 files belonging to 2 classes.\n"
    audio, labels = ds[0]
    assert audio.dtype == np.float32 and audio.shape == (2, 5, 1)
    np.testing.assert_array_equal(audio[0, :, 0], [0, 0.5, -1, 0, 0])
    np.testing.assert_array_equal(audio[1, :, 0], np.arange(1, 6) / 32768)
    np.testing.assert_array_equal(labels, [0, 1])
    assert ds.class_names == ["no", "yes"]
    cut = audio_dataset_from_directory(
        tmp_path, shuffle=False, output_sequence_length=4, verbose=False
    )[0][0]
    assert cut.shape == (2, 4, 1)
    np.testing.assert_array_equal(cut[0, :, 0], [0, 0.5, -1, 0])
    single = audio_dataset_from_directory(
        tmp_path, shuffle=False, batch_size=None, label_mode=None, verbose=False
    )
    assert single[0].shape == (3, 1)


def test_audio_stereo_split_and_rate(tmp_path):
    for i in range(4):
        write_wav(tmp_path / f"c{i % 2}" / f"{i}.wav", [[i, -i]] * (i + 1), rate=8000)
    train, val = audio_dataset_from_directory(
        tmp_path, validation_split=0.5, subset="both", seed=5, sampling_rate=8000, verbose=False
    )
    assert train.num_samples == 2 and val.num_samples == 2
    assert not set(train.file_paths) & set(val.file_paths)
    audio, _ = val[0]
    assert audio.shape[0] == 2 and audio.shape[2] == 2
    np.testing.assert_array_equal(audio[..., 1], -audio[..., 0])
    with pytest.raises(ValueError, match="sampled at 8000 Hz but `sampling_rate` is 16000"):
        audio_dataset_from_directory(tmp_path, sampling_rate=16000, verbose=False)[0]


def test_audio_errors(tmp_path):
    write_wav(tmp_path / "a" / "x.wav", [1, 2])
    kw = {"verbose": False}
    with pytest.raises(ValueError, match="no ragged tensors"):
        audio_dataset_from_directory(tmp_path, ragged=True, **kw)
    with pytest.raises(ValueError, match="exclude each other"):
        audio_dataset_from_directory(tmp_path, ragged=True, output_sequence_length=3, **kw)
    with pytest.raises(ValueError, match="`sampling_rate`"):
        audio_dataset_from_directory(tmp_path, sampling_rate=0, **kw)
    with pytest.raises(ValueError, match="`output_sequence_length`"):
        audio_dataset_from_directory(tmp_path, output_sequence_length=0, **kw)
    with pytest.raises(ValueError, match="invalid value for `label_mode`"):
        audio_dataset_from_directory(tmp_path, label_mode="onehot", **kw)
    write_wav(tmp_path / "b" / "y.wav", [1, 2], width=1)
    ds = audio_dataset_from_directory(tmp_path, shuffle=False, batch_size=None, **kw)
    with pytest.raises(ValueError, match="Only 16-bit PCM"):
        ds[1]
    (tmp_path / "b" / "y.wav").write_bytes(b"not a wav file")
    with pytest.raises(ValueError, match="Could not decode the WAV file"):
        ds[1]
    (tmp_path / "b" / "y.wav").unlink()
    with pytest.raises(ValueError, match=r"No audio files found .*\.wav"):
        audio_dataset_from_directory(tmp_path / "b", **kw)

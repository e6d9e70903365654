"""kerasx.datasets loaders on small synthetic files in the real formats (no internet).

Two kinds of test:
- download: the file is served from a loopback HTTP server and the module's origin and hash
  constants point at it, so the real `get_file` path runs (download, hash check, cache,
  extraction);
- parity (skipped without Keras): Keras's loader and ours both get the same local file through
  a recording stand-in for `get_file`; the calls (URL, cache name, hash, ...) and every returned
  array (values, dtype, shape) must be equal.
"""

import functools
import hashlib
import http.server
import importlib
import inspect
import io
import json
import os
import pickle
import tarfile
import threading

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.datasets import (
    _safe_pickle,
    boston_housing,
    california_housing,
    cifar,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from kerasx.utils import file_utils

PUBLIC = {
    "mnist": ["load_data"],
    "fashion_mnist": ["load_data"],
    "cifar10": ["load_data"],
    "cifar100": ["load_data"],
    "imdb": ["load_data", "get_word_index"],
    "reuters": ["load_data", "get_word_index", "get_label_names"],
    "boston_housing": ["load_data"],
    "california_housing": ["load_data"],
}


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh kerasx cache root (what `get_file` uses when no cache_dir is given)."""
    home = tmp_path / "home"
    monkeypatch.setenv("KERASX_HOME", str(home))
    return home


@pytest.fixture
def served(tmp_path):
    """A directory served on 127.0.0.1; yields (directory, base URL ending in '/', GET log)."""
    root = tmp_path / "www"
    root.mkdir()
    log = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            log.append(self.path)
            super().do_GET()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def channels(request):
    """Run a test under both image data formats, in kerasx and (when present) in Keras."""
    yield from _with_format(request.param)


def _with_format(fmt):
    old = config.image_data_format()
    config.set_image_data_format(fmt)
    keras_config = None
    try:
        keras_config = importlib.import_module("keras").config
        keras_old = keras_config.image_data_format()
        keras_config.set_image_data_format(fmt)
    except ImportError:
        pass
    try:
        yield fmt
    finally:
        config.set_image_data_format(old)
        if keras_config is not None:
            keras_config.set_image_data_format(keras_old)


# ----------------------------------------------------------------------------- file builders


def _bytes_of(path):
    with open(path, "rb") as f:
        return f.read()


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _save_npz(path, **arrays):
    np.savez(path, **arrays)
    return _bytes_of(path)


def _ragged(rng, n, max_word=120, max_len=30):
    """An object array of `n` Python lists of word ranks (>= 1), like imdb/reuters.npz."""
    out = np.empty(n, dtype=object)
    for i in range(n):
        length = int(rng.integers(1, max_len))
        out[i] = [int(w) for w in rng.integers(1, max_word, size=length)]
    return out


def _imdb_arrays(seed=0, n_train=40, n_test=30):
    rng = np.random.default_rng(seed)
    return {
        "x_train": _ragged(rng, n_train),
        "y_train": rng.integers(0, 2, n_train).astype(np.int64),
        "x_test": _ragged(rng, n_test),
        "y_test": rng.integers(0, 2, n_test).astype(np.int64),
    }


def _reuters_arrays(seed=1, n=50):
    rng = np.random.default_rng(seed)
    return {"x": _ragged(rng, n), "y": rng.integers(0, 46, n).astype(np.int64)}


def _cifar_batch(rng, n, label_keys):
    """One CIFAR batch dict as the Python 2 pickles hold it: bytes keys, flat uint8 rows."""
    batch = {
        b"batch_label": b"synthetic batch",
        b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }
    for key, classes in label_keys.items():
        batch[key.encode()] = [int(v) for v in rng.integers(0, classes, n)]
    return batch


def _cifar10_members(per_batch, seed=0):
    rng = np.random.default_rng(seed)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    members = {
        f"cifar-10-batches-py/{name}": _cifar_batch(rng, per_batch, {"labels": 10})
        for name in names
    }
    members["cifar-10-batches-py/batches.meta"] = {b"label_names": [b"airplane"] * 10}
    return members


def _cifar100_members(n_train, n_test, seed=0):
    rng = np.random.default_rng(seed)
    labels = {"fine_labels": 100, "coarse_labels": 20}
    return {
        "cifar-100-python/train": _cifar_batch(rng, n_train, labels),
        "cifar-100-python/test": _cifar_batch(rng, n_test, labels),
        "cifar-100-python/meta": {b"fine_label_names": [b"apple"] * 100},
    }


def _write_tar_gz(path, members):
    """A tar.gz of pickled members (protocol 3: bytes stay bytes, as in the real archives)."""
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, obj in members.items():
            data = pickle.dumps(obj, protocol=3)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return _bytes_of(path)


def _write_tree(root, members):
    """The same members as loose files under `root` (an already extracted archive)."""
    for name, obj in members.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            pickle.dump(obj, f, protocol=3)


def _idx(array):
    """Gzipped IDX bytes of a uint8 array (the Fashion-MNIST file format)."""
    import gzip

    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return gzip.compress(header + array.astype(np.uint8).tobytes(), compresslevel=1)


def _fashion_files(seed=0, n_train=12, n_test=7):
    rng = np.random.default_rng(seed)
    arrays = {
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train, dtype=np.uint8),
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
    }
    return arrays, {name: _idx(a) for name, a in arrays.items()}


# ----------------------------------------------------------------------------- parity helpers


def _keras_module(name):
    return pytest.importorskip(f"keras.src.datasets.{name}")


def _recorder(monkeypatch, module, local_paths):
    """Replace `module.get_file` by a stand-in that records its call and returns a local file.

    `local_paths` maps the requested `fname` to the path to hand back.
    """
    calls = []
    signature = inspect.signature(file_utils.get_file)

    def fake_get_file(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append(dict(bound.arguments))
        return str(local_paths[bound.arguments["fname"]])

    monkeypatch.setattr(module, "get_file", fake_get_file)
    return calls


def _assert_same(ours, theirs, where="result"):
    """Equal structure, and arrays equal in values, dtype and shape (object arrays elementwise)."""
    if isinstance(theirs, (tuple, list)) and not isinstance(theirs, np.ndarray):
        assert type(ours) is type(theirs), where
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _assert_same(a, b, f"{where}[{i}]")
        return
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray), where
        assert ours.dtype == theirs.dtype, (where, ours.dtype, theirs.dtype)
        assert ours.shape == theirs.shape, (where, ours.shape, theirs.shape)
        if theirs.dtype == object:
            for i, (a, b) in enumerate(zip(ours, theirs)):
                assert type(a) is type(b), f"{where}[{i}]"
                assert a == b, f"{where}[{i}]"
                assert [type(w) for w in a] == [type(w) for w in b], f"{where}[{i}]"
        elif not np.array_equal(ours, theirs):
            np.testing.assert_array_equal(ours, theirs, err_msg=where)
        return
    assert ours == theirs, where


def _parity(monkeypatch, name, local_paths, call, *args, **kwargs):
    """Run `name`'s `call` in kerasx and in Keras on the same files; compare calls and results."""
    theirs_module = _keras_module(name)
    ours_module = getattr(kerasx.datasets, name)
    our_calls = _recorder(monkeypatch, ours_module, local_paths)
    their_calls = _recorder(monkeypatch, theirs_module, local_paths)
    ours = getattr(ours_module, call)(*args, **kwargs)
    theirs = getattr(theirs_module, call)(*args, **kwargs)
    assert our_calls == their_calls
    _assert_same(ours, theirs)
    return ours


def _both_raise(monkeypatch, name, local_paths, error, match, *args, **kwargs):
    """Both libraries raise `error` for the same arguments; ours names the argument (`match`)."""
    theirs_module = _keras_module(name)
    ours_module = getattr(kerasx.datasets, name)
    _recorder(monkeypatch, ours_module, local_paths)
    _recorder(monkeypatch, theirs_module, local_paths)
    with pytest.raises(error, match=match):
        ours_module.load_data(*args, **kwargs)
    with pytest.raises(error):
        theirs_module.load_data(*args, **kwargs)


# ----------------------------------------------------------------------------- API surface


def test_every_loader_is_reachable_as_in_keras():
    import kerasx as keras

    for name, functions in PUBLIC.items():
        module = getattr(keras.datasets, name)
        for function in functions:
            assert callable(getattr(module, function)), f"{name}.{function}"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_signatures_match_keras(name):
    theirs_module = _keras_module(name)
    ours_module = getattr(kerasx.datasets, name)
    for function in PUBLIC[name]:
        ours = inspect.signature(getattr(ours_module, function)).parameters
        theirs = inspect.signature(getattr(theirs_module, function)).parameters
        assert [(p.name, p.kind, p.default) for p in ours.values()] == [
            (p.name, p.kind, p.default) for p in theirs.values()
        ], f"{name}.{function}"


# ----------------------------------------------------------------------------- MNIST


def _mnist_arrays(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (9, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 9, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 4, dtype=np.uint8),
    }


def test_mnist_downloads_checks_the_hash_and_caches(served, cache, monkeypatch):
    root, base, log = served
    arrays = _mnist_arrays()
    data = _save_npz(root / "mnist.npz", **arrays)
    monkeypatch.setattr(mnist, "_ORIGIN_FOLDER", base)
    monkeypatch.setattr(mnist, "_FILE_HASH", _sha256(data))

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    for got, key in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test")):
        np.testing.assert_array_equal(got, arrays[key])
        assert got.dtype == np.uint8
    assert y_test.shape == (4,)
    assert _bytes_of(cache / "datasets" / "mnist.npz") == data

    mnist.load_data()  # cached: no second request
    assert log == ["/mnist.npz"]
    mnist.load_data(path="my_mnist.npz")  # another cache name downloads again
    assert log == ["/mnist.npz", "/mnist.npz"]
    assert (cache / "datasets" / "my_mnist.npz").is_file()


def test_mnist_refuses_a_file_whose_hash_differs(served, cache, monkeypatch):
    root, base, _ = served
    _save_npz(root / "mnist.npz", **_mnist_arrays())
    monkeypatch.setattr(mnist, "_ORIGIN_FOLDER", base)
    monkeypatch.setattr(mnist, "_FILE_HASH", "0" * 64)
    with pytest.raises(ValueError, match="hash"):
        mnist.load_data()
    assert not (cache / "datasets" / "mnist.npz").exists()


def test_mnist_matches_keras(tmp_path, monkeypatch):
    local = tmp_path / "mnist.npz"
    _save_npz(local, **_mnist_arrays())
    _parity(monkeypatch, "mnist", {"mnist.npz": local}, "load_data")
    _parity(monkeypatch, "mnist", {"other.npz": local}, "load_data", path="other.npz")


# ----------------------------------------------------------------------------- Fashion-MNIST


def test_fashion_mnist_downloads_into_its_cache_folder(served, cache, monkeypatch):
    root, base, log = served
    arrays, files = _fashion_files()
    for name, data in files.items():
        (root / name).write_bytes(data)
    monkeypatch.setattr(fashion_mnist, "_ORIGIN_FOLDER", base)

    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_train.shape == (12, 28, 28) and x_train.dtype == np.uint8
    assert y_test.shape == (7,) and y_test.dtype == np.uint8
    assert x_train.flags.writeable
    assert sorted(os.listdir(cache / "datasets" / "fashion-mnist")) == sorted(files)
    fashion_mnist.load_data()
    assert len(log) == 4


def test_fashion_mnist_rejects_a_file_that_is_not_idx(served, cache, monkeypatch):
    import gzip

    root, base, _ = served
    _, files = _fashion_files()
    files["train-labels-idx1-ubyte.gz"] = gzip.compress(b"<html>not found</html>")
    for name, data in files.items():
        (root / name).write_bytes(data)
    monkeypatch.setattr(fashion_mnist, "_ORIGIN_FOLDER", base)
    with pytest.raises(ValueError, match="not an IDX file"):
        fashion_mnist.load_data()


def test_fashion_mnist_matches_keras(tmp_path, monkeypatch):
    _, files = _fashion_files(seed=3)
    local = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        local[name] = tmp_path / name
    _parity(monkeypatch, "fashion_mnist", local, "load_data")


# ----------------------------------------------------------------------------- CIFAR


@pytest.mark.parametrize("channels", ["channels_last", "channels_first"], indirect=True)
def test_cifar10_downloads_extracts_and_lays_out_channels(served, cache, monkeypatch, channels):
    root, base, log = served
    members = _cifar10_members(per_batch=3)
    data = _write_tar_gz(root / "cifar-10-python.tar.gz", members)
    monkeypatch.setattr(cifar10, "_ORIGIN", base + "cifar-10-python.tar.gz")
    monkeypatch.setattr(cifar10, "_FILE_HASH", _sha256(data))

    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    train = [members[f"cifar-10-batches-py/data_batch_{i}"] for i in range(1, 6)]
    test = members["cifar-10-batches-py/test_batch"]
    expected = np.concatenate([b[b"data"] for b in train]).reshape(15, 3, 32, 32)
    if channels == "channels_last":
        expected = expected.transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(x_train, expected)
    assert x_train.shape == ((15, 32, 32, 3) if channels == "channels_last" else (15, 3, 32, 32))
    assert x_test.shape[0] == 3 and x_test.dtype == np.uint8
    assert y_train.shape == (15, 1) and y_train.dtype == np.uint8
    assert y_train[:, 0].tolist() == sum((b[b"labels"] for b in train), [])
    assert y_test.shape == (3, 1) and y_test.dtype == np.uint8
    assert y_test[:, 0].tolist() == test[b"labels"]

    datasets = cache / "datasets"
    assert (datasets / "cifar-10-batches-py-target_archive").is_file()
    assert (datasets / "cifar-10-batches-py-target" / "cifar-10-batches-py").is_dir()
    cifar10.load_data()
    assert log == ["/cifar-10-python.tar.gz"]


@pytest.fixture(scope="module")
def cifar10_full_size(tmp_path_factory):
    """An extracted CIFAR-10 archive at full size (Keras's loader assumes 10,000 per batch)."""
    _keras_module("cifar10")  # skip before writing 180 MB when Keras is not there
    target = tmp_path_factory.mktemp("cifar10") / "cifar-10-batches-py-target"
    _write_tree(target, _cifar10_members(per_batch=10000))
    return target


@pytest.mark.parametrize("channels", ["channels_last", "channels_first"], indirect=True)
def test_cifar10_matches_keras_on_full_size_batches(monkeypatch, channels, cifar10_full_size):
    local = {"cifar-10-batches-py-target": cifar10_full_size}
    ours = _parity(monkeypatch, "cifar10", local, "load_data")
    assert ours[0][0].shape[0] == 50000 and ours[1][0].shape[0] == 10000


@pytest.mark.parametrize("channels", ["channels_last", "channels_first"], indirect=True)
def test_cifar100_downloads_with_both_label_modes(served, cache, monkeypatch, channels):
    root, base, log = served
    members = _cifar100_members(n_train=6, n_test=4)
    data = _write_tar_gz(root / "cifar-100-python.tar.gz", members)
    monkeypatch.setattr(cifar100, "_ORIGIN", base + "cifar-100-python.tar.gz")
    monkeypatch.setattr(cifar100, "_FILE_HASH", _sha256(data))

    for mode in ("fine", "coarse"):
        (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=mode)
        assert (
            y_train[:, 0].tolist() == members["cifar-100-python/train"][f"{mode}_labels".encode()]
        )
        assert y_test.shape == (4, 1) and y_test.dtype == np.int64
        expected = members["cifar-100-python/test"][b"data"].reshape(4, 3, 32, 32)
        if channels == "channels_last":
            expected = expected.transpose(0, 2, 3, 1)
        np.testing.assert_array_equal(x_test, expected)
        assert x_train.dtype == np.uint8
    assert log == ["/cifar-100-python.tar.gz"]


@pytest.mark.parametrize("channels", ["channels_last", "channels_first"], indirect=True)
@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(tmp_path, monkeypatch, channels, label_mode):
    target = tmp_path / "cifar-100-python-target"
    _write_tree(target, _cifar100_members(n_train=7, n_test=5))
    local = {"cifar-100-python-target": target}
    _parity(monkeypatch, "cifar100", local, "load_data", label_mode=label_mode)


def test_cifar100_rejects_an_unknown_label_mode(tmp_path, monkeypatch):
    _both_raise(monkeypatch, "cifar100", {}, ValueError, "label_mode", label_mode="medium")


class _Boom:
    """Unpickling this would call os.system."""

    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_cifar_batches_cannot_run_code(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _Boom(), b"labels": [1]}, protocol=3))
    with pytest.raises(pickle.UnpicklingError, match="system"):
        cifar.load_batch(str(path))


def test_ragged_npz_arrays_cannot_run_code(tmp_path):
    # An .npz whose object array holds a pickled callable is refused; arrays still load.
    bad = np.empty(1, dtype=object)
    bad[0] = _Boom()
    path = tmp_path / "bad.npz"
    np.savez(path, x=bad, y=np.arange(3))
    with pytest.raises(pickle.UnpicklingError, match="system"):
        _safe_pickle.load_npz(str(path))
    good = tmp_path / "good.npz"
    arrays = _reuters_arrays()
    np.savez_compressed(good, **arrays)
    loaded = _safe_pickle.load_npz(str(good))
    assert loaded["x"].dtype == object and list(loaded["x"]) == list(arrays["x"])
    np.testing.assert_array_equal(loaded["y"], arrays["y"])


# ----------------------------------------------------------------------------- IMDB, Reuters

SEQUENCE_CASES = [
    {},
    {"num_words": 40},
    {"num_words": 60, "skip_top": 8},
    {"maxlen": 15},
    {"maxlen": 12, "num_words": 30, "seed": 7},
    {"start_char": None},
    {"start_char": None, "index_from": 0},
    {"start_char": None, "index_from": 0, "oov_char": None, "num_words": 50},
    {"oov_char": None, "skip_top": 10},
    {"oov_char": 9, "index_from": 5, "start_char": 4, "num_words": 0},
    {"seed": 0},
]


def test_imdb_downloads_and_encodes(served, cache, monkeypatch):
    root, base, log = served
    arrays = _imdb_arrays()
    data = _save_npz(root / "imdb.npz", **arrays)
    index = {"the": 1, "and": 2, "movie": 17}
    (root / "imdb_word_index.json").write_text(json.dumps(index))
    monkeypatch.setattr(imdb, "_ORIGIN_FOLDER", base)
    monkeypatch.setattr(imdb, "_FILE_HASH", _sha256(data))
    monkeypatch.setattr(
        imdb, "_WORD_INDEX_HASH", hashlib.md5(json.dumps(index).encode()).hexdigest()
    )

    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=50)
    assert x_train.shape == (40,) and x_train.dtype == object
    assert x_test.shape == (30,) and y_test.dtype == np.int64
    order = np.random.RandomState(113).permutation(40)
    first = arrays["x_train"][order[0]]
    assert x_train[0] == [1] + [w + 3 if w + 3 < 50 else 2 for w in first]
    assert y_train[0] == arrays["y_train"][order[0]]
    assert imdb.get_word_index() == index
    imdb.load_data()
    assert log == ["/imdb.npz", "/imdb_word_index.json"]


@pytest.mark.parametrize("case", SEQUENCE_CASES, ids=str)
def test_imdb_matches_keras(tmp_path, monkeypatch, case):
    local = tmp_path / "imdb.npz"
    _save_npz(local, **_imdb_arrays())
    _parity(monkeypatch, "imdb", {"imdb.npz": local}, "load_data", **case)


def test_imdb_word_index_matches_keras(tmp_path, monkeypatch):
    local = tmp_path / "index.json"
    local.write_text(json.dumps({"great": 5, "film": 9}))
    _parity(monkeypatch, "imdb", {"imdb_word_index.json": local}, "get_word_index")


def test_imdb_maxlen_that_keeps_nothing_is_an_error(tmp_path, monkeypatch):
    local = tmp_path / "imdb.npz"
    _save_npz(local, **_imdb_arrays())
    _both_raise(monkeypatch, "imdb", {"imdb.npz": local}, ValueError, "maxlen", maxlen=2)


def test_imdb_warns_about_ignored_keyword_arguments(tmp_path, monkeypatch):
    local = tmp_path / "imdb.npz"
    _save_npz(local, **_imdb_arrays())
    _recorder(monkeypatch, imdb, {"imdb.npz": local})
    with pytest.warns(UserWarning, match="nb_words"):
        imdb.load_data(nb_words=10)


def test_reuters_downloads_and_splits(served, cache, monkeypatch):
    root, base, log = served
    arrays = _reuters_arrays()
    data = _save_npz(root / "reuters.npz", **arrays)
    index = {"said": 1, "tonnes": 2}
    (root / "reuters_word_index.json").write_text(json.dumps(index))
    monkeypatch.setattr(reuters, "_ORIGIN_FOLDER", base)
    monkeypatch.setattr(reuters, "_FILE_HASH", _sha256(data))
    monkeypatch.setattr(
        reuters, "_WORD_INDEX_HASH", hashlib.md5(json.dumps(index).encode()).hexdigest()
    )

    (x_train, y_train), (x_test, y_test) = reuters.load_data(test_split=0.3)
    assert (len(x_train), len(x_test)) == (35, 15)
    assert y_train.dtype == np.int64 and x_test.dtype == object
    order = np.random.RandomState(113).permutation(50)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), arrays["y"][order])
    assert reuters.get_word_index() == index
    assert log == ["/reuters.npz", "/reuters_word_index.json"]


@pytest.mark.parametrize(
    "case",
    SEQUENCE_CASES + [{"test_split": 0.5}, {"test_split": 0.0}, {"test_split": 1.0, "seed": 2}],
    ids=str,
)
def test_reuters_matches_keras(tmp_path, monkeypatch, case):
    local = tmp_path / "reuters.npz"
    _save_npz(local, **_reuters_arrays())
    _parity(monkeypatch, "reuters", {"reuters.npz": local}, "load_data", **case)


def test_reuters_word_index_and_label_names_match_keras(tmp_path, monkeypatch):
    local = tmp_path / "index.json"
    local.write_text(json.dumps({"oil": 3}))
    _parity(monkeypatch, "reuters", {"reuters_word_index.json": local}, "get_word_index")
    names = _parity(monkeypatch, "reuters", {}, "get_label_names")
    assert len(names) == 46 and names[3] == "earn"


@pytest.mark.parametrize("test_split", [-0.1, 1.5, "0.2"])
def test_reuters_rejects_a_test_split_outside_0_1(test_split):
    with pytest.raises(ValueError, match="test_split"):
        reuters.load_data(test_split=test_split)


# ----------------------------------------------------------------------------- housing


def _housing_arrays(n, features, seed=0):
    rng = np.random.default_rng(seed)
    return {"x": rng.normal(size=(n, features)), "y": rng.uniform(10, 50, n).astype(np.float32)}


def test_boston_housing_downloads_and_splits(served, cache, monkeypatch):
    root, base, log = served
    arrays = _housing_arrays(30, 13)
    data = _save_npz(root / "boston_housing.npz", **arrays)
    monkeypatch.setattr(boston_housing, "_ORIGIN_FOLDER", base)
    monkeypatch.setattr(boston_housing, "_FILE_HASH", _sha256(data))
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.25)
    assert x_train.shape == (22, 13) and x_test.shape == (8, 13)
    assert y_train.dtype == np.float32 and x_train.dtype == np.float64
    order = np.random.RandomState(113).permutation(30)
    np.testing.assert_array_equal(np.concatenate([x_train, x_test]), arrays["x"][order])
    assert log == ["/boston_housing.npz"]


@pytest.mark.parametrize(
    "case", [{}, {"test_split": 0.0}, {"test_split": 0.37, "seed": 5}, {"path": "b.npz"}], ids=str
)
def test_boston_housing_matches_keras(tmp_path, monkeypatch, case):
    local = tmp_path / "boston.npz"
    _save_npz(local, **_housing_arrays(31, 13))
    paths = {"boston_housing.npz": local, "b.npz": local}
    _parity(monkeypatch, "boston_housing", paths, "load_data", **case)


@pytest.mark.parametrize("name", ["boston_housing", "california_housing"])
@pytest.mark.parametrize("test_split", [1.0, -0.2, 3])
def test_housing_rejects_a_test_split_outside_0_1(monkeypatch, name, test_split):
    _both_raise(monkeypatch, name, {}, ValueError, "test_split", test_split=test_split)


def test_california_housing_downloads_both_versions(served, cache, monkeypatch):
    root, base, log = served
    arrays = _housing_arrays(700, 8)
    data = _save_npz(root / "california_housing.npz", **arrays)
    monkeypatch.setattr(california_housing, "_ORIGIN_FOLDER", base)
    monkeypatch.setattr(california_housing, "_FILE_HASH", _sha256(data))
    (x_train, _), (x_test, y_test) = california_housing.load_data()
    assert x_train.shape == (560, 8) and x_test.shape == (140, 8) and y_test.shape == (140,)
    (x_train, _), (x_test, _) = california_housing.load_data(version="small", test_split=0.5)
    assert x_train.shape == (300, 8) and x_test.shape == (300, 8)
    small = arrays["x"][:600]
    assert sorted(map(tuple, np.concatenate([x_train, x_test]))) == sorted(map(tuple, small))
    assert log == ["/california_housing.npz"]


@pytest.mark.parametrize(
    "case",
    [{}, {"version": "small"}, {"version": "small", "test_split": 0.1, "seed": 9}],
    ids=str,
)
def test_california_housing_matches_keras(tmp_path, monkeypatch, case):
    local = tmp_path / "cal.npz"
    _save_npz(local, **_housing_arrays(650, 8, seed=4))
    _parity(
        monkeypatch, "california_housing", {"california_housing.npz": local}, "load_data", **case
    )


def test_california_housing_rejects_an_unknown_version(tmp_path, monkeypatch):
    local = tmp_path / "cal.npz"
    _save_npz(local, **_housing_arrays(20, 8))
    paths = {"california_housing.npz": local}
    _both_raise(monkeypatch, "california_housing", paths, ValueError, "version", version="tiny")

"""Sharded weights: `save_weights(..., max_shard_size=...)` and loading `.weights.json` indexes.

Every test runs on both engines. Keras 3 (when installed) is the oracle for the file layout
and for files moving both ways; the shard-splitting expectations below were read from files
Keras 3.15.1 wrote for the same models.
"""

import json
import os
import warnings

import h5py
import numpy as np
import pytest

import kerasx
from kerasx import config, layers, saving
from kerasx.engine.discovery import installed_engines
from kerasx.saving import sharding

GB = 1024**3


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _model(seed=0, compiled=True):
    kerasx.utils.set_random_seed(seed)
    model = kerasx.Sequential(
        [kerasx.Input((6,)), layers.Dense(40), layers.BatchNormalization(), layers.Dense(3)]
    )
    if compiled:
        model.compile(optimizer="adam", loss="mse")
        model.optimizer.build(model.trainable_variables)
    return model


def _split_model():
    # Layer sizes in bytes: dense 4000 + 4000, dense_1 4000 + 4, dense_2 4000 + 4000.
    return kerasx.Sequential(
        [kerasx.Input((1,)), layers.Dense(1000), layers.Dense(1), layers.Dense(1000)]
    )


def _state(model):
    out = [np.asarray(w) for w in model.get_weights()]
    if model.optimizer is not None:
        out += [np.asarray(v.numpy()) for v in model.optimizer.variables]
    return out


def _assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def _index(path):
    with open(path) as f:
        return json.load(f)


def _perturb(model):
    for v in model.weights:
        v.assign(np.asarray(v.numpy()) + 1.0)


# ----------------------------------------------------------------------------- round trips


def test_round_trip_with_optimizer_state_and_index_format(engine, tmp_path):
    model = _model()
    _perturb(model)
    model.optimizer.iterations.assign(7)
    path = tmp_path / "w.weights.json"
    model.save_weights(path, max_shard_size=2500 / GB)
    files = sorted(os.listdir(tmp_path))
    assert files[0] == "w.weights.json" and len(files) > 2
    assert files[1:] == [f"w_{i:05d}.weights.h5" for i in range(len(files) - 1)]
    index = _index(path)
    assert set(index) == {"metadata", "weight_map"}
    total = sum(np.asarray(w).nbytes for w in _state(model))
    assert index["metadata"]["total_size"] == float(total)
    assert isinstance(index["metadata"]["total_size"], float)
    assert list(index["weight_map"]) == [
        "/layers/dense/vars",
        "/layers/batch_normalization/vars",
        "/layers/dense_1/vars",
        "/optimizer/vars",
    ]
    for shards in index["weight_map"].values():
        assert isinstance(shards, list) and all(n in files for n in shards)
    for name in files[1:]:
        data = sum(ds.nbytes for ds in _datasets(tmp_path / name))
        assert data <= 2500
    loaded = _model(seed=1)
    loaded.load_weights(path)
    _assert_same(_state(loaded), _state(model))


def _datasets(path):
    out = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda _n, o: out.append(o[()]) if isinstance(o, h5py.Dataset) else None)
    return [np.asarray(d) for d in out]


@pytest.mark.parametrize(
    "limit, expected",
    [
        (8000, {"dense": [0], "dense_1": [1], "dense_2": [2]}),
        (8001, {"dense": [0], "dense_1": [1], "dense_2": [2]}),
        (7999, {"dense": [0, 1], "dense_1": [2], "dense_2": [3, 4]}),
        (12000, {"dense": [0], "dense_1": [0, 1], "dense_2": [1]}),
    ],
)
def test_shards_split_like_keras(engine, tmp_path, limit, expected):
    # A dataset joins the current shard unless that would exceed the limit (Keras 3.15.1).
    model = _split_model()
    model.save_weights(tmp_path / "x.weights.json", max_shard_size=limit / GB)
    index = _index(tmp_path / "x.weights.json")
    assert index["metadata"]["total_size"] == 20004.0
    assert index["weight_map"] == {
        f"/layers/{k}/vars": [f"x_{i:05d}.weights.h5" for i in v] for k, v in expected.items()
    }
    n = max(max(v) for v in expected.values()) + 1
    assert sorted(os.listdir(tmp_path)) == ["x.weights.json"] + [
        f"x_{i:05d}.weights.h5" for i in range(n)
    ]
    with h5py.File(tmp_path / "x_00000.weights.h5", "r") as f:
        assert f["layers/dense/vars"].attrs["name"] == model.layers[0].name
        assert f["vars"].attrs["name"] == model.name
    loaded = _split_model()
    loaded.load_weights(tmp_path / "x.weights.json")
    _assert_same(loaded.get_weights(), model.get_weights())


class _Sub(kerasx.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d = layers.Dense(2)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(2,), initializer="ones")
        self.d.build(input_shape)

    def call(self, x):
        return self.d(x) + self.w


def test_root_model_vars_entry_is_a_string_in_one_shard(engine, tmp_path):
    # Keras writes the root model's own "/vars" entry as a string when it is in one shard.
    model = _Sub()
    model.build((None, 3))
    model.save_weights(tmp_path / "s.weights.json", max_shard_size=1)
    assert _index(tmp_path / "s.weights.json")["weight_map"] == {
        "/vars": "s_00000.weights.h5",
        "/d/vars": ["s_00000.weights.h5"],
    }
    loaded = _Sub()
    loaded.build((None, 3))
    loaded.load_weights(tmp_path / "s.weights.json")
    _assert_same(loaded.get_weights(), model.get_weights())


def test_saving_functions_and_overwrite(engine, tmp_path, monkeypatch):
    model = _model()
    path = str(tmp_path / "f.weights.json")
    saving.save_weights(model, path, max_shard_size=1)
    loaded = _model(seed=3)
    saving.load_weights(loaded, path)
    _assert_same(_state(loaded), _state(model))
    before = (tmp_path / "f_00000.weights.h5").read_bytes()
    monkeypatch.setattr("builtins.input", lambda *_: "n")
    _perturb(model)
    saving.save_weights(model, path, overwrite=False, max_shard_size=1)
    assert (tmp_path / "f_00000.weights.h5").read_bytes() == before


# ----------------------------------------------------------------------------- arguments


def test_file_names_and_max_shard_size_validation(engine, tmp_path):
    model = _split_model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.save_weights(tmp_path / "b.weights.h5", max_shard_size=1)
    assert any("will be renamed to" in str(w.message) for w in caught)
    assert sorted(os.listdir(tmp_path)) == ["b.weights.json", "b_00000.weights.h5"]
    for name in ("c.json", "d.h5", "e.keras"):
        with pytest.raises(ValueError, match="must end in `.weights.json` when `max_shard"):
            model.save_weights(tmp_path / name, max_shard_size=1)
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        model.save_weights(tmp_path / "e.weights.json")
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"`max_shard_size`.*Received: max_shard_size="):
            model.save_weights(tmp_path / "g.weights.json", max_shard_size=bad)
    for bad in ("1", True, [1]):
        with pytest.raises(TypeError, match=r"`max_shard_size`.*Received: max_shard_size="):
            model.save_weights(tmp_path / "g.weights.json", max_shard_size=bad)
    assert sorted(os.listdir(tmp_path)) == ["b.weights.json", "b_00000.weights.h5"]
    with pytest.raises(ValueError, match="File format not supported"):
        model.load_weights(tmp_path / "b.json")
    with pytest.raises(FileNotFoundError):
        model.load_weights(tmp_path / "missing.weights.json")


def test_too_large_weight_raises_and_keeps_previous_save(engine, tmp_path):
    model = _split_model()
    path = tmp_path / "x.weights.json"
    model.save_weights(path, max_shard_size=1)
    before = {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)}
    with pytest.raises(ValueError) as info:
        model.save_weights(path, max_shard_size=2000 / GB)
    assert str(info.value) == (
        "The size of 0 is 3.91 KB which exceeds the maximum shard size 1.95 KB. You can "
        "increase the `max_shard_size` parameter to accommodate the size."
    )
    assert {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)} == before
    assert sharding.format_size(11.44 * 1024**2) == "11.44 MB"
    assert sharding.format_size(1000) == "1000.00 B"


def test_stale_shards_of_the_previous_save_are_removed(engine, tmp_path):
    model = _split_model()
    path = tmp_path / "x.weights.json"
    model.save_weights(path, max_shard_size=7999 / GB)
    assert len(os.listdir(tmp_path)) == 6
    (tmp_path / "x_00099.weights.h5").write_bytes(b"not listed by the index: kept")
    model.save_weights(path, max_shard_size=1)
    assert sorted(os.listdir(tmp_path)) == [
        "x.weights.json",
        "x_00000.weights.h5",
        "x_00099.weights.h5",
    ]
    loaded = _split_model()
    loaded.load_weights(path)
    _assert_same(loaded.get_weights(), model.get_weights())


# ----------------------------------------------------------------------------- crash safety


def test_failed_rename_never_loads_mixed_shards(engine, tmp_path, monkeypatch):
    model = _split_model()
    path = tmp_path / "x.weights.json"
    model.save_weights(path, max_shard_size=8000 / GB)
    old = [np.asarray(w) for w in model.get_weights()]
    _perturb(model)
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # first shard renamed, then the "crash"
            raise OSError("killed")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="killed"):
        model.save_weights(path, max_shard_size=8000 / GB)
    monkeypatch.undo()
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]
    fresh = _split_model()
    before = [np.asarray(w) for w in fresh.get_weights()]
    with pytest.raises(ValueError, match="different saves"):
        fresh.load_weights(path)
    _assert_same(fresh.get_weights(), before)

    # A failure before any rename leaves the previous save fully intact.
    model2 = _split_model()
    model2.set_weights(old)
    model2.save_weights(path, max_shard_size=8000 / GB)

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(path, max_shard_size=8000 / GB)
    monkeypatch.undo()
    fresh.load_weights(path)
    _assert_same(fresh.get_weights(), old)


# ----------------------------------------------------------------------------- bad files


def _saved(tmp_path, limit=8000):
    model = _split_model()
    model.save_weights(tmp_path / "x.weights.json", max_shard_size=limit / GB)
    return model


def _write_index(tmp_path, index, name="y.weights.json"):
    (tmp_path / name).write_text(json.dumps(index))
    return tmp_path / name


def test_bad_indexes_raise_clear_errors_and_leave_the_model(engine, tmp_path):
    _saved(tmp_path)
    index = _index(tmp_path / "x.weights.json")
    model = _split_model()
    before = [np.asarray(w) for w in model.get_weights()]
    (tmp_path / "z.weights.json").write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        model.load_weights(tmp_path / "z.weights.json")
    (tmp_path / "z.weights.json").write_text("{}")
    with pytest.raises(ValueError, match="'weight_map'"):
        model.load_weights(tmp_path / "z.weights.json")
    for bad in ("../x_00000.weights.h5", "/etc/passwd", "sub/x.h5", "..", ""):
        broken = json.loads(json.dumps(index))
        broken["weight_map"]["/layers/dense/vars"] = [bad]
        with pytest.raises(ValueError, match="plain file names"):
            model.load_weights(_write_index(tmp_path, broken))
    broken = json.loads(json.dumps(index))
    broken["weight_map"]["/layers/dense/vars"] = 3
    with pytest.raises(ValueError, match="Invalid entry for '/layers/dense/vars'"):
        model.load_weights(_write_index(tmp_path, broken))
    broken = json.loads(json.dumps(index))
    broken["weight_map"]["/layers/dense/vars"] = ["nothere.weights.h5"]
    with pytest.raises(FileNotFoundError, match="nothere.weights.h5"):
        model.load_weights(_write_index(tmp_path, broken))
    # A shard left out of the index: its layer's group is missing.
    broken = json.loads(json.dumps(index))
    del broken["weight_map"]["/layers/dense_1/vars"]
    with pytest.raises(ValueError, match="dense_1"):
        model.load_weights(_write_index(tmp_path, broken))
    # A truncated shard.
    data = (tmp_path / "x_00001.weights.h5").read_bytes()
    (tmp_path / "x_00001.weights.h5").write_bytes(data[:100])
    with pytest.raises(ValueError, match="not a valid HDF5"):
        model.load_weights(tmp_path / "x.weights.json")
    _assert_same(model.get_weights(), before)


def test_shape_mismatch_and_skip_mismatch(engine, tmp_path):
    _saved(tmp_path)
    other = kerasx.Sequential(
        [kerasx.Input((1,)), layers.Dense(999), layers.Dense(1), layers.Dense(1000)]
    )
    before = [np.asarray(w) for w in other.get_weights()]
    with pytest.raises(ValueError, match="Shape mismatch"):
        other.load_weights(tmp_path / "x.weights.json")
    _assert_same(other.get_weights(), before)
    with pytest.warns(UserWarning, match="Skipping"):
        other.load_weights(tmp_path / "x.weights.json", skip_mismatch=True)


def _shard_with(path, build):
    with h5py.File(path, "w") as f:
        build(f)


def test_hostile_shards_are_refused_before_reading(engine, tmp_path):
    model = kerasx.Sequential([kerasx.Input((1,)), layers.Dense(2)])
    index = {"metadata": {"total_size": 8.0}, "weight_map": {"/layers/dense/vars": ["h.h5"]}}
    target = tmp_path / "other.h5"
    _shard_with(target, lambda f: f.create_dataset("secret", data=np.ones((1, 2), "float32")))

    cases = {
        "external link": lambda f: f.__setitem__(
            "layers/dense/vars/0", h5py.ExternalLink(str(target), "secret")
        ),
        "soft link": lambda f: (
            f.create_dataset("data", data=np.ones((1, 2), "float32")),
            f.__setitem__("layers/dense/vars/0", h5py.SoftLink("/data")),
        ),
        "string dtype": lambda f: f.create_dataset("layers/dense/vars/0", data=np.array([b"x"])),
        "unallocated huge dataset": lambda f: f.create_dataset(
            "layers/dense/vars/0", shape=(2**20, 2**12), dtype="float64"
        ),
    }
    for what, build in cases.items():
        _shard_with(
            tmp_path / "h.h5", lambda f, b=build: (f.require_group("layers/dense/vars"), b(f))
        )
        path = _write_index(tmp_path, index, "h.weights.json")
        with pytest.raises(ValueError) as info:
            model.load_weights(path)
        assert any(
            word in str(info.value) for word in ("Link", "link", "dtype", "more array data")
        ), (what, str(info.value))

    def duplicate(f):
        f.create_dataset("layers/dense/vars/0", data=np.ones((1, 2), "float32"))

    _shard_with(tmp_path / "h.h5", duplicate)
    _shard_with(tmp_path / "h2.h5", duplicate)
    index["weight_map"]["/layers/dense/vars"] = ["h.h5", "h2.h5"]
    with pytest.raises(ValueError, match="more than one shard"):
        model.load_weights(_write_index(tmp_path, index, "h.weights.json"))


# ----------------------------------------------------------------------------- Keras 3


def _kvals(variables):
    return [np.asarray(v.value) for v in variables]


def _keras_split_model(keras):
    return keras.Sequential(
        [
            keras.Input((1,)),
            keras.layers.Dense(1000),
            keras.layers.Dense(1),
            keras.layers.Dense(1000),
        ]
    )


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside Keras
def test_kerasx_shards_load_in_keras(engine, tmp_path):
    keras = pytest.importorskip("keras")
    model = _model()
    _perturb(model)
    model.save_weights(tmp_path / "k.weights.json", max_shard_size=2500 / GB)
    kmodel = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(40),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(3),
        ]
    )
    kmodel.compile(optimizer="adam", loss="mse")
    kmodel.optimizer.build(kmodel.trainable_variables)
    kmodel.load_weights(str(tmp_path / "k.weights.json"))
    _assert_same(_kvals(kmodel.weights), model.get_weights())
    _assert_same(
        _kvals(kmodel.optimizer.variables),
        [np.asarray(v.numpy()) for v in model.optimizer.variables],
    )


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside Keras
def test_keras_shards_load_in_kerasx_with_the_same_layout(engine, tmp_path):
    keras = pytest.importorskip("keras")
    kdir = tmp_path / "keras"
    kdir.mkdir()
    kmodel = _keras_split_model(keras)
    kmodel.save_weights(str(kdir / "x.weights.json"), max_shard_size=7999 / GB)
    model = _split_model()
    model.load_weights(kdir / "x.weights.json")
    _assert_same(model.get_weights(), _kvals(kmodel.weights))
    # kerasx writes the same files and the same index (plus its save id).
    xdir = tmp_path / "kerasx"
    xdir.mkdir()
    model.save_weights(xdir / "x.weights.json", max_shard_size=7999 / GB)
    assert sorted(os.listdir(xdir)) == sorted(os.listdir(kdir))
    ours, theirs = _index(xdir / "x.weights.json"), _index(kdir / "x.weights.json")
    del ours["metadata"][sharding.SAVE_ID_KEY]
    assert ours == theirs

    # A subclassed model's own "/vars" entry.
    class KSub(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(2)

        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer="ones")
            self.d.build(input_shape)

        def call(self, x):
            return self.d(x) + self.w

    ksub = KSub()
    ksub.build((None, 3))
    ksub.save_weights(str(kdir / "s.weights.json"), max_shard_size=1)
    sub = _Sub()
    sub.build((None, 3))
    sub.load_weights(kdir / "s.weights.json")
    _assert_same(sub.get_weights(), _kvals(ksub.weights))

"""Saving and loading: .keras archives, .weights.h5 files, configs, custom objects, cloning.

Every test runs on both engines. Keras 3 (when installed) is the oracle for config dicts.
"""

import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import kerasx
from kerasx import config, layers, models, saving
from kerasx.engine.discovery import installed_engines

X = np.random.default_rng(0).random((16, 4)).astype("float32")
Y = np.random.default_rng(1).integers(0, 3, 16)


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _mlp(name="mlp"):
    return kerasx.Sequential(
        [
            kerasx.Input((4,)),
            layers.Dense(8, activation="relu"),
            layers.Dense(3, activation="softmax"),
        ],
        name=name,
    )


def _functional():
    a = kerasx.Input((4,), name="a")
    b = kerasx.Input((4,), name="b")
    shared = layers.Dense(3, name="shared")
    za, zb = shared(a), shared(b)
    s = layers.Add(name="sum")([za, zb])
    c = layers.Concatenate(name="cat")([s, layers.Multiply(name="mul")([za, zb])])
    out = layers.Dense(2, name="out")(layers.Dropout(0.5, name="drop")(c))
    return kerasx.Model([a, b], {"y": out, "s": s}, name="fm")


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


# ----------------------------------------------------------------------------- round trips


def test_sequential_round_trip_predicts_and_trains_on_exactly(engine, tmp_path):
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = models.load_model(path)
    assert type(loaded) is kerasx.Sequential and loaded.name == "mlp"
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert int(loaded.optimizer.iterations.numpy()) == 2
    _same(
        [v.numpy() for v in loaded.optimizer.variables],
        [v.numpy() for v in model.optimizer.variables],
    )
    h1 = model.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False).history
    h2 = loaded.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False).history
    assert h1 == h2
    _same(_weights(model), _weights(loaded))


def test_archive_layout_matches_keras(engine, tmp_path):
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        assert infos[0].date_time == (1980, 1, 1, 0, 0, 0)
        meta = json.loads(zf.read("metadata.json"))
        assert set(meta) >= {"keras_version", "date_saved"}
        cfg = json.loads(zf.read("config.json"))
        weights = zf.read("model.weights.h5")
    assert cfg["module"] == "keras" and cfg["class_name"] == "Sequential"
    assert cfg["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert cfg["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    (tmp_path / "w.h5").write_bytes(weights)
    found = {}
    with h5py.File(tmp_path / "w.h5") as f:
        f.visititems(lambda n, o: found.update({n: getattr(o, "shape", None)}))
        assert dict(f["layers/dense/vars"].attrs) == {"name": model.layers[0].name}
        assert dict(f["vars"].attrs) == {"name": "mlp"}
        assert f["optimizer/vars/0"].dtype == np.int32
    assert found["layers/dense/vars/0"] == (4, 8)
    assert found["layers/dense_1/vars/1"] == (3,)
    assert sum(1 for k in found if k.startswith("optimizer/vars/")) == 2 + 2 * 4


def test_functional_round_trip_shared_layers_and_dict_outputs(engine, tmp_path):
    model = _functional()
    model.save(tmp_path / "f.keras")
    loaded = models.load_model(tmp_path / "f.keras")
    xs = [X[:5], X[5:10]]
    got, want = loaded.predict(xs, verbose=0), model.predict(xs, verbose=0)
    assert sorted(got) == ["s", "y"]
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-6)
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    assert loaded.get_config() == model.get_config()


def test_functional_with_ops_on_symbolic_tensors(engine, tmp_path):
    a = kerasx.Input((3,), name="a")
    h = layers.Dense(2, name="d")(a)
    out = kerasx.ops.relu(h) + 1.0
    model = kerasx.Model(a, out)
    model.save(tmp_path / "ops.keras")
    loaded = models.load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(
        loaded.predict(X[:, :3], verbose=0), model.predict(X[:, :3], verbose=0)
    )


def test_nested_models_and_subclassed_layer_paths(engine, tmp_path):
    @saving.register_keras_serializable(package="test_saving")
    class Block(layers.Layer):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.inner = layers.Dense(units)
            self.heads = [layers.Dense(units), layers.Dense(units)]

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(1,), initializer="ones", name="scale")

        def call(self, x):
            h = self.inner(x)
            return (self.heads[0](h) + self.heads[1](h)) * self.scale

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    inner = _mlp("inner")
    a = kerasx.Input((4,))
    out = Block(name="blk")(inner(a))
    model = kerasx.Model(a, out, name="outer")
    model.save_weights(tmp_path / "n.weights.h5")
    with h5py.File(tmp_path / "n.weights.h5") as f:
        names = []
        f.visit(names.append)
    for path in (
        "layers/sequential/layers/dense/vars/0",
        "layers/sequential/vars",
        "layers/block/vars/0",
        "layers/block/inner/vars/1",
        "layers/block/heads/dense/vars/0",
        "layers/block/heads/dense_1/vars/0",
    ):
        assert path in names, path
    model.save(tmp_path / "n.keras")
    loaded = models.load_model(tmp_path / "n.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)


def test_subclassed_model_round_trip(engine, tmp_path):
    @saving.register_keras_serializable(package="test_saving")
    class TwoLayer(kerasx.Model):
        def __init__(self, hidden=5, **kwargs):
            super().__init__(**kwargs)
            self.hidden = hidden
            self.d1 = layers.Dense(hidden, activation="relu")
            self.d2 = layers.Dense(1)

        def call(self, x):
            return self.d2(self.d1(x))

        def get_config(self):
            return {"hidden": self.hidden, "name": self.name}

    model = TwoLayer(hidden=6, name="two")
    model(X[:2])
    model.save(tmp_path / "s.keras")
    cfg = json.loads(zipfile.ZipFile(tmp_path / "s.keras").read("config.json"))
    assert cfg["registered_name"] == "test_saving>TwoLayer" and cfg["class_name"] == "TwoLayer"
    loaded = models.load_model(tmp_path / "s.keras")
    assert isinstance(loaded, TwoLayer) and loaded.hidden == 6
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)


def test_unzipped_directory_save(engine, tmp_path):
    model = _mlp()
    model.save(tmp_path / "dirsave", zipped=False)
    assert sorted(os.listdir(tmp_path / "dirsave")) == [
        "config.json",
        "metadata.json",
        "model.weights.h5",
    ]
    loaded = models.load_model(tmp_path / "dirsave")
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    model.save(tmp_path / "dirsave", zipped=False)  # overwriting a directory works too


def test_saved_on_one_engine_loads_on_the_other(tmp_path):
    engines = installed_engines()
    if len(engines) < 2:
        pytest.skip("needs two engines")
    try:
        config.set_backend(engines[0])
        model = _mlp()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False)
        model.save(tmp_path / "m.keras")
        want = model.predict(X, verbose=0)
        config.set_backend(engines[1])
        loaded = models.load_model(tmp_path / "m.keras")
        np.testing.assert_allclose(loaded.predict(X, verbose=0), want, rtol=1e-5, atol=1e-6)
        assert int(np.asarray(loaded.optimizer.iterations.numpy())) == 2
    finally:
        config.set_backend("numpy")


# ----------------------------------------------------------------------------- weights files


def test_save_and_load_weights(engine, tmp_path):
    model = _mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    other = _mlp()
    other.load_weights(tmp_path / "w.weights.h5")
    _same(_weights(model), _weights(other))
    third = _mlp()
    third.load_weights(tmp_path / "w.weights.h5".replace(".weights.h5", ".weights.h5"))
    model.save(tmp_path / "m.keras")
    fourth = _mlp()
    fourth.load_weights(tmp_path / "m.keras")  # the weights inside an archive
    _same(_weights(model), _weights(fourth))


def test_weights_file_restores_optimizer_state(engine, tmp_path):
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    model.save_weights(tmp_path / "w.weights.h5")
    other = _mlp()
    other.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    other.load_weights(tmp_path / "w.weights.h5")
    assert other.optimizer.built and int(other.optimizer.iterations.numpy()) == 2
    h1 = model.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    h2 = other.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    assert h1 == h2


def test_path_errors_match_keras(engine, tmp_path):
    model = _mlp()
    with pytest.raises(ValueError, match="Invalid filepath extension for saving"):
        model.save(tmp_path / "model.foo")
    with pytest.raises(ValueError, match=r"The filename must end in `.weights.h5`. Received: "):
        model.save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match=r"The following argument\(s\) are not supported"):
        model.save(tmp_path / "m.keras", weights_format="npz")
    with pytest.raises(ValueError, match="File not found: filepath="):
        models.load_model(tmp_path / "nofile.keras")
    (tmp_path / "x.foo").write_text("hi")
    with pytest.raises(ValueError, match="File format not supported"):
        models.load_model(tmp_path / "x.foo")
    with pytest.raises(ValueError, match="File format not supported"):
        model.load_weights(tmp_path / "x.foo")


def test_overwrite_false_asks(engine, tmp_path, monkeypatch):
    model = _mlp()
    model.save(tmp_path / "m.keras")
    before = (tmp_path / "m.keras").read_bytes()
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    _mlp().save(tmp_path / "m.keras", overwrite=False)
    assert (tmp_path / "m.keras").read_bytes() == before


# ----------------------------------------------------------------------------- bad files


def _snapshot(model):
    return [np.array(v.numpy(), copy=True) for v in model.weights]


def _bad_archive(tmp_path, src, mutate):
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    mutate(members)
    out = tmp_path / "bad.keras"
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out


def test_truncated_archive(engine, tmp_path):
    model = _mlp()
    model.save(tmp_path / "m.keras")
    data = (tmp_path / "m.keras").read_bytes()
    (tmp_path / "t.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated"):
        models.load_model(tmp_path / "t.keras")
    target = _mlp()
    before = _snapshot(target)
    with pytest.raises(ValueError, match="truncated"):
        target.load_weights(tmp_path / "t.keras")
    _same(before, _snapshot(target))


@pytest.mark.parametrize("member", ["config.json", "model.weights.h5"])
def test_missing_member(engine, tmp_path, member):
    _mlp().save(tmp_path / "m.keras")
    bad = _bad_archive(tmp_path, tmp_path / "m.keras", lambda m: m.pop(member))
    with pytest.raises(ValueError, match=f"no '{member}' member"):
        models.load_model(bad)


def test_wrong_json(engine, tmp_path):
    _mlp().save(tmp_path / "m.keras")
    bad = _bad_archive(
        tmp_path, tmp_path / "m.keras", lambda m: m.update({"config.json": b"{not json"})
    )
    with pytest.raises(ValueError, match="'config.json' in .* is not valid JSON"):
        models.load_model(bad)
    bad = _bad_archive(
        tmp_path, tmp_path / "m.keras", lambda m: m.update({"config.json": b"[1, 2]"})
    )
    with pytest.raises(ValueError, match="does not describe a model"):
        models.load_model(bad)


def test_unknown_class_name(engine, tmp_path):
    _mlp().save(tmp_path / "m.keras")

    def rename(members):
        cfg = json.loads(members["config.json"])
        cfg["config"]["layers"][1]["class_name"] = "NoSuchLayer"
        members["config.json"] = json.dumps(cfg).encode()

    with pytest.raises(TypeError, match="Could not locate class 'NoSuchLayer'"):
        models.load_model(_bad_archive(tmp_path, tmp_path / "m.keras", rename))


def test_wrong_shape_leaves_model_unchanged(engine, tmp_path):
    wide = kerasx.Sequential([kerasx.Input((4,)), layers.Dense(8), layers.Dense(5)])
    wide.save_weights(tmp_path / "w.weights.h5")
    target = _mlp()
    before = _snapshot(target)
    with pytest.raises(ValueError, match=r"Shape mismatch .* has shape \(8, 3\).*\(8, 5\)"):
        target.load_weights(tmp_path / "w.weights.h5")
    # The first layer matched, but nothing was assigned because the second did not.
    _same(before, _snapshot(target))
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        target.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(target.layers[0].kernel.numpy(), wide.layers[0].kernel.numpy())


def test_wrong_count_leaves_model_unchanged(engine, tmp_path):
    deeper = kerasx.Sequential(
        [kerasx.Input((4,)), layers.Dense(8), layers.Dense(3, use_bias=False)]
    )
    deeper.save_weights(tmp_path / "w.weights.h5")
    target = _mlp()
    before = _snapshot(target)
    with pytest.raises(ValueError, match="expected 2 variables, but .* holds 1"):
        target.load_weights(tmp_path / "w.weights.h5")
    _same(before, _snapshot(target))
    short = kerasx.Sequential([kerasx.Input((4,)), layers.Dense(8)])
    short.save_weights(tmp_path / "s.weights.h5")
    with pytest.raises(ValueError, match="has no 'layers/dense_1/vars' group"):
        target.load_weights(tmp_path / "s.weights.h5")
    _same(before, _snapshot(target))


def test_corrupt_weights_file(engine, tmp_path):
    (tmp_path / "c.weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    target = _mlp()
    before = _snapshot(target)
    with pytest.raises(ValueError, match="not a valid HDF5"):
        target.load_weights(tmp_path / "c.weights.h5")
    _same(before, _snapshot(target))


# ----------------------------------------------------------------------------- configs


def test_configs_equal_keras(engine):
    keras = pytest.importorskip("keras")
    k = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)]
    )
    x = kerasx.Sequential([kerasx.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(3)])
    kc = keras.saving.serialize_keras_object(k)
    xc = saving.serialize_keras_object(x)
    for c in (kc, xc):  # auto-generated names differ between sessions
        c["config"].pop("name")
        for la in c["config"]["layers"]:
            la["config"].pop("name")
    assert json.loads(json.dumps(xc)) == json.loads(json.dumps(kc))
    ka, kb = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    kd = keras.layers.Dense(3, name="d")
    km = keras.Model([ka, kb], [keras.layers.Add(name="s")([kd(ka), kd(kb)])], name="f")
    xa, xb = kerasx.Input((4,), name="a"), kerasx.Input((4,), name="b")
    xd = layers.Dense(3, name="d")
    xm = kerasx.Model([xa, xb], [layers.Add(name="s")([xd(xa), xd(xb)])], name="f")
    assert json.loads(json.dumps(xm.get_config())) == json.loads(json.dumps(km.get_config()))
    kser = keras.saving.serialize_keras_object(km)
    xser = saving.serialize_keras_object(xm)
    assert {k: kser[k] for k in ("module", "class_name", "registered_name", "build_config")} == {
        k: xser[k] for k in ("module", "class_name", "registered_name", "build_config")
    }


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside Keras's Adam
def test_serialize_keras_object_formats_match_keras():
    keras = pytest.importorskip("keras")

    def fn(x):
        return x

    for kobj, xobj in [
        (keras.initializers.GlorotUniform(seed=3), kerasx.initializers.GlorotUniform(seed=3)),
        (keras.regularizers.L2(0.1), kerasx.regularizers.L2(0.1)),
        (keras.optimizers.Adam(name="a"), kerasx.optimizers.Adam(name="a")),
        (fn, fn),
        (b"ab", b"ab"),
        (slice(1, 2), slice(1, 2)),
        (np.zeros((2,), "float32"), np.zeros((2,), "float32")),
        ({"a": (1, 2)}, {"a": (1, 2)}),
    ]:
        assert saving.serialize_keras_object(xobj) == keras.saving.serialize_keras_object(kobj)
    assert kerasx.activations.serialize(fn) == keras.activations.serialize(fn)
    assert kerasx.activations.serialize(kerasx.activations.relu) == "relu"
    assert (
        layers.Dense(2, activation=fn).get_config()["activation"]
        == keras.layers.Dense(2, activation=fn).get_config()["activation"]
    )


def test_to_json_and_model_from_json(engine):
    model = _functional()
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Functional"
    clone = models.model_from_json(text)
    assert clone.get_config() == model.get_config()
    assert clone.get_weights()[0].shape == model.get_weights()[0].shape
    with pytest.raises(ValueError, match="not valid JSON"):
        models.model_from_json("{bad")


def test_layers_serialize_deserialize(engine):
    dense = layers.Dense(4, activation="tanh", name="dd")
    cfg = layers.serialize(dense)
    assert cfg["module"] == "keras.layers" and cfg["class_name"] == "Dense"
    again = layers.deserialize(cfg)
    assert isinstance(again, layers.Dense) and again.get_config() == dense.get_config()
    dense.build((None, 3))
    built = layers.deserialize(layers.serialize(dense))
    assert built.built and built.kernel.shape == (3, 4)
    with pytest.raises(ValueError, match="does not describe a layer"):
        layers.deserialize(saving.serialize_keras_object(kerasx.optimizers.SGD()))


# ----------------------------------------------------------------------------- custom objects


def test_registration_and_custom_objects(engine, tmp_path):
    @saving.register_keras_serializable(package="pk", name="Twice")
    def twice(x):
        return x * 2.0

    assert saving.get_registered_name(twice) == "pk>Twice"
    assert saving.get_registered_object("pk>Twice") is twice
    assert saving.get_custom_objects()["pk>Twice"] is twice
    cfg = saving.serialize_keras_object(twice)
    assert cfg == {
        "module": "builtins",
        "class_name": "function",
        "config": "pk>Twice",
        "registered_name": "function",
    }
    assert saving.deserialize_keras_object(cfg) is twice

    class Plain(layers.Layer):  # not registered: found only through custom objects
        def call(self, x):
            return x + 1.0

    model = kerasx.Sequential([kerasx.Input((2,)), Plain(name="plain")])
    model.save(tmp_path / "p.keras")
    with pytest.raises(TypeError, match="Could not locate class 'Plain'"):
        models.load_model(tmp_path / "p.keras")
    loaded = models.load_model(tmp_path / "p.keras", custom_objects={"Plain": Plain})
    assert isinstance(loaded.layers[0], Plain)
    with saving.custom_object_scope({"Plain": Plain}):
        assert isinstance(models.load_model(tmp_path / "p.keras").layers[0], Plain)
    assert saving.CustomObjectScope is saving.custom_object_scope
    with pytest.raises(ValueError, match="`package`"):
        saving.register_keras_serializable(package="a>b")


def test_registered_class_without_get_config_is_refused():
    with pytest.raises(ValueError, match="get_config"):

        @saving.register_keras_serializable(package="pk")
        class NoConfig:
            pass


# ----------------------------------------------------------------------------- cloning


def test_clone_model(engine):
    model = _functional()
    clone = models.clone_model(model)
    assert clone is not model and clone.get_config() == model.get_config()
    assert all(a is not b for a, b in zip(clone.layers, model.layers))
    clone.set_weights(model.get_weights())
    xs = [X[:3], X[3:6]]
    np.testing.assert_allclose(clone.predict(xs, verbose=0)["y"], model.predict(xs, verbose=0)["y"])
    seq = _mlp()
    seq_clone = models.clone_model(seq)
    assert type(seq_clone) is kerasx.Sequential and len(seq_clone.layers) == 2
    renamed = models.clone_model(
        seq,
        clone_function=lambda la: la.__class__.from_config(
            {**la.get_config(), "name": "c_" + la.name}
        ),
    )
    assert [la.name for la in renamed.layers] == ["c_dense", "c_dense_1"] or all(
        la.name.startswith("c_") for la in renamed.layers
    )
    shared = models.clone_model(seq, clone_function=lambda la: la)
    assert shared.layers[0] is seq.layers[0]
    new_in = kerasx.Input((4,), name="fresh")
    on_input = models.clone_model(_functional(), input_tensors=[new_in, kerasx.Input((4,))])
    assert on_input.inputs[0] is new_in
    logged = []

    def call_function(layer, *args, **kwargs):
        logged.append(layer.name)
        return layer(*args, **kwargs)

    models.clone_model(seq, call_function=call_function)
    assert len(logged) == 2

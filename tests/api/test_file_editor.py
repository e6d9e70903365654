"""`kerasx.saving.KerasFileEditor`: inspect and edit saved weights without building a model.

Every test runs on both engines. Keras 3 (when installed) is the oracle: the same file is
opened in both editors, the same edits are applied, and the saved files must load in both
libraries with the same weights; the printed summary must read the same.
"""

import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import kerasx
from kerasx import config, layers, saving
from kerasx.engine.discovery import installed_engines
from kerasx.saving import KerasFileEditor

GB = 1024**3


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _old(compiled=True):
    kerasx.utils.set_random_seed(0)
    model = kerasx.Sequential(
        [
            kerasx.Input((4,)),
            layers.Dense(3),
            layers.BatchNormalization(),
            layers.Dropout(0.1),
            layers.Dense(2),
        ],
        name="seq",
    )
    if compiled:
        model.compile(optimizer="adam", loss="mse")
    return model


def _new():
    # The "new architecture": BatchNormalization replaced by a Dense(5) in the middle.
    return kerasx.Sequential(
        [kerasx.Input((4,)), layers.Dense(3), layers.Dense(5), layers.Dense(2)], name="seq2"
    )


SUMMARY = """Weights structure
  > layers
  │   ├─ batch_normalization
  │   │   ├─ 0: shape=(3,), dtype=float32
  │   │   ├─ 1: shape=(3,), dtype=float32
  │   │   ├─ 2: shape=(3,), dtype=float32
  │   │   └─ 3: shape=(3,), dtype=float32
  │   ├─ dense
  │   │   ├─ 0: shape=(4, 3), dtype=float32
  │   │   └─ 1: shape=(3,), dtype=float32
  │   └─ dense_1
  │       ├─ 0: shape=(3, 2), dtype=float32
  │       └─ 1: shape=(2,), dtype=float32
  └─ optimizer
      ├─ 0: shape=(), dtype={iterations}
      └─ 1: shape=(), dtype=float32
"""


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def _kvals(variables):
    return [np.asarray(v.value) for v in variables]


# ----------------------------------------------------------------------------- reading


def test_opens_keras_and_weights_files(engine, tmp_path, capsys):
    model = _old()
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    capsys.readouterr()
    editor = KerasFileEditor(tmp_path / "m.keras")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Keras model file '{tmp_path / 'm.keras'}'"
    assert out[1].startswith("Saved with Keras 3.15.1 - date: ")
    assert editor.filepath == str(tmp_path / "m.keras")
    assert editor.config["class_name"] == "Sequential" and isinstance(editor.config, dict)
    assert editor.metadata["keras_version"] == "3.15.1"
    tree = editor.weights_dict
    assert list(tree) == ["layers", "optimizer"]
    assert list(tree["layers"]) == ["batch_normalization", "dense", "dense_1"]
    bn, d0, d1 = model.layers[1], model.layers[0], model.layers[3]
    _same([tree["layers"]["dense"][k] for k in ("0", "1")], _weights(d0))
    _same([tree["layers"]["batch_normalization"][str(i)] for i in range(4)], _weights(bn))
    _same([tree["layers"]["dense_1"][k] for k in ("0", "1")], _weights(d1))
    assert editor.object_metadata == {
        "/layers/batch_normalization": {"name": bn.name},
        "/layers/dense": {"name": d0.name},
        "/layers/dense_1": {"name": d1.name},
        "/optimizer": {"name": model.optimizer.name},
    }
    weights_only = KerasFileEditor(str(tmp_path / "m.weights.h5"))
    assert capsys.readouterr().out == f"Keras model file '{tmp_path / 'm.weights.h5'}'\n"
    assert weights_only.config is None and weights_only.metadata is None
    assert weights_only.object_metadata == editor.object_metadata
    weights_only.summary()
    iterations = np.asarray(model.optimizer.iterations.numpy()).dtype
    assert capsys.readouterr().out == SUMMARY.format(iterations=iterations)


class _Block(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.a = layers.Dense(2)
        self.b = layers.Dense(2)

    def build(self, input_shape):
        self.a.build(input_shape)
        self.b.build(input_shape)
        self.v = self.add_weight(shape=(2,), initializer="ones")

    def call(self, x):
        return self.a(x) + self.b(x) + self.v


class _Sub(kerasx.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d = layers.Dense(2)
        self.blk = _Block()

    def build(self, input_shape):
        self.w = self.add_weight(shape=(2,), initializer="zeros")
        self.d.build(input_shape)
        self.blk.build(input_shape)

    def call(self, x):
        return self.d(x) + self.blk(x) + self.w


def test_nested_objects_and_root_vars_round_trip(engine, tmp_path, capsys):
    model = _Sub()
    model.build((None, 3))
    model.save_weights(tmp_path / "s.weights.h5")
    editor = KerasFileEditor(tmp_path / "s.weights.h5")
    capsys.readouterr()
    editor.summary()
    assert capsys.readouterr().out == (
        "Weights structure\n"
        "  > blk\n"
        "  │   ├─ 0: shape=(2,), dtype=float32\n"
        "  │   ├─ a\n"
        "  │   │   ├─ 0: shape=(3, 2), dtype=float32\n"
        "  │   │   └─ 1: shape=(2,), dtype=float32\n"
        "  │   └─ b\n"
        "  │       ├─ 0: shape=(3, 2), dtype=float32\n"
        "  │       └─ 1: shape=(2,), dtype=float32\n"
        "  ├─ d\n"
        "  │   ├─ 0: shape=(3, 2), dtype=float32\n"
        "  │   └─ 1: shape=(2,), dtype=float32\n"
        "  └─ vars\n"
        "      └─ 0: shape=(2,), dtype=float32\n"
    )
    assert editor.object_metadata["/vars"] == {"name": model.name}
    assert editor.compare(model)["status"] == "success"
    # Unedited, the editor writes the same data back (nested layers included).
    editor.save(tmp_path / "copy.weights.h5")
    other = _Sub()
    other.build((None, 3))
    other.load_weights(tmp_path / "copy.weights.h5")
    _same(_weights(other), _weights(model))


def test_sharded_index_opens(engine, tmp_path):
    model = _old(compiled=False)
    model.save_weights(tmp_path / "w.weights.json", max_shard_size=48 / GB)
    assert len(os.listdir(tmp_path)) > 3
    editor = KerasFileEditor(tmp_path / "w.weights.json")
    assert editor.compare(model)["status"] == "success"
    _same(
        [editor.weights_dict["layers"]["dense"][k] for k in ("0", "1")],
        _weights(model.layers[0]),
    )


# ----------------------------------------------------------------------------- editing


def _adapt(editor, kernel, bias):
    editor.delete_object("layers/batch_normalization")
    editor.rename_object("layers/dense_1", "dense_2")
    editor.add_object("layers/dense_1", {"0": kernel, "1": bias})
    editor.delete_object("optimizer")


def test_adapt_a_file_to_a_new_architecture(engine, tmp_path, capsys):
    old = _old()
    old.save(tmp_path / "old.keras")
    rng = np.random.default_rng(0)
    kernel, bias = rng.random((3, 5)).astype("float32"), rng.random(5).astype("float32")
    editor = KerasFileEditor(tmp_path / "old.keras")
    new = _new()
    first = editor.compare(new)
    assert first["status"] == "error" and first["error_count"] > 0
    _adapt(editor, kernel, bias)
    # The (3, 2) kernel of the old last layer does not fit the new Dense(5) -> Dense(2).
    editor.delete_weight("dense_2", "0")
    editor.add_weights("layers/dense_2", {"0": np.ones((5, 2), "float32")})
    assert editor.object_metadata["/layers/dense_2"] == {"name": old.layers[3].name}
    assert "/layers/batch_normalization" not in editor.object_metadata
    capsys.readouterr()
    result = editor.compare(new)
    assert result == {"status": "success", "error_count": 0, "match_count": 6}
    assert capsys.readouterr().out == (
        "Running comparison\n"
        "─────────────────────\n"
        "Comparison successful: saved file is compatible with the reference model\n"
        "    Found 6 matching weights\n"
    )
    editor.save(tmp_path / "new.weights.h5")
    new.load_weights(tmp_path / "new.weights.h5")
    _same(
        _weights(new),
        [
            *_weights(old.layers[0]),
            kernel,
            bias,
            np.ones((5, 2), "float32"),
            _weights(old.layers[3])[1],
        ],
    )


def test_compare_lists_every_mismatch(engine, tmp_path, capsys):
    old = _old()
    old.optimizer.build(old.trainable_variables)
    old.save_weights(tmp_path / "t.weights.h5")
    editor = KerasFileEditor(tmp_path / "t.weights.h5")
    editor.add_weights("batch_normalization", {"4": np.zeros(3, "float32")})
    editor.delete_weight("layers/dense", "1")
    capsys.readouterr()
    result = editor.compare(_new())
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Running comparison"
    assert lines[-2:] == [
        "─────────────────────",
        f"Found {result['error_count']} errors: saved file is not compatible with the "
        "reference model",
    ]
    assert "...Weight /layers/dense/1 present in reference model, missing from saved file" in (
        lines
    )
    i = lines.index("...Weight shape mismatch for /layers/dense_1/0")
    assert lines[i + 1 : i + 3] == [
        "    In reference model: shape=(3, 5)",
        "    In saved file: shape=(3, 2)",
    ]
    assert "...Object /layers/dense_2 present in reference model, missing from saved file" in (
        lines
    )
    assert (
        "...Object /layers/batch_normalization present in saved file, missing from reference "
        "model" in lines
    )
    assert (
        "    In saved file, /layers/batch_normalization contains the following keys: "
        "['0', '1', '2', '3', '4']" in lines
    )
    assert "...Object /optimizer present in saved file, missing from reference model" in lines
    assert result["status"] == "error"
    assert result["error_count"] == sum(1 for line in lines if line.startswith("..."))
    assert result["error_count"] == 6 and result["match_count"] == 1
    with pytest.raises(ValueError, match=r"`reference_model`.*Received: reference_model=3"):
        editor.compare(3)


def test_invalid_edits_raise_and_change_nothing(engine, tmp_path):
    model = _old()
    model.save_weights(tmp_path / "m.weights.h5")
    editor = KerasFileEditor(tmp_path / "m.weights.h5")
    before = json.dumps(_shapes(editor.weights_dict)), dict(editor.object_metadata)
    cases = [
        (
            lambda: editor.rename_object("nope", "x"),
            ValueError,
            r"'nope' was not found.*"
            r"Received: object_name='nope'. Available objects: \['layers', 'layers/batch",
        ),
        (lambda: editor.rename_object("layers/nope", "x"), ValueError, "layers/nope"),
        (
            lambda: editor.rename_object("dense", "layers/x"),
            ValueError,
            "leaf name.*Received: new_name='layers/x'",
        ),
        (lambda: editor.rename_object("dense", "dense_1"), ValueError, "already exists"),
        (lambda: editor.rename_object("dense", 3), TypeError, "new_name=3"),
        (lambda: editor.delete_object(3), TypeError, "object_name=3"),
        (lambda: editor.delete_object("zz"), ValueError, "Available objects"),
        (
            lambda: editor.delete_weight("dense", "7"),
            ValueError,
            r"Weight '7' was not found in object 'layers/dense'.*Weights found: \['0', '1'\]",
        ),
        (lambda: editor.add_weights("dense", {"0": np.ones(2)}), ValueError, "already has"),
        (lambda: editor.add_weights("dense", [np.ones(2)]), ValueError, "type\\(weights\\)="),
        (lambda: editor.add_weights("dense", {"x": "abc"}), TypeError, "numeric array"),
        (lambda: editor.add_weights("dense", {3: np.ones(2)}), ValueError, "weight name 3"),
        (lambda: editor.add_weights("dense", {"a/b": np.ones(2)}), ValueError, "without '/'"),
        (lambda: editor.add_weights("dense", {"x": {"0": np.ones(2)}}), TypeError, "numeric"),
        (
            lambda: editor.add_object("layers/dense", {"0": np.ones(2)}),
            ValueError,
            "already exists",
        ),
        (
            lambda: editor.add_object("a/b/c", {"0": np.ones(2)}),
            ValueError,
            "parent 'a/b' was not found",
        ),
        (lambda: editor.add_object("layers/x", None), ValueError, "type\\(weights\\)="),
        (lambda: editor.save(tmp_path / "x.keras"), ValueError, "`.weights.h5` extension"),
        (lambda: editor.save(tmp_path / "x.h5"), ValueError, "`.weights.h5` extension"),
    ]
    for call, error, pattern in cases:
        with pytest.raises(error, match=pattern):
            call()
    assert (json.dumps(_shapes(editor.weights_dict)), dict(editor.object_metadata)) == before
    # Names pick an object by its last path part, or by the layer name stored in the file.
    editor.add_object("extra", {"dense": {"0": np.ones(2)}})
    with pytest.raises(ValueError, match=r"more than one object.*\['layers/dense', 'extra/"):
        editor.delete_object("dense")
    editor.delete_object("/extra/")
    editor.rename_object(model.layers[0].name, "first")
    assert "first" in editor.weights_dict["layers"]


def _shapes(tree):
    return {k: _shapes(v) if isinstance(v, dict) else list(np.shape(v)) for k, v in tree.items()}


def test_bad_files_are_refused(engine, tmp_path):
    with pytest.raises(ValueError, match="Invalid filename.*Received: filepath="):
        KerasFileEditor(tmp_path / "x.txt")
    with pytest.raises(TypeError, match="filepath=3"):
        KerasFileEditor(3)
    with pytest.raises(FileNotFoundError):
        KerasFileEditor(tmp_path / "missing.weights.h5")
    with pytest.raises(FileNotFoundError):
        KerasFileEditor(tmp_path / "missing.keras")
    (tmp_path / "bad.keras").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match="not a valid .keras archive"):
        KerasFileEditor(tmp_path / "bad.keras")
    target = tmp_path / "secret.h5"
    with h5py.File(target, "w") as f:
        f.create_dataset("data", data=np.ones(3))
    with h5py.File(tmp_path / "link.weights.h5", "w") as f:
        f["layers/dense/vars/0"] = h5py.ExternalLink(str(target), "data")
    with pytest.raises(ValueError, match="ExternalLink"):
        KerasFileEditor(tmp_path / "link.weights.h5")
    with h5py.File(tmp_path / "huge.weights.h5", "w") as f:
        f.create_dataset("layers/dense/vars/0", shape=(2**20, 2**12), dtype="float64")
    with pytest.raises(ValueError, match="declare .* bytes"):
        KerasFileEditor(tmp_path / "huge.weights.h5")
    with h5py.File(tmp_path / "str.weights.h5", "w") as f:
        f.create_dataset("layers/dense/vars/0", data=np.array([b"abc"]))
    with pytest.raises(ValueError, match="numeric dtype"):
        KerasFileEditor(tmp_path / "str.weights.h5")


def test_config_is_never_deserialized(engine, tmp_path):
    # A config naming a Lambda with bytecode and an arbitrary module is only read as JSON.
    model = _old(compiled=False)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    evil = {
        "module": "os",
        "class_name": "system",
        "config": {"function": {"class_name": "__lambda__", "config": {"code": "AAAA"}}},
    }
    members["config.json"] = json.dumps(evil).encode()
    with zipfile.ZipFile(tmp_path / "evil.keras", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    editor = KerasFileEditor(tmp_path / "evil.keras")
    assert editor.config == evil
    assert editor.compare(model)["status"] == "success"


def test_save_is_crash_safe_and_can_overwrite_the_opened_file(engine, tmp_path, monkeypatch):
    model = _old(compiled=False)
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    editor = KerasFileEditor(path)
    editor.delete_object("batch_normalization")
    before = path.read_bytes()

    def fail(src, dst):
        raise OSError("killed")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="killed"):
        editor.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.weights.h5"]
    editor.resave_weights(path)
    assert "batch_normalization" not in KerasFileEditor(path).weights_dict["layers"]
    with h5py.File(path, "r") as f:
        assert f["layers/dense/vars"].attrs["name"] == model.layers[0].name


# ----------------------------------------------------------------------------- Keras 3


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside Keras
def test_same_edits_as_keras_give_the_same_files(engine, tmp_path, capsys, monkeypatch):
    keras = pytest.importorskip("keras")
    old = _old()
    old.optimizer.build(old.trainable_variables)
    old.save(tmp_path / "old.keras")
    rng = np.random.default_rng(1)
    kernel, bias = rng.random((3, 5)).astype("float32"), rng.random(5).astype("float32")

    monkeypatch.chdir(tmp_path)  # short paths: Keras's console wraps lines at 80 columns
    capsys.readouterr()
    kedit = keras.saving.KerasFileEditor("old.keras")
    kedit.summary()
    keras_out = capsys.readouterr().out
    xedit = KerasFileEditor("old.keras")
    xedit.summary()
    ours = capsys.readouterr().out
    assert ours == keras_out
    assert xedit.object_metadata == kedit.object_metadata
    assert xedit.metadata == kedit.metadata and xedit.config == kedit.config

    for editor in (kedit, xedit):
        _adapt(editor, kernel, bias)
        editor.delete_weight("layers/dense_2", "0")
        editor.add_weights("layers/dense_2", {"0": np.ones((5, 2), "float32")})
    kedit.save(str(tmp_path / "keras.weights.h5"))
    xedit.save(tmp_path / "kerasx.weights.h5")

    knew = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(5), keras.layers.Dense(2)]
    )
    results = []
    for name in ("keras.weights.h5", "kerasx.weights.h5"):
        new = _new()
        new.load_weights(tmp_path / name)
        results.append(_weights(new))
        knew.load_weights(str(tmp_path / name))
        results.append(_kvals(knew.weights))
    for other in results[1:]:
        _same(other, results[0])
    # Keras's editor reads kerasx's edited file the same way.
    capsys.readouterr()
    keras.saving.KerasFileEditor(str(tmp_path / "kerasx.weights.h5")).summary()
    KerasFileEditor(tmp_path / "kerasx.weights.h5").summary()
    keras_text, ours = capsys.readouterr().out.split("Weights structure")[1:]
    assert ours == keras_text.split("Keras model file")[0]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside Keras
def test_compare_messages_match_keras(engine, tmp_path, capsys):
    keras = pytest.importorskip("keras")
    old = _old(compiled=False)
    old.save_weights(tmp_path / "m.weights.h5")
    knew = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(5), keras.layers.Dense(3), keras.layers.Dense(2)]
    )
    xnew = kerasx.Sequential(
        [kerasx.Input((4,)), layers.Dense(5), layers.Dense(3), layers.Dense(2)]
    )
    outputs = []
    for editor, model in (
        (keras.saving.KerasFileEditor(str(tmp_path / "m.weights.h5")), knew),
        (KerasFileEditor(tmp_path / "m.weights.h5"), xnew),
    ):
        capsys.readouterr()
        result = editor.compare(model)
        assert result["status"] == "error"
        outputs.append(_unwrap(capsys.readouterr().out))
    keras_lines, our_lines = outputs
    # Keras counts errors and matches its own way; the reported mismatches are the same.
    assert [x for x in our_lines if not x.startswith("Found")] == [
        x for x in keras_lines if not x.startswith("Found")
    ]


def _unwrap(text):
    """Undo the line wrapping of Keras's rich console (80 columns)."""
    starts = ("...", "    ", "Running", "─", "Found", "Comparison")
    lines = []
    for line in text.splitlines():
        if lines and not line.startswith(starts):
            lines[-1] += line if lines[-1].endswith(" ") else " " + line
        else:
            lines.append(line)
    return lines


def test_editor_is_exported():
    assert saving.KerasFileEditor is KerasFileEditor

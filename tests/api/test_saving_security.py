"""Loading a file never runs code from it: one test per published Keras loading attack.

Each test builds the malicious file the CVE describes (in our own words in its docstring)
and shows kerasx refuses it, with nothing executed: the attack payloads would create a marker
file, and the tests check it does not exist.
"""

import base64
import io
import json
import marshal
import zipfile

import h5py
import numpy as np
import pytest

import kerasx
from kerasx import config, layers, models, saving
from kerasx.engine.discovery import installed_engines


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _empty_weights() -> bytes:
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("vars")
    return buf.getvalue()


def _archive(path, cfg, weights=None):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        zf.writestr("config.json", json.dumps(cfg))
        zf.writestr("model.weights.h5", weights if weights is not None else _empty_weights())
    return path


def _input(name="in", shape=(2,)):
    return {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {"batch_shape": [None, *shape], "dtype": "float32", "name": name},
        "registered_name": None,
    }


def _sequential(*layer_configs):
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": "evil", "layers": [_input(), *layer_configs]},
        "registered_name": None,
    }


def _lambda_layer(function, arguments=None, name="lam"):
    return {
        "module": "keras.layers",
        "class_name": "Lambda",
        "config": {"name": name, "function": function, "arguments": arguments or {}},
        "registered_name": None,
    }


def _bytecode_function(marker):
    payload = eval(f"lambda x: open({str(marker)!r}, 'w').write('pwned') and x")  # noqa: S307
    code = base64.encodebytes(marshal.dumps(payload.__code__)).decode("ascii")
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": None, "closure": None}}


def test_cve_2024_3660_lambda_bytecode_is_refused(engine, tmp_path):
    """CVE-2024-3660: a Lambda layer in a saved model carries a Python function as marshalled
    bytecode; loading the model turns the bytes back into a function and runs it, so whoever
    made the file runs code on the loading machine. kerasx refuses the bytecode unless the
    caller passes ``safe_mode=False``, and says so."""
    marker = tmp_path / "pwned"
    path = _archive(tmp_path / "m.keras", _sequential(_lambda_layer(_bytecode_function(marker))))
    with pytest.raises(ValueError, match="safe_mode=False"):
        models.load_model(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        saving.deserialize_keras_object(_lambda_layer(_bytecode_function(marker)))
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.Lambda.from_config(_lambda_layer(_bytecode_function(marker))["config"])
    assert not marker.exists()


@pytest.mark.parametrize(
    "entry",
    [
        {"module": "os", "class_name": "system", "config": {"command": "touch {m}"}},
        {"module": "subprocess", "class_name": "Popen", "config": {"args": ["touch", "{m}"]}},
        {"module": "builtins", "class_name": "exec", "config": {"source": "open('{m}','w')"}},
        {"module": "keras.layers", "class_name": "__class__", "config": {}},
        {"module": "keras.layers", "class_name": "activations", "config": {}},
    ],
    ids=["os.system", "subprocess.Popen", "builtins.exec", "dunder", "submodule"],
)
def test_cve_2025_1550_arbitrary_module_and_function_are_refused(engine, tmp_path, entry):
    """CVE-2025-1550: config.json names any Python module and any callable in it, with
    arguments, as if it were a layer class; loading imports the module and calls the callable
    (e.g. ``os.system``) with the attacker's arguments, even in safe mode. kerasx never
    imports a module named by a file: a class name is only looked up among kerasx's own
    serializable classes and the user's registered ones."""
    marker = tmp_path / "pwned"
    cfg = json.loads(json.dumps(entry).replace("{m}", str(marker)))
    cfg["registered_name"] = None
    path = _archive(tmp_path / "m.keras", _sequential(cfg))
    with pytest.raises(TypeError, match="Could not locate class"):
        models.load_model(path)
    with pytest.raises(TypeError, match="Could not locate class"):
        models.load_model(path, safe_mode=False)  # not even with safe mode off
    # The same callables named as a function (a Dense activation) are refused too.
    dense = {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {
            "units": 1,
            "activation": {
                "module": cfg["module"],
                "class_name": "function",
                "config": cfg["class_name"],
                "registered_name": "function",
            },
        },
        "registered_name": None,
    }
    with pytest.raises((TypeError, ValueError), match="function|activation"):
        models.load_model(_archive(tmp_path / "d.keras", _sequential(dense)))
    assert not marker.exists()


def test_cve_2025_8747_keras_utility_functions_are_not_reachable(engine, tmp_path):
    """CVE-2025-8747: after imports were limited to Keras's own modules, a config could still
    name a Keras *utility* function, ``keras.utils.get_file``, as a Lambda's function with
    `arguments`; building the model calls it, which downloads an attacker's file and writes
    it anywhere on disk (e.g. over a file that is executed later). kerasx only resolves
    functions from its activation, loss and metric tables or the user's registry."""
    marker = tmp_path / "pwned"
    for module, name in [
        ("keras.utils", "get_file"),
        ("keras.src.utils.file_utils", "get_file"),
        ("keras.saving", "save_model"),
        ("keras.utils", "set_random_seed"),
    ]:
        fn = {
            "module": module,
            "class_name": "function",
            "config": name,
            "registered_name": "function",
        }
        cfg = _sequential(_lambda_layer(fn, {"fname": str(marker), "origin": f"file://{marker}"}))
        with pytest.raises(TypeError, match=f"Could not locate function '{name}'"):
            models.load_model(_archive(tmp_path / "m.keras", cfg))
        as_class = {"module": module, "class_name": name, "config": {"fname": str(marker)}}
        with pytest.raises(TypeError, match="Could not locate class"):
            models.load_model(_archive(tmp_path / "c.keras", _sequential(as_class)))
    assert not marker.exists()


def test_cve_2025_9906_a_file_cannot_turn_safe_mode_off(engine, tmp_path):
    """CVE-2025-9906: config.json first calls ``keras.config.enable_unsafe_deserialization()``
    (named as a Lambda's function, run while the model is rebuilt), which switches safe mode
    off for the whole process; a second Lambda further down then carries bytecode that now
    loads. A variant calls ``keras.models.load_model`` with ``safe_mode=False`` on a second
    file. In kerasx none of these functions can be named by a file, and safe mode is only
    set by the caller."""
    marker = tmp_path / "pwned"
    flags = config._flags
    assert flags["unsafe_deserialization"] is False
    for module, name, arguments in [
        ("keras.config", "enable_unsafe_deserialization", {}),
        ("keras.src.saving.serialization_lib", "enable_unsafe_deserialization", {}),
        ("keras.models", "load_model", {"safe_mode": False}),
        ("keras.saving", "load_model", {"safe_mode": False}),
    ]:
        fn = {
            "module": module,
            "class_name": "function",
            "config": name,
            "registered_name": "function",
        }
        cfg = _sequential(
            _lambda_layer(fn, arguments, name="off"),
            _lambda_layer(_bytecode_function(marker), name="payload"),
        )
        with pytest.raises((TypeError, ValueError)):
            models.load_model(_archive(tmp_path / "m.keras", cfg))
        assert flags["unsafe_deserialization"] is False
    # Keys in the file that look like switches are ignored.
    cfg = _sequential(_lambda_layer(_bytecode_function(marker)))
    cfg["safe_mode"] = False
    cfg["config"]["safe_mode"] = False
    with pytest.raises(ValueError, match="safe_mode=False"):
        models.load_model(_archive(tmp_path / "k.keras", cfg))
    assert not marker.exists()
    assert saving.serialization.in_safe_mode() is None  # no scope leaked out of the loads


def test_cve_2025_9905_legacy_h5_files_respect_safe_mode(engine, tmp_path):
    """CVE-2025-9905: a model in the legacy HDF5 format (``.h5``) was loaded with
    ``safe_mode=True`` silently ignored, so a Lambda's bytecode in its ``model_config`` ran.
    kerasx reads legacy files through the same safe deserializer: the bytecode is refused."""
    marker = tmp_path / "pwned"
    cfg = _sequential(_lambda_layer(_bytecode_function(marker)))
    cfg.pop("module")
    with h5py.File(tmp_path / "m.h5", "w") as f:
        f.attrs["model_config"] = json.dumps(cfg)
        f.create_group("model_weights")
    with pytest.raises(ValueError, match="safe_mode=False"):
        models.load_model(tmp_path / "m.h5")
    assert not marker.exists()


# ----------------------------------------------------------------------------- other hardening


def test_registered_names_cannot_shadow_builtins_from_a_file(engine, tmp_path):
    model = kerasx.Sequential([kerasx.Input((2,)), layers.Dense(1)])
    model.save(tmp_path / "m.keras")
    with saving.custom_object_scope({"Dense": object}):  # a stray scope entry
        loaded = models.load_model(tmp_path / "m.keras")
    assert type(loaded.layers[0]) is layers.Dense


def test_huge_weights_in_config_are_refused_before_allocation(engine, tmp_path):
    """A tiny file whose config asks for an enormous Dense kernel fails before allocating."""
    dense = {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {"units": 2**30, "name": "huge"},
        "registered_name": None,
        "build_config": {"input_shape": [None, 2**20]},
    }
    path = _archive(tmp_path / "m.keras", _sequential(dense))
    with pytest.raises(ValueError, match="would allocate more than"):
        models.load_model(path)


def test_weights_linking_to_other_files_are_refused(engine, tmp_path):
    model = kerasx.Sequential([kerasx.Input((2,)), layers.Dense(2)])
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as f:
        f["data"] = np.ones((2, 2), "float32")
    with h5py.File(tmp_path / "evil.weights.h5", "w") as f:
        g = f.create_group("layers/dense/vars")
        g["0"] = h5py.ExternalLink(str(secret), "data")
        g["1"] = np.zeros((2,), "float32")
        f.create_group("vars")
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="link"):
        model.load_weights(tmp_path / "evil.weights.h5")
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with h5py.File(tmp_path / "ext.weights.h5", "w") as f:
        raw = tmp_path / "raw.bin"
        raw.write_bytes(np.ones(4, "float32").tobytes())
        g = f.create_group("layers/dense/vars")
        g.create_dataset("0", shape=(2, 2), dtype="float32", external=[(str(raw), 0, 16)])
        g["1"] = np.zeros((2,), "float32")
    with pytest.raises(ValueError, match="outside the file"):
        model.load_weights(tmp_path / "ext.weights.h5")


def test_non_numeric_weights_are_refused(engine, tmp_path):
    model = kerasx.Sequential([kerasx.Input((2,)), layers.Dense(2)])
    with h5py.File(tmp_path / "s.weights.h5", "w") as f:
        g = f.create_group("layers/dense/vars")
        g["0"] = np.array([[b"a", b"b"], [b"c", b"d"]])
        g["1"] = np.zeros((2,), "float32")
    with pytest.raises(ValueError, match="numeric dtype"):
        model.load_weights(tmp_path / "s.weights.h5")


def test_zip_member_larger_than_declared_or_deeply_nested_json(engine, tmp_path):
    nested = {"class_name": "Sequential", "config": {}}
    for _ in range(300):
        nested = {"a": nested}
    path = _archive(tmp_path / "deep.keras", nested)
    with pytest.raises(ValueError, match="nested more than"):
        models.load_model(path)

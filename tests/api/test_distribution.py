"""`kerasx.distribution`: meshes, layouts, layout maps, DataParallel / ModelParallel, checked
on the NumPy engine (one device) and on JAX with two host devices (in a subprocess, since JAX
fixes its device count at start), against Keras 3 where it is installed."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import distribution as D


@pytest.fixture(autouse=True)
def _no_distribution():
    config.set_backend("numpy")
    yield
    D.set_distribution(None)


def test_numpy_engine_has_one_device_and_layouts_are_checked():
    assert D.list_devices() == ["cpu:0"] and D.get_device_count() == 1
    mesh = D.DeviceMesh((1,), ["batch"])
    assert mesh.shape == (1,) and mesh.axis_names == ["batch"]
    assert mesh.devices.tolist() == ["cpu:0"]
    with pytest.raises(ValueError, match="Shape does not match the number of devices"):
        D.DeviceMesh((2,), ["batch"])
    with pytest.raises(ValueError, match="same size"):
        D.DeviceMesh((1,), ["batch", "model"])
    with pytest.raises(ValueError, match="Invalid axis names for Layout"):
        D.TensorLayout(("model",), mesh)
    with pytest.raises(ValueError, match="CPU only"):
        D.list_devices("gpu")


def test_layout_map_lookup_rules():
    mesh = D.DeviceMesh((1, 1), ["batch", "model"], ["cpu:0"])
    lm = D.LayoutMap(mesh)
    lm["dense/kernel"] = (None, "model")
    lm[".*bias"] = D.TensorLayout(("model",))
    lm["conv.*kernel"] = [None, None, None, "model"]
    lm["bias"] = ("model",)  # exact key: "bias" only
    assert lm["dense/kernel"].axes == (None, "model")  # exact key first
    assert lm["block/dense_1/bias"].axes == ("model",)  # a regex matching inside the path
    assert lm["conv2d/kernel"].device_mesh is mesh
    assert lm["embedding/embeddings"] is None
    assert lm["x/dense/kernel"] is None  # a pattern must match the whole path
    lm["dense.*"] = ("model",)
    with pytest.raises(ValueError, match="matches multiple layout specification keys"):
        lm["dense_2/bias"]
    with pytest.raises(ValueError, match="already exist"):
        lm["dense/kernel"] = (None, None)
    assert len(lm) == 5 and "dense/kernel" in list(lm)
    del lm["dense.*"]
    assert len(lm) == 4


def test_distributions_and_current_distribution():
    dp = D.DataParallel()
    assert dp.device_mesh.shape == (1,) and dp.batch_dim_name == "batch"
    assert dp.get_data_layout((8, 3)).axes == ("batch", None)
    v = kerasx.Variable(np.zeros((2, 3), "float32"))
    assert dp.get_variable_layout(v).axes == (None, None)
    assert dp.get_tensor_layout("dense/output") is None
    with pytest.raises(ValueError, match="layout_map"):
        D.ModelParallel(batch_dim_name="batch")
    assert D.distribution() is None
    with dp.scope():
        assert D.distribution() is dp
    assert D.distribution() is None
    D.set_distribution(dp)
    assert D.distribution() is dp
    with pytest.raises(ValueError, match="must be a Distribution"):
        D.set_distribution("dp")


def _fit(distribution=None):
    kerasx.utils.set_random_seed(1)
    if distribution is not None:
        D.set_distribution(distribution)
    model = kerasx.Sequential([kerasx.Input((3,)), kerasx.layers.Dense(4), kerasx.layers.Dense(1)])
    model.compile("adam", "mse")
    x = np.linspace(-1, 1, 48, dtype="float32").reshape(16, 3)
    model.fit(x, x.sum(1, keepdims=True), batch_size=8, epochs=2, verbose=0, shuffle=False)
    D.set_distribution(None)
    return model.get_weights()


def test_data_parallel_on_one_device_trains_as_without():
    for a, b in zip(_fit(D.DataParallel()), _fit()):
        np.testing.assert_array_equal(a, b)


_SCRIPT = r"""
import json, sys
import numpy as np
lib = sys.argv[1]
if lib == "kerasx":
    import kerasx as keras
    keras.config.set_backend("jax")
else:
    import keras
D = keras.distribution
out = {"devices": D.list_devices(), "count": D.get_device_count()}
mesh = D.DeviceMesh((2,), ["batch"], D.list_devices())
x = np.arange(16, dtype="float32").reshape(8, 2)
t = D.distribute_tensor(x, D.TensorLayout(("batch", None), mesh))
out["tensor_spec"] = str(t.sharding.spec)
out["tensor_shards"] = sorted(tuple(s.data.shape) for s in t.addressable_shards)

def fit(dist):
    keras.utils.set_random_seed(3)
    D.set_distribution(dist)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="d1"),
                              keras.layers.Dense(2, name="d2")])
    model.compile(keras.optimizers.SGD(0.1, momentum=0.5), "mse")
    xs = np.linspace(-1, 1, 48, dtype="float32").reshape(16, 3)
    ys = np.stack([xs.sum(1), xs[:, 0]], 1)
    model.fit(xs, ys, batch_size=8, epochs=2, verbose=0, shuffle=False)
    specs = {w.path: str(getattr(w.value.sharding, "spec", "single")) for w in model.weights}
    specs.update({"opt:" + v.name: str(getattr(v.value.sharding, "spec", "single"))
                  for v in model.optimizer.variables if "d1_kernel" in v.name})
    pred = model.predict(xs, batch_size=8, verbose=0)
    D.set_distribution(None)
    return [w.tolist() for w in model.get_weights()], specs, np.asarray(pred).tolist()

out["plain"] = fit(None)[0]
out["data_parallel"] = fit(D.DataParallel(devices=D.list_devices()))
mp_mesh = D.DeviceMesh((1, 2), ["batch", "model"], D.list_devices())
lm = D.LayoutMap(mp_mesh)
lm[".*d1/kernel"] = (None, "model")
lm[".*d1/bias"] = ("model",)
lm["d2/kernel"] = ("model", None)  # a whole-path match only: the model's path has a prefix
out["model_parallel"] = fit(D.ModelParallel(layout_map=lm, batch_dim_name="batch"))
lm2 = D.LayoutMap(mp_mesh)
lm2["d3/output"] = (None, "model")
D.set_distribution(D.ModelParallel(layout_map=lm2))
layer = keras.layers.Dense(4, name="d3")
y = layer(np.ones((8, 3), "float32"))
out["output_spec"] = [str(y.sharding.spec), str(layer(np.ones((8, 3), "float32")).sharding.spec)]
D.set_distribution(None)
print("@@" + json.dumps(out))
"""


def _run(lib):
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
        JAX_PLATFORMS="cpu",
        KERAS_BACKEND="jax",
        KERASX_BACKEND="jax",
    )
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, lib], capture_output=True, text=True, env=env, timeout=300
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1][2:])


@pytest.fixture(scope="module")
def two_devices():
    pytest.importorskip("jax")
    return _run("kerasx")


def test_two_jax_devices_split_data_and_weights(two_devices):
    out = two_devices
    assert out["devices"] == ["cpu:0", "cpu:1"] and out["count"] == 2
    assert out["tensor_spec"] == "P('batch', None)"
    assert out["tensor_shards"] == [[4, 2], [4, 2]]
    plain = out["plain"]
    for name in ("data_parallel", "model_parallel"):
        weights, specs, _ = out[name]
        for a, b in zip(weights, plain):
            np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-5, atol=1e-6)
    assert set(out["data_parallel"][1].values()) <= {
        "P()",
        "P(None,)",
        "P(None, None)",
    }
    mp_specs = {k.split("/", 1)[-1]: v for k, v in out["model_parallel"][1].items()}
    assert mp_specs["d1/kernel"] == "P(None, 'model')" and mp_specs["d1/bias"] == "P('model',)"
    assert mp_specs["d2/kernel"] == "P(None, None)"
    slots = [v for k, v in out["model_parallel"][1].items() if k.startswith("opt:")]
    assert slots == ["P(None, 'model')"]  # SGD's momentum slot is split like its weight
    assert out["output_spec"] == ["P(None, 'model')"] * 2  # a layer output's layout


def test_two_jax_devices_match_keras(two_devices):
    pytest.importorskip("keras")
    ref = _run("keras")
    assert two_devices["devices"] == ref["devices"]
    assert two_devices["tensor_spec"] == ref["tensor_spec"]
    for name in ("plain", "data_parallel", "model_parallel"):
        ours = two_devices[name] if name == "plain" else two_devices[name][0]
        theirs = ref[name] if name == "plain" else ref[name][0]
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-5, atol=1e-6)
    assert two_devices["model_parallel"][1] == ref["model_parallel"][1]
    assert two_devices["output_spec"] == ref["output_spec"]
    np.testing.assert_allclose(
        np.array(two_devices["data_parallel"][2]),
        np.array(ref["data_parallel"][2]),
        rtol=1e-5,
        atol=1e-6,
    )

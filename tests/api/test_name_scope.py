"""kerasx.name_scope and kerasx.device: variable paths and device placement."""

from __future__ import annotations

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.engine.discovery import installed_engines
from kerasx.engine.name_scope import current_path


def _paths(layer):
    return [w.path for w in layer.weights]


def _story(keras, current):
    """Every path the scopes produce, as a list (run with kerasx or with Keras)."""
    ns = keras.name_scope
    out = []
    with ns("outer"):
        out.append(keras.Variable(1.0, name="v").path)
        with ns("inner"):
            out.append(keras.Variable(1.0, name="w").path)
        with ns("outer"):
            out.append(keras.Variable(1.0, name="u").path)
        d = keras.layers.Dense(2, name="d1")
        d.build((None, 3))
        out += _paths(d)
    d2 = keras.layers.Dense(2, name="d2")
    with ns("s"):
        d2(np.ones((1, 3), "float32"))
    out += _paths(d2)
    with ns("a"), ns("b", override_parent="x"):
        out.append(keras.Variable(1.0, name="z").path)
        out.append(current())
    out.append(current())
    with ns(""):
        out.append(keras.Variable(1.0, name="e").path)
    with ns("o"), ns("o", caller=None):
        out.append(current())
    obj = object()
    with ns("c", caller=obj), ns("c", caller=obj):
        out.append(current())
    with ns("c", caller=obj), ns("c", caller=obj, deduplicate=False):
        out.append(current())
    scope = ns("k")
    scope.__enter__()
    out.append(current())
    scope.__exit__(None, None, None)
    out.append(current())
    with ns("top"):
        seq = keras.Sequential([keras.layers.Dense(2, name="d3")], name="seq")
        seq.build((None, 3))
    out += _paths(seq)
    inp = keras.Input((3,))
    with ns("fn"):
        y = keras.layers.Dense(2, name="dd")(inp)
    out += _paths(keras.Model(inp, y))
    with ns("dense"):  # a scope named like the layer inside it still nests
        d4 = keras.layers.Dense(2, name="dense")
        d4.build((None, 2))
    out += _paths(d4)
    return out


EXPECTED = [
    "outer/v",
    "outer/inner/w",
    "outer/outer/u",
    "outer/d1/kernel",
    "outer/d1/bias",
    "s/d2/kernel",
    "s/d2/bias",
    "x/b/z",
    "x/b",
    "",
    "e",
    "o/o",
    "c",
    "c/c",
    "k",
    "",
    "top/seq/d3/kernel",
    "top/seq/d3/bias",
    "fn/dd/kernel",
    "fn/dd/bias",
    "dense/dense/kernel",
    "dense/dense/bias",
]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def test_name_scope_paths(engine):
    assert _story(kerasx, current_path) == EXPECTED
    assert current_path() == ""


def test_name_scope_matches_keras():
    keras = pytest.importorskip("keras")
    from keras.src.backend.common.name_scope import current_path as keras_path

    assert _story(keras, keras_path) == EXPECTED


def test_layer_scopes_unchanged_without_user_scopes():
    class M(kerasx.Model):
        def __init__(self):
            super().__init__(name="m")
            self.d = kerasx.layers.Dense(2, name="inner")

        def call(self, x):
            return self.d(x)

    m = M()
    m(np.ones((1, 3), "float32"))
    assert _paths(m) == ["m/inner/kernel", "m/inner/bias"]


def test_name_scope_bad_input():
    for bad in ("a/b", 3, None):
        with pytest.raises(ValueError, match="`name` must be a string"):
            kerasx.name_scope(bad)
    with pytest.raises(ValueError, match="override_parent"):
        kerasx.name_scope("a", override_parent=3)
    with pytest.raises(RuntimeError), kerasx.name_scope("boom"):
        raise RuntimeError
    assert current_path() == ""  # an exception unwinds the scope


def test_device_numpy_accepts_names():
    config.set_backend("numpy")
    for name in ("cpu", "CPU:0", "gpu:0"):
        with kerasx.device(name):
            x = kerasx.ops.ones((2,))
        assert isinstance(x, np.ndarray)
    with pytest.raises(ValueError, match="device_name"), kerasx.device(3):
        pass


def test_device_jax_places_arrays():
    if "jax" not in installed_engines():
        pytest.skip("the JAX engine is not installed")
    import jax

    config.set_backend("jax")
    try:
        cpu = jax.devices("cpu")[0]
        for name in ("cpu", "CPU:0", cpu):
            with kerasx.device(name):
                x = kerasx.ops.ones((2,))
            assert x.devices() == {cpu}
        with (
            pytest.raises(ValueError, match="has 1 cpu device|cpu device"),
            kerasx.device("cpu:99"),
        ):
            pass
        with pytest.raises(ValueError, match="index"), kerasx.device("cpu:x"):
            pass
        with pytest.raises(ValueError, match="device_name"), kerasx.device(3):
            pass
        with pytest.raises(RuntimeError), kerasx.device("nosuchdevice"):
            pass
    finally:
        config.set_backend("numpy")


def test_device_jax_second_cpu_device(tmp_path):
    """With two host devices, ``device("cpu:1")`` places new arrays on the second one."""
    if "jax" not in installed_engines():
        pytest.skip("the JAX engine is not installed")
    import os
    import subprocess
    import sys

    code = (
        "import kerasx, jax\n"
        "with kerasx.device('cpu:1'):\n"
        "    x = kerasx.ops.ones((2,)) + 1\n"
        "y = kerasx.ops.ones((2,))\n"
        "print(sorted(d.id for d in x.devices()), sorted(d.id for d in y.devices()))\n"
    )
    env = dict(os.environ, KERASX_BACKEND="jax")
    env["XLA_FLAGS"] = env.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[-2] == "[1] [0]"

"""Models: Sequential, functional and subclassed; structure, summary, get_layer, errors.

`summary()` is compared with the exact text in ../shared/keras_api/output_conventions.md and
with real Keras 3 printing the same models (explicit names keep both sides deterministic).
"""

import re

import numpy as np
import pytest

import kerasx
from kerasx import config, layers, ops
from kerasx.engine.discovery import installed_engines

SUMMARY_784 = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 128)            │       100,480 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │         1,290 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 101,770 (397.54 KB)
 Trainable params: 101,770 (397.54 KB)
 Non-trainable params: 0 (0.00 B)
"""


def _keras_weights(keras, model):
    return [np.array(w.value) for w in model.weights]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    kerasx.backend.clear_session()
    yield request.param
    config.set_backend("numpy")


def _mnist_mlp(keras):
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def test_summary_matches_the_documented_output(engine, capsys):
    model = _mnist_mlp(kerasx)
    model.summary()
    assert capsys.readouterr().out == SUMMARY_784
    assert model.count_params() == 101_770


def test_summary_after_fit_counts_the_optimizer(engine, capsys):
    model = _mnist_mlp(kerasx)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((4, 784), "float32"), np.zeros(4, "int32"), verbose=0)
    model.summary()
    tail = capsys.readouterr().out.splitlines()[-4:]
    assert tail == [
        " Total params: 305,312 (1.16 MB)",
        " Trainable params: 101,770 (397.54 KB)",
        " Non-trainable params: 0 (0.00 B)",
        " Optimizer params: 203,542 (795.09 KB)",
    ]


def _models_for_summary(keras):
    L = keras.layers
    inp = keras.Input((784,), name="pixels")
    a = L.Dense(64, activation="relu", name="left")(inp)
    b = L.Dense(64, name="right")(inp)
    out = L.Dense(10, name="head")(L.Add(name="join")([a, b]))
    branchy = keras.Model(inp, out, name="branchy")
    unbuilt = keras.Sequential([L.Dense(3, name="d1"), L.Dense(2, name="d2")], name="unbuilt")
    inner = keras.Sequential(
        [keras.Input((4,)), L.Dense(3, name="i1"), L.Dropout(0.1, name="drop")], name="inner"
    )
    x = keras.Input((4,), name="x")
    nested = keras.Model(x, L.Dense(1, name="o")(inner(x)), name="nested")
    frozen = keras.Sequential(
        [keras.Input((4,)), L.Dense(3, name="f1"), L.Dense(2, name="f2")], name="frozen"
    )
    frozen.layers[0].trainable = False
    return [branchy, unbuilt, nested, frozen]


def test_summary_matches_keras_for_graphs_unbuilt_nested_and_frozen(engine, capsys):
    keras = pytest.importorskip("keras")
    for ours, theirs in zip(_models_for_summary(kerasx), _models_for_summary(keras)):
        theirs.summary()
        want = capsys.readouterr().out
        ours.summary()
        got = capsys.readouterr().out
        # Keras names its InputLayers from a global counter; compare the rest exactly.
        want = want.replace("input_layer_1 (InputLayer)", "input_layer (InputLayer)")
        got = got.replace("input_layer_1 (InputLayer)", "input_layer (InputLayer)")
        assert got == want, f"{ours.name}:\n{got}\n---- keras:\n{want}"


def test_sequential_deferred_build_add_pop(engine):
    model = kerasx.Sequential(name="seq")
    model.add(layers.Dense(4))
    model.add(layers.Dense(2))
    assert not model.built
    y = model(np.ones((3, 5), "float32"))
    assert tuple(y.shape) == (3, 2) and model.built
    assert [tuple(w.shape) for w in model.weights] == [(5, 4), (4,), (4, 2), (2,)]
    assert model.input_shape == (None, 5) and model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.name.startswith("dense") and len(model.layers) == 1
    assert tuple(model(np.ones((3, 5), "float32")).shape) == (3, 4)
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(1, name=model.layers[0].name))
    with pytest.raises(ValueError, match="Only instances of"):
        model.add("dense")


def test_functional_multi_io_shared_layers_and_nesting(engine):
    a = kerasx.Input((3,), name="a")
    b = kerasx.Input((3,), name="b")
    shared = layers.Dense(2, name="shared")
    sa, sb = shared(a), shared(b)
    out1 = layers.Add(name="sum")([sa, sb])
    out2 = layers.Dense(1, name="score")(layers.Concatenate(name="cat")([sa, sb]))
    model = kerasx.Model(inputs=[a, b], outputs={"sum": out1, "score": out2}, name="two")
    xa = np.arange(6, dtype="float32").reshape(2, 3)
    xb = np.ones((2, 3), "float32")
    res = model([xa, xb])
    w, bias = shared.get_weights()
    np.testing.assert_allclose(
        ops.convert_to_numpy(res["sum"]), xa @ w + xb @ w + 2 * bias, rtol=1e-5
    )
    assert model.get_layer("shared") is shared
    assert model.get_layer(index=0).name == "a"
    # Keras's order: by depth, ties by a walk from the outputs (flattened: "score" first)
    assert [la.name for la in model.layers] == ["a", "b", "shared", "cat", "score", "sum"]
    assert len(model.weights) == 4
    # The model is itself a layer in another model.
    c = kerasx.Input((3,), name="c")
    outer = kerasx.Model(c, model([c, c])["score"])
    assert tuple(outer(xa).shape) == (2, 1)
    with pytest.raises(ValueError, match="No such layer"):
        model.get_layer("nope")


def test_ops_on_symbolic_tensors_join_the_graph(engine):
    x = kerasx.Input((4,))
    y = ops.relu(layers.Dense(3)(x)) * 2.0 + 1.0
    model = kerasx.Model(x, y)
    data = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    w, b = model.layers[1].get_weights()
    np.testing.assert_allclose(
        ops.convert_to_numpy(model(data)), np.maximum(data @ w + b, 0) * 2 + 1, rtol=1e-5
    )


def test_graph_disconnected_is_a_clear_error(engine):
    a = kerasx.Input((2,))
    b = kerasx.Input((2,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        kerasx.Model(a, out)


def test_wrong_input_shape_raises_valueerror_naming_shapes(engine):
    model = _mnist_mlp(kerasx)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 784\), found shape=\(2, 5\)"):
        model(np.ones((2, 5), "float32"))


def test_subclassed_model_tracks_layers_and_matches_keras(engine):
    keras = pytest.importorskip("keras")

    def make(k):
        class Net(k.Model):
            def __init__(self):
                super().__init__(name="net")
                self.blocks = [k.layers.Dense(4, activation="tanh"), k.layers.Dense(3)]
                self.head = k.layers.Dense(1)

            def call(self, x, training=False):
                for block in self.blocks:
                    x = block(x)
                return self.head(x)

        return Net()

    ours, theirs = make(kerasx), make(keras)
    x = np.random.default_rng(1).normal(size=(6, 5)).astype("float32")
    ours(x)
    theirs(x)

    def paths(m):
        return [re.sub(r"dense(_\d+)?", "dense", w.path) for w in m.weights]

    assert paths(ours) == paths(theirs)
    ours.set_weights(_keras_weights(keras, theirs))
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6
    )
    assert len(ours.layers) == 3


def test_functional_parity_with_keras(engine):
    keras = pytest.importorskip("keras")

    def make(k):
        inp = k.Input((6,))
        h = k.layers.Dense(8, activation="gelu")(inp)
        h2 = k.layers.Dense(8, activation="sigmoid")(inp)
        merged = k.layers.Multiply()([h, h2])
        return k.Model(inp, k.layers.Dense(2, activation="softmax")(merged))

    ours, theirs = make(kerasx), make(keras)
    ours.set_weights(_keras_weights(keras, theirs))
    x = np.random.default_rng(2).normal(size=(7, 6)).astype("float32")
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_stateless_call_on_a_model(engine):
    model = _mnist_mlp(kerasx)
    tv = [np.zeros(v.shape, "float32") for v in model.trainable_variables]
    out, ntv = model.stateless_call(tv, [], np.ones((2, 784), "float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(out), np.full((2, 10), 0.1), rtol=1e-6)
    assert model.get_weights()[0].any()


def test_first_layer_input_shape_builds_sequential_at_once(engine, capsys):
    with pytest.warns(UserWarning, match="Do not pass an `input_shape`"):
        model = kerasx.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    assert model.built and model.input_shape == (None, 3)
    model.summary()
    out = capsys.readouterr().out
    assert "(None, 4)" in out and "unbuilt" not in out


def test_subclassed_build_from_shape(engine):
    class Net(kerasx.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(3)

        def call(self, x):
            return self.d(x)

    net = Net()
    net.build((None, 5))
    assert net.built and [tuple(w.shape) for w in net.weights] == [(5, 3), (3,)]
    with pytest.raises(ValueError, match="input_shape"):
        Net().build()

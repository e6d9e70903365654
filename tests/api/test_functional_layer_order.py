"""A functional model lists its layers (and so its weights) in Keras's order: by decreasing
depth, ties broken by a depth-first walk from the outputs. Checked against Keras 3 on
branching graphs, where it differs from the call order."""

import numpy as np
import pytest

import kerasx

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _graphs(k):
    L = k.layers
    out = {}

    x = k.Input((8,), name="x")
    s = L.Dense(4, name="shortcut")(x)  # called first, but shallower than the main branch
    a = L.Dense(4, name="a1")(x)
    a = L.Dense(4, name="a2")(a)
    out["residual"] = k.Model(x, L.Add(name="add")([a, s]))

    x = k.Input((6,), name="x")
    b1 = L.Dense(3, name="b1")(x)
    b2 = L.Dense(3, name="b2b")(L.Dense(5, name="b2a")(x))
    b3 = L.Dense(3, name="b3c")(L.Dense(5, name="b3b")(L.Dense(5, name="b3a")(x)))
    pool = L.Dense(3, name="b4")(L.Activation("relu", name="b4a")(x))
    out["inception"] = k.Model(x, L.Concatenate(name="cat")([b1, b2, b3, pool]))

    u = k.Input((3,), name="u")
    v = k.Input((2,), name="v")
    h = L.Dense(4, name="h2")(L.Dense(4, name="h1")(u))
    w = L.Dense(4, name="w1")(v)
    merged = L.Concatenate(name="m")([h, w])
    out["two_inputs_two_outputs"] = k.Model(
        [u, v], [L.Dense(1, name="o1")(merged), L.Dense(2, name="o2")(h)]
    )

    x = k.Input((4,), name="x")
    shared = L.Dense(4, name="shared")
    y = shared(L.Dense(4, name="pre")(shared(x)))
    out["shared"] = k.Model(x, L.Dense(1, name="head")(L.Add(name="s_add")([y, x])))

    inner_in = k.Input((4,), name="inner_in")
    inner = k.Model(inner_in, L.Dense(4, name="inner_d")(inner_in), name="inner")
    x = k.Input((4,), name="x")
    z = L.Add(name="n_add")([inner(L.Dense(4, name="n_pre")(x)), L.Dense(4, name="n_side")(x)])
    out["nested"] = k.Model(x, z)
    return out


def _describe(model):
    return [layer.name for layer in model.layers], [tuple(w.shape) for w in model.weights]


def test_layer_order_matches_keras():
    keras = pytest.importorskip("keras")
    ours, theirs = _graphs(kerasx), _graphs(keras)
    for name in ours:
        assert _describe(ours[name]) == _describe(theirs[name]), name


def test_weights_move_between_branching_models_by_position():
    keras = pytest.importorskip("keras")
    ours, theirs = _graphs(kerasx)["inception"], _graphs(keras)["inception"]
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") for w in theirs.weights])
    ours.set_weights(theirs.get_weights())
    x = rng.normal(size=(5, 6)).astype("float32")
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)


def test_residual_order_without_keras():
    model = _graphs(kerasx)["residual"]
    # the shortcut is one layer deep, the main branch two: deeper layers come first
    assert [layer.name for layer in model.layers] == ["x", "a1", "a2", "shortcut", "add"]

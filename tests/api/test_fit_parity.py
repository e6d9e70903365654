"""`fit`/`evaluate`/`predict` give Keras 3's numbers: same weights, data and settings in, same
history, final weights and predictions out, on every engine.

Keras's NumPy backend cannot train, so the reference runs real Keras 3 on its JAX backend in
a subprocess (skipped when Keras or JAX is missing).
"""

import textwrap

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.engine.discovery import installed_engines

pytest.importorskip("keras")
pytest.importorskip("jax")

RNG = np.random.default_rng(7)
X = RNG.normal(size=(40, 4)).astype("float32")
Y = RNG.integers(0, 3, size=(40,)).astype("int32")
Y2 = RNG.normal(size=(40, 1)).astype("float32")
SW = RNG.uniform(0.5, 1.5, size=(40,)).astype("float32")

# Each case: the model-building code and the compile/fit/evaluate calls, run verbatim by
# Keras (as `keras`) and by kerasx (as `keras`).
CASES = {
    "sequential_adam": """
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                                  keras.layers.Dense(3, activation="softmax")])
        model.set_weights(W)
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        hist = model.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                         validation_split=0.25)
        ev = model.evaluate(X, Y, batch_size=16, verbose=0)
        pred = model.predict(X[:6], verbose=0)
    """,
    "functional_two_outputs_sgd": """
        inp = keras.Input((4,), name="inp")
        h = keras.layers.Dense(5, activation="tanh", name="hidden")(inp)
        cls = keras.layers.Dense(3, activation="softmax", name="cls")(h)
        reg = keras.layers.Dense(1, name="reg")(h)
        model = keras.Model(inp, {"cls": cls, "reg": reg})
        model.set_weights(W)
        model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                      loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                      loss_weights={"cls": 1.0, "reg": 0.5},
                      metrics={"cls": ["accuracy"], "reg": ["mae"]})
        hist = model.fit(X, {"cls": Y, "reg": Y2}, batch_size=10, epochs=2, shuffle=False,
                         verbose=0, sample_weight=SW)
        ev = model.evaluate(X, {"cls": Y, "reg": Y2}, verbose=0)
        pred = model.predict(X[:6], verbose=0)
    """,
    "subclassed_rmsprop_l2": """
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(6, activation="relu",
                                             kernel_regularizer=keras.regularizers.L2(0.01))
                self.d2 = keras.layers.Dense(1)
            def call(self, x):
                return self.d2(self.d1(x))
        model = Net()
        model(X[:2])
        model.set_weights(W)
        model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="mse",
                      metrics=["mae", "mse"])
        hist = model.fit(X, Y2, batch_size=16, epochs=2, shuffle=False, verbose=0)
        ev = model.evaluate(X, Y2, verbose=0)
        pred = model.predict(X[:6], verbose=0)
    """,
}

WEIGHT_SHAPES = {
    "sequential_adam": [(4, 5), (5,), (5, 3), (3,)],
    "functional_two_outputs_sgd": [(4, 5), (5,), (5, 3), (3,), (5, 1), (1,)],
    "subclassed_rmsprop_l2": [(4, 6), (6,), (6, 1), (1,)],
}


def _weights(case):
    rng = np.random.default_rng(len(case))
    return [rng.uniform(-0.5, 0.5, size=s).astype("float32") for s in WEIGHT_SHAPES[case]]


def _run(keras, case):
    scope = {"keras": keras, "W": _weights(case), "X": X, "Y": Y, "Y2": Y2, "SW": SW}
    exec(textwrap.dedent(CASES[case]), scope)
    ev = scope["ev"]
    ev = [float(v) for v in ev] if isinstance(ev, list) else [float(ev)]
    pred = scope["pred"]
    pred = (
        {k: np.asarray(v).tolist() for k, v in pred.items()}
        if isinstance(pred, dict)
        else (np.asarray(pred).tolist())
    )
    return {
        "history": {k: [float(v) for v in vs] for k, vs in scope["hist"].history.items()},
        "weights": [np.asarray(w).tolist() for w in scope["model"].get_weights()],
        "evaluate": ev,
        "predict": pred,
    }


@pytest.fixture(scope="module")
def reference():
    from keras_reference import keras_jax_reference

    return keras_jax_reference("test_fit_parity")


@pytest.mark.parametrize("engine", installed_engines())
@pytest.mark.parametrize("case", list(CASES))
def test_fit_matches_keras(reference, engine, case):
    want = reference[case]
    config.set_backend(engine)
    try:
        kerasx.backend.clear_session()
        got = _run(kerasx, case)
    finally:
        config.set_backend("numpy")
    assert list(got["history"]) == list(want["history"])
    for key in want["history"]:
        np.testing.assert_allclose(
            got["history"][key], want["history"][key], rtol=2e-5, atol=1e-6, err_msg=key
        )
    for g, w in zip(got["weights"], want["weights"]):
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(got["evaluate"], want["evaluate"], rtol=2e-5, atol=1e-6)
    if isinstance(want["predict"], dict):
        assert sorted(got["predict"]) == sorted(want["predict"])
        for k in want["predict"]:
            np.testing.assert_allclose(got["predict"][k], want["predict"][k], rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(got["predict"], want["predict"], rtol=1e-5, atol=1e-6)

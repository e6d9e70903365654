"""Files move both ways between Keras 3 and kerasx.

Keras 3 -> kerasx uses the files in tests/data/keras_files/ (written by
tools/make_keras_fixtures.py with Keras 3.15.1), so it needs no Keras. kerasx -> Keras 3 runs
when Keras is installed.
"""

import pathlib
import warnings

import numpy as np
import pytest

import kerasx
from kerasx import config, layers, models
from kerasx.engine.discovery import installed_engines

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "keras_files"
EXPECTED = np.load(DATA / "expected.npz")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def test_keras_trained_model_loads_predicts_and_trains_on_like_keras(engine):
    model = models.load_model(DATA / "mlp_trained.keras")
    assert type(model) is kerasx.Sequential and model.name == "mlp"
    x, y = EXPECTED["mlp_x"], EXPECTED["mlp_y"]
    np.testing.assert_allclose(model.predict(x, verbose=0), EXPECTED["mlp_pred"], atol=1e-6)
    assert model.optimizer.__class__.__name__ == "Adam"
    assert int(np.asarray(model.optimizer.iterations.numpy())) == 2
    # The restored Adam state continues the run exactly as Keras did.
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"], EXPECTED["mlp_next_loss"], rtol=1e-5)
    np.testing.assert_allclose(model.predict(x, verbose=0), EXPECTED["mlp_next_pred"], atol=1e-5)


def test_keras_weights_file_loads(engine):
    model = kerasx.Sequential(
        [kerasx.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(3, "softmax")]
    )
    model.load_weights(DATA / "mlp_trained.weights.h5")
    np.testing.assert_allclose(
        model.predict(EXPECTED["mlp_x"], verbose=0), EXPECTED["mlp_pred"], atol=1e-6
    )


def test_keras_functional_model_loads(engine):
    model = models.load_model(DATA / "functional.keras")
    assert model.name == "two_in_two_out"
    p1, p2 = model.predict([EXPECTED["fn_a"], EXPECTED["fn_b"]], verbose=0)
    np.testing.assert_allclose(p1, EXPECTED["fn_pred1"], atol=1e-6)
    np.testing.assert_allclose(p2, EXPECTED["fn_pred2"], atol=1e-6)


def test_keras_cnn_loads(engine):
    model = models.load_model(DATA / "cnn.keras")
    np.testing.assert_allclose(
        model.predict(EXPECTED["cnn_x"], verbose=0), EXPECTED["cnn_pred"], atol=1e-5
    )


def test_keras_legacy_h5_model_loads(engine):
    model = models.load_model(DATA / "legacy.h5")
    np.testing.assert_allclose(
        model.predict(EXPECTED["mlp_x"], verbose=0), EXPECTED["legacy_pred"], atol=1e-6
    )


def test_keras_lambda_needs_safe_mode_off(engine):
    with pytest.raises(ValueError, match="safe_mode=False"):
        models.load_model(DATA / "lambda.keras")
    model = models.load_model(DATA / "lambda.keras", safe_mode=False)
    np.testing.assert_allclose(model.predict(np.ones((1, 2), "float32"), verbose=0), [[2, 2]])


# ----------------------------------------------------------------------------- kerasx -> Keras


def _keras():
    keras = pytest.importorskip("keras")
    return keras


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_kerasx_files_load_in_keras(engine, tmp_path):
    keras = _keras()
    rng = np.random.default_rng(0)
    x = rng.random((8, 4)).astype("float32")
    y = rng.integers(0, 3, 8)
    mlp = kerasx.Sequential(
        [kerasx.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(3, "softmax")]
    )
    mlp.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    mlp.fit(x, y, batch_size=4, epochs=1, verbose=0)
    mlp.save(tmp_path / "mlp.keras")
    mlp.save_weights(tmp_path / "mlp.weights.h5")

    a, b = kerasx.Input((4,), name="a"), kerasx.Input((4,), name="b")
    shared = layers.Dense(3, name="shared")
    s = layers.Add()([shared(a), shared(b)])
    out = layers.Dense(2)(layers.Concatenate()([s, shared(a)]))
    fn = kerasx.Model([a, b], [out, s])
    fn.save(tmp_path / "fn.keras")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k_mlp = keras.saving.load_model(tmp_path / "mlp.keras")
        k_fn = keras.saving.load_model(tmp_path / "fn.keras")
    np.testing.assert_allclose(
        np.asarray(k_mlp.predict(x, verbose=0)), mlp.predict(x, verbose=0), atol=1e-6
    )
    assert k_mlp.optimizer.__class__.__name__ == "Adam"
    assert int(np.asarray(k_mlp.optimizer.iterations)) == 2
    for kp, xp in zip(k_fn.predict([x, x * 2], verbose=0), fn.predict([x, x * 2], verbose=0)):
        np.testing.assert_allclose(np.asarray(kp), xp, atol=1e-6)
    k_model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, "softmax"),
        ]
    )
    k_model.load_weights(tmp_path / "mlp.weights.h5")
    np.testing.assert_allclose(
        np.asarray(k_model.predict(x, verbose=0)), mlp.predict(x, verbose=0), atol=1e-6
    )


def test_kerasx_config_json_is_keras_loadable(engine):
    keras = _keras()
    model = kerasx.Sequential([kerasx.Input((3,)), layers.Dense(2, activation="tanh")])
    k_model = keras.models.model_from_json(model.to_json())
    assert [la.__class__.__name__ for la in k_model.layers] == ["Dense"]
    assert k_model.layers[0].get_config()["activation"] == "tanh"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_group_query_attention_files_move_both_ways(engine, tmp_path):
    """kerasx's GroupQueryAttention is Keras's GroupedQueryAttention: weight files agree."""
    keras = _keras()
    x = np.random.default_rng(0).normal(size=(2, 4, 8)).astype("float32")
    inp = kerasx.Input((4, 8))
    gqa = layers.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)
    model = kerasx.Model(inp, gqa(inp, inp))
    model.save(tmp_path / "ours.keras")
    theirs = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(theirs(x)), np.asarray(model(x)), atol=1e-5)
    theirs.save(tmp_path / "theirs.keras")
    back = models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(np.asarray(back(x)), np.asarray(theirs(x)), atol=1e-5)

"""kerasx.remat and kerasx.RematScope: the same numbers, and on JAX a checkpointed gradient for
exactly the layers each mode selects."""

from __future__ import annotations

import numpy as np
import pytest

import kerasx
from kerasx import config, layers
from kerasx.engine.discovery import installed_engines


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


@pytest.fixture
def jax_engine():
    if "jax" not in installed_engines():
        pytest.skip("the JAX engine is not installed")
    config.set_backend("jax")
    yield
    config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


def test_remat_function_same_values_and_gradients(engine):
    def f(x, scale, flag=True):
        y = kerasx.ops.sin(x) * scale
        return kerasx.ops.tanh(y) if flag else y

    g = kerasx.remat(f)
    x = np.linspace(-1.0, 1.0, 5).astype("float32")
    np.testing.assert_allclose(_np(g(x, 2.0, flag=False)), _np(f(x, 2.0, flag=False)), rtol=1e-6)

    def loss(fn):
        return lambda x: kerasx.ops.sum(fn(x, 3.0, flag=True))

    v1, g1 = kerasx.value_and_grad(loss(f))(x)
    v2, g2 = kerasx.value_and_grad(loss(g))(x)
    np.testing.assert_allclose(_np(v2), _np(v1), rtol=1e-6)
    np.testing.assert_allclose(_np(g2), _np(g1), rtol=1e-6)
    with pytest.raises(TypeError, match="callable"):
        kerasx.remat(3)
    # a Variable argument is checkpointed as its value
    v = kerasx.Variable(np.full(5, 0.5, "float32"))
    np.testing.assert_allclose(_np(g(v, 2.0)), _np(f(v.value, 2.0)), rtol=1e-6)


def test_remat_checkpoints_on_jax(jax_engine):
    import jax

    g = kerasx.remat(lambda x, flag: kerasx.ops.sin(x) * (2.0 if flag else 1.0))
    text = str(jax.make_jaxpr(jax.grad(lambda x: g(x, True).sum()))(np.ones(3, "float32")))
    assert "remat" in text or "checkpoint" in text


def _checkpointed(layer, x):
    """Whether the gradient of the layer's output goes through a checkpoint (JAX)."""
    import jax

    layer.build(x.shape)
    weights = [v.value for v in layer.trainable_variables]

    def f(weights, x):
        out, _ = layer.stateless_call(weights, [], x)
        return out.sum()

    text = str(jax.make_jaxpr(jax.grad(f))(weights, x))
    return "remat" in text or "checkpoint" in text


def test_scope_modes_select_layers(jax_engine):
    x = np.ones((2, 4), "float32")  # a Dense(3) output holds 2 x 3 = 6 values
    for threshold, expected in [(2, True), (5, True), (6, False), (7, False)]:
        with kerasx.RematScope(mode="larger_than", output_size_threshold=threshold):
            layer = layers.Dense(3)
        assert _checkpointed(layer, x) is expected, threshold
    with kerasx.RematScope(mode="activations"):
        relu, linear = layers.Dense(3, activation="relu"), layers.Dense(3)
        plain = layers.Identity()  # no activation attribute
    assert _checkpointed(relu, x) and _checkpointed(linear, x)
    assert not _checkpointed(plain, x)
    with kerasx.RematScope(mode="list_of_layers", layer_names=["g1"]):
        g1, g2 = layers.Dense(3, name="g1"), layers.Dense(3, name="g2")
    assert _checkpointed(g1, x) and not _checkpointed(g2, x)
    with kerasx.RematScope(mode="full"):
        full = layers.Dense(3)
        with kerasx.RematScope(mode=None):
            off = layers.Dense(3)
        again = layers.Dense(3)  # the outer scope is back
    outside = layers.Dense(3)  # created outside any scope
    assert _checkpointed(full, x) and _checkpointed(again, x)
    assert not _checkpointed(off, x) and not _checkpointed(outside, x)
    # the scope in effect at creation counts, not the one at call time
    late = layers.Dense(3)
    with kerasx.RematScope(mode="full"):
        assert not _checkpointed(late, x)


def _fit_weights(scope_mode):
    kerasx.utils.set_random_seed(3)
    with kerasx.RematScope(mode=scope_mode):
        model = kerasx.Sequential(
            [
                kerasx.Input((6,)),
                layers.Dense(8, activation="relu"),
                layers.BatchNormalization(),
                layers.Dropout(0.3, seed=1),
                layers.Dense(3, activation="softmax"),
            ]
        )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.integers(0, 3, 64)
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    eager = _np(model(x[:4], training=True))  # an eager call outside fit (seed state moves)
    return model.get_weights(), history.history["loss"], eager


def test_fit_under_remat_scope_matches_plain_training(engine):
    # Dropout's seed state and BatchNormalization's moving statistics are assigned inside the
    # rematerialized calls: the assignments must come out of the checkpoint.
    w_plain, loss_plain, eager_plain = _fit_weights(None)
    w_remat, loss_remat, eager_remat = _fit_weights("full")
    np.testing.assert_allclose(loss_remat, loss_plain, rtol=1e-6)
    for a, b in zip(w_remat, w_plain):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(eager_remat, eager_plain, rtol=1e-5, atol=1e-7)


def test_scope_bad_input():
    with pytest.raises(ValueError, match="Invalid mode 'bogus'"):
        kerasx.RematScope(mode="bogus")
    with pytest.raises(ValueError, match="output_size_threshold"):
        kerasx.RematScope(mode="larger_than", output_size_threshold="big")
    with pytest.raises(ValueError, match="layer_names"):
        kerasx.RematScope(mode="list_of_layers", layer_names="dense")

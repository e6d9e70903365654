"""`train_on_batch` / `test_on_batch` on an LSTM model: the direct one-batch path gives what
`fit` / `evaluate` give on the same batch, on every engine, and falls back cleanly."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers
from kerasx.engine.discovery import installed_engines

RNG = np.random.default_rng(11)
X = RNG.normal(size=(6, 5, 3)).astype("float32")
Y = RNG.normal(size=(6, 1)).astype("float32")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _model(weights=None, metrics=None, cls=kerasx.Sequential):
    model = cls([kerasx.Input((5, 3)), layers.LSTM(4), layers.Dense(1)])
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=kerasx.optimizers.Adam(1e-2), loss="mse", metrics=metrics)
    return model


def test_train_on_batch_equals_fit_on_one_batch(engine):
    a = _model(metrics=["mae"])
    b = _model(a.get_weights(), metrics=["mae"])
    got = a.train_on_batch(X, Y)
    hist = b.fit(X, Y, batch_size=len(X), shuffle=False, verbose=0).history
    assert isinstance(got, list) and len(got) == 2
    np.testing.assert_allclose(got, [hist["loss"][-1], hist["mae"][-1]], rtol=1e-6)
    for _ in range(2):
        logs = a.train_on_batch(X, Y, return_dict=True)
    b.fit(X, Y, batch_size=len(X), epochs=2, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)
    # the metrics accumulate over calls (as in Keras) until reset
    assert sorted(logs) == ["loss", "mae"] and all(isinstance(v, float) for v in logs.values())
    a.reset_metrics()
    c = _model(a.get_weights(), metrics=["mae"])
    c.optimizer.build(c.trainable_variables)
    for vc, va in zip(c.optimizer.variables, a.optimizer.variables):
        vc.assign(va.value)
    hist = c.fit(X, Y, batch_size=len(X), shuffle=False, verbose=0).history
    np.testing.assert_allclose(a.train_on_batch(X, Y), [hist["loss"][0], hist["mae"][0]], rtol=1e-6)


def test_test_on_batch_equals_evaluate(engine):
    model = _model(metrics=["mae"])
    model.train_on_batch(X, Y)
    got = model.test_on_batch(X, Y)
    want = model.evaluate(X, Y, batch_size=len(X), verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    # float64 data is cast to floatx, as the data adapter does
    np.testing.assert_allclose(model.test_on_batch(X.astype("float64"), Y), got, rtol=1e-6)


def test_general_path_cases_agree(engine):
    """Sample weights take the direct path; class weights and nested inputs the general one."""
    a = _model()
    b = _model(a.get_weights())
    sw = np.linspace(0.5, 1.5, len(X)).astype("float32")
    la = a.train_on_batch(X, Y, sample_weight=sw)
    lb = b.fit(X, Y, sample_weight=sw, batch_size=len(X), shuffle=False, verbose=0)
    np.testing.assert_allclose(la, lb.history["loss"][-1], rtol=1e-6)
    labels = (Y > 0).astype("int32")
    assert np.isfinite(a.train_on_batch(X, labels, class_weight={0: 1.0, 1: 2.0}))
    assert np.isfinite(a.train_on_batch([X], Y))
    with pytest.raises(ValueError):
        a.train_on_batch(X, Y[:3])


def test_held_values_stay_valid_and_custom_steps_report_metrics(engine):
    model = _model()
    kernel = model.layers[0].cell.kernel
    before = kernel.value
    snapshot = np.array(kerasx.ops.convert_to_numpy(before))
    model.train_on_batch(X, Y)
    # the step does not donate the variables' buffers: a value read before it stays valid
    np.testing.assert_array_equal(kerasx.ops.convert_to_numpy(before), snapshot)
    assert not np.array_equal(kerasx.ops.convert_to_numpy(kernel.value), snapshot)

    class Custom(kerasx.Sequential):
        def train_step(self, data):
            super().train_step(data)
            return {"anything": 1.0}

    custom = _model(model.get_weights(), cls=Custom)
    out = custom.train_on_batch(X, Y, return_dict=True)
    assert set(out) == {"loss"}  # the model's metrics, as on the general path

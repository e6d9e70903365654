"""A model that overrides `compute_loss` trains without a compiled loss, and metrics it updates
there reach the logs (on every engine, compiled or eager)."""

from __future__ import annotations

import numpy as np
import pytest

import kerasx
from kerasx import config, ops
from kerasx.engine.discovery import installed_engines


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


class _Model(kerasx.Model):
    def __init__(self):
        super().__init__()
        self.dense = kerasx.layers.Dense(1, kernel_initializer="ones")
        self.tracker = kerasx.metrics.Mean(name="custom")

    def call(self, x):
        return self.dense(x)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = ops.mean(ops.square(y - y_pred))
        self.tracker.update_state(loss)
        return loss


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_metric_updated_in_compute_loss_is_logged(engine, run_eagerly):
    model = _Model()
    model.compile(optimizer="sgd", run_eagerly=run_eagerly)  # no loss: compute_loss gives it
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = 2 * x[:, :1]
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    # the tracker averages the same batch losses as the built-in loss tracker
    np.testing.assert_allclose(history.history["custom"], history.history["loss"], rtol=1e-6)
    assert history.history["loss"][1] < history.history["loss"][0]
    # the first epoch's mean loss, recomputed by hand from the initial weights (all ones)
    w = np.ones((3, 1), "float32")
    b = np.zeros(1, "float32")
    losses = []
    for i in range(0, 32, 8):
        pred = x[i : i + 8] @ w + b
        err = pred - y[i : i + 8]
        losses.append(np.mean(err**2))
        grad = 2 * err / err.size
        w = w - 0.01 * x[i : i + 8].T @ grad
        b = b - 0.01 * grad.sum(0)
    np.testing.assert_allclose(history.history["loss"][0], np.mean(losses), rtol=1e-5)


def test_evaluate_list_follows_the_metrics_order(engine):
    # Keras: the loss, the compiled metrics, then the model's own metrics in `metrics` order
    class Two(kerasx.Model):
        def __init__(self):
            super().__init__()
            self.dense = kerasx.layers.Dense(1)
            self.zeta = kerasx.metrics.Mean(name="zeta")
            self.alpha = kerasx.metrics.Mean(name="alpha")

        def call(self, x):
            return self.dense(x)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            loss = ops.mean(ops.square(y - y_pred))
            self.zeta.update_state(3 * loss)
            self.alpha.update_state(2 * loss)
            return loss

    model = Two()
    model.compile(optimizer="sgd", metrics=["mae"])
    x = np.ones((8, 3), "float32")
    y = np.ones((8, 1), "float32")
    model.fit(x, y, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    listed = model.evaluate(x, y, verbose=0)
    expected = [logs["loss"], logs["mae"], logs["zeta"], logs["alpha"]]
    np.testing.assert_allclose(listed, expected, rtol=1e-6)
    assert [m.name for m in model.metrics][2:] == ["zeta", "alpha"]

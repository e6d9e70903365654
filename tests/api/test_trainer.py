"""The trainer's behaviour beyond the numbers: errors before training, custom steps, single
batches, steps_per_execution, data kinds, and weights never left half-updated."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers, ops
from kerasx.engine.discovery import installed_engines

RNG = np.random.default_rng(3)
X = RNG.normal(size=(64, 5)).astype("float32")
Y = (X[:, :1] * 2 - X[:, 1:2]).astype("float32")
LABELS = (X[:, 0] > 0).astype("int32")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    kerasx.backend.clear_session()
    kerasx.utils.set_random_seed(0)
    yield request.param
    config.set_backend("numpy")


def _mlp(out=1, activation=None):
    return kerasx.Sequential(
        [kerasx.Input((5,)), layers.Dense(8, activation="relu"), layers.Dense(out, activation)]
    )


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def test_regression_trains_on_every_engine(engine):
    model = _mlp()
    model.compile(optimizer=kerasx.optimizers.Adam(0.03), loss="mse", metrics=["mae"])
    first = model.evaluate(X, Y, verbose=0)
    hist = model.fit(X, Y, epochs=30, batch_size=16, verbose=0)
    assert list(hist.history) == ["loss", "mae"]
    assert len(hist.history["loss"]) == 30
    last = model.evaluate(X, Y, verbose=0)
    assert last[0] < 0.25 * first[0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"loss": "no_such_loss"}, "no_such_loss"),
        ({"loss": "mse", "metrics": ["no_such_metric"]}, "no_such_metric"),
        ({"loss": "mse", "optimizer": "no_such_optimizer"}, "no_such_optimizer"),
        ({"loss": {"not_an_output": "mse"}}, "not_an_output"),
    ],
)
def test_compile_rejects_unknown_names(engine, kwargs, match):
    model = _mlp()
    kwargs.setdefault("optimizer", "sgd")
    with pytest.raises(ValueError, match=match):
        model.compile(**kwargs)
    assert not model.compiled


@pytest.mark.parametrize(
    "fit_kwargs, match",
    [
        ({"x": X, "y": Y[:10]}, "64"),
        ({"x": X, "y": Y, "validation_split": 1.5}, "validation_split"),
        ({"x": X, "y": Y, "epochs": -1}, "epochs"),
    ],
)
def test_fit_rejects_bad_input_before_training(engine, fit_kwargs, match):
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    with pytest.raises(ValueError, match=match):
        model.fit(verbose=0, **fit_kwargs)
    assert _same(before, model.get_weights())
    assert not model.optimizer.built


def test_fit_before_compile_raises(engine):
    with pytest.raises(RuntimeError, match="compile"):
        _mlp().fit(X, Y, verbose=0)


def test_wrong_input_shape_names_layer_and_shapes(engine):
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5\), found shape=\(32, 3\)"):
        model.fit(X[:, :3], Y, verbose=0)


def test_exception_in_a_step_leaves_last_good_weights(engine):
    class Boom(layers.Layer):
        calls = 0

        def call(self, x, training=None):
            if training and not isinstance(x, kerasx.KerasTensor):
                Boom.calls += 1
                if Boom.calls == 3:
                    raise RuntimeError("boom")
            return x

    model = kerasx.Sequential([kerasx.Input((5,)), layers.Dense(1), Boom()])
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    reference = kerasx.Sequential([kerasx.Input((5,)), layers.Dense(1)])
    reference.set_weights(model.get_weights())
    reference.compile(optimizer="sgd", loss="mse")
    with pytest.raises(RuntimeError, match="boom"):
        model.fit(X, Y, batch_size=16, shuffle=False, verbose=0)
    # Two steps completed; the model holds exactly their result.
    reference.fit(X[:32], Y[:32], batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_custom_train_step_with_value_and_grad_runs_everywhere(engine):
    class Custom(kerasx.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.tracker = kerasx.metrics.Mean(name="loss")

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            variables = self.trainable_variables

            def loss_fn(values):
                with kerasx.StatelessScope(zip(variables, values)):
                    return ops.mean(ops.square(self(x) - y))

            loss, grads = kerasx.value_and_grad(loss_fn)([v.value for v in variables])
            self.optimizer.apply(grads, variables)
            self.tracker.update_state(loss)
            return {"loss": self.tracker.result()}

        @property
        def metrics(self):
            return [self.tracker]

    model = Custom()
    model.compile(optimizer=kerasx.optimizers.SGD(0.1))
    hist = model.fit(X, Y, epochs=20, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < 0.1 * hist.history["loss"][0]


def test_steps_per_execution_gives_the_same_weights(engine):
    results = []
    for spe in (1, 4):
        kerasx.backend.clear_session()
        model = _mlp()
        model.set_weights([np.full(w.shape, 0.1, "float32") for w in model.get_weights()])
        model.compile(optimizer="adam", loss="mse", metrics=["mae"], steps_per_execution=spe)
        hist = model.fit(X, Y, batch_size=6, epochs=2, shuffle=False, verbose=0)
        results.append((model.get_weights(), hist.history))
    for a, b in zip(results[0][0], results[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    for k in results[0][1]:
        np.testing.assert_allclose(results[0][1][k], results[1][1][k], rtol=1e-5)


def test_single_batch_methods(engine):
    model = _mlp(out=2, activation="softmax")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    logs = model.train_on_batch(X[:16], LABELS[:16], return_dict=True)
    assert sorted(logs) == ["accuracy", "loss"]
    out = model.test_on_batch(X[:16], LABELS[:16])
    assert isinstance(out, list) and len(out) == 2
    pred = model.predict_on_batch(X[:7])
    assert pred.shape == (7, 2)
    np.testing.assert_allclose(pred.sum(-1), np.ones(7), rtol=1e-5)


def test_generators_and_pydataset(engine):
    class Batches(kerasx.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return X[i * 16 : (i + 1) * 16], Y[i * 16 : (i + 1) * 16]

    def gen():
        while True:
            for i in range(4):
                yield X[i * 16 : (i + 1) * 16], Y[i * 16 : (i + 1) * 16]

    model = _mlp()
    model.compile(optimizer="adam", loss="mse")
    h1 = model.fit(Batches(), epochs=2, verbose=0)
    h2 = model.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0, shuffle=False)
    assert len(h1.history["loss"]) == 2 and len(h2.history["loss"]) == 2
    assert model.predict(Batches(), verbose=0).shape == (64, 1)


def test_multi_input_list_and_dict(engine):
    a = kerasx.Input((3,), name="a")
    b = kerasx.Input((2,), name="b")
    merged = layers.Concatenate()([layers.Dense(4)(a), b])
    model = kerasx.Model({"a": a, "b": b}, layers.Dense(1)(merged))
    model.compile(optimizer="sgd", loss="mse")
    hist = model.fit({"a": X[:, :3], "b": X[:, 3:]}, Y, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2
    assert model.predict({"a": X[:4, :3], "b": X[:4, 3:]}, verbose=0).shape == (4, 1)


def test_class_weight_changes_the_loss(engine):
    model = _mlp(out=2, activation="softmax")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    w = model.get_weights()
    plain = model.fit(X, LABELS, epochs=1, shuffle=False, verbose=0).history["loss"][0]
    model.set_weights(w)
    weighted = model.fit(
        X, LABELS, epochs=1, shuffle=False, verbose=0, class_weight={0: 0.0, 1: 2.0}
    ).history["loss"][0]
    assert not np.isclose(plain, weighted)


def test_terminate_on_nan_stops_cleanly(engine):
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse")
    x = X.copy()
    x[0, 0] = np.nan
    hist = model.fit(
        x, Y, epochs=5, verbose=0, shuffle=False, callbacks=[kerasx.callbacks.TerminateOnNaN()]
    )
    assert len(hist.history["loss"]) == 1 and np.isnan(hist.history["loss"][0])
    assert model.stop_training


def test_fit_generator_alias_warns(engine):
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        model.fit_generator(
            ((X[:16], Y[:16]) for _ in range(2)), steps_per_epoch=2, verbose=0, shuffle=False
        )


def test_metrics_with_the_same_name_both_reach_the_logs(engine):
    model = _mlp(activation="sigmoid")
    model.compile(
        optimizer="sgd",
        loss="binary_crossentropy",
        metrics=["auc", kerasx.metrics.AUC(), "accuracy", "acc"],
    )
    hist = model.fit(X, (LABELS[:, None] > 0).astype("float32"), verbose=0)
    keys = list(hist.history)
    # Keras 3 gives ['acc', 'accuracy', 'auc', 'auc_1', 'loss'] in a fresh process; the AUC
    # instance's own default name depends on how many AUCs the process made before.
    assert keys[:2] == ["acc", "accuracy"] and keys[-1] == "loss"
    aucs = [k for k in keys if k.startswith("auc")]
    assert len(aucs) == 2 and "auc" in aucs


def test_jax_train_step_gives_each_state_array_its_own_donated_buffer():
    """JAX hands each donated input buffer to the first output of its shape and dtype: the
    step returns the new state first, in the input order, so output i reuses input i (logs
    first made a scalar log take a scalar state entry's buffer, and XLA added copies)."""
    if "jax" not in installed_engines():
        pytest.skip("the JAX engine is not installed")
    import re

    config.set_backend("jax")
    try:
        model = _mlp(out=2, activation="softmax")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
        model.fit(X, LABELS, batch_size=16, epochs=1, verbose=0)
        from kerasx.trainers.step_runner import _State

        groups = model._state_groups("train")
        (fn,) = [f for k, f in model._kx_fns.items() if k[0] == "train"]
        state = _State(groups).read(model._state_copier())
        batch = (ops.convert_to_tensor(X[:16]), ops.convert_to_tensor(LABELS[:16]))
        hlo = fn.lower(state, batch).compile().as_text()
        n_state = sum(len(g) for g in groups)
        pairs = re.findall(r"\{(\d+)\}: \((\d+), \{\}, may-alias\)", hlo)
        assert len(pairs) == n_state
        assert all(out == inp for out, inp in pairs), pairs
    finally:
        config.set_backend("numpy")


def test_first_fit_builds_metrics_without_running_the_model_on_values(engine):
    """The model, loss and metrics are built on symbolic tensors (on JAX an eager pass
    compiles every op it meets); only the training steps see values."""

    class Count(layers.Layer):
        concrete = 0

        def call(self, x):
            if not isinstance(x, kerasx.KerasTensor):
                Count.concrete += 1
            return x

    model = kerasx.Sequential([kerasx.Input((5,)), layers.Dense(1), Count()])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], run_eagerly=True)
    history = model.fit(X[:48], Y[:48], batch_size=16, shuffle=False, verbose=0)
    assert Count.concrete == 3  # one per step
    assert set(history.history) == {"loss", "mae"}


def test_a_model_that_needs_values_to_build_still_trains(engine):
    """Its default build (a call on symbolic inputs) fails; its first call on values builds
    it instead, as in Keras."""

    class NeedsValues(kerasx.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            scale = 2.0 if float(ops.max(ops.abs(x))) >= 0 else 1.0  # a Python value
            return self.dense(x) * scale

    model = NeedsValues()
    # XLA cannot compile Python control flow on values (nor can Keras's JAX backend); the
    # NumPy engine's jit runs such a step eagerly by itself
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], run_eagerly=engine == "jax")
    history = model.fit(X, Y, batch_size=16, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert history.history["loss"][1] < history.history["loss"][0]

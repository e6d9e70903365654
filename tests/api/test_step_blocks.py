"""Blocks of steps (kerasx/trainers/step_blocks.py): on JAX, `fit` and `evaluate` run several
steps per compiled call when nothing observes the model between them. The reference for every
number is the same fit with one call per step (the engine's ``fused_steps`` set to 1): the
weights, the history and the metrics must be bit-for-bit the same."""

import io
import re
from contextlib import redirect_stdout

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.callbacks import ProgbarLogger
from kerasx.engine import dispatch
from kerasx.trainers import batch_staging

pytest.importorskip("jax")

RNG = np.random.default_rng(11)
X = RNG.normal(size=(1000, 20)).astype("float32")
Y = RNG.integers(0, 3, size=(1000,))
SW = RNG.uniform(0.5, 2.0, size=(1000,)).astype("float32")


@pytest.fixture
def jax_engine():
    config.set_backend("jax")
    kerasx.backend.clear_session()
    yield dispatch.engine()
    config.set_backend("numpy")


def _model(seed=0):
    model = kerasx.Sequential(
        [
            kerasx.Input((20,)),
            kerasx.layers.Dense(16, activation="relu"),
            kerasx.layers.Dropout(0.2, seed=seed),
            kerasx.layers.Dense(3, activation="softmax"),
        ]
    )
    rng = np.random.default_rng(seed)
    model.set_weights(
        [rng.normal(scale=0.3, size=w.shape).astype("float32") for w in model.get_weights()]
    )
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy", kerasx.metrics.SparseTopKCategoricalAccuracy(k=2)],
    )
    return model


def _compiled_kinds(model):
    return sorted(k[0] for k in model._kx_fns if isinstance(k, tuple) and isinstance(k[0], str))


def _run(engine, monkeypatch, size, body):
    monkeypatch.setattr(type(engine), "fused_steps", size)
    kerasx.utils.set_random_seed(5)
    model = _model()
    out = body(model)
    return model, out


def test_blocks_give_the_same_weights_history_and_metrics(jax_engine, monkeypatch):
    def body(model):
        # 1000 / 64: 15 full batches (a block of 8, then one of 7) and a last one of 40
        hist = model.fit(
            X,
            Y,
            batch_size=64,
            epochs=3,
            sample_weight=SW,
            validation_data=(X[:300], Y[:300]),
            shuffle=True,
            verbose=0,
        )
        ev = model.evaluate(X, Y, batch_size=100, verbose=0, return_dict=True)
        return hist.history, ev

    blocked, (h1, e1) = _run(jax_engine, monkeypatch, 8, body)
    single, (h2, e2) = _run(jax_engine, monkeypatch, 1, body)
    assert "train_block" in _compiled_kinds(blocked) and "test_block" in _compiled_kinds(blocked)
    assert not any(k.endswith("_block") for k in _compiled_kinds(single))
    assert h1 == h2 and e1 == e2
    assert int(blocked.optimizer.iterations.value) == 3 * 16
    for a, b in zip(blocked.get_weights(), single.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(blocked.optimizer.variables, single.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.value), np.asarray(b.value))


def test_a_callback_that_sees_batches_sees_every_batch(jax_engine, monkeypatch):
    monkeypatch.setattr(type(jax_engine), "fused_steps", 8)
    seen = []
    cb = kerasx.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    model = _model()
    model.fit(X, Y, batch_size=100, epochs=1, verbose=0, callbacks=[cb])
    assert seen == list(range(10))
    assert "train_block" not in _compiled_kinds(model)


def test_the_progress_bar_without_live_redraws_takes_one_call_per_block(
    jax_engine, monkeypatch, capsys
):
    ends = []
    original = ProgbarLogger.on_train_batch_end

    def recording(self, batch, logs=None):
        ends.append((batch, dict(logs)))
        original(self, batch, logs)

    monkeypatch.setattr(ProgbarLogger, "on_train_batch_end", recording)

    def body(model):
        ends.clear()
        out = io.StringIO()
        with redirect_stdout(out):
            hist = model.fit(X, Y, batch_size=50, epochs=2, verbose=2, shuffle=False)
        return list(ends), out.getvalue(), hist.history

    blocked, (ends1, text1, h1) = _run(jax_engine, monkeypatch, 8, body)
    single, (ends2, text2, h2) = _run(jax_engine, monkeypatch, 1, body)
    assert "train_block" in _compiled_kinds(blocked)
    # 20 batches: the first alone (the bar's time per step starts after it), then 8, 8, 3
    assert [b for b, _ in ends1] == [0, 8, 16, 19] * 2
    assert [b for b, _ in ends2] == list(range(20)) * 2
    # the logs handed over after a block are those one call per step gives after its batch
    by_batch = dict(ends2[20:])
    for batch, logs in ends1[4:]:
        assert {k: float(v) for k, v in logs.items()} == {
            k: float(v) for k, v in by_batch[batch].items()
        }
    assert h1 == h2

    def no_times(text):
        return re.sub(r"\d+(\.\d+)?(s|ms|us)\b", "T", text)

    assert no_times(text1) == no_times(text2) and "loss:" in text1


def test_a_live_progress_bar_gets_every_batch(jax_engine, monkeypatch):
    import kerasx.utils.progbar as progbar_module

    monkeypatch.setattr(type(jax_engine), "fused_steps", 8)
    monkeypatch.setattr(progbar_module, "_draws_live", lambda: True)
    model = _model()
    with redirect_stdout(io.StringIO()):
        model.fit(X, Y, batch_size=100, epochs=1, verbose=1)
        # validation inside fit draws no bar: its batches may run in blocks
        model.fit(X, Y, batch_size=100, epochs=1, verbose=1, validation_data=(X, Y))
    assert "train_block" not in _compiled_kinds(model)
    assert "test_block" in _compiled_kinds(model)


def test_batches_taken_before_the_data_raises_still_train(jax_engine, monkeypatch):
    def batches():
        for i in range(11):
            yield X[i * 50 : (i + 1) * 50], Y[i * 50 : (i + 1) * 50]
        raise RuntimeError("the data source broke")

    def body(model):
        with pytest.raises(RuntimeError, match="the data source broke"):
            model.fit(batches(), epochs=1, verbose=0, shuffle=False)
        return int(model.optimizer.iterations.value)

    blocked, n1 = _run(jax_engine, monkeypatch, 8, body)
    single, n2 = _run(jax_engine, monkeypatch, 1, body)
    assert "train_block" in _compiled_kinds(blocked)
    assert n1 == n2 == 11
    for a, b in zip(blocked.get_weights(), single.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_large_batches_and_other_engines_run_one_step_per_call(jax_engine, monkeypatch):
    monkeypatch.setattr(type(jax_engine), "fused_steps", 8)
    # a slot stacks at most MAX_STACKED_BYTES: with room for one batch there is no block
    monkeypatch.setattr(batch_staging, "MAX_STACKED_BYTES", 50 * 20 * 4 + 50 * 8 + 1)
    model = _model()
    model.fit(X, Y, batch_size=50, epochs=1, verbose=0)
    assert "train_block" not in _compiled_kinds(model)
    monkeypatch.setattr(batch_staging, "MAX_STACKED_BYTES", 2 * (50 * 20 * 4 + 50 * 8))
    model = _model()
    model.fit(X, Y, batch_size=50, epochs=1, verbose=0)
    assert "train_block" in _compiled_kinds(model)

    config.set_backend("numpy")
    model = _model()
    model.fit(X, Y, batch_size=50, epochs=1, verbose=0)
    assert not any(k.endswith("_block") for k in _compiled_kinds(model))


def test_a_custom_train_step_runs_one_step_per_call(jax_engine, monkeypatch):
    monkeypatch.setattr(type(jax_engine), "fused_steps", 8)

    class Custom(kerasx.Sequential):
        def train_step(self, data):
            return super().train_step(data)

    model = Custom([kerasx.Input((20,)), kerasx.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(X, Y, batch_size=50, epochs=1, verbose=0)
    assert "train_block" not in _compiled_kinds(model)


def test_callbacks_that_act_once_per_epoch_leave_blocks_on(jax_engine, monkeypatch, tmp_path):
    path = str(tmp_path / "best.weights.h5")

    def body(model):
        checkpoint = kerasx.callbacks.ModelCheckpoint(path, save_weights_only=True)
        backup = kerasx.callbacks.BackupAndRestore(str(tmp_path / "backup"))
        stop = kerasx.callbacks.EarlyStopping(monitor="loss", patience=1)
        model.fit(X, Y, batch_size=50, epochs=2, verbose=0, callbacks=[checkpoint, backup, stop])
        assert model.__dict__["_kx_sync_each_step"] is False
        saved = _model(seed=1)
        saved.load_weights(path)
        return saved.get_weights()

    blocked, saved1 = _run(jax_engine, monkeypatch, 8, body)
    single, saved2 = _run(jax_engine, monkeypatch, 1, body)
    assert "train_block" in _compiled_kinds(blocked)
    for a, b, c in zip(saved1, saved2, blocked.get_weights()):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)

    # saving every 3 batches: the checkpoint needs every batch (and the weights at each)
    model = _model()
    checkpoint = kerasx.callbacks.ModelCheckpoint(path, save_weights_only=True, save_freq=3)
    model.fit(X, Y, batch_size=50, epochs=1, verbose=0, callbacks=[checkpoint])
    assert model.__dict__["_kx_sync_each_step"] is True
    assert "train_block" not in _compiled_kinds(model)


@pytest.mark.parametrize("as_dict", [False, True])
def test_models_with_several_inputs_run_in_blocks(jax_engine, monkeypatch, as_dict):
    def make():
        a = kerasx.Input((12,), name="a")
        b = kerasx.Input((8,), name="b")
        h = kerasx.layers.Concatenate()(
            [kerasx.layers.Dense(6, activation="relu")(a), kerasx.layers.Dense(6)(b)]
        )
        model = kerasx.Model({"a": a, "b": b} if as_dict else [a, b], kerasx.layers.Dense(3)(h))
        rng = np.random.default_rng(2)
        model.set_weights(
            [rng.normal(scale=0.3, size=w.shape).astype("float32") for w in model.get_weights()]
        )
        model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
        return model

    xs = {"a": X[:, :12], "b": X[:, 12:]} if as_dict else [X[:, :12], X[:, 12:]]
    targets = RNG.normal(size=(1000, 3)).astype("float32")
    results = []
    for size in (8, 1):
        monkeypatch.setattr(type(jax_engine), "fused_steps", size)
        model = make()
        hist = model.fit(xs, targets, batch_size=40, epochs=2, verbose=0, shuffle=False)
        results.append((model, hist.history))
    assert "train_block" in _compiled_kinds(results[0][0])
    assert results[0][1] == results[1][1]
    for a, b in zip(results[0][0].get_weights(), results[1][0].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_generators_and_py_datasets_run_in_blocks(jax_engine, monkeypatch):
    def forever():
        i = 0
        while True:
            j = (i * 40) % 960
            yield X[j : j + 40], Y[j : j + 40]
            i += 1

    class Batches(kerasx.utils.PyDataset):
        def __len__(self):
            return 11  # ten batches of 90 and one of 100

        def __getitem__(self, i):
            end = 1000 if i == 10 else (i + 1) * 90
            return X[i * 90 : end], Y[i * 90 : end]

    def body(model):
        h1 = model.fit(forever(), steps_per_epoch=13, epochs=2, verbose=0, shuffle=False)
        h2 = model.fit(Batches(), epochs=2, verbose=0, shuffle=False)
        ev = model.evaluate(forever(), steps=5, verbose=0)
        return h1.history, h2.history, ev, int(model.optimizer.iterations.value)

    blocked, out1 = _run(jax_engine, monkeypatch, 8, body)
    single, out2 = _run(jax_engine, monkeypatch, 1, body)
    assert "train_block" in _compiled_kinds(blocked)
    assert out1 == out2 and out1[-1] == 2 * 13 + 2 * 11
    for a, b in zip(blocked.get_weights(), single.get_weights()):
        np.testing.assert_array_equal(a, b)

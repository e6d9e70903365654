"""kerasx.callbacks against real Keras 3 (numpy backend) on every installed engine.

Most tests drive the same callback class of both libraries with the same scripted hook calls
on a small stand-in model (a metric list, an optimizer with a settable learning rate,
get/set_weights, save/save_weights recorders) and compare everything observable: the epoch
training stops at, learning rates set, files written, messages printed and warnings. The
kerasx side receives its log values as engine tensors, as the trainer passes them.
"""

import contextlib
import io
import os
import re
import warnings

import numpy as np
import pytest

import kerasx
from kerasx import callbacks as XC
from kerasx import config
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")
KC = keras.callbacks


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


# --------------------------------------------------------------------------- stand-in model


class _Metric:
    def __init__(self, name, direction=None):
        self.name = name
        if direction:
            self._direction = direction


class _Container:
    """Plays the compiled-metrics container: a metric whose `metrics` lists the others."""

    def __init__(self, metrics):
        self.name = "compile_metrics"
        self.metrics = metrics


try:  # Keras looks for metric directions only inside its own compiled-metrics container.
    from keras.src.trainers.compile_utils import CompileMetrics as _KerasCompileMetrics

    class _KerasContainer(_KerasCompileMetrics):
        name = "compile_metrics"

        def __init__(self, metrics):
            self._held = metrics

        @property
        def metrics(self):
            return self._held

except ImportError:  # pragma: no cover - other Keras layouts
    _KerasContainer = _Container


class _Optimizer:
    def __init__(self, lr=0.1):
        self._lr = np.float32(lr)
        self.sets = []

    @property
    def learning_rate(self):
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self.sets.append(value)
        self._lr = np.float32(value)


class _Model:
    def __init__(self, directions=None, lr=0.1, keras_side=False):
        metrics = [_Metric(n, d) for n, d in (directions or {}).items()]
        container = _KerasContainer if keras_side else _Container
        self.metrics = [_Metric("loss"), container(metrics)]
        self.optimizer = _Optimizer(lr)
        self.stop_training = False
        self.weights = [0]
        self.calls = []

    def get_weights(self):
        return list(self.weights)

    def set_weights(self, weights):
        self.weights = list(weights)

    def save(self, path, overwrite=True):
        self.calls.append(("save", path, overwrite))

    def save_weights(self, path, overwrite=True):
        self.calls.append(("save_weights", path, overwrite))


def _tensors(logs):
    """The kerasx side gets engine tensors for numbers, like the trainer's batch logs."""
    if logs is None:
        return None
    out = {}
    for k, v in logs.items():
        if isinstance(v, float):
            v = kerasx.ops.convert_to_tensor(np.float32(v))
        out[k] = v
    return out


def _drive(lib, make, epochs, steps=0, logs_fn=None, model=None, convert=False):
    """Run `make()` through a scripted fit: returns what an observer can see."""
    model = model or _Model()
    out = io.StringIO()
    error = None
    stopped = None
    seen_logs = []
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        try:
            cb = make()
            cb.set_model(model)
            cb.set_params({"verbose": 1, "epochs": epochs, "steps": steps})
            cb.on_train_begin()
            for e in range(epochs):
                model.weights = [e]
                cb.on_epoch_begin(e)
                for b in range(steps):
                    cb.on_train_batch_begin(b)
                    logs = logs_fn(e, b)
                    cb.on_train_batch_end(b, _tensors(logs) if convert else logs)
                    if model.stop_training:
                        break
                logs = logs_fn(e, None)
                cb.on_epoch_end(e, logs)
                seen_logs.append({k: np.asarray(v).tolist() for k, v in logs.items()})
                if model.stop_training:
                    stopped = e
                    break
            cb.on_train_end()
        except Exception as e:  # noqa: BLE001 - compared across libraries
            error = (type(e).__name__, str(e))
    return {
        "error": error,
        "stopped": stopped,
        "weights": model.weights,
        "sets": [float(v) for v in model.optimizer.sets],
        "calls": model.calls,
        "stdout": out.getvalue(),
        "warnings": [str(w.message) for w in caught],
        "logs": seen_logs,
    }


def _compare(make, epochs, steps=0, logs_fn=None, directions=None, **kw):
    keras_model = _Model(directions, keras_side=True)
    ref = _drive(KC, lambda: make(KC), epochs, steps, logs_fn, keras_model, **kw)
    got = _drive(XC, lambda: make(XC), epochs, steps, logs_fn, _Model(directions), convert=True)
    assert got == ref
    return got


SEQ = [1.0, 0.5, 0.6, 0.55, 0.7, 0.4, 0.8, 0.9, 0.41, 0.45, 0.3, 0.35]


def _epoch_logs(values):
    def fn(e, b):
        v = values[e]
        return {"accuracy": 1 - v, "loss": v, "val_accuracy": 1 - v, "val_loss": v}

    return fn


# --------------------------------------------------------------------------- EarlyStopping

EARLY_CASES = [
    {},
    {"patience": 2},
    {"patience": 2, "verbose": 1, "restore_best_weights": True},
    {"monitor": "val_accuracy", "patience": 1, "verbose": 1},
    {"monitor": "accuracy", "patience": 1, "mode": "max", "restore_best_weights": True},
    {"monitor": "loss", "mode": "min", "patience": 3, "min_delta": 0.05, "verbose": 1},
    {"patience": 1, "baseline": 0.45, "verbose": 1},
    {"patience": 1, "min_delta": -0.2, "verbose": 1},
    {"patience": 1, "start_from_epoch": 3, "verbose": 1, "restore_best_weights": True},
    {"patience": 20, "restore_best_weights": True, "verbose": 1},
    {"monitor": "missing", "mode": "min"},
    {"monitor": "missing"},
    {"monitor": "accuracy"},
    {"monitor": "loss", "mode": "max", "patience": 2},
]


@pytest.mark.parametrize("kwargs", EARLY_CASES)
def test_early_stopping_matches_keras(engine, kwargs):
    _compare(
        lambda C: C.EarlyStopping(**kwargs),
        len(SEQ),
        logs_fn=_epoch_logs(SEQ),
        directions={"accuracy": "up"},
    )


def test_early_stopping_random_sequences_match_keras(engine):
    rng = np.random.default_rng(1)
    for _ in range(30):
        seq = [float(v) for v in np.round(rng.uniform(0, 1, 10), 2)]
        kwargs = {
            "patience": int(rng.integers(0, 4)),
            "min_delta": float(rng.choice([0, 0.05, 0.1])),
            "baseline": [None, 0.3][int(rng.integers(0, 2))],
            "restore_best_weights": bool(rng.integers(0, 2)),
            "start_from_epoch": int(rng.integers(0, 3)),
            "mode": str(rng.choice(["auto", "max"])),
            "verbose": 1,
        }
        _compare(lambda C, kw=kwargs: C.EarlyStopping(**kw), 10, logs_fn=_epoch_logs(seq))


def test_early_stopping_unknown_mode_warns_and_uses_auto():
    with pytest.warns(UserWarning, match="EarlyStopping mode 'bogus' is unknown, fallback"):
        cb = XC.EarlyStopping(mode="bogus")
    assert cb.mode == "auto"
    assert cb.min_delta == 0 and XC.EarlyStopping(min_delta=-0.1).min_delta == 0.1


# --------------------------------------------------------------------------- ReduceLROnPlateau

PLATEAU = [1.0, 0.99995, 0.9, 0.95, 0.96, 0.97, 0.98, 0.85, 0.9, 0.9, 0.9, 0.9]
REDUCE_CASES = [
    {"patience": 2, "verbose": 1},
    {"patience": 1, "cooldown": 2, "verbose": 1, "min_lr": 0.0005},
    {"patience": 1, "factor": 0.5, "mode": "max"},
    {"patience": 0, "verbose": 1, "min_lr": 0.01, "factor": 0.2},
    {"patience": 1, "min_delta": 0.0},
    {"patience": 1, "monitor": "x", "mode": "min"},
    {"patience": 1, "monitor": "x"},
    {"monitor": "val_accuracy", "patience": 1, "verbose": 1},
]


@pytest.mark.parametrize("kwargs", REDUCE_CASES)
def test_reduce_lr_on_plateau_matches_keras(engine, kwargs):
    got = _compare(
        lambda C: C.ReduceLROnPlateau(**kwargs),
        len(PLATEAU),
        logs_fn=_epoch_logs(PLATEAU),
        directions={"accuracy": "up"},
    )
    if got["error"] is None:
        assert all("learning_rate" in logs for logs in got["logs"])


def test_reduce_lr_on_plateau_bad_factor():
    with pytest.raises(ValueError, match="does not support a factor >= 1.0. Received factor=1.5"):
        XC.ReduceLROnPlateau(factor=1.5)


# --------------------------------------------------------------------------- LearningRateScheduler


def _bad_schedule(epoch, lr):
    raise TypeError("inner")


SCHEDULES = [
    (lambda e: 0.1 / (e + 1), 1),
    (lambda e, lr: lr * 0.5, 1),
    (lambda e: 1, 0),
    (lambda e: np.float32(0.5), 0),
    (lambda e: np.array(0.5), 0),
    (_bad_schedule, 0),
]


@pytest.mark.parametrize("schedule,verbose", SCHEDULES)
def test_learning_rate_scheduler_matches_keras(engine, schedule, verbose):
    got = _compare(
        lambda C: C.LearningRateScheduler(schedule, verbose=verbose),
        3,
        logs_fn=lambda e, b: {"loss": 1.0},
    )
    if got["error"] is None:
        assert [logs["learning_rate"] for logs in got["logs"]] == [
            float(np.float32(v)) for v in got["sets"]
        ]


def test_learning_rate_scheduler_on_real_optimizer(engine):
    from kerasx import optimizers

    model = _Model()
    model.optimizer = optimizers.SGD(learning_rate=0.5)
    cb = XC.LearningRateScheduler(lambda e, lr: lr / 2)
    cb.set_model(model)
    rates = []
    for e in range(3):
        cb.on_epoch_begin(e)
        logs = {}
        cb.on_epoch_end(e, logs := {"loss": 1.0})
        rates.append(logs["learning_rate"])
    assert rates == [0.25, 0.125, 0.0625]


def test_schedule_optimizer_learning_rate_is_not_settable(engine):
    from kerasx import optimizers

    model = _Model()
    schedule = optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    model.optimizer = optimizers.SGD(learning_rate=schedule)
    cb = XC.ReduceLROnPlateau(monitor="loss", patience=0)
    cb.set_model(model)
    cb.on_train_begin()
    cb.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(TypeError):
        cb.on_epoch_end(1, {"loss": 2.0})
    lrs = XC.LearningRateScheduler(lambda e: 0.1)
    lrs.set_model(model)
    with pytest.raises(TypeError):
        lrs.on_epoch_begin(0)


# --------------------------------------------------------------------------- ModelCheckpoint

CKPT_VALUES = [1.0, 0.5, 0.6, 0.4]


def _ckpt_logs(e, b):
    v = CKPT_VALUES[e]
    if b is not None:
        return {"loss": v + b}
    return {"acc": 1 - v, "loss": v, "val_loss": v}


CKPT_CASES = [
    ("d/w.{epoch:02d}-{val_loss:.2f}.keras", {"verbose": 1}),
    (
        "d/w.{epoch:02d}.weights.h5",
        {"verbose": 1, "save_best_only": True, "save_weights_only": True},
    ),
    ("d/w.keras", {"verbose": 1, "save_best_only": True, "mode": "max", "monitor": "acc"}),
    ("d/w.keras", {"verbose": 1, "save_best_only": True, "monitor": "acc"}),
    ("d/w.keras", {"verbose": 1, "save_best_only": True, "initial_value_threshold": 0.55}),
    ("d/w.keras", {"verbose": 1, "save_best_only": True, "monitor": "nope", "mode": "min"}),
    ("d/w.keras", {"monitor": "nope"}),
    ("d/w{epoch}-{batch}.keras", {"verbose": 1, "save_freq": 3}),
    ("d/w{epoch}.keras", {"verbose": 1, "save_freq": 3}),
    (
        "d/w{epoch}-{loss:.1f}.keras",
        {"verbose": 1, "save_freq": 2, "save_best_only": True, "monitor": "loss"},
    ),
    ("d/w{epoch}-{foo}.keras", {"verbose": 1}),
    ("d/w.h5", {"mode": "bad"}),
]


@pytest.mark.parametrize("path,kwargs", CKPT_CASES)
def test_model_checkpoint_matches_keras(engine, tmp_path, monkeypatch, path, kwargs):
    monkeypatch.chdir(tmp_path)
    _compare(lambda C: C.ModelCheckpoint(path, **kwargs), 4, 3, _ckpt_logs)


def test_model_checkpoint_non_scalar_monitor_matches_keras(engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _compare(
        lambda C: C.ModelCheckpoint("w.keras", save_best_only=True, verbose=1),
        2,
        logs_fn=lambda e, b: {"val_loss": np.array([1.0, 2.0])},
    )


@pytest.mark.parametrize(
    "args",
    [
        {"filepath": "a.h5", "save_weights_only": True},
        {"filepath": "a"},
        {"filepath": "a.tf"},
        {"filepath": "{epoch}"},
        {"filepath": "a.keras", "save_freq": "batch"},
        {"filepath": "a.keras", "save_freq": 2.0},
    ],
)
def test_model_checkpoint_bad_arguments_match_keras(args):
    with pytest.raises(ValueError) as ref:
        KC.ModelCheckpoint(**args)
    with pytest.raises(ValueError) as got:
        XC.ModelCheckpoint(**args)
    assert str(got.value) == str(ref.value)


def test_model_checkpoint_accepts_paths(tmp_path):
    cb = XC.ModelCheckpoint(tmp_path / "m.keras")
    assert cb.filepath == str(tmp_path / "m.keras")


# --------------------------------------------------------------------------- CSVLogger

CSV_RUNS = [
    ("a.csv", {}, [{"loss": 0.5, "acc": 0.25, "lst": [1, 2], "s": "str"}, {"loss": 0.1}]),
    ("a.csv", {"append": True}, [{"loss": 0.5, "val_loss": 0.6}]),
    ("b.csv", {"separator": ";", "append": True}, [{"b": 1, "a": 2.5, "val_a": 3}]),
    ("c.csv", {}, [{}, {"x": 1}]),
    ("d.csv", {}, [{"x": 'a"b,c', "arr": np.array([1.5, 2.0]), "arr0": np.array(3.5)}]),
]


def _csv_file(lib, directory, runs):
    os.makedirs(directory, exist_ok=True)
    contents = []
    for name, kwargs, epochs in runs:
        path = os.path.join(directory, name)
        cb = lib.CSVLogger(path, **kwargs)
        cb.set_model(_Model())
        cb.on_train_begin()
        for e, logs in enumerate(epochs):
            cb.on_epoch_end(e, logs)
        cb.on_train_end()
        with open(path, newline="") as f:
            contents.append(f.read())
    return contents


def test_csv_logger_matches_keras(engine, tmp_path):
    ref = _csv_file(KC, tmp_path / "keras", CSV_RUNS)
    got = _csv_file(XC, tmp_path / "kerasx", CSV_RUNS)
    assert got == ref
    assert got[0].startswith("epoch,acc,loss,lst,s,val_acc,val_loss,val_lst,val_s\r\n")


def test_csv_logger_appends_to_empty_file_with_header(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("")
    cb = XC.CSVLogger(path, append=True)
    cb.set_model(_Model())
    cb.on_train_begin()
    cb.on_epoch_end(0, {"x": 1})
    cb.on_train_end()
    assert path.read_text() == "epoch,x,val_x\n0,1,NA\n"


# --------------------------------------------------------------------------- TerminateOnNaN


@pytest.mark.parametrize("raise_error", [False, True])
def test_terminate_on_nan_matches_keras(engine, raise_error):
    def run(lib, convert):
        model = _Model()
        cb = lib.TerminateOnNaN(raise_error=raise_error)
        cb.set_model(model)
        seen = []
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            for hook, logs in [
                ("on_train_batch_end", {"loss": 1.0}),
                ("on_train_batch_end", None),
                ("on_train_batch_end", {"x": float("nan")}),
                ("on_test_batch_end", {"loss": float("nan")}),
                ("on_epoch_end", {"loss": float("nan")}),
                ("on_train_batch_end", {"loss": float("inf")}),
                ("on_batch_end", {"loss": float("nan")}),
            ]:
                model.stop_training = False
                try:
                    getattr(cb, hook)(3, _tensors(logs) if convert else logs)
                    seen.append(model.stop_training)
                except RuntimeError as e:
                    seen.append(str(e))
        return seen, out.getvalue()

    assert run(XC, True) == run(KC, False)


# --------------------------------------------------------------------------- History, list, lambda


def test_history_and_callback_list_match_keras():
    def run(lib):
        model = _Model()
        h = lib.History()
        cl = lib.CallbackList(
            [h], add_history=True, add_progbar=True, model=model, verbose=0, epochs=2, steps=1
        )
        kinds = [type(c).__name__ for c in cl.callbacks]
        assert model.history is h
        cl.on_train_begin()
        for epoch, logs in enumerate([{"loss": 1.0}, {"loss": 2.0, "b": 3.0}]):
            cl.on_epoch_begin(epoch)
            cl.on_epoch_end(epoch, logs)
        cl.on_train_begin()
        cl.on_epoch_begin(0)
        cl.on_epoch_end(0, {"loss": 5.0})
        params = [c.params for c in cl.callbacks]
        return kinds, h.history, h.epoch, params, cl.params

    assert run(XC) == run(KC)
    for lib in (KC, XC):
        assert [type(c).__name__ for c in lib.CallbackList(None).callbacks] == []
        single = lib.CallbackList(lib.History(), add_history=True, add_progbar=True)
        assert [type(c).__name__ for c in single.callbacks] == ["History", "ProgbarLogger"]
        assert single.params == {}


def test_callback_base_and_batch_aliases():
    calls = []

    class Rec(XC.Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, logs))

    cb = Rec()
    assert cb.model is None and cb.params is None
    with pytest.raises(AttributeError):
        cb.model = 3
    cl = XC.CallbackList([cb])
    cl.on_train_batch_begin(0)
    cl.on_train_batch_end(0, {"loss": 1})
    cl.on_test_batch_end(0, {"loss": 1})
    cl.on_predict_batch_end(0, {"outputs": 1})
    assert calls == [("begin", 0), ("end", 0, {"loss": 1})]
    hooks = [n for n in dir(KC.Callback) if n.startswith("on_")]
    for name in hooks:
        assert hasattr(XC.Callback, name)


def test_lambda_callback_matches_keras():
    def run(lib):
        seen = []
        cb = lib.LambdaCallback(
            on_epoch_end=lambda e, logs: seen.append(("E", e, logs)),
            on_train_batch_end=lambda b, logs: seen.append(("B", b, logs)),
            on_test_begin=lambda logs: seen.append(("T", logs)),
            foo=1,
        )
        cb.on_epoch_end(1, {"a": 1})
        cb.on_train_batch_end(2, None)
        cb.on_batch_end(3, {})
        cb.on_test_begin({"x": 1})
        cb.on_train_begin()
        with pytest.raises(TypeError):
            cb.on_test_begin()
        return seen, cb.foo

    assert run(XC) == run(KC)


# --------------------------------------------------------------------------- ProgbarLogger

_TIMES = re.compile(r"\d+(us|ms|s)/step|\b\d+s\b")


def _screen(text):
    """What a terminal ends up showing: each line's text after its last carriage return."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\b", "")
    lines = [line.split("\r")[-1].rstrip() for line in text.split("\n")]
    return _TIMES.sub("T", "\n".join(lines))


@pytest.mark.parametrize("verbose", [0, 1, 2, "auto"])
@pytest.mark.parametrize("epochs", [1, 2])
def test_progbar_logger_fit_matches_keras(engine, verbose, epochs):
    def run(lib, convert):
        p = lib.ProgbarLogger()
        p.set_model(_Model())
        p.set_params({"verbose": verbose, "epochs": epochs, "steps": 3})
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            p.on_train_begin()
            for e in range(epochs):
                p.on_epoch_begin(e)
                for b in range(3):
                    p.on_train_batch_begin(b)
                    logs = {"loss": 1.0 + b}
                    p.on_train_batch_end(b, _tensors(logs) if convert else logs)
                p.on_test_begin()
                p.on_test_batch_end(0, {"loss": 3.0})
                p.on_test_end({"loss": 3.0})
                p.on_epoch_end(e, {"loss": 2.0, "val_loss": 3.0})
            p.on_train_end()
        return _screen(out.getvalue())

    got = run(XC, True)
    assert got == run(KC, False)
    if verbose:
        assert ("Epoch 1/2" in got) == (epochs > 1)


@pytest.mark.parametrize("verbose", [1, 2])
def test_progbar_logger_evaluate_and_predict_match_keras(engine, verbose):
    def run(lib):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            p = lib.ProgbarLogger()
            p.set_params({"verbose": verbose, "epochs": 1, "steps": 2})
            p.on_test_begin()
            for b in range(2):
                p.on_test_batch_end(b, {"accuracy": 0.5, "loss": 0.001 * b})
            p.on_test_end({"accuracy": 0.5, "loss": 0.0001})
            q = lib.ProgbarLogger()
            q.set_params({"verbose": verbose, "epochs": 1, "steps": None})
            q.on_predict_begin()
            for b in range(4):
                q.on_predict_batch_end(b, {"outputs": np.ones(2)})
            q.on_predict_end()
        return _screen(out.getvalue())

    got = run(XC)
    assert got == run(KC)
    assert "4/4" in got and "loss: 1.0000e-04" in got


# --------------------------------------------------------------------------- BackupAndRestore


class _SavingModel(_Model):
    """Writes its weights (an epoch counter) as text so a backup can be restored."""

    built = True
    trainable_variables = ()

    def save_weights(self, path, overwrite=True):
        self.calls.append(("save_weights", os.path.basename(path)))
        with open(path, "w") as f:
            f.write(str(self.weights[0]))

    def load_weights(self, path):
        with open(path) as f:
            self.weights = [int(f.read())]


def test_backup_and_restore_files_and_resume(tmp_path):
    backup = tmp_path / "bk"
    model = _SavingModel()
    cb = XC.BackupAndRestore(backup, save_freq=3, double_checkpoint=True)
    cb.set_model(model)
    cb.on_train_begin()
    for e in range(3):
        model.weights = [e]
        cb.on_epoch_begin(e)
        for b in range(2):
            cb.on_train_batch_end(b)
        cb.on_epoch_end(e)
    # Interrupted before on_train_end: the backup stays, with the previous one beside it.
    assert sorted(os.listdir(backup)) == [
        "latest.weights.h5",
        "latest.weights.h5.bkp",
        "training_metadata.json",
        "training_metadata.json.bkp",
    ]
    assert (backup / "training_metadata.json").read_text() == '{"epoch": 2, "batch": 1}'
    fresh = _SavingModel()
    cb2 = XC.BackupAndRestore(backup)
    cb2.set_model(fresh)
    cb2.on_train_begin()
    assert fresh._initial_epoch == 2 and fresh.weights == [2]
    cb2.on_epoch_end(2)
    assert (backup / "training_metadata.json").read_text() == '{"epoch": 3, "batch": 0}'
    cb2.on_train_end()
    assert not backup.exists()


def test_backup_and_restore_bad_arguments_match_keras():
    for args in [{"backup_dir": ""}, {"backup_dir": "x", "save_freq": "b"}]:
        with pytest.raises(ValueError) as ref:
            KC.BackupAndRestore(**args)
        with pytest.raises(ValueError) as got:
            XC.BackupAndRestore(**args)
        assert str(got.value) == str(ref.value)
    assert vars(XC.BackupAndRestore("x"))["_weights_path"] == "x/latest.weights.h5"


# --------------------------------------------------------------------------- SwapEMAWeights


def test_swap_ema_weights_needs_ema_optimizer(engine):
    from kerasx import optimizers

    model = _Model()
    model.optimizer = optimizers.SGD(0.1)
    cb = XC.SwapEMAWeights()
    cb.set_model(model)
    with pytest.raises(ValueError, match="SwapEMAWeights must be used when `use_ema=True`"):
        cb.on_test_begin()


def test_swap_ema_weights_swaps_around_evaluation(engine):
    from kerasx import optimizers
    from kerasx.engine.variables import Variable

    var = Variable(np.array([1.0, 2.0], "float32"), name="w")
    opt = optimizers.SGD(0.1, use_ema=True)
    opt.build([var])
    opt._model_variables_moving_average[0].assign(np.array([5.0, 6.0], "float32"))
    model = _Model()
    model.optimizer = opt
    model.trainable_variables = [var]
    cb = XC.SwapEMAWeights()
    cb.set_model(model)

    def value(v):
        return np.asarray(kerasx.ops.convert_to_numpy(v.value)).tolist()

    cb.on_test_begin()
    assert value(var) == [5.0, 6.0]
    cb.on_test_end()
    assert value(var) == [1.0, 2.0]
    assert value(opt._model_variables_moving_average[0]) == [5.0, 6.0]


# --------------------------------------------------------------------------- inside a real fit
# Reference numbers were produced by Keras 3.15.1 (JAX backend) running the same script:
# Dense(1, kernel_initializer="ones") on fixed data, SGD, shuffle=False, so every number is
# deterministic. Both kerasx engines must reproduce them.

FIT_X = np.arange(16, dtype="float32").reshape(8, 2) / 16
FIT_Y = (FIT_X @ np.array([[2.0], [-1.0]], "float32") + 0.5).astype("float32")


def _fit_model(lr=0.1):
    if not hasattr(kerasx.layers, "Dense"):
        pytest.skip("kerasx.layers.Dense is not available yet")
    model = kerasx.Sequential(
        [kerasx.Input((2,)), kerasx.layers.Dense(1, kernel_initializer="ones")]
    )
    model.compile(kerasx.optimizers.SGD(lr), "mse", metrics=["mae"])
    return model


KERAS_STOPPED_HISTORY = {
    "loss": [0.10073496401309967, 0.08069829642772675],
    "mae": [0.2718749940395355, 0.25411397218704224],
    "val_loss": [0.07508400082588196, 0.08253525197505951],
    "val_mae": [0.24356451630592346, 0.262870192527771],
    "learning_rate": [0.10000000149011612, 0.10000000149011612],
}
KERAS_STOPPED_STDOUT = """
Epoch 1: LearningRateScheduler setting learning rate to 0.1.
Epoch 1/6
2/2 - T - T - loss: 0.1007 - mae: 0.2719 - val_loss: 0.0751 - val_mae: 0.2436 - learning_rate: 0.1000

Epoch 2: LearningRateScheduler setting learning rate to 0.1.
Epoch 2/6
2/2 - T - T - loss: 0.0807 - mae: 0.2541 - val_loss: 0.0825 - val_mae: 0.2629 - learning_rate: 0.1000
Epoch 2: early stopping
Restoring model weights from the end of the best epoch: 1.
"""


def test_fit_with_scheduler_early_stopping_and_csv_matches_keras(engine, tmp_path, capsys):
    model = _fit_model()
    rates = [0.1, 0.1, 0.05, 3.0, 3.0, 3.0]
    csv_path = tmp_path / "log.csv"
    history = model.fit(
        FIT_X,
        FIT_Y,
        epochs=6,
        batch_size=4,
        shuffle=False,
        verbose=2,
        validation_data=(FIT_X[:4], FIT_Y[:4]),
        callbacks=[
            XC.LearningRateScheduler(lambda e: rates[e], verbose=1),
            XC.EarlyStopping(monitor="val_mae", patience=1, verbose=1, restore_best_weights=True),
            XC.CSVLogger(csv_path),
        ],
    )
    assert model.history is history and history.epoch == [0, 1]
    assert list(history.history) == list(KERAS_STOPPED_HISTORY)
    for key, values in KERAS_STOPPED_HISTORY.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5)
    assert _TIMES.sub("T", capsys.readouterr().out) == KERAS_STOPPED_STDOUT
    lines = csv_path.read_text().splitlines()
    assert lines[0] == "epoch,learning_rate,loss,mae,val_loss,val_mae"
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    expected = [
        [e] + [KERAS_STOPPED_HISTORY[k][e] for k in sorted(KERAS_STOPPED_HISTORY)] for e in range(2)
    ]
    np.testing.assert_allclose(rows, expected, rtol=1e-5)
    # The weights of epoch 1 (the best val_mae) were put back.
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel.ravel(), [0.9502007365226746, 0.9480913877487183], rtol=1e-5)
    np.testing.assert_allclose(bias, [-0.03374999761581421], rtol=1e-5)


def test_fit_with_reduce_lr_on_plateau_matches_keras(engine, capsys):
    model = _fit_model()
    history = model.fit(
        FIT_X,
        FIT_Y,
        epochs=5,
        batch_size=4,
        shuffle=False,
        verbose=0,
        validation_data=(FIT_X[:4], FIT_Y[:4]),
        callbacks=[XC.ReduceLROnPlateau(monitor="val_mae", patience=0, factor=0.5, verbose=1)],
    )
    np.testing.assert_allclose(
        history.history["learning_rate"],
        [
            0.10000000149011612,
            0.10000000149011612,
            0.05000000074505806,
            0.02500000037252903,
            0.012500000186264515,
        ],
    )
    np.testing.assert_allclose(
        history.history["val_mae"],
        [
            0.24356451630592346,
            0.262870192527771,
            0.2596740126609802,
            0.2566608190536499,
            0.25491806864738464,
        ],
        rtol=1e-5,
    )
    out = capsys.readouterr().out
    assert out == "".join(
        f"\nEpoch {e}: ReduceLROnPlateau reducing learning rate to {lr}.\n"
        for e, lr in [
            (2, 0.05000000074505806),
            (3, 0.02500000037252903),
            (4, 0.012500000186264515),
            (5, 0.0062500000931322575),
        ]
    )


def test_fit_with_terminate_on_nan_matches_keras(engine, capsys):
    model = _fit_model(lr=50.0)
    with np.errstate(over="ignore", invalid="ignore"):  # the NumPy engine overflows loudly
        history = model.fit(
            FIT_X,
            FIT_Y,
            epochs=4,
            batch_size=2,
            shuffle=False,
            verbose=0,
            callbacks=[XC.TerminateOnNaN()],
        )
    # Keras: the loss overflows at batch 2 of the third epoch; that epoch still ends.
    assert history.epoch == [0, 1, 2]
    assert np.isinf(history.history["loss"][-1])
    assert capsys.readouterr().out == "Batch 2: Invalid loss, terminating training\n"


def test_fit_model_checkpoint_calls_save(engine, tmp_path):
    model = _fit_model()
    saved = []
    model.save_weights = lambda path, overwrite=True: saved.append(os.path.basename(path))
    model.fit(
        FIT_X,
        FIT_Y,
        epochs=3,
        batch_size=4,
        shuffle=False,
        verbose=0,
        validation_data=(FIT_X[:4], FIT_Y[:4]),
        callbacks=[
            XC.ModelCheckpoint(
                str(tmp_path / "w.{epoch:02d}-{val_loss:.4f}.weights.h5"),
                save_best_only=True,
                save_weights_only=True,
            )
        ],
    )
    # val_loss per epoch in Keras: 0.0751, 0.0825, 0.0802: only the first improves.
    assert saved == ["w.01-0.0751.weights.h5"]


def test_fit_progress_output_matches_keras_layout(engine, capsys):
    model = _fit_model()
    model.fit(FIT_X, FIT_Y, epochs=2, batch_size=4, shuffle=False, verbose=2)
    assert _TIMES.sub("T", capsys.readouterr().out) == (
        "Epoch 1/2\n2/2 - T - T - loss: 0.1007 - mae: 0.2719\n"
        "Epoch 2/2\n2/2 - T - T - loss: 0.0807 - mae: 0.2541\n"
    )
    model.fit(FIT_X, FIT_Y, epochs=1, batch_size=4, shuffle=False, verbose=1)
    line = _screen(capsys.readouterr().out)
    assert re.fullmatch(r"2/2 ━{20} T T - loss: \d\.\d{4} - mae: \d\.\d{4}\n", line)
    model.predict(FIT_X, batch_size=3, verbose=2)
    assert _TIMES.sub("T", capsys.readouterr().out) == "3/3 - T - T\n"


def test_fit_backup_and_restore_resumes(engine, tmp_path):
    """A real `.weights.h5` backup (weights and optimizer state) resumes the interrupted run
    exactly: the resumed model ends with the weights of an uninterrupted run."""

    class Boom(XC.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("interrupted")

    backup = tmp_path / "bk"
    model = _fit_model()
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(
            FIT_X,
            FIT_Y,
            epochs=5,
            batch_size=4,
            shuffle=False,
            verbose=0,
            callbacks=[XC.BackupAndRestore(backup), Boom()],
        )
    assert (backup / "training_metadata.json").read_text() == '{"epoch": 3, "batch": 0}'
    model = _fit_model()
    history = model.fit(
        FIT_X,
        FIT_Y,
        epochs=5,
        batch_size=4,
        shuffle=False,
        verbose=0,
        callbacks=[XC.BackupAndRestore(backup)],
    )
    assert history.epoch == [3, 4]
    assert not backup.exists()
    reference = _fit_model()
    reference.fit(FIT_X, FIT_Y, epochs=5, batch_size=4, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_fit_calls_batch_hooks_a_callback_overrides_and_skips_empty_ones():
    """The training loop skips batch hooks that no callback overrides (only History's empty
    ones): hooks overridden in a class, through the `on_batch_*` aliases, or set on an
    instance (LambdaCallback) are still called for every batch, train and test alike."""
    from kerasx.trainers.step_runner import _batch_hook

    calls = []

    class Alias(XC.Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("alias begin", batch))

    class Test(XC.Callback):
        def on_test_batch_end(self, batch, logs=None):
            calls.append(("test end", batch, sorted(logs)))

    lam = XC.LambdaCallback(on_train_batch_end=lambda batch, logs: calls.append(("end", batch)))
    model = kerasx.Sequential([kerasx.Input((3,)), kerasx.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((5, 3), "float32"), np.zeros((5, 2), "float32")
    model.fit(
        x,
        y,
        batch_size=2,
        epochs=1,
        verbose=0,
        callbacks=[Alias(), lam, Test()],
        validation_data=(x[:3], y[:3]),
    )
    assert calls == [
        ("alias begin", 0),
        ("end", 0),
        ("alias begin", 1),
        ("end", 1),
        ("alias begin", 2),
        ("end", 2),
        ("test end", 0, ["loss"]),
        ("test end", 1, ["loss"]),
    ]
    only_history = XC.CallbackList(add_history=True)
    assert all(
        _batch_hook(only_history, kind, when) is None
        for kind in ("train", "test")
        for when in ("begin", "end")
    )
    mixed = XC.CallbackList([Test()], add_history=True)
    assert _batch_hook(mixed, "train", "end") is None
    assert _batch_hook(mixed, "test", "end") is not None
    assert _batch_hook(None, "train", "begin") is None

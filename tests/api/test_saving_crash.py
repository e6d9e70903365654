"""Crash-safe writes: a failed or killed save never destroys the previous file, and a killed
training run resumes with BackupAndRestore, losing at most the epoch in progress."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import kerasx
from kerasx import callbacks, config, layers, models
from kerasx.engine.discovery import installed_engines
from kerasx.saving import weights_io

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _model():
    return kerasx.Sequential([kerasx.Input((3,)), layers.Dense(4), layers.Dense(1)])


def _leftovers(directory):
    return [n for n in os.listdir(directory) if n.startswith(".")]


def test_failed_save_keeps_previous_file(engine, tmp_path, monkeypatch):
    model = _model()
    path = tmp_path / "m.keras"
    model.save(path)
    wpath = tmp_path / "m.weights.h5"
    model.save_weights(wpath)
    before, wbefore = path.read_bytes(), wpath.read_bytes()

    def broken_config():
        raise RuntimeError("config failed")

    monkeypatch.setattr(model.layers[0], "get_config", broken_config)
    with pytest.raises(RuntimeError, match="config failed"):
        model.save(path)
    monkeypatch.undo()

    def broken_write(model, h5file):
        h5file.create_group("layers/partial")
        raise OSError("disk full")

    monkeypatch.setattr(weights_io, "write", broken_write)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(wpath)
    assert path.read_bytes() == before and wpath.read_bytes() == wbefore
    assert _leftovers(tmp_path) == []
    monkeypatch.undo()
    models.load_model(path)


def test_interrupted_atomic_write_leaves_target_and_no_temp(tmp_path):
    from kerasx.saving.saving_lib import atomic_write_path

    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_write_path(str(target)) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"half")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old" and _leftovers(tmp_path) == []


def _env(engine):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KERASX")}
    env["KERASX_BACKEND"] = engine
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_kill_during_repeated_saves_never_corrupts(tmp_path):
    """SIGKILL a process that keeps saving; the file on disk always loads, whole. (The write
    path is the same on every engine; this runs the saving process on the NumPy engine.)"""
    engine = "numpy"
    path = tmp_path / "m.keras"
    script = tmp_path / "saver.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            import kerasx
            from kerasx import layers
            model = kerasx.Sequential([kerasx.Input((3,)), layers.Dense(64), layers.Dense(1)])
            i = 0
            while True:
                model.layers[1].bias.assign([float(i)])
                model.save({str(path)!r})
                i += 1
                if i == 1:
                    print("saved", flush=True)
            """
        )
    )
    for delay in (0.05, 0.13, 0.31):
        proc = subprocess.Popen(
            [sys.executable, str(script)], stdout=subprocess.PIPE, env=_env(engine)
        )
        assert proc.stdout.readline().strip() == b"saved"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        loaded = models.load_model(path)
        value = float(np.asarray(loaded.layers[1].bias.numpy())[0])
        assert value == int(value) >= 0  # one of the whole saves, read back completely
    for name in _leftovers(tmp_path):  # a killed writer may leave only its temp file
        assert name.endswith(".tmp")


TRAIN_SCRIPT = """
import sys, time
import numpy as np
import kerasx
from kerasx import layers, callbacks

backup, out, slow = sys.argv[1], sys.argv[2], float(sys.argv[3])
rng = np.random.default_rng(0)
x = rng.random((32, 3)).astype("float32")
y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")
model = kerasx.Sequential([kerasx.Input((3,)), layers.Dense(4, kernel_initializer="ones"),
                           layers.Dense(1, kernel_initializer="ones")])
model.compile(kerasx.optimizers.Adam(0.01), "mse")

class Report(callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        time.sleep(slow)
    def on_epoch_end(self, epoch, logs=None):
        print("epoch_end", epoch, flush=True)

cbs = [callbacks.BackupAndRestore(backup), Report()] if backup != "-" else [Report()]
history = model.fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0, callbacks=cbs)
np.savez(out, *model.get_weights(), epochs=np.array(history.epoch))
print("done", flush=True)
"""


def test_sigkill_mid_training_resumes_with_backup_and_restore(engine, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN_SCRIPT)
    backup = str(tmp_path / "backup")
    env = _env(engine)
    proc = subprocess.Popen(
        [sys.executable, str(script), backup, str(tmp_path / "killed.npz"), "0.05"],
        stdout=subprocess.PIPE,
        env=env,
    )
    seen = []
    while True:
        line = proc.stdout.readline().decode().split()
        assert line, "the training process ended before it could be killed"
        seen.append(int(line[1]))
        if seen[-1] == 2:
            break
    time.sleep(0.1)  # in the middle of the fourth epoch (4 batches of 50 ms)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert not (tmp_path / "killed.npz").exists()
    resumed = subprocess.run(
        [sys.executable, str(script), backup, str(tmp_path / "resumed.npz"), "0"],
        capture_output=True,
        env=env,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    reference = subprocess.run(
        [sys.executable, str(script), "-", str(tmp_path / "reference.npz"), "0"],
        capture_output=True,
        env=env,
        timeout=300,
    )
    assert reference.returncode == 0, reference.stderr.decode()
    got = np.load(tmp_path / "resumed.npz")
    want = np.load(tmp_path / "reference.npz")
    epochs = list(got["epochs"])
    # Epochs 0-2 finished before the kill; at most the epoch in progress is redone.
    assert epochs[0] in (3, 4) and epochs[-1] == 5
    for i in range(4):
        np.testing.assert_allclose(got[f"arr_{i}"], want[f"arr_{i}"], rtol=1e-5, atol=1e-6)
    assert not os.path.exists(backup)  # deleted after the completed run


def test_model_checkpoint_writes_loadable_files(engine, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = _model()
    model.compile("adam", "mse")
    model.fit(
        x,
        y,
        epochs=2,
        batch_size=8,
        verbose=0,
        validation_data=(x, y),
        callbacks=[
            callbacks.ModelCheckpoint(str(tmp_path / "m.{epoch}.keras")),
            callbacks.ModelCheckpoint(
                str(tmp_path / "best.weights.h5"), save_best_only=True, save_weights_only=True
            ),
        ],
    )
    assert sorted(n for n in os.listdir(tmp_path)) == ["best.weights.h5", "m.1.keras", "m.2.keras"]
    last = models.load_model(tmp_path / "m.2.keras")
    np.testing.assert_allclose(last.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    fresh = _model()
    fresh.load_weights(tmp_path / "best.weights.h5")

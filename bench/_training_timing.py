"""The timed workloads of bench/training.py: the worker processes, the driver's rounds, and
the cProfile of one kerasx run (``--profile``).

Worker side (`worker_main`, run by ``training.py --worker NAME``): a `Worker` holds the
trainers of one competitor and answers the driver's requests (``setup``, then ``w1``,
``predict``, ``w3``, ``w3 spe``) with timings. Driver side (`run_training`): one `Remote` per
competitor; warm-up in each, then rounds that run one competitor at a time (see
bench/_isolation.py) in an order that rotates every round.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import _isolation
from _competitors import REQUIRES, factory
from _training_common import (
    BATCH_PREDICT,
    BATCH_W1,
    BATCH_W3,
    ENTRY,
    MARK,
    N_W3,
    REPO,
    SEED,
    SPE,
    THREADS,
    _env_for,
    _thread_env,
    answer_channel,
    load_data,
    make_data,
)

# =========================================================================== worker side


_CPU: list[float] = []  # process CPU seconds (all threads) of the last _timed call


def _timed(fn, *args):
    cpu = time.process_time()
    start = time.perf_counter()
    out = fn(*args)
    wall = time.perf_counter() - start
    _CPU[:] = [time.process_time() - cpu]
    return wall, out


class Worker:
    """Holds the trainers of one competitor and answers the driver's measurement requests."""

    def __init__(self, name: str, folder: str) -> None:
        self.name = name
        self.x, self.y, self.init = load_data(folder)
        self.x3, self.y3 = self.x[:N_W3], self.y[:N_W3]
        self.make = factory(name)
        self.spe = name in ("kerasx-jax", "keras-jax")
        self.models: dict[str, object] = {}

    def setup(self, shuffle: bool) -> dict:
        """Build one trainer per workload from the same initial weights and warm each up."""
        out = {}
        self.models["w1"] = self.make(self.init)
        self.models["predict"] = self.make(self.init)
        self.models["w3"] = self.make(self.init)
        if self.spe:
            self.models["w3 spe"] = self.make(self.init, SPE)
        if shuffle:
            for m in self.models.values():
                m.set_shuffle(SEED)
        t, loss = _timed(self.models["w1"].fit_epoch, self.x, self.y, BATCH_W1)
        out["w1_first"], out["w1_loss"] = t, loss
        t, pred = _timed(self.models["predict"].predict, self.x, BATCH_PREDICT)
        out["predict_first"], out["predict_head"] = t, pred[:4].tolist()
        out["predict_shape"] = list(pred.shape)
        for key in ("w3", "w3 spe"):
            if key in self.models:
                t, loss = _timed(self.models[key].fit_epoch, self.x3, self.y3, BATCH_W3)
                out[key + "_first"], out[key + "_loss"] = t, loss
        return out

    def handle(self, request: dict) -> dict:
        op = request["op"]
        if op == "setup":
            return self.setup(request.get("shuffle", False))
        if op == "w1":
            t, loss = _timed(self.models["w1"].fit_epoch, self.x, self.y, BATCH_W1)
            return {"t": t, "cpu": _CPU[0], "loss": loss}
        if op == "predict":
            t, _ = _timed(self.models["predict"].predict, self.x, BATCH_PREDICT)
            return {"t": t, "cpu": _CPU[0]}
        if op in ("w3", "w3 spe"):
            times, cpus, losses = [], [], []
            for _ in range(request.get("epochs", 1)):
                t, loss = _timed(self.models[op].fit_epoch, self.x3, self.y3, BATCH_W3)
                times.append(t)
                cpus.append(_CPU[0])
                losses.append(loss)
            return {"t": times, "cpu": cpus, "loss": losses}
        raise ValueError(f"unknown request {op!r}")


def worker_main(name: str, folder: str) -> None:
    answers = answer_channel()
    try:
        worker = Worker(name, folder)
        answers.write(MARK + json.dumps({"ok": True}) + "\n")
    except Exception as exc:  # report, do not hang the driver
        answers.write(MARK + json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
        return
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        try:
            reply = worker.handle(request)
        except Exception as exc:
            import traceback

            traceback.print_exc()
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(MARK + json.dumps(reply) + "\n")


# =========================================================================== driver side


def _read_answer(proc, log_path: str) -> dict:
    for line in proc.stdout:
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    with open(log_path) as f:
        tail = f.read()[-3000:]
    raise RuntimeError(f"worker exited without answering; its stderr ends with:\n{tail}")


class Remote:
    """The driver's handle on one worker process."""

    def __init__(self, name: str, folder: str) -> None:
        self.name = name
        self.log = tempfile.NamedTemporaryFile("w", suffix=f"-{name}.log", delete=False)
        self.proc = subprocess.Popen(
            [sys.executable, ENTRY, "--worker", name, "--data", folder],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=_env_for(name),
            cwd=REPO,
        )
        hello = _read_answer(self.proc, self.log.name)
        if "error" in hello:
            raise RuntimeError(hello["error"])
        _isolation.register(self.proc)

    def ask(self, **request) -> dict:
        _isolation.run_alone(self.proc)  # see bench/_isolation.py
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = _read_answer(self.proc, self.log.name)
        if "error" in answer:
            raise RuntimeError(f"{self.name}: {answer['error']} (log: {self.log.name})")
        return answer

    def close(self) -> None:
        _isolation.release(self.proc)
        try:
            self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()


def available(names: list[str]) -> tuple[list[str], dict[str, str]]:
    import importlib.util

    ok, skipped = [], {}
    for name in names:
        missing = [m for m in REQUIRES[name] if importlib.util.find_spec(m) is None]
        if missing:
            skipped[name] = "not installed: " + ", ".join(missing)
        else:
            ok.append(name)
    return ok, skipped


def run_training(
    names: list[str], folder: str, rounds: int, w3_epochs: int, shuffle: bool, fresh: bool = False
):
    """Setup + warm-up in each worker, then alternating measurement rounds. With `fresh`,
    every round after the first starts new workers (set-up and warm-up again, not timed): a
    process's speed varies by a few percent from one process to the next (memory layout), and
    the medians then come from `rounds` processes per competitor instead of one."""
    remotes: dict[str, Remote] = {}
    setups: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    for name in names:
        print(f"  starting {name} ...", flush=True)
        try:
            remote = Remote(name, folder)
            setups[name] = remote.ask(op="setup", shuffle=shuffle)
            remotes[name] = remote
        except Exception as exc:
            skipped[name] = f"failed: {exc}"
            print(f"  {name} skipped: {exc}", flush=True)
    times: dict[str, list[float]] = {}
    losses: dict[str, list[float]] = {}

    def add(key: str, answer: dict) -> None:
        for prefix, field in (("", "t"), ("cpu ", "cpu")):
            value = answer[field]
            times.setdefault(prefix + key, []).extend(value if isinstance(value, list) else [value])

    live = list(remotes)
    try:
        for r in range(rounds):
            if fresh and r:
                for name in live:
                    remotes.pop(name).close()
                    remotes[name] = Remote(name, folder)
                    remotes[name].ask(op="setup", shuffle=shuffle)
            order = live[r % len(live) :] + live[: r % len(live)] if live else []
            for name in order:
                a = remotes[name].ask(op="w1")
                add(f"w1 {name}", a)
                losses.setdefault(name, []).append(a["loss"])
            for name in order:
                add(f"predict {name}", remotes[name].ask(op="predict"))
            for name in order:
                add(f"w3 {name}", remotes[name].ask(op="w3", epochs=w3_epochs))
                if "w3 spe_first" in setups[name]:
                    a = remotes[name].ask(op="w3 spe", epochs=w3_epochs)
                    add(f"w3 {name} spe={SPE}", a)
            w1 = " ".join(f"{n}={times[f'w1 {n}'][-1]:.3f}s" for n in live)
            print(f"  round {r + 1}/{rounds}: W1 {w1}", flush=True)
    finally:
        for remote in remotes.values():
            remote.close()
    return setups, times, losses, skipped


# =========================================================================== profile


def _thread_env_for_profile(threads: int) -> dict | None:
    THREADS["n"] = threads
    env = _thread_env(dict(os.environ))
    if all(os.environ.get(k) == v for k, v in env.items()):
        return None
    return env


def profile_main(engine: str, workload: str) -> None:
    """cProfile one kerasx fit/predict on `engine` after a warm-up; prints the top costs."""
    import cProfile
    import pstats

    os.environ["KERASX_BACKEND"] = engine
    with tempfile.TemporaryDirectory() as folder:
        make_data(folder)
        x, y, init = load_data(folder)
    trainer = factory(f"kerasx-{engine}")(init)
    if workload == "w3":
        x, y, batch = x[:N_W3], y[:N_W3], BATCH_W3

        def run():
            return trainer.fit_epoch(x, y, batch)
    elif workload == "predict":

        def run():
            return trainer.predict(x, BATCH_PREDICT)
    else:

        def run():
            return trainer.fit_epoch(x, y, BATCH_W1)

    run()  # warm-up / compile
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    run()
    prof.disable()
    print(f"profiled {workload} on kerasx-{engine}: {time.perf_counter() - start:.3f} s")
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(35)

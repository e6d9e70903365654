"""Training benchmarks of issue 3: kerasx vs Keras 3, hand-written JAX, NumPy and PyTorch.

Run: python bench/training.py [--quick] [--markdown] [--only NAME,NAME] [--shuffle]
     python bench/training.py --memory-only [--only kerasx-numpy,hand-numpy]
     python bench/training.py --profile numpy|jax [--workload w1|w3|predict]

Workloads (see bench/README.md):
- W1: MLP 784 -> Dense(128, relu) -> Dense(10, softmax), Adam(1e-3), sparse categorical
  cross-entropy, batch 128, one epoch over 60,000 synthetic float32 samples;
- W1-predict: predict 60,000 samples at batch 1024;
- W3: the same MLP at batch 32 over 2,000 samples, time per step (also
  steps_per_execution=10 for kerasx on JAX and Keras 3);
- import: `import kerasx` (NumPy engine) and import + first op, in fresh processes;
- memory: peak RSS of one W1 `fit` over the process's RSS before it, in fresh processes.

Every competitor lives in its own long-running worker process (so Keras can fix its backend
and kerasx's JAX engine cannot change JAX flags under the hand-written JAX loop). The driver
sends the workers one measurement at a time, alternating the competitors in rounds whose order
rotates, and reports medians and ratios. Warm-up (and compile) runs happen before the rounds
and are reported separately.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import _isolation  # noqa: E402
from _competitors import COMPETITORS, REQUIRES, factory  # noqa: E402

N_TRAIN = 60_000
N_W3 = 2_000
BATCH_W1 = 128
BATCH_PREDICT = 1024
BATCH_W3 = 32
SPE = 10
SEED = 1234
MARK = "@@bench "

# (workload label, kerasx competitor, reference competitor, target ratio or None)
TARGETS = [
    ("W1 epoch", "kerasx-numpy", "hand-numpy", 1.15),
    ("W1 epoch", "kerasx-jax", "hand-jax", 1.0),
    ("W1 epoch", "kerasx-jax", "keras-jax", None),
    ("W1 epoch", "kerasx-jax", "torch", None),
    ("W1 epoch", "kerasx-numpy", "torch", None),
    ("W1-predict", "kerasx-numpy", "hand-numpy", None),
    ("W1-predict", "kerasx-jax", "hand-jax", None),
    ("W1-predict", "kerasx-jax", "keras-jax", None),
    ("W3 step", "kerasx-numpy", "hand-numpy", 1.3),
    ("W3 step", "kerasx-jax", "hand-jax", 1.05),
    ("W3 step", "kerasx-jax spe=10", "hand-jax", 1.05),
    ("W3 step", "kerasx-jax", "keras-jax", None),
    ("W3 step", "kerasx-jax spe=10", "keras-jax spe=10", None),
]


# =========================================================================== data


def make_data(folder: str) -> dict:
    """Synthetic, learnable data and Glorot-uniform initial weights, saved as .npy files."""
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((N_TRAIN, 784), dtype=np.float32)
    teacher = rng.standard_normal((784, 10), dtype=np.float32)
    logits = x @ teacher + rng.standard_normal((N_TRAIN, 10), dtype=np.float32) * 8.0
    y = logits.argmax(axis=1).astype(np.int32)
    init = []
    for fan_in, fan_out in ((784, 128), (128, 10)):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        init.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        init.append(np.zeros(fan_out, np.float32))
    np.save(os.path.join(folder, "x.npy"), x)
    np.save(os.path.join(folder, "y.npy"), y)
    for i, w in enumerate(init):
        np.save(os.path.join(folder, f"w{i}.npy"), w)
    return {"x_mb": x.nbytes / 2**20}


def load_data(folder: str) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    x = np.load(os.path.join(folder, "x.npy"))
    y = np.load(os.path.join(folder, "y.npy"))
    init = [np.load(os.path.join(folder, f"w{i}.npy")) for i in range(4)]
    return x, y, init


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
    # Answers go to a private copy of stdout; anything a library prints goes to stderr.
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
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


# =========================================================================== memory


def _proc_status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _release_free_heap() -> None:
    """Give memory the C heap holds free back to the system (glibc `malloc_trim`), so that a
    fit's growth is counted in full: otherwise what the set-up freed (a large temporary
    raises glibc's mmap threshold, and later frees then stay in the heap) is reused by the fit
    without showing in RSS, by chance and by different amounts per competitor."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux: clear_refs 5); False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# The memory of a wider MLP (784 -> WIDE -> 10) shows how `fit`'s memory grows with the model,
# beside W1, whose state (1.2 MiB with Adam's slots) is smaller than a framework's fixed costs.
WIDE = 2048


def wide_init(hidden: int) -> list[np.ndarray]:
    """Glorot-uniform weights of the MLP 784 -> hidden -> 10 (seeded)."""
    rng = np.random.default_rng(SEED + hidden)
    init = []
    for fan_in, fan_out in ((784, hidden), (hidden, 10)):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        init.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        init.append(np.zeros(fan_out, np.float32))
    return init


def memory_main(name: str, folder: str, use_tracemalloc: bool, hidden: int | None = None) -> None:
    """Peak memory of one W1 fit epoch (or of the MLP with `hidden` units), in this fresh
    process; prints one JSON line."""
    import gc
    import resource

    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    x, y, init = load_data(folder)
    if hidden:
        init = wide_init(hidden)
    trainer = factory(name)(init)  # import and build: part of the baseline
    gc.collect()
    _release_free_heap()
    setup_peak_kb = _proc_status_kb("VmHWM") or 0
    reset = _reset_peak()
    base_kb = _proc_status_kb("VmRSS") or 0
    # ru_maxrss of a child started by a big parent includes the parent's RSS at fork time,
    # so it is used only where the kernel's peak mark cannot be reset.
    base_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out: dict = {"peak_reset": reset, "base_mb": base_kb / 1024}
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
        loss = trainer.fit_epoch(x, y, BATCH_W1)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.update(traced_peak_mb=peak / 2**20, traced_end_mb=current / 2**20, loss=loss)
    else:
        loss = trainer.fit_epoch(x, y, BATCH_W1)
        hwm = _proc_status_kb("VmHWM")
        if reset and hwm is not None:
            out["first_fit_mb"] = (hwm - base_kb) / 1024
            out["total_peak_mb"] = max(hwm, setup_peak_kb) / 1024
        else:
            maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            out["first_fit_mb"] = max(0, maxrss - max(base_maxrss, base_kb)) / 1024
        out["after_fit_mb"] = (_proc_status_kb("VmRSS") or 0) / 1024
        gc.collect()
        if _reset_peak():
            base2 = _proc_status_kb("VmRSS") or 0
            trainer.fit_epoch(x, y, BATCH_W1)
            out["second_fit_mb"] = ((_proc_status_kb("VmHWM") or 0) - base2) / 1024
        out["loss"] = loss
    answers.write(MARK + json.dumps(out) + "\n")


# =========================================================================== driver side


THREADS = {"n": 1}  # set from --threads in main()


def _thread_env(env: dict) -> dict:
    """Limit BLAS / OpenMP / XLA CPU threads in a child's environment (0: library defaults).

    On a shared 2-core machine, OpenBLAS's and PyTorch's OpenMP threads spin while waiting for
    each other; when another process holds a core, an epoch of the hand-written NumPy loop goes
    from 0.3 s to 10 s. One thread each makes the numbers comparable and stable.
    """
    n = THREADS["n"]
    if n > 0:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(n)
        if n == 1:
            flags = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
            if flags not in env.get("XLA_FLAGS", ""):
                env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + flags).strip()
    return env


def _env_for(name: str) -> dict:
    env = _thread_env(dict(os.environ))
    env.pop("KERAS_BACKEND", None)
    env.pop("KERASX_BACKEND", None)
    env.update(COMPETITORS[name][1])
    env["PYTHONPATH"] = os.pathsep.join([REPO, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


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
            [sys.executable, os.path.abspath(__file__), "--worker", name, "--data", folder],
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


def run_training(names: list[str], folder: str, rounds: int, w3_epochs: int, shuffle: bool):
    """Setup + warm-up in each worker, then alternating measurement rounds."""
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


IMPORT_SNIPPETS = {
    "import kerasx (NumPy engine)": (
        {"KERASX_BACKEND": "numpy"},
        "import kerasx as lib",
        "lib.ops.add(lib.ops.ones((3,)), 1.0)",
    ),
    "import kerasx (JAX engine)": (
        {"KERASX_BACKEND": "jax"},
        "import kerasx as lib",
        "lib.ops.add(lib.ops.ones((3,)), 1.0)",
    ),
    "import keras (JAX backend)": (
        {"KERAS_BACKEND": "jax"},
        "import keras as lib",
        "lib.ops.add(lib.ops.ones((3,)), 1.0)",
    ),
    "import keras (NumPy backend)": (
        {"KERAS_BACKEND": "numpy"},
        "import keras as lib",
        "lib.ops.add(lib.ops.ones((3,)), 1.0)",
    ),
}


def _import_once(env_extra: dict, stmt: str, first_op: str) -> dict:
    code = (
        "import time, sys, json\n"
        "t0 = time.perf_counter()\n"
        f"{stmt}\n"
        "t1 = time.perf_counter()\n"
        f"{first_op}\n"
        "t2 = time.perf_counter()\n"
        "print(json.dumps({'import': t1 - t0, 'first_op': t2 - t0, "
        "'jax_loaded': 'jax' in sys.modules}))\n"
    )
    env = _thread_env(dict(os.environ))
    env.pop("KERAS_BACKEND", None)
    env.pop("KERASX_BACKEND", None)
    env.update(env_extra)
    env["PYTHONPATH"] = os.pathsep.join([REPO, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_imports(repeats: int) -> tuple[dict, dict]:
    import importlib.util

    labels = [
        k
        for k in IMPORT_SNIPPETS
        if not ("keras " in k and importlib.util.find_spec("keras") is None)
        and not ("JAX" in k and importlib.util.find_spec("jax") is None)
    ]
    results: dict[str, list[dict]] = {k: [] for k in labels}
    for label in labels:  # warm the file cache; not counted
        _import_once(*IMPORT_SNIPPETS[label])
    for r in range(repeats):
        for label in labels[r % len(labels) :] + labels[: r % len(labels)]:
            results[label].append(_import_once(*IMPORT_SNIPPETS[label]))
    med = {
        label: {
            "import": statistics.median(d["import"] for d in rs),
            "first_op": statistics.median(d["first_op"] for d in rs),
            "jax_loaded": any(d["jax_loaded"] for d in rs),
        }
        for label, rs in results.items()
    }
    raw = {label: [round(d["import"], 4) for d in rs] for label, rs in results.items()}
    return med, raw


def _memory_env(name: str, pyc_cache: str) -> dict:
    """The environment of a memory child: as for timing, and with Python's bytecode cache on
    (in `pyc_cache`). Installed packages come with compiled bytecode; where the environment
    turns writing it off (PYTHONDONTWRITEBYTECODE), every module a `fit` imports for the first
    time would be compiled from source inside the measured window, and the compiler's
    memory (about 2 MiB for one large module) would be counted as the fit's."""
    env = _env_for(name)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = pyc_cache
    return env


def run_memory(names: list[str], folder: str, repeats: int, traced: bool) -> dict:
    """Memory of `fit` per competitor (W1), and of the wide MLP for the NumPy competitors
    (under the key ``"<name> wide"``)."""
    results: dict[str, dict] = {}
    jobs = [(n, False, None) for n in names]
    jobs += [(n, True, None) for n in names if traced and "numpy" in n]
    jobs += [(n, False, WIDE) for n in names if n in ("kerasx-numpy", "hand-numpy")]
    pyc_cache = os.path.join(folder, "pyc-cache")

    def command(name: str, use_tm: bool, hidden: int | None) -> list[str]:
        cmd = [sys.executable, os.path.abspath(__file__), "--memory", name, "--data", folder]
        if use_tm:
            cmd.append("--tracemalloc")
        if hidden:
            cmd += ["--hidden", str(hidden)]
        return cmd

    for name in names:  # a first run per competitor fills the bytecode cache (not counted)
        env = _memory_env(name, pyc_cache)
        subprocess.run(command(name, False, None), capture_output=True, env=env, cwd=REPO)
    for r in range(repeats):
        for name, use_tm, hidden in jobs[r % len(jobs) :] + jobs[: r % len(jobs)]:
            if use_tm and r > 0:
                continue  # tracemalloc counts allocations exactly; once is enough
            env = _memory_env(name, pyc_cache)
            out = subprocess.run(
                command(name, use_tm, hidden), capture_output=True, text=True, env=env, cwd=REPO
            )
            lines = [ln for ln in out.stdout.splitlines() if ln.startswith(MARK)]
            if out.returncode != 0 or not lines:
                print(f"  memory {name} failed: {out.stderr[-1500:]}", flush=True)
                continue
            answer = json.loads(lines[-1][len(MARK) :])
            slot = results.setdefault(f"{name} wide" if hidden else name, {})
            for key, value in answer.items():
                slot.setdefault(key, []).append(value)
    return {
        name: {
            k: (
                statistics.median(v)
                if isinstance(v[0], (int, float)) and not isinstance(v[0], bool)
                else v[0]
            )
            for k, v in d.items()
        }
        for name, d in results.items()
    }


# =========================================================================== report


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def machine_info() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    try:
        info["kerasx commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
        ).stdout.strip()
    except OSError:
        pass
    import importlib.metadata as md

    for pkg in ("jax", "jaxlib", "optax", "keras", "torch"):
        try:
            info[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            info[pkg] = "missing"
    return info


W3_STEPS = -(-N_W3 // BATCH_W3)


def _display_key(raw_key: str) -> tuple[str, float]:
    """'w3 kerasx-jax' -> ('W3 step kerasx-jax', 1/steps): the row label and a scale."""
    kind, rest = raw_key.split(" ", 1)
    if kind == "w3":
        return f"W3 step {rest}", 1.0 / W3_STEPS
    if kind == "w1":
        return f"W1 epoch {rest}", 1.0
    return f"W1-predict {rest}", 1.0


def summarize(times: dict) -> tuple[dict, dict, list[tuple]]:
    """Wall and CPU medians per row, and the target rows (label, kx, ref, a, b, ratio, ...)."""
    med: dict[str, float] = {}
    cpu: dict[str, float] = {}
    low: dict[str, float] = {}
    for key, xs in times.items():
        if key.startswith("cpu "):
            label, scale = _display_key(key[4:])
            cpu[label] = _median(xs) * scale
        else:
            label, scale = _display_key(key)
            med[label] = _median(xs) * scale
            low[label] = min(xs) * scale
    rows = []
    for label, kx, ref, target in TARGETS:
        a, b = med.get(f"{label} {kx}"), med.get(f"{label} {ref}")
        if a is None or b is None:
            continue
        ratio = a / b
        met = None if target is None else ratio <= target
        # Noise on a shared machine only adds time: the ratio of the fastest runs is a
        # second opinion next to the ratio of the medians.
        min_ratio = low[f"{label} {kx}"] / low[f"{label} {ref}"]
        rows.append((label, kx, ref, a, b, ratio, target, met, min_ratio))
    return med, cpu, rows


def _fmt_time(label: str, seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if label.startswith("W3") else f"{seconds:.3f} s"


def print_text(
    info, load, setups, times, losses, imports, import_raw, memory, med, cpu, rows, skipped
):
    print("\n=== kerasx training benchmarks (bench/training.py) ===")
    for k, v in info.items():
        print(f"{k:16s} {v}")
    print(f"load average     before {load[0]}  after {load[1]}")
    for name, why in skipped.items():
        print(f"SKIPPED {name}: {why}")

    print("\n-- loss check (W1 warm-up epoch from the same initial weights; W3 warm-up) --")
    ref = setups.get("hand-numpy", {}).get("w1_loss")
    for name, s in setups.items():
        flag = ""
        if ref is not None and abs(s["w1_loss"] - ref) > 0.02 * abs(ref) + 1e-3:
            flag = "  <-- DISAGREES with hand-numpy"
        w3 = f"  W3 {s['w3_loss']:.5f}" + (
            f" (spe={SPE}: {s['w3 spe_loss']:.5f})" if "w3 spe_loss" in s else ""
        )
        last = losses.get(name, [float("nan")])[-1]
        print(f"{name:14s} W1 {s['w1_loss']:.5f}  after all rounds {last:.5f}{w3}{flag}")
    print("\n-- predict check (first rows on the initial weights, max |diff| vs hand-numpy) --")
    head = setups.get("hand-numpy", {}).get("predict_head")
    for name, s in setups.items():
        diff = float(np.max(np.abs(np.array(s["predict_head"]) - np.array(head)))) if head else 0
        print(f"{name:14s} shape {s['predict_shape']}  max|diff| {diff:.2e}")

    print("\n-- timed runs: median wall time, median process CPU time (all threads), spread --")
    for raw_key in sorted(k for k in times if not k.startswith("cpu ")):
        key, scale = _display_key(raw_key)
        xs = [v * scale for v in times[raw_key]]
        print(
            f"{key:34s} {_fmt_time(key, med[key]):>10s}  cpu {_fmt_time(key, cpu[key]):>10s}"
            f"   (min {_fmt_time(key, min(xs))}, max {_fmt_time(key, max(xs))}, n={len(xs)})"
        )

    print("\n-- warm-up / compile (first call minus the median timed call) --")
    for name, s in setups.items():
        parts = [f"W1 first epoch {s['w1_first']:.3f}s"]
        if f"W1 epoch {name}" in med:
            parts.append(f"compile+first-call {s['w1_first'] - med[f'W1 epoch {name}']:+.3f}s")
        if f"W1-predict {name}" in med:
            parts.append(
                f"predict first {s['predict_first']:.3f}s "
                f"({s['predict_first'] - med[f'W1-predict {name}']:+.3f}s)"
            )
        if "w3 spe_first" in s:
            parts.append(f"W3 spe={SPE} first epoch {s['w3 spe_first']:.3f}s")
        print(f"{name:14s} " + ", ".join(parts))

    if imports:
        print("\n-- import (fresh processes, medians) --")
        for label, d in imports.items():
            print(
                f"{label:30s} import {d['import']:.3f}s  import+first op {d['first_op']:.3f}s"
                f"  jax loaded: {d['jax_loaded']}   raw {import_raw[label]}"
            )
    if memory:
        print(f"\n-- memory of one fit epoch (fresh processes, MiB; wide: hidden {WIDE}) --")
        for name, d in memory.items():
            parts = [f"baseline RSS {d.get('base_mb', 0):.1f}"]
            if "first_fit_mb" in d:
                parts.append(f"first fit peak +{d['first_fit_mb']:.1f}")
            if "second_fit_mb" in d:
                parts.append(f"second fit peak +{d['second_fit_mb']:.1f}")
            if "total_peak_mb" in d:
                parts.append(f"process peak {d['total_peak_mb']:.1f}")
            if "traced_peak_mb" in d:
                parts.append(
                    f"tracemalloc peak {d['traced_peak_mb']:.2f} (left at end {d['traced_end_mb']:.2f})"
                )
            print(f"{name:14s} " + ", ".join(parts))

    print("\n-- targets (ratio of medians; ratio of the fastest runs in brackets) --")
    for label, kx, ref, a, b, ratio, target, met, min_ratio in rows:
        verdict = "-" if met is None else ("met" if met else "NOT MET")
        tgt = f"<= {target:.2f}x" if target else "-"
        print(
            f"{label:11s} {kx:18s} {_fmt_time(label, a):>11s} vs {ref:16s} {_fmt_time(label, b):>11s}"
            f"  ratio {ratio:.3f} ({min_ratio:.3f})  target {tgt:9s} {verdict}"
        )


def extra_rows(imports: dict, memory: dict) -> list[tuple]:
    rows = []
    imp = imports.get("import kerasx (NumPy engine)")
    if imp:
        ref = imports.get("import keras (JAX backend)")
        rows.append(
            (
                "import kerasx (NumPy engine)",
                f"{imp['import']:.3f} s",
                f"{imp['import'] / ref['import']:.2f}x import keras (JAX)" if ref else "-",
                "<= 0.25 s",
                imp["import"] <= 0.25,
            )
        )
        rows.append(
            ("import kerasx + first op (NumPy)", f"{imp['first_op']:.3f} s", "-", "-", None)
        )
    for kx, ref in (("kerasx-numpy", "hand-numpy"), ("kerasx-jax", "hand-jax")):
        a, b = memory.get(kx), memory.get(ref)
        for label, suffix in (
            ("fit peak memory", ""),
            (f"fit peak memory, hidden {WIDE}", " wide"),
        ):
            ours, theirs = memory.get(kx + suffix), memory.get(ref + suffix)
            if ours and theirs and "first_fit_mb" in ours and "first_fit_mb" in theirs:
                ratio = ours["first_fit_mb"] / max(theirs["first_fit_mb"], 1e-9)
                rows.append(
                    (
                        f"{label} ({kx})",
                        f"+{ours['first_fit_mb']:.1f} MiB",
                        f"{ratio:.2f}x {ref} (+{theirs['first_fit_mb']:.1f} MiB)",
                        "<= 1.10x",
                        ratio <= 1.1,
                    )
                )
        if a and b and "second_fit_mb" in a and "second_fit_mb" in b:
            rows.append(
                (
                    f"second fit peak memory ({kx})",
                    f"+{a['second_fit_mb']:.1f} MiB",
                    f"{ref} +{b['second_fit_mb']:.1f} MiB",
                    "-",
                    None,
                )
            )
        if a and b and "traced_peak_mb" in a and "traced_peak_mb" in b:
            rows.append(
                (
                    f"fit tracemalloc peak ({kx})",
                    f"{a['traced_peak_mb']:.2f} MiB",
                    f"{ref} {b['traced_peak_mb']:.2f} MiB",
                    "-",
                    None,
                )
            )
    return rows


def print_extra(extra: list[tuple]) -> None:
    """Print the import and memory rows (see `extra_rows`) with their verdicts."""
    for label, value, vs, target, met in extra:
        verdict = "-" if met is None else ("met" if met else "NOT MET")
        print(f"{label:34s} {value:>12s}  {vs:40s} target {target:9s} {verdict}")


def print_markdown(rows, extra, med, load, info) -> None:
    def verdict(met):
        return "-" if met is None else ("yes" if met else "**no**")

    print(
        "\n| workload | kerasx | time | competitor | competitor time | ratio | ratio of minima "
        "| target | met? |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, kx, ref, a, b, ratio, target, met, min_ratio in rows:
        tgt = f"<= {target:.2f}x" if target else "-"
        print(
            f"| {label} | {kx} | {_fmt_time(label, a)} | {ref} | {_fmt_time(label, b)} | "
            f"{ratio:.3f} | {min_ratio:.3f} | {tgt} | {verdict(met)} |"
        )
    for label, value, vs, target, met in extra:
        print(f"| {label} | | {value} | | {vs} | | | {target} | {verdict(met)} |")
    print(
        f"\n{info['cpus']} CPUs, load average {load[0]} before and {load[1]} after; "
        f"kerasx {info.get('kerasx commit', '?')}, jax {info['jax']}, keras {info['keras']}, "
        f"torch {info['torch']}, numpy {info['numpy']}."
    )
    print("\n| competitor | W1 epoch | W1-predict | W3 step |")
    print("|---|---|---|---|")
    names = sorted({k.split(" ", 2)[2] for k in med if k.startswith("W1 epoch")})
    for name in names:
        cells = [
            _fmt_time("W1", med[f"W1 epoch {name}"]),
            _fmt_time("W1", med[f"W1-predict {name}"]) if f"W1-predict {name}" in med else "-",
            _fmt_time("W3", med[f"W3 step {name}"]) if f"W3 step {name}" in med else "-",
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
        spe = f"W3 step {name} spe={SPE}"
        if spe in med:
            print(f"| {name} spe={SPE} | - | - | {_fmt_time('W3', med[spe])} |")


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


# =========================================================================== main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (about a minute)")
    parser.add_argument("--markdown", action="store_true", help="also print README tables")
    parser.add_argument("--only", help="comma-separated competitors (default: all available)")
    parser.add_argument("--rounds", type=int, help="timed rounds (default 5, quick 3)")
    parser.add_argument("--shuffle", action="store_true", help="shuffle every epoch (all)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS/OpenMP/XLA threads per competitor (default 1; 0 = library defaults)",
    )
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only the memory measurements (no timing; they do not depend on the machine's load)",
    )
    parser.add_argument("--profile", choices=["numpy", "jax"], help="cProfile kerasx's fit")
    parser.add_argument("--workload", choices=["w1", "w3", "predict"], default="w1")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--hidden", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        return worker_main(args.worker, args.data)
    if args.memory:
        return memory_main(args.memory, args.data, args.tracemalloc, args.hidden)
    if args.profile:
        env = _thread_env_for_profile(args.threads)
        if env is not None:  # thread limits must be in place before NumPy loads BLAS
            os.execve(sys.executable, [sys.executable, *sys.argv], env)
        return profile_main(args.profile, args.workload)

    THREADS["n"] = args.threads
    rounds = args.rounds or (3 if args.quick else 5)
    w3_epochs = 2 if args.quick else 3
    wanted = args.only.split(",") if args.only else list(COMPETITORS)
    unknown = [n for n in wanted if n not in COMPETITORS]
    if unknown:
        parser.error(f"unknown competitors {unknown}; expected some of {list(COMPETITORS)}")
    names, skipped = available(wanted)
    if args.memory_only:
        with tempfile.TemporaryDirectory(prefix="kerasx-bench-") as folder:
            make_data(folder)
            memory = run_memory(names, folder, 1 if args.quick else 2, not args.quick)
        print_extra(extra_rows({}, memory))
        return None
    load_before = tuple(round(v, 2) for v in os.getloadavg())
    info = machine_info()
    info["threads"] = f"{args.threads} per competitor" if args.threads else "library defaults"
    print(f"load average before: {load_before}; {info['cpus']} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="kerasx-bench-") as folder:
        make_data(folder)
        print("training workloads ...", flush=True)
        setups, times, losses, failed = run_training(names, folder, rounds, w3_epochs, args.shuffle)
        skipped.update(failed)
        imports, import_raw = {}, {}
        if not args.skip_import:
            print("import times ...", flush=True)
            imports, import_raw = run_imports(3 if args.quick else 7)
        memory = {}
        if not args.skip_memory:
            print("memory ...", flush=True)
            mem_names = [n for n in setups]
            memory = run_memory(mem_names, folder, 1 if args.quick else 2, not args.quick)
    load_after = tuple(round(v, 2) for v in os.getloadavg())
    med, cpu, rows = summarize(times)
    extra = extra_rows(imports, memory)
    print_text(
        info,
        (load_before, load_after),
        setups,
        times,
        losses,
        imports,
        import_raw,
        memory,
        med,
        cpu,
        rows,
        skipped,
    )
    print_extra(extra)
    if args.markdown:
        print_markdown(rows, extra, med, (load_before, load_after), info)


if __name__ == "__main__":
    main()

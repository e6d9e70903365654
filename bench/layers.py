"""Layer benchmarks of issue 4: a small CNN and an LSTM, kerasx vs Keras 3, JAX and PyTorch.

Run: python bench/layers.py [--quick] [--markdown] [--only NAME,NAME] [--threads N]

Workloads (synthetic data, the same initial weights for every competitor):
- CNN: 28x28x1 -> Conv2D(32, 3, relu) -> Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten ->
  Dense(128, relu) -> Dense(10, softmax); Adam(1e-3), sparse categorical cross-entropy,
  batch 128. Reported: the time of 50 training steps (median step time x 50).
- LSTM: 50 steps x 32 features -> LSTM(64) -> Dense(1); Adam(1e-3), MSE, batch 64.
  Reported: the time of 30 training steps.

Competitors: kerasx on the NumPy and JAX engines (`model.train_on_batch`), Keras 3 on JAX
(the same), a hand-written `jax.jit` + optax step, and a hand-written PyTorch CPU step. Each
lives in its own worker process; the driver alternates them in rounds (the machine is shared
and noisy: its load is printed) and reports medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import _isolation  # noqa: E402

MARK = "@@bench "
SEED = 7
CNN_BATCH, CNN_STEPS = 128, 50
LSTM_BATCH, LSTM_T, LSTM_F, LSTM_UNITS, LSTM_STEPS = 64, 50, 32, 64, 30
LR = 1e-3

COMPETITORS = {
    "kerasx-numpy": {"KERASX_BACKEND": "numpy"},
    "kerasx-jax": {"KERASX_BACKEND": "jax"},
    "keras-jax": {"KERAS_BACKEND": "jax"},
    "hand-jax": {},
    "torch": {},
}
REQUIRES = {"kerasx-jax": "jax", "keras-jax": "keras", "hand-jax": "optax", "torch": "torch"}
# (workload, kerasx competitor, reference, target ratio or None)
TARGETS = [
    ("CNN", "kerasx-numpy", "torch", 1.3),
    ("CNN", "kerasx-jax", "keras-jax", 1.0),
    ("CNN", "kerasx-jax", "torch", None),
    ("LSTM", "kerasx-numpy", "torch", 1.2),
    ("LSTM", "kerasx-jax", "torch", 1.2),
    ("LSTM", "kerasx-jax", "keras-jax", None),
]


# =========================================================================== data and weights


def make_data() -> dict:
    rng = np.random.default_rng(SEED)

    def glorot(shape, fan_in, fan_out):
        lim = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-lim, lim, size=shape).astype(np.float32)

    cnn = {
        "x": rng.standard_normal((CNN_BATCH, 28, 28, 1), dtype=np.float32),
        "y": rng.integers(0, 10, size=(CNN_BATCH,)).astype(np.int32),
        # Keras layouts: conv kernels (kh, kw, in, out), dense (in, out)
        "w": [
            glorot((3, 3, 1, 32), 9, 9 * 32),
            np.zeros(32, np.float32),
            glorot((3, 3, 32, 64), 9 * 32, 9 * 64),
            np.zeros(64, np.float32),
            glorot((12 * 12 * 64, 128), 12 * 12 * 64, 128),
            np.zeros(128, np.float32),
            glorot((128, 10), 128, 10),
            np.zeros(10, np.float32),
        ],
    }
    lstm = {
        "x": rng.standard_normal((LSTM_BATCH, LSTM_T, LSTM_F), dtype=np.float32),
        "y": rng.standard_normal((LSTM_BATCH, 1), dtype=np.float32),
        # Keras layout: kernel (F, 4U), recurrent (U, 4U), bias (4U,), gates i, f, c, o
        "w": [
            glorot((LSTM_F, 4 * LSTM_UNITS), LSTM_F, 4 * LSTM_UNITS),
            glorot((LSTM_UNITS, 4 * LSTM_UNITS), LSTM_UNITS, 4 * LSTM_UNITS),
            np.concatenate(
                [np.zeros(LSTM_UNITS), np.ones(LSTM_UNITS), np.zeros(2 * LSTM_UNITS)]
            ).astype(np.float32),
            glorot((LSTM_UNITS, 1), LSTM_UNITS, 1),
            np.zeros(1, np.float32),
        ],
    }
    return {"cnn": cnn, "lstm": lstm}


# =========================================================================== competitors


class KerasStyle:
    """kerasx or Keras 3: the model written the Keras way, stepped with train_on_batch."""

    def __init__(self, keras, workload: str, data: dict) -> None:
        L = keras.layers
        if workload == "cnn":
            model = keras.Sequential(
                [
                    keras.Input((28, 28, 1)),
                    L.Conv2D(32, 3, activation="relu"),
                    L.Conv2D(64, 3, activation="relu"),
                    L.MaxPooling2D(2),
                    L.Flatten(),
                    L.Dense(128, activation="relu"),
                    L.Dense(10, activation="softmax"),
                ]
            )
            loss = "sparse_categorical_crossentropy"
        else:
            model = keras.Sequential(
                [keras.Input((LSTM_T, LSTM_F)), L.LSTM(LSTM_UNITS), L.Dense(1)]
            )
            loss = "mse"
        model.set_weights(data["w"])
        model.compile(optimizer=keras.optimizers.Adam(LR), loss=loss)
        self.model, self.x, self.y = model, data["x"], data["y"]

    def step(self) -> float:
        return float(np.asarray(self.model.train_on_batch(self.x, self.y)))


class HandJax:
    def __init__(self, workload: str, data: dict) -> None:
        import jax
        import jax.numpy as jnp
        import optax

        params = [jnp.asarray(w) for w in data["w"]]
        opt = optax.adam(LR, b1=0.9, b2=0.999, eps=1e-7)

        if workload == "cnn":

            def loss_fn(p, x, y):
                dn = ("NHWC", "HWIO", "NHWC")
                h = jax.lax.conv_general_dilated(x, p[0], (1, 1), "VALID", dimension_numbers=dn)
                h = jax.nn.relu(h + p[1])
                h = jax.lax.conv_general_dilated(h, p[2], (1, 1), "VALID", dimension_numbers=dn)
                h = jax.nn.relu(h + p[3])
                h = jax.lax.reduce_window(
                    h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID"
                )
                h = h.reshape(h.shape[0], -1)
                h = jax.nn.relu(h @ p[4] + p[5])
                logits = h @ p[6] + p[7]
                return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

        else:
            u = LSTM_UNITS

            def loss_fn(p, x, y):
                def cell(carry, xt):
                    h, c = carry
                    z = xt @ p[0] + h @ p[1] + p[2]
                    i, f = jax.nn.sigmoid(z[:, :u]), jax.nn.sigmoid(z[:, u : 2 * u])
                    g, o = jnp.tanh(z[:, 2 * u : 3 * u]), jax.nn.sigmoid(z[:, 3 * u :])
                    c = f * c + i * g
                    h = o * jnp.tanh(c)
                    return (h, c), None

                zeros = jnp.zeros((x.shape[0], u), x.dtype)
                (h, _), _ = jax.lax.scan(cell, (zeros, zeros), jnp.swapaxes(x, 0, 1))
                return jnp.mean((h @ p[3] + p[4] - y) ** 2)

        def step(p, s, x, y):
            loss, grads = jax.value_and_grad(loss_fn)(p, x, y)
            updates, s = opt.update(grads, s, p)
            return optax.apply_updates(p, updates), s, loss

        self._step = jax.jit(step, donate_argnums=(0, 1))
        self.p, self.s = params, opt.init(params)
        self.x, self.y = jnp.asarray(data["x"]), jnp.asarray(data["y"])

    def step(self) -> float:
        self.p, self.s, loss = self._step(self.p, self.s, self.x, self.y)
        return float(loss)


class HandTorch:
    def __init__(self, workload: str, data: dict) -> None:
        import torch

        torch.set_num_threads(max(1, int(os.environ.get("BENCH_THREADS", "2") or 2)))
        w = [torch.from_numpy(np.array(a)) for a in data["w"]]
        nn = torch.nn
        if workload == "cnn":
            conv1, conv2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3)
            fc1, fc2 = nn.Linear(12 * 12 * 64, 128), nn.Linear(128, 10)
            with torch.no_grad():
                conv1.weight.copy_(w[0].permute(3, 2, 0, 1))
                conv1.bias.copy_(w[1])
                conv2.weight.copy_(w[2].permute(3, 2, 0, 1))
                conv2.bias.copy_(w[3])
                # Keras flattens NHWC; torch flattens NCHW: permute the rows of fc1 to match.
                fc1.weight.copy_(
                    w[4].reshape(12, 12, 64, 128).permute(2, 0, 1, 3).reshape(-1, 128).T
                )
                fc1.bias.copy_(w[5])
                fc2.weight.copy_(w[6].T)
                fc2.bias.copy_(w[7])
            self.model = nn.Sequential(
                conv1,
                nn.ReLU(),
                conv2,
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Flatten(),
                fc1,
                nn.ReLU(),
                fc2,
            )
            self.x = torch.from_numpy(np.ascontiguousarray(data["x"].transpose(0, 3, 1, 2)))
            self.y = torch.from_numpy(data["y"].astype(np.int64))
            self.loss = nn.CrossEntropyLoss()
            self.forward = self.model
        else:
            u = LSTM_UNITS
            lstm, fc = nn.LSTM(LSTM_F, u, batch_first=True), nn.Linear(u, 1)
            with torch.no_grad():
                # torch gates are i, f, g, o like Keras's i, f, c, o; one bias suffices.
                lstm.weight_ih_l0.copy_(w[0].T)
                lstm.weight_hh_l0.copy_(w[1].T)
                lstm.bias_ih_l0.copy_(w[2])
                lstm.bias_hh_l0.zero_()
                fc.weight.copy_(w[3].T)
                fc.bias.copy_(w[4])
            self.model = nn.ModuleList([lstm, fc])

            def forward(x):
                out, _ = lstm(x)
                return fc(out[:, -1])

            self.forward = forward
            self.x, self.y = torch.from_numpy(data["x"]), torch.from_numpy(data["y"])
            self.loss = nn.MSELoss()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=LR, eps=1e-7)

    def step(self) -> float:
        self.opt.zero_grad()
        loss = self.loss(self.forward(self.x), self.y)
        loss.backward()
        self.opt.step()
        return float(loss.detach())


def build(name: str, workload: str, data: dict):
    if name.startswith("kerasx"):
        import kerasx

        return KerasStyle(kerasx, workload, data)
    if name == "keras-jax":
        import keras

        return KerasStyle(keras, workload, data)
    if name == "hand-jax":
        return HandJax(workload, data)
    return HandTorch(workload, data)


# =========================================================================== worker / driver


def worker_main(name: str) -> None:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    data = make_data()
    models: dict = {}
    answers.write(MARK + json.dumps({"hello": name}) + "\n")
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "quit":
            break
        try:
            wl = req["workload"]
            if wl not in models:
                t0 = time.perf_counter()
                models[wl] = build(name, wl, data[wl])
                first = models[wl].step()
                models[wl].step()
                answer = {"first": time.perf_counter() - t0, "loss": first}
            else:
                times = []
                for _ in range(req["steps"]):
                    t0 = time.perf_counter()
                    loss = models[wl].step()
                    times.append(time.perf_counter() - t0)
                answer = {"times": times, "loss": loss}
        except Exception as e:  # reported by the driver
            answer = {"error": f"{type(e).__name__}: {e}"}
        answers.write(MARK + json.dumps(answer) + "\n")


def _env(name: str, threads: int) -> dict:
    env = dict(os.environ)
    for var in ("KERAS_BACKEND", "KERASX_BACKEND"):
        env.pop(var, None)
    env.update(COMPETITORS[name])
    if threads > 0:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
        env["BENCH_THREADS"] = str(threads)
    env["PYTHONPATH"] = os.pathsep.join([REPO, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


class Remote:
    def __init__(self, name: str, threads: int) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=_env(name, threads),
            cwd=REPO,
        )
        self._read()
        _isolation.register(self.proc)

    def _read(self) -> dict:
        for line in self.proc.stdout:
            if line.startswith(MARK):
                answer = json.loads(line[len(MARK) :])
                if "error" in answer:
                    raise RuntimeError(f"{self.name}: {answer['error']}")
                return answer
        raise RuntimeError(f"{self.name}: the worker exited")

    def ask(self, **req) -> dict:
        _isolation.run_alone(self.proc)  # see bench/_isolation.py
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        _isolation.release(self.proc)
        try:
            self.proc.stdin.write('{"op": "quit"}\n')
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()


def available(names: list[str]) -> list[str]:
    import importlib.util

    return [n for n in names if REQUIRES.get(n) is None or importlib.util.find_spec(REQUIRES[n])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker")
    ap.add_argument("--quick", action="store_true", help="fewer rounds")
    ap.add_argument("--markdown", action="store_true", help="also print the README rows")
    ap.add_argument("--only", help="comma-separated competitors")
    ap.add_argument("--workloads", default="cnn,lstm")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2, help="BLAS/torch threads (0: defaults)")
    args = ap.parse_args()
    if args.worker:
        worker_main(args.worker)
        return
    names = available(args.only.split(",") if args.only else list(COMPETITORS))
    workloads = args.workloads.split(",")
    rounds = args.rounds or (2 if args.quick else 5)
    per_round = {"cnn": 4 if args.quick else 6, "lstm": 10}
    load_before = os.getloadavg()
    skipped: dict = {}
    times: dict = {}
    first: dict = {}
    for wl in workloads:
        # Fresh workers for each workload: one workload's leftovers (the CNN's buffers in
        # five processes) must not weigh on the next one's timings.
        remotes = {}
        for n in names:
            try:
                remotes[n] = Remote(n, args.threads)
            except Exception as e:
                skipped[n] = str(e)
        for n, r in list(remotes.items()):
            try:
                first[(wl, n)] = r.ask(op="run", workload=wl)
            except Exception as e:
                skipped[f"{n} {wl}"] = str(e)
        for k in range(rounds):
            order = list(remotes)[k % len(remotes) :] + list(remotes)[: k % len(remotes)]
            for n in order:
                if (wl, n) not in first:
                    continue
                ans = remotes[n].ask(op="run", workload=wl, steps=per_round[wl])
                times.setdefault((wl, n), []).extend(ans["times"])
            print(f"  {wl} round {k + 1}/{rounds} done", file=sys.stderr)
        for r in remotes.values():
            r.close()
    steps = {"cnn": CNN_STEPS, "lstm": LSTM_STEPS}
    med = {key: statistics.median(v) * steps[key[0]] for key, v in times.items()}
    print("=== kerasx layer benchmarks (bench/layers.py) ===")
    print(f"cpus {os.cpu_count()}  python {platform.python_version()}  numpy {np.__version__}")
    print(f"threads per competitor: {args.threads or 'library defaults'}")
    print(f"load average before {load_before}  after {os.getloadavg()}")
    for n, why in skipped.items():
        print(f"SKIPPED {n}: {why}")
    print(f"\n-- median time of {CNN_STEPS} CNN steps / {LSTM_STEPS} LSTM steps --")
    for (wl, n), t in sorted(med.items()):
        f = first[(wl, n)]["first"]
        print(f"{wl.upper():5s} {n:14s} {t:8.3f} s   (build + first two steps {f:.2f} s)")
    print("\n-- targets (ratio of medians) --")
    rows = []
    for wl, ours, ref, target in TARGETS:
        a, b = med.get((wl.lower(), ours)), med.get((wl.lower(), ref))
        if a is None or b is None:
            continue
        ratio = a / b
        verdict = "-" if target is None else ("met" if ratio <= target else "NOT MET")
        tgt = "-" if target is None else f"<= {target}x"
        print(
            f"{wl:5s} {ours:14s} {a:8.3f} s vs {ref:12s} {b:8.3f} s  ratio {ratio:6.3f}  "
            f"target {tgt:8s} {verdict}"
        )
        rows.append((wl, ours, a, ref, b, ratio, tgt, verdict))
    if args.markdown:
        print("\n| workload | kerasx | time | vs | time | ratio | target | |")
        print("|---|---|---|---|---|---|---|---|")
        for wl, ours, a, ref, b, ratio, tgt, verdict in rows:
            print(
                f"| {wl} | {ours} | {a:.3f} s | {ref} | {b:.3f} s | {ratio:.2f} | {tgt} | "
                f"{verdict} |"
            )


if __name__ == "__main__":
    main()

"""What the parts of bench/training.py share: the workloads' sizes, their data and initial
weights, the protocol of the child processes, and the child processes' environment.

The driver (bench/training.py) starts itself again as worker and memory children
(``--worker NAME`` / ``--memory NAME``, ``--data FOLDER``): `ENTRY` is that script. A child
answers with one line per request that starts with `MARK` on a private copy of stdout
(`answer_channel`), so that whatever a library prints cannot be taken for an answer.
"""

from __future__ import annotations

import os
import sys

import numpy as np
from _competitors import COMPETITORS

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENTRY = os.path.join(HERE, "training.py")  # the script the children run

N_TRAIN = 60_000
N_W3 = 2_000
BATCH_W1 = 128
BATCH_PREDICT = 1024
BATCH_W3 = 32
SPE = 10
SEED = 1234
MARK = "@@bench "

# The memory of a wider MLP (784 -> WIDE -> 10) shows how `fit`'s memory grows with the model,
# beside W1, whose state (1.2 MiB with Adam's slots) is smaller than a framework's fixed costs.
WIDE = 2048


# =========================================================================== data


def _glorot_mlp(rng: np.random.Generator, hidden: int) -> list[np.ndarray]:
    """Glorot-uniform kernels and zero biases of the MLP 784 -> hidden -> 10, drawn from `rng`."""
    init = []
    for fan_in, fan_out in ((784, hidden), (hidden, 10)):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        init.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        init.append(np.zeros(fan_out, np.float32))
    return init


def make_data(folder: str) -> dict:
    """Synthetic, learnable data and Glorot-uniform initial weights, saved as .npy files."""
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((N_TRAIN, 784), dtype=np.float32)
    teacher = rng.standard_normal((784, 10), dtype=np.float32)
    logits = x @ teacher + rng.standard_normal((N_TRAIN, 10), dtype=np.float32) * 8.0
    y = logits.argmax(axis=1).astype(np.int32)
    init = _glorot_mlp(rng, 128)
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


def wide_init(hidden: int) -> list[np.ndarray]:
    """Glorot-uniform weights of the MLP 784 -> hidden -> 10 (seeded)."""
    return _glorot_mlp(np.random.default_rng(SEED + hidden), hidden)


# =========================================================================== child processes


def answer_channel():
    """In a child: a private copy of stdout for the answers; from then on, anything a library
    prints goes to stderr."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answers


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


def child_env(extra: dict) -> dict:
    """A child's environment: this one with the thread limits, no backend choice but `extra`'s,
    and the repository first on PYTHONPATH."""
    env = _thread_env(dict(os.environ))
    env.pop("KERAS_BACKEND", None)
    env.pop("KERASX_BACKEND", None)
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join([REPO, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _env_for(name: str) -> dict:
    """The environment of competitor `name`'s children (its backend variables set)."""
    return child_env(COMPETITORS[name][1])

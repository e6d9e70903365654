"""Import time of bench/training.py: `import kerasx` (NumPy and JAX engines) and, as
references, `import keras` (JAX and NumPy backends), each in fresh processes, with the time to
the first op. Measured inside the child with `time.perf_counter`, so interpreter start-up is
not included.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from _training_common import REPO, child_env

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
    env = child_env(env_extra)
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

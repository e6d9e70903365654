"""Reference numbers from real Keras 3 on JAX, computed in a subprocess (Keras's NumPy backend
cannot train): the calling test module defines ``CASES`` and ``_run(keras_module, case)``.

Used by the parity tests (`from keras_reference import keras_jax_reference`) in a
module-scoped fixture; skips when Keras or JAX is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_SCRIPT = """
import json, sys
sys.path.insert(0, {testdir!r})
import keras
import {module} as t
print("@@" + json.dumps({{c: t._run(keras, c) for c in t.CASES}}))
"""


def keras_jax_reference(module: str) -> dict:
    """``{case: module._run(keras, case)}`` for every case, run by Keras on JAX."""
    pytest.importorskip("keras")
    pytest.importorskip("jax")
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    script = _SCRIPT.format(testdir=os.path.dirname(os.path.abspath(__file__)), module=module)
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0:
        pytest.fail(f"Keras reference run failed:\n{proc.stderr[-3000:]}")
    line = [x for x in proc.stdout.splitlines() if x.startswith("@@")][-1]
    return json.loads(line[2:])

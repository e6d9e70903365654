"""examples/cnn_digits.py trains its functional CNN to a good test accuracy on every engine.

The script runs as a user would run it (a subprocess with ``KERASX_BACKEND`` set), at its
default settings. Measured (seed 0): 0.9805 on the NumPy engine and 0.9749 on JAX.
"""

import os
import pathlib
import re
import subprocess
import sys

import pytest
from conftest import SUITE_XLA_FLAGS

from kerasx.engine import discovery

SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "examples" / "cnn_digits.py"


@pytest.mark.parametrize("engine", discovery.installed_engines())
def test_cnn_digits_reaches_96_5_percent(engine):
    env = dict(os.environ, KERASX_BACKEND=engine)
    if env.get("XLA_FLAGS") == SUITE_XLA_FLAGS:
        # the suite's compile-fast setting makes XLA's convolutions several times slower
        del env["XLA_FLAGS"]
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--verbose", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert f"engine: {engine}" in out
    match = re.search(r"test accuracy (\d\.\d+)", out)
    assert match, out
    assert float(match.group(1)) >= 0.965, out

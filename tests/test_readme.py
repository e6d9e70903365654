"""The README's quickstart runs and converges on every engine."""

import pathlib
import re

import numpy as np
import pytest

import kerasx
from kerasx.engine import discovery

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("engine", discovery.installed_engines())
def test_quickstart(engine, capsys):
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    namespace: dict = {}
    try:
        kerasx.config.set_backend(engine)
        exec(compile(code, "README quickstart", "exec"), namespace)  # noqa: S102
    finally:
        kerasx.config.set_backend("numpy")
    w = np.asarray(kerasx.ops.convert_to_numpy(namespace["w"])).ravel()
    np.testing.assert_allclose(w, [1.0, -2.0, 0.5], atol=1e-3)
    assert float(capsys.readouterr().out.split()[0]) < 1e-6

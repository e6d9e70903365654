"""The README's quickstart blocks run and do what they say on every engine."""

import pathlib
import re

import numpy as np
import pytest

import kerasx
from kerasx.engine import discovery

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def _run(code, engine):
    namespace: dict = {}
    try:
        kerasx.config.set_backend(engine)
        kerasx.backend.clear_session()
        exec(compile(code, "README quickstart", "exec"), namespace)  # noqa: S102
    finally:
        kerasx.config.set_backend("numpy")
    return namespace


@pytest.mark.parametrize("engine", discovery.installed_engines())
def test_quickstart_model_trains(engine, capsys):
    namespace = _run(_blocks()[0], engine)
    assert namespace["accuracy"] > 0.95
    assert float(capsys.readouterr().out.split()[1]) > 0.95
    assert len(namespace["history"].history["val_loss"]) == 50


@pytest.mark.parametrize("engine", discovery.installed_engines())
def test_quickstart_autodiff_converges(engine, capsys):
    namespace = _run(_blocks()[1], engine)
    w = np.asarray(kerasx.ops.convert_to_numpy(namespace["w"])).ravel()
    np.testing.assert_allclose(w, [1.0, -2.0, 0.5], atol=1e-3)
    assert float(capsys.readouterr().out.split()[0]) < 1e-6

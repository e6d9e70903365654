"""The examples run end to end with tiny settings, and agree across engines."""

import importlib.util
import pathlib

import pytest

import kerasx
from kerasx.engine import discovery

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("engine", discovery.installed_engines())
def test_digits_classifier_learns(engine, capsys):
    example = _load("digits_classifier")
    try:
        kerasx.config.set_backend(engine)
        result = example.main(["--epochs", "3"])
    finally:
        kerasx.config.set_backend("numpy")
    out = capsys.readouterr().out
    assert f"engine: {engine}" in out and "test accuracy" in out
    assert result["accuracy"] > 0.85  # a linear baseline reaches ~0.9; chance is 0.1
    assert result["loss"] < 0.8


def test_digits_classifier_same_numbers_on_every_engine():
    engines = discovery.installed_engines()
    if len(engines) < 2:
        pytest.skip("needs two engines")
    example = _load("digits_classifier")
    results = {}
    for engine in engines:
        try:
            kerasx.config.set_backend(engine)
            results[engine] = example.main(["--epochs", "1"])
        finally:
            kerasx.config.set_backend("numpy")
    losses = [r["loss"] for r in results.values()]
    assert max(losses) - min(losses) < 1e-4 * abs(losses[0])

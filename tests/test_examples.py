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
def test_digits_classifier_reaches_97_percent(engine, capsys):
    """The README's main job, at its default settings, on every engine."""
    example = _load("digits_classifier")
    try:
        kerasx.config.set_backend(engine)
        result = example.main(["--verbose", "0"])
    finally:
        kerasx.config.set_backend("numpy")
    out = capsys.readouterr().out
    assert f"engine: {engine}" in out and "test accuracy" in out
    assert result["accuracy"] >= 0.97


def test_digits_classifier_prints_keras_style_progress(capsys):
    example = _load("digits_classifier")
    example.main(["--epochs", "2", "--verbose", "2"])
    out = capsys.readouterr().out
    assert 'Model: "digits_mlp"' in out and "Epoch 2/2" in out
    assert "\x1b" not in out and "\r" not in out  # plain lines when not on a terminal


@pytest.mark.parametrize("engine", discovery.installed_engines())
def test_custom_training_loop_learns(engine, capsys):
    example = _load("custom_training_loop")
    try:
        kerasx.config.set_backend(engine)
        result = example.main(["--epochs", "3"])
    finally:
        kerasx.config.set_backend("numpy")
    out = capsys.readouterr().out
    assert f"engine: {engine}" in out and "test accuracy" in out
    assert result["accuracy"] > 0.85  # a linear baseline reaches ~0.9; chance is 0.1
    assert result["loss"] < 0.8


def test_custom_training_loop_same_numbers_on_every_engine():
    engines = discovery.installed_engines()
    if len(engines) < 2:
        pytest.skip("needs two engines")
    example = _load("custom_training_loop")
    results = {}
    for engine in engines:
        try:
            kerasx.config.set_backend(engine)
            results[engine] = example.main(["--epochs", "1"])
        finally:
            kerasx.config.set_backend("numpy")
    losses = [r["loss"] for r in results.values()]
    assert max(losses) - min(losses) < 1e-4 * abs(losses[0])

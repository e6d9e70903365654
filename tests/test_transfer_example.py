"""examples/transfer_learning.py runs end to end on every engine (small settings)."""

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
def test_transfer_learning_example(engine, tmp_path, capsys):
    example = _load("transfer_learning")
    try:
        kerasx.config.set_backend(engine)
        result = example.main(
            [
                "--pretrain-epochs",
                "8",
                "--head-epochs",
                "6",
                "--finetune-epochs",
                "2",
                "--workdir",
                str(tmp_path),
            ]
        )
    finally:
        kerasx.config.set_backend("numpy")
    out = capsys.readouterr().out
    assert f"engine: {engine}" in out and "reloaded copy predicts the same: True" in out
    assert result["reloaded_same"]
    assert result["head_accuracy"] > 0.6  # chance is 0.2
    assert result["tuned_accuracy"] >= result["head_accuracy"] - 0.05
    assert (tmp_path / "digits_0_4.keras").exists() and (tmp_path / "digits_5_9.keras").exists()

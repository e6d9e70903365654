"""kerasx.ops and its namespaces hold exactly the Keras 3 names, each backed by an OpDef."""

import subprocess
import sys
import types

import pytest

import kerasx
from kerasx import ops
from kerasx.testing import surface


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (ops, surface.OPS),
        (ops.numpy, surface.OPS_NUMPY),
        (ops.nn, surface.OPS_NN),
        (ops.linalg, surface.OPS_LINALG),
        (ops.image, surface.OPS_IMAGE),
    ],
    ids=["ops", "numpy", "nn", "linalg", "image"],
)
def test_namespace_matches_keras(module, names):
    namespaces = {"numpy", "nn", "linalg", "image"}
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
    } | ({n for n in namespaces if hasattr(module, n)} if module is ops else set())
    expected = set(names)
    assert expected - public == set(), "missing names"
    extra = public - expected - (namespaces if module is ops else set())
    assert extra == set(), "names Keras does not have"
    for name in expected - namespaces:
        fn = getattr(module, name)
        assert getattr(fn, "opdef", None) is not None, f"{name} has no OpDef"
        assert fn.__doc__, f"{name} has no docstring"


def test_keras_aliases_are_the_same_object():
    assert ops.swish is ops.silu
    assert ops.hard_swish is ops.hard_silu


def test_generated_modules_are_up_to_date(tmp_path):
    """The generator writes what is checked in (into a scratch folder: the tree is left alone)."""
    import importlib.util
    import pathlib

    if importlib.util.find_spec("ruff") is None:
        pytest.skip("the generator formats its output with ruff (the test extra), not installed")
    root = pathlib.Path(kerasx.__file__).resolve().parent.parent
    names = ("__init__", "numpy", "nn", "linalg", "image")
    subprocess.run(
        [sys.executable, str(root / "tools" / "gen_namespaces.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for m in names:
        checked_in = (root / "kerasx" / "ops" / f"{m}.py").read_text()
        assert (tmp_path / f"{m}.py").read_text() == checked_in, f"kerasx/ops/{m}.py is stale"


def test_random_namespace_matches_keras():
    public = {n for n in vars(kerasx.random) if not n.startswith("_")}
    assert set(surface.RANDOM) <= public

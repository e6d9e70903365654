"""`import kerasx` is lazy: it activates the engine and loads the rest on first access.

These tests check behaviour, not time: what a fresh interpreter has imported after
`import kerasx`, that every public name still resolves (attribute access, `from ... import`,
`dir`), that the op registry completes itself on demand, and that engine errors still raise
at import.
"""

import ast
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import kerasx
from kerasx import ops
from kerasx.testing import surface

ROOT = pathlib.Path(kerasx.__file__).resolve().parent.parent


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KERASX")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_import_loads_only_the_engine_on_numpy():
    r = _run(
        """
        import sys
        import kerasx
        heavy = ["jax", "kerasx.layers", "kerasx.models", "kerasx.trainers", "kerasx.optimizers",
                 "kerasx.metrics", "kerasx.callbacks", "kerasx.ops.elementwise",
                 "kerasx.ops.nn_activations"]
        print(kerasx.config.backend(), [m for m in heavy if m in sys.modules])
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "numpy []"


def test_lazy_names_resolve_in_a_fresh_interpreter():
    r = _run(
        """
        import numpy as np
        import kerasx as keras
        from kerasx import ops
        from kerasx.ops import add, relu
        from kerasx.models import Sequential
        import kerasx.ops.numpy as knp

        assert keras.Sequential is Sequential is keras.models.Sequential
        assert keras.layers.Dense is keras.layers.core.dense.Dense
        assert keras.Variable is keras.engine.variables.Variable
        assert add is ops.add and relu is ops.nn.relu and knp.add is ops.add
        assert int(ops.add(1, 2)) == 3
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        print(model(np.ones((2, 4), "float32")).shape)
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "(2, 3)"


def test_registry_completes_itself_before_kerasx_ops_is_touched():
    r = _run(
        """
        import kerasx
        from kerasx.engine.registry import REGISTRY, get_op
        assert get_op("matmul").name == "matmul"
        v = kerasx.Variable(2.0)
        print(float(kerasx.ops.convert_to_numpy(v * 3.0)), "add" in REGISTRY,
              "no_such_op" in REGISTRY, len(REGISTRY) == len(list(REGISTRY)))
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["6.0", "True", "False", "True"]


def test_invalid_backend_still_raises_at_import():
    r = _run("import kerasx", KERASX_BACKEND="tensorflowx")
    assert r.returncode != 0
    assert "ValueError" in r.stderr
    assert "Received an unknown engine name: 'tensorflowx'" in r.stderr
    assert "numpy" in r.stderr


def test_jax_engine_is_still_activated_at_import():
    pytest.importorskip("jax")
    r = _run("import sys, kerasx; print('jax' in sys.modules)", KERASX_BACKEND="jax")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True"


def test_dir_lists_every_public_name():
    names = set(dir(kerasx))
    assert set(kerasx.__all__) <= names
    for name in ("layers", "models", "ops", "Sequential", "Model", "Layer", "Variable", "jit"):
        assert name in names
    assert set(surface.OPS) <= set(dir(ops))
    assert set(surface.OPS) <= set(ops.__all__)


def test_every_public_name_resolves():
    for name in kerasx.__all__:
        assert getattr(kerasx, name) is not None, name
    for name in ops.__all__:
        assert getattr(ops, name) is not None, name
    # Once loaded, kerasx.ops drops its module `__getattr__` (CPython does not specialize
    # attribute loads on modules that have one), so `ops.add` is a plain attribute.
    assert "__getattr__" not in vars(ops)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        kerasx.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="no_such_op"):
        ops.no_such_op  # noqa: B018
    assert not hasattr(kerasx, "no_such_name")
    assert not hasattr(ops, "no_such_op")
    with pytest.raises(KeyError, match="no_such_op"):
        from kerasx.engine.registry import get_op

        get_op("no_such_op")


def _type_checking_names(path: pathlib.Path) -> set[str]:
    """Names bound by the `if TYPE_CHECKING:` import block of a module."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    found.update(a.asname or a.name for a in stmt.names)
    return found


@pytest.mark.parametrize(
    ("module", "path"),
    [(kerasx, "kerasx/__init__.py"), (ops, "kerasx/ops/__init__.py")],
    ids=["kerasx", "ops"],
)
def test_type_checkers_see_the_same_names(module, path):
    static = _type_checking_names(ROOT / path)
    assert static == set(module.__all__) - {"__version__"}


def test_generated_wrappers_keep_their_own_names():
    # Ops with the same parameters share one compiled wrapper body, under their own names.
    assert ops.negative.__code__.co_code == ops.abs.__code__.co_code
    assert ops.negative.__code__ is not ops.abs.__code__
    for fn, name in ((ops.negative, "negative"), (ops.abs, "abs"), (ops.add, "add")):
        assert fn.__code__.co_name == fn.opdef.name == name
        assert fn.__code__.co_filename == f"<kerasx op {name}>"
    with pytest.raises(Exception) as info:  # noqa: PT011
        ops.add(ops.ones((2, 3)), ops.ones((4, 5)))
    frames = [tb.name for tb in info.traceback]
    assert "add" in frames


def test_compile_loads_the_training_loop_so_fit_imports_nothing():
    """`compile` loads what `fit` runs (callbacks, data adapters, the NumPy engine's step
    compiler and its kernel wrappers): the first `fit` imports no module, while `import
    kerasx` still loads none of it."""
    r = _run(
        """
        import sys
        import numpy as np
        import kerasx
        loop = ["kerasx.callbacks.history", "kerasx.trainers.data_adapters", "kerasx_numpy.replay"]
        before = [m for m in loop if m in sys.modules]
        model = kerasx.Sequential([kerasx.Input((3,)), kerasx.layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        compiled = [m for m in loop if m not in sys.modules]
        from kerasx_numpy import replay_traced
        wrappers = len(replay_traced._RECORDING)
        modules = set(sys.modules)
        x = np.ones((8, 3), "float32")
        model.fit(x, x[:, :2], batch_size=4, epochs=1, verbose=0)
        print(before, compiled, wrappers > 100, sorted(set(sys.modules) - modules),
              len(replay_traced._RECORDING) == wrappers)
        """,
        KERASX_BACKEND="numpy",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[] [] True [] True"

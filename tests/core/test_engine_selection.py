"""Engine selection: KERASX_BACKEND, the config file, set_backend, and error messages."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery


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


def test_default_engine_is_numpy_and_never_imports_jax(tmp_path):
    r = _run(
        """
        import sys, kerasx
        from kerasx import ops
        import numpy as np
        y = ops.add(np.ones(3, "float32"), 1.0)
        print(kerasx.config.backend(), type(y).__name__, y.dtype, "jax" in sys.modules)
        """,
        KERASX_HOME=str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["numpy", "ndarray", "float32", "False"]
    assert not (tmp_path / "kerasx.json").exists()  # never written on import


def test_env_var_selects_jax():
    pytest.importorskip("jax")
    r = _run("import kerasx; print(kerasx.config.backend())", KERASX_BACKEND="jax")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "jax"


@pytest.mark.parametrize("engine", ["numpy", "jax"])
def test_importing_an_engine_package_first_works(engine, tmp_path):
    """``import kerasx_numpy`` imports kerasx, whose import would activate the very engine
    package still being imported: activation then waits for the first use, also when that
    is an op without tensor arguments (its kernel is called without `bind`)."""
    if engine == "jax":
        pytest.importorskip("jax")
    r = _run(
        f"""
        import kerasx_{engine}
        import kerasx
        from kerasx import ops
        ones = ops.ones((2, 3))
        print(float(ops.add(1.0, 2.0)), float(ops.sum(ones)), kerasx.config.backend())
        """,
        KERASX_BACKEND=engine,
        KERASX_HOME=str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["3.0", "6.0", engine]


def test_config_file_is_read(tmp_path):
    pytest.importorskip("jax")
    (tmp_path / "kerasx.json").write_text(json.dumps({"backend": "jax", "epsilon": 1e-5}))
    r = _run(
        "import kerasx; print(kerasx.config.backend(), kerasx.config.epsilon())",
        KERASX_HOME=str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["jax", "1e-05"]


def test_env_var_overrides_config_file(tmp_path):
    (tmp_path / "kerasx.json").write_text(json.dumps({"backend": "jax"}))
    r = _run(
        "import kerasx; print(kerasx.config.backend())",
        KERASX_HOME=str(tmp_path),
        KERASX_BACKEND="numpy",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "numpy"


def test_unknown_engine_name_lists_installed_engines():
    r = _run("import kerasx", KERASX_BACKEND="tensorflowx")
    assert r.returncode != 0
    assert "ValueError" in r.stderr and "tensorflowx" in r.stderr and "numpy" in r.stderr


def test_jax_missing_gives_install_hint():
    r = _run(
        """
        import sys
        sys.modules["jax"] = None  # simulate an environment without JAX
        import kerasx
        try:
            kerasx.config.set_backend("jax")
        except ImportError as e:
            print("IMPORTERROR", e)
        print(kerasx.config.backend())
        """
    )
    assert r.returncode == 0, r.stderr
    assert "IMPORTERROR" in r.stdout and "pip install" in r.stdout
    assert r.stdout.strip().splitlines()[-1] == "numpy"


def test_set_backend_validates_first():
    before = kerasx.config.backend()
    with pytest.raises(ValueError, match="Installed engines"):
        kerasx.config.set_backend("nope")
    assert kerasx.config.backend() == before
    assert np.allclose(ops.add(np.ones(2), 1.0), 2.0)


def test_set_backend_switches_at_run_time():
    pytest.importorskip("jax")
    import jax

    try:
        kerasx.config.set_backend("jax")
        y = ops.multiply(np.arange(3, dtype="float32"), 2.0)
        assert isinstance(y, jax.Array)
        assert str(y.dtype) == "float32"
        kerasx.config.set_backend("numpy")
        y = ops.multiply(np.arange(3, dtype="float32"), 2.0)
        assert isinstance(y, np.ndarray)
    finally:
        kerasx.config.set_backend("numpy")


def test_installed_engines():
    names = discovery.installed_engines()
    assert "numpy" in names


def test_ops_accept_python_scalars_and_lists_on_every_engine():
    for name in discovery.installed_engines():
        try:
            kerasx.config.set_backend(name)
            y = ops.add([1.0, 2.0], 3)
            assert ops.dtype(y) == "float32"
            np.testing.assert_allclose(ops.convert_to_numpy(y), [4.0, 5.0])
            z = ops.add([1, 2], 3)
            assert ops.dtype(z) == "int32"
        finally:
            kerasx.config.set_backend("numpy")

"""Bad input gets clear errors; the symbolic path agrees with the eager one."""

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery

ENGINES = discovery.installed_engines()


@pytest.fixture(params=ENGINES)
def engine(request):
    kerasx.config.set_backend(request.param)
    yield request.param
    kerasx.config.set_backend("numpy")


def test_unknown_keyword_names_the_op():
    with pytest.raises(TypeError, match="add"):
        ops.add(np.ones(2), np.ones(2), alpha=3)


def test_incompatible_shapes_eager(engine):
    with pytest.raises(ValueError, match=r"ops\.add.*\(3,\).*\(4,\)"):
        ops.add(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"ops\.matmul.*\(2, 3\).*\(4, 5\)"):
        ops.matmul(np.ones((2, 3)), np.ones((4, 5)))


def test_incompatible_shapes_symbolic():
    a = kerasx.KerasTensor((None, 3))
    b = kerasx.KerasTensor((4,))
    with pytest.raises(ValueError, match=r"ops\.add.*\(None, 3\).*\(4,\)"):
        ops.add(a, b)
    with pytest.raises(ValueError, match=r"ops\.matmul"):
        ops.matmul(kerasx.KerasTensor((2, 3)), kerasx.KerasTensor((4, 5)))


def test_unsupported_dtype_names_the_dtype():
    with pytest.raises(ValueError, match=r"float128.*Expected one of"):
        ops.cast(np.ones(2), "float128")


def test_symbolic_shapes_and_dtypes():
    x = kerasx.KerasTensor((None, 4), dtype="float32")
    y = ops.matmul(x, np.ones((4, 2), dtype="float32"))
    assert y.shape == (None, 2) and y.dtype == "float32"
    z = ops.sum(ops.add(y, 1), axis=1)
    assert z.shape == (None,) and z.dtype == "float32"
    i = kerasx.KerasTensor((2, 3), dtype="int8")
    assert ops.sum(i).dtype == "int32"
    assert ops.true_divide(i, 2).dtype == "float32"
    r = ops.reshape(x, (-1, 2, 2))
    assert r.shape == (None, 2, 2)


def test_keras_tensor_has_no_values():
    x = kerasx.KerasTensor((2,))
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(x)
    with pytest.raises(TypeError, match="bool"):
        bool(x)


def test_tensor_operators(engine):
    x = ops.convert_to_tensor(np.array([1.0, 2.0], dtype="float32"))
    kt = kerasx.KerasTensor((None, 2))
    assert (kt + 1).shape == (None, 2)
    assert (kt @ np.ones((2, 3), "float32")).shape == (None, 3)
    v = kerasx.Variable(np.array([1.0, 2.0], dtype="float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(v * 2 + x), [3.0, 6.0])
    np.testing.assert_allclose(ops.convert_to_numpy(v[1]), 2.0)

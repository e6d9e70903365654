"""Element-wise math: behaviour the conformance samples don't reach.

Signatures against real Keras 3, result dtypes (and the deliberate differences), accuracy of
the NumPy engine's own erf/erfc/erfinv and of i0's gradient over wide ranges against SciPy,
gradients at ties and removable singularities against closed forms and JAX, bad input.
"""

import inspect
import math
import warnings

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery
from kerasx.engine.autodiff import grad
from kerasx.engine.dtypes import standardize_dtype
from kerasx.engine.symbolic import KerasTensor

ENGINES = discovery.installed_engines()

ELEMENTWISE_OPS = (
    "add subtract multiply true_divide divide negative exp log sin cos "
    "abs absolute angle arccos arccosh arcsin arcsinh arctan arctan2 arctanh cbrt conj "
    "conjugate cosh deg2rad divide_no_nan exp2 expm1 fabs floor_divide fmax fmin fmod "
    "heaviside hypot i0 imag ldexp log10 log1p log2 logaddexp logaddexp2 maximum minimum mod "
    "nan_to_num nextafter power rad2deg real reciprocal sinc sinh sqrt square tan tanh erf "
    "erfc erfinv rsqrt copy clip"
).split()


@pytest.fixture(params=ENGINES)
def engine(request):
    kerasx.config.set_backend(request.param)
    yield request.param
    kerasx.config.set_backend("numpy")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _dtype(x):
    return standardize_dtype(x.dtype)


# ----------------------------------------------------------------------- Keras parity


@pytest.mark.parametrize("name", ELEMENTWISE_OPS)
def test_signature_matches_keras(name):
    keras = pytest.importorskip("keras")
    ours = inspect.signature(getattr(ops, name))
    theirs = inspect.signature(getattr(keras.ops, name))
    assert list(ours.parameters) == list(theirs.parameters)
    for p, q in zip(ours.parameters.values(), theirs.parameters.values()):
        assert p.default == q.default, (name, p.name)
        assert p.kind == q.kind, (name, p.name)


def test_alias_pairs_agree(engine):
    z = np.array([3 + 4j, -1 - 1j], dtype="complex64")
    x = np.array([-2, 0, 5], dtype="int8")
    np.testing.assert_array_equal(_np(ops.abs(x)), _np(ops.absolute(x)))
    np.testing.assert_array_equal(_np(ops.abs(z)), _np(ops.absolute(z)))
    np.testing.assert_array_equal(_np(ops.conj(z)), _np(ops.conjugate(z)))
    assert _dtype(ops.abs(z)) == "float32" and _dtype(ops.conj(z)) == "complex64"


FLOAT_UNARY = (
    "angle arccos arccosh arcsin arcsinh arctan arctanh cbrt cosh deg2rad exp2 expm1 fabs i0 "
    "log10 log1p log2 rad2deg sinc sinh sqrt tan tanh erfc erfinv"
).split()


@pytest.mark.parametrize("name", FLOAT_UNARY)
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "float16", "float32"])
def test_float_unary_dtypes_match_keras(name, dtype):
    keras = pytest.importorskip("keras")
    x = np.ones((3,), dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = standardize_dtype(getattr(keras.ops, name)(x).dtype)
        got = _dtype(getattr(ops, name)(x))
    assert got == expected


SAME_DTYPE_UNARY = "absolute square copy real imag nan_to_num".split()


@pytest.mark.parametrize("name", SAME_DTYPE_UNARY)
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "float16", "float32"])
def test_dtype_keeping_unary_match_keras(name, dtype):
    keras = pytest.importorskip("keras")
    x = np.array([1, 0, 1]).astype(dtype)
    expected = getattr(keras.ops, name)(x)
    got = getattr(ops, name)(x)
    assert _dtype(got) == standardize_dtype(expected.dtype)
    np.testing.assert_array_equal(_np(got), np.asarray(expected))


BINARY = (
    "arctan2 divide_no_nan floor_divide fmax fmin fmod heaviside hypot logaddexp logaddexp2 "
    "maximum minimum mod nextafter power"
).split()
PAIRS = [
    ("int32", "int32"),
    ("int8", "int8"),
    ("bool", "bool"),
    ("uint8", "int8"),
    ("int32", "float32"),
    ("float16", "float32"),
    ("int32", 2),
    ("int32", 2.0),
    ("bool", 1),
]


# Where Keras's NumPy backend (the reference here) and its JAX backend disagree, kerasx
# follows the JAX backend: two bools give int32 for floor_divide/power (NumPy backend: int8)
# and float32 for hypot/heaviside (NumPy backend: bool).
KERAS_JAX_BACKEND_DTYPES = {
    ("floor_divide", "bool", "bool"): "int32",
    ("power", "bool", "bool"): "int32",
    ("hypot", "bool", "bool"): "float32",
    ("heaviside", "bool", "bool"): "float32",
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("pair", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_binary_dtypes_match_keras(name, pair):
    keras = pytest.importorskip("keras")
    a, b = pair
    x1 = np.array([2, 1, 3]).astype(a)
    x2 = np.array([1, 1, 2]).astype(b) if isinstance(b, str) else b
    expected = KERAS_JAX_BACKEND_DTYPES.get((name, a, b))
    if expected is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = standardize_dtype(getattr(keras.ops, name)(x1, x2).dtype)
    assert _dtype(getattr(ops, name)(x1, x2)) == expected


def test_weak_float_scalar_keeps_float16(engine):
    # Keras's JAX backend keeps float16 here, its NumPy backend (for a few ops) upcasts;
    # kerasx follows the weak-scalar rule everywhere.
    x = np.array([1.5, -2.5], dtype="float16")
    for name in ("mod", "fmod", "hypot", "heaviside", "nextafter", "divide_no_nan", "power"):
        assert _dtype(getattr(ops, name)(x, 2.0)) == "float16", name


def test_deliberate_float_results_for_integer_inputs(engine):
    # Keras's NumPy backend computes these in the integer dtype (erf of ints, 1 // x, ...);
    # its JAX backend gives floats (reciprocal) or rejects ints (erf, rsqrt). kerasx: floatx.
    x = np.array([1, 2, 4], dtype="int32")
    np.testing.assert_allclose(_np(ops.reciprocal(x)), [1.0, 0.5, 0.25])
    np.testing.assert_allclose(_np(ops.rsqrt(x)), [1.0, 1 / math.sqrt(2), 0.5], rtol=1e-6)
    np.testing.assert_allclose(_np(ops.erf(x)), [math.erf(v) for v in (1, 2, 4)], rtol=1e-6)
    for name in ("reciprocal", "rsqrt", "erf"):
        assert _dtype(getattr(ops, name)(x)) == "float32"
    # bool conjugate stays bool (Keras's JAX backend), not int8 (its NumPy backend).
    assert _dtype(ops.conj(np.array([True, False]))) == "bool"


def test_64_bit_inputs_are_kept(engine):
    x = np.array([0.25, 0.5])
    for name in ("sqrt", "erf", "erfinv", "i0", "tanh", "clip"):
        args = (x, 0.0, 1.0) if name == "clip" else (x,)
        assert _dtype(getattr(ops, name)(*args)) == "float64", name
    assert _dtype(ops.maximum(np.array([1, 2], dtype="int64"), 1)) == "int64"


def test_clip_dtypes_and_values(engine):
    keras = pytest.importorskip("keras")
    for dtype in ("bool", "uint8", "int8", "int32", "float16", "float32"):
        x = np.arange(4).astype(dtype)
        for lo, hi in ((0, 2), (0.5, 2.5)):
            expected = keras.ops.clip(x, lo, hi)
            got = ops.clip(x, lo, hi)
            assert _dtype(got) == standardize_dtype(expected.dtype), (dtype, lo)
            np.testing.assert_array_equal(_np(got), np.asarray(expected))
    # tensor bounds broadcast against x
    x = np.linspace(-2, 2, 6, dtype="float32").reshape(2, 3)
    lo = np.array([-1.0, 0.0, -0.5], dtype="float32")
    np.testing.assert_allclose(_np(ops.clip(x, lo, 1.0)), np.clip(x, lo, 1.0))


def test_nan_to_num_values_match_keras(engine):
    keras = pytest.importorskip("keras")
    for dtype in ("float16", "float32"):
        x = np.array([np.nan, np.inf, -np.inf, 1.5], dtype=dtype)
        for kw in ({}, {"nan": 2.0, "posinf": 3.0, "neginf": -4.0}):
            expected = np.asarray(keras.ops.nan_to_num(x, **kw))
            got = ops.nan_to_num(x, **kw)
            assert _dtype(got) == dtype
            np.testing.assert_array_equal(_np(got), expected)


def test_divide_no_nan_matches_keras_at_zero(engine):
    keras = pytest.importorskip("keras")
    x1 = np.array([1.0, 0.0, -2.0, 3.0], dtype="float32")
    x2 = np.array([0.0, 0.0, 4.0, -0.0], dtype="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.asarray(keras.ops.divide_no_nan(x1, x2))
    np.testing.assert_array_equal(_np(ops.divide_no_nan(x1, x2)), expected)
    np.testing.assert_array_equal(expected, [0.0, 0.0, -0.5, 0.0])


def test_integer_division_by_zero_is_quiet(engine):
    x = np.array([5, -5], dtype="int32")
    for name in ("floor_divide", "mod", "fmod"):
        out = _np(getattr(ops, name)(x, 0))
        assert out.dtype == np.int32 and out.shape == (2,)


def test_integer_remainders_follow_numpy(engine):
    x1 = np.array([-7, 7, -7, 7], dtype="int32")
    x2 = np.array([3, 3, -3, -3], dtype="int32")
    np.testing.assert_array_equal(_np(ops.mod(x1, x2)), np.mod(x1, x2))
    np.testing.assert_array_equal(_np(ops.fmod(x1, x2)), np.fmod(x1, x2))
    np.testing.assert_array_equal(_np(ops.floor_divide(x1, x2)), np.floor_divide(x1, x2))


# ----------------------------------------------------------------------- bad input


def test_ldexp_rejects_float_exponent(engine):
    with pytest.raises(TypeError, match="x2"):
        ops.ldexp(np.array([1.0, 2.0], dtype="float32"), np.array([1.0, 2.0], dtype="float32"))
    with pytest.raises(TypeError, match="x2"):
        ops.ldexp(KerasTensor((2,), "float32"), KerasTensor((2,), "bool"))
    out = ops.ldexp(np.array([1.0, 3.0], dtype="float16"), np.array([2, -1], dtype="int32"))
    assert _dtype(out) == "float16"
    np.testing.assert_array_equal(_np(out), [4.0, 1.5])


@pytest.mark.parametrize("kw", [{"nan": "zero"}, {"posinf": [1.0]}, {"neginf": True}])
def test_nan_to_num_rejects_non_numbers(engine, kw):
    name = next(iter(kw))
    with pytest.raises(TypeError, match=f"`{name}`"):
        ops.nan_to_num(np.array([np.nan], dtype="float32"), **kw)


def test_symbolic_shapes_and_dtypes():
    x = KerasTensor((None, 3), "int32")
    assert ops.sqrt(x).dtype == "float32" and ops.sqrt(x).shape == (None, 3)
    assert ops.square(KerasTensor((2,), "bool")).dtype == "int32"
    y = ops.maximum(x, KerasTensor((4, 1, 3), "float16"))
    assert y.shape == (4, None, 3) and y.dtype == "float16"
    c = ops.clip(KerasTensor((2, 3), "bool"), 0, 1)
    assert c.shape == (2, 3) and c.dtype == "int32"
    assert ops.real(KerasTensor((2,), "complex64")).dtype == "float32"
    assert ops.abs(KerasTensor((2,), "complex128")).dtype == "float64"
    assert ops.angle(KerasTensor((2,), "int8")).dtype == "float32"


# ----------------------------------------------------------------------- special functions


def test_erf_family_float64_accuracy(engine):
    special = pytest.importorskip("scipy.special")
    x = np.concatenate([np.linspace(-6.0, 6.0, 2401), np.linspace(-27.0, 27.0, 109)])
    np.testing.assert_allclose(_np(ops.erf(x)), special.erf(x), rtol=1e-14, atol=1e-300)
    erfc = _np(ops.erfc(x))
    big = special.erfc(x) > 1e-300
    np.testing.assert_allclose(erfc[big], special.erfc(x)[big], rtol=1e-12)
    y = np.concatenate([np.linspace(-0.9999, 0.9999, 2001), 1.0 - np.logspace(-15, -1, 57)])
    # The NumPy engine's own erfinv is refined to full float64 precision; JAX's is not.
    rtol = 1e-13 if engine == "numpy" else 1e-9
    np.testing.assert_allclose(_np(ops.erfinv(y)), special.erfinv(y), rtol=rtol)


def test_erf_family_special_values(engine):
    inf, nan = np.inf, np.nan
    np.testing.assert_array_equal(_np(ops.erf(np.array([inf, -inf, 0.0]))), [1.0, -1.0, 0.0])
    np.testing.assert_array_equal(_np(ops.erfc(np.array([inf, -inf, 0.0]))), [0.0, 2.0, 1.0])
    got = _np(ops.erfinv(np.array([1.0, -1.0, 0.0, 1.5, nan])))
    np.testing.assert_array_equal(got[:3], [inf, -inf, 0.0])
    assert np.isnan(got[3:]).all()
    assert np.isnan(_np(ops.erf(np.array([nan])))).all()


def test_erf_float32_matches_keras():
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).standard_normal(200).astype("float32") * 3
    for name in ("erf", "erfc"):
        got = _np(getattr(ops, name)(x))
        np.testing.assert_allclose(got, np.asarray(getattr(keras.ops, name)(x)), rtol=1e-6)
    y = np.random.default_rng(1).uniform(-0.999, 0.999, 200).astype("float32")
    np.testing.assert_allclose(_np(ops.erfinv(y)), np.asarray(keras.ops.erfinv(y)), rtol=1e-5)


def test_i0_gradient_is_i1_over_a_wide_range(engine):
    special = pytest.importorskip("scipy.special")
    x = np.concatenate([np.linspace(-40.0, 40.0, 161), [0.0, 19.99, 20.0, 20.01, 300.0]])
    g = _np(grad(lambda t: ops.sum(ops.i0(t)))(x))
    np.testing.assert_allclose(g, special.i1(x), rtol=1e-12, atol=1e-300)


def test_i0_second_derivative(engine):
    special = pytest.importorskip("scipy.special")
    x = np.array([-3.0, -0.5, 0.7, 2.0, 25.0])
    g2 = _np(grad(lambda t: ops.sum(grad(lambda u: ops.sum(ops.i0(u)))(t)))(x))
    # I1' = I0 - I1 / x
    np.testing.assert_allclose(g2, special.i0(x) - special.i1(x) / x, rtol=1e-10)


# ----------------------------------------------------------------------- gradients


def test_maximum_minimum_split_ties_evenly(engine):
    x1 = np.array([1.0, 2.0, 3.0])
    x2 = np.array([1.0, 5.0, -1.0])
    g1, g2 = grad(lambda a, b: ops.sum(ops.maximum(a, b)), argnums=(0, 1))(x1, x2)
    np.testing.assert_array_equal(_np(g1), [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(_np(g2), [0.5, 1.0, 0.0])
    g1, g2 = grad(lambda a, b: ops.sum(ops.minimum(a, b)), argnums=(0, 1))(x1, x2)
    np.testing.assert_array_equal(_np(g1), [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(_np(g2), [0.5, 0.0, 1.0])


def test_fmax_fmin_ties_and_nans_go_as_in_jax(engine):
    x1 = np.array([1.0, 2.0, np.nan, 4.0])
    x2 = np.array([1.0, np.nan, 3.0, 0.0])
    g1, g2 = grad(lambda a, b: ops.sum(ops.fmax(a, b)), argnums=(0, 1))(x1, x2)
    np.testing.assert_array_equal(_np(g1), [0.0, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal(_np(g2), [1.0, 0.0, 1.0, 0.0])
    g1, g2 = grad(lambda a, b: ops.sum(ops.fmin(a, b)), argnums=(0, 1))(x1, x2)
    np.testing.assert_array_equal(_np(g1), [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(_np(g2), [1.0, 0.0, 1.0, 1.0])


def test_clip_gradients_at_and_between_bounds(engine):
    x = np.array([-2.0, -1.0, 0.5, 1.0, 3.0])
    lo = np.full(5, -1.0)
    hi = np.full(5, 1.0)
    gx, glo, ghi = grad(lambda a, b, c: ops.sum(ops.clip(a, b, c)), argnums=(0, 1, 2))(x, lo, hi)
    np.testing.assert_array_equal(_np(gx), [0.0, 0.5, 1.0, 0.5, 0.0])
    np.testing.assert_array_equal(_np(glo), [1.0, 0.5, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(_np(ghi), [0.0, 0.0, 0.0, 0.5, 1.0])


def test_heaviside_gradient_flows_to_x2_at_zero(engine):
    x1 = np.array([-1.0, 0.0, 2.0, 0.0])
    x2 = np.array([0.3, 0.4, 0.5, 0.6])
    g1, g2 = grad(lambda a, b: ops.sum(ops.heaviside(a, b)), argnums=(0, 1))(x1, x2)
    np.testing.assert_array_equal(_np(g1), np.zeros(4))
    np.testing.assert_array_equal(_np(g2), [0.0, 1.0, 0.0, 1.0])


def test_sinc_at_zero(engine):
    x = np.array([0.0, 0.5, -1.5])
    np.testing.assert_allclose(_np(ops.sinc(x)), np.sinc(x))
    g = _np(grad(lambda t: ops.sum(ops.sinc(t)))(x))
    px = math.pi * x[1:]
    expected = (np.cos(px) * px - np.sin(px)) / (px * x[1:])
    np.testing.assert_allclose(g, np.concatenate([[0.0], expected]), rtol=1e-12)


def test_divide_no_nan_gradient_is_zero_at_zero_denominators(engine):
    x1 = np.array([1.0, 2.0, 3.0])
    x2 = np.array([0.0, 4.0, 0.0])
    g1, g2 = grad(lambda a, b: ops.sum(ops.divide_no_nan(a, b)), argnums=(0, 1))(x1, x2)
    np.testing.assert_allclose(_np(g1), [0.0, 0.25, 0.0])
    np.testing.assert_allclose(_np(g2), [0.0, -2.0 / 16.0, 0.0])


def test_power_gradient_wrt_exponent_at_zero_base(engine):
    x1 = np.array([0.0, 2.0])
    x2 = np.array([2.0, 3.0])
    g1, g2 = grad(lambda a, b: ops.sum(ops.power(a, b)), argnums=(0, 1))(x1, x2)
    np.testing.assert_allclose(_np(g1), [0.0, 12.0])
    np.testing.assert_allclose(_np(g2), [0.0, 8.0 * math.log(2.0)])


def test_nan_to_num_gradient_masks_non_finite(engine):
    x = np.array([1.0, np.nan, np.inf, -np.inf, -2.0])
    g = _np(grad(lambda t: ops.sum(ops.nan_to_num(t, posinf=1.0, neginf=-1.0)))(x))
    np.testing.assert_array_equal(g, [1.0, 0.0, 0.0, 0.0, 1.0])


@pytest.mark.parametrize("name", ["abs", "absolute", "real", "imag", "conj", "conjugate"])
def test_complex_input_gradients_match_jax(name):
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    pytest.importorskip("kerasx_jax")  # the JAX engine turns on jax_enable_x64
    z = np.array([1.0 + 2.0j, -3.0 + 0.5j])
    fn = getattr(ops, name)
    ours = _np(grad(lambda t: ops.sum(ops.real(ops.multiply(fn(t), 1.5))))(z))
    jfn = {"abs": jnp.abs, "absolute": jnp.abs, "real": jnp.real, "imag": jnp.imag}.get(
        name, jnp.conj
    )
    expected = np.asarray(jax.grad(lambda t: jnp.sum(jnp.real(jfn(t) * 1.5)))(jnp.asarray(z)))
    np.testing.assert_allclose(ours, expected, rtol=1e-12)

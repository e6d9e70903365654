"""Comparisons, logic, bitwise, rounding, where/select, digitize/searchsorted.

Behaviour the conformance samples don't reach: signatures and result dtypes against real
Keras 3, errors for bad input, integer rounding, index outputs, gradients of `where`/`select`.
"""

import inspect

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery
from kerasx.engine.dtypes import standardize_dtype
from kerasx.engine.symbolic import KerasTensor

ENGINES = discovery.installed_engines()

LOGIC_OPS = (
    "equal not_equal greater greater_equal less less_equal isclose allclose isfinite isinf "
    "isnan isneginf isposinf isreal isin logical_and logical_not logical_or logical_xor "
    "bitwise_and bitwise_invert bitwise_not bitwise_or bitwise_xor bitwise_left_shift "
    "bitwise_right_shift left_shift right_shift gcd lcm sign signbit floor ceil round trunc "
    "where select digitize searchsorted"
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


def _arr(dtype, values=(1, 0, 3)):
    return np.array(values).astype(dtype)


# ----------------------------------------------------------------------- Keras parity


@pytest.mark.parametrize("name", LOGIC_OPS)
def test_signature_matches_keras(name):
    keras = pytest.importorskip("keras")
    ours = inspect.signature(getattr(ops, name))
    theirs = inspect.signature(getattr(keras.ops, name))
    assert list(ours.parameters) == list(theirs.parameters)
    for p, q in zip(ours.parameters.values(), theirs.parameters.values()):
        assert p.default == q.default, (name, p.name)
        assert p.kind == q.kind, (name, p.name)


# 32-bit-or-smaller dtypes: there our results must equal Keras's exactly.
_UNARY_DTYPES = ["bool", "int8", "uint8", "int16", "int32", "uint32", "float16", "float32"]
_UNARY_OPS = [
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isreal",
    "logical_not",
    "signbit",
    "floor",
    "ceil",
    "trunc",
    "sign",
    "round",
    "bitwise_invert",
]


@pytest.mark.parametrize("name", _UNARY_OPS)
def test_unary_dtypes_match_keras(name):
    keras = pytest.importorskip("keras")
    for d in _UNARY_DTYPES:
        if name == "round" and d == "bool":
            continue  # Keras's backends disagree (float16 / error); we keep bool, see below
        x = _arr(d)
        try:
            expected = keras.ops.convert_to_numpy(getattr(keras.ops, name)(x))
        except (TypeError, ValueError):
            with pytest.raises((TypeError, ValueError)):
                getattr(ops, name)(x)
            continue
        got = _np(getattr(ops, name)(x))
        assert _dtype(got) == keras.backend.standardize_dtype(expected.dtype), (name, d)
        np.testing.assert_array_equal(got, expected)


_PAIRS = [
    ("bool", "bool"),
    ("bool", "int8"),
    ("int8", "int8"),
    ("int8", "uint8"),
    ("int16", "int32"),
    ("uint8", "uint8"),
    ("uint32", "int32"),
    ("int32", "float32"),
    ("float16", "float32"),
    ("float16", "float16"),
    ("int32", 2),
    ("float16", 2.0),
    ("int32", 2.5),
    ("uint8", True),
]
_BINARY_OPS = [
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "isclose",
    "allclose",
    "isin",
    "logical_and",
    "logical_or",
    "logical_xor",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "left_shift",
    "right_shift",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "gcd",
    "lcm",
    "digitize",
    "searchsorted",
]


def _operand(d):
    return d if not isinstance(d, str) else _arr(d, (1, 2, 3))


@pytest.mark.parametrize("name", _BINARY_OPS)
def test_binary_dtypes_match_keras(name):
    keras = pytest.importorskip("keras")
    for a, b in _PAIRS:
        if name.endswith("shift") and (a, b) == ("bool", "bool"):
            continue  # Keras's NumPy backend gives int8, its JAX backend int32 (as we do)
        x, y = _operand(a), _operand(b)
        try:
            expected = keras.ops.convert_to_numpy(getattr(keras.ops, name)(x, y))
        except (TypeError, ValueError):
            with pytest.raises((TypeError, ValueError)):
                getattr(ops, name)(x, y)
            continue
        got = _np(getattr(ops, name)(x, y))
        assert _dtype(got) == keras.backend.standardize_dtype(expected.dtype), (name, a, b)
        np.testing.assert_array_equal(got, expected)


def test_bitwise_python_int_is_weak():
    # A Python int keeps the tensor's integer width (Keras's JAX backend does the same;
    # its NumPy backend widens int8 to int32 here).
    x = np.array([1, 2, 3], np.int8)
    assert _dtype(ops.bitwise_and(x, 3)) == "int8"
    assert _dtype(ops.gcd(x, 4)) == "int8"
    np.testing.assert_array_equal(_np(ops.gcd(x, 4)), [1, 2, 1])


def test_shift_of_bools_gives_int32(engine):
    out = ops.left_shift(np.array([True, False, True]), np.array([True, True, False]))
    assert _dtype(out) == "int32"
    np.testing.assert_array_equal(_np(out), [2, 0, 1])
    kt = ops.left_shift(KerasTensor((3,), "bool"), KerasTensor((3,), "bool"))
    assert kt.dtype == "int32"


def test_64_bit_inputs_are_kept(engine):
    # Our one deliberate difference from Keras: 64-bit inputs stay 64-bit.
    assert _dtype(ops.floor(np.array([1.5], np.float64))) == "float64"
    assert _dtype(ops.round(np.array([1.5], np.float64), 1)) == "float64"
    assert _dtype(ops.sign(np.array([-2], np.int64))) == "int64"
    assert _dtype(ops.bitwise_and(np.array([3], np.int64), np.array([1], np.int64))) == "int64"
    assert _dtype(ops.where(np.array([True]), np.ones(1), np.zeros(1))) == "float64"


# ----------------------------------------------------------------------------- values


def test_comparisons_against_numpy(engine):
    rng = np.random.default_rng(0)
    a = rng.integers(-3, 3, size=(4, 5)).astype(np.float32)
    b = rng.integers(-3, 3, size=(5,)).astype(np.float32)
    for name, ref in [
        ("equal", np.equal),
        ("not_equal", np.not_equal),
        ("greater", np.greater),
        ("greater_equal", np.greater_equal),
        ("less", np.less),
        ("less_equal", np.less_equal),
    ]:
        out = getattr(ops, name)(a, b)
        assert _dtype(out) == "bool"
        np.testing.assert_array_equal(_np(out), ref(a, b))


def test_compare_int_with_python_float_promotes(engine):
    # 2 == 2.5 must be False: the int tensor is promoted to float, not the scalar truncated.
    np.testing.assert_array_equal(_np(ops.equal(np.array([2, 3], np.int32), 2.5)), [False, False])
    np.testing.assert_array_equal(_np(ops.less(np.array([2, 3], np.int32), 2.5)), [True, False])


def test_isclose_and_allclose(engine):
    a = np.array([1.0, 2.0, np.nan, np.inf], np.float32)
    b = np.array([1.0 + 1e-7, 2.1, np.nan, np.inf], np.float32)
    np.testing.assert_array_equal(_np(ops.isclose(a, b)), [True, False, False, True])
    np.testing.assert_array_equal(_np(ops.isclose(a, b, equal_nan=True)), [True, False, True, True])
    np.testing.assert_array_equal(_np(ops.isclose(a, b, rtol=0.1)), [True, True, False, True])
    out = ops.allclose(a[:2], b[:2], rtol=0.1)
    assert _np(out).shape == () and _dtype(out) == "bool" and bool(_np(out))
    assert not bool(_np(ops.allclose(a, b)))
    # integer inputs are compared without overflow
    big = np.array([2**31 - 1], np.int32)
    assert bool(_np(ops.isclose(big, -big)).all()) is False


def test_predicates_on_special_values(engine):
    x = np.array([-np.inf, -1.0, -0.0, 0.0, np.nan, np.inf], np.float32)
    np.testing.assert_array_equal(_np(ops.isfinite(x)), np.isfinite(x))
    np.testing.assert_array_equal(_np(ops.isinf(x)), np.isinf(x))
    np.testing.assert_array_equal(_np(ops.isnan(x)), np.isnan(x))
    np.testing.assert_array_equal(_np(ops.isneginf(x)), np.isneginf(x))
    np.testing.assert_array_equal(_np(ops.isposinf(x)), np.isposinf(x))
    np.testing.assert_array_equal(_np(ops.signbit(x)), np.signbit(x))
    np.testing.assert_array_equal(
        _np(ops.isreal(np.array([1 + 0j, 1j, 2 - 0j], np.complex64))), [True, False, True]
    )


def test_isin(engine):
    x = np.array([[1, 2], [3, 4]], np.int32)
    t = np.array([[4, 9], [2, 2]], np.int32)
    np.testing.assert_array_equal(_np(ops.isin(x, t)), np.isin(x, t))
    np.testing.assert_array_equal(_np(ops.isin(x, t, invert=True)), np.isin(x, t, invert=True))
    np.testing.assert_array_equal(_np(ops.isin(x, 3)), x == 3)


def test_bitwise_values(engine):
    x = np.array([-7, 0, 5, 12], np.int32)
    y = np.array([3, 9, -1, 6], np.int32)
    np.testing.assert_array_equal(_np(ops.bitwise_and(x, y)), x & y)
    np.testing.assert_array_equal(_np(ops.bitwise_or(x, y)), x | y)
    np.testing.assert_array_equal(_np(ops.bitwise_xor(x, y)), x ^ y)
    np.testing.assert_array_equal(_np(ops.bitwise_invert(x)), ~x)
    np.testing.assert_array_equal(_np(ops.bitwise_not(x)), ~x)
    s = np.array([0, 1, 2, 3], np.int32)
    np.testing.assert_array_equal(_np(ops.left_shift(x, s)), x << s)
    np.testing.assert_array_equal(_np(ops.bitwise_right_shift(x, s)), x >> s)
    np.testing.assert_array_equal(_np(ops.gcd(x, y)), np.gcd(x, y))
    np.testing.assert_array_equal(_np(ops.lcm(x, y)), np.lcm(x, y))


def test_round_integers_negative_decimals(engine):
    x = np.array([-155, -25, -15, -5, 0, 5, 15, 25, 35, 1234, 99, -99], np.int32)
    for d in (-1, -2, -3):
        out = ops.round(x, d)
        assert _dtype(out) == "int32"
        # Python's round() on ints also rounds ties to even: an independent reference.
        np.testing.assert_array_equal(_np(out), [round(int(v), d) for v in x])
    np.testing.assert_array_equal(_np(ops.round(x, 2)), x)
    u = np.array([5, 15, 250, 244], np.uint8)
    np.testing.assert_array_equal(_np(ops.round(u, -1)), [0, 20, 250, 240])
    assert _dtype(ops.round(u, -1)) == "uint8"


def test_round_floats_and_bools(engine):
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1.26, -1.24], np.float32)
    np.testing.assert_allclose(_np(ops.round(x)), np.round(x))
    np.testing.assert_allclose(_np(ops.round(x, 1)), np.round(x, 1), rtol=1e-6)
    np.testing.assert_allclose(_np(ops.round(x * 100, -1)), np.round(x * 100, -1), rtol=1e-6)
    h = np.array([1.25, 2.5], np.float16)
    assert _dtype(ops.round(h, 1)) == "float16"
    b = np.array([True, False])
    out = ops.round(b)
    assert _dtype(out) == "bool"
    np.testing.assert_array_equal(_np(out), b)


def test_floor_ceil_trunc_sign(engine):
    x = np.array([-2.5, -0.5, 0.0, 0.5, 1.7], np.float32)
    np.testing.assert_array_equal(_np(ops.floor(x)), np.floor(x))
    np.testing.assert_array_equal(_np(ops.ceil(x)), np.ceil(x))
    np.testing.assert_array_equal(_np(ops.trunc(x)), np.trunc(x))
    np.testing.assert_array_equal(_np(ops.sign(x)), np.sign(x))
    i = np.array([-3, 0, 4], np.int32)
    assert _dtype(ops.floor(i)) == "float32" and _dtype(ops.ceil(i)) == "float32"
    assert _dtype(ops.trunc(i)) == "int32"
    np.testing.assert_array_equal(_np(ops.sign(i)), [-1, 0, 1])


def test_where_indices(engine):
    c = np.array([[True, False, True], [False, False, True]])
    out = ops.where(c)
    assert isinstance(out, tuple) and len(out) == 2
    for got, ref in zip(out, np.nonzero(c)):
        assert _dtype(got) == "int32"
        np.testing.assert_array_equal(_np(got), ref)
    # non-bool conditions: non-zero means true
    (idx,) = ops.where(np.array([0.0, 2.0, -1.0]))
    np.testing.assert_array_equal(_np(idx), [1, 2])


def test_where_dtypes(engine):
    c = np.array([True, False, True])
    assert _dtype(ops.where(c, 1, 0)) == "int32"
    assert _dtype(ops.where(c, 1.0, 0)) == "float32"
    assert _dtype(ops.where(c, np.ones(3, np.int8), 1)) == "int8"
    assert _dtype(ops.where(c, np.ones(3, np.float16), 2.0)) == "float16"
    assert _dtype(ops.where(c, c, 1)) == "int32"
    np.testing.assert_array_equal(_np(ops.where(np.array([2, 0, -1]), 1.0, 0.0)), [1, 0, 1])


def test_select_values_and_dtypes(engine):
    c1 = np.array([True, False, True, False])
    c2 = np.array([True, True, False, False])
    a = np.arange(4, dtype=np.float32)
    b = -np.arange(4, dtype=np.float32)
    out = ops.select([c1, c2], [a, b], default=9.0)
    np.testing.assert_array_equal(_np(out), np.select([c1, c2], [a, b], 9.0))
    assert _dtype(out) == "float32"
    assert _dtype(ops.select([c1], [np.ones(4, np.int8)])) == "int8"
    assert _dtype(ops.select([c1], [c2])) == "int32"  # bool choices with the int default
    # non-bool conditions are accepted (non-zero means true)
    np.testing.assert_array_equal(_np(ops.select([np.array([1, 0])], [np.array([5, 6])])), [5, 0])


def test_digitize_and_searchsorted(engine):
    x = np.array([[-1.0, 0.0, 0.3], [1.0, 2.5, 9.0]], np.float32)
    bins = np.array([0.0, 1.0, 2.5], np.float32)
    out = ops.digitize(x, bins)
    assert _dtype(out) == "int32"
    np.testing.assert_array_equal(_np(out), np.digitize(x, bins))
    np.testing.assert_array_equal(
        _np(ops.digitize(x, bins[::-1].copy())), np.digitize(x, bins[::-1])
    )
    for side in ("left", "right"):
        out = ops.searchsorted(bins, x, side=side)
        assert _dtype(out) == "int32"
        np.testing.assert_array_equal(_np(out), np.searchsorted(bins, x, side=side))
    np.testing.assert_array_equal(_np(ops.searchsorted(np.array([1, 3, 5], np.int32), 3.5)), 2)


def test_jit_traceable_on_jax():
    if "jax" not in ENGINES:
        pytest.skip("JAX is not installed")
    kerasx.config.set_backend("jax")
    try:

        def f(x, s):
            return (
                ops.round(x, -1),
                ops.searchsorted(s, x, side="right"),
                ops.digitize(x, s),
                ops.where(ops.greater(x, 10), x, 0),
                ops.left_shift(x, 1),
                ops.gcd(x, 6),
            )

        x = np.array([5, 15, 25, 37], np.int32)
        s = np.array([10, 20, 30], np.int32)
        eager = [_np(v) for v in f(x, s)]
        jitted = [_np(v) for v in kerasx.jit(f)(x, s)]
        for a, b in zip(eager, jitted):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(eager[0], [0, 20, 20, 40])
    finally:
        kerasx.config.set_backend("numpy")


# -------------------------------------------------------------------------- gradients


def test_where_gradient(engine):
    c = np.array([[True, False, True]])
    x1 = np.array([[1.0], [2.0]])  # broadcast along the last axis
    x2 = np.array([3.0, 4.0, 5.0])

    def f(a, b):
        return ops.sum(ops.multiply(ops.where(c, a, b), np.array([1.0, 10.0, 100.0])))

    _, (g1, g2) = kerasx.value_and_grad(f, argnums=(0, 1))(x1, x2)
    np.testing.assert_allclose(_np(g1), [[101.0], [101.0]])
    np.testing.assert_allclose(_np(g2), [0.0, 20.0, 0.0])


def test_where_gradient_with_a_traced_condition(engine):
    # A condition computed from the differentiated input gets no gradient, and no error.
    x = np.array([-1.0, 2.0, -3.0])

    def f(w):
        return ops.sum(ops.where(w, ops.multiply(w, w), 0.0))

    _, g = kerasx.value_and_grad(f)(x)
    np.testing.assert_allclose(_np(g), 2 * x)


def test_select_gradient(engine):
    c1 = np.array([True, False, False])
    c2 = np.array([True, True, False])
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([4.0, 5.0, 6.0])
    d = np.array([7.0, 8.0, 9.0])

    def f(a, b, d):
        return ops.sum(ops.multiply(ops.select([c1, c2], [a, b], d), a))

    _, (ga, gb, gd) = kerasx.value_and_grad(f, argnums=(0, 1, 2))(a, b, d)
    out = np.select([c1, c2], [a, b], d)
    np.testing.assert_allclose(_np(ga), out + np.where(c1, a, 0.0))
    np.testing.assert_allclose(_np(gb), np.where(~c1 & c2, a, 0.0))
    np.testing.assert_allclose(_np(gd), np.where(~c1 & ~c2, a, 0.0))


def test_piecewise_constant_ops_have_zero_gradient(engine):
    x = np.array([-1.3, 0.4, 2.6])
    for name in ("floor", "ceil", "round", "trunc", "sign"):

        def f(w, name=name):
            return ops.sum(ops.multiply(getattr(ops, name)(w), w))

        _, g = kerasx.value_and_grad(f)(x)
        # d/dw [h(w) * w] = h(w) when h has zero derivative
        np.testing.assert_allclose(_np(g), getattr(np, name)(x), err_msg=name)


# ----------------------------------------------------------------------------- errors


def test_bitwise_rejects_floats(engine):
    with pytest.raises(TypeError, match=r"bitwise_and.*float32"):
        ops.bitwise_and(np.ones(2, np.float32), np.ones(2, np.float32))
    with pytest.raises(TypeError, match=r"left_shift.*float32"):
        ops.left_shift(np.ones(2, np.int32), np.ones(2, np.float32))
    with pytest.raises(TypeError, match=r"bitwise_invert.*float"):
        ops.bitwise_invert(np.ones(2, np.float32))
    with pytest.raises(TypeError, match=r"`gcd`.*bool"):
        ops.gcd(np.array([True]), np.array([False]))
    with pytest.raises(TypeError, match=r"`sign`.*bool"):
        ops.sign(np.array([True]))


def test_symbolic_bitwise_errors():
    with pytest.raises(TypeError, match=r"`x`.*float32"):
        ops.bitwise_or(KerasTensor((2,), "float32"), KerasTensor((2,), "int32"))
    with pytest.raises(TypeError, match="lcm"):
        ops.lcm(KerasTensor((2,), "bool"), KerasTensor((2,), "bool"))
    with pytest.raises(TypeError, match="sign"):
        ops.sign(KerasTensor((2,), "bool"))


def test_round_decimals_must_be_int(engine):
    with pytest.raises(TypeError, match=r"`decimals`.*decimals=1.5"):
        ops.round(np.ones(2, np.float32), 1.5)
    with pytest.raises(TypeError, match=r"`decimals`"):
        ops.round(KerasTensor((2,)), "1")


def test_where_needs_both_or_neither(engine):
    c = np.array([True, False])
    with pytest.raises(ValueError, match=r"`x1` and `x2`.*x2=None"):
        ops.where(c, np.ones(2), None)
    with pytest.raises(ValueError, match=r"`x1` and `x2`.*x1=None"):
        ops.where(c, x2=np.ones(2))
    with pytest.raises(ValueError, match=r"`x1` and `x2`"):
        ops.where(KerasTensor((2,), "bool"), KerasTensor((2,)))


def test_select_bad_lists(engine):
    c = np.array([True, False])
    with pytest.raises(ValueError, match=r"`choicelist`.*len\(choicelist\)=1"):
        ops.select([c, c], [np.ones(2)])
    with pytest.raises(ValueError, match="non-empty"):
        ops.select([], [])


def test_digitize_and_searchsorted_errors(engine):
    with pytest.raises(ValueError, match=r"`bins`.*\(1, 2\)"):
        ops.digitize(np.ones(3), np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"`bins`"):
        ops.digitize(np.ones(3), 1.0)
    with pytest.raises(ValueError, match=r"`side`.*side='middle'"):
        ops.searchsorted(np.arange(3.0), np.ones(2), side="middle")
    with pytest.raises(ValueError, match=r"`sorted_sequence`.*\(1, 3\)"):
        ops.searchsorted(np.ones((1, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"`sorted_sequence`"):
        ops.searchsorted(KerasTensor((2, 3)), KerasTensor((4,)))


# --------------------------------------------------------------------------- symbolic


def test_symbolic_shapes_and_dtypes():
    a = KerasTensor((None, 3), "float32")
    b = KerasTensor((3,), "int32")
    out = ops.greater(a, b)
    assert out.shape == (None, 3) and out.dtype == "bool"
    out = ops.allclose(a, b)
    assert out.shape == () and out.dtype == "bool"
    out = ops.isin(KerasTensor((2, 5), "int32"), KerasTensor((7,), "int32"))
    assert out.shape == (2, 5) and out.dtype == "bool"
    out = ops.floor(KerasTensor((4,), "int8"))
    assert out.dtype == "float32"
    out = ops.searchsorted(KerasTensor((5,)), KerasTensor((2, None)))
    assert out.shape == (2, None) and out.dtype == "int32"
    out = ops.digitize(KerasTensor((2, 3)), KerasTensor((4,)))
    assert out.shape == (2, 3) and out.dtype == "int32"
    idx = ops.where(KerasTensor((2, 3), "bool"))
    assert isinstance(idx, tuple) and len(idx) == 2
    assert all(t.shape == (None,) and t.dtype == "int32" for t in idx)
    out = ops.where(KerasTensor((None, 1), "bool"), KerasTensor((3,), "float16"), 2.0)
    assert out.shape == (None, 3) and out.dtype == "float16"
    out = ops.select([KerasTensor((2, 1), "bool")], [KerasTensor((4,), "int8")], 0)
    assert out.shape == (2, 4) and out.dtype == "int8"


def test_python_operators_route_to_logic_ops():
    i = KerasTensor((3,), "int32")
    b = KerasTensor((3,), "bool")
    assert (i < 2).dtype == "bool"
    assert (i >= i).dtype == "bool"
    assert (i & i).dtype == "int32"
    assert (b & b).dtype == "bool"
    assert (b | b).dtype == "bool"
    assert (i ^ 3).dtype == "int32"
    assert (~i).dtype == "int32"
    assert (~b).dtype == "bool"

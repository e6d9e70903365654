"""Focused tests for reductions, statistics, sorting and segment ops (beyond the samples)."""

import warnings

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery
from kerasx.engine.symbolic import KerasTensor

ENGINES = discovery.installed_engines()


@pytest.fixture(params=ENGINES)
def engine(request):
    kerasx.config.set_backend(request.param)
    yield request.param
    kerasx.config.set_backend("numpy")


def _np(x):
    if isinstance(x, (list, tuple)):
        return [_np(t) for t in x]
    return np.asarray(ops.convert_to_numpy(x))


def _dtype(x):
    return kerasx.engine.dtypes.standardize_dtype(x.dtype)


I8 = np.array([[1, 0, 2], [3, 1, 0]], "int8")
U8 = I8.astype("uint8")
B = I8 > 0
F16 = I8.astype("float16")
I64 = I8.astype("int64")

# (op name, args, kwargs): values and result dtypes must match real Keras 3.
KERAS_CASES = [
    ("sum", (U8,), {}),
    ("mean", (I8,), {"axis": 1}),
    ("mean", (F16,), {}),
    ("mean", (B,), {}),
    ("var", (I8,), {}),
    ("std", (I8,), {"axis": 0}),
    ("max", (B,), {}),
    ("max", (I8,), {"axis": 1, "initial": 2}),
    ("min", (U8,), {"axis": 0, "keepdims": True}),
    ("amax", (F16,), {"axis": -1}),
    ("ptp", (I8,), {"axis": 1}),
    ("prod", (I8,), {}),
    ("prod", (U8,), {"axis": 0}),
    ("prod", (I8,), {"dtype": "float32"}),
    ("nansum", (B,), {}),
    ("nansum", (U8,), {"axis": 1}),
    ("nanprod", (I8,), {}),
    ("nanmean", (I8,), {}),
    ("nanvar", (I8,), {"axis": 1}),
    ("nanmax", (I8,), {}),
    ("all", (I8,), {"axis": 0}),
    ("any", (F16,), {"axis": 1, "keepdims": True}),
    ("count_nonzero", (I8,), {"axis": 0}),
    ("argmax", (I8,), {}),
    ("argmin", (I64,), {"axis": 1}),
    ("nanargmax", (F16,), {"axis": 0}),
    ("cumsum", (I8,), {}),
    ("cumsum", (B,), {"axis": 1}),
    ("cumsum", (I8,), {"axis": 0, "dtype": "float32"}),
    ("cumprod", (U8,), {"axis": 1}),
    ("nancumsum", (B,), {"axis": 0}),
    ("median", (I8,), {}),
    ("quantile", (I8, 0.25), {"axis": 1}),
    ("percentile", (F16, 50.0), {}),
    ("nanmedian", (I8,), {"axis": 0}),
    ("average", (I8,), {"axis": 1, "weights": np.array([1, 2, 3], "int32")}),
    ("average", (F16,), {"axis": 1, "weights": np.array([1.0, 2.0, 3.0], "float32")}),
    ("average", (I8,), {"axis": 1, "weights": np.array([1.0, 2.0, 3.0], "float16")}),
    ("trapezoid", (I8,), {}),
    ("corrcoef", (I8,), {}),
    ("sort", (U8,), {"axis": 0}),
    ("argsort", (I8.astype("float32"),), {"axis": 1}),
    ("logsumexp", (F16,), {"axis": 1}),
    ("bincount", (np.array([0, 1, 1, 3], "int32"),), {"minlength": 6}),
    ("bincount", (np.array([0, 1, 1, 3], "int32"),), {"weights": np.array([1, 2, 3, 4], "int8")}),
    (
        "bincount",
        (np.array([0, 1, 1, 3], "int32"),),
        {"weights": np.array([0.5, 1, 1, 2], "float32")},
    ),
    ("segment_sum", (I8, np.array([1, 0], "int32")), {"num_segments": 3}),
    ("segment_prod", (F16, np.array([1, 1], "int32")), {"num_segments": 2}),
    ("unique", (np.array([3, 1, 1, 2], "int32"),), {}),
    ("unique", (np.array([3, 1, 1, 2], "int32"),), {"size": 6, "fill_value": -1}),
    ("nonzero", (I8,), {}),
    (
        "in_top_k",
        (np.array([1, 0]), np.array([[0.1, 0.9, 0.3], [0.5, 0.2, 0.1]], "float32"), 1),
        {},
    ),
]


@pytest.mark.parametrize(
    "case", KERAS_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(KERAS_CASES)]
)
def test_values_and_dtypes_match_keras(case):
    keras = pytest.importorskip("keras")
    name, args, kwargs = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = getattr(keras.ops, name)(*args, **kwargs)
    for eng in ENGINES:
        kerasx.config.set_backend(eng)
        try:
            got = getattr(ops, name)(*args, **kwargs)
        finally:
            kerasx.config.set_backend("numpy")
        got_l = got if isinstance(got, (tuple, list)) else [got]
        exp_l = expected if isinstance(expected, (tuple, list)) else [expected]
        assert len(got_l) == len(exp_l)
        for g, e in zip(got_l, exp_l):
            e = np.asarray(e)
            np.testing.assert_allclose(_np(g).astype("float64"), e.astype("float64"), rtol=1e-3)
            assert _dtype(g) == kerasx.engine.dtypes.standardize_dtype(e.dtype), (name, eng)


def test_64_bit_inputs_stay_64_bit(engine):
    # Deliberate difference from Keras's NumPy/JAX backends, which demote to 32 bits.
    x = np.arange(6.0).reshape(2, 3)
    assert _dtype(ops.mean(x)) == "float64"
    assert _dtype(ops.quantile(x, 0.5)) == "float64"
    assert _dtype(ops.cumsum(x.astype("int64"))) == "int64"
    assert _dtype(ops.prod(x.astype("int64"))) == "int64"
    # int64 in a float statistic still gives floatx, as in Keras.
    assert _dtype(ops.mean(x.astype("int64"))) == "float32"


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call, argname",
    [
        (lambda: ops.quantile(np.ones(3), 0.5, method="cubic"), "method"),
        (lambda: ops.argmax(np.ones((2, 3)), axis=(0, 1)), "axis"),
        (lambda: ops.top_k(np.ones(3), 4), "k"),
        (lambda: ops.top_k(np.ones(3), 0), "k"),
        (lambda: ops.average(np.ones((2, 3)), axis=1, weights=np.ones(2)), "weights"),
        (lambda: ops.average(np.ones((2, 3)), weights=np.ones(3)), "weights"),
        (lambda: ops.histogram(np.ones(3), bins=0), "bins"),
        (lambda: ops.histogram(np.ones(3), range=(1.0, 0.0)), "range"),
        (lambda: ops.bincount(np.array([0, 1]), minlength=-1), "minlength"),
        (lambda: ops.argpartition(np.ones(3), 3), "kth"),
        (lambda: ops.segment_sum(np.ones(3), np.array([0, 1, 1]), num_segments=-2), "num_segments"),
        (lambda: ops.segment_sum(np.ones(3), np.array([0, 1])), "segment_ids"),
        (lambda: ops.corrcoef(np.ones((2, 2, 2))), "x"),
    ],
)
def test_bad_arguments_name_the_argument(call, argname):
    kt_call = call  # the eager and the symbolic path validate alike
    with pytest.raises(ValueError, match=f"`{argname}`"):
        kt_call()


def test_symbolic_errors_name_the_argument():
    with pytest.raises(ValueError, match="`method`"):
        ops.quantile(KerasTensor((2, 3)), 0.5, method="cubic")
    with pytest.raises(ValueError, match="`k`"):
        ops.top_k(KerasTensor((2, 3)), 5)


# ---------------------------------------------------------------------------- symbolic


def test_symbolic_shapes_with_data_dependent_sizes():
    x = KerasTensor((4, 3), "int32")
    assert ops.unique(x).shape == (None,)
    vals, inv, counts = ops.unique(x, return_inverse=True, return_counts=True)
    assert (vals.shape, inv.shape, counts.shape) == ((None,), (4, 3), (None,))
    assert inv.dtype == "int32"
    assert ops.unique(x, size=5).shape == (5,)
    assert ops.unique(x, axis=0).shape == (None, 3)
    rows, cols = ops.nonzero(x)
    assert rows.shape == (None,) and cols.dtype == "int32"
    assert ops.bincount(KerasTensor((5,), "int32")).shape == (None,)
    assert ops.segment_sum(KerasTensor((5, 2)), KerasTensor((5,), "int32"), 3).shape == (3, 2)
    assert ops.segment_max(KerasTensor((5, 2)), KerasTensor((5,), "int32")).shape == (None, 2)
    vals, idx = ops.top_k(KerasTensor((None, 7), "float16"), 2)
    assert vals.shape == (None, 2) and vals.dtype == "float16" and idx.dtype == "int32"
    assert ops.quantile(KerasTensor((2, 5)), [0.1, 0.5, 0.9], axis=1).shape == (3, 2)
    assert ops.cumsum(KerasTensor((2, 5), "bool")).shape == (10,)
    assert ops.cumsum(KerasTensor((2, 5), "bool")).dtype == "int32"
    counts, edges = ops.histogram(KerasTensor((9,)), bins=4)
    assert counts.shape == (4,) and edges.shape == (5,) and counts.dtype == "int32"


# ------------------------------------------------------------------- values, edge cases


def test_argpartition_partitions(engine):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 9)).astype("float32")
    for kth in (0, 3, 8, -2):
        idx = _np(ops.argpartition(x, kth))
        assert idx.dtype == np.int32
        part = np.take_along_axis(x, idx, axis=-1)
        k = kth % 9
        np.testing.assert_array_equal(part[:, k], np.sort(x, axis=-1)[:, k])
        assert np.all(part[:, :k] <= part[:, k : k + 1])
        assert np.all(part[:, k + 1 :] >= part[:, k : k + 1])
        np.testing.assert_array_equal(np.sort(idx, axis=-1), np.tile(np.arange(9), (4, 1)))


def test_argpartition_agrees_with_keras_partition():
    keras = pytest.importorskip("keras")
    x = np.array([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0], "float32")
    ours = _np(ops.argpartition(x, 2))
    theirs = np.asarray(keras.ops.argpartition(x, 2))
    assert ours[2] == theirs[2]
    assert set(ours[:2]) == set(theirs[:2])


def test_top_k_ties_take_lowest_index_first(engine):
    x = np.array([[1.0, 3.0, 3.0, 2.0, 3.0]], "float32")
    vals, idx = ops.top_k(x, 3)
    np.testing.assert_array_equal(_np(idx), [[1, 2, 4]])
    np.testing.assert_array_equal(_np(vals), [[3.0, 3.0, 3.0]])


def test_in_top_k_counts_ties_as_hits(engine):
    preds = np.array([[0.5, 0.5, 0.1], [0.2, 0.3, 0.9]], "float32")
    got = _np(ops.in_top_k(np.array([1, 0]), preds, 1))
    np.testing.assert_array_equal(got, [True, False])


def test_unique_outputs_against_numpy(engine):
    x = np.array([[2, 5, 2], [7, 5, 1]], "int32")
    vals, index, inverse, counts = ops.unique(
        x, return_index=True, return_inverse=True, return_counts=True
    )
    v, i, inv, c = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(_np(vals), v)
    np.testing.assert_array_equal(_np(index), i)
    np.testing.assert_array_equal(_np(inverse), inv.reshape(x.shape))
    np.testing.assert_array_equal(_np(counts), c)
    padded, pcounts = ops.unique(x, size=6, fill_value=-3, return_counts=True)
    np.testing.assert_array_equal(_np(padded), [1, 2, 5, 7, -3, -3])
    np.testing.assert_array_equal(_np(pcounts), [1, 2, 2, 1, 0, 0])
    rows = ops.unique(np.array([[1, 2], [0, 1], [1, 2]], "int32"), axis=0)
    np.testing.assert_array_equal(_np(rows), [[0, 1], [1, 2]])


def test_segments_infer_num_segments_and_drop_out_of_range(engine):
    data = np.array([1.0, 2.0, 3.0, 4.0], "float32")
    ids = np.array([0, 2, 2, 5], "int32")
    np.testing.assert_allclose(_np(ops.segment_sum(data, ids)), [1, 0, 5, 0, 0, 4])
    np.testing.assert_allclose(_np(ops.segment_sum(data, ids, num_segments=3)), [1, 0, 5])
    np.testing.assert_allclose(_np(ops.segment_max(data, ids, 3)), [1, -np.inf, 3])
    np.testing.assert_allclose(_np(ops.segment_min(data, ids, 3)), [1, np.inf, 2])
    np.testing.assert_allclose(_np(ops.segment_prod(data, ids, 3)), [1, 1, 6])
    ints = ops.segment_max(np.array([3, 1], "int32"), np.array([0, 0], "int32"), 2)
    np.testing.assert_array_equal(_np(ints), [3, np.iinfo(np.int32).min])


def test_bincount_batched_rows(engine):
    x = np.array([[0, 1, 1], [2, 2, 0]], "int32")
    np.testing.assert_array_equal(_np(ops.bincount(x, minlength=4)), [[1, 2, 0, 0], [1, 0, 2, 0]])


def test_max_initial_and_empty(engine):
    empty = np.zeros((0,), "float32")
    assert float(_np(ops.max(empty, initial=5.0))) == 5.0
    assert float(_np(ops.min(np.array([1.0, 2.0], "float32"), initial=-1.0))) == -1.0


def test_nan_reductions_all_nan_rows_without_warnings(engine):
    x = np.array([[np.nan, np.nan], [1.0, np.nan]], "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(np.isnan(_np(ops.nanmean(x, axis=1))), [True, False])
        np.testing.assert_allclose(_np(ops.nanmax(x, axis=1))[1], 1.0)
        np.testing.assert_allclose(_np(ops.nanmedian(x, axis=1))[1], 1.0)
        np.testing.assert_allclose(_np(ops.nansum(x, axis=1)), [0.0, 1.0])


def test_logsumexp_is_stable(engine):
    x = np.array([[1000.0, 1000.0], [-np.inf, 0.0]], "float32")
    np.testing.assert_allclose(
        _np(ops.logsumexp(x, axis=1)), [1000.0 + np.log(2.0), 0.0], rtol=1e-6
    )


def test_trapezoid_and_corrcoef_against_numpy(engine):
    y = np.array([[1.0, 2.0, 4.0], [0.0, -1.0, 3.0]])
    x = np.array([0.0, 0.5, 2.0])
    np.testing.assert_allclose(_np(ops.trapezoid(y, x)), np.trapezoid(y, x))
    np.testing.assert_allclose(
        _np(ops.trapezoid(y, dx=0.3, axis=0)), np.trapezoid(y, dx=0.3, axis=0)
    )
    np.testing.assert_allclose(_np(ops.corrcoef(y)), np.corrcoef(y), atol=1e-12)
    assert _np(ops.corrcoef(y[0])).shape == ()


# ----------------------------------------------------------------------------- gradients


def test_prod_gradient_with_zeros(engine):
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]])
    g = _np(kerasx.grad(lambda v: ops.sum(ops.prod(v, axis=1)))(x))
    expected = np.array([[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]])
    np.testing.assert_allclose(g, expected)


def test_max_gradient_splits_ties_like_jax(engine):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, -1.0]])
    g = _np(kerasx.grad(lambda v: ops.sum(ops.max(v, axis=1)))(x))
    np.testing.assert_allclose(g, [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])


def test_sort_and_top_k_gradients_reach_the_source_positions(engine):
    x = np.array([0.3, -1.0, 2.0, 0.7])
    w = np.array([1.0, 10.0, 100.0, 1000.0])
    g = _np(kerasx.grad(lambda v: ops.sum(ops.multiply(ops.sort(v), w)))(x))
    np.testing.assert_allclose(g, [10.0, 1.0, 1000.0, 100.0])
    g = _np(kerasx.grad(lambda v: ops.sum(ops.multiply(ops.top_k(v, 2)[0], w[:2])))(x))
    np.testing.assert_allclose(g, [0.0, 0.0, 1.0, 10.0])


def test_median_gradient_interpolates(engine):
    x = np.array([4.0, 1.0, 3.0, 2.0])
    g = _np(kerasx.grad(lambda v: ops.median(v))(x))
    np.testing.assert_allclose(g, [0.0, 0.0, 0.5, 0.5])


def test_second_order_through_logsumexp(engine):
    x = np.array([0.2, -0.4, 1.1])
    hess_diag = kerasx.grad(lambda v: ops.sum(kerasx.grad(lambda u: ops.logsumexp(u))(v) ** 2))(x)
    p = np.exp(x) / np.exp(x).sum()
    # d/dx_j sum_i p_i^2 = 2 p_j (p_j - sum_i p_i^2)
    np.testing.assert_allclose(_np(hess_diag), 2 * p * (p - np.sum(p**2)), rtol=1e-10)


def test_jit_traces_static_shape_ops():
    if "jax" not in ENGINES:
        pytest.skip("JAX is not installed")
    kerasx.config.set_backend("jax")
    try:
        x = np.random.default_rng(1).standard_normal((3, 6)).astype("float32")
        ids = np.array([0, 1, 1], "int32")

        def f(v):
            return (
                ops.quantile(v, 0.3, axis=1),
                ops.top_k(v, 2)[0],
                ops.segment_sum(v, ids, num_segments=2),
                ops.argpartition(v, 2),
                ops.cumsum(v, axis=0),
            )

        jitted = kerasx.jit(f)(x)
        for a, b in zip(jitted, f(x)):
            np.testing.assert_allclose(_np(a), _np(b), rtol=1e-6)
    finally:
        kerasx.config.set_backend("numpy")

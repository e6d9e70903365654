"""kerasx.utils array and data helpers against Keras 3 (numpy backend) and closed forms."""

import random
import re

import numpy as np
import pytest

import kerasx
from kerasx import config, ops
from kerasx import utils as U
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")
KU = keras.utils


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _outcome(fn, *args, **kwargs):
    """(result, None) or (None, (error type, message without whitespace))."""
    try:
        return fn(*args, **kwargs), None
    except Exception as e:  # noqa: BLE001 - we compare whatever is raised
        return None, (type(e), re.sub(r"\s", "", str(e)))


def _same_outcome(ours, theirs, *args, **kwargs):
    got, got_err = _outcome(ours, *args, **kwargs)
    want, want_err = _outcome(theirs, *args, **kwargs)
    assert got_err == want_err
    return got, want


# -- to_categorical ------------------------------------------------------------------------------

CATEGORICAL = [
    ([0, 2, 1], None),
    ([0, 2, 1], 4),
    ([[1], [2]], 4),
    ([[1, 0], [2, 1]], None),
    ([[[1]]], 3),
    (3, None),
    (1.7, 3),
    ([1, -1], 4),
    ([], 4),
    ([1, 5], 4),
]


@pytest.mark.parametrize("case", range(len(CATEGORICAL)))
def test_to_categorical_host_inputs_match_keras(engine, case):
    x, n = CATEGORICAL[case]
    got, want = _same_outcome(U.to_categorical, KU.to_categorical, x, n)
    if want is not None:
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype == np.float64
        np.testing.assert_array_equal(got, want)


ARRAYS = [
    (np.array([0, 2, 1]), 3),
    (np.array([[1], [2]]), 4),
    (np.array([[1, 0], [2, 1]], "int64"), None),
    (np.array([[[1]]]), 3),
    (np.array([0, 1], "uint8"), None),
    (np.array(2), None),
]


@pytest.mark.parametrize("case", range(len(ARRAYS)))
def test_to_categorical_arrays_and_tensors(engine, case):
    x, n = ARRAYS[case]
    want = KU.to_categorical(x, n)  # Keras numpy backend: arrays are tensors -> float32
    got = U.to_categorical(x, n)
    if engine == "numpy":
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype == np.float32
    else:
        # as Keras on the JAX backend: NumPy arrays are host data -> float64 NumPy
        assert isinstance(got, np.ndarray) and got.dtype == np.float64
    np.testing.assert_array_equal(got, want)
    t = ops.convert_to_tensor(x)
    got_t = U.to_categorical(t, n)
    assert ops.is_tensor(got_t) and str(got_t.dtype) == "float32"
    np.testing.assert_array_equal(ops.convert_to_numpy(got_t), want)


def test_to_categorical_and_normalize_trace_under_jit(engine):
    x = ops.convert_to_tensor(np.array([[2], [0], [1]]))
    v = ops.convert_to_tensor(np.array([[3.0, 4.0], [0.0, 0.0]], "float32"))
    f = kerasx.jit(lambda a, b: (U.to_categorical(a, 3), U.normalize(b)))
    cat, nrm = f(x, v)
    np.testing.assert_array_equal(ops.convert_to_numpy(cat), np.eye(3)[[2, 0, 1]])
    np.testing.assert_allclose(ops.convert_to_numpy(nrm), [[0.6, 0.8], [0.0, 0.0]], atol=1e-6)


# -- normalize -----------------------------------------------------------------------------------

NORMALIZE = [
    (np.array([[3.0, 4.0], [1, 0]]), {}),
    (np.array([[3, 4], [1, 0]]), {}),
    (np.array([[3, 4], [1, 0]], "float32"), {"order": 1}),
    (np.array([[3.0, 4.0], [0, 0]]), {"order": np.inf}),
    (np.array([[3.0, -4.0], [0, 0]]), {"order": 3}),
    (np.array([[3.0, -4.0], [0, 0]]), {"order": -1}),
    (np.array([[3.0, -4.0], [0, 0]]), {"order": "fro"}),
    (np.array([3.0, -4.0]), {"axis": 0}),
    (np.array([[3.0, -4.0], [1, 1]]), {"axis": None}),
    (np.array([[3.0, 4.0], [0, 0]], "float32"), {"axis": -1, "order": 1}),
    (np.random.default_rng(0).normal(size=(2, 3, 4)), {"axis": (1, 2)}),
    (np.random.default_rng(0).normal(size=(2, 3)), {"axis": (0, 1), "order": "fro"}),
    (np.random.default_rng(0).normal(size=(2, 3)), {"axis": (-2, -1), "order": "fro"}),
    (np.array([3.0, 4.0]), {}),
]


@pytest.mark.parametrize("case", range(len(NORMALIZE)))
def test_normalize_arrays_match_keras(engine, case):
    x, kw = NORMALIZE[case]
    got, want = _same_outcome(U.normalize, KU.normalize, x, **kw)
    if want is not None:
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-7)


def test_normalize_other_axes_fixes_keras(engine):
    # Keras 3's host path divides along the last axis whatever `axis` is (wrong numbers, or
    # a broadcast error); kerasx normalises along `axis`.
    x = np.array([[3.0, 4.0], [1.0, 2.0], [1.0, 1.0]])
    got = U.normalize(x, axis=0, order=1)
    np.testing.assert_allclose(got, x / x.sum(axis=0, keepdims=True))
    y = np.random.default_rng(1).normal(size=(2, 3, 4))
    got = U.normalize(y, axis=(0, 1), order="fro")
    np.testing.assert_allclose(got, y / np.sqrt((y**2).sum(axis=(0, 1), keepdims=True)))


def test_normalize_tensors_and_lists(engine):
    for x in ([[3.0, 4.0], [0.0, 0.0]], ops.convert_to_tensor(np.array([[3.0, 4.0], [0.0, 0.0]]))):
        got = U.normalize(x)
        assert ops.is_tensor(got)
        np.testing.assert_allclose(ops.convert_to_numpy(got), [[0.6, 0.8], [0, 0]], atol=1e-6)


# -- pad_sequences -------------------------------------------------------------------------------

SEQ = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10]]
PAD = [
    (SEQ, {}),
    (SEQ, {"maxlen": 3}),
    (SEQ, {"maxlen": 3, "truncating": "post"}),
    (SEQ, {"maxlen": 4, "padding": "post", "value": -1}),
    (SEQ, {"maxlen": 7, "padding": "post", "truncating": "post"}),
    (SEQ, {"dtype": "float32", "value": 0.5}),
    (SEQ, {"dtype": "int32", "value": 0.5}),
    (SEQ, {"dtype": "int8"}),
    (SEQ, {"dtype": None}),
    (SEQ, {"padding": "middle"}),
    (SEQ, {"maxlen": 2, "truncating": "x"}),
    ([[1], [2]], {"padding": "middle"}),
    ([[], []], {"padding": "middle"}),
    ([[1], [2, 3]], {"maxlen": 1, "padding": "middle", "truncating": "middle"}),
    ([[1], []], {}),
    ([[], []], {}),
    ([], {}),
    ([[1, 2], [3]], {"dtype": "str"}),
    ([["a", "bb"], ["ccc"]], {"dtype": object, "value": ""}),
    ([["a", "bb"], ["ccc"]], {"dtype": "str", "value": ""}),
    ([["a", "bb"], ["ccc"]], {"dtype": "<U2", "value": "xyz"}),
    ([["a", "bb"], ["ccc"]], {"value": "x"}),
    ([["a", "bb"], ["ccc"]], {"dtype": object}),
    ([[1, 2], [3]], {"dtype": "S3", "value": "a"}),
    ([[1, 2], [3]], {"dtype": object, "value": None}),
    ([[[1, 2], [3, 4]], [[5, 6]]], {}),
    ([[[1, 2], [3, 4]], [[5, 6, 7]]], {}),
    ([[], [[1, 2]], [[3, 4, 5]]], {}),
    (np.array([[1, 2], [3, 4]]), {}),
    (np.array([[1, 2], [3, 4]], "float64"), {"dtype": None}),
    ([np.array([1.5, 2.0]), [3]], {"dtype": "float64"}),
    ([[1, 2], [3]], {"dtype": "bool"}),
    ([(1, 2), range(3)], {}),
    ([[1, 2], 3], {}),
    (5, {}),
    ((x for x in [[1], [2]]), {}),
    ([[1, 2], None], {}),
    ([[1, 2], "ab"], {}),
    ([[1, 2], [3, 4]], {"maxlen": -1}),
    ([[1, 2], [3]], {"maxlen": np.int64(3)}),
    ([[1, 2], [3]], {"dtype": "float32", "value": float("nan")}),
]


@pytest.mark.parametrize("case", range(len(PAD)))
def test_pad_sequences_match_keras(engine, case):
    seqs, kw = PAD[case]
    got, want = _same_outcome(U.pad_sequences, KU.pad_sequences, seqs, **kw)
    if want is not None:
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


# -- set_random_seed -----------------------------------------------------------------------------


def test_set_random_seed_makes_everything_repeat(engine):
    def draw():
        return (
            random.random(),
            np.random.rand(),
            ops.convert_to_numpy(kerasx.random.uniform((3,))).tolist(),
            ops.convert_to_numpy(kerasx.random.normal((2,), seed=kerasx.random.SeedGenerator())),
        )

    U.set_random_seed(123)
    a = draw()
    U.set_random_seed(123)
    b = draw()
    assert a[:3] == b[:3]
    np.testing.assert_array_equal(a[3], b[3])
    U.set_random_seed(124)
    assert draw()[2] != a[2]


@pytest.mark.parametrize("seed", [1.5, "3", None, -1, 2**32])
def test_set_random_seed_errors(seed):
    with pytest.raises(ValueError, match="seed"):
        U.set_random_seed(seed)
    with pytest.raises(ValueError):
        KU.set_random_seed(seed)


# -- split_dataset -------------------------------------------------------------------------------

SPLIT_ERRORS = [
    ((np.arange(10), 2.0), {}),
    ((np.arange(10), 0.7, 0.7), {}),
    ((np.arange(10), 11), {}),
    ((np.arange(10),), {}),
    ((np.arange(10), -1), {}),
    (([1, 2], "a"), {}),
    ((np.arange(2), 0.25), {}),
    ((np.arange(2), 0.75), {}),
    ((np.arange(2),), {"right_size": 0.75}),
    ((np.arange(10), 5, 6), {}),
    ((np.arange(10), 0.5, 6), {}),
    ((np.arange(10), 0, 6), {}),
    ((np.arange(10), None, 10), {}),
    ((np.arange(10), None, 0.0), {}),
    ((np.arange(10), True), {}),
    ((np.arange(10), "0.5"), {}),
    ((np.arange(10), 0.5, "0.5"), {}),
    (((np.arange(3),), True, "a"), {}),
    (([np.arange(3), np.arange(4)], 0.5), {}),
    (((np.arange(3), np.arange(4)), 0.5), {}),
    (({"a": np.arange(3)}, 0.5), {}),
    ((np.arange(0), 0.5), {}),
    ((5, 0.5), {}),
    (([], 0.5), {}),
    ((np.float32(5), 0.5), {}),
    ((np.arange(10), 1.0), {}),
    ((np.arange(10), 10), {}),
    ((np.arange(10), np.int64(3)), {}),
    ((np.arange(10), 0.05), {}),
    ((np.arange(10), None, 0.05), {}),
    ((np.arange(10), 0.96), {}),
    (([np.arange(10), [1, 2]], 0.5), {}),
    (((np.arange(10), 5), 0.5), {}),
]


@pytest.mark.parametrize("case", range(len(SPLIT_ERRORS)))
def test_split_dataset_errors_match_keras(case):
    args, kw = SPLIT_ERRORS[case]
    _, got_err = _outcome(U.split_dataset, *args, **kw)
    _, want_err = _outcome(KU.split_dataset, *args, **kw)
    assert want_err is not None and want_err[0] is not ImportError  # raised before tf
    assert got_err == want_err


@pytest.mark.parametrize(
    "total, left, right, want",
    [
        (10, 0.3, None, (3, 7)),
        (10, None, 0.3, (7, 3)),
        (10, 3, None, (3, 7)),
        (10, 3, 5, (3, 5)),
        (10, 0.25, None, (2, 8)),  # round-half-even, as Keras
        (10, 0.35, None, (4, 6)),
        (10, 0.2, 0.3, (2, 3)),
        (4, 3, 0.25, (3, 1)),
    ],
)
def test_split_dataset_sizes_and_order(engine, total, left, right, want):
    x = np.arange(total) * 10
    y = np.arange(total, dtype="float32")
    left_ds, right_ds = U.split_dataset((x, y), left, right)
    assert isinstance(left_ds, U.PyDataset)
    assert (len(left_ds), len(right_ds)) == want
    assert [int(a) for a, _ in left_ds] == list(x[: want[0]])
    assert [int(a) for a, _ in right_ds] == list(x[total - want[1] :])
    a, b = right_ds[0]
    assert a.dtype == x.dtype and b.dtype == np.float32 and a.shape == ()
    single_left, _ = U.split_dataset(x, left, right)
    assert [int(v) for v in single_left] == list(x[: want[0]])


def test_split_dataset_shuffle_and_batch(engine):
    x = np.arange(20).reshape(10, 2)
    left, right = U.split_dataset(x, 0.6, shuffle=True, seed=7)
    perm = np.arange(10)
    np.random.RandomState(7).shuffle(perm)
    np.testing.assert_array_equal(np.stack(list(left)), x[perm[:6]])
    np.testing.assert_array_equal(np.stack(list(right)), x[perm[6:]])
    again, _ = U.split_dataset(x, 0.6, shuffle=True, seed=7)
    np.testing.assert_array_equal(np.stack(list(again)), x[perm[:6]])
    batched = left.batch(4)
    assert len(batched) == batched.num_batches == 2
    np.testing.assert_array_equal(batched[0], x[perm[:4]])
    np.testing.assert_array_equal(batched[-1], x[perm[4:6]])
    assert len(left.batch(4, drop_remainder=True)) == 1
    with pytest.raises(IndexError):
        batched[2]
    with pytest.raises(ValueError, match="already batched"):
        batched.batch(2)
    U.set_random_seed(3)
    a, _ = U.split_dataset(x, 0.5, shuffle=True)
    U.set_random_seed(3)
    b, _ = U.split_dataset(x, 0.5, shuffle=True)
    np.testing.assert_array_equal(np.stack(list(a)), np.stack(list(b)))


# -- timeseries_dataset_from_array ---------------------------------------------------------------


def _windows(n, length, stride=1, rate=1, start=None, end=None, targets_len=None):
    """Closed form: start positions and window indices as documented by Keras."""
    start = start or 0
    end = n if end is None else end
    starts = []
    i = start
    while i + (length - 1) * rate < end and (targets_len is None or i < targets_len):
        starts.append(i)
        i += stride
    return starts, [[s + k * rate for k in range(length)] for s in starts]


TS_CASES = [
    dict(n=10, length=3),
    dict(n=10, length=3, stride=2, rate=2, batch=2),
    dict(n=23, length=4, stride=3, rate=2, batch=3, start=2, end=20),
    dict(n=10, length=10, batch=4),
    dict(n=10, length=11, batch=4),
    dict(n=15, length=2, batch=None, start=5),
    dict(n=12, length=3, batch=5, end=9),
]


@pytest.mark.parametrize("with_targets", [True, False])
@pytest.mark.parametrize("case", range(len(TS_CASES)))
def test_timeseries_windows_closed_form(engine, case, with_targets):
    c = dict(TS_CASES[case])
    n, length, batch = c["n"], c["length"], c.get("batch", 128)
    data = np.arange(n * 2, dtype="float64").reshape(n, 2)
    targets = np.arange(n) * 100 if with_targets else None
    ds = U.timeseries_dataset_from_array(
        data,
        targets,
        length,
        sequence_stride=c.get("stride", 1),
        sampling_rate=c.get("rate", 1),
        batch_size=batch,
        start_index=c.get("start"),
        end_index=c.get("end"),
    )
    starts, idx = _windows(
        n, length, c.get("stride", 1), c.get("rate", 1), c.get("start"), c.get("end")
    )
    elements = list(ds)
    if batch is None:
        assert len(ds) == len(starts)
        for k, el in enumerate(elements):
            w, t = el if with_targets else (el, None)
            np.testing.assert_array_equal(w, data[idx[k]])
            if with_targets:
                assert t == targets[starts[k]]
        return
    assert len(ds) == -(-len(starts) // batch)
    for b, el in enumerate(elements):
        w, t = el if with_targets else (el, None)
        rows = list(range(b * batch, min((b + 1) * batch, len(starts))))
        assert w.shape == (len(rows), length, 2) and w.dtype == np.float64
        np.testing.assert_array_equal(w, data[[idx[r] for r in rows]])
        if with_targets:
            np.testing.assert_array_equal(t, targets[[starts[r] for r in rows]])


def test_timeseries_shuffle_is_seeded_permutation(engine):
    data = np.arange(30)
    ds = U.timeseries_dataset_from_array(data, data, 5, batch_size=4, shuffle=True, seed=11)
    windows = np.concatenate([w for w, _ in ds])
    targets = np.concatenate([t for _, t in ds])
    starts = np.arange(26)
    np.random.RandomState(11).shuffle(starts)
    np.testing.assert_array_equal(windows[:, 0], starts)
    np.testing.assert_array_equal(targets, starts)
    np.testing.assert_array_equal(windows, starts[:, None] + np.arange(5))
    again = U.timeseries_dataset_from_array(data, data, 5, batch_size=4, shuffle=True, seed=11)
    np.testing.assert_array_equal(np.concatenate([w for w, _ in again]), windows)


def test_timeseries_accepts_tensors(engine):
    data = ops.convert_to_tensor(np.arange(8, dtype="float32"))
    ds = U.timeseries_dataset_from_array(data, None, 4, batch_size=8)
    np.testing.assert_array_equal(ds[0], np.arange(5)[:, None] + np.arange(4))


TS_ERRORS = [
    dict(sampling_rate=0),
    dict(sequence_stride=0),
    dict(start_index=-1),
    dict(start_index=10),
    dict(start_index=5, end_index=5),
    dict(end_index=11),
    dict(end_index=-1),
    dict(start_index=5, end_index=-1),
    dict(sampling_rate=0, sequence_stride=0, start_index=-1, end_index=11, format="x"),
    dict(sampling_rate=0, end_index=11),
    dict(sampling_rate=-1, format="x"),
    dict(format="numpy"),
]


@pytest.mark.parametrize("case", range(len(TS_ERRORS)))
def test_timeseries_errors_match_keras(case):
    kw = TS_ERRORS[case]
    _, got_err = _outcome(U.timeseries_dataset_from_array, np.arange(10), None, 3, **kw)
    _, want_err = _outcome(KU.timeseries_dataset_from_array, np.arange(10), None, 3, **kw)
    assert want_err is not None and want_err[0] is not ImportError
    assert got_err == want_err


# -- namespace -----------------------------------------------------------------------------------


def test_namespace_reexports():
    from kerasx import backend, saving
    from kerasx.trainers.data_adapters.py_dataset import PyDataset

    assert U.Sequence is U.PyDataset is PyDataset
    x, y = np.ones((2, 1)), np.zeros((2,))
    assert U.unpack_x_y_sample_weight(U.pack_x_y_sample_weight(x, y))[1] is y
    assert U.clear_session is backend.clear_session
    assert U.standardize_dtype is backend.standardize_dtype
    assert U.is_keras_tensor is backend.is_keras_tensor
    assert U.serialize_keras_object is saving.serialization.serialize_keras_object
    assert U.is_interactive_logging_enabled is config.is_interactive_logging_enabled
    for d in ("float32", np.int64, "bool", None):
        assert U.standardize_dtype(d) == KU.standardize_dtype(d)


def test_datasets_feed_the_epoch_iterator(engine):
    from kerasx.trainers.data_adapters import EpochIterator

    data = np.arange(40, dtype="float32").reshape(20, 2)
    ds = U.timeseries_dataset_from_array(data, np.arange(20), 4, batch_size=5)
    left, _ = U.split_dataset((data, np.arange(20)), 0.5)
    for d in (ds, left.batch(4)):
        it = EpochIterator(x=d)
        got = [b for _, b in it.enumerate_epoch()]
        assert len(got) == len(d)
        for batch, want in zip(got, d):
            for a, b in zip(batch, want):
                np.testing.assert_array_equal(ops.convert_to_numpy(a), b)


def test_saving_registration_names_are_reexported():
    """keras.utils re-exports the object-registration helpers of keras.saving."""
    import kerasx.saving as saving

    for name in (
        "CustomObjectScope",
        "custom_object_scope",
        "get_custom_objects",
        "get_registered_name",
        "get_registered_object",
        "register_keras_serializable",
    ):
        assert getattr(kerasx.utils, name) is getattr(saving, name)


def _config_story(cls):
    """Every observable of a Config through a sequence of uses (errors as their type)."""
    out = []

    def attempt(fn):
        try:
            out.append(("ok", fn()))
        except Exception as e:  # noqa: BLE001 - the error type is the observable
            out.append(("error", type(e).__name__))

    c = cls(a=1, b={"x": 2})
    out.append((c.a, c["b"], c.b, repr(c), len(c), list(c), "a" in c, "z" in c))
    c.d = 5
    c["e"] = 6
    out.append((c["d"], c.e, c.get("z", 9), c.pop("e"), c.as_dict(), c.to_json()))
    c.update({"q": 1}, r=2)
    out.append((list(c.keys()), list(c.values()), list(c.items())))
    c.freeze()
    out.append(c.frozen)
    attempt(lambda: setattr(c, "a", 3))
    attempt(lambda: c.__setitem__("a", 3))
    attempt(lambda: c.__delitem__("a"))
    attempt(lambda: c.pop("a"))
    attempt(lambda: c.update({"a": 4}))
    out.append(c.as_dict())
    c.unfreeze()
    c.a = 3
    del c["q"]
    out.append((c.frozen, c.as_dict()))
    attempt(lambda: c.missing)
    attempt(lambda: c["missing"])
    attempt(lambda: setattr(c, "frozen", True))
    return out


def test_config_behaves_as_keras_config():
    story = _config_story(U.Config)
    assert story[0] == (
        1,
        {"x": 2},
        {"x": 2},
        "<Config {'a': 1, 'b': {'x': 2}}>",
        2,
        ["a", "b"],
        True,
        False,
    )
    assert story[-3:] == [
        ("error", "AttributeError"),
        ("error", "KeyError"),
        ("error", "AttributeError"),
    ]
    assert story[3] is True and story[4:9] == [("error", "ValueError")] * 5
    keras = pytest.importorskip("keras")
    assert story == _config_story(keras.utils.Config)


def _source_names(lib):
    a = lib.Input((3,), name="a")
    b = lib.Input((3,), name="b")
    c = lib.layers.Dense(2)(a)
    d = lib.layers.Add()([c, lib.layers.Dense(2)(b)])
    e = lib.ops.add(lib.layers.Concatenate()([d, c]), 1.0)
    inner_in = lib.Input((3,), name="inner")
    inner = lib.Model(inner_in, lib.layers.Dense(2)(inner_in))
    f = inner(b)
    names = lambda ts: [t.name for t in ts]  # noqa: E731
    get = lib.utils.get_source_inputs
    return [names(get(d)), names(get(a)), names(get(c)), names(get(e)), names(get(f))]


def test_get_source_inputs_walks_back_to_the_inputs_as_keras_does():
    got = _source_names(kerasx)
    assert got == [["a", "b"], ["a"], ["a"], ["a", "b"], ["b"]]
    arr = np.ones(3)
    assert U.get_source_inputs(arr) is arr  # not symbolic: returned unchanged
    keras = pytest.importorskip("keras")
    assert got == _source_names(keras)

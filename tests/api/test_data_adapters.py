"""kerasx.trainers.data_adapters against Keras 3's own epoch iterator (a black-box oracle),
closed-form expectations, and both engines for engine tensors."""

import random
import time
import warnings

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.engine.discovery import installed_engines
from kerasx.trainers.data_adapters import (
    EpochIterator,
    PyDataset,
    pack_x_y_sample_weight,
    train_validation_split,
    unpack_x_y_sample_weight,
)

keras = pytest.importorskip("keras")
from keras.src.trainers.data_adapters.array_slicing import (  # noqa: E402
    train_validation_split as keras_split,
)
from keras.src.trainers.epoch_iterator import EpochIterator as KerasEpochIterator  # noqa: E402

RAN_OUT = "ran out of data"


@pytest.fixture(params=installed_engines(), autouse=True)
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def run_epochs(iterator, epochs, keras_style=False):
    """[(batches, warned)] per epoch; Keras yields (begin, end, [batches]) per execution."""
    out = []
    for _ in range(epochs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if keras_style:
                batches = [b for _, _, group in iterator.enumerate_epoch() for b in group]
            else:
                pairs = list(iterator.enumerate_epoch())
                assert [s for s, _ in pairs] == list(range(len(pairs)))
                batches = [b for _, b in pairs]
        ran_out = any(RAN_OUT in str(w.message) for w in caught)
        out.append((batches, ran_out))
    return out


def assert_same_tree(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            assert_same_tree(u, v)
    elif isinstance(a, dict):
        assert sorted(a) == sorted(b)
        for k in a:
            assert_same_tree(a[k], b[k])
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def compare_with_keras(epochs=2, seed=None, py_seed=None, make=None, **kwargs):
    """Run ours and Keras's iterator on the same inputs (re-made by `make` if given)."""
    results = []
    for cls, keras_style in ((EpochIterator, False), (KerasEpochIterator, True)):
        if seed is not None:
            np.random.seed(seed)
        if py_seed is not None:
            random.seed(py_seed)
        kw = dict(kwargs)
        if make is not None:
            kw["x"] = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            it = cls(**kw)
        results.append((it.num_batches, run_epochs(it, epochs, keras_style)))
    (n_ours, ours), (n_keras, theirs) = results
    assert n_ours == n_keras
    assert len(ours) == len(theirs)
    for (b1, w1), (b2, w2) in zip(ours, theirs):
        assert w1 == w2
        assert len(b1) == len(b2)
        for u, v in zip(b1, b2):
            assert_same_tree(u, v)
    return ours


R = np.random.default_rng(0)
X = R.normal(size=(10, 3)).astype("float32")
X64 = R.normal(size=(10, 2))
Y = np.arange(10) % 3
SW = R.uniform(size=10)


# ---------------------------------------------------------------------------------------------
# pack / unpack
# ---------------------------------------------------------------------------------------------

UNPACK_CASES = [X, (X,), (X, Y), (X, Y, SW), [X, Y], [X, Y, SW], {"a": X}, [X]]


@pytest.mark.parametrize("data", UNPACK_CASES, ids=range(len(UNPACK_CASES)))
def test_unpack_matches_keras(data):
    assert_same_tree(unpack_x_y_sample_weight(data), keras.utils.unpack_x_y_sample_weight(data))


@pytest.mark.parametrize("bad", [(), [], (X, Y, SW, SW)])
def test_unpack_rejects_bad_length(bad):
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        unpack_x_y_sample_weight(bad)
    with pytest.raises(ValueError):
        keras.utils.unpack_x_y_sample_weight(bad)


PACK_CASES = [(X,), (X, Y), (X, Y, SW), (X, None, SW), ((X, X),), ([X, X],), ({"a": X},)]


@pytest.mark.parametrize("args", PACK_CASES, ids=range(len(PACK_CASES)))
def test_pack_matches_keras(args):
    ours = pack_x_y_sample_weight(*args)
    assert_same_tree(ours, keras.utils.pack_x_y_sample_weight(*args))
    # round trip: packing then unpacking gives the parts back (weights need targets)
    x, y, sw = unpack_x_y_sample_weight(ours)
    assert x is args[0]
    if len(args) > 1 and args[1] is not None:
        assert y is args[1]


# ---------------------------------------------------------------------------------------------
# arrays
# ---------------------------------------------------------------------------------------------

ARRAY_CASES = {
    "x_only": dict(x=X),
    "x_y": dict(x=X, y=Y),
    "x_y_sw": dict(x=X, y=Y, sample_weight=SW),
    "sw_without_y": dict(x=X, sample_weight=SW),
    "float64_cast": dict(x=X64, y=X64[:, 0], sample_weight=SW),
    "int_bool_kept": dict(x=(X > 0), y=Y.astype("uint8"), sample_weight=np.ones(10, "int32")),
    "list_inputs": dict(x=[X, X64], y=Y),
    "list_inputs_only": dict(x=[X, X64]),
    "tuple_inputs": dict(x=(X, X64), y=Y),
    "dict_io": dict(x={"a": X, "b": X64}, y={"out": Y}),
    "nested_targets": dict(x=[X, X], y=(Y, {"a": Y})),
    "images": dict(x=R.normal(size=(10, 4, 4, 2)).astype("float32"), y=Y),
}


@pytest.mark.parametrize("name", list(ARRAY_CASES))
@pytest.mark.parametrize("batch_size", [None, 1, 3, 4, 10, 64])
def test_arrays_match_keras(name, batch_size):
    compare_with_keras(batch_size=batch_size, **ARRAY_CASES[name])


@pytest.mark.parametrize("shuffle", [True, "batch"])
@pytest.mark.parametrize("n, batch_size", [(10, 3), (12, 3), (7, 7), (50, 8)])
def test_shuffled_arrays_match_keras_for_same_numpy_seed(shuffle, n, batch_size):
    x = np.arange(n * 2, dtype="float32").reshape(n, 2)
    y = np.arange(n)
    ours = compare_with_keras(epochs=3, seed=123, x=x, y=y, batch_size=batch_size, shuffle=shuffle)
    for batches, _ in ours:  # closed form: every sample exactly once per epoch
        seen = np.concatenate([b[1] for b in batches])
        np.testing.assert_array_equal(np.sort(seen), np.arange(n))
        np.testing.assert_array_equal(np.concatenate([b[0] for b in batches])[:, 0], seen * 2)
        if shuffle == "batch":  # samples stay inside their batch-sized chunk
            for i, b in enumerate(batches):
                assert set(b[1].tolist()) == set(
                    range(i * batch_size, min(n, (i + 1) * batch_size))
                )


def test_shuffle_reshuffles_each_epoch_and_keeps_pairs():
    np.random.seed(0)
    x = np.arange(100, dtype="float32")[:, None]
    it = EpochIterator(x=x, y=np.arange(100), batch_size=16, shuffle=True)
    orders = []
    for batches, _ in run_epochs(it, 3):
        order = np.concatenate([b[1] for b in batches])
        np.testing.assert_array_equal(np.concatenate([b[0] for b in batches])[:, 0], order)
        orders.append(order)
    assert not np.array_equal(orders[0], orders[1])
    assert not np.array_equal(orders[1], orders[2])


@pytest.mark.parametrize("steps", [1, 2, 3, 4, 5, 7])
def test_arrays_with_steps_per_epoch_match_keras(steps):
    # 10 samples in batches of 3 = 4 batches; steps carry over between epochs.
    compare_with_keras(epochs=5, x=X, y=Y, batch_size=3, steps_per_epoch=steps)
    compare_with_keras(
        epochs=4, seed=7, x=X, y=Y, batch_size=3, steps_per_epoch=steps, shuffle=True
    )


def test_unshuffled_batches_are_views_and_partial_batch_kept():
    x = np.zeros((1000, 8), "float32")
    it = EpochIterator(x=x, batch_size=128)
    assert it.num_batches == 8
    batches = [b for _, b in it.enumerate_epoch()]
    assert [len(b) for b in batches] == [128] * 7 + [1000 - 7 * 128]
    assert all(np.shares_memory(b, x) for b in batches)


def test_epoch_of_mnist_sized_arrays_is_cheap():
    x = np.random.default_rng(1).random((60000, 784), dtype="float32")
    y = np.arange(60000) % 10
    for shuffle, limit in ((False, 0.05), (True, 1.0)):
        it = EpochIterator(x=x, y=y, batch_size=128, shuffle=shuffle)
        start = time.perf_counter()
        total = sum(b[0].shape[0] for _, b in it.enumerate_epoch())
        elapsed = time.perf_counter() - start
        assert total == 60000
        # unshuffled: slicing only; shuffled: one gather copy of the data (~190 MB) per epoch
        assert elapsed < limit, (shuffle, elapsed)


def test_engine_tensors_become_numpy(engine):
    xt = kerasx.ops.convert_to_tensor(X)
    yt = kerasx.ops.convert_to_tensor(Y.astype("int32"))
    var = kerasx.Variable(SW.astype("float32")) if hasattr(kerasx, "Variable") else None
    if var is None:
        from kerasx.engine.variables import Variable

        var = Variable(SW.astype("float32"))
    it = EpochIterator(x={"in": xt}, y=yt, sample_weight=var, batch_size=4)
    batches = [b for _, b in it.enumerate_epoch()]
    assert len(batches) == 3
    for i, (bx, by, bsw) in enumerate(batches):
        assert isinstance(bx["in"], np.ndarray) and isinstance(by, np.ndarray)
        assert isinstance(bsw, np.ndarray)
        np.testing.assert_array_equal(bx["in"], X[i * 4 : i * 4 + 4])
        np.testing.assert_array_equal(by, Y[i * 4 : i * 4 + 4])
        np.testing.assert_allclose(bsw, SW[i * 4 : i * 4 + 4].astype("float32"))
    assert by.dtype == np.int32


def test_foreign_arrays_are_accepted(engine):
    jnp = pytest.importorskip("jax.numpy")
    it = EpochIterator(x=jnp.asarray(X), y=jnp.asarray(Y), batch_size=4)
    bx, by = next(iter(it.enumerate_epoch()))[1]
    assert isinstance(bx, np.ndarray) and isinstance(by, np.ndarray)
    np.testing.assert_array_equal(bx, X[:4])


def test_floatx_is_respected():
    config.set_floatx("float16")
    keras.config.set_floatx("float16")
    try:
        compare_with_keras(epochs=1, x=X64, y=X, sample_weight=SW, batch_size=4)
    finally:
        config.set_floatx("float32")
        keras.config.set_floatx("float32")


# ---------------------------------------------------------------------------------------------
# class_weight
# ---------------------------------------------------------------------------------------------

CW = {0: 1.0, 1: 2.0, 2: 3.0}
CW_CASES = {
    "sparse": (Y, CW),
    "sparse_col": (Y.reshape(10, 1), CW),
    "one_hot": (np.eye(3, dtype="float32")[Y], CW),
    "probabilities": (R.uniform(size=(10, 3)), CW),
    "float_labels_round": (np.linspace(0, 2, 10).reshape(10, 1), CW),
    "binary": ((Y > 0).astype("float32").reshape(10, 1), {0: 1.0, 1: 5.0}),
    "missing_class": (Y, {0: 0.5, 1: 2.0}),
    "extra_and_odd_keys": (Y, {np.int64(0): 4.0, 1.0: 2.0, 2: 3.0, 9: 7.0}),
    "empty": (Y, {}),
}


@pytest.mark.parametrize("name", list(CW_CASES))
def test_class_weight_matches_keras(name):
    y, cw = CW_CASES[name]
    ours = compare_with_keras(epochs=1, x=X, y=y, class_weight=cw, batch_size=4)
    weights = np.concatenate([b[2] for b in ours[0][0]])
    assert weights.dtype == np.float32


def test_class_weight_closed_form():
    it = EpochIterator(x=X, y=Y, class_weight={0: 0.5, 2: 4.0}, batch_size=10)
    ((_, (_, _, sw)),) = list(it.enumerate_epoch())
    np.testing.assert_array_equal(sw, np.array([0.5, 1.0, 4.0] * 3 + [0.5], "float32"))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(y=Y, sample_weight=SW), ValueError, "`class_weight` and `sample_weight`"),
        (dict(y=[Y, Y]), ValueError, "single output"),
        (dict(y={"a": Y}), ValueError, "single output"),
        (dict(y=(Y,)), ValueError, "single output"),
        (dict(), ValueError, "needs targets"),
    ],
)
def test_class_weight_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        EpochIterator(x=X, class_weight=CW, **kwargs)


def test_class_weight_must_be_a_dict():
    with pytest.raises(TypeError, match=r"class_weight=\[1.0, 2.0\]"):
        EpochIterator(x=X, y=Y, class_weight=[1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# validation of arrays and arguments
# ---------------------------------------------------------------------------------------------


def test_cardinality_error_names_every_size():
    with pytest.raises(ValueError, match="Data cardinality is ambiguous") as info:
        EpochIterator(x=[X, X[:7]], y=Y[:4], sample_weight=SW)
    msg = str(info.value)
    assert (
        "'x' sizes: 10, 7" in msg and "'y' sizes: 4" in msg and "'sample_weight' sizes: 10" in msg
    )
    assert "same number of samples" in msg
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        KerasEpochIterator(x=[X, X[:7]], y=Y[:4])
    with pytest.raises(ValueError, match="'x' sizes: 10, 7"):
        EpochIterator(x={"a": X, "b": X[:7]})


@pytest.mark.parametrize(
    "x",
    [[1, 2, 3], [[1.0, 2.0], [3.0, 4.0]], "abc", 3, 2.5],
    ids=["ints", "nested", "str", "int", "float"],
)
def test_unrecognized_types_raise_like_keras(x):
    with pytest.raises(ValueError, match="Unrecognized data type") as info:
        EpochIterator(x=x)
    assert type(x).__name__ in str(info.value)
    with pytest.raises(ValueError, match="Unrecognized data type"):
        KerasEpochIterator(x=x)


def test_other_bad_inputs():
    with pytest.raises(ValueError, match="`x` is None"):
        EpochIterator(x=None)
    with pytest.raises(ValueError, match=r"Unrecognized data type: y=\[1, 2\]"):
        EpochIterator(x=X, y=[1, 2])
    with pytest.raises(ValueError, match="dtype <U"):
        EpochIterator(x=np.array(["a", "b"]))
    with pytest.raises(ValueError, match="scalar"):
        EpochIterator(x=np.array(1.0))
    for bad in (0, -1, 2.0, "a", True):
        with pytest.raises(ValueError, match=f"batch_size={bad!r}"):
            EpochIterator(x=X, batch_size=bad)
    for bad in (0, -2, 1.5):
        with pytest.raises(ValueError, match=f"steps_per_epoch={bad!r}"):
            EpochIterator(x=X, steps_per_epoch=bad)
    with pytest.raises(ValueError, match="shuffle='foo'"):
        EpochIterator(x=X, shuffle="foo")


# ---------------------------------------------------------------------------------------------
# generators and iterators
# ---------------------------------------------------------------------------------------------


def batches_gen(n, with_y=True):
    for i in range(n):
        x = np.full((2, 3), i, "float64")
        yield (x, np.full((2,), i)) if with_y else (x,)


def endless():
    i = 0
    while True:
        yield (np.full((2, 1), i, "float32"), np.full((2,), i))
        i += 1


def test_generator_first_epoch_matches_keras():
    ours = compare_with_keras(epochs=1, make=lambda: batches_gen(5))
    assert ours[0][1]  # Keras warns when an unknown-length source ends
    compare_with_keras(epochs=1, make=lambda: batches_gen(3, with_y=False))
    it = EpochIterator(x=batches_gen(5))
    assert it.num_batches is None
    ((batches, _),) = run_epochs(it, 1)
    assert batches[0][0].dtype == np.float64  # generator batches pass through unchanged


@pytest.mark.parametrize("steps", [1, 2, 3])
def test_generator_with_steps_persists_across_epochs_like_keras(steps):
    # While data lasts (and the epoch that runs out), Keras and kerasx agree exactly.
    epochs = 5 // steps + 1
    ours = compare_with_keras(epochs=epochs, make=lambda: batches_gen(5), steps_per_epoch=steps)
    firsts = [int(b[0][0, 0]) for batches, _ in ours for b in batches]
    assert firsts == list(range(5))


def test_generator_after_exhaustion_is_empty_with_warning():
    # Deliberate difference: Keras replays the batches it peeked at; kerasx does not peek.
    it = EpochIterator(x=batches_gen(4), steps_per_epoch=2)
    result = run_epochs(it, 4)
    assert [len(b) for b, _ in result] == [2, 2, 0, 0]
    assert [w for _, w in result] == [False, False, True, True]


def test_endless_generator_and_plain_iterator():
    it = EpochIterator(x=endless(), steps_per_epoch=3)
    assert it.num_batches == 3
    result = run_epochs(it, 3)
    assert [int(b[1][0]) for batches, w in result for b in batches] == list(range(9))
    assert not any(w for _, w in result)
    # a plain iterator (Keras accepts only generators; kerasx takes any iterator)
    it = EpochIterator(x=iter([(X, Y), (X, Y)]))
    ((batches, _),) = run_epochs(it, 1)
    assert len(batches) == 2


def test_reset_starts_a_new_pass_for_arrays():
    it = EpochIterator(x=X, batch_size=3, steps_per_epoch=2)
    first = [b for _, b in it.enumerate_epoch()]
    it.reset()
    again = [b for _, b in it.enumerate_epoch()]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_generator_errors_match_keras():
    cases = [
        (dict(y=Y), "`y` should not be passed"),
        (dict(sample_weight=SW), "`sample_weights` should not be passed"),
        (dict(class_weight=CW), "`class_weight` is not supported for Python generator"),
    ]
    for kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            EpochIterator(x=batches_gen(2), **kwargs)
        with pytest.raises(ValueError, match=match):
            KerasEpochIterator(x=batches_gen(2), **kwargs)
    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored"):
        EpochIterator(x=batches_gen(2), shuffle=True)
    EpochIterator(x=batches_gen(2), batch_size=5)  # ignored, as in Keras

    def bad():
        yield [X, Y]

    it = EpochIterator(x=bad())
    with pytest.raises(ValueError, match="must return a tuple"):
        list(it.enumerate_epoch())


# ---------------------------------------------------------------------------------------------
# PyDataset
# ---------------------------------------------------------------------------------------------


class Squares(PyDataset):
    """Batch i is (x = [i, i], y = i**2); logs its hooks."""

    def __init__(self, n=5, kind="xy", **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.kind = kind
        self.log = []

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        if index >= self.n:
            raise IndexError(index)
        x = np.full((2, 2), index, "float64")
        y = np.array([index % 3, (index + 1) % 3])
        if self.kind == "x":
            return x
        if self.kind == "list":
            return [x, y]
        if self.kind == "xysw":
            return x, y, np.ones(2)
        return x, y

    def on_epoch_begin(self):
        self.log.append("begin")

    def on_epoch_end(self):
        self.log.append("end")


def make_keras_twin(n, kind, **kwargs):
    """The same dataset as a keras.utils.PyDataset (Keras needs its own base class)."""

    class Twin(keras.utils.PyDataset):
        def __init__(self):
            super().__init__(**kwargs)
            self.log = []

        def __len__(self):
            return n

        __getitem__ = Squares.__getitem__
        on_epoch_begin = Squares.on_epoch_begin
        on_epoch_end = Squares.on_epoch_end

    twin = Twin()
    twin.n, twin.kind = n, kind
    return twin


def compare_pydataset(epochs, n=5, kind="xy", seed=None, ds_kwargs=None, **kwargs):
    ds_kwargs = ds_kwargs or {}
    ours_ds = Squares(n, kind, **ds_kwargs)
    keras_ds = make_keras_twin(n, kind, **ds_kwargs)
    results = []
    for cls, ds, keras_style in (
        (EpochIterator, ours_ds, False),
        (KerasEpochIterator, keras_ds, True),
    ):
        if seed is not None:
            random.seed(seed)
        it = cls(x=ds, **kwargs)
        results.append(run_epochs(it, epochs, keras_style))
    for (b1, w1), (b2, w2) in zip(*results):
        assert w1 == w2 and len(b1) == len(b2)
        for u, v in zip(b1, b2):
            assert_same_tree(u, v)
    assert ours_ds.log == keras_ds.log
    return results[0], ours_ds


@pytest.mark.parametrize("kind", ["xy", "x", "list", "xysw"])
def test_pydataset_matches_keras(kind):
    compare_pydataset(2, kind=kind)


def test_pydataset_shuffle_and_hooks_match_keras():
    result, ds = compare_pydataset(3, n=6, seed=11, shuffle=True)
    assert ds.log == ["begin", "end"] * 3
    orders = [[int(b[0][0, 0]) for b in batches] for batches, _ in result]
    assert all(sorted(o) == list(range(6)) for o in orders)


@pytest.mark.parametrize("steps", [2, 4, 7])
def test_pydataset_with_steps_matches_keras(steps):
    compare_pydataset(4, n=4, steps_per_epoch=steps)
    compare_pydataset(3, n=5, steps_per_epoch=steps)


def test_pydataset_class_weight_matches_keras():
    compare_pydataset(1, class_weight={0: 1.0, 1: 2.0, 2: 3.0})
    compare_pydataset(1, kind="x", class_weight={0: 1.0, 1: 2.0})
    with pytest.raises(ValueError, match="`class_weight` and `sample_weight`"):
        list(EpochIterator(x=Squares(kind="xysw"), class_weight=CW).enumerate_epoch())


def test_pydataset_errors_and_base_class():
    for kwargs, match in (
        (dict(y=Y), "`y` should not be passed"),
        (dict(sample_weight=SW), "`sample_weights` should not be passed"),
    ):
        with pytest.raises(ValueError, match=match):
            EpochIterator(x=Squares(), **kwargs)
    ds = Squares(workers=3, use_multiprocessing=True, max_queue_size=4)
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size, ds.num_batches) == (
        3,
        True,
        4,
        5,
    )
    ds.workers = 2
    assert ds.workers == 2

    class NoLength(PyDataset):
        def __getitem__(self, index):
            return np.zeros(1)

    with pytest.raises(NotImplementedError, match="num_batches"):
        _ = NoLength().num_batches
    with pytest.raises(NotImplementedError):
        PyDataset()[0]

    class NoSuper(PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

    with pytest.warns(UserWarning, match="super"):
        assert NoSuper().workers == 1


def test_endless_pydataset():
    class Endless(PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, index):
            return (np.full((1,), index),)

    it = EpochIterator(x=Endless(), steps_per_epoch=4, shuffle=True)
    result = run_epochs(it, 2)
    assert [int(b[0][0]) for batches, _ in result for b in batches] == list(range(8))


class Slow(Squares):
    def __getitem__(self, index):
        time.sleep(0.02 * ((index * 7) % 3))  # out-of-order completion
        return super().__getitem__(index)


def test_pydataset_thread_workers_keep_order():
    ds = Slow(n=12, workers=4, max_queue_size=3)
    it = EpochIterator(x=ds, steps_per_epoch=5)
    result = run_epochs(it, 3)
    firsts = [int(b[0][0, 0]) for batches, _ in result for b in batches]
    assert firsts == list(range(12))
    assert result[2][1]  # ran out in the third epoch


class Failing(Slow):
    fail_at = 3

    def __getitem__(self, index):
        if index == self.fail_at:
            raise RuntimeError(f"broken batch {index}")
        return super().__getitem__(index)


def test_pydataset_thread_worker_errors_reach_the_caller():
    ds = Failing(n=6, workers=2)
    with pytest.raises(RuntimeError, match="broken batch 3"):
        list(EpochIterator(x=ds).enumerate_epoch())


def test_pydataset_process_workers(engine):
    if engine != "numpy":
        pytest.skip("the process pool is exercised once (workers are slow to start)")
    ds = Failing(n=8, workers=2, use_multiprocessing=True)
    ds.fail_at = None
    it = EpochIterator(x=ds)
    result = run_epochs(it, 2)
    for batches, _ in result:
        assert [int(b[0][0, 0]) for b in batches] == list(range(8))
    assert ds.log == ["begin", "end", "begin", "end"]  # hooks run in the main process
    # State changed between epochs reaches the workers; their errors reach the caller.
    ds.fail_at = 5
    with pytest.raises(RuntimeError, match="broken batch 5"):
        list(it.enumerate_epoch())

    class Local(Squares):  # not importable by a worker process
        pass

    with pytest.raises(ValueError, match="picklable"):
        list(EpochIterator(x=Local(workers=2, use_multiprocessing=True)).enumerate_epoch())


# ---------------------------------------------------------------------------------------------
# validation split
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 7, 10, 33])
@pytest.mark.parametrize("split", [0.01, 0.1, 0.2, 0.25, 1 / 3, 0.5, 0.7, 0.9, 0.99])
def test_train_validation_split_matches_keras(n, split):
    arrays = (np.arange(n * 2).reshape(n, 2), {"a": np.arange(n)}, None)
    try:
        expected = keras_split(arrays, split)
    except ValueError:
        with pytest.raises(ValueError, match="not sufficient to split"):
            train_validation_split(arrays, split)
        return
    assert_same_tree(train_validation_split(arrays, split), expected)


def test_train_validation_split_closed_form_and_errors(engine):
    x = kerasx.ops.convert_to_tensor(np.arange(10, dtype="float32"))
    (tx, ty), (vx, vy) = train_validation_split((x, np.arange(10)), 0.2)
    np.testing.assert_array_equal(tx, np.arange(8))
    np.testing.assert_array_equal(vy, [8, 9])
    assert isinstance(tx, np.ndarray)
    train, val = train_validation_split(np.arange(5), 0.4)
    np.testing.assert_array_equal(val, [3, 4])
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError, match=f"validation_split={bad}"):
            train_validation_split((np.arange(10),), bad)
    with pytest.raises(ValueError, match="only supported for tensors or NumPy arrays"):
        train_validation_split(batches_gen(2), 0.2)
    with pytest.raises(ValueError, match="only supported for tensors or NumPy arrays"):
        train_validation_split((np.arange(3), [1, 2, 3]), 0.2)

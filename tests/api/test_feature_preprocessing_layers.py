"""Numeric and hashing feature preprocessing layers: Normalization, CategoryEncoding,
Discretization, Hashing, HashedCrossing.

Keras 3 runs Normalization, CategoryEncoding and Discretization (without adapt) on its NumPy
backend: those are compared with it directly. Keras needs TensorFlow for Hashing,
HashedCrossing and Discretization.adapt, so those are checked against fixed values recorded
from Keras 3.15.1 with TensorFlow (and Keras's documented examples).
"""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers
from kerasx.engine.discovery import installed_engines
from kerasx.layers.preprocessing.features import _hash
from kerasx.testing import run_layer_test


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


def _keras():
    return pytest.importorskip("keras")


# ---------------------------------------------------------------- hash functions


def test_hash_functions_known_values():
    # FarmHash64 of the empty string is its k2 constant; Keras's documented bins.
    assert _hash.fingerprint64(b"") == 0x9AE16A3B2F90404F
    assert [_hash.fingerprint64(c.encode()) % 3 for c in "ABCDE"] == [1, 0, 1, 1, 2]
    assert [_hash.siphash24(c.encode(), 133, 137) % 3 for c in "ABCDE"] == [1, 2, 1, 0, 2]
    # SipHash-2-4 reference vector (key 00..0f, message 00..0e).
    key0 = int.from_bytes(bytes(range(8)), "little")
    key1 = int.from_bytes(bytes(range(8, 16)), "little")
    assert _hash.siphash24(bytes(range(15)), key0, key1) == 0xA129CA6149BE45E5
    # Long inputs exercise every length branch; values from TensorFlow's fingerprint.
    texts = ["x" * 100, "y" * 17, "z" * 40, "héllo", "日本"]
    assert [_hash.fingerprint64(t.encode()) % 1000 for t in texts] == [719, 573, 27, 151, 883]


# ---------------------------------------------------------------- Normalization


def test_normalization_layer_test(engine):
    run_layer_test(
        layers.Normalization,
        {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]},
        input_shape=(2, 4, 3),
        expected_output_shape=(2, 4, 3),
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        supports_masking=True,
        run_training_check=False,
    )
    run_layer_test(
        layers.Normalization,
        {"axis": (1, 2)},
        input_shape=(2, 4, 3),
        expected_output_shape=(2, 4, 3),
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=3,
        run_training_check=False,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mean": [1.0, 2.0, 3.0, 4.0], "variance": [1.0, 4.0, 9.0, 16.0]},
        {"mean": 2.0, "variance": 4.0},
        {"mean": 2.0, "variance": 4.0, "invert": True},
        {"axis": 1, "mean": [1.0, 2.0, 3.0], "variance": [1.0, 0.0, 4.0]},
    ],
)
def test_normalization_given_stats_match_keras(engine, kwargs):
    _keras()
    from layer_parity import assert_matches_keras

    x = np.arange(24.0, dtype="float32").reshape(2, 3, 4)
    assert_matches_keras("Normalization", kwargs, x)


@pytest.mark.parametrize("axis", [-1, None, (1, 2), 1])
def test_normalization_adapt_matches_keras(engine, axis):
    keras = _keras()
    x = np.random.default_rng(0).normal(size=(5, 3, 4)).astype("float32") * 3 + 1
    ours, theirs = layers.Normalization(axis=axis), keras.layers.Normalization(axis=axis)
    ours.adapt(x)
    theirs.adapt(x)
    assert [w.path.split("/")[-1] for w in ours.weights] == ["mean", "variance", "count"]
    for a, b in zip(ours.get_weights(), [np.asarray(w.value) for w in theirs.weights]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)
    strip = lambda c: {k: v for k, v in c.items() if k != "name"}  # noqa: E731
    assert strip(ours.get_config()) == strip(theirs.get_config())
    # weights move between the two libraries
    fresh = keras.layers.Normalization(axis=axis)
    fresh.build(x.shape)
    fresh.set_weights(ours.get_weights())
    fresh.finalize_state()  # Keras reads the weights into its cached statistics here
    np.testing.assert_allclose(np.asarray(fresh(x)), _np(ours(x)), rtol=1e-5, atol=1e-5)


def test_normalization_adapt_batches(engine):
    # Batches (a list of arrays, a generator) give the statistics of all the data.
    parts = [np.ones((2, 3)), np.zeros((4, 3)), np.full((1, 3), 5.0)]
    data = np.concatenate(parts)
    for source in (parts, iter(parts), (p for p in parts)):
        layer = layers.Normalization()
        layer.adapt(source)
        mean, var, count = layer.get_weights()
        np.testing.assert_allclose(mean, data.mean(0), rtol=1e-6)
        np.testing.assert_allclose(var, data.var(0), rtol=1e-6)
        assert count == 0  # as Keras: adapt leaves the count weight at 0
    layer = layers.Normalization()
    layer.adapt([[1.0, 2.0], [3.0, 6.0]])  # a nested list is one array
    np.testing.assert_allclose(layer.get_weights()[0], [2.0, 4.0])
    out = _np(layer(np.array([[3.0, 6.0]])))
    np.testing.assert_allclose(out, [[1.0, 1.0]], rtol=1e-6)
    layer.adapt(np.ones((2, 2)))  # adapting again replaces the statistics
    np.testing.assert_allclose(layer.get_weights()[0], [1.0, 1.0])


def test_normalization_errors():
    with pytest.raises(ValueError, match="variance"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="axis"):
        layers.Normalization(axis="a")
    layer = layers.Normalization()
    layer.adapt(np.ones((3, 2)))
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.ones((3, 5)))
    with pytest.raises(ValueError, match="mean"):
        layers.Normalization(mean=1.0, variance=1.0).adapt(np.ones((2, 2)))
    with pytest.raises(ValueError, match="axis"):
        layers.Normalization(axis=3)(np.ones((2, 2)))
    with pytest.raises(ValueError, match="rank of `mean`"):
        layers.Normalization(axis=None, mean=[1.0, 2.0], variance=[1.0, 1.0])(np.ones((2, 2)))


# ---------------------------------------------------------------- CategoryEncoding


def test_category_encoding_layer_test(engine):
    run_layer_test(
        layers.CategoryEncoding,
        {"num_tokens": 5, "output_mode": "count"},
        input_data=np.array([[0, 1, 1], [4, 4, 2]], dtype="int32"),
        expected_output=np.array([[1, 2, 0, 0, 0], [0, 0, 1, 0, 2]], dtype="float32"),
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        run_training_check=False,
    )


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("shape", [(3,), (2, 2), (2, 1), (1, 1, 2)])
def test_category_encoding_matches_keras(engine, mode, shape):
    _keras()
    from layer_parity import assert_matches_keras

    if len(shape) == 3 and mode != "one_hot":
        pytest.skip("Keras reduces axis 1 of rank-3 inputs (its own output shape says -1)")
    x = np.array([0, 1, 3, 3])[: int(np.prod(shape))].reshape(shape)
    assert_matches_keras("CategoryEncoding", {"num_tokens": 4, "output_mode": mode}, x)


def test_category_encoding_count_weights_and_errors(engine):
    layer = layers.CategoryEncoding(4, output_mode="count")
    out = layer(np.array([[0, 1, 1]]), count_weights=np.array([[0.5, 1.0, 2.0]]))
    np.testing.assert_allclose(_np(out), [[0.5, 3.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(4)(np.array([[0]]), count_weights=np.array([[1.0]]))
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding(0)
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(3, output_mode="int")
    with pytest.raises(ValueError, match="sparse"):
        layers.CategoryEncoding(3, sparse=True)


# ---------------------------------------------------------------- Discretization


def test_discretization_layer_test(engine):
    run_layer_test(
        layers.Discretization,
        {"bin_boundaries": [0.0, 1.0]},
        input_data=np.array([[-1.5, 0.0, 0.5, 1.0, 2.5]], dtype="float32"),
        expected_output=np.array([[0, 1, 1, 2, 2]]),
        expected_output_dtype="int32",
        run_training_check=False,
    )
    run_layer_test(
        layers.Discretization,
        {"bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"},
        input_shape=(2, 3),
        expected_output_shape=(2, 3, 3),
        expected_output_dtype="float32",
        run_training_check=False,
    )


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_matches_keras(engine, mode):
    _keras()
    from layer_parity import assert_matches_keras

    x = np.array([[-1.5, 0.0, 0.5, 1.0, 2.5], [3, 0.999, 1.0001, -0.0001, 0.0001]], "float32")
    assert_matches_keras("Discretization", {"bin_boundaries": [0.0, 1.0], "output_mode": mode}, x)
    assert_matches_keras("Discretization", {"bin_boundaries": [0.0, 1.0]}, x[0])
    assert_matches_keras("Discretization", {"bin_boundaries": [-1.0, 0.0, 2.0]}, x.astype(int))


def test_discretization_adapt():
    # Values recorded from Keras 3.15.1 (its adapt needs TensorFlow).
    cases = [
        (np.arange(100.0), 4, 0.01, [23.999983, 48.999981, 73.999985]),
        (np.arange(100.0), 4, 1e-4, [24.0, 49.0, 74.0]),
        (np.array([[1.0, 2, 3, 4, 5, 6]]), 3, 0.01, [2.0, 4.0]),
        (np.array([5.0, 1, 3, 2]), 3, 0.01, [1.3333334, 2.6666667]),
        (np.array([1.0, 1, 1, 2]), 3, 0.01, [1.0, 1.0]),
        (np.arange(150.0), 4, 0.01, [36.499973, 73.999969, 111.499992]),
        (np.arange(1000.0), 4, 0.01, [248.999756, 498.999817, 748.999939]),
        ([np.arange(10.0), np.arange(10.0, 20.0)], 4, 0.01, [4.0, 9.0, 14.0]),
    ]
    for data, bins, eps, expected in cases:
        layer = layers.Discretization(num_bins=bins, epsilon=eps)
        layer.adapt(data)
        # float32 rounding in the sketch: within 1e-3 of Keras's boundaries
        np.testing.assert_allclose(layer.bin_boundaries, expected, rtol=0, atol=1e-3)
    # A generator of batches; the learned config (boundaries and num_bins) round-trips.
    layer = layers.Discretization(num_bins=4)
    layer.adapt(b for b in (np.arange(10.0), np.arange(10.0, 20.0)))
    assert layer.get_config()["bin_boundaries"] == [4.0, 9.0, 14.0]
    revived = layers.Discretization.from_config(layer.get_config())
    assert revived.get_config() == layer.get_config()
    np.testing.assert_array_equal(_np(revived(np.array([[3.0, 10.0]]))), [[0, 2]])
    # Larger random data: the sketch's quantiles are close to the exact ones.
    x = np.random.default_rng(0).normal(size=(1000,))
    layer = layers.Discretization(num_bins=5)
    layer.adapt(x)
    exact = [-0.8496067, -0.3048002, 0.1760207, 0.7710492]  # Keras 3.15.1
    np.testing.assert_allclose(layer.bin_boundaries, exact, atol=0.05)


def test_discretization_errors_and_config():
    keras_config = {
        "bin_boundaries": None,
        "num_bins": 3,
        "epsilon": 0.01,
        "output_mode": "int",
        "sparse": False,
        "name": "d",
        "dtype": "float32",
    }
    assert layers.Discretization(num_bins=3, name="d").get_config() == keras_config
    with pytest.raises(ValueError, match="num_bins"):
        layers.Discretization([0.0], num_bins=3)
    with pytest.raises(ValueError, match="num_bins"):
        layers.Discretization()
    with pytest.raises(ValueError, match="output_mode"):
        layers.Discretization([0.0], output_mode="tf_idf")
    with pytest.raises(ValueError, match="bin_boundaries"):
        layers.Discretization([0.0]).adapt(np.ones(3))
    with pytest.raises(ValueError, match="adapt"):
        layers.Discretization(num_bins=3)(np.ones((1, 2)))


# ---------------------------------------------------------------- Hashing


def test_hashing_layer_test(engine):
    run_layer_test(
        layers.Hashing,
        {"num_bins": 10},
        input_data=np.array([[1, 2, 3, -5, 1000000, 0]]),
        expected_output=np.array([[9, 9, 1, 6, 8, 5]]),
        expected_output_dtype="int64",
        run_training_check=False,
        run_jit_check=False,
    )
    run_layer_test(
        layers.Hashing,
        {"num_bins": 4, "output_mode": "count"},
        input_data=np.array([[1, 2, 3, 1]]),
        expected_output=np.array([[0.0, 3.0, 0.0, 1.0]]),
        expected_output_dtype="float32",
        run_training_check=False,
        run_jit_check=False,
    )


def test_hashing_matches_keras_values(engine):
    inp = [["A"], ["B"], ["C"], ["D"], ["E"]]
    cases = [
        ({"num_bins": 3}, inp, [1, 0, 1, 1, 2]),
        ({"num_bins": 3, "salt": 133}, inp, [0, 0, 2, 1, 0]),
        ({"num_bins": 3, "salt": [133, 137]}, inp, [1, 2, 1, 0, 2]),
        ({"num_bins": 3, "mask_value": ""}, [["A"], ["B"], [""], ["C"], ["D"]], [1, 1, 0, 2, 2]),
    ]
    for kwargs, x, expected in cases:
        out = layers.Hashing(**kwargs)(x)
        np.testing.assert_array_equal(_np(out).ravel(), expected)
        out = layers.Hashing(**kwargs)(np.array(x))  # str arrays too
        np.testing.assert_array_equal(_np(out).ravel(), expected)
    ints = np.array([[1, 2, 3, -5, 1000000, 0]])
    np.testing.assert_array_equal(_np(layers.Hashing(10, mask_value=2)(ints)), [[1, 0, 4, 1, 6, 2]])
    np.testing.assert_array_equal(_np(layers.Hashing(10, salt=7)(ints[:, :3])), [[9, 5, 5]])
    np.testing.assert_array_equal(_np(layers.Hashing(10)(np.array([[1.0, 2.5]]))), [[9, 9]])
    np.testing.assert_array_equal(_np(layers.Hashing(3)([[b"A"]])), [[1]])
    one_hot = _np(layers.Hashing(4, output_mode="one_hot")(np.array([[1], [2]])))
    np.testing.assert_array_equal(one_hot, [[0, 1, 0, 0], [0, 0, 0, 1]])
    multi = _np(layers.Hashing(4, output_mode="multi_hot")(np.array([1, 2, 3, 1])))
    np.testing.assert_array_equal(multi, [0, 1, 0, 1])


def test_hashing_config_and_errors():
    dtype = lambda name: {  # noqa: E731
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": name},
        "registered_name": None,
    }
    assert layers.Hashing(3, salt=133, name="h").get_config() == {
        "name": "h",
        "trainable": True,
        "dtype": dtype("int64"),
        "num_bins": 3,
        "salt": [133, 133],
        "mask_value": None,
        "output_mode": "int",
        "sparse": False,
    }
    assert layers.Hashing(3, output_mode="multi_hot").get_config()["dtype"] == dtype("float32")
    sym = layers.Hashing(3)(kerasx.Input((2,), dtype="string"))
    assert sym.shape == (None, 2) and sym.dtype == "int64"
    for bad in (0, None, -1):
        with pytest.raises(ValueError, match="num_bins"):
            layers.Hashing(bad)
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(3, salt="x")
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(3, salt=[1, 2, 3])
    with pytest.raises(ValueError, match="output_mode"):
        layers.Hashing(3, output_mode="tf_idf")


# ---------------------------------------------------------------- HashedCrossing


def test_hashed_crossing(engine):
    f1 = np.array(["A", "B", "A", "B", "A"])
    f2 = np.array([101, 101, 101, 102, 102])
    np.testing.assert_array_equal(_np(layers.HashedCrossing(5)((f1, f2))), [1, 4, 1, 1, 3])
    a, b = np.array([1, 2, -3]), np.array([4, 5, 6])
    np.testing.assert_array_equal(_np(layers.HashedCrossing(1000)((a, b))), [725, 438, 156])
    out = layers.HashedCrossing(1000)((a, b, np.array(["a", "b", "c"])))
    np.testing.assert_array_equal(_np(out), [154, 920, 443])
    out = layers.HashedCrossing(1000)((a[:2, None], b[:2, None]))
    np.testing.assert_array_equal(_np(out), [[725], [438]])
    out = layers.HashedCrossing(5, output_mode="one_hot")((a[:2, None], b[:2, None]))
    np.testing.assert_array_equal(_np(out), [[1, 0, 0, 0, 0], [0, 0, 0, 1, 0]])
    assert _np(out).dtype == np.float32
    run_layer_test(
        layers.HashedCrossing,
        {"num_bins": 1000},
        input_data=(a, b),
        expected_output=np.array([725, 438, 156]),
        expected_output_dtype="int64",
        run_training_check=False,
        run_jit_check=False,
    )


def test_hashed_crossing_config_and_errors():
    assert layers.HashedCrossing(5, name="c").get_config() == {
        "num_bins": 5,
        "output_mode": "int",
        "sparse": False,
        "name": "c",
        "dtype": "int64",
    }
    layer = layers.HashedCrossing(5)
    with pytest.raises(ValueError, match="at least two"):
        layer((np.array([1, 2]),))
    with pytest.raises(ValueError, match="equal shape"):
        layer((np.array([1, 2, 3]), np.array([1, 2])))
    with pytest.raises(ValueError, match="integer or string"):
        layer((np.array([1.0, 2.0]), np.array([1, 2])))
    with pytest.raises(ValueError, match="shape"):
        layer((np.ones((2, 2), "int64"), np.ones((2, 2), "int64")))
    with pytest.raises(ValueError, match="output_mode"):
        layers.HashedCrossing(5, output_mode="multi_hot")
    with pytest.raises(ValueError, match="num_bins"):
        layers.HashedCrossing(0)


# ---------------------------------------------------------------- MelSpectrogram

_MEL_CASES = [
    {"fft_length": 256, "sequence_stride": 128, "num_mel_bins": 16},
    {
        "fft_length": 128,
        "sequence_stride": 64,
        "num_mel_bins": 8,
        "power_to_db": False,
        "mag_exp": 1.0,
    },
    {
        "fft_length": 256,
        "sequence_stride": 100,
        "sequence_length": 200,
        "num_mel_bins": 10,
        "top_db": 60.0,
        "min_freq": 100.0,
        "max_freq": 5000.0,
        "window": "hamming",
        "sampling_rate": 11025,
    },
]


@pytest.mark.parametrize("kwargs", _MEL_CASES)
def test_mel_spectrogram_matches_keras(engine, kwargs):
    _keras()
    from layer_parity import assert_matches_keras

    x = np.random.default_rng(0).normal(size=(2, 1000)).astype("float32")
    assert_matches_keras("MelSpectrogram", kwargs, x, rtol=1e-4, atol=1e-3)


def test_mel_spectrogram_layer_test(engine):
    run_layer_test(
        layers.MelSpectrogram,
        {"fft_length": 64, "sequence_stride": 32, "num_mel_bins": 8},
        input_shape=(2, 256),
        expected_output_shape=(2, 8, 9),
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        run_training_check=False,
        rtol=1e-4,
        atol=1e-3,
    )
    # top_db=None keeps every value (Keras 3.15.1 fails on it on non-TensorFlow backends)
    x = np.random.default_rng(1).normal(size=(1, 256)).astype("float32")
    out = _np(layers.MelSpectrogram(fft_length=64, sequence_stride=32, top_db=None)(x))
    assert np.isfinite(out).all()
    with pytest.raises(ValueError, match="fft_length"):
        layers.MelSpectrogram(fft_length=0)
    with pytest.raises(ValueError, match="min_freq"):
        layers.MelSpectrogram(min_freq=9000.0)

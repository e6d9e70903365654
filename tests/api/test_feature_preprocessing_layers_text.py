"""Lookup and text feature layers (StringLookup, IntegerLookup, TextVectorization) and Pipeline.

Keras 3 needs TensorFlow for the lookup and text layers, so their outputs are checked against
values recorded from Keras 3.15.1 running with TensorFlow (same inputs, same arguments).
Pipeline runs in Keras on its NumPy backend and is compared with it directly.
"""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test

_DTYPE = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
    "registered_name": None,
}


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


V = ["a", "b", "c"]


# ---------------------------------------------------------------- StringLookup


def test_string_lookup_int_mode(engine):
    x = np.array([["a", "c", "d"], ["b", "", "a"]])
    out = layers.StringLookup(vocabulary=V)(x)
    assert _np(out).dtype == np.int64
    np.testing.assert_array_equal(_np(out), [[1, 3, 0], [2, 0, 1]])
    np.testing.assert_array_equal(_np(layers.StringLookup(vocabulary=V)([["a", "c"]])), [[1, 3]])
    np.testing.assert_array_equal(_np(layers.StringLookup(vocabulary=V)([[b"a", b"c"]])), [[1, 3]])
    masked = layers.StringLookup(vocabulary=V, mask_token="")
    np.testing.assert_array_equal(_np(masked(np.array([["a", "", "d"]]))), [[2, 0, 1]])
    assert masked.get_vocabulary() == ["", "[UNK]", "a", "b", "c"]
    two_oov = layers.StringLookup(vocabulary=V, num_oov_indices=2)
    np.testing.assert_array_equal(_np(two_oov([["a", "d", "e", "f", "zz"]])), [[2, 1, 1, 0, 0]])
    three = layers.StringLookup(vocabulary=["a"], num_oov_indices=3)
    np.testing.assert_array_equal(_np(three([list("bcdefg")])), [[1, 1, 2, 1, 0, 2]])
    salted = layers.StringLookup(vocabulary=["a"], num_oov_indices=3, salt=5)
    np.testing.assert_array_equal(_np(salted([list("bcdefg")])), [[2, 2, 2, 1, 1, 1]])
    salted = layers.StringLookup(
        vocabulary=["a"], num_oov_indices=3, oov_method="farmhash", salt=[5, 7]
    )
    np.testing.assert_array_equal(_np(salted([list("bcdefg")])), [[2, 1, 2, 0, 2, 2]])
    np.testing.assert_array_equal(_np(layers.StringLookup(vocabulary=V)(np.array("c"))), 3)
    no_oov = layers.StringLookup(vocabulary=V, num_oov_indices=0)
    np.testing.assert_array_equal(_np(no_oov([["a", "c"]])), [[0, 2]])
    with pytest.raises(ValueError, match="out-of-vocabulary"):
        no_oov([["a", "d"]])
    run_layer_test(
        layers.StringLookup,
        {"vocabulary": V},
        input_data=np.array([["a", "c", "d"]], dtype=object),
        expected_output=np.array([[1, 3, 0]]),
        expected_output_dtype="int64",
        run_training_check=False,
        run_jit_check=False,
    )


@pytest.mark.parametrize(
    "mode, mask, expected",
    [
        ("one_hot", None, [[[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]]),
        ("multi_hot", None, [[1, 1, 0, 1]]),
        ("count", None, [[1, 2, 0, 1]]),
        ("one_hot", "", [[[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 0, 0]]]),
        ("multi_hot", "", [[0, 1, 0, 1]]),
        ("count", "", [[0, 2, 0, 1]]),
    ],
)
def test_string_lookup_encoded_modes(engine, mode, mask, expected):
    tokens = [["a", "c", "d" if mask is None else "", "a"]]
    out = layers.StringLookup(vocabulary=V, mask_token=mask, output_mode=mode)(tokens)
    assert _np(out).dtype == np.float32
    np.testing.assert_array_equal(_np(out), expected)


def test_string_lookup_tf_idf(engine):
    x = [["a", "c", "d", "a"], ["b", "", "a", "a"]]
    kw = {"vocabulary": V, "output_mode": "tf_idf", "idf_weights": [0.5, 1.0, 2.0]}
    out = layers.StringLookup(**kw)(x)
    np.testing.assert_allclose(_np(out), [[7 / 6, 1, 0, 2], [7 / 6, 1, 1, 0]], rtol=1e-6)
    out = layers.StringLookup(mask_token="", **kw)(x)
    np.testing.assert_allclose(_np(out), [[7 / 6, 1, 0, 2], [0, 1, 1, 0]], rtol=1e-6)
    padded = layers.StringLookup(
        vocabulary=["a", "b"],
        max_tokens=6,
        pad_to_max_tokens=True,
        output_mode="tf_idf",
        idf_weights=[1.0, 2.0],
    )
    np.testing.assert_allclose(_np(padded([["a", "b", "z"]])), [[1.5, 1, 2, 0, 0, 0]])
    own_oov = layers.StringLookup(
        vocabulary=["[UNK]", "a"], output_mode="tf_idf", idf_weights=[0.3, 0.5]
    )
    np.testing.assert_allclose(_np(own_oov([["a", "z"]])), [[0.3, 0.5]], rtol=1e-6)


def test_string_lookup_adapt(engine):
    layer = layers.StringLookup()
    layer.adapt(np.array([["b", "a", "c"], ["a", "b", "a"]]))
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    np.testing.assert_array_equal(_np(layer([["a", "z"]])), [[1, 0]])
    config = layer.get_config()
    assert config["vocabulary"] is None and config["vocabulary_size"] == 4
    # ties: the larger token first (as Keras)
    layer = layers.StringLookup()
    layer.adapt(["d", "c", "b", "a", "b", "c"])
    assert layer.get_vocabulary() == ["[UNK]", "c", "b", "d", "a"]
    layer = layers.StringLookup()
    layer.adapt([["a", "b"], ["a", "c"]])
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    layer = layers.StringLookup(max_tokens=3)
    layer.adapt(np.array([["b", "a", "c"], ["a", "b", "a"]]))
    assert layer.get_vocabulary() == ["[UNK]", "a", "b"]
    layer = layers.StringLookup(max_tokens=5, pad_to_max_tokens=True, output_mode="multi_hot")
    layer.adapt(np.array([["b", "a"]]))
    np.testing.assert_array_equal(_np(layer([["a"]])), [[0, 0, 1, 0, 0]])
    layer = layers.StringLookup(max_tokens=4, mask_token="", num_oov_indices=2)
    layer.adapt(np.array(["", "", "[UNK]", "a", "b", "b", "c", "c", "c"]))
    assert layer.get_vocabulary() == ["", "[UNK]", "[UNK]", "c"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["c"]
    assert layer.vocabulary_size() == 4


def test_string_lookup_adapt_tf_idf(engine):
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt(np.array([["b", "a", "c"], ["a", "b", "a"], ["d", "d", "b"]]))
    assert layer.get_vocabulary() == ["[UNK]", "b", "a", "d", "c"]
    idf = [0.77133614, 0.5596158, 0.6931472, 0.91629076, 0.91629076]
    np.testing.assert_allclose(layer.idf_weights, idf, rtol=1e-6)
    out = layer([["a", "z", "d", "d"]])
    np.testing.assert_allclose(_np(out), [[0.77133614, 0, 0.6931472, 1.8325815, 0]], rtol=1e-6)
    # a 1-D array: every element is a document
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt(np.array(["b", "a", "c", "a"]))
    np.testing.assert_allclose(layer.idf_weights, [1.0148408, 0.84729785, 1.0986123, 1.0986123])
    # a generator of 1-D batches: every batch is a document
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt(b for b in (np.array(["a", "b", "b"]), np.array(["c", "c", "c", "a"])))
    assert layer.get_vocabulary() == ["[UNK]", "c", "b", "a"]
    idf = [0.63237333, 0.6931472, 0.6931472, 0.51082563]
    np.testing.assert_allclose(layer.idf_weights, idf, rtol=1e-6)


def test_string_lookup_invert(engine):
    layer = layers.StringLookup(vocabulary=["a", "b"], mask_token="", invert=True)
    out = layer(np.array([[0, 1, 2, 3, 5]]))
    np.testing.assert_array_equal(out, [["", "[UNK]", "a", "b", "[UNK]"]])
    layer = layers.StringLookup(vocabulary=["a", "b"], num_oov_indices=2, invert=True)
    np.testing.assert_array_equal(
        layer(np.array([[0, 1, 2, 3, 5]])), [["[UNK]", "[UNK]", "a", "b", "[UNK]"]]
    )


def test_string_lookup_config_and_errors():
    layer = layers.StringLookup(vocabulary=np.array(V), name="s")
    assert layer.get_config() == {
        "name": "s",
        "trainable": True,
        "dtype": _DTYPE,
        "invert": False,
        "max_tokens": None,
        "num_oov_indices": 1,
        "oov_token": "[UNK]",
        "mask_token": None,
        "output_mode": "int",
        "sparse": False,
        "pad_to_max_tokens": False,
        "idf_weights": None,
        "vocabulary": ["a", "b", "c"],
        "vocabulary_size": 4,
        "oov_method": "floormod",
        "salt": None,
        "encoding": "utf-8",
    }
    revived = layers.StringLookup.from_config(layer.get_config())
    assert revived.get_config() == layer.get_config()
    assert layers.StringLookup().get_config()["vocabulary_size"] is None
    sym = layers.StringLookup(vocabulary=V, output_mode="multi_hot")(
        kerasx.Input((3,), dtype="string")
    )
    assert sym.shape == (None, 4) and sym.dtype == "float32"
    errors = [
        ({"vocabulary": ["a", "a"]}, "repeated"),
        ({"vocabulary": ["", "a"], "mask_token": ""}, "mask"),
        ({"vocabulary": V, "max_tokens": 2}, "max_tokens"),
        ({"max_tokens": 1}, "max_tokens"),
        ({"output_mode": "foo"}, "output_mode"),
        ({"num_oov_indices": -1}, "num_oov_indices"),
        ({"invert": True, "output_mode": "multi_hot"}, "output_mode"),
        ({"vocabulary": V, "idf_weights": [1.0, 2.0, 3.0]}, "idf_weights"),
        ({"vocabulary": V, "output_mode": "tf_idf"}, "idf_weights"),
        ({"vocabulary": V, "output_mode": "tf_idf", "idf_weights": [1.0]}, "idf_weights"),
        ({"pad_to_max_tokens": True}, "max_tokens"),
        ({"oov_method": "hash"}, "oov_method"),
        ({"sparse": True}, "sparse"),
    ]
    for kwargs, match in errors:
        with pytest.raises(ValueError, match=match):
            layers.StringLookup(**kwargs)
    with pytest.raises(ValueError, match="adapt"):
        layers.StringLookup(vocabulary=V).adapt(["a"])
    with pytest.raises(ValueError, match="vocabulary"):
        layers.StringLookup(output_mode="multi_hot")([["a"]])


# ---------------------------------------------------------------- IntegerLookup


def test_integer_lookup(engine):
    layer = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    out = layer(np.array([[12, 1138, 42], [42, 1000, 36]]))
    np.testing.assert_array_equal(_np(out), [[1, 3, 4], [4, 0, 2]])
    masked = layers.IntegerLookup(vocabulary=[12, 36], mask_token=0)
    np.testing.assert_array_equal(_np(masked(np.array([[12, 0, 36, 5]]))), [[2, 0, 3, 1]])
    assert masked.get_vocabulary() == [0, -1, 12, 36]
    values = np.array([[1, 2, 3, 4, 5, 6, -7, 1000]])
    floormod = layers.IntegerLookup(vocabulary=[100], num_oov_indices=3)
    np.testing.assert_array_equal(_np(floormod(values)), [[1, 2, 0, 1, 2, 0, 2, 1]])
    farm = layers.IntegerLookup(vocabulary=[100], num_oov_indices=3, oov_method="farmhash")
    np.testing.assert_array_equal(_np(farm(values)), [[0, 1, 0, 2, 1, 2, 2, 2]])
    farm = layers.IntegerLookup(vocabulary=[100], num_oov_indices=3, oov_method="farmhash", salt=5)
    np.testing.assert_array_equal(_np(farm(values)), [[1, 0, 1, 2, 0, 2, 1, 2]])
    inverse = layers.IntegerLookup(vocabulary=[12, 36], mask_token=0, invert=True)
    np.testing.assert_array_equal(_np(inverse(np.array([[0, 1, 2, 3, 5]]))), [[0, -1, 12, 36, -1]])
    tfidf = layers.IntegerLookup(vocabulary=[1, 2], output_mode="tf_idf", idf_weights=[1.0, 2.0])
    np.testing.assert_allclose(_np(tfidf(np.array([1, 2, 2, 7]))), [1.5, 1.0, 4.0])
    layer = layers.IntegerLookup()
    layer.adapt(np.array([[3, 1, 2, 1], [2, 2, 0, 9]]))
    assert layer.get_vocabulary() == [-1, 2, 1, 9, 3, 0]
    layer = layers.IntegerLookup(mask_token=0)
    layer.adapt(np.array([0, 0, 5, 5, 3, -1]))
    assert layer.get_vocabulary() == [0, -1, 5, 3]
    run_layer_test(
        layers.IntegerLookup,
        {"vocabulary": [12, 36], "output_mode": "multi_hot"},
        input_data=np.array([[12, 7], [36, 36]]),
        expected_output=np.array([[1, 1, 0], [0, 0, 1]]),
        expected_output_dtype="float32",
        run_training_check=False,
        run_jit_check=False,
    )


def test_integer_lookup_config_and_errors():
    config = layers.IntegerLookup(vocabulary=np.array([3, 4]), name="i").get_config()
    assert list(config) == [
        "name",
        "trainable",
        "dtype",
        "invert",
        "max_tokens",
        "num_oov_indices",
        "oov_token",
        "mask_token",
        "output_mode",
        "sparse",
        "pad_to_max_tokens",
        "vocabulary_dtype",
        "idf_weights",
        "vocabulary",
        "vocabulary_size",
        "oov_method",
        "salt",
    ]
    assert config["vocabulary"] == [3, 4] and config["oov_token"] == -1
    with pytest.raises(ValueError, match="vocabulary_dtype"):
        layers.IntegerLookup(vocabulary_dtype="int32")
    with pytest.raises(ValueError, match="salt"):
        layers.IntegerLookup(salt=5)


# ---------------------------------------------------------------- TextVectorization

DATA = ["The Cat sat.", "the dog, the CAT!", "a  bird"]


def test_text_vectorization_int(engine):
    layer = layers.TextVectorization()
    layer.adapt(DATA)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat", "dog", "bird", "a"]
    out = layer(DATA)
    assert _np(out).dtype == np.int64
    np.testing.assert_array_equal(_np(out), [[2, 3, 4, 0], [2, 5, 2, 3], [7, 6, 0, 0]])
    np.testing.assert_array_equal(_np(layer(np.array([["The cat"], ["dog"]]))), [[2, 3], [5, 0]])
    layer = layers.TextVectorization(output_sequence_length=4, max_tokens=5)
    layer.adapt(np.array(DATA))
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat"]
    np.testing.assert_array_equal(_np(layer(DATA)), [[2, 3, 4, 0], [2, 1, 2, 3], [1, 1, 0, 0]])
    layer = layers.TextVectorization(output_sequence_length=6)
    layer.adapt(DATA)
    assert _np(layer(DATA)).shape == (3, 6)
    layer = layers.TextVectorization(ngrams=2)
    layer.adapt(DATA)
    assert layer.get_vocabulary()[:6] == ["", "[UNK]", "the", "the cat", "cat", "the dog"]
    np.testing.assert_array_equal(_np(layer(DATA[:1])), [[2, 4, 6, 3, 9]])
    layer = layers.TextVectorization(ngrams=(1, 3), split=None, standardize=None)
    layer.adapt(DATA)
    assert layer.get_vocabulary() == ["", "[UNK]", "the dog, the CAT!", "a  bird", "The Cat sat."]
    layer = layers.TextVectorization(standardize="lower", split="character")
    layer.adapt(["Ab b", "c!"])
    assert layer.get_vocabulary() == ["", "[UNK]", "b", "c", "a", "!", " "]
    layer = layers.TextVectorization(standardize="strip_punctuation")
    layer.adapt(["Ab, b's", "c!-d é."])
    assert layer.get_vocabulary() == ["", "[UNK]", "é", "cd", "bs", "Ab"]
    layer = layers.TextVectorization()
    layer.adapt(["Héllo WÖRLD ünïcode", "ÀB"])  # lower-casing is ASCII-only, as Keras's
    assert layer.get_vocabulary() == ["", "[UNK]", "ünïcode", "Àb", "wÖrld", "héllo"]
    layer = layers.TextVectorization(vocabulary=["cat", "the"])
    np.testing.assert_array_equal(_np(layer(DATA)), [[3, 2, 1, 0], [3, 1, 3, 2], [1, 1, 0, 0]])
    layer = layers.TextVectorization(standardize=str.upper, split=lambda s: s.split("A"))
    layer.adapt(["xay", "xaz"])
    assert layer.get_vocabulary() == ["", "[UNK]", "X", "Z", "Y"]


def test_text_vectorization_encoded_modes(engine):
    expected = {
        "multi_hot": [[0, 1, 1, 1, 0, 0, 0], [0, 1, 1, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1, 1]],
        "count": [[0, 1, 1, 1, 0, 0, 0], [0, 2, 1, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1, 1]],
    }
    idf_the, idf_one = 0.6931472, 0.91629076
    expected["tf_idf"] = [
        [0, idf_the, idf_the, idf_one, 0, 0, 0],
        [0, 2 * idf_the, idf_the, 0, idf_one, 0, 0],
        [0, 0, 0, 0, 0, idf_one, idf_one],
    ]
    for mode, values in expected.items():
        layer = layers.TextVectorization(output_mode=mode)
        layer.adapt(DATA)
        assert layer.get_vocabulary() == ["[UNK]", "the", "cat", "sat", "dog", "bird", "a"]
        np.testing.assert_allclose(_np(layer(DATA)), values, rtol=1e-6)
    layer = layers.TextVectorization(output_mode="multi_hot", max_tokens=10, pad_to_max_tokens=True)
    layer.adapt(DATA)
    assert _np(layer(DATA)).shape == (3, 10)
    layer = layers.TextVectorization(
        vocabulary=["cat", "the"], output_mode="tf_idf", idf_weights=[0.5, 2.0]
    )
    np.testing.assert_allclose(
        _np(layer(DATA)), [[1.25, 0.5, 2.0], [1.25, 0.5, 4.0], [2.5, 0, 0]], rtol=1e-6
    )
    # one_hot (Keras fails on non-TensorFlow backends): one vector per token, padding zeros
    layer = layers.TextVectorization(output_mode="one_hot", vocabulary=["cat", "the"])
    out = _np(layer(["the cat", "cat"]))
    np.testing.assert_array_equal(out, [[[0, 0, 1], [0, 1, 0]], [[0, 1, 0], [0, 0, 0]]])


def test_text_vectorization_symbolic_config_errors():
    string_input = kerasx.Input((1,), dtype="string")
    out = layers.TextVectorization(vocabulary=["a"], output_sequence_length=4)(string_input)
    assert out.shape == (None, 4) and out.dtype == "int64"
    out = layers.TextVectorization(vocabulary=["a"], output_mode="count")(string_input)
    assert out.shape == (None, 2) and out.dtype == "float32"
    assert layers.TextVectorization(name="t").get_config() == {
        "name": "t",
        "trainable": True,
        "dtype": _DTYPE,
        "max_tokens": None,
        "standardize": "lower_and_strip_punctuation",
        "split": "whitespace",
        "ngrams": None,
        "output_mode": "int",
        "output_sequence_length": None,
        "pad_to_max_tokens": False,
        "sparse": False,
        "ragged": False,
        "vocabulary": None,
        "idf_weights": None,
        "encoding": "utf-8",
        "vocabulary_size": 2,
    }
    layer = layers.TextVectorization(vocabulary=["cat", "the"], output_sequence_length=3)
    revived = layers.TextVectorization.from_config(layer.get_config())
    np.testing.assert_array_equal(_np(revived(["the cat"])), _np(layer(["the cat"])))
    errors = [
        ({"standardize": "foo"}, "standardize"),
        ({"split": "foo"}, "split"),
        ({"output_mode": "foo"}, "output_mode"),
        ({"ngrams": [1, 2]}, "ngrams"),
        ({"ngrams": 0}, "ngrams"),
        ({"output_mode": "multi_hot", "output_sequence_length": 3}, "output_sequence_length"),
        ({"ragged": True}, "ragged"),
        ({"sparse": True}, "sparse"),
    ]
    for kwargs, match in errors:
        with pytest.raises(ValueError, match=match):
            layers.TextVectorization(**kwargs)


# ---------------------------------------------------------------- Pipeline


def test_pipeline(engine):
    pipe = layers.Pipeline([layers.Rescaling(2.0), layers.Dropout(0.5, seed=1)])
    x = np.ones((4, 3), "float32")
    np.testing.assert_allclose(_np(pipe(x, training=False)), 2 * x)
    out = _np(pipe(x))  # training defaults to True, as Keras's Pipeline
    assert set(np.unique(out)) <= {0.0, 4.0} and (out == 0).any()
    assert pipe.compute_output_shape((None, 3)) == (None, 3)
    assert len(pipe.layers) == 2
    run_layer_test(
        layers.Pipeline,
        {"layers": [layers.Rescaling(2.0), layers.Normalization(mean=1.0, variance=4.0)]},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=0,
        run_training_check=False,
    )
    with pytest.raises(ValueError, match="layers"):
        layers.Pipeline([1, 2])


def test_pipeline_matches_keras(engine):
    keras = pytest.importorskip("keras")
    ours = layers.Pipeline([layers.Rescaling(2.0, offset=1.0), layers.CategoryEncoding(4)])
    theirs = keras.layers.Pipeline(
        [keras.layers.Rescaling(2.0, offset=1.0), keras.layers.CategoryEncoding(4)]
    )
    x = np.array([[0, 1], [1, 1]])
    np.testing.assert_array_equal(_np(ours(x)), np.asarray(theirs(x)))
    strip = lambda c: {k: v for k, v in c.items() if k != "name"}  # noqa: E731
    ours_cfg = [strip(layer["config"]) for layer in ours.get_config()["layers"]]
    theirs_cfg = [strip(layer["config"]) for layer in theirs.get_config()["layers"]]
    assert ours_cfg == theirs_cfg
    assert set(ours.get_config()) == set(theirs.get_config()) == {"layers", "name"}

"""keras.applications group A (imagenet_utils, ResNet, ResNetV2, VGG16/19) against real Keras.

Structure (layer names, weight names / shapes / order, parameter counts) for every model
function, forward parity with Keras's weights copied in for one variant per family, the
preprocessing and decoding helpers, the imagenet-weights download path (get_file patched, no
network) and argument errors.
"""

import json
import warnings

import numpy as np
import pytest

from kerasx import config
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")

# Keras's NumPy backend reads its variables with np.asarray(copy=False) inside its conv ops.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

from keras.src.applications import imagenet_utils as k_iu  # noqa: E402

from kerasx.applications import imagenet_utils as iu  # noqa: E402


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _np(x):
    from kerasx import ops

    return np.asarray(ops.convert_to_numpy(x))


# ------------------------------------------------------------------ imagenet_utils


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize(
    "data_format,shape",
    [
        ("channels_last", (2, 4, 5, 3)),
        ("channels_last", (4, 5, 3)),
        ("channels_first", (2, 3, 4, 5)),
        ("channels_first", (3, 4, 5)),
    ],
)
def test_preprocess_input_matches_keras(engine, mode, data_format, shape):
    from kerasx import ops

    x = np.random.default_rng(0).uniform(0, 255, size=shape).astype("float32")
    expected = k_iu.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    # NumPy input: same values, and the same in-place update of the caller's float array.
    ours_in, keras_in = x.copy(), x.copy()
    got = iu.preprocess_input(ours_in, data_format=data_format, mode=mode)
    k_iu.preprocess_input(keras_in, data_format=data_format, mode=mode)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(ours_in, keras_in)
    # Integer NumPy input becomes floatx.
    xi = x.astype("uint8")
    got_i = iu.preprocess_input(xi, data_format=data_format, mode=mode)
    assert got_i.dtype == np.float32
    np.testing.assert_array_equal(
        got_i, k_iu.preprocess_input(xi, data_format=data_format, mode=mode)
    )
    # Tensor input (a backend tensor on each engine).
    got_t = iu.preprocess_input(ops.convert_to_tensor(x), data_format=data_format, mode=mode)
    np.testing.assert_allclose(_np(got_t), expected, rtol=1e-6, atol=1e-4)


def test_preprocess_input_symbolic(engine):
    import kerasx

    inp = kerasx.layers.Input((None, None, 3))
    model = kerasx.Model(inp, iu.preprocess_input(inp))
    x = np.random.default_rng(1).uniform(0, 255, size=(2, 4, 5, 3)).astype("float32")
    np.testing.assert_allclose(_np(model(x)), k_iu.preprocess_input(x.copy()), rtol=1e-6, atol=1e-4)


def test_preprocess_input_errors():
    x = np.zeros((1, 2, 2, 3), "float32")
    for kwargs in ({"mode": "bad"}, {"data_format": "channels_middle"}):
        with pytest.raises(ValueError):
            k_iu.preprocess_input(x.copy(), **kwargs)
        with pytest.raises(ValueError, match="Received"):
            iu.preprocess_input(x.copy(), **kwargs)


def _class_index(tmp_path):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    return str(path)


@pytest.fixture
def class_index(tmp_path, monkeypatch):
    """A local class index behind a patched `get_file`; records the download arguments."""
    import kerasx.utils

    path = _class_index(tmp_path)
    calls = []

    def fake_get_file(fname=None, origin=None, **kwargs):
        calls.append((fname, origin, kwargs))
        return path

    monkeypatch.setattr(kerasx.utils, "get_file", fake_get_file)
    monkeypatch.setattr(iu, "CLASS_INDEX", None)
    with open(path) as f:
        monkeypatch.setattr(k_iu, "CLASS_INDEX", json.load(f))
    return calls


def test_decode_predictions_matches_keras(engine, class_index):
    from kerasx import ops

    preds = np.random.default_rng(2).uniform(size=(3, 1000)).astype("float32")
    expected = k_iu.decode_predictions(preds, top=4)
    got = iu.decode_predictions(ops.convert_to_tensor(preds), top=4)
    assert got == expected
    assert iu.decode_predictions(preds) == k_iu.decode_predictions(preds)
    # Downloaded once, from Keras's URL with Keras's hash, into the "models" cache.
    assert class_index == [
        (
            "imagenet_class_index.json",
            "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json",
            {"cache_subdir": "models", "file_hash": "c2c37ea517e94d9795004a39431a14cb"},
        )
    ]


def test_decode_predictions_bad_shape(class_index):
    for shape in [(2, 10), (1000,), (1, 1000, 1)]:
        with pytest.raises(ValueError):
            k_iu.decode_predictions(np.zeros(shape))
        with pytest.raises(ValueError, match="samples, 1000"):
            iu.decode_predictions(np.zeros(shape))
    assert class_index == []


OBTAIN_CASES = [
    # input_shape, default_size, min_size, data_format, require_flatten, weights
    (None, 224, 32, "channels_last", True, "imagenet"),
    (None, 224, 32, "channels_last", False, "imagenet"),
    (None, 224, 32, "channels_first", False, None),
    (None, 224, 32, "channels_first", True, None),
    ((224, 224, 3), 224, 32, "channels_last", True, "imagenet"),
    ((64, 64, 3), 224, 32, "channels_last", True, "imagenet"),
    ((64, 64, 3), 224, 32, "channels_last", True, None),
    ((64, 64, 3), 224, 32, "channels_last", False, "imagenet"),
    ((16, 64, 3), 224, 32, "channels_last", False, None),
    ((None, None, 3), 224, 32, "channels_last", True, None),
    ((None, None, 3), 224, 32, "channels_last", False, None),
    ((64, 64, 1), 224, 32, "channels_last", False, "imagenet"),
    ((64, 64, 1), 224, 32, "channels_last", False, None),
    ((64, 64), 224, 32, "channels_last", False, None),
    ((3, 64, 64), 224, 32, "channels_first", False, "imagenet"),
    ((3, 64, 16), 224, 32, "channels_first", False, "imagenet"),
    ((1, 64, 64), 224, 32, "channels_first", False, "imagenet"),
    ((3, 64, 64, 1), 224, 32, "channels_first", False, None),
    ((3, 224, 224), 224, 32, "channels_first", True, "imagenet"),
    ((224, 224, 3), 224, 32, "channels_first", True, "imagenet"),
    ((64, 64, 5), 224, 32, "channels_last", False, None),
    ((5, 64, 64), 224, 32, "channels_first", True, None),
]


@pytest.mark.parametrize("args", OBTAIN_CASES)
def test_obtain_input_shape_matches_keras(args):
    def run(fn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = fn(*args)
            except ValueError:
                out = ValueError
        return out, len(caught)

    assert run(iu.obtain_input_shape) == run(k_iu.obtain_input_shape)


@pytest.mark.parametrize("shape", [(1, 224, 224, 3), (1, 225, 225, 3), (1, None, None, 3)])
@pytest.mark.parametrize("kernel_size", [3, (5, 3)])
def test_correct_pad_matches_keras(shape, kernel_size):
    class Shaped:
        def __init__(self, shape):
            self.shape = shape

    assert iu.correct_pad(Shaped(shape), kernel_size) == k_iu.correct_pad(
        Shaped(shape), kernel_size
    )


@pytest.mark.parametrize("activation", ["softmax", None, "relu", "sigmoid", "linear"])
@pytest.mark.parametrize("weights", [None, "imagenet", "some/path.h5"])
def test_validate_activation_matches_keras(activation, weights):
    def run(fn):
        try:
            fn(activation, weights)
        except ValueError:
            return ValueError
        return None

    assert run(iu.validate_activation) == run(k_iu.validate_activation)

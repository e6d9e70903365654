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


# ------------------------------------------------------------------ model families

import re  # noqa: E402

FAMILIES = {
    "resnet": ("ResNet50", "ResNet101", "ResNet152"),
    "resnet_v2": ("ResNet50V2", "ResNet101V2", "ResNet152V2"),
    "vgg16": ("VGG16",),
    "vgg19": ("VGG19",),
}
ALL_MODELS = [(module, fn) for module, fns in FAMILIES.items() for fn in fns]


def _zeros_init(monkeypatch):
    """Skip the random draws of the big kernels (structure checks and weights loaded over
    them do not need them): kerasx's VarianceScaling initializers give zeros."""
    import kerasx.initializers

    monkeypatch.setattr(
        kerasx.initializers.VarianceScaling,
        "__call__",
        lambda self, shape, dtype=None: np.zeros(shape, dtype=dtype or "float32"),
    )


@pytest.fixture
def cheap_init(monkeypatch):
    _zeros_init(monkeypatch)


@pytest.fixture
def cheap_keras_init(monkeypatch):
    from keras.src.initializers import random_initializers

    monkeypatch.setattr(
        random_initializers.VarianceScaling,
        "__call__",
        lambda self, shape, dtype=None: keras.ops.zeros(shape, dtype=dtype or "float32"),
    )


def _kx(module, fn):
    import importlib

    return getattr(importlib.import_module(f"kerasx.applications.{module}"), fn)


def _k(module, fn):
    import importlib

    return getattr(importlib.import_module(f"keras.applications.{module}"), fn)


def _auto(name):
    # Unnamed layers (VGG's global pooling, ResNetV2's shortcut pooling) are numbered by
    # each library's session counter: compare them without the number.
    return re.sub(r"_\d+$", "", name)


def _structure(model):
    return {
        "name": model.name,
        "layers": [(_auto(layer.name), type(layer).__name__) for layer in model.layers],
        "weights": [(w.path, tuple(w.shape)) for w in model.weights],
        "trainable": len(model.trainable_weights),
        "params": model.count_params(),
        "output": tuple(model.output.shape),
    }


@pytest.mark.parametrize("module,fn", ALL_MODELS)
def test_structure_matches_keras(cheap_init, cheap_keras_init, module, fn):
    # With the top for the families whose top is the same for every variant only once.
    include_top = fn in ("ResNet50", "ResNet50V2", "VGG16", "VGG19")
    kwargs = {
        "weights": None,
        "include_top": include_top,
        "input_shape": (32, 32, 3),
        "classes": 7,
        "pooling": "max",
    }
    ours = _structure(_kx(module, fn)(**kwargs))
    theirs = _structure(_k(module, fn)(**kwargs))
    assert ours == theirs


def test_module_names_and_aliases():
    import kerasx.applications as apps
    from kerasx.applications import resnet, resnet50

    for module in ("resnet", "resnet50", "resnet_v2", "vgg16", "vgg19", "imagenet_utils"):
        keras_mod = __import__(f"keras.applications.{module}", fromlist=["_"])
        public = {n for n in dir(keras_mod) if not n.startswith("_")}
        ours = getattr(apps, module)
        assert public <= set(dir(ours)), module
    assert resnet50.ResNet50 is resnet.ResNet50 is apps.ResNet50
    assert resnet50.preprocess_input is resnet.preprocess_input
    assert resnet50.decode_predictions is resnet.decode_predictions
    for _module, fn in ALL_MODELS:
        assert getattr(apps, fn).__name__ == fn


def _signature(f):
    import inspect

    return [(p.name, p.default) for p in inspect.signature(f).parameters.values()]


@pytest.mark.parametrize("module,fn", ALL_MODELS)
def test_signatures_match_keras(module, fn):
    assert _signature(_kx(module, fn)) == _signature(_k(module, fn))
    for helper in ("preprocess_input", "decode_predictions"):
        assert _signature(_kx(module, helper)) == _signature(_k(module, helper))


# Forward parity, one variant per family: the top, avg pooling and the bare feature map.
PARITY_CASES = {
    "resnet": ("ResNet50", {"include_top": True, "classes": 10}),
    "resnet_v2": ("ResNet50V2", {"include_top": False, "pooling": "avg"}),
    "vgg16": ("VGG16", {"include_top": False}),
}
_KERAS_RUNS = {}


def _random_weights(model, rng):
    """Random values for every weight: scaled uniform kernels, BatchNormalization statistics
    and offsets away from their initial 1 / 0."""
    weights = []
    for w in model.weights:
        shape = tuple(w.shape)
        if w.path.endswith("kernel"):
            fan_in = int(np.prod(shape[:-1]))
            limit = np.sqrt(3.0 / fan_in)
            value = rng.uniform(-limit, limit, size=shape)
            if w.path.startswith("predictions/"):
                value *= 0.01  # logits of order 1: a softmax far from saturation
        elif w.path.endswith(("moving_variance", "gamma")):
            value = rng.uniform(0.5, 1.5, size=shape)
        else:
            value = rng.normal(0.0, 0.1, size=shape)
        weights.append(value.astype("float32"))
    return weights


def _keras_run(module):
    """Keras's model with random weights, a random input, its preprocessed form and Keras's
    output (computed once per process)."""
    if module not in _KERAS_RUNS:
        fn, kwargs = PARITY_CASES[module]
        model = _k(module, fn)(weights=None, input_shape=(32, 32, 3), **kwargs)
        rng = np.random.default_rng(7)
        weights = _random_weights(model, rng)
        model.set_weights(weights)
        x = rng.uniform(0, 255, size=(2, 32, 32, 3)).astype("float32")
        x_pre = _k(module, "preprocess_input")(x.copy())
        out = np.asarray(keras.ops.convert_to_numpy(model(x_pre)))
        _KERAS_RUNS[module] = (weights, x, x_pre, out)
    return _KERAS_RUNS[module]


@pytest.mark.parametrize("module", sorted(PARITY_CASES))
def test_forward_matches_keras(engine, cheap_init, cheap_keras_init, module):
    from kerasx import ops

    weights, x, x_pre, expected = _keras_run(module)
    fn, kwargs = PARITY_CASES[module]
    model = _kx(module, fn)(weights=None, input_shape=(32, 32, 3), **kwargs)
    model.set_weights(weights)
    got_pre = _kx(module, "preprocess_input")(ops.convert_to_tensor(x))
    np.testing.assert_allclose(_np(got_pre), x_pre, rtol=1e-6, atol=1e-4)
    # The eager call on NumPy; the compiled predict on JAX (its eager call would compile
    # op by op, much slower).
    if engine == "numpy":
        got = _np(model(ops.convert_to_tensor(x_pre)))
    else:
        got = _np(model.predict(x_pre, verbose=0))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------ weights="imagenet" / path

_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"
# (fn, include_top) -> (file name, URL, hash), as Keras downloads them.
IMAGENET_FILES = {
    ("ResNet50", True): (
        "resnet50_weights_tf_dim_ordering_tf_kernels.h5",
        "2cb95161c43110f7111970584f804107",
    ),
    ("ResNet50", False): (
        "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "4d473c1dd8becc155b73f8504c6f6626",
    ),
    ("ResNet101", False): (
        "resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "88cf7a10940856eca736dc7b7e228a21",
    ),
    ("ResNet152", False): (
        "resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "ee4c566cf9a93f14d82f913c2dc6dd0c",
    ),
    ("ResNet50V2", True): (
        "resnet50v2_weights_tf_dim_ordering_tf_kernels.h5",
        "3ef43a0b657b3be2300d5770ece849e0",
    ),
    ("ResNet50V2", False): (
        "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "fac2f116257151a9d068a22e544a4917",
    ),
    ("ResNet101V2", False): (
        "resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "c0ed64b8031c3730f411d2eb4eea35b5",
    ),
    ("ResNet152V2", False): (
        "resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "ed17cf2e0169df9d443503ef94b23b33",
    ),
    ("VGG16", False): (
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "6d6bbae143d832006294945121d1f1fc",
    ),
    ("VGG19", False): (
        "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "253f8cb515780f3b799900260a226db6",
    ),
}


def _expected_url(fn, file_name):
    if fn.startswith("VGG"):
        return f"{_KERAS_APPS}{fn.lower()}/{file_name}"
    return f"{_KERAS_APPS}resnet/{file_name}"


class _Stop(Exception):
    pass


@pytest.mark.parametrize("fn,include_top", sorted(IMAGENET_FILES))
def test_imagenet_download_arguments(cheap_init, monkeypatch, fn, include_top):
    """The weights file is asked of `get_file` with Keras's name, URL, hash and cache."""
    import kerasx.utils

    module = next(m for m, fns in FAMILIES.items() if fn in fns)
    calls = []

    def fake_get_file(fname=None, origin=None, **kwargs):
        calls.append((fname, origin, kwargs))
        raise _Stop

    monkeypatch.setattr(kerasx.utils, "get_file", fake_get_file)
    shape = None if include_top else (32, 32, 3)
    with pytest.raises(_Stop):
        _kx(module, fn)(include_top=include_top, weights="imagenet", input_shape=shape)
    file_name, file_hash = IMAGENET_FILES[(fn, include_top)]
    assert calls == [
        (
            file_name,
            _expected_url(fn, file_name),
            {"cache_subdir": "models", "file_hash": file_hash},
        )
    ]


def _keras_weights_file(module, fn, include_top, path):
    """A legacy `.h5` weights file, as `keras.applications` serves them, written by Keras
    from its model with random weights. Returns the weights."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    shape = (224, 224, 3) if include_top else (32, 32, 3)
    model = _k(module, fn)(weights=None, include_top=include_top, input_shape=shape)
    weights = _random_weights(model, np.random.default_rng(3))
    model.set_weights(weights)
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return weights


@pytest.mark.parametrize(
    "module,fn,include_top",
    [("resnet", "ResNet50", True), ("vgg16", "VGG16", False)],
)
def test_imagenet_weights_load_keras_file(
    cheap_init, cheap_keras_init, monkeypatch, tmp_path, module, fn, include_top
):
    import kerasx.utils

    file_name, file_hash = IMAGENET_FILES[(fn, include_top)]
    path = str(tmp_path / file_name)
    weights = _keras_weights_file(module, fn, include_top, path)

    def fake_get_file(fname=None, origin=None, **kwargs):
        assert (fname, origin) == (file_name, _expected_url(fn, file_name))
        assert kwargs == {"cache_subdir": "models", "file_hash": file_hash}
        return path

    monkeypatch.setattr(kerasx.utils, "get_file", fake_get_file)
    shape = None if include_top else (32, 32, 3)
    model = _kx(module, fn)(include_top=include_top, weights="imagenet", input_shape=shape)
    got = model.get_weights()
    assert len(got) == len(weights)
    for a, b in zip(got, weights):
        np.testing.assert_array_equal(a, b)


def test_weights_from_path(cheap_init, cheap_keras_init, tmp_path):
    """`weights=<path>`: a `.weights.h5` file saved by Keras."""
    keras_model = keras.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
    weights = _random_weights(keras_model, np.random.default_rng(4))
    keras_model.set_weights(weights)
    path = str(tmp_path / "vgg19.weights.h5")
    keras_model.save_weights(path)
    model = _kx("vgg19", "VGG19")(weights=path, include_top=False, input_shape=(32, 32, 3))
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ argument errors

BAD_ARGUMENTS = [
    {"weights": "no/such/file.h5"},
    {"weights": "imagenet", "include_top": True, "classes": 10},
    {"weights": None, "include_top": False, "input_shape": (16, 16, 3)},
    {"weights": None, "include_top": False, "input_shape": (32, 32)},
    {"weights": "imagenet", "include_top": True, "input_shape": (64, 64, 3)},
    {"weights": "imagenet", "include_top": False, "input_shape": (64, 64, 1)},
    {"weights": None, "include_top": True, "input_shape": (None, None, 3)},
]


@pytest.mark.parametrize("module", sorted(FAMILIES))
@pytest.mark.parametrize("kwargs", BAD_ARGUMENTS)
def test_bad_arguments_raise_like_keras(module, kwargs):
    fn = FAMILIES[module][0]
    with pytest.raises(ValueError) as theirs:
        _k(module, fn)(**kwargs)
    with pytest.raises(type(theirs.value), match="Received"):
        _kx(module, fn)(**kwargs)


@pytest.mark.parametrize("module", sorted(FAMILIES))
def test_classifier_activation_checked_before_building(monkeypatch, tmp_path, module):
    """A non-softmax classifier with pretrained weights fails (ValueError, as in Keras)
    before any layer is built."""
    from kerasx import layers

    path = tmp_path / "w.h5"
    path.write_bytes(b"")

    def no_build(*args, **kwargs):
        raise AssertionError("a layer was created")

    monkeypatch.setattr(layers, "Conv2D", no_build)
    fn = FAMILIES[module][0]
    for weights in ("imagenet", str(path)):
        with pytest.raises(ValueError, match="classifier_activation"):
            _kx(module, fn)(weights=weights, classifier_activation="relu")
    # Without pretrained weights any activation is fine.
    monkeypatch.undo()
    _zeros_init(monkeypatch)
    model = _kx(module, fn)(
        weights=None, input_shape=(32, 32, 3), classes=3, classifier_activation="sigmoid"
    )
    assert model.layers[-1].get_config()["activation"] == "sigmoid"


def test_input_tensor(cheap_init):
    """`input_tensor`: the model is built on it, and on the inputs behind it."""
    import kerasx
    from kerasx import layers, ops

    inp = kerasx.Input((32, 32, 3))
    scaled = layers.Rescaling(2.0)(inp)
    model = _kx("vgg16", "VGG16")(weights=None, include_top=False, input_tensor=scaled)
    assert model.inputs[0] is inp
    assert tuple(model.output.shape) == (None, 1, 1, 512)
    x = np.ones((1, 32, 32, 3), "float32")
    assert _np(model(ops.convert_to_tensor(x))).shape == (1, 1, 1, 512)


@pytest.fixture
def channels_first():
    import kerasx

    keras.config.set_image_data_format("channels_first")
    kerasx.config.set_image_data_format("channels_first")
    yield
    keras.config.set_image_data_format("channels_last")
    kerasx.config.set_image_data_format("channels_last")


@pytest.mark.parametrize("module,fn", [("resnet", "ResNet50"), ("resnet_v2", "ResNet50V2")])
def test_channels_first_structure(cheap_init, cheap_keras_init, channels_first, module, fn):
    kwargs = {"weights": None, "include_top": False, "input_shape": (3, 32, 32)}
    model = _kx(module, fn)(**kwargs)
    assert _structure(model) == _structure(_k(module, fn)(**kwargs))
    assert {layer.axis for layer in model.layers if hasattr(layer, "moving_mean")} == {1}


@pytest.mark.parametrize("module", ["resnet", "resnet50", "resnet_v2", "vgg16", "vgg19"])
def test_family_preprocess_and_decode_match_keras(engine, class_index, module):
    from kerasx import ops

    ours = __import__(f"kerasx.applications.{module}", fromlist=["_"])
    theirs = __import__(f"keras.applications.{module}", fromlist=["_"])
    rng = np.random.default_rng(6)
    for data_format, shape in (("channels_last", (2, 4, 4, 3)), ("channels_first", (3, 4, 4))):
        x = rng.uniform(0, 255, size=shape).astype("float32")
        expected = theirs.preprocess_input(x.copy(), data_format=data_format)
        np.testing.assert_array_equal(ours.preprocess_input(x.copy(), data_format), expected)
        got = ours.preprocess_input(ops.convert_to_tensor(x), data_format=data_format)
        np.testing.assert_allclose(_np(got), expected, rtol=1e-6, atol=1e-4)
    with pytest.raises(ValueError):
        ours.preprocess_input(x, data_format="channels_middle")
    preds = rng.uniform(size=(2, 1000)).astype("float32")
    assert ours.decode_predictions(preds, top=3) == theirs.decode_predictions(preds, top=3)

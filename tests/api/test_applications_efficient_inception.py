"""kerasx.applications EfficientNet, EfficientNetV2, InceptionV3 and InceptionResNetV2 vs real
Keras 3: the same layers, weights (names, shapes, order) and outputs, the same ImageNet files
and argument checks. No network: `get_file` is replaced by a stub."""

import contextlib
import importlib
import json
import re
import warnings

import numpy as np
import pytest

import kerasx
from kerasx.applications import (
    convnext,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    nasnet,
)
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")

ENGINES = installed_engines()

# (family module, model function, input size used here)
EFFICIENT = [(efficientnet, f"EfficientNetB{i}", 32) for i in range(8)]
EFFICIENT_V2 = [
    (efficientnet_v2, f"EfficientNetV2{s}", 32) for s in ("B0", "B1", "B2", "B3", "S", "M", "L")
]
INCEPTION = [(inception_v3, "InceptionV3", 75), (inception_resnet_v2, "InceptionResNetV2", 75)]
CONVNEXT = [(convnext, f"ConvNeXt{s}", 32) for s in ("Tiny", "Small", "Base", "Large", "XLarge")]
NASNET = [(nasnet, "NASNetMobile", 32), (nasnet, "NASNetLarge", 32)]
ALL_MODELS = EFFICIENT + EFFICIENT_V2 + INCEPTION + CONVNEXT + NASNET
MODULES = [efficientnet, efficientnet_v2, inception_v3, inception_resnet_v2, convnext, nasnet]

# Layers whose automatic names (`conv2d_17`) depend on how many were made before: compared
# by their rank among the layers of the same kind in the model.
_AUTO = re.compile(
    r"(input_layer|conv2d|batch_normalization|activation|max_pooling2d|average_pooling2d|"
    r"concatenate|global_average_pooling2d|global_max_pooling2d|custom_scale_layer|"
    r"rescaling|normalization|dense|layer_normalization|zero_padding2d|cropping2d|add|variable)"
    r"(_\d+)?"
)


@contextlib.contextmanager
def _engine(name):
    kerasx.config.set_backend(name)
    try:
        yield name
    finally:
        kerasx.config.set_backend("numpy")


@pytest.fixture
def zero_init(monkeypatch):
    """Skip the costly initialization when the values are not what is compared: random
    draws of up to 100M weights in both libraries, and on JAX one compiled fill per weight
    shape. Every weight starts as NumPy zeros (ones for `Ones`)."""
    krand = importlib.import_module("keras.src.initializers.random_initializers")

    def numpy_fill(value):
        def fill(self, shape, dtype=None):
            dtype = kerasx.backend.standardize_dtype(dtype)
            # np.zeros maps untouched zero pages: ConvNeXtXLarge's 350M weights cost little.
            return np.zeros(shape, dtype) if value == 0 else np.full(shape, value, dtype)

        return fill

    monkeypatch.setattr(krand.VarianceScaling, "__call__", numpy_fill(0.0))
    for cls, value in (("VarianceScaling", 0.0), ("Zeros", 0.0), ("Ones", 1.0)):
        monkeypatch.setattr(getattr(kerasx.initializers, cls), "__call__", numpy_fill(value))


@contextlib.contextmanager
def _keras_quirks():
    """Keras's NumPy backend runs each layer on placeholder data while building (overflow
    warnings from that garbage), and its variables' `__array__` predates NumPy 2's `copy`
    argument (a DeprecationWarning on every read): neither is ours to fix."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _keras_model(fn, **kwargs):
    with _keras_quirks():
        return getattr(keras.applications, fn)(weights=None, **kwargs)


def _canonical(names):
    """Automatic names replaced by `<kind>#<rank>`; other names kept."""
    ranks: dict = {}
    out = []
    for name in names:
        head, sep, rest = name.partition("/")
        m = _AUTO.fullmatch(head)
        if m:
            kind = ranks.setdefault(m.group(1), {})
            head = f"{m.group(1)}#{kind.setdefault(head, len(kind))}"
        # An unnamed weight (ConvNeXt's LayerScale) is `variable_<global count>` in Keras,
        # `variable_<count in its layer>` here: the name is not part of any file format.
        rest = re.sub(r"^variable(_\d+)?$", "variable", rest)
        out.append(head + sep + rest)
    return out


def _assert_same_structure(ours, ref):
    assert ours.name == ref.name
    assert _canonical([layer.name for layer in ours.layers]) == _canonical(
        [layer.name for layer in ref.layers]
    )
    assert _canonical([w.path for w in ours.weights]) == _canonical([w.path for w in ref.weights])
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    assert [w.trainable for w in ours.weights] == [w.trainable for w in ref.weights]
    assert ours.count_params() == ref.count_params()
    assert tuple(ours.output.shape) == tuple(ref.output.shape)


def _random_weights(model, seed=0):
    """Random weights that keep activations tame (so float32 rounding stays near 1e-6 over
    hundreds of layers): kernels at half the unit-variance scale of their fan-in, BN
    statistics near (0, 1). Drawn here, so independent of the initializers."""
    rng = np.random.default_rng(seed)
    out = []
    for w in model.weights:
        shape = tuple(w.shape)
        kind = w.path.split("/")[-1]
        if kind == "moving_variance":
            value = rng.uniform(0.5, 1.5, shape)
        elif kind in ("moving_mean", "beta", "bias"):
            value = rng.normal(size=shape) * 0.1
        elif kind == "gamma":
            value = rng.uniform(0.8, 1.2, shape)
        elif kind.startswith("variable"):  # ConvNeXt's LayerScale (starts at 1e-6)
            value = rng.uniform(0.1, 0.5, shape)
        elif len(shape) >= 2:  # kernels; depthwise ones (..., 1) mix only their window
            fan_in = np.prod(shape[:2] if shape[-1] == 1 else shape[:-1])
            value = rng.normal(size=shape) * (0.5 / np.sqrt(fan_in))
        else:  # the Normalization statistics of EfficientNet (mean, variance, count)
            value = np.array(w.value if isinstance(model, keras.Model) else w.numpy())
        out.append(np.asarray(value, dtype="float32" if len(shape) else value.dtype))
    return out


def _run(model, x):
    """The model's output on `x`: `predict` on NumPy; on JAX the model called under `jax.jit`
    with XLA's backend optimizations off, which halves the compile time of these
    several-hundred-layer graphs (the numbers are the same)."""
    if kerasx.config.backend() != "jax":
        return model.predict(x, verbose=0)
    import jax

    def forward(trainable, non_trainable, batch):
        return model.stateless_call(trainable, non_trainable, batch, training=False)[0]

    options = {"xla_backend_optimization_level": 0, "xla_llvm_disable_expensive_passes": True}
    args = (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        x,
    )
    compiled = jax.jit(forward).lower(*args).compile(options)
    return np.asarray(compiled(*args))


def _reference(fn, kwargs):
    """Keras's model, random weights, an input batch and Keras's output on it."""
    model = _keras_model(fn, **kwargs)
    weights = _random_weights(model)
    shape = (2,) + tuple(model.input_shape[1:])
    x = np.random.default_rng(1).uniform(0, 255, size=shape).astype("float32")
    with _keras_quirks():
        model.set_weights(weights)
        y = np.asarray(model(x))
    return model, weights, x, y


# Slowest first: xdist hands tests out in this order, so the workers finish together.
FORWARD = [
    (
        inception_resnet_v2,
        "InceptionResNetV2",
        dict(include_top=False, input_shape=(75, 75, 3), pooling="max"),
    ),
    (inception_v3, "InceptionV3", dict(include_top=False, input_shape=(75, 75, 3), pooling="avg")),
    (efficientnet, "EfficientNetB0", dict(input_shape=(33, 35, 3), classes=5)),
    (efficientnet_v2, "EfficientNetV2B0", dict(include_top=False, input_shape=(32, 32, 3))),
    (convnext, "ConvNeXtTiny", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    (nasnet, "NASNetMobile", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
]


# Compiling these two graphs on JAX takes 10-20 s each (the suite must stay under 15
# minutes): their forward parity runs on the NumPy engine only. Their layer kinds are checked
# on JAX through the other families (Conv2D, SeparableConv2D, BatchNormalization, pooling,
# Concatenate, Add) and their structure on every engine in `test_structure_matches_keras`.
_NUMPY_ONLY = ("InceptionResNetV2", "NASNetMobile")


@pytest.mark.parametrize("module,fn,kwargs", FORWARD, ids=[f[1] for f in FORWARD])
def test_forward_and_weights_file_match_keras(zero_init, module, fn, kwargs, tmp_path, monkeypatch):
    """One variant per family, with one Keras model (the costly part) for all the checks: the
    same structure and outputs on every engine, and a legacy weights file written by Keras
    (the format of the ImageNet files, read by layer position) loads weight for weight."""
    ref, weights, x, expected = _reference(fn, kwargs)
    for name in ENGINES:
        if name == "jax" and fn in _NUMPY_ONLY:
            continue
        with _engine(name):
            model = getattr(module, fn)(weights=None, **kwargs)
            _assert_same_structure(model, ref)
            model.set_weights(weights)
            got = _run(model, x)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5, err_msg=name)

    legacy = importlib.import_module("keras.src.legacy.saving.legacy_h5_format")
    h5py = pytest.importorskip("h5py")
    if kwargs.get("include_top", True):  # the weights below the classifier (EfficientNet)
        with _keras_quirks():
            ref = keras.Model(ref.inputs, ref.get_layer("top_activation").output)
    values = [np.array(w.value) for w in ref.weights]
    path = tmp_path / _URLS[fn][0]
    with h5py.File(path, "w") as f, _keras_quirks():
        legacy.save_weights_to_hdf5_group(f, ref)
    calls = _stub_get_file(monkeypatch, path, _URLS[fn])
    model = getattr(module, fn)(weights="imagenet", **{**kwargs, "include_top": False})
    assert len(calls) == 1
    for got, want in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    if module is efficientnet:
        # The ImageNet variant divides once more by sqrt(std) after the Normalization.
        kinds = [type(layer).__name__ for layer in model.layers[1:4]]
        assert kinds == ["Rescaling", "Normalization", "Rescaling"]


# The FORWARD variants are compared in test_forward_matches_keras (same builds).
OTHER_MODELS = [
    m
    for m in reversed(ALL_MODELS)  # the biggest first
    if m[1] not in ("EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny", "NASNetMobile")
    # ConvNeXtLarge / XLarge are ConvNeXtBase with wider layers; building their 200-350M
    # weights (twice) takes most of this file's time
    and m[1] not in ("ConvNeXtLarge", "ConvNeXtXLarge")
    and m not in INCEPTION
]


@pytest.mark.parametrize("module,fn,size", OTHER_MODELS, ids=[m[1] for m in OTHER_MODELS])
def test_structure_matches_keras(zero_init, module, fn, size):
    kwargs = dict(include_top=False, input_shape=(size, size, 3))
    _assert_same_structure(getattr(module, fn)(weights=None, **kwargs), _keras_model(fn, **kwargs))


@pytest.mark.parametrize(
    "module,fn,kwargs",
    [
        (efficientnet_v2, "EfficientNetV2B0", dict(include_top=False, include_preprocessing=False)),
        (efficientnet_v2, "EfficientNetV2B1", dict(include_top=False, input_shape=(32, 40, 1))),
        (inception_v3, "InceptionV3", dict(input_shape=(80, 75, 3), classes=5)),
        (convnext, "ConvNeXtTiny", dict(input_shape=(32, 32, 3), classes=5)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_structure_other_options_match_keras(zero_init, module, fn, kwargs):
    kwargs.setdefault("input_shape", (32, 32, 3))
    _assert_same_structure(getattr(module, fn)(weights=None, **kwargs), _keras_model(fn, **kwargs))


# ---------------------------------------------------------------- preprocess / decode


@pytest.mark.parametrize("module", [inception_v3, inception_resnet_v2, nasnet])
@pytest.mark.parametrize("data_format", [None, "channels_first"])
def test_preprocess_input_matches_keras(module, data_format):
    ref = getattr(keras.applications, module.__name__.rsplit(".", 1)[1])
    x = np.random.default_rng(2).uniform(0, 255, size=(2, 3, 5, 3)).astype("float32")
    expected = ref.preprocess_input(x.copy(), data_format=data_format)
    got = module.preprocess_input(x.copy(), data_format=data_format)
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("module", [efficientnet, efficientnet_v2, convnext])
def test_preprocess_input_is_identity(module):
    x = np.arange(6.0).reshape(1, 1, 2, 3)
    assert module.preprocess_input(x) is x
    assert module.preprocess_input(x, data_format="channels_first") is x


def test_module_names_match_keras():
    for module in MODULES:
        name = module.__name__.rsplit(".", 1)[1]
        ref = importlib.import_module(f"keras.applications.{name}")
        public = {n for n in dir(ref) if not n.startswith("_")}
        assert public <= set(dir(module)), (name, public - set(dir(module)))
        for fn in public - {"decode_predictions", "preprocess_input"}:
            assert getattr(kerasx.applications, fn) is getattr(module, fn)


@pytest.mark.parametrize(
    "module", [efficientnet, efficientnet_v2, inception_v3, inception_resnet_v2]
)
def test_decode_predictions_matches_keras(module, tmp_path, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    calls = []

    def fake_get_file(fname=None, origin=None, **kwargs):
        calls.append((fname, origin, kwargs))
        return str(path)

    kutils = importlib.import_module("keras.src.applications.imagenet_utils")
    monkeypatch.setattr(kutils, "CLASS_INDEX", None)
    monkeypatch.setattr(kutils.file_utils, "get_file", fake_get_file)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(kerasx.utils, "get_file", fake_get_file)

    preds = np.random.default_rng(3).uniform(size=(2, 1000)).astype("float32")
    ref = getattr(keras.applications, module.__name__.rsplit(".", 1)[1])
    expected = ref.decode_predictions(preds, top=3)
    got = module.decode_predictions(preds, top=3)
    assert [[(a, b) for a, b, _ in row] for row in got] == [
        [(a, b) for a, b, _ in row] for row in expected
    ]
    np.testing.assert_allclose(
        [[s for *_, s in row] for row in got], [[s for *_, s in row] for row in expected]
    )
    assert calls[0][:2] == calls[-1][:2]  # the same file and URL for both libraries


# ---------------------------------------------------------------- ImageNet weights

_URLS = {
    "EfficientNetB0": (
        "efficientnetb0_notop.h5",
        "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5",
        "50bc09e76180e00e4465e1a485ddc09d",
    ),
    "EfficientNetV2B0": (
        "efficientnetv2-b0_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
        "efficientnetv2-b0_notop.h5",
        "893217f2bb855e2983157299931e43ff",
    ),
    "InceptionV3": (
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "bcbd6486424b2319ff4ef7d526e38f63",
    ),
    "InceptionResNetV2": (
        "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
        "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "d19885ff4a710c122648d3b5c3b684e4",
    ),
    "NASNetMobile": (
        "nasnet_mobile_no_top.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
        "NASNet-mobile-no-top.h5",
        "1ed92395b5b598bdda52abe5c0dbfd63",
    ),
    "ConvNeXtTiny": (
        "convnext_tiny_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
        "convnext_tiny_notop.h5",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
}
_URLS_TOP = {
    "EfficientNetB1": (
        "efficientnetb1.h5",
        "https://storage.googleapis.com/keras-applications/efficientnetb1.h5",
        "1d254153d4ab51201f1646940f018540",
    ),
    "EfficientNetV2S": (
        "efficientnetv2-s.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
        "efficientnetv2-s.h5",
        "e1d88a8495beba45748fedd0cecbe016",
    ),
    "InceptionV3": (
        "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
        "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        "9a0d58056eeedaa3f26cb7ebd46da564",
    ),
    "InceptionResNetV2": (
        "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
        "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
        "e693bd0210a403b3192acc6073ad2e96",
    ),
    "NASNetLarge": (
        "nasnet_large.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/NASNet-large.h5",
        "11577c9a518f0070763c2b964a382f17",
    ),
    "ConvNeXtSmall": (
        "convnext_small.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_small.h5",
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
    ),
}


def _stub_get_file(monkeypatch, path, expected):
    calls = []

    def fake_get_file(fname=None, origin=None, **kwargs):
        calls.append((fname, origin, kwargs))
        assert (fname, origin) == expected[:2]
        assert kwargs == {"cache_subdir": "models", "file_hash": expected[2]}
        return str(path)

    monkeypatch.setattr(kerasx.utils, "get_file", fake_get_file)
    return calls


@pytest.mark.parametrize(
    "module,fn",
    [
        (efficientnet, "EfficientNetB1"),
        (efficientnet_v2, "EfficientNetV2S"),
        (inception_v3, "InceptionV3"),
        (inception_resnet_v2, "InceptionResNetV2"),
        (convnext, "ConvNeXtSmall"),
        (nasnet, "NASNetLarge"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_imagenet_weights_with_top_use_keras_url_and_hash(
    zero_init, module, fn, tmp_path, monkeypatch
):
    """With the classifier: the other file (URL and hash as Keras's), loaded into the model."""
    fake = tmp_path / "weights.weights.h5"
    seen = []

    def load_weights(self, filepath, **kwargs):
        seen.append((self.name, str(filepath)))

    monkeypatch.setattr(kerasx.Model, "load_weights", load_weights)
    calls = _stub_get_file(monkeypatch, fake, _URLS_TOP[fn])
    model = getattr(module, fn)(weights="imagenet")
    assert len(calls) == 1 and seen == [(model.name, str(fake))]
    assert model.output.shape == (None, 1000)


def test_input_tensor_becomes_the_models_input(zero_init):
    source = kerasx.Input((75, 75, 3))
    x = kerasx.layers.Rescaling(0.5)(source)
    model = inception_v3.InceptionV3(weights=None, include_top=False, input_tensor=x)
    assert model.inputs[0] is source
    assert type(model.layers[1]).__name__ == "Rescaling"
    assert tuple(model.output.shape) == (None, 1, 1, 2048)


def test_weights_path_is_loaded(zero_init, tmp_path):
    src = efficientnet.EfficientNetB0(weights=None, include_top=False, input_shape=(32, 32, 3))
    values = _random_weights(src, seed=5)
    src.set_weights(values)
    path = tmp_path / "b0.weights.h5"
    src.save_weights(path)
    model = efficientnet.EfficientNetB0(weights=path, include_top=False, input_shape=(32, 32, 3))
    for got, want in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- argument checks

BAD_ARGUMENTS = [
    dict(weights="no/such/file.h5"),
    dict(weights="imagenet", classes=10),
    dict(weights="imagenet", input_shape=(64, 64, 3)),
    dict(weights=None, include_top=False, input_shape=(16, 16, 3)),
    dict(weights="imagenet", include_top=False, input_shape=(96, 96, 1)),
]


@pytest.mark.parametrize(
    "module,fn",
    [
        (efficientnet, "EfficientNetB0"),
        (efficientnet_v2, "EfficientNetV2S"),
        (inception_v3, "InceptionV3"),
        (inception_resnet_v2, "InceptionResNetV2"),
        (convnext, "ConvNeXtTiny"),
        (nasnet, "NASNetMobile"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_arguments_raise_like_keras_before_building(module, fn, monkeypatch):
    def no_download(*args, **kwargs):
        raise AssertionError("nothing should be downloaded")

    monkeypatch.setattr(kerasx.utils, "get_file", no_download)
    kutils = importlib.import_module("keras.src.utils.file_utils")
    monkeypatch.setattr(kutils, "get_file", no_download)
    for kwargs in BAD_ARGUMENTS:
        with pytest.raises(Exception) as expected, _keras_quirks():
            getattr(keras.applications, fn)(**kwargs)
        with pytest.raises(expected.type):
            getattr(module, fn)(**kwargs)
    # Keras checks the classifier activation only once the body is built (slow here); it
    # raises ValueError, as we do up front.
    with pytest.raises(ValueError, match="classifier_activation"):
        getattr(module, fn)(weights="imagenet", classifier_activation="relu")


@pytest.mark.parametrize("fn", ["ConvNeXtTiny", "NASNetMobile"])
def test_channels_first_is_refused_like_keras(fn):
    module = convnext if fn.startswith("ConvNeXt") else nasnet
    keras.config.set_image_data_format("channels_first")
    kerasx.config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError):
            getattr(keras.applications, fn)(weights=None)
        with pytest.raises(ValueError, match="channels_last"):
            getattr(module, fn)(weights=None)
    finally:
        keras.config.set_image_data_format("channels_last")
        kerasx.config.set_image_data_format("channels_last")


def test_convnext_imagenet_weights_need_the_variant_name(monkeypatch):
    monkeypatch.setattr(kerasx.utils, "get_file", None)  # nothing may be downloaded
    with pytest.raises(ValueError, match="convnext_tiny"):
        convnext.ConvNeXtTiny(include_top=False, name="my_model")

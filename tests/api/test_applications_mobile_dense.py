"""keras.applications group B (MobileNet, MobileNetV2, MobileNetV3, DenseNet, Xception)
against real Keras.

Structure (layer names and classes, weight names / shapes / order, parameter count, model
name) for every model function, forward parity with the same weights in both models for one
variant per family on every engine, the preprocessing and decoding functions, the
imagenet-weights path (get_file patched: exact file name, URL, hash and cache; a legacy
`.h5` file written from the Keras model; no network) and argument errors.
"""

import inspect
import json

import h5py
import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")

# Keras's NumPy backend reads its variables with np.asarray(copy=False) inside its conv ops.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

from keras.src.applications import imagenet_utils as k_iu  # noqa: E402

from kerasx.applications import (  # noqa: E402
    _model_helpers,
    densenet,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    xception,
)
from kerasx.applications import imagenet_utils as iu  # noqa: E402

MODULES = {
    "mobilenet": mobilenet,
    "mobilenet_v2": mobilenet_v2,
    "mobilenet_v3": mobilenet_v3,
    "densenet": densenet,
    "xception": xception,
}
FUNCTIONS = {
    "MobileNet": mobilenet,
    "MobileNetV2": mobilenet_v2,
    "MobileNetV3Small": mobilenet_v3,
    "MobileNetV3Large": mobilenet_v3,
    "DenseNet121": densenet,
    "DenseNet169": densenet,
    "DenseNet201": densenet,
    "Xception": xception,
}


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _build_pair(fn, **kw):
    """The Keras model and ours for the same arguments, each from fresh name counters (so the
    automatic layer names agree)."""
    keras.backend.clear_session()
    kerasx.backend.clear_session()
    theirs = getattr(keras.applications, fn)(**kw)
    ours = getattr(FUNCTIONS[fn], fn)(**kw)
    return theirs, ours


def _assert_same_structure(theirs, ours):
    assert ours.name == theirs.name
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers]
    assert [type(l).__name__ for l in ours.layers] == [type(l).__name__ for l in theirs.layers]
    assert [(w.path, tuple(w.shape)) for w in ours.weights] == [
        (w.path, tuple(w.shape)) for w in theirs.weights
    ]
    assert len(ours.trainable_weights) == len(theirs.trainable_weights)
    assert ours.count_params() == theirs.count_params()
    assert tuple(ours.output.shape) == tuple(theirs.output.shape)


def _random_weights(model, seed=0):
    """Random values for every weight, scaled so activations stay of order one through the
    whole network (float32 round-off then stays far below the 1e-5 tolerance)."""
    rng = np.random.default_rng(seed)
    values = []
    for w in model.weights:
        shape, path = tuple(w.shape), w.path
        if path.endswith("gamma"):
            v = rng.uniform(0.25, 0.5, shape)
        elif path.endswith(("beta", "moving_mean", "bias")):
            v = rng.normal(0.0, 0.1, shape)
        elif path.endswith("moving_variance"):
            v = rng.uniform(1.0, 2.0, shape)
        else:
            fan_in = int(np.prod(shape[:2] if "depthwise" in path else shape[:-1]))
            v = rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
        values.append(v.astype("float32"))
    return values


# ------------------------------------------------------------------ module surface


@pytest.mark.parametrize("module", sorted(MODULES))
def test_public_names_and_signatures_match_keras(module):
    import importlib

    theirs = importlib.import_module(f"keras.applications.{module}")
    ours = MODULES[module]
    public = sorted(n for n in dir(theirs) if not n.startswith("_"))
    for name in public:
        assert hasattr(ours, name), name
        assert inspect.signature(getattr(ours, name)).parameters.keys() == (
            inspect.signature(getattr(theirs, name)).parameters.keys()
        )
    # Keras's public mobilenet_v3 module lists only preprocess_input and decode_predictions;
    # its two models are in `keras.applications` (and live in this module, as in Keras's
    # source).
    extra = {"MobileNetV3Small", "MobileNetV3Large"} if module == "mobilenet_v3" else set()
    assert set(ours.__all__) == set(public) | extra


@pytest.mark.parametrize("fn", sorted(FUNCTIONS))
def test_model_function_signature_matches_keras(fn):
    theirs = inspect.signature(getattr(keras.applications, fn))
    ours = inspect.signature(getattr(FUNCTIONS[fn], fn))
    assert [(p.name, p.default, p.kind) for p in ours.parameters.values()] == [
        (p.name, p.default, p.kind) for p in theirs.parameters.values()
    ]
    assert getattr(kerasx.applications, fn) is getattr(FUNCTIONS[fn], fn)
    assert getattr(FUNCTIONS[fn], fn).__doc__


# ------------------------------------------------------------------ structure


STRUCTURE_CASES = [
    ("MobileNet", dict(input_shape=(32, 32, 3), include_top=False, alpha=0.5, depth_multiplier=2)),
    ("MobileNetV2", dict(input_shape=(32, 32, 3), classes=10, alpha=1.3)),
    ("MobileNetV3Small", dict(input_shape=(32, 32, 3), include_top=False, minimalistic=True)),
    ("MobileNetV3Large", dict(minimalistic=True, include_preprocessing=False, dropout_rate=0.0)),
    ("DenseNet169", dict(input_shape=(32, 32, 3), include_top=False)),
    ("DenseNet201", dict(input_shape=(32, 32, 3), include_top=False, pooling="avg")),
]


@pytest.mark.parametrize(
    "fn,kw", STRUCTURE_CASES, ids=[f"{fn}-{i}" for i, (fn, _) in enumerate(STRUCTURE_CASES)]
)
def test_structure_matches_keras(fn, kw):
    theirs, ours = _build_pair(fn, weights=None, **kw)
    _assert_same_structure(theirs, ours)


# ------------------------------------------------------------------ forward parity

# One variant per family, the smallest each allows; the classifier, "avg" and "max" pooling
# and no pooling are all covered. DenseNet runs its shared builder (Keras's `DenseNet(blocks)`)
# with one conv block per dense block: the same layers as DenseNet121 (whose structure the
# imagenet test checks), at a fraction of the cost.
FORWARD_CASES = {
    "MobileNet": dict(input_shape=(32, 32, 3), alpha=0.25, classes=10, classifier_activation=None),
    "MobileNetV2": dict(input_shape=(32, 32, 3), alpha=0.35, include_top=False, pooling="avg"),
    "MobileNetV3Small": dict(input_shape=(32, 32, 3), alpha=0.75, classes=10),
    "DenseNet": dict(
        blocks=[1, 1, 1, 1], input_shape=(32, 32, 3), include_top=False, pooling="max"
    ),
    "Xception": dict(input_shape=(71, 71, 3), include_top=False),
}
_REFERENCE: dict = {}


def _builders(fn):
    """Keras's model function and ours for a forward case."""
    if fn == "DenseNet":
        from keras.src.applications import densenet as k_densenet

        return k_densenet.DenseNet, densenet._densenet
    return getattr(keras.applications, fn), getattr(FUNCTIONS[fn], fn)


def _keras_reference(fn):
    """(model, weights, input, output) of Keras for `fn`'s forward case, once per process."""
    if fn not in _REFERENCE:
        keras.backend.clear_session()
        kw = FORWARD_CASES[fn]
        model = _builders(fn)[0](weights=None, **kw)
        values = _random_weights(model)
        model.set_weights(values)
        # MobileNetV3 rescales [0, 255] itself; the others take preprocessed input.
        low, high = (0.0, 255.0) if fn.startswith("MobileNetV3") else (-1.0, 1.0)
        x = np.random.default_rng(1).uniform(low, high, (2, *kw["input_shape"]))
        x = x.astype("float32")
        expected = np.asarray(model(x, training=False))
        _REFERENCE[fn] = (model, values, x, expected)
    return _REFERENCE[fn]


@pytest.fixture
def fast_jax_init(engine, monkeypatch):
    """On JAX, draw the initial weights as zeros put on the device: each new weight shape
    would otherwise compile its own jax.random kernel (~0.1-0.3 s each, most of the cost of
    building these models), and the values are replaced by `set_weights` anyway."""
    if engine != "jax":
        return
    import jax

    from kerasx import random as kx_random

    def draw(shape, *args, dtype=None, seed=None, **kwargs):
        return jax.device_put(np.zeros(tuple(shape), dtype or "float32"))

    for name in ("uniform", "normal", "truncated_normal"):
        monkeypatch.setattr(kx_random, name, draw)


@pytest.mark.parametrize("fn", sorted(FORWARD_CASES))
def test_forward_matches_keras(engine, fast_jax_init, fn):
    theirs, values, x, expected = _keras_reference(fn)
    kerasx.backend.clear_session()
    ours = _builders(fn)[1](weights=None, **FORWARD_CASES[fn])
    _assert_same_structure(theirs, ours)
    ours.set_weights(values)
    got = ours.predict(x, batch_size=2, verbose=0)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------ preprocess / decode


@pytest.mark.parametrize("module", sorted(MODULES))
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_preprocess_input_matches_keras(engine, module, data_format):
    from kerasx import ops

    theirs = getattr(keras.applications, module).preprocess_input
    ours = MODULES[module].preprocess_input
    shape = (2, 4, 5, 3) if data_format == "channels_last" else (2, 3, 4, 5)
    x = np.random.default_rng(0).uniform(0, 255, size=shape).astype("float32")
    expected = theirs(x.copy(), data_format=data_format)
    np.testing.assert_allclose(ours(x.copy(), data_format=data_format), expected, rtol=1e-6)
    got = ours(ops.convert_to_tensor(x), data_format=data_format)
    np.testing.assert_allclose(ops.convert_to_numpy(got), expected, rtol=1e-6, atol=1e-4)
    if data_format == "channels_last":  # the default is the global format
        np.testing.assert_allclose(ours(x[:1].copy()), theirs(x[:1].copy()), rtol=1e-6)


@pytest.fixture
def class_index(tmp_path, monkeypatch):
    """A local ImageNet class index, served to both libraries by patched `get_file`s."""
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    calls = []

    def fake_get_file(fname=None, origin=None, **kwargs):
        calls.append((fname, origin, kwargs.get("cache_subdir")))
        return str(path)

    monkeypatch.setattr(kerasx.utils, "get_file", fake_get_file)
    monkeypatch.setattr(iu, "CLASS_INDEX", None)
    monkeypatch.setattr(k_iu.file_utils, "get_file", fake_get_file)
    monkeypatch.setattr(k_iu, "CLASS_INDEX", None)
    return calls


@pytest.mark.parametrize("module", sorted(MODULES))
def test_decode_predictions_matches_keras(class_index, module):
    preds = np.random.default_rng(0).uniform(size=(3, 1000)).astype("float32")
    expected = getattr(keras.applications, module).decode_predictions(preds, top=4)
    got = MODULES[module].decode_predictions(preds, top=4)
    assert [[(a, b) for a, b, _ in row] for row in got] == [
        [(a, b) for a, b, _ in row] for row in expected
    ]
    np.testing.assert_allclose(
        [[s for *_, s in r] for r in got], [[s for *_, s in r] for r in expected]
    )
    assert class_index[0][0] == "imagenet_class_index.json"
    assert class_index[0][2] == "models"
    with pytest.raises(ValueError):
        MODULES[module].decode_predictions(preds[:, :10])


# ------------------------------------------------------------------ imagenet weights


def _write_legacy_h5(path, model):
    """The model's weights in the legacy HDF5 layout of the `keras.applications` files:
    root attribute `layer_names`, and per layer its `weight_names` and datasets."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([l.name.encode() for l in model.layers])
        for layer in model.layers:
            g = f.create_group(layer.name)
            names = [f"{layer.name}/{w.name}:0" for w in layer.weights]
            g.attrs["weight_names"] = np.array([n.encode() for n in names], dtype="S")
            for n, w in zip(names, layer.weights):
                g.create_dataset(n, data=np.asarray(w.numpy()))


_APP = "https://storage.googleapis.com/tensorflow/keras-applications/"
IMAGENET_CASES = [
    (
        "MobileNet",
        dict(include_top=False, alpha=0.25, input_shape=(128, 128, 3)),
        "mobilenet_2_5_128_tf_no_top.h5",
        _APP + "mobilenet/mobilenet_2_5_128_tf_no_top.h5",
        None,
    ),
    (
        "MobileNetV2",
        dict(include_top=False, alpha=0.35, input_shape=(96, 96, 3)),
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5",
        _APP + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5",
        None,
    ),
    (
        "MobileNetV3Small",
        dict(include_top=False, minimalistic=True, input_shape=(224, 224, 3)),
        "weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5",
        _APP + "mobilenet_v3/weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5",
        "cde8136e733e811080d9fcd8a252f7e4",
    ),
    (
        "MobileNetV3Large",
        dict(input_shape=(224, 224, 3), alpha=0.75),
        "weights_mobilenet_v3_large_224_0.75_float.h5",
        _APP + "mobilenet_v3/weights_mobilenet_v3_large_224_0.75_float.h5",
        "765b44a33ad4005b3ac83185abf1d0eb",
    ),
    (
        "DenseNet121",
        dict(include_top=False, input_shape=(32, 32, 3)),
        "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _APP + "densenet/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "30ee3e1110167f948a6b9946edeeb738",
    ),
    (
        "Xception",
        dict(),
        "xception_weights_tf_dim_ordering_tf_kernels.h5",
        _APP + "xception/xception_weights_tf_dim_ordering_tf_kernels.h5",
        "0a58e3b7378bc2990ea3b43d5981f1f6",
    ),
]


@pytest.mark.parametrize(
    "fn,kw,fname,origin,file_hash", IMAGENET_CASES, ids=[c[0] for c in IMAGENET_CASES]
)
def test_imagenet_weights_are_fetched_and_loaded(
    tmp_path, monkeypatch, fn, kw, fname, origin, file_hash
):
    keras.backend.clear_session()
    theirs = getattr(keras.applications, fn)(weights=None, **kw)
    values = theirs.get_weights()  # Keras's random initial values
    path = str(tmp_path / fname)
    _write_legacy_h5(path, theirs)
    calls = []

    def fake_get_file(fname=None, origin=None, **kwargs):
        calls.append((fname, origin, kwargs))
        return path

    monkeypatch.setattr(kerasx.utils, "get_file", fake_get_file)
    kerasx.backend.clear_session()
    ours = getattr(FUNCTIONS[fn], fn)(weights="imagenet", **kw)
    assert calls == [(fname, origin, {"cache_subdir": "models", "file_hash": file_hash})]
    _assert_same_structure(theirs, ours)
    for got, want in zip(ours.get_weights(), values):
        np.testing.assert_array_equal(got, want)


def test_weights_path_loads_that_file(tmp_path):
    kw = FORWARD_CASES["MobileNet"]
    theirs, values, _, _ = _keras_reference("MobileNet")
    path = str(tmp_path / "my_weights.h5")
    _write_legacy_h5(path, theirs)
    ours = mobilenet.MobileNet(weights=path, **kw)
    for got, want in zip(ours.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    # A Keras-3 `.weights.h5` file saved by Keras loads too.
    path3 = str(tmp_path / "theirs.weights.h5")
    theirs.save_weights(path3)
    ours = mobilenet.MobileNet(weights=path3, **kw)
    for got, want in zip(ours.get_weights(), values):
        np.testing.assert_array_equal(got, want)


def test_imagenet_size_fallback_warns_like_keras(tmp_path, monkeypatch):
    """A size without ImageNet weights loads the 224 file, with a warning (as Keras)."""
    calls = []

    def fake_get_file(fname=None, origin=None, **kwargs):
        calls.append(fname)
        raise RuntimeError("stop before loading")

    monkeypatch.setattr(kerasx.utils, "get_file", fake_get_file)
    with pytest.warns(UserWarning, match="224"), pytest.raises(RuntimeError):
        mobilenet.MobileNet(weights="imagenet", include_top=False, input_shape=(100, 100, 3))
    with pytest.warns(UserWarning, match="224"), pytest.raises(RuntimeError):
        mobilenet_v2.MobileNetV2(weights="imagenet", include_top=False, alpha=0.5)
    assert calls == [
        "mobilenet_1_0_224_tf_no_top.h5",
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5",
    ]


# ------------------------------------------------------------------ argument errors


BAD_ARGUMENTS = [
    ("MobileNet", dict(weights="no_such_file")),
    ("MobileNet", dict(weights="imagenet", classes=10)),
    ("MobileNet", dict(weights="imagenet", include_top=False, depth_multiplier=2)),
    ("MobileNet", dict(weights="imagenet", include_top=False, alpha=0.3)),
    ("MobileNet", dict(weights=None, include_top=False, input_shape=(31, 31, 3))),
    ("MobileNet", dict(weights="imagenet", input_shape=(100, 100, 3))),
    ("MobileNet", dict(weights=None, input_shape=(None, None, 3))),
    ("MobileNetV2", dict(weights="no_such_file")),
    ("MobileNetV2", dict(weights="imagenet", classes=10)),
    ("MobileNetV2", dict(weights="imagenet", include_top=False, alpha=0.6)),
    ("MobileNetV2", dict(weights=None, input_tensor=np.zeros((1, 32, 32, 3), "float32"))),
    ("MobileNetV3Small", dict(weights="no_such_file")),
    ("MobileNetV3Small", dict(weights="imagenet", classes=10)),
    ("MobileNetV3Small", dict(weights=None, input_shape=(16, 16, 3))),
    ("MobileNetV3Small", dict(weights="imagenet", alpha=0.5)),
    ("MobileNetV3Large", dict(weights="imagenet", alpha=0.75, minimalistic=True)),
    ("DenseNet121", dict(weights="no_such_file")),
    ("DenseNet169", dict(weights="imagenet", classes=10)),
    ("DenseNet201", dict(weights=None, include_top=False, input_shape=(32, 32, 3, 1))),
    ("Xception", dict(weights="no_such_file")),
    ("Xception", dict(weights="imagenet", classes=10)),
    ("Xception", dict(weights=None, include_top=False, input_shape=(64, 64, 3))),
]


@pytest.mark.parametrize(
    "fn,kw", BAD_ARGUMENTS, ids=[f"{fn}-{i}" for i, (fn, _) in enumerate(BAD_ARGUMENTS)]
)
def test_bad_arguments_raise_like_keras_before_building(monkeypatch, fn, kw):
    with pytest.raises(ValueError):
        getattr(keras.applications, fn)(**kw)

    def no_building(*args, **kwargs):
        raise AssertionError("the model was being built before the arguments were checked")

    monkeypatch.setattr(_model_helpers, "image_input", no_building)
    with pytest.raises(ValueError) as info:
        getattr(FUNCTIONS[fn], fn)(**kw)
    assert "Received" in str(info.value)


def test_mobilenet_v3_rejects_non_symbolic_input_tensor():
    # (Keras fails here with a TypeError from inside its shape logic.)
    with pytest.raises(ValueError, match="input_tensor"):
        mobilenet_v3.MobileNetV3Large(weights=None, input_tensor=np.zeros((1, 32, 32, 3)))


def test_mobilenet_v2_input_shape_must_agree_with_input_tensor():
    kw = dict(weights=None, include_top=False, input_shape=(32, 40, 3))
    with pytest.raises(ValueError):
        keras.applications.MobileNetV2(input_tensor=keras.Input((32, 32, 3)), **kw)
    with pytest.raises(ValueError, match="disagree"):
        mobilenet_v2.MobileNetV2(input_tensor=kerasx.Input((32, 32, 3)), **kw)


def test_densenet_refuses_channels_first():
    for lib in (keras, kerasx):
        before = lib.config.image_data_format()
        lib.config.set_image_data_format("channels_first")
        try:
            mod = keras.applications if lib is keras else densenet
            with pytest.raises(ValueError, match="channels_first"):
                mod.DenseNet121(weights=None, include_top=False, input_shape=(3, 32, 32))
        finally:
            lib.config.set_image_data_format(before)


def test_classifier_activation_must_suit_pretrained_weights(tmp_path):
    # Checked while building, as in Keras (a weights file path counts as pretrained).
    path = tmp_path / "w.h5"
    path.write_bytes(b"")
    for lib in (keras.applications, mobilenet_v3):
        with pytest.raises(ValueError):
            lib.MobileNetV3Small(
                weights=str(path), input_shape=(32, 32, 3), classifier_activation="relu"
            )


def test_input_tensor_is_used_and_sets_the_size():
    for fn in ("MobileNetV2", "MobileNetV3Small"):
        keras.backend.clear_session()
        theirs_in = keras.Input((64, 64, 3), name="image")
        theirs = getattr(keras.applications, fn)(
            weights=None, input_tensor=keras.layers.Rescaling(0.5)(theirs_in), include_top=False
        )
        kerasx.backend.clear_session()
        ours_in = kerasx.Input((64, 64, 3), name="image")
        ours = getattr(FUNCTIONS[fn], fn)(
            weights=None, input_tensor=kerasx.layers.Rescaling(0.5)(ours_in), include_top=False
        )
        assert ours.inputs[0] is ours_in
        _assert_same_structure(theirs, ours)

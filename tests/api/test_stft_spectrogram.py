"""STFTSpectrogram: run_layer_test on every engine, Keras parity (every mode, both data
formats, expand_dims, frame/FFT/window settings), gradients to the kernels, bad arguments."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test

MODES = ["log", "magnitude", "psd", "real", "imag", "angle", "stft"]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _signal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize(
    "kwargs, input_shape, output_shape, n_weights",
    [
        ({"frame_length": 8, "frame_step": 4}, (2, 32, 1), (2, 7, 5), 2),
        (
            {"mode": "psd", "frame_length": 6, "fft_length": 16, "padding": "same"},
            (2, 20, 2),
            (2, 7, 18),
            2,
        ),
        (
            {"mode": "real", "frame_length": 8, "expand_dims": True, "window": "hamming"},
            (2, 24, 3),
            (2, 5, 5, 3),
            1,
        ),
        (
            {"mode": "stft", "frame_length": 4, "data_format": "channels_first"},
            (2, 2, 16),
            (2, 12, 7),
            2,
        ),
        (
            {
                "mode": "magnitude",
                "frame_length": 4,
                "frame_step": 1,
                "window": [0.2, 1.0, 1.0, 0.2],
                "data_format": "channels_first",
                "expand_dims": True,
            },
            (2, 2, 10),
            (2, 2, 7, 3),
            2,
        ),
    ],
)
def test_run_layer_test(engine, kwargs, input_shape, output_shape, n_weights):
    run_layer_test(
        layers.STFTSpectrogram,
        kwargs,
        input_shape=input_shape,
        expected_output_shape=output_shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=n_weights,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        rtol=1e-4,
        atol=1e-5,
    )


# (frame/fft/window settings, input time length); every setting is run for every mode, data
# format and expand_dims value.
SETTINGS = [
    ({"frame_length": 8, "frame_step": 3}, 30),
    ({"frame_length": 7, "fft_length": 16, "padding": "same", "window": "hamming"}, 23),
    ({"frame_length": 8, "periodic": True, "scaling": "spectrum"}, 24),
    ({"frame_length": 6, "window": None, "frame_step": 6}, 25),
    (
        {"frame_length": 5, "window": [0.1, 0.5, 1.0, 0.5, 0.1], "scaling": None},
        20,
    ),
]


LAYOUTS = [
    ("channels_last", False),
    ("channels_first", False),
    ("channels_last", True),
    ("channels_first", True),
]


@pytest.mark.parametrize("mode", MODES)
def test_keras_parity(engine, mode):
    """Every setting once per mode; the data format / expand_dims layout rotates so that every
    mode meets all four layouts and every setting meets several."""
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    shift = MODES.index(mode)
    for i, (setting, time) in enumerate(SETTINGS):
        data_format, expand_dims = LAYOUTS[(i + shift) % len(LAYOUTS)]
        x = _signal((2, time, 1 + (i + shift) % 3), seed=i)
        if data_format == "channels_first":
            x = np.ascontiguousarray(x.swapaxes(1, 2))
        kwargs = dict(setting, mode=mode, data_format=data_format, expand_dims=expand_dims)
        assert_matches_keras("STFTSpectrogram", kwargs, x, rtol=1e-4, atol=1e-5)


def test_keras_parity_defaults_and_weights(engine):
    keras = pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    x = _signal((1, 600, 2))
    assert_matches_keras("STFTSpectrogram", {}, x, rtol=1e-4, atol=1e-5)
    # Same kernels as Keras (not only after set_weights): names, values, trainability.
    for kwargs in ({}, {"mode": "imag", "frame_length": 6, "trainable": False}):
        ours, theirs = layers.STFTSpectrogram(**kwargs), keras.layers.STFTSpectrogram(**kwargs)
        ours.build((None, 600, 2))
        theirs.build((None, 600, 2))
        assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
        assert len(ours.trainable_weights) == len(theirs.trainable_weights)
        for a, w in zip(ours.get_weights(), theirs.weights):
            b = keras.ops.convert_to_numpy(w.value)
            np.testing.assert_allclose(a, b, atol=1e-5)  # Keras rounds phases in float32


def test_shapes_and_symbolic(engine):
    layer = layers.STFTSpectrogram(frame_length=8, frame_step=2)
    assert layer.compute_output_shape((None, None, 3)) == (None, None, 15)
    assert layer.compute_output_shape((None, 20, 3)) == (None, 7, 15)
    same = layers.STFTSpectrogram(frame_length=8, frame_step=3, padding="same", mode="stft")
    assert same.compute_output_shape((4, 20, 2)) == (4, 7, 20)
    out = layers.STFTSpectrogram(frame_length=8, expand_dims=True)(kerasx.Input((None, 2)))
    assert tuple(out.shape) == (None, None, 5, 2)


def test_gradients_reach_kernels(engine):
    layer = layers.STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=4)
    model = kerasx.Sequential([kerasx.Input((32, 1)), layer])
    model.compile(optimizer="sgd", loss="mse")
    before = [np.array(w) for w in layer.get_weights()]
    model.fit(_signal((4, 32, 1)), np.zeros((4, 7, 5), "float32"), epochs=1, verbose=0)
    after = layer.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before, after))


def test_non_power_of_two_fft_warns():
    with pytest.warns(UserWarning, match="power of two"):
        layers.STFTSpectrogram(frame_length=6, fft_length=12)


def test_integer_input_raises_type_error():
    with pytest.raises(TypeError, match="input type"):
        layers.STFTSpectrogram(frame_length=4)(np.zeros((1, 8, 1), "int32"))


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"mode": "spectrum"}, "mode"),
        ({"mode": "LOG"}, "mode"),
        ({"scaling": "energy"}, "scaling"),
        ({"padding": "causal"}, "padding"),
        ({"frame_length": 0}, "frame_length"),
        ({"frame_length": 2.5}, "frame_length"),
        ({"frame_step": 0}, "frame_step"),
        ({"frame_length": 8, "frame_step": 9}, "frame_step"),
        ({"frame_length": 8, "fft_length": 4}, "fft_length"),
        ({"window": "no_such_window"}, "window"),
        ({"frame_length": 4, "window": [1.0, 2.0, 3.0]}, "window"),
        ({"data_format": "channels_middle"}, "data_format"),
    ],
)
def test_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=f"`{argument}`") as info:
        layers.STFTSpectrogram(**kwargs)
    assert "Received" in str(info.value)

"""kerasx.testing.run_layer_test: it passes on correct layers and catches broken ones."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def test_dense(engine):
    run_layer_test(
        layers.Dense,
        {"units": 3, "activation": "relu"},
        input_shape=(4, 5),
        expected_output_shape=(4, 3),
        expected_output_dtype="float32",
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
    )


def test_dropout_and_masking(engine):
    run_layer_test(
        layers.Dropout,
        {"rate": 0.5, "seed": 1},
        input_shape=(3, 4, 2),
        expected_output_shape=(3, 4, 2),
        expected_num_seed_generators=1,
        supports_masking=True,
        expected_mask_shape=(3, 4),
        run_training_check=False,
    )


def test_multiple_inputs(engine):
    run_layer_test(
        layers.Concatenate,
        {"axis": -1},
        input_shape=[(2, 3), (2, 4)],
        expected_output_shape=(2, 7),
    )


def test_expected_values(engine):
    x = np.arange(6, dtype="float32").reshape(2, 3)
    run_layer_test(layers.Flatten, {}, input_data=x[:, :, None], expected_output=x)


class _WrongShape(layers.Layer):
    def call(self, x):
        return kerasx.ops.concatenate([x, x], axis=-1)

    def compute_output_shape(self, shape):
        return shape


class _DeadWeight(layers.Layer):
    def build(self, shape):
        self.w = self.add_weight(shape=(shape[-1],), initializer="ones")
        self.unused = self.add_weight(shape=(1,), initializer="ones")

    def call(self, x):
        return x * self.w


def test_catches_wrong_compute_output_shape(engine):
    with pytest.raises(AssertionError, match="compute_output_shape"):
        run_layer_test(_WrongShape, {}, input_shape=(2, 3))


def test_catches_weights_without_gradient(engine):
    with pytest.raises(AssertionError, match="unchanged"):
        run_layer_test(_DeadWeight, {}, input_shape=(2, 3))


def test_catches_wrong_counts_and_shapes(engine):
    with pytest.raises(AssertionError, match="trainable weights"):
        run_layer_test(
            layers.Dense, {"units": 2}, input_shape=(2, 3), expected_num_trainable_weights=1
        )
    with pytest.raises(AssertionError, match="shape"):
        run_layer_test(layers.Dense, {"units": 2}, input_shape=(2, 3), expected_output_shape=(2, 3))


def test_parity_helper_against_keras(engine):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    assert_matches_keras("Dense", {"units": 2, "activation": "tanh"}, x)

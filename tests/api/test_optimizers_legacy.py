"""kerasx.optimizers.legacy: Keras 2 optimizer names that raise ImportError, as in Keras 3."""

from __future__ import annotations

import pytest

import kerasx

NAMES = ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"]


def test_every_name_raises_import_error():
    legacy = kerasx.optimizers.legacy
    assert len({getattr(legacy, n) for n in NAMES}) == 1  # one class, as in Keras
    for name in NAMES:
        with pytest.raises(ImportError, match="not supported in Keras 3"):
            getattr(legacy, name)(learning_rate=0.1)


def test_matches_keras():
    keras = pytest.importorskip("keras")
    for name in NAMES:
        with pytest.raises(ImportError):
            getattr(keras.optimizers.legacy, name)()

"""`kerasx.engine.tree`: flatten / pack round trips, and no reference cycles (leaves are freed
as soon as the caller drops them, not at the garbage collector's next pass)."""

import gc
import weakref
from collections import namedtuple

import numpy as np
import pytest

import kerasx
from kerasx.engine import tree

Pair = namedtuple("Pair", ["a", "b"])


class _Leaf:
    pass


def test_flatten_and_pack_round_trip_in_sorted_key_order():
    structure = {"b": [1, (2, 3)], "a": Pair(4, {"y": 5, "x": 6})}
    flat = tree.flatten(structure)
    assert flat == [4, 6, 5, 1, 2, 3]
    assert tree.pack_sequence_as(structure, flat) == structure
    with pytest.raises(ValueError, match="more leaves"):
        tree.pack_sequence_as([0, 0], [1, 2, 3])


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def test_flatten_and_pack_leave_no_reference_cycles(no_gc):
    leaf = _Leaf()
    ref = weakref.ref(leaf)
    flat = tree.flatten({"a": [leaf, (1, 2)]})
    packed = tree.pack_sequence_as({"a": [0, (0, 0)]}, flat)
    assert packed["a"][0] is leaf
    del leaf, flat, packed
    assert ref() is None


def test_a_training_step_frees_its_arrays_without_the_garbage_collector(no_gc):
    """Intermediate arrays of a step die by reference counting (a cycle would keep large
    arrays alive until the collector runs, inflating peak memory)."""
    model = kerasx.Sequential([kerasx.Input((3,)), kerasx.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    x = np.ones((4, 3), "float32")
    model.fit(x, np.ones((4, 2), "float32"), batch_size=4, epochs=1, verbose=0)
    gc.collect()
    for _ in range(3):
        model.fit(x, np.ones((4, 2), "float32"), batch_size=4, epochs=1, verbose=0)
    assert gc.collect() < 20, "fit left reference cycles behind"

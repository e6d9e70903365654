"""Aligned staging of host batches (kerasx/trainers/batch_staging.py)."""

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.trainers.batch_staging import (
    MAX_STACKED_BYTES,
    MIN_STAGED_BYTES,
    BatchStager,
    StackStager,
    aligned_empty,
)


class _Engine:
    """Records what the stager waits for."""

    def __init__(self):
        self.waited = []

    def wait(self, tree):
        self.waited.append(tree)


def _unaligned(rows, cols=1024, seed=0):
    raw = np.random.default_rng(seed).normal(size=rows * cols + 4).astype("float32")
    a = raw[1 : 1 + rows * cols].reshape(rows, cols)  # 4 bytes past an aligned start at best
    assert a.ctypes.data % 64 != 0
    return a


def test_aligned_empty_is_aligned_and_shaped():
    for shape, dtype in [((3, 5), "float32"), ((7,), "int64"), ((2, 3, 4), "float64")]:
        a = aligned_empty(shape, dtype, 64)
        assert a.shape == shape and a.dtype == np.dtype(dtype) and a.flags.c_contiguous
        assert a.ctypes.data % 64 == 0


def test_stager_copies_unaligned_batches_into_recycled_aligned_buffers():
    eng = _Engine()
    stager = BatchStager(eng, 64, depth=2)
    assert _unaligned(64).nbytes >= MIN_STAGED_BYTES  # 256 KiB: staged
    y = np.arange(64)  # small: passed through
    seen = []
    for step in range(5):
        xs = _unaligned(64, seed=step)
        staged = stager.stage((xs, y, None))
        assert staged[1] is y and staged[2] is None
        assert staged[0] is not xs and staged[0].ctypes.data % 64 == 0
        np.testing.assert_array_equal(staged[0], xs)
        seen.append(staged[0].ctypes.data)
        stager.mark(f"step {step}")
    # two slots in turn; a slot is refilled only after waiting for the step that read it
    assert seen[0] == seen[2] == seen[4] and seen[1] == seen[3] and seen[0] != seen[1]
    assert eng.waited == ["step 0", "step 1", "step 2"]


def test_stager_leaves_aligned_and_other_batches_alone():
    eng = _Engine()
    stager = BatchStager(eng, 64)
    a = aligned_empty((64, 1024), "float32", 64)
    assert stager.stage((a,))[0] is a
    nested = ({"x": _unaligned(64)},)
    assert stager.stage(nested) is nested
    assert stager.stage([a]) == [a]
    assert eng.waited == []


def test_fit_with_staged_batches_matches_unstaged_on_jax(monkeypatch):
    pytest.importorskip("jax")
    config.set_backend("jax")
    try:
        from kerasx.engine import dispatch

        if not getattr(dispatch.engine(), "host_batch_alignment", None):
            pytest.skip("JAX's default device copies host batches (an accelerator): no staging")
        # one step per call: the batches go through `BatchStager` (blocks of steps stack them
        # instead: tests/api/test_step_blocks.py)
        monkeypatch.setattr(type(dispatch.engine()), "fused_steps", 1)
        rng = np.random.default_rng(1)
        x = _unaligned(384, cols=256, seed=2)  # batches of 128 rows: 128 KiB each
        y = rng.integers(0, 4, size=(384,))

        def train(stage):
            model = kerasx.Sequential(
                [
                    kerasx.Input((256,)),
                    kerasx.layers.Dense(8, activation="relu"),
                    kerasx.layers.Dense(4, activation="softmax"),
                ]
            )
            model.set_weights(
                [
                    np.full(w.shape, 0.01 * (i + 1), "float32")
                    for i, w in enumerate(model.get_weights())
                ]
            )
            model.compile(
                optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
            )
            if not stage:
                model._batch_stager = lambda kind: None
            else:
                assert model._batch_stager("train") is not None
            hist = model.fit(x, y, batch_size=128, epochs=3, shuffle=False, verbose=0)
            ev = model.evaluate(x, y, batch_size=128, verbose=0)
            return hist.history, ev, model.get_weights()

        h1, e1, w1 = train(True)
        h2, e2, w2 = train(False)
        assert h1 == h2 and e1 == e2
        for a, b in zip(w1, w2):
            np.testing.assert_array_equal(a, b)
    finally:
        config.set_backend("numpy")


def test_only_batches_with_a_large_array_are_staged():
    small = np.zeros((32, 784), "float32")  # 100 KiB
    assert not BatchStager.applies((small, np.zeros(32)))
    assert BatchStager.applies((np.zeros((128, 784), "float32"), np.zeros(128)))
    assert not BatchStager.applies([np.zeros((128, 784), "float32")])


def test_stack_stager_stacks_batches_in_aligned_recycled_slots():
    eng = _Engine()
    stager = StackStager(eng, 64, steps=3, depth=2)
    taken = []
    for block in range(3):
        batches = [(_unaligned(4, 8, seed=10 * block + j), np.arange(4) + j) for j in range(3)]
        for j, b in enumerate(batches[: 2 if block == 1 else 3]):  # block 1 is short
            assert stager.put(j, b)
        xs, ys = stager.take()
        assert xs.shape == (3, 4, 8) and ys.shape == (3, 4)
        assert xs.ctypes.data % 64 == 0 and ys.ctypes.data % 64 == 0
        for j in range(2 if block == 1 else 3):
            np.testing.assert_array_equal(xs[j], batches[j][0])
            np.testing.assert_array_equal(ys[j], batches[j][1])
        taken.append(xs.ctypes.data)
        stager.mark(f"block {block}")
    # two slots in turn; refilling a slot first waits for the call that read it
    assert taken[0] == taken[2] != taken[1]
    assert eng.waited == ["block 0"]


def test_stack_stager_refuses_batches_unlike_the_first():
    eng = _Engine()
    stager = StackStager(eng, 64, steps=4)
    first = (np.ones((4, 8), "float32"), np.zeros(4, "int64"))
    assert stager.put(0, first)
    before = stager.take()[0].copy()
    for other in [
        (np.ones((3, 8), "float32"), np.zeros(3, "int64")),  # the shorter last batch
        (np.ones((4, 8), "float64"), np.zeros(4, "int64")),
        (np.ones((4, 8), "float32"),),
        (np.ones((4, 8), "float32"), None),
        [np.ones((4, 8), "float32"), np.zeros(4, "int64")],
    ]:
        assert not stager.put(1, other)
    np.testing.assert_array_equal(stager.take()[0], before)
    assert eng.waited == []


def test_stack_stager_steps_for_fits_the_byte_budget():
    x = np.zeros((128, 784), "float32")
    y = np.zeros(128, "int64")
    assert StackStager.steps_for((x, y)) == MAX_STACKED_BYTES // (x.nbytes + y.nbytes)
    assert StackStager.steps_for((x, y)) >= 8  # an MLP's MNIST batches: blocks of 8
    assert StackStager.steps_for(({"x": x}, y)) == StackStager.steps_for((x, y))
    assert StackStager.steps_for(["text", y]) == 0
    assert StackStager.steps_for((x.astype(object), y)) == 0
    assert StackStager.steps_for((np.zeros((MAX_STACKED_BYTES,), "uint8"),)) == 1


def test_stack_stager_stacks_nested_batches_in_their_structure():
    eng = _Engine()
    stager = StackStager(eng, 64, steps=2)
    batches = [
        ({"a": np.full((3, 2), j, "float32"), "b": np.arange(3) + j}, np.ones(3) * j, None)
        for j in range(2)
    ]
    for j, b in enumerate(batches):
        assert stager.put(j, b)
    stacked = stager.take()
    assert set(stacked[0]) == {"a", "b"} and stacked[2] is None
    np.testing.assert_array_equal(stacked[0]["a"][1], batches[1][0]["a"])
    np.testing.assert_array_equal(stacked[0]["b"], [np.arange(3), np.arange(3) + 1])
    np.testing.assert_array_equal(stacked[1], [np.zeros(3), np.ones(3)])
    assert stacked[0]["a"].ctypes.data % 64 == 0
    # other keys, or a flat batch after nested ones: refused
    assert not stager.put(0, ({"a": batches[0][0]["a"], "c": batches[0][0]["b"]}, *batches[0][1:]))
    assert not stager.put(0, (np.zeros((3, 2), "float32"), np.ones(3), None))

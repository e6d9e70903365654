"""The NumPy engine's `jit`: trace and replay (backends/kerasx_numpy/replay.py).

Each test checks the replayed result against the same function run eagerly (the reference),
and that the function really is replayed (or, where a trace cannot be trusted, that it falls
back to eager calls and still gives the right numbers)."""

import numpy as np
import pytest

import kerasx
from kerasx import config, ops

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def numpy_engine():
    config.set_backend("numpy")
    yield


R = np.random.default_rng(0)


def _inputs(n=3):
    return [R.normal(size=(4, 3)).astype("float32") for _ in range(n)]


def _states(fn):
    return [s for s, _ in fn.status()]


def test_ops_and_raw_numpy_are_replayed():
    def f(x, y):
        z = ops.matmul(x, ops.transpose(y))  # kernels
        w = np.tanh(z) * 2.0 + x.sum()  # raw NumPy on arrays
        return {"z": z, "w": w.astype("float64"), "m": ops.mean(w)}

    jf = kerasx.jit(f)
    for x, y in zip(_inputs(), _inputs()):
        got = jf(x, y)
        ref = f(x, y)
        for k in ref:
            np.testing.assert_array_equal(np.asarray(got[k]), np.asarray(ref[k]))
    assert _states(jf) == ["replay"]


def test_gradients_and_optimizer_step_replay():
    w0 = R.normal(size=(3, 2)).astype("float32")

    def step(w, x):
        def loss(w):
            return ops.mean(ops.square(ops.relu(ops.matmul(x, w)) - 1.0))

        value, g = kerasx.value_and_grad(loss)(w)
        return value, w - 0.1 * g

    jstep = kerasx.jit(step)
    w_eager, w_jit = w0, w0
    for x in _inputs(4):
        v_e, w_eager = step(w_eager, x)
        v_j, w_jit = jstep(w_jit, x)
        np.testing.assert_array_equal(np.asarray(v_j), np.asarray(v_e))
        np.testing.assert_array_equal(np.asarray(w_jit), np.asarray(w_eager))
    assert _states(jstep) == ["replay"]


def test_python_branch_on_values_falls_back_to_eager():
    def f(x):
        if float(ops.sum(x)) > 0:  # depends on the data: a trace cannot capture it
            return x * 2.0
        return x - 1.0

    jf = kerasx.jit(f)
    for x in [np.ones((2,), "float32"), -np.ones((2,), "float32"), np.ones((2,), "float32")]:
        np.testing.assert_array_equal(jf(x), f(x))
    assert _states(jf) == ["eager"]
    assert "Python value" in jf.status()[0][1]


def test_higher_order_ops_fall_back_to_eager():
    def f(x):
        return ops.cond(ops.sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)

    jf = kerasx.jit(f)
    for x in [np.ones((2,), "float32"), -np.ones((2,), "float32")]:
        np.testing.assert_array_equal(np.asarray(jf(x)), np.asarray(f(x)))
    assert _states(jf) == ["eager"]


def test_untracked_array_computation_is_caught_by_verification():
    def f(x):
        copy = np.array(x.tolist(), dtype="float32")  # leaves the traced world
        return ops.add(copy, 1.0)

    jf = kerasx.jit(f)
    for x in _inputs(3):
        np.testing.assert_array_equal(np.asarray(jf(x)), np.asarray(f(x)))
    assert _states(jf) == ["eager"]


@pytest.mark.parametrize("check", ["trace", "values"])
@pytest.mark.parametrize("kind", ["constant", "operations"])
def test_state_kept_in_python_is_caught_by_the_second_call(kind, check, monkeypatch):
    """A count kept in Python changes a constant (or the operations) between calls: the
    second call (a second trace, or the value check) sees it and the signature runs eagerly."""
    monkeypatch.setenv("KERASX_NUMPY_REPLAY_CHECK", "values" if check == "values" else "")
    calls = [0]

    def f(x):
        calls[0] += 1
        if kind == "constant":
            return ops.multiply(x, np.float32(calls[0]))
        return ops.add(x, 1.0) if calls[0] % 2 else ops.multiply(x, 2.0)

    jf = kerasx.jit(f)
    x = np.arange(3, dtype="float32")
    for n in range(1, 5):
        want = x * n if kind == "constant" else (x + 1 if n % 2 else x * 2)
        np.testing.assert_array_equal(np.asarray(jf(x)), want)
    assert _states(jf) == ["eager"]
    if check == "trace":
        assert "second trace differs" in jf.status()[0][1]


def test_reading_a_donated_array_after_its_declared_last_use_raises():
    from kerasx.engine.autodiff import last_use_of_donated

    adam = _adam_op()

    def step(state, g):
        w, m, v = state
        with last_use_of_donated():
            new = list(adam(g, w, m, v, np.float32(0.1), 0.1, 0.001, 1e-7))
        return new, ops.sum(w)  # the old weight, which the update overwrote

    jf = kerasx.jit(step, donate_argnums=0)
    state = [np.ones((3, 2), "float32") for _ in range(3)]
    with pytest.raises(RuntimeError, match="after code declared its last use"):
        jf(state, np.ones((3, 2), "float32"))


def test_declared_last_use_updates_donated_inputs_in_place_from_the_first_call():
    from kerasx.engine.autodiff import last_use_of_donated

    adam = _adam_op()

    def step(state, g):
        w, m, v = state
        with last_use_of_donated():
            new = list(adam(g, w, m, v, np.float32(0.1), 0.1, 0.001, 1e-7))
        return new, ops.sum(new[0])

    jf = kerasx.jit(step, donate_argnums=0)
    rng = np.random.default_rng(7)
    for _ in range(3):
        state = [rng.normal(size=(3, 2)).astype("float32") for _ in range(3)]
        state[2] = np.abs(state[2])
        g = rng.normal(size=(3, 2)).astype("float32")
        want = step([t.copy() for t in state], g)  # eager on copies: nothing is donated
        got = jf(state, g)
        assert all(o is s for o, s in zip(got[0], state))  # trace, second trace, replay
        for a, b in zip(got[0], want[0]):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(got[1], want[1])
    assert _states(jf) == ["replay"]


def test_new_signature_retraces_and_static_args():
    def f(x, n):
        return ops.sum(x) * n

    jf = kerasx.jit(f, static_argnums=1)
    for shape in [(2, 3), (2, 3), (5,), (5,), (2, 3)]:
        x = R.normal(size=shape).astype("float32")
        for n in (2, 3):
            np.testing.assert_array_equal(np.asarray(jf(x, n)), np.asarray(f(x, n)))
    assert sorted(_states(jf)) == ["replay"] * 4


def test_numpy_scalars_and_0d_arrays_share_one_entry():
    """A step fed its own outputs (NumPy scalars where it was given 0-d arrays) must not
    retrace; donated 0-d state is updated like any other."""

    def step(state, x):
        total, count = state
        return [total + ops.sum(x), count + 1.0]

    jf = kerasx.jit(step, donate_argnums=0)
    x = R.normal(size=(4, 3)).astype("float32")
    state = [np.zeros((), "float32"), np.zeros((), "float32")]
    want = [np.float32(0), np.float32(0)]
    for _ in range(5):
        state = jf(state, x)
        want = [want[0] + np.sum(x), want[1] + np.float32(1)]
        np.testing.assert_allclose([float(v) for v in state], [float(v) for v in want], rtol=1e-6)
    assert _states(jf) == ["replay"]


def test_fit_traces_the_train_step_once_per_batch_shape():
    model = kerasx.Sequential([kerasx.Input((3,)), kerasx.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x, y = R.normal(size=(40, 3)).astype("float32"), R.normal(size=(40, 2)).astype("float32")
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    (fn,) = [f for k, f in model._kx_fns.items() if k[0] == "train"]
    assert _states(fn) == ["replay"]


def test_inplace_adam_kernel_is_bit_identical():
    from kerasx_numpy.kernels.optimizer_updates import _adam_update

    into, _ = _adam_update.inplace
    g, w, m, v = (R.normal(size=(5, 4)).astype("float32") for _ in range(4))
    v = np.abs(v)
    args = (np.float32(0.01), np.float32(0.1), np.float32(0.001), 1e-7)
    ref = _adam_update(g, w, m, v, *args)
    w2, m2, v2 = w.copy(), m.copy(), v.copy()
    out = into(g, w2, m2, v2, *args)
    assert out[0] is w2 and out[1] is m2 and out[2] is v2
    for a, b in zip(out, ref):
        np.testing.assert_array_equal(a, b)


def _fit(run_eagerly, dropout):
    kerasx.utils.set_random_seed(3)
    layers = [kerasx.Input((6,)), kerasx.layers.Dense(8, activation="relu")]
    if dropout:
        layers.append(kerasx.layers.Dropout(0.3, seed=1))
    layers.append(kerasx.layers.Dense(3, activation="softmax"))
    model = kerasx.Sequential(layers)
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        run_eagerly=run_eagerly,
    )
    rng = np.random.default_rng(1)
    x = rng.normal(size=(70, 6)).astype("float32")
    y = rng.integers(0, 3, size=(70,))
    hist = model.fit(x, y, batch_size=16, epochs=3, verbose=0)
    return model, hist.history, model.evaluate(x, y, verbose=0), model.predict(x, verbose=0)


@pytest.mark.parametrize("dropout", [False, True])
def test_fit_replays_and_matches_eager_training(dropout):
    model, hist, ev, pred = _fit(False, dropout)
    states = {k[0]: [s for s, _ in fn.status()] for k, fn in model._kx_fns.items()}
    # A signature seen once so far (evaluate's only batch size) is still to be verified.
    assert "replay" in states["train"], states
    assert all(s in ("replay", "verify") for v in states.values() for s in v), states
    _, hist_e, ev_e, pred_e = _fit(True, dropout)
    assert hist == hist_e
    np.testing.assert_array_equal(np.asarray(ev), np.asarray(ev_e))
    np.testing.assert_array_equal(pred, pred_e)


def _adam_op():
    from kerasx.ops.optimizer_updates import _adam_update

    return _adam_update


def test_same_layout_views_are_aliased_and_shape_only_ops_fold():
    def f(x):
        y = ops.reshape(x, x.shape)  # a view with x's very layout: no call in the replay
        seed = ops.ones_like(y)  # depends on the shape only: a constant
        return y * 2.0, seed

    jf = kerasx.jit(f)
    outs = [jf(x) for x in _inputs(4)]
    assert _states(jf) == ["replay"]
    entry = next(iter(jf.entries.values()))
    assert "reshape" not in entry.source and entry.source.count("= k") == 1
    x = _inputs(1)[0]
    np.testing.assert_array_equal(jf(x)[0], x * 2.0)
    # The folded constant is handed out as a copy: writing into one result changes no other.
    a, b = outs[-2][1], outs[-1][1]
    assert a is not b
    a[...] = 5.0
    np.testing.assert_array_equal(jf(_inputs(1)[0])[1], np.ones((4, 3), "float32"))


def test_donated_buffer_read_through_a_view_after_the_update_is_not_overwritten():
    adam = _adam_op()

    def step(state, g):
        w, m, v = state
        wt = ops.transpose(w)  # a view of the donated `w`
        new = adam(g, w, m, v, np.float32(0.1), 0.1, 0.001, 1e-7)
        return list(new), ops.sum(wt * 1.0)  # the view is read after `w`'s update

    def run(fn, n=4):
        rng = np.random.default_rng(5)
        state = [rng.normal(size=(3, 2)).astype("float32") for _ in range(3)]
        state[2] = np.abs(state[2])
        outs = []
        for _ in range(n):
            state, s = fn(state, rng.normal(size=(3, 2)).astype("float32"))
            outs.append((np.array(s), [np.array(t) for t in state]))
        return outs

    jf = kerasx.jit(step, donate_argnums=0)
    got, ref = run(jf), run(step)
    assert _states(jf) == ["replay"]
    for (s1, st1), (s2, st2) in zip(got, ref):
        np.testing.assert_array_equal(s1, s2)
        for a, b in zip(st1, st2):
            np.testing.assert_array_equal(a, b)


def test_donated_buffers_are_updated_in_place_when_dead():
    adam = _adam_op()

    def step(state, g):
        w, m, v = state
        return list(adam(g, w, m, v, np.float32(0.1), 0.1, 0.001, 1e-7))

    jf = kerasx.jit(step, donate_argnums=0)
    rng = np.random.default_rng(2)
    for _ in range(3):
        state = [rng.normal(size=(3, 2)).astype("float32") for _ in range(3)]
        state[2] = np.abs(state[2])
        out = jf(state, rng.normal(size=(3, 2)).astype("float32"))
    assert _states(jf) == ["replay"]
    assert all(o is s for o, s in zip(out, state))  # written into the donated buffers


@pytest.mark.parametrize("check", ["trace", "values"])
def test_verification_call_replays_in_place_without_corrupting_its_results(check, monkeypatch):
    """The second call checks the replay: by default it traces again (eagerly, writing no
    donated input, as no code declared a last use); with KERASX_NUMPY_REPLAY_CHECK=values it
    runs eagerly and then the replay on the donated inputs themselves. Either way outputs
    that are donated inputs or views of them stay intact."""
    monkeypatch.setenv("KERASX_NUMPY_REPLAY_CHECK", "values" if check == "values" else "")
    adam = _adam_op()

    def step(state, g):
        w, m, v, frozen, table = state
        new = list(adam(g, w, m, v, np.float32(0.1), 0.1, 0.001, 1e-7))
        return new + [frozen, ops.reshape(table, (-1,))], ops.sum(new[0])

    jf = kerasx.jit(step, donate_argnums=0)
    rng = np.random.default_rng(4)
    for call in range(3):
        state = [rng.normal(size=(3, 2)).astype("float32") for _ in range(5)]
        state[2] = np.abs(state[2])
        g = rng.normal(size=(3, 2)).astype("float32")
        want = step([s.copy() for s in state], g)  # eager, on copies
        frozen, table = state[3].copy(), state[4].copy()
        got = jf(state, g)
        assert _states(jf) == (["verify"] if call == 0 else ["replay"])
        for a, b in zip(got[0], want[0]):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        np.testing.assert_array_equal(np.asarray(got[0][3]), frozen)
        np.testing.assert_array_equal(np.asarray(got[0][4]), table.reshape(-1))
        np.testing.assert_array_equal(np.asarray(got[1]), np.asarray(want[1]))
        if call == 1 and check == "values":  # the verifying replay wrote into the buffer
            np.testing.assert_array_equal(state[0], np.asarray(want[0][0]))
        elif call == 1:  # the second trace ran eagerly: the donated buffer is untouched
            assert not np.array_equal(state[0], np.asarray(want[0][0]))


def test_adam_variant_reusing_the_gradient_buffer_is_bit_identical():
    from kerasx_numpy.kernels.optimizer_updates import _adam_update

    into, written, scratch = _adam_update.inplace_scratch
    assert written == (1, 2, 3) and scratch == 0
    g, w, m, v = (R.normal(size=(6, 5)).astype("float32") for _ in range(4))
    v = np.abs(v)
    args = (np.float32(0.01), 0.1, 0.001, 1e-7)
    ref = _adam_update(g, w, m, v, *args)
    out = into(g.copy(), w.copy(), m.copy(), v.copy(), *args)
    for a, b in zip(out, ref):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("gradient_read_later", [False, True])
def test_dead_matmul_gradient_is_reused_as_scratch_only_when_dead(gradient_read_later):
    adam = _adam_op()

    def step(state, x, y):
        w, m, v = state
        g = ops.matmul(ops.transpose(x), y)  # a fresh array
        new = list(adam(g, w, m, v, np.float32(0.1), 0.1, 0.001, 1e-7))
        return (new, ops.sum(g)) if gradient_read_later else new

    def run(fn, n=4):
        rng = np.random.default_rng(8)
        state = [rng.normal(size=(3, 2)).astype("float32") for _ in range(3)]
        state[2] = np.abs(state[2])
        outs = []
        for _ in range(n):
            x = rng.normal(size=(5, 3)).astype("float32")
            y = rng.normal(size=(5, 2)).astype("float32")
            res = fn(state, x, y)
            state = res[0] if gradient_read_later else res
            outs.append([np.array(t) for t in kerasx.tree.flatten(res)])
        return outs

    jf = kerasx.jit(step, donate_argnums=0)
    for got, ref in zip(run(jf), run(step)):
        for a, b in zip(got, ref):
            np.testing.assert_array_equal(a, b)
    assert _states(jf) == ["replay"]
    names = {
        getattr(v, "__name__", "")
        for v in next(iter(jf.entries.values())).replay.__globals__.values()
    }
    assert ("_adam_update_into_reusing_gradient" in names) is not gradient_read_later


def test_repeated_calls_are_computed_once():
    def f(x, y):
        a = ops.matmul(x, ops.transpose(y))
        b = ops.matmul(x, ops.transpose(y))  # the same call again: merged
        return a + b, ops.exp(a) - ops.exp(b)

    jf = kerasx.jit(f)
    for x, y in zip(_inputs(4), _inputs(4)):
        got, ref = jf(x, y), f(x, y)
        for a, b in zip(got, ref):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert _states(jf) == ["replay"]
    src = next(iter(jf.entries.values())).source
    calls = [ln for ln in src.splitlines() if "= k" in ln]
    assert len(calls) == 5  # transpose, matmul, add, exp, subtract: each once


def test_outputs_in_ordered_dicts_deques_and_defaultdicts_replay_as_structured():
    import collections

    def f(x, y):
        z = ops.add(x, y)
        return (
            collections.OrderedDict([("z", z), ("a", ops.multiply(x, 2.0))]),
            collections.deque([ops.sum(z), z], maxlen=4),
            collections.defaultdict(list, {"b": x, "a": y}),
        )

    jf = kerasx.jit(f)
    for x, y in zip(_inputs(), _inputs()):
        got, ref = jf(x, y), f(x, y)
        assert [type(g) for g in got] == [type(r) for r in ref]
        assert list(got[0]) == ["z", "a"] and got[1].maxlen == 4
        assert got[2].default_factory is list
        for g, r in zip(kerasx.tree.flatten(got), kerasx.tree.flatten(ref)):
            np.testing.assert_array_equal(np.asarray(g), np.asarray(r))
    assert _states(jf) == ["replay"]


# ------------------------------------------------------------------ small updates merged


def _adam_state(rng, shapes):
    state = []
    for shape in shapes:
        w, m, v = (rng.normal(size=shape).astype("float32") for _ in range(3))
        state.append([w, m, np.abs(v)])
    return state


def _run_adam_steps(fn, shapes, n=4, copy_state=False, seed=11):
    """`n` steps of `fn(state, grads)`; returns each step's results as NumPy copies."""
    rng = np.random.default_rng(seed)
    state = _adam_state(rng, shapes)
    outs = []
    for _ in range(n):
        grads = [rng.normal(size=s).astype("float32") for s in shapes]
        if copy_state:  # a caller that never passes the returned arrays back
            state = [[np.array(t) for t in triple] for triple in state]
        res = fn(state, grads)
        state = res[0]
        outs.append([np.array(t) for t in kerasx.tree.flatten(res)])
    return outs, state


def _kernel_names(jf):
    replay = next(iter(jf.entries.values())).replay
    return " ".join(getattr(v, "__name__", "") for v in replay.__globals__.values())


SHAPES = [(3, 4), (7,), (), (300, 80), (2, 2, 2)]  # (300, 80): too large to merge


@pytest.mark.parametrize("copy_state", [False, True])
def test_small_adam_updates_merge_into_one_flat_call(copy_state):
    adam = _adam_op()

    def step(state, grads):
        new = [
            list(adam(g, w, m, v, np.float32(0.01), 0.1, 0.001, 1e-7))
            for (w, m, v), g in zip(state, grads)
        ]
        return new, ops.sum(new[0][0])

    jf = kerasx.jit(step, donate_argnums=0)
    got, state = _run_adam_steps(jf, SHAPES, copy_state=copy_state)
    ref, _ = _run_adam_steps(step, SHAPES, copy_state=copy_state)
    assert _states(jf) == ["replay"]
    assert "[flat x4]" in _kernel_names(jf)  # every shape but the large one
    for a, b in zip(got, ref):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    # the merged variables come back as views of shared buffers; the large one on its own
    assert state[0][0].base is not None and state[0][0].base is state[1][0].base
    assert state[3][0].base is None


def test_flat_group_state_passed_back_is_updated_in_place():
    adam = _adam_op()

    def step(state, grads):
        return [
            list(adam(g, *triple, np.float32(0.01), 0.1, 0.001, 1e-7))
            for triple, g in zip(state, grads)
        ], 0.0

    jf = kerasx.jit(step, donate_argnums=0)
    rng = np.random.default_rng(1)
    state = _adam_state(rng, [(2,), (3,)])
    for _ in range(4):
        new, _ = jf(state, [rng.normal(size=s).astype("float32") for s in [(2,), (3,)]])
        if _states(jf) == ["replay"] and new[0][0] is state[0][0]:
            break
        state = new
    assert new[0][0] is state[0][0]  # the same views, written in place


def test_update_whose_result_is_read_before_the_next_one_is_not_moved():
    adam = _adam_op()

    def step(state, grads):
        (w1, m1, v1), (w2, m2, v2), (w3, m3, v3) = state
        g1, g2, g3 = grads
        a = list(adam(g1, w1, m1, v1, np.float32(0.01), 0.1, 0.001, 1e-7))
        # the second gradient depends on the first update's result
        b = list(adam(g2 * ops.sum(a[0]), w2, m2, v2, np.float32(0.01), 0.1, 0.001, 1e-7))
        c = list(adam(g3, w3, m3, v3, np.float32(0.01), 0.1, 0.001, 1e-7))
        return [a, b, c], 0.0

    shapes = [(3,), (3,), (3,)]
    jf = kerasx.jit(step, donate_argnums=0)
    got, _ = _run_adam_steps(jf, shapes)
    ref, _ = _run_adam_steps(step, shapes)
    assert _states(jf) == ["replay"]
    names = _kernel_names(jf)
    assert "[flat x2]" in names and "[flat x3]" not in names  # b and c merge; a stays before b
    for a, b in zip(got, ref):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_updates_with_other_coefficients_or_live_gradients_are_not_merged():
    adam = _adam_op()

    def step(state, grads):
        (w1, m1, v1), (w2, m2, v2), (w3, m3, v3) = state
        g1, g2, g3 = (g * 1.0 for g in grads)
        a = list(adam(g1, w1, m1, v1, np.float32(0.01), 0.1, 0.001, 1e-7))
        b = list(adam(g2, w2, m2, v2, np.float32(0.01), 0.2, 0.001, 1e-7))  # other beta_1
        c = list(adam(g3, w3, m3, v3, np.float32(0.01), 0.1, 0.001, 1e-7))
        return [a, b, c], ops.sum(g3)  # g3 is read after its update

    shapes = [(3,), (3,), (3,)]
    jf = kerasx.jit(step, donate_argnums=0)
    got, _ = _run_adam_steps(jf, shapes)
    ref, _ = _run_adam_steps(step, shapes)
    assert _states(jf) == ["replay"]
    assert "[flat" not in _kernel_names(jf)
    for a, b in zip(got, ref):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def _fit_scalar_weight(backend, optimizer, run_eagerly):
    config.set_backend(backend)

    class Scale(kerasx.layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight(shape=(), initializer="ones", name="a")

        def call(self, x):
            return x * self.a

    model = kerasx.Sequential([kerasx.Input((2,)), Scale(), kerasx.layers.Dense(1)])
    model.compile(kerasx.optimizers.get(optimizer), "mse", run_eagerly=run_eagerly)
    model.set_weights([np.float32(1.5), np.full((2, 1), 0.5, "float32"), np.zeros(1, "float32")])
    x = np.linspace(-1, 1, 16, dtype="float32").reshape(8, 2)
    y = x.sum(1, keepdims=True) * 3.0
    model.fit(x, y, batch_size=4, epochs=3, verbose=0, shuffle=False)
    return [np.asarray(w) for w in model.get_weights()]


@pytest.mark.parametrize(
    "optimizer",
    ["adam", "rmsprop", {"class_name": "SGD", "config": {"momentum": 0.9, "nesterov": True}}],
)
@pytest.mark.parametrize("run_eagerly", [False, True])
def test_scalar_weights_train_with_fused_updates(optimizer, run_eagerly):
    """A 0-d weight through the fused NumPy update kernels (and the merged replay call),
    against the JAX engine."""
    pytest.importorskip("jax")
    got = _fit_scalar_weight("numpy", optimizer, run_eagerly)
    want = _fit_scalar_weight("jax", optimizer, run_eagerly)
    assert got[0].shape == ()
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(got[0], 1.5)


def test_flat_groups_are_capped_in_size(monkeypatch):
    from kerasx_numpy import replay_codegen

    monkeypatch.setattr(replay_codegen, "_FLAT_MAX_TOTAL", 20)
    adam = _adam_op()

    def step(state, grads):
        return [
            list(adam(g, *triple, np.float32(0.01), 0.1, 0.001, 1e-7))
            for triple, g in zip(state, grads)
        ], 0.0

    shapes = [(3, 4), (7,), (), (2, 2, 2)]  # 12 + 7 + 1 elements fit in 20; 8 more do not
    jf = kerasx.jit(step, donate_argnums=0)
    got, _ = _run_adam_steps(jf, shapes)
    ref, _ = _run_adam_steps(step, shapes)
    assert "[flat x3]" in _kernel_names(jf) and "[flat x4]" not in _kernel_names(jf)
    for a, b in zip(got, ref):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("shape", [(6, 5), ()])
@pytest.mark.parametrize("which", ["sgd", "sgd_nesterov", "rmsprop"])
def test_inplace_sgd_and_rmsprop_kernels_are_bit_identical(which, shape):
    from kerasx_numpy.kernels import optimizer_updates as K

    rng = np.random.default_rng(12)
    g, w, s = (np.asarray(rng.normal(size=shape), "float32") for _ in range(3))
    lr = np.asarray(0.01, "float32")
    if which == "rmsprop":
        s = np.asarray(np.abs(s))
        base, args = K._rmsprop_update, (lr, 0.9, 1e-7)
    else:
        base, args = K._sgd_momentum_update, (lr, np.asarray(0.9, "float32"), which != "sgd")
    into, written = base.inplace
    assert written == (1, 2) and base.flat == (into, 3)
    ref = base(g, w, s, *args)
    w2, s2 = w.copy(), s.copy()
    out = into(g, w2, s2, *args)
    assert out[0] is w2 and out[1] is s2
    for a, b in zip(out, ref):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def _fit_small_mlp(optimizer, run_eagerly):
    kerasx.utils.set_random_seed(4)
    model = kerasx.Sequential(
        [kerasx.Input((6,)), kerasx.layers.Dense(8, activation="relu"), kerasx.layers.Dense(3)]
    )
    model.compile(optimizer=kerasx.optimizers.get(optimizer), loss="mse", run_eagerly=run_eagerly)
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(48, 6)).astype("float32"), rng.normal(size=(48, 3)).astype("float32")
    hist = model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
    return model, hist.history["loss"], [np.asarray(w) for w in model.get_weights()]


@pytest.mark.parametrize(
    "optimizer",
    [
        {"class_name": "SGD", "config": {"momentum": 0.9}},
        {"class_name": "SGD", "config": {"momentum": 0.9, "nesterov": True}},
        "rmsprop",
    ],
)
def test_sgd_momentum_and_rmsprop_replay_in_place_and_merged(optimizer):
    model, hist, weights = _fit_small_mlp(optimizer, run_eagerly=False)
    _, hist_e, weights_e = _fit_small_mlp(optimizer, run_eagerly=True)
    assert hist == hist_e
    for a, b in zip(weights, weights_e):
        np.testing.assert_array_equal(a, b)
    (fn,) = [f for k, f in model._kx_fns.items() if k[0] == "train"]
    assert _states(fn) == ["replay"]
    names = _kernel_names(fn)
    assert "_into[flat x4]" in names  # the two kernels and the two biases, in one call


def _catalogue_model(kind):
    L = kerasx.layers
    if kind == "conv":
        return (
            [
                kerasx.Input((8, 8, 2)),
                L.Conv2D(4, 3, activation="relu"),
                L.BatchNormalization(),
                L.MaxPooling2D(),
                L.Flatten(),
                L.Dense(3, activation="softmax"),
            ],
            (8, 8, 2),
        )
    if kind == "lstm":
        return ([kerasx.Input((5, 3)), L.LSTM(4), L.Dense(3, activation="softmax")], (5, 3))
    if kind == "attention":
        inp = kerasx.Input((6,), dtype="int32")
        h = L.Embedding(10, 4)(inp)
        h = L.MultiHeadAttention(2, 2)(h, h)
        h = L.LayerNormalization()(h)
        out = L.Dense(3, activation="softmax")(L.GlobalAveragePooling1D()(h))
        return kerasx.Model(inp, out), (6,)
    return (
        [
            kerasx.Input((6,)),
            L.Dense(300, activation="relu"),  # large enough to update on its own
            L.Dropout(0.2, seed=2),
            L.Dense(3, activation="softmax"),
        ],
        (6,),
    )


@pytest.mark.parametrize(
    "kind,optimizer",
    [
        ("dense", "adam"),
        ("dense", "rmsprop"),
        ("conv", "sgd_momentum"),
        ("lstm", "adam"),
        ("attention", "adamw"),
    ],
)
@pytest.mark.parametrize("check", ["trace", "values"])
def test_common_models_replay_with_eager_numbers(kind, optimizer, check, monkeypatch):
    """Common models reach the replay under either check and train exactly as eager calls.
    The default check compares two traces; with KERASX_NUMPY_REPLAY_CHECK=values the code
    generated from them is also checked bit for bit against an eager call."""
    monkeypatch.setenv("KERASX_NUMPY_REPLAY_CHECK", "values" if check == "values" else "")
    results = []
    for eager in (False, True):
        kerasx.utils.set_random_seed(9)
        spec, shape = _catalogue_model(kind)
        model = kerasx.Sequential(spec) if isinstance(spec, list) else spec
        opt = (
            kerasx.optimizers.SGD(0.05, momentum=0.9)
            if optimizer == "sgd_momentum"
            else kerasx.optimizers.get(optimizer)
        )
        model.compile(opt, "sparse_categorical_crossentropy", run_eagerly=eager)
        if kind == "attention":
            x = np.random.default_rng(5).integers(0, 10, size=(40, *shape)).astype("int32")
        else:
            x = np.random.default_rng(5).normal(size=(40, *shape)).astype("float32")
        y = np.random.default_rng(6).integers(0, 3, size=(40,))
        model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        if not eager:
            states = [s for k, fn in model._kx_fns.items() if k[0] == "train" for s in _states(fn)]
            assert states == ["replay"], [fn.status() for fn in model._kx_fns.values()]
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_code_is_generated_when_the_second_trace_confirms_the_first(monkeypatch):
    """A signature called once (an epoch's last, smaller batch) costs no code generation;
    the code of a confirmed signature is generated once and replays the eager numbers."""
    import kerasx_numpy.replay as replay

    monkeypatch.setenv("KERASX_NUMPY_REPLAY_CHECK", "")
    made = []
    generate = replay._generate
    monkeypatch.setattr(replay, "_generate", lambda *a: made.append(1) or generate(*a))

    def f(x):
        return ops.tanh(ops.matmul(x, ops.transpose(x))) * 3.0

    jf = kerasx.jit(f)
    xs = _inputs(4)
    got = [jf(xs[0])]
    entry = next(iter(jf.entries.values()))
    assert (entry.state, entry.replay, entry.source, len(made)) == ("verify", None, "", 0)
    got += [jf(x) for x in xs[1:]]
    assert _states(jf) == ["replay"] and len(made) == 1 and "= k" in entry.source
    for x, y in zip(xs, got):
        np.testing.assert_array_equal(np.asarray(y), np.asarray(f(x)))
    jf(R.normal(size=(2, 3)).astype("float32"))  # a new signature, seen once
    assert len(made) == 1 and sorted(_states(jf)) == ["replay", "verify"]


def test_traces_share_their_recording_kernels():
    """Each trace swaps the same recording wrappers in (made once per kernel), instead of
    allocating one per op again."""
    import kerasx_numpy.replay_traced as replay

    def f(x):
        return ops.exp(x) + 1.0

    kerasx.jit(f)(_inputs(1)[0])
    made = len(replay._RECORDING)
    kerasx.jit(lambda x: ops.exp(x) * 2.0)(_inputs(1)[0])
    assert len(replay._RECORDING) == made
    k = kerasx.engine.registry.REGISTRY["exp"].kernel
    assert replay._recording(k) is replay._recording(k)


def test_trace_takes_the_replays_scratch_buffer(monkeypatch):
    """The trace's in-place optimizer update allocates scratch buffer 0 for good (the replay
    uses it: no second allocation) and its other scratch as temporaries; a weight larger than
    a chunk is updated in parts (chunk-sized scratch, nothing weight-sized) and gives the
    eager numbers."""
    import threading

    from kerasx_numpy.kernels import optimizer_updates as upd

    monkeypatch.setenv("KERASX_NUMPY_REPLAY_CHECK", "")
    monkeypatch.setattr(upd, "_SCRATCH", threading.local())
    assert 300 * 250 > upd._CHUNK  # the chunked path
    adam = _adam_op()

    def step(state, g):
        from kerasx.engine.autodiff import last_use_of_donated

        w, m, v, b, mb, vb = state
        gb = ops.sum(g, axis=0)
        with last_use_of_donated():  # as the built-in train step declares
            new = list(adam(g, w, m, v, np.float32(0.1), 0.1, 0.001, 1e-7))
            new += adam(gb, b, mb, vb, np.float32(0.1), 0.1, 0.001, 1e-7)
        return new

    rng = np.random.default_rng(11)

    def fresh():
        s = [rng.normal(size=shape).astype("float32") for shape in [(300, 250)] * 3 + [(250,)] * 3]
        s[2], s[5] = np.abs(s[2]), np.abs(s[5])
        return s

    jf = kerasx.jit(step, donate_argnums=0)
    buffers = None
    for call in range(4):
        state, g = fresh(), rng.normal(size=(300, 250)).astype("float32")
        want = step([s.copy() for s in state], g)
        got = jf(state, g)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        cache = {
            **upd._SCRATCH.buffers,
            **{("chunk", *k): b for k, b in upd._SCRATCH.chunks.items()},
        }
        if call == 0:
            # the bias's buffer 0 and the kernel's chunk buffer 0, kept; nothing else
            assert set(cache) == {("<f4", 0), ("chunk", "<f4", 0)}
            assert (
                cache[("<f4", 0)].size == 250 and cache[("chunk", "<f4", 0)].size == 300 * 250 // 2
            )
            buffers = dict(cache)
        assert all(cache[k] is buf for k, buf in buffers.items())
        assert all(b.size <= upd._CHUNK for b in cache.values())
    assert _states(jf) == ["replay"]


def test_kernels_are_plain_again_after_a_trace_and_after_a_failed_one():
    """A trace swaps recording wrappers in and puts every registry kernel back afterwards,
    also when the traced function raises."""
    from kerasx_numpy import replay_traced

    from kerasx.engine.registry import REGISTRY

    plain = {name: REGISTRY[name].kernel for name in list(REGISTRY)}  # (loads every op)

    def boom(x):
        ops.exp(x)
        raise KeyError("inside the trace")

    kerasx.jit(lambda x: ops.exp(x) + 1.0)(_inputs(1)[0])
    with pytest.raises(KeyError, match="inside the trace"):
        kerasx.jit(boom)(_inputs(1)[0])
    assert {name: op.kernel for name, op in REGISTRY.items()} == plain
    assert not any(type(op.kernel) in replay_traced._HOOKS for op in REGISTRY.values())
    # the wrapper of an op with one-pass gradient kernels records those kernels too
    k = REGISTRY["relu"].kernel
    extra = [a for a in vars(k) if a.startswith("vjp_")]
    assert extra == ["vjp_x"]
    for attr in extra:
        wrapped = getattr(replay_traced._recording(k), attr)
        assert wrapped.__wrapped__ is getattr(k, attr)
    with pytest.raises(AttributeError):
        replay_traced._recording(k).no_such_attribute  # noqa: B018

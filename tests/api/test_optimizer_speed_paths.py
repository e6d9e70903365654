"""The optimizers' fast paths give exactly the numbers of the plain formulas.

`Optimizer.apply` computes the per-step scalars (cast learning rate, bias corrections, step
count) once per step, and Adam/AdamW, SGD with momentum and RMSprop update each weight with one
fused private op (`kerasx.ops.optimizer_updates`). These tests run a few steps and compare
with the straightforward per-weight formulas written here in `kerasx.ops` (and, on the NumPy
engine, in plain float32 NumPy) with `assert_array_equal`: not a tolerance, the same bits.
"""

import numpy as np
import pytest

import kerasx
from kerasx import config, ops
from kerasx import optimizers as O
from kerasx.engine.discovery import installed_engines
from kerasx.engine.registry import REGISTRY
from kerasx.engine.variables import Variable
from kerasx.ops import optimizer_updates as OU

SHAPES = [(6, 4), (4,), (4, 3), (3,)]
STEPS = 3


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _data(dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) * 0.5 for s in SHAPES] for _ in range(STEPS)]
    return weights, grads


# ------------------------------------------------------------------ reference formulas (ops)


def _scalars(lr, counts):
    """The learning rate and the step indices as tensors (arguments of a jit, not constants:
    XLA folds constants with its own evaluator, whose `pow` may round differently)."""
    if counts is None:
        counts = [np.int32(k) for k in range(STEPS)]
    if isinstance(lr, float):
        lr = np.float32(lr)
    return ops.convert_to_tensor(lr), [ops.convert_to_tensor(c) for c in counts]


def _adam_ref(opt, weights, grads, lr=0.01, counts=None, weight_decay=None, amsgrad=False):
    """Adam (or AdamW) step by step, each weight on its own, every scalar recomputed."""
    w = [ops.convert_to_tensor(x) for x in weights]
    m = [ops.zeros_like(x) for x in w]
    v = [ops.zeros_like(x) for x in w]
    vh = [ops.zeros_like(x) for x in w]
    lr_t, counts = _scalars(lr, counts)
    for step, gs in zip(counts, grads):
        for i, g in enumerate(gs):
            g = ops.convert_to_tensor(g)
            dtype = ops.dtype(w[i])
            if weight_decay is not None:
                w[i] = w[i] - w[i] * ops.cast(weight_decay, dtype) * ops.cast(lr_t, dtype)
                w[i] = ops.cast(w[i], dtype)  # an assignment casts to the variable's dtype
            t = ops.cast(step + 1, dtype)
            b1_t = ops.power(ops.cast(opt.beta_1, dtype), t)
            b2_t = ops.power(ops.cast(opt.beta_2, dtype), t)
            alpha = ops.cast(lr_t, dtype) * ops.sqrt(1 - b2_t) / (1 - b1_t)
            m[i] = ops.cast(m[i] + (g - m[i]) * (1 - opt.beta_1), dtype)
            v[i] = ops.cast(v[i] + (ops.square(g) - v[i]) * (1 - opt.beta_2), dtype)
            denom = v[i]
            if amsgrad:
                vh[i] = ops.maximum(vh[i], v[i])
                denom = vh[i]
            w[i] = ops.cast(w[i] - (m[i] * alpha) / (ops.sqrt(denom) + opt.epsilon), dtype)
    return w, m, v


def _sgd_ref(opt, weights, grads, lr=0.1, counts=None):
    w = [ops.convert_to_tensor(x) for x in weights]
    m = [ops.zeros_like(x) for x in w]
    lr_t, _ = _scalars(lr, counts)
    for gs in grads:
        for i, g in enumerate(gs):
            g = ops.convert_to_tensor(g)
            dtype = ops.dtype(w[i])
            lr_c = ops.cast(lr_t, dtype)
            if opt.momentum == 0:
                w[i] = ops.cast(w[i] - g * lr_c, dtype)
                continue
            mu = ops.cast(opt.momentum, dtype)
            m[i] = ops.cast(-g * lr_c + m[i] * mu, dtype)
            if opt.nesterov:
                w[i] = ops.cast(w[i] + (-g * lr_c + m[i] * mu), dtype)
            else:
                w[i] = ops.cast(w[i] + m[i], dtype)
    return w, m


def _rmsprop_ref(opt, weights, grads, lr=0.01, counts=None):
    w = [ops.convert_to_tensor(x) for x in weights]
    v = [ops.zeros_like(x) for x in w]
    a = [ops.zeros_like(x) for x in w]
    mom = [ops.zeros_like(x) for x in w]
    lr_t, _ = _scalars(lr, counts)
    rho = opt.rho
    for gs in grads:
        for i, g in enumerate(gs):
            g = ops.convert_to_tensor(g)
            dtype = ops.dtype(w[i])
            lr_c = ops.cast(lr_t, dtype)
            v[i] = ops.cast(rho * v[i] + (1 - rho) * ops.square(g), dtype)
            if opt.centered:
                a[i] = ops.cast(rho * a[i] + (1 - rho) * g, dtype)
                denom = v[i] - ops.square(a[i]) + opt.epsilon
            else:
                denom = v[i] + opt.epsilon
            step = lr_c * g / ops.sqrt(denom)
            if opt.momentum > 0:
                mom[i] = ops.cast(opt.momentum * mom[i] + step, dtype)
                w[i] = ops.cast(w[i] - mom[i], dtype)
            else:
                w[i] = ops.cast(w[i] - step, dtype)
    return w, v


def _run(opt, weights, grads, dtype=None):
    vs = [Variable(x, dtype=dtype, name=f"w{i}") for i, x in enumerate(weights)]
    for gs in grads:
        opt.apply([ops.convert_to_tensor(g) for g in gs], vs)
    return vs


def _assert_same(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        a = _np(a.value if isinstance(a, Variable) else a)
        e = _np(e)
        assert a.dtype == e.dtype
        np.testing.assert_array_equal(a, e)


ADAM_CASES = {
    "adam": (lambda: O.Adam(0.01), {}),
    "adam_betas": (
        lambda: O.Adam(0.01, beta_1=0.8, beta_2=0.95, epsilon=1e-3),
        {},
    ),
    "adam_amsgrad": (lambda: O.Adam(0.01, amsgrad=True), {"amsgrad": True}),
    "adamw": (lambda: O.AdamW(0.01), {"weight_decay": 0.004}),
    "adam_decay": (lambda: O.Adam(0.01, weight_decay=0.1), {"weight_decay": 0.1}),
}


@pytest.mark.parametrize("case", sorted(ADAM_CASES))
def test_adam_family_is_exactly_the_formula(engine, case):
    make, kw = ADAM_CASES[case]
    weights, grads = _data()
    opt = make()
    vs = _run(opt, weights, grads)
    w, m, v = _adam_ref(opt, weights, grads, **kw)
    _assert_same(vs, w)
    _assert_same(opt._momentums, m)
    _assert_same(opt._velocities, v)


@pytest.mark.parametrize(
    "kw",
    [{"momentum": 0.0}, {"momentum": 0.9}, {"momentum": 0.7, "nesterov": True}],
    ids=["plain", "momentum", "nesterov"],
)
def test_sgd_is_exactly_the_formula(engine, kw):
    weights, grads = _data(seed=1)
    opt = O.SGD(0.1, **kw)
    vs = _run(opt, weights, grads)
    w, m = _sgd_ref(opt, weights, grads)
    _assert_same(vs, w)
    if opt.momentum:
        _assert_same(opt.momentums, m)


@pytest.mark.parametrize(
    "kw",
    [{}, {"rho": 0.8, "epsilon": 1e-3}, {"centered": True}, {"momentum": 0.5}],
    ids=["plain", "rho", "centered", "momentum"],
)
def test_rmsprop_is_exactly_the_formula(engine, kw):
    weights, grads = _data(seed=2)
    opt = O.RMSprop(0.01, **kw)
    vs = _run(opt, weights, grads)
    w, v = _rmsprop_ref(opt, weights, grads)
    _assert_same(vs, w)
    _assert_same(opt._velocities, v)


@pytest.mark.parametrize("dtype", ["float16", "float64", "bfloat16"])
def test_other_float_dtypes_match_the_formula(engine, dtype):
    weights, grads = _data()
    weights = [ops.cast(x, dtype) for x in weights]
    grads = [[ops.cast(g, dtype) for g in gs] for gs in grads]
    for make, ref in [
        (lambda: O.Adam(0.01), lambda o: _adam_ref(o, weights, grads)[0]),
        (lambda: O.SGD(0.1, momentum=0.9), lambda o: _sgd_ref(o, weights, grads)[0]),
        (lambda: O.RMSprop(0.01), lambda o: _rmsprop_ref(o, weights, grads)[0]),
    ]:
        opt = make()
        vs = _run(opt, [_np(x) for x in weights], grads, dtype=dtype)
        _assert_same(vs, ref(opt))


def test_numpy_engine_matches_plain_float32_numpy():
    """An independent reference: Adam and SGD written directly in float32 NumPy."""
    config.set_backend("numpy")
    weights, grads = _data()
    opt = O.Adam(0.01)
    vs = _run(opt, weights, grads)
    w = [x.copy() for x in weights]
    m = [np.zeros_like(x) for x in w]
    v = [np.zeros_like(x) for x in w]
    f32 = np.float32
    for step, gs in enumerate(grads):
        t = f32(step + 1)
        alpha = (
            f32(0.01) * np.sqrt(f32(1) - np.power(f32(0.999), t)) / (f32(1) - np.power(f32(0.9), t))
        )
        for i, g in enumerate(gs):
            m[i] = m[i] + (g - m[i]) * f32(1 - 0.9)
            v[i] = v[i] + (np.square(g) - v[i]) * f32(1 - 0.999)
            w[i] = w[i] - (m[i] * alpha) / (np.sqrt(v[i]) + f32(1e-7))
    for a, e in zip(vs, w):
        assert a.numpy().dtype == np.float32
        np.testing.assert_array_equal(a.numpy(), e)

    opt = O.SGD(0.1, momentum=0.9)
    vs = _run(opt, weights, grads)
    w = [x.copy() for x in weights]
    m = [np.zeros_like(x) for x in w]
    for gs in grads:
        for i, g in enumerate(gs):
            m[i] = -g * f32(0.1) + m[i] * f32(0.9)
            w[i] = w[i] + m[i]
    for a, e in zip(vs, w):
        np.testing.assert_array_equal(a.numpy(), e)


class PlainAdam(O.Adam):
    """Adam with the straightforward per-weight rule (every scalar recomputed, no fused op)."""

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        t = ops.cast(self.iterations.value + 1, dtype)
        b1_t = ops.power(ops.cast(self.beta_1, dtype), t)
        b2_t = ops.power(ops.cast(self.beta_2, dtype), t)
        i = self._get_variable_index(variable)
        m, v = self._momentums[i], self._velocities[i]
        alpha = lr * ops.sqrt(1 - b2_t) / (1 - b1_t)
        m.assign(m.value + (g - m.value) * (1 - self.beta_1))
        v.assign(v.value + (ops.square(g) - v.value) * (1 - self.beta_2))
        variable.assign(variable.value - (m.value * alpha) / (ops.sqrt(v.value) + self.epsilon))


class PlainSGD(O.SGD):
    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        g = ops.cast(gradient, variable.dtype)
        m = self.momentums[self._get_variable_index(variable)]
        mu = ops.cast(self.momentum, variable.dtype)
        m.assign(-g * lr + m.value * mu)
        if self.nesterov:
            variable.assign(variable.value + (-g * lr + m.value * mu))
        else:
            variable.assign(variable.value + m.value)


class PlainRMSprop(O.RMSprop):
    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        g = ops.cast(gradient, variable.dtype)
        v = self._velocities[self._get_variable_index(variable)]
        v.assign(self.rho * v.value + (1 - self.rho) * ops.square(g))
        variable.assign(variable.value - lr * g / ops.sqrt(v.value + self.epsilon))


PLAIN_PAIRS = [
    (lambda: O.Adam(0.01), lambda: PlainAdam(0.01)),
    (lambda: O.AdamW(0.01), lambda: PlainAdam(0.01, weight_decay=0.004)),
    (lambda: O.SGD(0.1, momentum=0.9), lambda: PlainSGD(0.1, momentum=0.9)),
    (lambda: O.SGD(0.1, momentum=0.7, nesterov=True), lambda: PlainSGD(0.1, 0.7, True)),
    (lambda: O.RMSprop(0.01, rho=0.8), lambda: PlainRMSprop(0.01, rho=0.8)),
]


def _jit_steps(opt, weights, grads):
    vs = [Variable(x, name=f"w{i}") for i, x in enumerate(weights)]
    opt.build(vs)
    step = kerasx.jit(lambda ov, g, tv: opt.stateless_apply(ov, g, tv))
    tv = [v.value for v in vs]
    ov = [v.value for v in opt.variables]
    for gs in grads:
        tv, ov = step(ov, [ops.convert_to_tensor(g) for g in gs], tv)
    return list(tv) + list(ov)


@pytest.mark.parametrize("pair", range(len(PLAIN_PAIRS)))
def test_matches_the_plain_rule_eagerly_and_under_jit(engine, pair):
    """Against a subclass using the straightforward rule: eagerly, and as a jit-compiled
    stateless step on JAX (the trainer's path; one compiled step per call on both sides)."""
    fast, plain = PLAIN_PAIRS[pair]
    weights, grads = _data(seed=4)
    a, b = fast(), plain()
    _assert_same(_run(a, weights, grads) + a.variables, _run(b, weights, grads) + b.variables)
    if engine == "jax":
        _assert_same(_jit_steps(fast(), weights, grads), _jit_steps(plain(), weights, grads))


# ------------------------------------------------------------------ the fused ops themselves


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_fused_ops_equal_their_composite_body(engine, dtype):
    rng = np.random.default_rng(3)

    def t(*shape, scale=1.0, positive=False):
        x = rng.standard_normal(shape) * scale
        return ops.convert_to_tensor((np.abs(x) if positive else x).astype(dtype))

    g, w, m, v = t(5, 3), t(5, 3), t(5, 3, scale=0.1), t(5, 3, scale=0.01, positive=True)
    s = ops.convert_to_tensor(np.array(0.003, dtype))
    cases = [
        ("_adam_update", (g, w, m, v, s, 0.09999999999999998, 0.0010000000000000009, 1e-7)),
        ("_sgd_momentum_update", (g, w, m, s, ops.convert_to_tensor(np.array(0.9, dtype)), False)),
        ("_sgd_momentum_update", (g, w, m, s, ops.convert_to_tensor(np.array(0.7, dtype)), True)),
        ("_rmsprop_update", (g, w, v, s, 0.9, 1e-7)),
    ]
    for name, args in cases:
        op = REGISTRY[name]
        assert op.kernel is not None, f"{name} has no fused kernel on {engine}"
        fused = op.fn(*args)
        body = op.stub(*args)
        _assert_same(list(fused), list(body))


@pytest.mark.parametrize("reuse_gradient", [False, True])
def test_numpy_in_place_adam_is_its_kernel_bit_for_bit(reuse_gradient):
    """The NumPy engine's in-place Adam updates (what the replay of a training step runs),
    on weights of every size class: small ones, larger ones updated chunk by chunk in equal
    parts (in two, in five; they keep no weight-sized scratch buffer), and a large weight
    with a strided gradient (weight-sized scratch, its last operations chunk by chunk)."""
    kerasx.config.set_backend("numpy")
    from kerasx_numpy.kernels import optimizer_updates as K_OU

    rng = np.random.default_rng(4)
    big = 4 * K_OU._CHUNK + 7
    into = K_OU._adam_update_into_reusing_gradient if reuse_gradient else K_OU._adam_update_into
    for shape in [(5, 3), (K_OU._CHUNK + 5,), (big,), (3, big // 3 + 1), (2, K_OU._CHUNK)]:
        g, w, m = (rng.standard_normal(shape).astype(np.float32) for _ in range(3))
        v = rng.random(shape).astype(np.float32)
        if shape == (2, K_OU._CHUNK):  # a strided (transposed) gradient
            g = np.ascontiguousarray(g.T).T
        args = (np.float32(0.003), 0.09999999999999998, 0.0010000000000000009, 1e-7)
        expected = K_OU._adam_update(g, w, m, v, *args)
        g_before = g.copy()
        out = into(g, w, m, v, *args)
        assert out[0] is w and out[1] is m and out[2] is v
        for got, want in zip(out, expected):
            np.testing.assert_array_equal(got, want, err_msg=str(shape))
        if not reuse_gradient:
            np.testing.assert_array_equal(g, g_before)  # read only
    scratch = getattr(K_OU._SCRATCH, "buffers", {})
    assert all(b.size <= 2 * K_OU._CHUNK for b in scratch.values())  # the strided case's
    chunks = getattr(K_OU._SCRATCH, "chunks", {})
    assert chunks and all(b.size <= K_OU._CHUNK for b in chunks.values())


@pytest.mark.parametrize("one_off", [False, True])
@pytest.mark.parametrize("rule", ["sgd", "nesterov", "rmsprop"])
def test_numpy_in_place_sgd_and_rmsprop_are_their_kernels_bit_for_bit(rule, one_off, monkeypatch):
    """The NumPy engine's in-place SGD-with-momentum and RMSprop updates give their kernels'
    bits on small weights, on weights updated chunk by chunk in equal parts (in two, in
    five) and with a strided gradient, also in a trace's one call (temporary scratch, small
    parts); no scratch buffer grows past a chunk except for the strided case's weight."""
    import threading

    kerasx.config.set_backend("numpy")
    from kerasx_numpy.kernels import optimizer_updates as K_OU

    monkeypatch.setattr(K_OU, "_SCRATCH", threading.local())  # this test's own buffers
    rng = np.random.default_rng(5)
    big = 4 * K_OU._CHUNK + 7
    for shape in [(5, 3), (K_OU._CHUNK + 5,), (big,), (2, K_OU._CHUNK)]:
        g, w, s_ = (rng.standard_normal(shape).astype(np.float32) for _ in range(3))
        if rule == "rmsprop":
            s_ = np.abs(s_)
            kernel, into = K_OU._rmsprop_update, K_OU._rmsprop_update_into
            args = (np.float32(0.01), 0.9, 1e-7)
        else:
            kernel, into = K_OU._sgd_momentum_update, K_OU._sgd_momentum_update_into
            args = (np.float32(0.01), 0.9, rule == "nesterov")
        if shape == (2, K_OU._CHUNK):  # a strided (transposed) gradient
            g = np.ascontiguousarray(g.T).T
        expected = kernel(g, w, s_, *args)
        g_before = g.copy()
        if one_off:
            with K_OU.one_off_scratch():
                out = into(g, w, s_, *args)
        else:
            out = into(g, w, s_, *args)
        assert out[0] is w and out[1] is s_
        for got, want in zip(out, expected):
            np.testing.assert_array_equal(got, want, err_msg=str(shape))
        np.testing.assert_array_equal(g, g_before)  # read only
    chunks = getattr(K_OU._SCRATCH, "chunks", {})
    assert chunks and all(b.size <= K_OU._CHUNK for b in chunks.values())
    weight_sized = getattr(K_OU._SCRATCH, "buffers", {})
    assert all(b.size <= 2 * K_OU._CHUNK for b in weight_sized.values())  # not `big`
    if one_off:  # only buffer 0 is kept from a trace's call
        assert {k for _, k in chunks} == {0}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_adam_step_size_is_its_composite_body_bit_for_bit(engine, dtype):
    """Adam's bias-corrected step size, over the first steps and far ones: the engine's op
    (a fused kernel on NumPy) gives the composite body's bits, and the float64 formula's
    value to the dtype's precision."""
    op = REGISTRY["_adam_step_size"]
    steps = [*range(1, 40), 100, 999, 1000, 12345]
    if dtype != "float16":  # past float16's range
        steps.append(1_000_000)
    for lr, b1, b2 in [(0.001, 0.9, 0.999), (0.03, 0.8, 0.95), (1.0, 0.5, 0.25)]:
        for t in steps:
            args = (
                ops.convert_to_tensor(np.array(lr, dtype)),
                ops.convert_to_tensor(np.array(float(t), dtype)),
                b1,
                b2,
            )
            fused, body = _np(op.fn(*args)), _np(op.stub(*args))
            assert fused.shape == () and fused.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(fused, body, err_msg=f"step {t}")
            t_ = float(np.array(t, dtype))
            exact = lr * np.sqrt(1 - b2**t_) / (1 - b1**t_)
            rtol = {"float16": 5e-2, "float32": 1e-4, "float64": 1e-12}[dtype]
            np.testing.assert_allclose(float(fused), exact, rtol=rtol)


def test_fused_ops_are_private():
    assert OU.__all__ == []
    for name in ("_adam_update", "_sgd_momentum_update", "_rmsprop_update", "_adam_step_size"):
        assert name in REGISTRY
        assert not hasattr(ops, name)
        assert REGISTRY[name].nondiff and REGISTRY[name].composite


# ------------------------------------------------------------------ per-step work


def _count_calls(monkeypatch, name):
    calls = []
    original = getattr(ops, name)

    def counting(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(ops, name, counting)
    return calls


def test_step_scalars_are_computed_once_per_apply(engine, monkeypatch):
    weights, grads = _data()
    opt = O.AdamW(0.01)
    vs = [Variable(x, name=f"w{i}") for i, x in enumerate(weights)]
    opt.apply([ops.convert_to_tensor(g) for g in grads[0]], vs)
    from kerasx.optimizers import adam

    sizes = []
    step_size = adam._adam_step_size
    monkeypatch.setattr(
        adam, "_adam_step_size", lambda *a: sizes.append(a) or step_size(*a), raising=True
    )
    casts = _count_calls(monkeypatch, "cast")
    opt.apply([ops.convert_to_tensor(g) for g in grads[1]], vs)
    assert len(sizes) == 1  # the bias-corrected step size, shared by the 4 weights
    # learning rate, weight decay, step count, plus one per gradient
    assert len(casts) == 3 + len(vs)


def test_schedule_is_evaluated_once_per_apply(engine):
    calls = []

    class Counting(O.schedules.LearningRateSchedule):
        def __call__(self, step):
            calls.append(1)
            return ops.cast(0.01, "float32") * 1.0

        def get_config(self):
            return {}

    weights, grads = _data()
    opt = O.AdamW(Counting())
    vs = _run(opt, weights, grads)
    assert len(calls) == STEPS
    expected = _adam_ref(opt, weights, grads, weight_decay=0.004)[0]
    _assert_same(vs, expected)


def test_update_step_outside_apply_and_overrides(engine):
    weights, grads = _data()
    opt = O.Adam(0.01)
    vs = [Variable(x, name=f"w{i}") for i, x in enumerate(weights)]
    opt.build(vs)
    for g, v in zip(grads[0], vs):  # a direct call: no step cache, same numbers
        opt.update_step(ops.convert_to_tensor(g), v, opt.learning_rate)
    _assert_same(vs, _adam_ref(opt, weights, grads[:1])[0])

    seen = []

    class MyAdam(O.Adam):
        def update_step(self, gradient, variable, learning_rate):
            seen.append(variable.name)
            super().update_step(gradient, variable, learning_rate)

    opt = MyAdam(0.01)
    vs = _run(opt, weights, grads)
    assert len(seen) == STEPS * len(SHAPES)
    _assert_same(vs, _adam_ref(opt, weights, grads)[0])


def test_excluded_weights_skip_decay(engine):
    weights, grads = _data()
    opt = O.AdamW(0.01, weight_decay=0.1)
    vs = [Variable(x, name=f"w{i}") for i, x in enumerate(weights)]
    opt.exclude_from_weight_decay(var_names=["w1", "w3"])
    for gs in grads:
        opt.apply([ops.convert_to_tensor(g) for g in gs], vs)
    decayed = _adam_ref(opt, weights, grads, weight_decay=0.1)[0]
    plain = _adam_ref(opt, weights, grads)[0]
    _assert_same([vs[0], vs[2]], [decayed[0], decayed[2]])
    _assert_same([vs[1], vs[3]], [plain[1], plain[3]])

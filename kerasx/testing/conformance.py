"""The engine conformance suite: every OpDef x every installed engine.

A third-party engine runs it against itself (see ``backends/README.md``)::

    from kerasx.testing import conformance
    conformance.run_all(engines=["myengine"])          # raises on the first failure

or, in pytest, parametrize over `cases()` and call the ``check_*`` functions.

Checks, for each op sample:
- `check_forward`: values on the engine against the NumPy engine, the op's independent
  reference (``ref``) and real Keras 3 when it is installed; result shape and dtype against
  the op's rules.
- `check_symbolic`: the KerasTensor path predicts the eager result's shape and dtype.
- `check_grad_fd`: gradients (float64) against central finite differences.
- `check_tape_vs_jax`: the NumPy tape's gradients against `jax.vjp`.
- `check_rules_on_jax`: each VJP rule, run on the JAX engine, against `jax.vjp`.
- `check_on_jax`: the four checks above that run on JAX, compiled as one program.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from kerasx.engine import discovery, dispatch, tree
from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import REGISTRY, OpDef, Sample
from kerasx.engine.symbolic import KerasTensor

SEED = 1234


# ------------------------------------------------------------------------------ plumbing


@contextlib.contextmanager
def use_engine(name: str) -> Iterator[None]:
    """Activate engine `name` for the duration of a `with` block."""
    previous = discovery.active_name()
    discovery.activate(name)
    try:
        yield
    finally:
        discovery.activate(previous)


@functools.cache
def _installed() -> tuple[str, ...]:
    # Looked up once: scanning the installed distributions' entry points takes ~20 ms, and
    # the checks ask for every case.
    return tuple(discovery.installed_engines())


def installed_engines() -> list[str]:
    """Engines the suite can run on here."""
    return list(_installed())


_SAMPLES: dict[str, list[Sample]] = {}


def samples_of(op: OpDef) -> list[Sample]:
    """The op's samples, generated (once) with a fixed seed."""
    if op.samples is None:
        return []
    if op.name not in _SAMPLES:
        _SAMPLES[op.name] = list(op.samples(np.random.default_rng(SEED)))
    return _SAMPLES[op.name]


def cases(names: Any = None) -> list[tuple[str, int]]:
    """All (op name, sample index) pairs, optionally limited to `names`."""
    out = []
    for name in sorted(REGISTRY):
        if names is not None and name not in names:
            continue
        op = REGISTRY[name]
        for i in range(len(samples_of(op))):
            out.append((name, i))
    return out


def get_sample(name: str, index: int) -> tuple[OpDef, Sample]:
    """The OpDef and its `index`-th sample."""
    op = REGISTRY[name]
    return op, samples_of(op)[index]


def _cast_floats(x: Any, float_dtype: str) -> Any:
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f":
            return x.astype(float_dtype)
        if x.dtype.kind == "c":
            return x.astype("complex64" if float_dtype == "float32" else "complex128")
        return x
    if isinstance(x, list) and x and all(isinstance(t, np.ndarray) for t in x):
        return [_cast_floats(t, float_dtype) for t in x]
    if isinstance(x, tuple) and x and all(isinstance(t, np.ndarray) for t in x):
        return tuple(_cast_floats(t, float_dtype) for t in x)
    return x


def prepare(sample: Sample, float_dtype: str) -> tuple[tuple, dict]:
    """Sample arguments with float arrays cast to `float_dtype`."""
    args = tuple(_cast_floats(a, float_dtype) for a in sample.args)
    kwargs = {k: _cast_floats(v, float_dtype) for k, v in sample.kwargs.items()}
    return args, kwargs


def _to_numpy_tree(x: Any) -> Any:
    eng = dispatch.engine()
    return tree.map_structure(
        lambda v: (
            np.asarray(eng.to_numpy(v)) if v is not None and not isinstance(v, (str, bytes)) else v
        ),
        x,
    )


def run_op(op: OpDef, args: tuple, kwargs: dict) -> Any:
    """Call the op's public function and bring the result back as NumPy."""
    return _to_numpy_tree(op.fn(*args, **kwargs))


def _leaves(x: Any) -> list:
    return tree.flatten(x)


def _assert_close(actual: Any, expected: Any, rtol: float, atol: float, what: str) -> None:
    a_leaves, e_leaves = _leaves(actual), _leaves(expected)
    if len(a_leaves) != len(e_leaves):
        raise AssertionError(f"{what}: {len(a_leaves)} outputs, expected {len(e_leaves)}")
    for i, (a, e) in enumerate(zip(a_leaves, e_leaves)):
        a = np.asarray(a)
        e = np.asarray(e)
        if a.shape != e.shape:
            raise AssertionError(f"{what}: output {i} has shape {a.shape}, expected {e.shape}")
        if a.dtype.kind in "OUS" or e.dtype.kind in "OUS":
            if not np.array_equal(a.astype(str), e.astype(str)):
                raise AssertionError(f"{what}: output {i} differs: {a} vs {e}")
            continue
        if a.dtype == bool or e.dtype == bool or a.dtype.kind in "iu":
            if not np.array_equal(a, e):
                raise AssertionError(f"{what}: output {i} differs:\n{a}\nexpected\n{e}")
            continue
        np.testing.assert_allclose(
            a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
            e.astype(np.complex128 if e.dtype.kind == "c" else np.float64),
            rtol=rtol,
            atol=atol,
            equal_nan=True,
            err_msg=f"{what}: output {i}",
        )


def _dtype_name(x: Any) -> str:
    return (
        _dt.standardize_dtype(np.asarray(x).dtype)
        if not hasattr(x, "dtype")
        else _dt.standardize_dtype(x.dtype)
    )


# --------------------------------------------------------------------------- the checks


def keras_ops() -> Any:
    """Real Keras 3's ``keras.ops`` (NumPy backend) when installed, else None."""
    if importlib.util.find_spec("keras") is None:
        return None
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    try:
        import keras
    except Exception:  # an unusable Keras install is the same as none for parity checks
        return None
    return keras.ops


def _array_program(op: OpDef, args: tuple, kwargs: dict) -> tuple[Any, list]:
    """``(call, arrays)``: ``call(*arrays)`` is ``op.fn(*args, **kwargs)`` with the NumPy
    arrays among the arguments passed in (to be traced) and everything else fixed."""
    flat = tree.flatten((args, kwargs))
    where = [i for i, v in enumerate(flat) if isinstance(v, np.ndarray)]

    def call(*arrays: Any) -> Any:
        values = list(flat)
        for i, a in zip(where, arrays):
            values[i] = a
        a, k = tree.pack_sequence_as((args, kwargs), values)
        return op.fn(*a, **k)

    return call, [flat[i] for i in where]


def _compiled_call(op: OpDef, args: tuple, kwargs: dict) -> Any:
    """``op.fn(*args, **kwargs)`` compiled with the active engine's jit (the array arguments
    traced, everything else static), or run eagerly when the op cannot be traced or returns
    something that is not an array. One compilation per case: op-by-op eager execution on
    JAX compiles every primitive separately and took several times longer."""
    from kerasx.engine.autodiff import jit

    call, arrays = _array_program(op, args, kwargs)
    try:
        return jit(call)(*arrays)
    except Exception:  # untraceable (value-dependent) ops and non-array results run eagerly
        return op.fn(*args, **kwargs)


def check_forward(op: OpDef, sample: Sample, engine: str) -> None:
    """Forward values and dtypes on `engine` against the NumPy engine, `ref` and Keras."""
    args, kwargs = prepare(sample, "float32")
    with use_engine(engine):
        raw = _compiled_call(op, args, kwargs) if engine != "numpy" else op.fn(*args, **kwargs)
    _check_forward_result(op, sample, engine, raw, args, kwargs)


def _check_forward_result(
    op: OpDef, sample: Sample, engine: str, raw: Any, args: tuple, kwargs: dict
) -> None:
    """`check_forward`'s comparisons, given the op's result `raw` on `engine` for the
    sample's float32 arguments `args` / `kwargs`."""
    canon = _canonical(sample)
    with use_engine(engine):
        out = _to_numpy_tree(canon(raw))
        raw_dtypes = [_dtype_name(v) for v in _leaves(raw) if v is not None]
    with use_engine("numpy"):
        plain = run_op(op, args, kwargs)
        exp_dtypes = [_dtype_name(v) for v in _leaves(plain) if v is not None]
        expected = _to_numpy_tree(canon(plain))
    _assert_close(out, expected, sample.rtol, sample.atol, f"{op.name} on {engine} vs numpy")
    if raw_dtypes != exp_dtypes:
        raise AssertionError(
            f"{op.name} on {engine}: dtypes {raw_dtypes}, numpy gives {exp_dtypes}"
        )
    if op.ref is not None and engine == "numpy":
        ref = op.ref(*args, **kwargs)
        with use_engine("numpy"):
            ref = _to_numpy_tree(canon(ref))
        _assert_close(out, ref, sample.rtol, sample.atol, f"{op.name} vs its reference")
    if sample.keras and engine == "numpy":
        kops = keras_ops()
        kfn = getattr(kops, op.name, None) if kops is not None else None
        if kfn is None and kops is not None:
            for ns in ("image", "linalg", "nn", "numpy"):
                kfn = getattr(getattr(kops, ns, None), op.name, None)
                if kfn is not None:
                    break
        if kfn is not None:
            kout = tree.map_structure(np.asarray, kfn(*args, **kwargs))
            k_dtypes = [_dtype_name(v) for v in _leaves(kout)]
            with use_engine("numpy"):
                kout = _to_numpy_tree(canon(kout))
            _assert_close(out, kout, sample.rtol, sample.atol, f"{op.name} vs Keras 3")
            if k_dtypes != raw_dtypes:
                raise AssertionError(
                    f"{op.name}: result dtypes {raw_dtypes}, Keras 3 gives {k_dtypes}"
                )


def _symbolic_arg(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return KerasTensor(x.shape, _dt.standardize_dtype(x.dtype))
    if isinstance(x, (list, tuple)) and x and all(isinstance(t, np.ndarray) for t in x):
        return type(x)(_symbolic_arg(t) for t in x)
    return x


def check_symbolic(op: OpDef, sample: Sample) -> None:
    """The shape/dtype rules (KerasTensor path) agree with the eager result."""
    if op.higher_order:
        return
    args, kwargs = prepare(sample, "float32")
    slots = op.slots_of(args, kwargs)
    sslots = list(slots)
    for idx in op.tensors:
        sslots[idx] = _symbolic_arg(slots[idx])
    if not any(isinstance(v, KerasTensor) for v in tree.flatten(sslots)):
        return
    with use_engine("numpy"):
        eager = op.run(slots)
        sym = op.run(tuple(sslots))
    e_leaves = _leaves(eager)
    s_leaves = _leaves(sym)
    if len(e_leaves) != len(s_leaves):
        raise AssertionError(
            f"{op.name}: symbolic path gives {len(s_leaves)} outputs, eager gives {len(e_leaves)}"
        )
    for i, (e, s) in enumerate(zip(e_leaves, s_leaves)):
        if not isinstance(s, KerasTensor):
            continue
        eshape = tuple(np.shape(e))
        if len(s.shape) != len(eshape) or any(
            d is not None and d != ed for d, ed in zip(s.shape, eshape)
        ):
            raise AssertionError(
                f"{op.name}: symbolic shape {s.shape} does not match eager shape {eshape} "
                f"(output {i})"
            )
        if s.dtype != _dtype_name(e):
            raise AssertionError(
                f"{op.name}: symbolic dtype {s.dtype} does not match eager dtype "
                f"{_dtype_name(e)} (output {i})"
            )


def _diff_positions(op: OpDef, slots: tuple) -> list[tuple[int, int]]:
    """(slot index, position in a seq or -1) of each differentiable float input."""
    positions = []
    for idx, kind in op.tensors.items():
        name = op.slot_names[idx]
        if not op.composite and name not in op.vjp:
            continue
        v = slots[idx]
        if kind == "tensor":
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                positions.append((idx, -1))
        elif isinstance(v, (list, tuple)):
            for j, t in enumerate(v):
                if isinstance(t, np.ndarray) and t.dtype.kind == "f":
                    positions.append((idx, j))
    return positions


def _get(slots: tuple, pos: tuple) -> Any:
    idx, j = pos
    return slots[idx] if j < 0 else slots[idx][j]


def _set(slots: tuple, pos: tuple, value: Any) -> tuple:
    idx, j = pos
    new = list(slots)
    if j < 0:
        new[idx] = value
    else:
        seq = list(slots[idx])
        seq[j] = value
        new[idx] = type(slots[idx])(seq)
    return tuple(new)


def _canonical(sample: Sample) -> Any:
    """The sample's canonical form of results (identity when it has none)."""
    return sample.canonical if sample.canonical is not None else (lambda result: result)


def _cotangents(op: OpDef, sample: Sample, slots: tuple) -> list:
    with use_engine("numpy"):
        out = _to_numpy_tree(_canonical(sample)(op.run(slots)))
    rng = np.random.default_rng(SEED + 1)
    cts = []
    for leaf in _leaves(out):
        leaf = np.asarray(leaf)
        if leaf.dtype.kind in "fc":
            cts.append(rng.standard_normal(leaf.shape).astype(leaf.dtype))
        else:
            cts.append(None)
    return cts


def _loss_fn(op: OpDef, sample: Sample, slots: tuple, positions: list, cts: list) -> Any:
    from kerasx.ops._helpers import K

    canon = _canonical(sample)

    def loss(diff_inputs: list) -> Any:
        s = slots
        for pos, v in zip(positions, diff_inputs):
            s = _set(s, pos, v)
        out = canon(op.run(s))
        total = None
        for leaf, c in zip(_leaves(out), cts):
            if c is None:
                continue
            term = K.sum(
                K.real(K.multiply(leaf, c)) if c.dtype.kind == "c" else K.multiply(leaf, c)
            )
            total = term if total is None else K.add(total, term)
        return total

    return loss


def _has_grad(op: OpDef, sample: Sample) -> bool:
    return sample.grad and not op.nondiff and not op.higher_order


def _jit_or_eager(fn: Any) -> Any:
    """`fn` compiled with the active engine's jit, falling back to eager execution when the
    function cannot be traced (data-dependent shapes or Python control flow on values)."""
    from kerasx.engine.autodiff import jit

    compiled = jit(fn)

    def run(*args: Any) -> Any:
        try:
            return compiled(*args)
        except Exception as e:  # tracing failures have several JAX error types
            if "Tracer" not in type(e).__name__ and "Concretization" not in type(e).__name__:
                raise
            return fn(*args)

    return run


_GRAD_CACHE: dict[tuple, Any] = {}


def _gradient_program(op: OpDef, sample: Sample) -> Any:
    """``(inputs, positions, cotangents, loss)`` of the sample's scalar test loss, or None
    when the sample has no gradient to check (see `engine_gradients`)."""
    if not _has_grad(op, sample):
        return None
    slots = op.slots_of(*prepare(sample, "float64"))
    positions = _diff_positions(op, slots)
    cts = _cotangents(op, sample, slots) if positions else []
    if not positions or all(c is None for c in cts):
        return None
    loss = _loss_fn(op, sample, slots, positions, cts)
    inputs = [np.ascontiguousarray(_get(slots, p)) for p in positions]
    return inputs, positions, cts, loss


def engine_gradients(op: OpDef, sample: Sample, engine: str) -> Any:
    """(inputs, positions, cotangents, loss, grads) of the sample's scalar test loss on `engine`.

    The loss is ``sum(op(*inputs) * cotangents)`` over the float inputs and outputs (float64).
    Gradients come from `kerasx.value_and_grad` (the tape on NumPy, JAX's autodiff on JAX),
    compiled with `kerasx.jit` where the function can be traced. None when not applicable.
    """
    key = (op.name, id(sample), engine)
    if key in _GRAD_CACHE:
        return _GRAD_CACHE[key]
    result = None
    program = _gradient_program(op, sample)
    if program is not None:
        from kerasx.engine.autodiff import value_and_grad

        inputs, positions, cts, loss = program
        with use_engine(engine):
            vg = value_and_grad(loss)
            _, grads = _jit_or_eager(vg)(inputs) if engine != "numpy" else vg(inputs)
            grads = [np.asarray(dispatch.engine().to_numpy(g)) for g in grads]
        result = (inputs, positions, cts, loss, grads)
    _GRAD_CACHE[key] = result
    return result


def check_grad_fd(op: OpDef, sample: Sample, engine: str, eps: float = 1e-6) -> None:
    """Gradients on `engine` (float64) against central finite differences."""
    computed = engine_gradients(op, sample, engine)
    if computed is None:
        return
    inputs, positions, cts, loss, grads = computed
    rtol, atol = 1e-4, 1e-6
    if any(c is not None and c.dtype not in (np.float64, np.complex128) for c in cts):
        eps, rtol, atol = 1e-3, 2e-2, 2e-3  # a lower-precision output limits the FD accuracy
    with use_engine("numpy"):
        for k, x in enumerate(inputs):
            fd = np.zeros(x.shape, dtype=x.dtype)
            flat = x.reshape(-1)
            for j in range(flat.size):
                xp = flat.copy()
                xp[j] += eps
                xm = flat.copy()
                xm[j] -= eps
                ins_p = list(inputs)
                ins_p[k] = xp.reshape(x.shape)
                ins_m = list(inputs)
                ins_m[k] = xm.reshape(x.shape)
                fp = float(np.asarray(loss(ins_p)))
                fm = float(np.asarray(loss(ins_m)))
                fd.reshape(-1)[j] = (fp - fm) / (2 * eps)
            np.testing.assert_allclose(
                grads[k],
                fd,
                rtol=rtol,
                atol=atol,
                err_msg=f"{op.name} on {engine}: gradient of input {positions[k]} vs finite differences",
            )


def check_tape_vs_jax(op: OpDef, sample: Sample) -> None:
    """The NumPy tape's gradients (float64) against JAX's autodiff of the same function."""
    if "jax" not in installed_engines():
        return
    tape = engine_gradients(op, sample, "numpy")
    if tape is None:
        return
    jax_grads = engine_gradients(op, sample, "jax")[4]
    for k, (a, b) in enumerate(zip(tape[4], jax_grads)):
        np.testing.assert_allclose(
            a,
            b,
            rtol=1e-7,
            atol=1e-9,
            err_msg=f"{op.name}: tape gradient of input {tape[1][k]} vs jax.grad",
        )


def _rules_program(op: OpDef, sample: Sample) -> Any:
    """``(fn, primals, diff_idx)`` for `check_rules_on_jax`, built on the active (JAX)
    engine: ``fn(*primals)`` returns ``(jax.vjp's cotangents, the rules' cotangents)`` for the
    differentiable slots `diff_idx`. None when the sample has no rule to check."""
    if not _has_grad(op, sample) or not op.vjp:
        return None
    import jax

    args, kwargs = prepare(sample, "float64")
    slots = op.slots_of(args, kwargs)
    eng = dispatch.engine()
    jslots = list(slots)
    diff_idx = []
    for idx, kind in op.tensors.items():
        v = slots[idx]
        name = op.slot_names[idx]
        if kind == "tensor" and isinstance(v, np.ndarray):
            jslots[idx] = eng.convert_to_tensor(v)
            if v.dtype.kind == "f" and name in op.vjp:
                diff_idx.append(idx)
        elif kind == "seq" and isinstance(v, (list, tuple)):
            jslots[idx] = type(v)(
                eng.convert_to_tensor(t) if isinstance(t, np.ndarray) else t for t in v
            )
            if name in op.vjp and all(isinstance(t, np.ndarray) and t.dtype.kind == "f" for t in v):
                diff_idx.append(idx)
    if not diff_idx:
        return None

    def f(*diff_vals: Any) -> Any:
        s = list(jslots)
        for i, v in zip(diff_idx, diff_vals):
            s[i] = v
        return op.run(tuple(s))

    primals = [jslots[i] for i in diff_idx]
    out_spec = jax.eval_shape(f, *primals)
    rng = np.random.default_rng(SEED + 2)

    def make_ct(a: Any) -> Any:
        if np.dtype(a.dtype).kind in "fc":
            return jax.numpy.asarray(rng.standard_normal(a.shape).astype(a.dtype))
        return np.zeros(a.shape, dtype=jax.dtypes.float0)

    g = tree.map_structure(make_ct, out_spec)

    def expected_fn(*xs: Any) -> Any:
        return jax.vjp(f, *xs)[1](g)

    def rules_fn(*xs: Any) -> Any:
        s = list(jslots)
        for i, v in zip(diff_idx, xs):
            s[i] = v
        ans = op.run(tuple(s))
        out = []
        for i, x in zip(diff_idx, xs):
            got = op.vjp[op.slot_names[i]](g, ans, *s)
            out.append(tree.map_structure(jax.numpy.zeros_like, x) if got is None else got)
        return out

    return (lambda *xs: (expected_fn(*xs), rules_fn(*xs))), primals, diff_idx


def _check_rules_result(op: OpDef, diff_idx: list, expected: Any, got_all: Any) -> None:
    for k, idx in enumerate(diff_idx):
        _assert_close(
            tree.map_structure(np.asarray, got_all[k]),
            tree.map_structure(np.asarray, expected[k]),
            1e-7,
            1e-9,
            f"{op.name}: rule for `{op.slot_names[idx]}` on JAX vs jax.vjp",
        )


def check_rules_on_jax(op: OpDef, sample: Sample) -> None:
    """Each VJP rule, executed on the JAX engine, against `jax.vjp` of the kernel."""
    if "jax" not in installed_engines():
        return
    with use_engine("jax"):
        program = _rules_program(op, sample)
        if program is None:
            return
        fn, primals, diff_idx = program
        # One compilation for both (compiling each separately took twice as long).
        expected, got_all = _jit_or_eager(fn)(*primals)
        _check_rules_result(op, diff_idx, expected, got_all)


def check_on_jax(op: OpDef, sample: Sample) -> None:
    """Every JAX check of a case - `check_forward`, `check_grad_fd`, `check_tape_vs_jax` and
    `check_rules_on_jax` on the JAX engine - from one compiled program: the forward call, the
    gradients and the rules' comparison are traced together and compiled once (compiled
    apart, three XLA compilations per case were most of the suite's conformance time; most
    of a small compilation's cost is fixed). When that program cannot be traced
    (value-dependent ops, results that are not arrays), each check runs on its own."""
    if "jax" not in installed_engines():
        return
    import jax

    from kerasx.engine.autodiff import value_and_grad

    f_args, f_kwargs = prepare(sample, "float32")
    grad = _gradient_program(op, sample)
    with use_engine("jax"):
        call, arrays = _array_program(op, f_args, f_kwargs)
        vg = value_and_grad(grad[3]) if grad is not None else None
        rules = _rules_program(op, sample)

        def everything(fwd_arrays: list, grad_inputs: Any, primals: Any) -> Any:
            return (
                call(*fwd_arrays),
                vg(grad_inputs)[1] if vg is not None else None,
                rules[0](*primals) if rules is not None else None,
            )

        try:
            raw, grads, rule_results = jax.jit(everything)(
                arrays,
                grad[0] if grad is not None else None,
                rules[1] if rules is not None else None,
            )
            traced = True
        except Exception:  # untraceable ops: the checks one by one, each with its fallback
            traced = False
    if not traced:
        check_forward(op, sample, "jax")
        check_grad_fd(op, sample, "jax")
        check_tape_vs_jax(op, sample)
        check_rules_on_jax(op, sample)
        return
    _check_forward_result(op, sample, "jax", raw, f_args, f_kwargs)
    _GRAD_CACHE[(op.name, id(sample), "jax")] = (
        (*grad, [np.asarray(g) for g in grads]) if grad is not None else None
    )
    check_grad_fd(op, sample, "jax")
    check_tape_vs_jax(op, sample)
    if rules is not None:
        with use_engine("jax"):
            _check_rules_result(op, rules[2], *rule_results)


def run_all(engines: Any = None, names: Any = None) -> int:
    """Run every check for every case on `engines`; raise at the first failure.

    Returns:
        The number of (op, sample) cases checked.
    """
    engines = list(engines or installed_engines())
    n = 0
    for name, i in cases(names):
        op, sample = get_sample(name, i)
        check_symbolic(op, sample)
        for eng in engines:
            if eng == "jax":
                check_on_jax(op, sample)
            else:
                check_forward(op, sample, eng)
                check_grad_fd(op, sample, eng)
        n += 1
    return n


# ---------------------------------------------------------------------------- coverage


def coverage(engines: Any = None) -> list[dict]:
    """One row per public Keras op name: how each engine provides it.

    Each row: ``{"name", "op", "engines": {engine: status}}`` where status is "kernel",
    "composite", "fused" (composite with an engine kernel), "missing", or "unsupported: <reason>".
    """
    import kerasx.ops as kops
    from kerasx.testing import surface

    engines = list(engines or installed_engines())
    names = sorted(set(surface.OPS) | {f"image.{n}" for n in surface.OPS_IMAGE})
    loaded = {e: discovery.load(e) for e in engines}
    rows = []
    for name in names:
        if name.startswith("image."):
            fn = getattr(getattr(kops, "image", None), name[6:], None)
        else:
            fn = getattr(kops, name, None)
        op = getattr(fn, "opdef", None)
        row: dict[str, Any] = {"name": name, "op": op.name if op else None, "engines": {}}
        for e, eng in loaded.items():
            if op is None:
                status = "missing"
            elif e in op.unsupported or op.name in eng.unsupported:
                status = "unsupported: " + (op.unsupported.get(e) or eng.unsupported[op.name])
            elif op.composite:
                status = "fused" if op.name in eng.kernels else "composite"
            elif op.name in eng.kernels:
                status = "kernel"
            else:
                status = "missing"
            row["engines"][e] = status
        rows.append(row)
    return rows


def coverage_table(engines: Any = None) -> str:
    """The coverage table as Markdown: ops x engines, with every exception and its reason."""
    rows = coverage(engines)
    engines = list(rows[0]["engines"]) if rows else []
    lines = ["| op | " + " | ".join(engines) + " |", "|---|" + "---|" * len(engines)]
    for r in rows:
        lines.append(f"| {r['name']} | " + " | ".join(r["engines"][e] for e in engines) + " |")
    counts = {
        e: sum(1 for r in rows if r["engines"][e] in ("kernel", "composite", "fused"))
        for e in engines
    }
    lines.append("")
    lines.append("covered: " + ", ".join(f"{e} {counts[e]}/{len(rows)}" for e in engines))
    return "\n".join(lines)


if __name__ == "__main__":
    print(coverage_table())

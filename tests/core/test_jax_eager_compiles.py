"""The JAX engine's eager paths that do not compile a program per shape.

- Random draws compiled per size bucket (backends/kerasx_jax/random.py): the values are
  exactly those of a draw of the shape itself, and shapes of one bucket share the programs.
- `convert_to_tensor` of NumPy data copies it to the device without compiling anything.
- A convolution run as a patch product is one program, not one per kernel offset.
"""

import contextlib

import numpy as np
import pytest

from kerasx.engine import discovery
from kerasx.testing.conformance import use_engine

pytestmark = pytest.mark.skipif(
    "jax" not in discovery.installed_engines(), reason="JAX is not installed"
)

SHAPES = [(), (0, 3), (65,), (13, 7)]  # (each compiles a per-shape draw to compare with)


@pytest.fixture
def jr():
    with use_engine("jax"):
        import jax.numpy as jnp
        from kerasx_jax import random

        yield random, jnp


def _draws(jr):
    random, jnp = jr
    return [
        (random.uniform, (-0.3, jnp.asarray(0.7, "float32")), ["float32", "bfloat16"]),
        (random.normal, (0.5, 2.0), ["float32", "int32"]),
        (random.truncated_normal, (0.0, 0.05), ["float64"]),
        (random.randint, (-5, 100), ["int32", "uint8"]),
    ]


def _seed(jnp, i):
    return jnp.asarray([i, 1000 + 7 * i], "uint32")


def test_bucket_sizes():
    from kerasx_jax.random import _bucket

    assert [_bucket(n) for n in (0, 1, 64, 65, 80, 81, 100, 128, 129, 1000)] == [
        64, 64, 64, 80, 80, 96, 112, 128, 160, 1024,
    ]  # fmt: skip
    for n in range(65, 5000):
        b = _bucket(n)
        assert n <= b < 1.25 * n, n
    # four buckets an octave
    assert len({_bucket(n) for n in range(1025, 2049)}) == 4


def test_eager_draws_equal_the_draw_of_the_shape(jr):
    random, jnp = jr
    for kernel, params, dtypes in _draws(jr):
        for dtype in dtypes:
            for i, shape in enumerate(SHAPES):
                got = kernel(_seed(jnp, i), shape, *params, dtype)
                want = kernel.draw(_seed(jnp, i), shape, *params, dtype)
                assert got.shape == want.shape == shape
                assert got.dtype == want.dtype, (kernel.__name__, dtype)
                np.testing.assert_array_equal(
                    np.asarray(got), np.asarray(want), err_msg=f"{kernel.__name__} {dtype}"
                )


def test_parameters_with_a_shape_draw_the_shape(jr):
    random, jnp = jr
    mean = jnp.asarray([0.0, 10.0], "float32")
    got = random.normal(_seed(jnp, 4), (1000, 2), mean, 1.0, "float32")
    want = random.normal.draw(_seed(jnp, 4), (1000, 2), mean, 1.0, "float32")
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    assert 9.5 < float(got[:, 1].mean()) < 10.5


def test_eager_draws_equal_the_traced_draws(jr):
    import jax

    random, jnp = jr
    shape = (17, 9)
    for kernel, params, dtypes in _draws(jr):
        traced = jax.jit(lambda s, k=kernel, p=params, d=dtypes[0]: k(s, shape, *p, d))
        # (equal up to rounding: XLA evaluates the compiled program's arithmetic its own way)
        np.testing.assert_allclose(
            np.asarray(kernel(_seed(jnp, 3), shape, *params, dtypes[0])),
            np.asarray(traced(_seed(jnp, 3))),
            rtol=1e-6,
            atol=1e-7,
        )


@contextlib.contextmanager
def _count_compilations():
    """A list that receives one entry per XLA compilation while the block runs."""
    import jax

    seen = []

    def listener(event, duration, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration":
            seen.append(duration)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield seen
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


def test_concrete_arguments_under_an_enclosing_trace(jr):
    """Concrete seed and parameters, but called while JAX traces (`jax.checkpoint`, a `jit`
    closing over the seed): the draw is traced, and still equals the eager one."""
    import jax

    random, jnp = jr
    seed = _seed(jnp, 6)
    eager = random.uniform(seed, (13, 7), 0.0, 1.0, "float32")
    under_jit = jax.jit(lambda: random.uniform(seed, (13, 7), 0.0, 1.0, "float32"))()
    checkpointed = jax.checkpoint(lambda x: x + random.uniform(seed, (13, 7), 0.0, 1.0, "float32"))(
        jnp.zeros((13, 7), "float32")
    )
    for got in (under_jit, checkpointed):
        np.testing.assert_allclose(np.asarray(got), np.asarray(eager), rtol=1e-6, atol=1e-7)


def test_shapes_of_one_bucket_share_their_compilations(jr):
    random, jnp = jr
    for kernel, params, dtypes in _draws(jr):
        kernel(_seed(jnp, 0), (301, 7), *params, dtypes[0])  # bucket 2560, compiled here
        with _count_compilations() as compiled:
            for shape in [(7, 301), (2100,), (5, 6, 70), (2500,)]:
                kernel(_seed(jnp, 1), shape, *params, dtypes[0])
        assert not compiled, kernel.__name__
        with _count_compilations() as compiled:  # the per-shape draw compiles for a new shape
            kernel.draw(_seed(jnp, 1), (3, 701), *params, dtypes[0])
        assert compiled, kernel.__name__


def test_large_draws_are_drawn_at_their_own_shape(jr, monkeypatch):
    random, jnp = jr
    monkeypatch.setattr(random, "BUCKETED_MAX", 100)
    random.normal(_seed(jnp, 0), (10, 10), 0.0, 1.0, "float32")  # bucketed (100 values)
    with _count_compilations() as compiled:
        random.normal(_seed(jnp, 0), (5, 20), 0.0, 1.0, "float32")
    assert not compiled
    for shape in [(101,), (3, 41)]:
        with _count_compilations() as compiled:
            got = random.normal(_seed(jnp, 0), shape, 0.0, 1.0, "float32")
        assert compiled, shape  # a program of this shape
        want = random.normal.draw(_seed(jnp, 0), shape, 0.0, 1.0, "float32")
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_off_the_cpu_the_prefix_is_sliced_on_the_device(jr, monkeypatch):
    random, jnp = jr
    monkeypatch.setattr(random, "_on_cpu", lambda x: False)
    for shape in [(13, 7), (), (0, 2)]:
        got = random.normal(_seed(jnp, 5), shape, 0.0, 1.0, "float32")
        want = random.normal.draw(_seed(jnp, 5), shape, 0.0, 1.0, "float32")
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_without_partitionable_threefry_draws_are_per_shape(jr):
    import jax

    random, jnp = jr
    with jax.threefry_partitionable(False):
        got = random.uniform(_seed(jnp, 2), (13, 7), 0.0, 1.0, "float32")
        want = jax.random.uniform(
            jax.random.wrap_key_data(_seed(jnp, 2)), (13, 7), "float32", 0.0, 1.0
        )
        longer = random.uniform.draw(_seed(jnp, 2), (128,), 0.0, 1.0, "float32")
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    # (a prefix of a longer draw is not the same draw without it)
    assert not np.array_equal(np.asarray(longer)[:91], np.asarray(want).reshape(-1))


def test_convert_to_tensor_copies_numpy_data_without_compiling(jr):
    from kerasx.engine import dispatch

    eng = dispatch.engine()
    for k, dtype in enumerate(["float32", "int64", "bool", "float64"]):
        for convert in (
            lambda a: eng.convert_to_tensor(a),
            lambda a, d=dtype: eng.convert_to_tensor(a, dtype=d),
        ):
            source = (np.arange(7 * (k + 11)) % 3).astype(dtype).reshape(7, k + 11)
            with _count_compilations() as compiled:
                tensor = convert(source)
            assert not compiled, dtype
            assert tensor.dtype == source.dtype and tensor.shape == source.shape
            expected = source.copy()
            source[...] = 1  # the caller's buffer changes; the tensor does not
            np.testing.assert_array_equal(np.asarray(tensor), expected)


def test_an_eager_patch_convolution_is_one_program(jr):
    random, jnp = jr
    from kerasx import ops

    x = jnp.asarray(np.random.default_rng(0).standard_normal((2, 300, 3)), "float32")
    kernel = jnp.asarray(np.random.default_rng(1).standard_normal((40, 3, 5)), "float32")
    with _count_compilations() as compiled:
        y = ops.conv(x, kernel)
    assert len(compiled) <= 2  # the convolution (and at most one helper), not 40 slices
    want = sum(
        np.einsum("bti,io->bto", np.asarray(x)[:, j : j + 261], np.asarray(kernel)[j])
        for j in range(40)
    )
    np.testing.assert_allclose(np.asarray(y), want, rtol=1e-4, atol=1e-4)

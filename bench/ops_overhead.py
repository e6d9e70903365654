"""What kerasx adds per op call over raw NumPy, and inside jit over jax.numpy.

Run: python bench/ops_overhead.py [--markdown]

Measures (median over many calls, repeated in alternating rounds):
- eager dispatch: `ops.add` on 4x4 float32 and `ops.matmul` on 64x64 float32 vs `np.add` /
  `np.matmul`;
- tape recording: the same ops on tape tracers inside `kerasx.value_and_grad` (NumPy engine);
- jit: a small MLP-like function jitted on the JAX engine vs the same in jax.numpy.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _per_call(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def median_time(fn, n: int = 20000, rounds: int = 7) -> float:
    fn()
    return statistics.median(_per_call(fn, n) for _ in range(rounds))


def paired(fn_a, fn_b, n: int, rounds: int = 9) -> tuple[float, float]:
    """Median per-call seconds of two functions, measured in alternating rounds."""
    fn_a()
    fn_b()
    a, b = [], []
    for _ in range(rounds):
        a.append(_per_call(fn_a, n))
        b.append(_per_call(fn_b, n))
    return statistics.median(a), statistics.median(b)


def _kept_per_call(f, x, y, n: int) -> float:
    kept = []
    start = time.perf_counter()
    for _ in range(n):
        kept.append(f(x, y))
    return (time.perf_counter() - start) / n


def bench_eager() -> list[tuple[str, float, float]]:
    import kerasx
    from kerasx import ops

    kerasx.config.set_backend("numpy")
    rows = []
    a4 = np.random.rand(4, 4).astype("float32")
    b4 = np.random.rand(4, 4).astype("float32")
    a64 = np.random.rand(64, 64).astype("float32")
    b64 = np.random.rand(64, 64).astype("float32")
    raw, kx = paired(lambda: np.add(a4, b4), lambda: ops.add(a4, b4), 20000)
    rows.append(("add 4x4, eager", raw, kx))
    raw, kx = paired(lambda: np.matmul(a64, b64), lambda: ops.matmul(a64, b64), 5000)
    rows.append(("matmul 64x64, eager", raw, kx))

    # Tape recording: time N ops on tracers inside one value_and_grad call, minus the same
    # N ops untraced, divided by N. The backward pass is excluded by measuring only the forward.
    from kerasx.engine import tape

    def traced(fn_op, x, y, n):
        def run(xx):
            for _ in range(n):
                fn_op(xx, y)

        level = len(tape._levels)
        tape._levels.append([])
        try:
            tx = tape.Tracer(x, level, None)
            start = time.perf_counter()
            run(tx)
            return (time.perf_counter() - start) / n
        finally:
            tape._levels.pop()

    for label, f, x, y, n in (
        ("add 4x4, recorded on tape", ops.add, a4, b4, 20000),
        ("matmul 64x64, recorded on tape", ops.matmul, a64, b64, 3000),
    ):
        plain = []
        rec = []
        for _ in range(7):
            # The tape keeps every result alive; so does this reference.
            plain.append(_kept_per_call(f, x, y, n))
            rec.append(traced(f, x, y, n))
        rows.append((label, statistics.median(plain), statistics.median(rec)))
    return rows


def bench_jit() -> list[tuple[str, float, float]]:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return []
    import kerasx
    from kerasx import ops

    kerasx.config.set_backend("jax")
    try:
        rng = np.random.default_rng(0)
        x = jnp.asarray(rng.standard_normal((256, 128)).astype("float32"))
        w1 = jnp.asarray(rng.standard_normal((128, 256)).astype("float32"))
        w2 = jnp.asarray(rng.standard_normal((256, 10)).astype("float32"))

        def f_kx(x, w1, w2):
            h = ops.tanh(ops.add(ops.matmul(x, w1), 1.0))
            return ops.sum(ops.multiply(ops.matmul(h, w2), 0.5))

        def f_jnp(x, w1, w2):
            h = jnp.tanh(jnp.matmul(x, w1) + 1.0)
            return jnp.sum(jnp.matmul(h, w2) * 0.5)

        jk = jax.jit(f_kx)
        jj = jax.jit(f_jnp)
        jk(x, w1, w2).block_until_ready()
        jj(x, w1, w2).block_until_ready()
        t_j, t_k = paired(
            lambda: jj(x, w1, w2).block_until_ready(),
            lambda: jk(x, w1, w2).block_until_ready(),
            300,
            rounds=11,
        )
        import re

        def hlo(f):
            text = jax.jit(f).lower(x, w1, w2).as_text()
            return re.sub(r"(jit_f_\w+|loc\(.*?\)|#loc\d*.*)", "", text)

        same = hlo(f_kx) == hlo(f_jnp)
        print(
            f"jit: kerasx's lowered program is {'IDENTICAL' if same else 'DIFFERENT'} to jax.numpy's"
        )
        return [("jitted MLP forward (JAX engine)", t_j, t_k)]
    finally:
        kerasx.config.set_backend("numpy")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--markdown", action="store_true", help="print a README table")
    args = parser.parse_args()
    rows = bench_eager() + bench_jit()
    if args.markdown:
        print("| measurement | reference | kerasx | added per call | ratio |")
        print("|---|---|---|---|---|")
    for label, ref, kx in rows:
        added = (kx - ref) * 1e6
        if args.markdown:
            print(
                f"| {label} | {ref * 1e6:.2f} us | {kx * 1e6:.2f} us | {added:+.2f} us | {kx / ref:.3f} |"
            )
        else:
            print(
                f"{label:34s} reference {ref * 1e6:9.2f} us  kerasx {kx * 1e6:9.2f} us  "
                f"added {added:+7.2f} us  ratio {kx / ref:.3f}"
            )


if __name__ == "__main__":
    main()

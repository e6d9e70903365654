"""A custom training loop on the digits data with kerasx's engine-neutral autodiff (no Model.fit).

A two-layer network (64 -> 64 -> 10), softmax cross-entropy, and a hand-written Adam update,
using only `kerasx.ops` and `kerasx.value_and_grad`. The same script runs on every engine:

    python examples/custom_training_loop.py                      # NumPy engine (default)
    KERASX_BACKEND=jax python examples/custom_training_loop.py   # JAX engine, jit-compiled step
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import kerasx
from kerasx import ops
from kerasx.datasets import digits


def init_params(rng: np.random.Generator, sizes: list[int]) -> list[dict]:
    """Glorot-uniform weights and zero biases, float32."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype("float32")
        params.append({"w": w, "b": np.zeros(fan_out, dtype="float32")})
    return params


def forward(params: list[dict], x):
    """Logits of the network."""
    h = x
    for i, layer in enumerate(params):
        h = ops.add(ops.matmul(h, layer["w"]), layer["b"])
        if i < len(params) - 1:
            h = ops.tanh(h)
    return h


def loss_fn(params: list[dict], x, y):
    """Mean softmax cross-entropy, with the logits as auxiliary output."""
    logits = forward(params, x)
    logp = ops.log_softmax(logits, axis=-1)
    picked = ops.take_along_axis(logp, ops.expand_dims(y, -1), axis=-1)
    return ops.negative(ops.mean(picked)), logits


def make_step(lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-7):
    """An Adam training step: (params, m, v, t, x, y) -> (loss, params, m, v)."""
    grad_fn = kerasx.value_and_grad(loss_fn, has_aux=True)

    def step(params, m, v, t, x, y):
        (loss, _), grads = grad_fn(params, x, y)
        new_p, new_m, new_v = [], [], []
        for p, g, mi, vi in zip(params, grads, m, v):
            lp, lm, lv = {}, {}, {}
            for k in p:
                lm[k] = ops.add(ops.multiply(b1, mi[k]), ops.multiply(1 - b1, g[k]))
                lv[k] = ops.add(ops.multiply(b2, vi[k]), ops.multiply(1 - b2, ops.square(g[k])))
                mhat = ops.divide(lm[k], ops.subtract(1.0, ops.power(b1, t)))
                vhat = ops.divide(lv[k], ops.subtract(1.0, ops.power(b2, t)))
                upd = ops.divide(ops.multiply(lr, mhat), ops.add(ops.sqrt(vhat), eps))
                lp[k] = ops.subtract(p[k], upd)
            new_p.append(lp)
            new_m.append(lm)
            new_v.append(lv)
        return loss, new_p, new_m, new_v

    return kerasx.jit(step)


def accuracy(params: list[dict], x, y) -> float:
    pred = ops.convert_to_numpy(ops.argmax(forward(params, x), axis=-1))
    return float(np.mean(pred == y))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = (x_train.reshape(-1, 64) / 16.0).astype("float32")
    x_test = (x_test.reshape(-1, 64) / 16.0).astype("float32")
    y_train = y_train.astype("int32")
    y_test = y_test.astype("int32")

    rng = np.random.default_rng(args.seed)
    params = init_params(rng, [64, args.hidden, 10])
    m = [{k: np.zeros_like(v) for k, v in p.items()} for p in params]
    v = [{k: np.zeros_like(val) for k, val in p.items()} for p in params]
    step = make_step(args.lr)

    print(f"engine: {kerasx.config.backend()}  train: {len(y_train)}  test: {len(y_test)}")
    t = 0
    n_batches = len(y_train) // args.batch_size
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(len(y_train))
        total = 0.0
        for b in range(n_batches):
            idx = order[b * args.batch_size : (b + 1) * args.batch_size]
            t += 1
            loss, params, m, v = step(params, m, v, np.float32(t), x_train[idx], y_train[idx])
            total += float(ops.convert_to_numpy(loss))
        acc = accuracy(params, x_test, y_test)
        elapsed = time.perf_counter() - start
        print(
            f"epoch {epoch:3d}  loss {total / max(n_batches, 1):.4f}  "
            f"test accuracy {acc:.4f}  ({elapsed:.2f}s)"
        )
    return {"loss": total / max(n_batches, 1), "accuracy": acc}


if __name__ == "__main__":
    main()

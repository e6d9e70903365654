"""The competitors of bench/training.py: one small class per training stack.

Every competitor trains the same MLP (784 -> Dense(128, relu) -> Dense(10, softmax)) with Adam
(learning rate 1e-3, epsilon 1e-7 as Keras's default) and sparse categorical cross-entropy, from
the same initial weights, and exposes the same three methods:

- ``fit_epoch(x, y, batch_size) -> float``: one pass over ``(x, y)`` in order, returning the
  mean training loss of the epoch (a host float, so the work is finished when it returns);
- ``predict(x, batch_size) -> np.ndarray``: softmax probabilities for ``x`` on the host;
- ``set_shuffle(seed)``: reshuffle the sample order every epoch (off by default).

The hand-written loops are written the way a careful user writes them: float32 throughout,
NumPy batches are views of the dataset (no copy), the JAX step is one ``jax.jit`` with donated
parameter and optimizer buffers, and the epoch loss is accumulated without a host sync per step.
Each competitor runs in its own process (see bench/training.py), so engines never share state.
"""

from __future__ import annotations

import math
import os

import numpy as np

LEARNING_RATE = 1e-3
BETA_1 = 0.9
BETA_2 = 0.999
EPSILON = 1e-7

# name -> (description, environment for its worker process)
COMPETITORS: dict[str, tuple[str, dict[str, str]]] = {
    "kerasx-numpy": ("kerasx, NumPy engine (tape autodiff)", {"KERASX_BACKEND": "numpy"}),
    "kerasx-jax": ("kerasx, JAX engine (jit step)", {"KERASX_BACKEND": "jax"}),
    "keras-jax": ("Keras 3, JAX backend", {"KERAS_BACKEND": "jax"}),
    "hand-jax": ("hand-written jax.jit + optax step", {}),
    "hand-numpy": ("hand-written NumPy forward/backward/Adam", {}),
    "torch": ("hand-written PyTorch CPU loop", {}),
}

# the modules each competitor needs; a competitor whose modules are missing is skipped
REQUIRES: dict[str, tuple[str, ...]] = {
    "kerasx-numpy": ("kerasx",),
    "kerasx-jax": ("kerasx", "jax"),
    "keras-jax": ("keras", "jax"),
    "hand-jax": ("jax", "optax"),
    "hand-numpy": (),
    "torch": ("torch",),
}


def _batches(n: int, batch_size: int, order: np.ndarray | None):
    """Yield (index, size) per batch: a slice in order, or an index array when shuffled."""
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        if order is None:
            yield slice(start, stop), stop - start
        else:
            yield order[start:stop], stop - start


class _Shuffler:
    def __init__(self) -> None:
        self._rng: np.random.Generator | None = None

    def set_shuffle(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)

    def _order(self, n: int) -> np.ndarray | None:
        return None if self._rng is None else self._rng.permutation(n)


# --------------------------------------------------------------------------- kerasx / Keras


class KerasLike:
    """kerasx or Keras 3: ``Sequential`` + ``compile`` + ``fit`` / ``predict``.

    Args:
        lib: the imported ``kerasx`` or ``keras`` module.
        init: initial weights ``[w1, b1, w2, b2]`` (Keras's order and layout).
        steps_per_execution: passed to ``compile``.
    """

    def __init__(self, lib, init: list[np.ndarray], steps_per_execution: int = 1) -> None:
        self.model = lib.Sequential(
            [
                lib.Input((784,)),
                lib.layers.Dense(init[0].shape[1], activation="relu"),
                lib.layers.Dense(10, activation="softmax"),
            ]
        )
        self.model.compile(
            optimizer=lib.optimizers.Adam(
                learning_rate=LEARNING_RATE, beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILON
            ),
            loss="sparse_categorical_crossentropy",
            steps_per_execution=steps_per_execution,
        )
        self.model.set_weights(init)
        self.shuffle = False

    def set_shuffle(self, seed: int) -> None:
        self.shuffle = True

    def fit_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
        history = self.model.fit(
            x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=self.shuffle
        )
        return float(history.history["loss"][-1])

    def predict(self, x: np.ndarray, batch_size: int) -> np.ndarray:
        return np.asarray(self.model.predict(x, batch_size=batch_size, verbose=0))


def make_kerasx(backend: str):
    import kerasx

    kerasx.config.set_backend(backend)  # KERASX_BACKEND already says so; make it explicit
    return lambda init, spe=1: KerasLike(kerasx, init, spe)


def make_keras():
    if os.environ.get("KERAS_BACKEND") != "jax":
        raise RuntimeError("the keras-jax worker needs KERAS_BACKEND=jax before importing keras")
    import keras

    return lambda init, spe=1: KerasLike(keras, init, spe)


# --------------------------------------------------------------------------- hand-written JAX


class HandJax(_Shuffler):
    """A ``jax.jit`` step (value_and_grad + optax.adam) called on NumPy batch views."""

    def __init__(self, init: list[np.ndarray], steps_per_execution: int = 1) -> None:
        super().__init__()
        import jax
        import jax.numpy as jnp
        import optax

        w1, b1, w2, b2 = init
        self.params = {
            "w1": jnp.asarray(w1),
            "b1": jnp.asarray(b1),
            "w2": jnp.asarray(w2),
            "b2": jnp.asarray(b2),
        }
        opt = optax.adam(LEARNING_RATE, b1=BETA_1, b2=BETA_2, eps=EPSILON)
        self._init_opt = lambda: opt.init(self.params)
        self.opt_state = None  # created by the first fit, as Keras's and torch's are

        def logits(p, x):
            h = jax.nn.relu(x @ p["w1"] + p["b1"])
            return h @ p["w2"] + p["b2"]

        def loss_fn(p, x, y):
            return optax.softmax_cross_entropy_with_integer_labels(logits(p, x), y).mean()

        def step(p, s, total, x, y):
            loss, grads = jax.value_and_grad(loss_fn)(p, x, y)
            updates, s = opt.update(grads, s, p)
            return optax.apply_updates(p, updates), s, total + loss * x.shape[0]

        self._step = jax.jit(step, donate_argnums=(0, 1, 2))
        self._forward = jax.jit(lambda p, x: jax.nn.softmax(logits(p, x)))
        self._zero = lambda: jnp.zeros((), jnp.float32)

    def fit_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
        if self.opt_state is None:
            self.opt_state = self._init_opt()
        p, s, total = self.params, self.opt_state, self._zero()
        for idx, _ in _batches(len(x), batch_size, self._order(len(x))):
            p, s, total = self._step(p, s, total, x[idx], y[idx])
        self.params, self.opt_state = p, s
        return float(total) / len(x)

    def predict(self, x: np.ndarray, batch_size: int) -> np.ndarray:
        outs = [
            self._forward(self.params, x[i : i + batch_size]) for i in range(0, len(x), batch_size)
        ]
        return np.concatenate([np.asarray(o) for o in outs])


# --------------------------------------------------------------------------- hand-written NumPy


class HandNumpy(_Shuffler):
    """Vectorised float32 forward, backward and Adam (Keras's update form), in place."""

    def __init__(self, init: list[np.ndarray], steps_per_execution: int = 1) -> None:
        super().__init__()
        self.params = [np.array(w, dtype=np.float32) for w in init]
        self.m: list[np.ndarray] = []  # Adam slots, created by the first step
        self.v: list[np.ndarray] = []
        self.tmp: list[np.ndarray] = []
        self.t = 0
        self._rows: dict[int, np.ndarray] = {}

    def _forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w1, b1, w2, b2 = self.params
        h = x @ w1
        h += b1
        np.maximum(h, 0, out=h)
        z = h @ w2
        z += b2
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return h, z

    def _adam(self, grads: list[np.ndarray]) -> None:
        if not self.m:
            self.m = [np.zeros_like(w) for w in self.params]
            self.v = [np.zeros_like(w) for w in self.params]
            self.tmp = [np.empty_like(w) for w in self.params]
        self.t += 1
        lr = LEARNING_RATE * math.sqrt(1 - BETA_2**self.t) / (1 - BETA_1**self.t)
        for w, g, m, v, tmp in zip(self.params, grads, self.m, self.v, self.tmp):
            m *= BETA_1
            np.multiply(g, 1 - BETA_1, out=tmp)
            m += tmp
            v *= BETA_2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - BETA_2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += EPSILON
            np.divide(m, tmp, out=tmp)
            tmp *= lr
            w -= tmp

    def _step(self, x: np.ndarray, y: np.ndarray) -> float:
        n = len(x)
        rows = self._rows.get(n)
        if rows is None:
            rows = self._rows[n] = np.arange(n)
        h, p = self._forward(x)
        picked = p[rows, y]
        loss = -float(np.log(np.maximum(picked, EPSILON)).mean())
        # d loss / d logits of softmax + cross-entropy: (p - onehot) / n
        p[rows, y] -= 1
        p *= np.float32(1.0 / n)
        w2 = self.params[2]
        g_w2 = h.T @ p
        g_b2 = p.sum(axis=0)
        dh = p @ w2.T
        dh *= h > 0
        g_w1 = x.T @ dh
        g_b1 = dh.sum(axis=0)
        self._adam([g_w1, g_b1, g_w2, g_b2])
        return loss * n

    def fit_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
        total = 0.0
        for idx, _ in _batches(len(x), batch_size, self._order(len(x))):
            total += self._step(x[idx], y[idx])
        return total / len(x)

    def predict(self, x: np.ndarray, batch_size: int) -> np.ndarray:
        return np.concatenate(
            [self._forward(x[i : i + batch_size])[1] for i in range(0, len(x), batch_size)]
        )


# --------------------------------------------------------------------------- hand-written torch


class HandTorch(_Shuffler):
    """``nn.Sequential`` + ``F.cross_entropy`` on logits + ``torch.optim.Adam`` (CPU)."""

    def __init__(self, init: list[np.ndarray], steps_per_execution: int = 1) -> None:
        super().__init__()
        import torch
        from torch import nn

        self.torch = torch
        self.model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        w1, b1, w2, b2 = init
        with torch.no_grad():
            self.model[0].weight.copy_(torch.from_numpy(np.ascontiguousarray(w1.T)))
            self.model[0].bias.copy_(torch.from_numpy(b1))
            self.model[2].weight.copy_(torch.from_numpy(np.ascontiguousarray(w2.T)))
            self.model[2].bias.copy_(torch.from_numpy(b2))
        self.opt = torch.optim.Adam(
            self.model.parameters(), lr=LEARNING_RATE, betas=(BETA_1, BETA_2), eps=EPSILON
        )
        self._cache: dict[int, tuple] = {}

    def _tensors(self, x: np.ndarray, y: np.ndarray):
        # Host data are wrapped once (zero copy for x; labels as int64, which torch needs).
        key = (id(x), id(y))
        if key not in self._cache:
            self._cache[key] = (self.torch.from_numpy(x), self.torch.from_numpy(y.astype(np.int64)))
        return self._cache[key]

    def fit_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
        torch = self.torch
        f = torch.nn.functional
        xt, yt = self._tensors(x, y)
        order = self._order(len(x))
        if order is not None:
            order = torch.from_numpy(order)
        total = torch.zeros(())
        for idx, n in _batches(len(x), batch_size, order):
            self.opt.zero_grad(set_to_none=True)
            loss = f.cross_entropy(self.model(xt[idx]), yt[idx])
            loss.backward()
            self.opt.step()
            total += loss.detach() * n
        return float(total) / len(x)

    def predict(self, x: np.ndarray, batch_size: int) -> np.ndarray:
        torch = self.torch
        xt = torch.from_numpy(x)
        with torch.inference_mode():
            outs = [
                torch.softmax(self.model(xt[i : i + batch_size]), dim=1).numpy()
                for i in range(0, len(x), batch_size)
            ]
        return np.concatenate(outs)


def factory(name: str):
    """Return ``make(init, spe=1)`` building a fresh trainer of competitor ``name``.

    The imports happen here, so calling this is what "import the library" means for the
    memory and compile measurements.
    """
    if name == "kerasx-numpy":
        return make_kerasx("numpy")
    if name == "kerasx-jax":
        return make_kerasx("jax")
    if name == "keras-jax":
        return make_keras()
    if name == "hand-jax":
        import jax  # noqa: F401
        import optax  # noqa: F401

        return HandJax
    if name == "hand-numpy":
        return HandNumpy
    if name == "torch":
        import torch  # noqa: F401

        return HandTorch
    raise ValueError(f"Unknown competitor {name!r}; expected one of {sorted(COMPETITORS)}")

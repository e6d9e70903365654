"""JAX kernels: fused recurrent sequences (see ``kerasx/ops/rnn_fused.py``).

Each kernel takes the input product for all timesteps at once and runs the recurrence as one
`lax.scan` (compile time independent of the sequence length); JAX differentiates it.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax


def _time_major(*arrays):
    return tuple(jnp.swapaxes(a, 0, 1) for a in arrays)


def _lstm_sequence(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    n = recurrent_kernel.shape[0]
    xs = _time_major(jnp.matmul(inputs, kernel), mask)

    def step(carry, inp):
        h, c = carry
        xw_t, keep = inp
        z = xw_t + jnp.matmul(h, recurrent_kernel) + bias
        s = jax.nn.sigmoid(z)
        i, f, o = s[:, :n], s[:, n : 2 * n], s[:, 3 * n :]
        c_new = f * c + i * jnp.tanh(z[:, 2 * n : 3 * n])
        h_new = o * jnp.tanh(c_new)
        keep = keep[:, None]
        h_new = jnp.where(keep, h_new, h)
        c_new = jnp.where(keep, c_new, c)
        return (h_new, c_new), (h_new, c_new)

    _, (hs, cs) = lax.scan(step, (initial_h, initial_c), xs)
    return _time_major(hs, cs)


def _gru_sequence(inputs, initial_h, kernel, recurrent_kernel, b_in, b_rec, mask, reset_after):
    n = recurrent_kernel.shape[0]
    xs = _time_major(jnp.matmul(inputs, kernel) + b_in, mask)
    u = recurrent_kernel

    def step(h, inp):
        x_t, keep = inp
        if reset_after:
            inner = jnp.matmul(h, u) + b_rec
            zr = jax.nn.sigmoid(x_t[:, : 2 * n] + inner[:, : 2 * n])
            z, r = zr[:, :n], zr[:, n:]
            hh = jnp.tanh(x_t[:, 2 * n :] + r * inner[:, 2 * n :])
        else:
            zr = jax.nn.sigmoid(x_t[:, : 2 * n] + jnp.matmul(h, u[:, : 2 * n]))
            z, r = zr[:, :n], zr[:, n:]
            hh = jnp.tanh(x_t[:, 2 * n :] + jnp.matmul(r * h, u[:, 2 * n :]))
        h_new = z * h + (1.0 - z) * hh
        h_new = jnp.where(keep[:, None], h_new, h)
        return h_new, h_new

    _, hs = lax.scan(step, initial_h, xs)
    return jnp.swapaxes(hs, 0, 1)


def _simple_rnn_sequence(inputs, initial_h, kernel, recurrent_kernel, bias, mask):
    xs = _time_major(jnp.matmul(inputs, kernel) + bias, mask)

    def step(h, inp):
        x_t, keep = inp
        h_new = jnp.tanh(x_t + jnp.matmul(h, recurrent_kernel))
        h_new = jnp.where(keep[:, None], h_new, h)
        return h_new, h_new

    _, hs = lax.scan(step, initial_h, xs)
    return jnp.swapaxes(hs, 0, 1)


KERNELS = {
    "_lstm_sequence": _lstm_sequence,
    "_gru_sequence": _gru_sequence,
    "_simple_rnn_sequence": _simple_rnn_sequence,
}

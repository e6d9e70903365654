"""JAX kernels: fused recurrent sequences (see ``kerasx/ops/rnn_fused.py``).

Each kernel takes the input product for all timesteps at once and runs the recurrence as one
`lax.scan` (compile time independent of the sequence length).

The LSTM carries its own reverse-mode rule (`jax.custom_vjp`): XLA's differentiation of the
scan keeps a dozen per-step residuals and accumulates the recurrent kernel's gradient with a
small product inside the reverse loop. Here the forward loop saves only the states and the
few per-step factors the backward pass needs; the reverse loop computes the pre-activation
gradients (one product per step, with the transposed recurrent kernel) and the kernels' and
bias's gradients are then single batched products over all timesteps. Forward-mode
differentiation (`jvp`) of the LSTM kernel is not available on this engine as a consequence.
GRU and SimpleRNN are differentiated by JAX.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax


def _time_major(*arrays):
    return tuple(jnp.swapaxes(a, 0, 1) for a in arrays)


# ----------------------------------------------------------------------------- LSTM


def _lstm_scan(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask, residuals):
    """The forward recurrence; with `residuals`, also the factors of the backward pass.

    Per step (gates ``i, f, o = sigmoid(z)``, ``g = tanh(z_c)``, ``tc = tanh(c_new)``), the
    saved factors are ``dz/dc`` and ``dz/dh`` folded together as one ``(batch, 4 * units)``
    row, ``fac = [g*i*(1-i), c*f*(1-f), i*(1-g*g), tc*o*(1-o)]``, plus ``o*(1-tc*tc)`` (the
    path from h to c) and ``f`` (the path from c to the previous c).
    """
    n = recurrent_kernel.shape[0]
    # time-major: transposing the inputs is cheaper than transposing their product
    xs = (jnp.matmul(jnp.swapaxes(inputs, 0, 1), kernel), jnp.swapaxes(mask, 0, 1))

    def step(carry, inp):
        h, c = carry
        xw_t, keep = inp
        z = xw_t + jnp.matmul(h, recurrent_kernel) + bias
        s = jax.nn.sigmoid(z)
        i, f, o = s[:, :n], s[:, n : 2 * n], s[:, 3 * n :]
        g = jnp.tanh(z[:, 2 * n : 3 * n])
        c_new = f * c + i * g
        tc = jnp.tanh(c_new)
        h_new = o * tc
        keep = keep[:, None]
        h_out = jnp.where(keep, h_new, h)
        c_out = jnp.where(keep, c_new, c)
        if not residuals:
            return (h_out, c_out), (h_out, c_out)
        fac = jnp.concatenate(
            [g * i * (1 - i), c * f * (1 - f), i * (1 - g * g), tc * o * (1 - o)], axis=-1
        )
        return (h_out, c_out), (h_out, c_out, fac, o * (1 - tc * tc), f)

    _, ys = lax.scan(step, (initial_h, initial_c), xs)
    return ys


@jax.custom_vjp
def _lstm_core(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    hs, cs = _lstm_scan(
        inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask, residuals=False
    )
    return _time_major(hs, cs)


def _lstm_fwd(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    hs, cs, fac, o_tc, f = _lstm_scan(
        inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask, residuals=True
    )
    res = (inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask, hs, fac, o_tc, f)
    return _time_major(hs, cs), res


def _lstm_bwd(res, cotangents):
    inputs, h0, c0, kernel, recurrent_kernel, bias, mask, hs, fac, o_tc, f = res
    n = recurrent_kernel.shape[0]
    g_h, g_c = _time_major(*cotangents)
    keep_all = jnp.swapaxes(mask, 0, 1)[:, :, None]
    u_t = jnp.transpose(recurrent_kernel)

    def step(carry, inp):
        dh_next, dc_next = carry
        gh_t, gc_t, fac_t, o_tc_t, f_t, keep = inp
        dh = gh_t + dh_next
        dc = gc_t + dc_next
        # a masked step passed its states through: their cotangents skip it
        dh_in = jnp.where(keep, dh, 0)
        dc_in = jnp.where(keep, dc, 0) + dh_in * o_tc_t
        dz = jnp.concatenate([dc_in, dc_in, dc_in, dh_in], axis=-1) * fac_t
        dh_prev = jnp.matmul(dz, u_t) + jnp.where(keep, 0, dh)
        dc_prev = dc_in * f_t + jnp.where(keep, 0, dc)
        return (dh_prev, dc_prev), dz

    zeros = (jnp.zeros_like(h0), jnp.zeros_like(c0))
    (dh0, dc0), dz = lax.scan(step, zeros, (g_h, g_c, fac, o_tc, f, keep_all), reverse=True)
    steps, batch = dz.shape[0], dz.shape[1]
    dz2 = jnp.reshape(dz, (steps * batch, 4 * n))
    x2 = jnp.reshape(jnp.swapaxes(inputs, 0, 1), (steps * batch, inputs.shape[-1]))
    h_prev = jnp.concatenate([h0[None], hs[:-1]], axis=0)
    dx = jnp.swapaxes(jnp.matmul(dz, jnp.transpose(kernel)), 0, 1)
    dw = jnp.matmul(jnp.transpose(x2), dz2)
    du = jnp.matmul(jnp.transpose(jnp.reshape(h_prev, (steps * batch, n))), dz2)
    db = jnp.sum(dz2, axis=0)
    return (
        dx.astype(inputs.dtype),
        dh0.astype(h0.dtype),
        dc0.astype(c0.dtype),
        dw.astype(kernel.dtype),
        du.astype(recurrent_kernel.dtype),
        db.astype(bias.dtype),
        None,
    )


_lstm_core.defvjp(_lstm_fwd, _lstm_bwd)


def _lstm_sequence(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    return _lstm_core(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask)


# ----------------------------------------------------------------------------- GRU, SimpleRNN


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

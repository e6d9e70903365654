"""JAX kernels: fused recurrent sequences (see ``kerasx/ops/rnn_fused.py``).

Each kernel takes the input product for all timesteps at once and runs the recurrence as one
loop (`lax.scan` / `lax.fori_loop`: compile time independent of the sequence length).

The LSTM carries its own reverse-mode rule (`jax.custom_vjp`): XLA's differentiation of the
scan keeps a dozen per-step residuals and accumulates the recurrent kernel's gradient with a
small product inside the reverse loop. Here the forward loop saves only the states and the
few per-step factors the backward pass needs; the reverse loop computes the pre-activation
gradients (one product per step, with the transposed recurrent kernel) and the kernels' and
bias's gradients are then one batched product over all timesteps. Forward-mode
differentiation (`jvp`) of the LSTM kernel is not available on this engine as a consequence.
GRU and SimpleRNN are differentiated by JAX.

Both LSTM loops are written for XLA's CPU code generator, which runs a loop body as a string
of small kernels (a time step costs a few microseconds beyond its recurrent product):

- the four gates are activated by one `tanh` over the whole pre-activation row,
  ``tanh(z * scale) * scale + shift`` (``sigmoid(z) = 0.5 * tanh(z / 2) + 0.5``), instead of
  a sigmoid over the row and a tanh over a slice of it;
- the per-step sequences live in buffers carried by the loop and updated in place, and the
  two ``(timesteps, batch, 4 * units)`` ones reuse dead storage: the forward loop writes the
  backward factors over the input product it has just read, and the backward loop writes
  the pre-activation gradients over those factors (a scan's stacked outputs would each be
  a fresh zero-filled buffer);
- each part of the factor row is written where it lands (no concatenation kernel).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax


def _time_major(*arrays):
    return tuple(jnp.swapaxes(a, 0, 1) for a in arrays)


def _at(seq, t):
    """``seq[t]`` for a traced index `t`."""
    return lax.dynamic_index_in_dim(seq, t, 0, keepdims=False)


def _put(seq, value, t, column=0):
    """``seq[t, :, column : column + value.shape[1]] = value`` for a traced index `t`."""
    zero = jnp.zeros_like(t)
    return lax.dynamic_update_slice(seq, value[None], (t, zero, zero + column))


# ----------------------------------------------------------------------------- LSTM


def _gate_affine(n, dtype):
    """Per-column ``(scale, shift)`` activating gates ``[i, f, g, o]`` with one tanh: sigmoid
    for i, f, o (``0.5 * tanh(z / 2) + 0.5``) and tanh for g."""
    half = jnp.full((n,), 0.5, dtype)
    one, zero = jnp.ones((n,), dtype), jnp.zeros((n,), dtype)
    return jnp.concatenate([half, half, one, half]), jnp.concatenate([half, half, zero, half])


def _lstm_loop(inputs, h0, c0, kernel, recurrent_kernel, bias, mask, residuals):
    """The forward recurrence, time-major: ``(hs, cs, fac, o_tc, f)``.

    With `residuals`, also the factors of the backward pass (None otherwise). Per step (gates
    ``i, f, o = sigmoid(z)``, ``g = tanh(z_c)``, ``tc = tanh(c_new)``), ``fac`` holds
    ``dz/dc`` and ``dz/dh`` as one ``(batch, 4 * units)`` row,
    ``[g*i*(1-i), c*f*(1-f), i*(1-g*g), tc*o*(1-o)]``, written over the step's input
    product; ``o_tc = o*(1-tc*tc)`` is the path from h to c and ``f`` the path from c to the
    previous c.
    """
    n = recurrent_kernel.shape[0]
    steps = inputs.shape[1]
    # time-major: transposing the inputs is cheaper than transposing their product
    xw = jnp.matmul(jnp.swapaxes(inputs, 0, 1), kernel)
    keep_all = jnp.swapaxes(mask, 0, 1)[:, :, None]
    scale, shift = _gate_affine(n, kernel.dtype)

    def body(t, carry):
        h, c, buf, hs, cs, o_tcs, fs = carry
        z = _at(buf, t) + jnp.matmul(h, recurrent_kernel) + bias
        a = jnp.tanh(z * scale) * scale + shift
        i, f, g, o = a[:, :n], a[:, n : 2 * n], a[:, 2 * n : 3 * n], a[:, 3 * n :]
        c_new = f * c + i * g
        tc = jnp.tanh(c_new)
        keep = _at(keep_all, t)
        h_out = jnp.where(keep, o * tc, h)
        c_out = jnp.where(keep, c_new, c)
        hs, cs = _put(hs, h_out, t), _put(cs, c_out, t)
        if residuals:
            parts = (g * i * (1 - i), c * f * (1 - f), i * (1 - g * g), tc * o * (1 - o))
            for k, part in enumerate(parts):
                buf = _put(buf, part, t, k * n)
            o_tcs = _put(o_tcs, o * (1 - tc * tc), t)
            fs = _put(fs, f, t)
        return h_out, c_out, buf, hs, cs, o_tcs, fs

    seq = jnp.zeros((steps,) + h0.shape, h0.dtype)
    extra = (seq, seq) if residuals else (None, None)
    _, _, fac, hs, cs, o_tc, f = lax.fori_loop(0, steps, body, (h0, c0, xw, seq, seq, *extra))
    return hs, cs, (fac if residuals else None), o_tc, f


@jax.custom_vjp
def _lstm_core(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    hs, cs, _, _, _ = _lstm_loop(
        inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask, residuals=False
    )
    return _time_major(hs, cs)


def _lstm_fwd(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    hs, cs, fac, o_tc, f = _lstm_loop(
        inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask, residuals=True
    )
    res = (inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask, hs, fac, o_tc, f)
    return _time_major(hs, cs), res


def _lstm_bwd(res, cotangents):
    inputs, h0, c0, kernel, recurrent_kernel, bias, mask, hs, fac, o_tc, f = res
    n = recurrent_kernel.shape[0]
    batch, steps, d = inputs.shape
    g_h, g_c = _time_major(*cotangents)
    keep_all = jnp.swapaxes(mask, 0, 1)[:, :, None]
    u_t = jnp.transpose(recurrent_kernel)

    def body(k, carry):
        dh_next, dc_next, buf = carry
        t = steps - 1 - k
        keep = _at(keep_all, t)
        dh = _at(g_h, t) + dh_next
        dc = _at(g_c, t) + dc_next
        # a masked step passed its states through: their cotangents skip it
        dh_in = jnp.where(keep, dh, 0)
        dc_in = jnp.where(keep, dc, 0) + dh_in * _at(o_tc, t)
        dz = jnp.concatenate([dc_in, dc_in, dc_in, dh_in], axis=-1) * _at(buf, t)
        # the step's factors are read once: its gradient takes their place
        buf = _put(buf, dz, t)
        dh_prev = jnp.matmul(dz, u_t) + jnp.where(keep, 0, dh)
        dc_prev = dc_in * _at(f, t) + jnp.where(keep, 0, dc)
        return dh_prev, dc_prev, buf

    zeros = (jnp.zeros_like(h0), jnp.zeros_like(c0))
    dh0, dc0, dz = lax.fori_loop(0, steps, body, (*zeros, fac))
    dz2 = jnp.reshape(dz, (steps * batch, 4 * n))
    # both kernels' gradients in one product: [x_t, h_{t-1}]^T dz_t summed over the steps
    h_prev = jnp.concatenate([h0[None], hs[:-1]], axis=0)
    xh = jnp.concatenate([jnp.swapaxes(inputs, 0, 1), h_prev], axis=-1)
    dwu = jnp.matmul(jnp.transpose(jnp.reshape(xh, (steps * batch, d + n))), dz2)
    dx = jnp.swapaxes(jnp.matmul(dz, jnp.transpose(kernel)), 0, 1)
    db = jnp.sum(dz2, axis=0)
    return (
        dx.astype(inputs.dtype),
        dh0.astype(h0.dtype),
        dc0.astype(c0.dtype),
        dwu[:d].astype(kernel.dtype),
        dwu[d:].astype(recurrent_kernel.dtype),
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

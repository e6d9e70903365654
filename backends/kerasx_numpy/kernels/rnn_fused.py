"""NumPy kernels: fused recurrent sequences (see ``kerasx/ops/rnn_fused.py``).

GRU and SimpleRNN run the shared math of ``kerasx.ops.rnn_fused`` on NumPy arrays (with this
engine's own sigmoid). The LSTM has its own loops (below), written for few NumPy calls per
timestep: the input product and bias for all timesteps in one product, every per-step result
written in place into preallocated arrays, one `tanh` activating all four gates, and a
backward pass whose per-step work is a handful of calls plus one product (the kernels' and
bias's cotangents are single products over all timesteps afterwards). Each kernel carries
``vjp_all``: the whole backpropagation through time in NumPy, which the op's gradient rules
use for first-order gradients of plain arrays (the registry-op version runs otherwise).
"""

from __future__ import annotations

import weakref

import numpy as np

from kerasx_numpy.kernels.nn import sigmoid as _sigmoid


class _NumpyMath:
    """The array namespace the shared recurrent math is written against."""

    add = staticmethod(np.add)
    subtract = staticmethod(np.subtract)
    multiply = staticmethod(np.multiply)
    matmul = staticmethod(np.matmul)
    tanh = staticmethod(np.tanh)
    sigmoid = staticmethod(_sigmoid)
    square = staticmethod(np.square)
    where = staticmethod(np.where)
    stack = staticmethod(np.stack)
    concatenate = staticmethod(np.concatenate)
    expand_dims = staticmethod(np.expand_dims)
    reshape = staticmethod(np.reshape)
    transpose = staticmethod(np.transpose)
    zeros_like = staticmethod(np.zeros_like)

    @staticmethod
    def sum(x, axis=None):
        return np.sum(x, axis=axis)


NP = _NumpyMath()


def _math():
    from kerasx.ops import rnn_fused

    return rnn_fused


def _mask(mask):
    mask = np.asarray(mask, dtype=bool)
    return None if mask.all() else mask


def _cast_like(grads, slots):
    return tuple(None if g is None else np.asarray(g, dtype=s.dtype) for g, s in zip(grads, slots))


# The gate activations of recent forward passes, keyed by the id of the returned h sequence
# (held weakly: an entry goes when that array does), so the backward pass need not recompute
# them.
_SAVED: dict = {}


def _save(hs, gates):
    key = id(hs)
    _SAVED[key] = (weakref.ref(hs, lambda _r, key=key: _SAVED.pop(key, None)), gates)


def _saved(hs):
    # `hs` itself, or a view of it (a trace hands kernels views of the arrays it records)
    for a in (hs, getattr(hs, "base", None)):
        entry = _SAVED.get(id(a)) if a is not None else None
        if entry is not None and entry[0]() is a and a.shape == hs.shape:
            return entry[1]
    return None


# ----------------------------------------------------------------------------- LSTM
#
# Inside the kernels the gate columns are reordered from Keras's (i, f, c, o) to (o, i, f, c):
# the three sigmoid gates come first (one call activates them all), and the three gates that
# the cell state's cotangent reaches (i, f, c) are adjacent (one call forms their part of the
# pre-activation cotangent). The sigmoid gates' columns of the kernels and bias are also
# halved (exact in binary floating point): ``sigmoid(z) = 0.5 * tanh(z / 2) + 0.5``, so one
# `tanh` over the whole row activates all four gates. The numbers agree with the
# step-by-step loop to float rounding.


def _lstm_order(n):
    """Column order (o, i, f, c) of the fused kernels, as indices into Keras's (i, f, c, o)."""
    return np.concatenate([np.arange(3 * n, 4 * n), np.arange(0, 3 * n)])


def _lstm_forward(inputs, h0, c0, kernel, recurrent_kernel, bias, mask):
    """``(hs, cs, gates, tcs)``: states, activated gates (order o, i, f, c) and tanh(c)."""
    batch, steps = inputs.shape[0], inputs.shape[1]
    n = recurrent_kernel.shape[0]
    dtype = np.result_type(inputs, h0, c0, kernel, recurrent_kernel, bias)
    order = _lstm_order(n)
    scale = np.ones(4 * n, dtype)
    scale[: 3 * n] = 0.5
    w = np.multiply(kernel[:, order], scale, dtype=dtype)
    u = np.multiply(recurrent_kernel[:, order], scale, dtype=dtype)
    xwb = np.matmul(inputs, w)
    xwb += np.multiply(bias[order], scale, dtype=dtype)
    gates = np.empty((batch, steps, 4 * n), dtype)
    tcs = np.empty((batch, steps, n), dtype)
    hs = np.empty((batch, steps, n), dtype)
    cs = np.empty((batch, steps, n), dtype)
    z = np.empty((batch, 4 * n), dtype)
    ig = np.empty((batch, n), dtype)
    h, c = np.asarray(h0, dtype), np.asarray(c0, dtype)
    for t in range(steps):
        np.matmul(h, u, out=z)
        zt = gates[:, t]
        np.add(z, xwb[:, t], out=zt)
        np.tanh(zt, out=zt)
        sig = zt[:, : 3 * n]
        np.multiply(sig, 0.5, out=sig)
        np.add(sig, 0.5, out=sig)
        ct, ht, tct = cs[:, t], hs[:, t], tcs[:, t]
        np.multiply(zt[:, 2 * n : 3 * n], c, out=ct)
        np.multiply(zt[:, n : 2 * n], zt[:, 3 * n :], out=ig)
        np.add(ct, ig, out=ct)
        np.tanh(ct, out=tct)
        np.multiply(zt[:, :n], tct, out=ht)
        if mask is not None:
            drop = ~mask[:, t : t + 1]
            np.copyto(ht, h, where=drop)
            np.copyto(ct, c, where=drop)
        h, c = ht, ct
    return hs, cs, gates, tcs


def _lstm_sequence(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    hs, cs, gates, tcs = _lstm_forward(
        inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, _mask(mask)
    )
    _save(hs, (gates, tcs))
    return hs, cs


def _lstm_vjp_all(g, ans, inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    slots = (inputs, initial_h, initial_c, kernel, recurrent_kernel, bias)
    mask = _mask(mask)
    hs, cs = ans
    saved = _saved(hs)
    if saved is None:  # not this engine's forward output: run the forward pass again
        hs, cs, gates, tcs = _lstm_forward(*slots, mask)
    else:
        gates, tcs = saved
    dtype = gates.dtype
    batch, steps, n = hs.shape
    c_prev = np.empty_like(cs)
    c_prev[:, 0] = initial_c
    c_prev[:, 1:] = cs[:, :-1]
    o, i, f, gg = (gates[..., k * n : (k + 1) * n] for k in range(4))
    # d z / d(c, h) factors of every step, in the gate order (o, i, f, c), and d c / d h
    fac = np.empty_like(gates)
    fo, fi, ff, fg = (fac[..., k * n : (k + 1) * n] for k in range(4))
    np.subtract(1.0, o, out=fo)
    fo *= o
    fo *= tcs
    np.subtract(1.0, i, out=fi)
    fi *= i
    fi *= gg
    np.subtract(1.0, f, out=ff)
    ff *= f
    ff *= c_prev
    np.square(gg, out=fg)
    np.subtract(1.0, fg, out=fg)
    fg *= i
    dtc = np.square(tcs)
    np.subtract(1.0, dtc, out=dtc)
    dtc *= o
    g_h = np.asarray(g[0], dtype)
    g_c = np.asarray(g[1], dtype)
    u_t = np.ascontiguousarray(recurrent_kernel[:, _lstm_order(n)].T, dtype=dtype)
    dz = np.empty((batch, steps, 4 * n), dtype)
    dz3 = dz.reshape(batch, steps, 4, n)[:, :, 1:]
    fac3 = fac.reshape(batch, steps, 4, n)[:, :, 1:]
    dh, dc = np.empty((batch, n), dtype), np.empty((batch, n), dtype)
    dh_next, dc_next = np.zeros((batch, n), dtype), np.zeros((batch, n), dtype)
    tmp = np.empty((batch, n), dtype)
    for t in range(steps - 1, -1, -1):
        np.add(g_h[:, t], dh_next, out=dh)
        np.add(g_c[:, t], dc_next, out=dc)
        if mask is not None:
            keep = mask[:, t : t + 1]
            carry_h, carry_c = np.where(keep, 0.0, dh), np.where(keep, 0.0, dc)
            np.copyto(dh, 0.0, where=~keep)
            np.copyto(dc, 0.0, where=~keep)
        np.multiply(dh, dtc[:, t], out=tmp)
        np.add(dc, tmp, out=dc)
        np.multiply(dh, fac[:, t, :n], out=dz[:, t, :n])
        np.multiply(dc[:, None, :], fac3[:, t], out=dz3[:, t])
        np.matmul(dz[:, t], u_t, out=dh_next)
        np.multiply(dc, f[:, t], out=dc_next)
        if mask is not None:
            dh_next += carry_h
            dc_next += carry_c
    back = np.argsort(_lstm_order(n))
    dz2 = dz.reshape(batch * steps, 4 * n)
    h_prev = np.empty_like(hs)
    h_prev[:, 0] = initial_h
    h_prev[:, 1:] = hs[:, :-1]
    x2 = np.asarray(inputs, dtype).reshape(batch * steps, -1)
    dw = np.matmul(x2.T, dz2)[:, back]
    du = np.matmul(h_prev.reshape(batch * steps, n).T, dz2)[:, back]
    db = np.add.reduce(dz2, axis=0)[back]
    dx = np.matmul(dz, np.asarray(kernel, dtype)[:, _lstm_order(n)].T)
    grads = (dx, dh_next, dc_next, dw, du, db)
    return _cast_like(grads, slots)


def _gru_sequence(inputs, initial_h, kernel, recurrent_kernel, b_in, b_rec, mask, reset_after):
    return _math().gru_forward(
        NP, inputs, initial_h, kernel, recurrent_kernel, b_in, b_rec, _mask(mask), reset_after
    )


def _gru_vjp_all(g, ans, inputs, initial_h, kernel, recurrent_kernel, b_in, b_rec, mask,
                 reset_after):  # fmt: skip
    slots = (inputs, initial_h, kernel, recurrent_kernel, b_in, b_rec)
    grads = _math().gru_backward(NP, g, ans, *slots, _mask(mask), reset_after)
    return _cast_like(grads, slots)


def _simple_rnn_sequence(inputs, initial_h, kernel, recurrent_kernel, bias, mask):
    return _math().simple_rnn_forward(
        NP, inputs, initial_h, kernel, recurrent_kernel, bias, _mask(mask)
    )


def _simple_vjp_all(g, ans, inputs, initial_h, kernel, recurrent_kernel, bias, mask):
    slots = (inputs, initial_h, kernel, recurrent_kernel, bias)
    grads = _math().simple_rnn_backward(NP, g, ans, *slots, _mask(mask))
    return _cast_like(grads, slots)


_lstm_sequence.vjp_all = _lstm_vjp_all
_gru_sequence.vjp_all = _gru_vjp_all
_simple_rnn_sequence.vjp_all = _simple_vjp_all

KERNELS = {
    "_lstm_sequence": _lstm_sequence,
    "_gru_sequence": _gru_sequence,
    "_simple_rnn_sequence": _simple_rnn_sequence,
}

"""NumPy kernels: fused recurrent sequences (see ``kerasx/ops/rnn_fused.py``).

The forward and backward math is the shared one of ``kerasx.ops.rnn_fused``, run on NumPy
arrays (with this engine's own sigmoid, so each step computes exactly what the step-by-step
layer loop computes). Each kernel also carries ``vjp_all``: the whole backpropagation
through time in NumPy, which the op's gradient rules use for first-order gradients of plain
arrays (the registry-op version runs otherwise).
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
    entry = _SAVED.get(id(hs))
    if entry is not None and entry[0]() is hs:
        return entry[1]
    return None


def _lstm_sequence(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    # `lstm_forward` of kerasx.ops.rnn_fused, operation for operation (same numbers), with
    # the per-step temporaries written into preallocated arrays that the backward pass reuses.
    mask = _mask(mask)
    batch, steps = inputs.shape[0], inputs.shape[1]
    n = recurrent_kernel.shape[0]
    dtype = np.result_type(inputs, initial_h, kernel, recurrent_kernel, bias)
    xw = np.matmul(inputs, kernel)
    s_all = np.empty((batch, steps, 4 * n), dtype)
    g_all = np.empty((batch, steps, n), dtype)
    tc_all = np.empty((batch, steps, n), dtype)
    hs = np.empty((batch, steps, n), dtype)
    cs = np.empty((batch, steps, n), dtype)
    h, c = initial_h, initial_c
    for t in range(steps):
        z = np.add(xw[:, t], np.matmul(h, recurrent_kernel))
        np.add(z, bias, out=z)
        s = _sigmoid(z)
        s_all[:, t] = s
        g = np.tanh(z[:, 2 * n : 3 * n])
        g_all[:, t] = g
        c_new = np.multiply(s[:, n : 2 * n], c)
        np.add(c_new, np.multiply(s[:, :n], g), out=c_new)
        tc = np.tanh(c_new)
        tc_all[:, t] = tc
        h_new = np.multiply(s[:, 3 * n :], tc)
        if mask is not None:
            keep = mask[:, t : t + 1]
            h_new = np.where(keep, h_new, h)
            c_new = np.where(keep, c_new, c)
        hs[:, t] = h_new
        cs[:, t] = c_new
        h, c = h_new, c_new
    _save(hs, (s_all, g_all, tc_all))
    return hs, cs


def _lstm_vjp_all(g, ans, inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask):
    slots = (inputs, initial_h, initial_c, kernel, recurrent_kernel, bias)
    gates = _saved(ans[0])
    grads = _math().lstm_backward(NP, g, ans, *slots, _mask(mask), gates=gates)
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

"""Private ops: a whole LSTM, GRU or SimpleRNN sequence as one op (fused time loop).

These are not part of the ``keras.ops`` surface (names start with an underscore, ``__all__`` is
empty); the recurrent layers call them when their cell is a standard one (default
activations, no recurrent dropout, not unrolled). Each op runs the recurrence over a
batch-major sequence ``(batch, timesteps, features)`` and returns the state after every step
(masked steps carry the previous state), so the layer reads both the output sequence and the
final states from it. The numbers are those of the layer's step-by-step loop (to float
rounding: an engine's kernel may reorder the work, e.g. the NumPy engine's LSTM activates its
sigmoid gates as ``0.5 * tanh(z / 2) + 0.5``): the input product is taken for all timesteps
at once, then each step adds the recurrent product and the bias in the cell's order.

The math is written once over an array namespace `xp` (the NumPy engine passes a NumPy one,
the gradient rules pass the registry ops `K`): `lstm_forward` / `lstm_backward` and their GRU
and SimpleRNN siblings. The backward functions are backpropagation through time from the
op's outputs (the gates are recomputed from the saved state sequence in a few batched
products), returning every input's cotangent at once; the per-argument gradient rules share
one such computation per recorded call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dispatch
from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, randn

__all__: list[str] = []


# ----------------------------------------------------------------------------- shared pieces


def _prev_states(xp: Any, s0: Any, seq: Any) -> Any:
    """``[s0, seq[:, 0], ..., seq[:, T-2]]`` stacked on axis 1: the state before each step."""
    return xp.concatenate([xp.expand_dims(s0, 1), seq[:, :-1]], axis=1)


def _keep(mask: Any, t: int) -> Any:
    return None if mask is None else mask[:, t : t + 1]


def _sum_bt(xp: Any, a: Any) -> Any:
    return xp.sum(a, axis=(0, 1))


def _weight_grad(xp: Any, a: Any, dz: Any) -> Any:
    """``sum_{b,t} a[b,t,:]^T dz[b,t,:]``: the cotangent of a kernel used as ``a @ W``."""
    b, t = a.shape[0], a.shape[1]
    a2 = xp.reshape(a, (b * t, a.shape[2]))
    d2 = xp.reshape(dz, (b * t, dz.shape[2]))
    return xp.matmul(xp.transpose(a2), d2)


def _split_masked(xp: Any, d: Any, keep: Any) -> tuple:
    """The part of `d` that reaches a masked step's new value, and the part carried past it."""
    if keep is None:
        return d, None
    return xp.where(keep, d, 0.0), xp.where(keep, 0.0, d)


# ----------------------------------------------------------------------------- LSTM


def lstm_forward(xp: Any, x: Any, h0: Any, c0: Any, w: Any, u: Any, b: Any, mask: Any) -> tuple:
    """States ``(h_seq, c_seq)`` of an LSTM (gates i, f, c, o; sigmoid and tanh)."""
    n = u.shape[0]
    xw = xp.matmul(x, w)
    h, c = h0, c0
    hs, cs = [], []
    for t in range(x.shape[1]):
        z = xp.add(xp.add(xw[:, t], xp.matmul(h, u)), b)
        s = xp.sigmoid(z)
        i, f, o = s[:, :n], s[:, n : 2 * n], s[:, 3 * n :]
        g = xp.tanh(z[:, 2 * n : 3 * n])
        c_new = xp.add(xp.multiply(f, c), xp.multiply(i, g))
        h_new = xp.multiply(o, xp.tanh(c_new))
        keep = _keep(mask, t)
        if keep is not None:
            h_new = xp.where(keep, h_new, h)
            c_new = xp.where(keep, c_new, c)
        h, c = h_new, c_new
        hs.append(h)
        cs.append(c)
    return xp.stack(hs, axis=1), xp.stack(cs, axis=1)


def lstm_backward(xp: Any, g: Any, ans: Any, x: Any, h0: Any, c0: Any, w: Any, u: Any, b: Any,
                  mask: Any, gates: Any = None) -> tuple:  # fmt: skip
    """Cotangents ``(dx, dh0, dc0, dw, du, db)`` of `lstm_forward` (BPTT).

    `gates`: optionally the forward pass's ``(sigmoid(z), tanh(z_c), tanh(c_new))`` for every
    step (``(batch, timesteps, ...)``); recomputed from the state sequences when None.
    """
    g_h, g_c = g
    hs, cs = ans
    n = u.shape[0]
    h_prev = _prev_states(xp, h0, hs)
    c_prev = _prev_states(xp, c0, cs)
    if gates is None:
        z = xp.add(xp.add(xp.matmul(x, w), xp.matmul(h_prev, u)), b)
        s = xp.sigmoid(z)
        gg = xp.tanh(z[..., 2 * n : 3 * n])
        i, f = s[..., :n], s[..., n : 2 * n]
        tc = xp.tanh(xp.add(xp.multiply(f, c_prev), xp.multiply(i, gg)))
    else:
        s, gg, tc = gates
    i, f, o = s[..., :n], s[..., n : 2 * n], s[..., 3 * n :]
    # derivatives of the activations, for every step at once
    d_i = xp.multiply(i, xp.subtract(1.0, i))
    d_f = xp.multiply(f, xp.subtract(1.0, f))
    d_o = xp.multiply(o, xp.subtract(1.0, o))
    d_g = xp.subtract(1.0, xp.square(gg))
    d_tc = xp.multiply(o, xp.subtract(1.0, xp.square(tc)))
    u_t = xp.transpose(u)
    dh_next = xp.zeros_like(h0)
    dc_next = xp.zeros_like(c0)
    dzs = [None] * x.shape[1]
    for t in range(x.shape[1] - 1, -1, -1):
        dh = xp.add(g_h[:, t], dh_next)
        dc = xp.add(g_c[:, t], dc_next)
        keep = _keep(mask, t)
        dh, carry_h = _split_masked(xp, dh, keep)
        dc, carry_c = _split_masked(xp, dc, keep)
        dc = xp.add(dc, xp.multiply(dh, d_tc[:, t]))
        dz = xp.concatenate(
            [
                xp.multiply(xp.multiply(dc, gg[:, t]), d_i[:, t]),
                xp.multiply(xp.multiply(dc, c_prev[:, t]), d_f[:, t]),
                xp.multiply(xp.multiply(dc, i[:, t]), d_g[:, t]),
                xp.multiply(xp.multiply(dh, tc[:, t]), d_o[:, t]),
            ],
            axis=-1,
        )
        dzs[t] = dz
        dh_next = xp.matmul(dz, u_t)
        dc_next = xp.multiply(dc, f[:, t])
        if carry_h is not None:
            dh_next = xp.add(dh_next, carry_h)
            dc_next = xp.add(dc_next, carry_c)
    dz_all = xp.stack(dzs, axis=1)
    dx = xp.matmul(dz_all, xp.transpose(w))
    return (
        dx,
        dh_next,
        dc_next,
        _weight_grad(xp, x, dz_all),
        _weight_grad(xp, h_prev, dz_all),
        _sum_bt(xp, dz_all),
    )


# ----------------------------------------------------------------------------- GRU


def gru_forward(xp: Any, x: Any, h0: Any, w: Any, u: Any, b_in: Any, b_rec: Any, mask: Any,
                reset_after: bool) -> Any:  # fmt: skip
    """State sequence of a GRU (gates z, r, h; sigmoid and tanh)."""
    n = u.shape[0]
    xz = xp.add(xp.matmul(x, w), b_in)
    h = h0
    hs = []
    for t in range(x.shape[1]):
        x_t = xz[:, t]
        if reset_after:
            inner = xp.add(xp.matmul(h, u), b_rec)
            zr = xp.sigmoid(xp.add(x_t[:, : 2 * n], inner[:, : 2 * n]))
            z, r = zr[:, :n], zr[:, n:]
            hh = xp.tanh(xp.add(x_t[:, 2 * n :], xp.multiply(r, inner[:, 2 * n :])))
        else:
            zr = xp.sigmoid(xp.add(x_t[:, : 2 * n], xp.matmul(h, u[:, : 2 * n])))
            z, r = zr[:, :n], zr[:, n:]
            hh = xp.tanh(xp.add(x_t[:, 2 * n :], xp.matmul(xp.multiply(r, h), u[:, 2 * n :])))
        h_new = xp.add(xp.multiply(z, h), xp.multiply(xp.subtract(1.0, z), hh))
        keep = _keep(mask, t)
        if keep is not None:
            h_new = xp.where(keep, h_new, h)
        h = h_new
        hs.append(h)
    return xp.stack(hs, axis=1)


def gru_backward(xp: Any, g: Any, ans: Any, x: Any, h0: Any, w: Any, u: Any, b_in: Any,
                 b_rec: Any, mask: Any, reset_after: bool) -> tuple:  # fmt: skip
    """Cotangents ``(dx, dh0, dw, du, db_in, db_rec)`` of `gru_forward` (BPTT)."""
    n = u.shape[0]
    hs = ans
    h_prev = _prev_states(xp, h0, hs)
    xz = xp.add(xp.matmul(x, w), b_in)
    if reset_after:
        inner = xp.add(xp.matmul(h_prev, u), b_rec)
        zr = xp.sigmoid(xp.add(xz[..., : 2 * n], inner[..., : 2 * n]))
        r = zr[..., n:]
        hh = xp.tanh(xp.add(xz[..., 2 * n :], xp.multiply(r, inner[..., 2 * n :])))
    else:
        zr = xp.sigmoid(xp.add(xz[..., : 2 * n], xp.matmul(h_prev, u[:, : 2 * n])))
        r = zr[..., n:]
        rh = xp.multiply(r, h_prev)
        hh = xp.tanh(xp.add(xz[..., 2 * n :], xp.matmul(rh, u[:, 2 * n :])))
    z = zr[..., :n]
    d_zr = xp.multiply(zr, xp.subtract(1.0, zr))
    d_hh = xp.subtract(1.0, xp.square(hh))
    one_minus_z = xp.subtract(1.0, z)
    h_minus_hh = xp.subtract(h_prev, hh)
    u_t = xp.transpose(u)
    u_zr_t = xp.transpose(u[:, : 2 * n])
    u_h_t = xp.transpose(u[:, 2 * n :])
    dh_next = xp.zeros_like(h0)
    dxs = [None] * x.shape[1]
    dins = [None] * x.shape[1]
    for t in range(x.shape[1] - 1, -1, -1):
        dh = xp.add(g[:, t], dh_next)
        keep = _keep(mask, t)
        dh, carry = _split_masked(xp, dh, keep)
        da_h = xp.multiply(xp.multiply(dh, one_minus_z[:, t]), d_hh[:, t])
        dz = xp.multiply(dh, h_minus_hh[:, t])
        direct = xp.multiply(dh, z[:, t])
        if reset_after:
            in_h = inner[:, t, 2 * n :]
            dr = xp.multiply(da_h, in_h)
            da_zr = xp.multiply(xp.concatenate([dz, dr], axis=-1), d_zr[:, t])
            d_inner = xp.concatenate([da_zr, xp.multiply(da_h, r[:, t])], axis=-1)
            dins[t] = d_inner
            dh_next = xp.add(xp.matmul(d_inner, u_t), direct)
        else:
            d_rh = xp.matmul(da_h, u_h_t)
            dr = xp.multiply(d_rh, h_prev[:, t])
            da_zr = xp.multiply(xp.concatenate([dz, dr], axis=-1), d_zr[:, t])
            dins[t] = da_zr
            dh_next = xp.add(xp.add(xp.matmul(da_zr, u_zr_t), xp.multiply(d_rh, r[:, t])), direct)
        dxs[t] = xp.concatenate([da_zr, da_h], axis=-1)
        if carry is not None:
            dh_next = xp.add(dh_next, carry)
    dxz = xp.stack(dxs, axis=1)
    d_in = xp.stack(dins, axis=1)
    dx = xp.matmul(dxz, xp.transpose(w))
    dw = _weight_grad(xp, x, dxz)
    db_in = _sum_bt(xp, dxz)
    if reset_after:
        du = _weight_grad(xp, h_prev, d_in)
        db_rec = _sum_bt(xp, d_in)
    else:
        du = xp.concatenate(
            [_weight_grad(xp, h_prev, d_in), _weight_grad(xp, rh, dxz[..., 2 * n :])], axis=-1
        )
        db_rec = xp.zeros_like(b_rec)
    return dx, dh_next, dw, du, db_in, db_rec


# ----------------------------------------------------------------------------- SimpleRNN


def simple_rnn_forward(xp: Any, x: Any, h0: Any, w: Any, u: Any, b: Any, mask: Any) -> Any:
    """State sequence of a tanh SimpleRNN."""
    xw = xp.add(xp.matmul(x, w), b)
    h = h0
    hs = []
    for t in range(x.shape[1]):
        h_new = xp.tanh(xp.add(xw[:, t], xp.matmul(h, u)))
        keep = _keep(mask, t)
        if keep is not None:
            h_new = xp.where(keep, h_new, h)
        h = h_new
        hs.append(h)
    return xp.stack(hs, axis=1)


def simple_rnn_backward(xp: Any, g: Any, ans: Any, x: Any, h0: Any, w: Any, u: Any, b: Any,
                        mask: Any) -> tuple:  # fmt: skip
    """Cotangents ``(dx, dh0, dw, du, db)`` of `simple_rnn_forward` (BPTT)."""
    hs = ans
    h_prev = _prev_states(xp, h0, hs)
    d_act = xp.subtract(1.0, xp.square(hs))
    u_t = xp.transpose(u)
    dh_next = xp.zeros_like(h0)
    das = [None] * x.shape[1]
    for t in range(x.shape[1] - 1, -1, -1):
        dh = xp.add(g[:, t], dh_next)
        keep = _keep(mask, t)
        dh, carry = _split_masked(xp, dh, keep)
        da = xp.multiply(dh, d_act[:, t])
        das[t] = da
        dh_next = xp.matmul(da, u_t)
        if carry is not None:
            dh_next = xp.add(dh_next, carry)
    da_all = xp.stack(das, axis=1)
    return (
        xp.matmul(da_all, xp.transpose(w)),
        dh_next,
        _weight_grad(xp, x, da_all),
        _weight_grad(xp, h_prev, da_all),
        _sum_bt(xp, da_all),
    )


# ----------------------------------------------------------------------------- the ops


class _Cache:
    """One backward pass shared by the per-argument gradient rules of one recorded call."""

    key: Any = None
    value: Any = None


_CACHE = _Cache()


def _all_grads(op_name: str, backward: Any, g: Any, ans: Any, slots: tuple) -> tuple:
    if _CACHE.key is not None and _CACHE.key[0] is g and _CACHE.key[1] is ans:
        return _CACHE.value
    kernel = _OPS[op_name].kernel
    fused = getattr(kernel, "vjp_all", None)
    fast = dispatch.FAST_TYPES
    leaves = [*(g if isinstance(g, (tuple, list)) else (g,)), *slots]
    if fused is not None and all(
        v is None or v.__class__ in fast or isinstance(v, (bool, int)) for v in leaves
    ):
        grads = fused(g, ans, *slots)
    else:
        grads = backward(K, g, ans, *slots)
    _CACHE.key = (g, ans)
    _CACHE.value = grads
    return grads


def _rules(op_name: str, backward: Any, names: tuple, nondiff: tuple = ("mask",)) -> dict:
    rules: dict = {}
    for k, name in enumerate(names):

        def rule(g: Any, ans: Any, *slots: Any, _k: int = k) -> Any:
            return _all_grads(op_name, backward, g, ans, slots)[_k]

        rules[name] = rule
    for name in nondiff:
        rules[name] = lambda *a: None
    return rules


def _check(cond: bool, op: str, what: str, shapes: dict) -> None:
    if not cond:
        raise ValueError(f"`{op}`: {what}. Received shapes: {shapes}")


def _seq_shape(op: str, x: tuple, h0: tuple, w: tuple, u: tuple, mask: tuple, gates: int) -> tuple:
    shapes = {"inputs": x, "initial_h": h0, "kernel": w, "recurrent_kernel": u, "mask": mask}
    _check(len(x) == 3, op, "`inputs` must be (batch, timesteps, features)", shapes)
    n = u[0]
    _check(len(u) == 2 and u[1] == gates * n, op, "bad `recurrent_kernel` shape", shapes)
    _check(len(w) == 2 and w[1] == gates * n, op, "bad `kernel` shape", shapes)
    _check(tuple(mask) == tuple(x[:2]), op, "`mask` must be (batch, timesteps)", shapes)
    return (x[0], x[1], n)


def _lstm_shape(x, h0, c0, w, u, b, mask):
    s = _seq_shape("_lstm_sequence", x, h0, w, u, mask, 4)
    return [s, s]


def _lstm_samples(rng: np.random.Generator) -> list:
    def case(b: int, t: int, d: int, n: int, mask: Any) -> tuple:
        return (
            randn(rng, b, t, d),
            randn(rng, b, n) * 0.5,
            randn(rng, b, n) * 0.5,
            randn(rng, d, 4 * n) * 0.5,
            randn(rng, n, 4 * n) * 0.5,
            randn(rng, 4 * n) * 0.1,
            mask,
        )

    m = np.array([[True, False, True], [False, True, True]])
    return [
        Sample(case(2, 3, 3, 2, np.ones((2, 3), bool)), keras=False),
        Sample(case(2, 3, 2, 3, m), keras=False),
    ]


_LSTM_NAMES = ("inputs", "initial_h", "initial_c", "kernel", "recurrent_kernel", "bias")


@defop(
    tensors=(*_LSTM_NAMES, "mask"),
    composite=True,
    shape=_lstm_shape,
    dtype=lambda x, *rest: [x, x],
    vjp=_rules("_lstm_sequence", lstm_backward, _LSTM_NAMES),
    samples=_lstm_samples,
    namespaces=(),
)
def _lstm_sequence(
    inputs: Any,
    initial_h: Any,
    initial_c: Any,
    kernel: Any,
    recurrent_kernel: Any,
    bias: Any,
    mask: Any,
) -> Any:
    """Run an LSTM (sigmoid gates i, f, c, o; tanh) over a whole sequence.

    Args:
        inputs: ``(batch, timesteps, features)``.
        initial_h: ``(batch, units)``.
        initial_c: ``(batch, units)``.
        kernel: ``(features, 4 * units)``.
        recurrent_kernel: ``(units, 4 * units)``.
        bias: ``(4 * units,)``.
        mask: boolean ``(batch, timesteps)``; a False step keeps the previous states.

    Returns:
        ``(h_seq, c_seq)``, each ``(batch, timesteps, units)``: the states after every step.
    """
    return lstm_forward(K, inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask)


def _gru_shape(x, h0, w, u, b_in, b_rec, mask, reset_after):
    return _seq_shape("_gru_sequence", x, h0, w, u, mask, 3)


def _gru_samples(rng: np.random.Generator) -> list:
    def case(b: int, t: int, d: int, n: int, mask: Any, reset_after: bool) -> tuple:
        return (
            randn(rng, b, t, d),
            randn(rng, b, n) * 0.5,
            randn(rng, d, 3 * n) * 0.5,
            randn(rng, n, 3 * n) * 0.5,
            randn(rng, 3 * n) * 0.1,
            randn(rng, 3 * n) * 0.1,
            mask,
            reset_after,
        )

    m = np.array([[True, False, True], [False, True, True]])
    return [
        Sample(case(2, 3, 3, 2, np.ones((2, 3), bool), True), keras=False),
        Sample(case(2, 3, 2, 3, m, True), keras=False),
        Sample(case(2, 3, 2, 2, m, False), keras=False),
    ]


_GRU_NAMES = ("inputs", "initial_h", "kernel", "recurrent_kernel", "input_bias", "recurrent_bias")


@defop(
    tensors=(*_GRU_NAMES, "mask"),
    composite=True,
    shape=_gru_shape,
    dtype=lambda x, *rest: x,
    vjp=_rules("_gru_sequence", gru_backward, _GRU_NAMES),
    samples=_gru_samples,
    namespaces=(),
)
def _gru_sequence(
    inputs: Any,
    initial_h: Any,
    kernel: Any,
    recurrent_kernel: Any,
    input_bias: Any,
    recurrent_bias: Any,
    mask: Any,
    reset_after: bool = True,
) -> Any:
    """Run a GRU (sigmoid gates z, r; tanh candidate) over a whole sequence.

    Args:
        inputs: ``(batch, timesteps, features)``.
        initial_h: ``(batch, units)``.
        kernel: ``(features, 3 * units)``.
        recurrent_kernel: ``(units, 3 * units)``.
        input_bias: ``(3 * units,)``, added to the input product.
        recurrent_bias: ``(3 * units,)``, added to the recurrent product (only with
            `reset_after`; ignored otherwise).
        mask: boolean ``(batch, timesteps)``; a False step keeps the previous state.
        reset_after: apply the reset gate after the recurrent product (Keras's default).

    Returns:
        ``(batch, timesteps, units)``: the state after every step.
    """
    return gru_forward(
        K, inputs, initial_h, kernel, recurrent_kernel, input_bias, recurrent_bias, mask,
        reset_after,
    )  # fmt: skip


def _simple_shape(x, h0, w, u, b, mask):
    return _seq_shape("_simple_rnn_sequence", x, h0, w, u, mask, 1)


def _simple_samples(rng: np.random.Generator) -> list:
    def case(b: int, t: int, d: int, n: int, mask: Any) -> tuple:
        return (
            randn(rng, b, t, d),
            randn(rng, b, n) * 0.5,
            randn(rng, d, n) * 0.5,
            randn(rng, n, n) * 0.5,
            randn(rng, n) * 0.1,
            mask,
        )

    m = np.array([[True, False, True], [False, True, True]])
    return [
        Sample(case(2, 3, 3, 2, np.ones((2, 3), bool)), keras=False),
        Sample(case(2, 3, 2, 3, m), keras=False),
    ]


_SIMPLE_NAMES = ("inputs", "initial_h", "kernel", "recurrent_kernel", "bias")


@defop(
    tensors=(*_SIMPLE_NAMES, "mask"),
    composite=True,
    shape=_simple_shape,
    dtype=lambda x, *rest: x,
    vjp=_rules("_simple_rnn_sequence", simple_rnn_backward, _SIMPLE_NAMES),
    samples=_simple_samples,
    namespaces=(),
)
def _simple_rnn_sequence(
    inputs: Any, initial_h: Any, kernel: Any, recurrent_kernel: Any, bias: Any, mask: Any
) -> Any:
    """Run a tanh SimpleRNN over a whole sequence.

    Args:
        inputs: ``(batch, timesteps, features)``.
        initial_h: ``(batch, units)``.
        kernel: ``(features, units)``.
        recurrent_kernel: ``(units, units)``.
        bias: ``(units,)``.
        mask: boolean ``(batch, timesteps)``; a False step keeps the previous state.

    Returns:
        ``(batch, timesteps, units)``: the state after every step.
    """
    return simple_rnn_forward(K, inputs, initial_h, kernel, recurrent_kernel, bias, mask)


def _op_table() -> dict:
    from kerasx.engine.registry import REGISTRY

    return {
        name: REGISTRY[name] for name in ("_lstm_sequence", "_gru_sequence", "_simple_rnn_sequence")
    }


class _LazyTable(dict):
    def __missing__(self, name: str) -> Any:
        self.update(_op_table())
        return dict.__getitem__(self, name)


_OPS: dict = _LazyTable()

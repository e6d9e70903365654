"""JAX kernels: CTC loss (log-space forward recursion under `lax.scan`) and CTC decoding."""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

LOG_ZERO = -1e5
_HASH_MUL = 1_000_003
_HASH_MOD = 2_147_483_647


def _rules():
    from kerasx.ops import nn_ctc

    return nn_ctc


def _shift_right(a, k, fill):
    s = a.shape[1]
    pad = jnp.full((a.shape[0], min(k, s)), fill, dtype=a.dtype)
    return jnp.concatenate([pad, a[:, : max(s - k, 0)]], axis=1)


def _lse3(a, b, c):
    m = lax.stop_gradient(jnp.maximum(jnp.maximum(a, b), c))
    return m + jnp.log(jnp.exp(a - m) + jnp.exp(b - m) + jnp.exp(c - m))


def ctc_loss(target, output, target_length, output_length, mask_index):
    _rules().ctc_loss_shape(
        target.shape, output.shape, target_length.shape, output_length.shape, mask_index
    )
    dtype = output.dtype
    x = output if dtype in (jnp.float32, jnp.float64) else output.astype(jnp.float32)
    b, t_max, _ = x.shape
    n_lab = target.shape[1]
    s = 2 * n_lab + 1
    ext = jnp.full((b, s), mask_index, dtype=jnp.int32)
    ext = ext.at[:, 1::2].set(target.astype(jnp.int32))
    skip = ext != _shift_right(ext, 2, -1)
    logp = x - lax.stop_gradient(jnp.max(x, axis=-1, keepdims=True))
    logp = logp - jnp.log(jnp.sum(jnp.exp(logp), axis=-1, keepdims=True))
    em = jnp.take_along_axis(logp, jnp.broadcast_to(ext[:, None, :], (b, t_max, s)), axis=2)
    pos = jnp.arange(s, dtype=jnp.int32)[None, :]
    alpha0 = jnp.where(pos < 2, em[:, 0, :], jnp.asarray(LOG_ZERO, x.dtype))
    ol = output_length.astype(jnp.int32).reshape(b, 1)
    neg = jnp.asarray(LOG_ZERO, x.dtype)

    def step(alpha, inp):
        t, em_t = inp
        a2 = jnp.where(skip, _shift_right(alpha, 2, LOG_ZERO), neg)
        new = _lse3(alpha, _shift_right(alpha, 1, LOG_ZERO), a2) + em_t
        return jnp.where(ol > t, new, alpha), None

    ts = jnp.arange(1, t_max, dtype=jnp.int32)
    alpha, _ = lax.scan(step, alpha0, (ts, jnp.moveaxis(em[:, 1:, :], 1, 0)))
    tl = target_length.astype(jnp.int32).reshape(b, 1)
    is_end = (pos == 2 * tl) | ((pos == 2 * tl - 1) & (tl > 0))
    ends = jnp.where(is_end, alpha, neg)
    m = lax.stop_gradient(jnp.max(ends, axis=1))
    ll = m + jnp.log(jnp.sum(jnp.exp(ends - m[:, None]), axis=1))
    want = dtype if jnp.issubdtype(dtype, jnp.floating) else jnp.float32
    return (-ll).astype(want)


# ------------------------------------------------------------------------------ decoding


def _compact(labels, keep, fill=-1):
    order = jnp.argsort(~keep, axis=1, stable=True)
    moved = jnp.take_along_axis(labels, order, axis=1)
    count = jnp.sum(keep, axis=1, keepdims=True)
    return jnp.where(jnp.arange(labels.shape[1])[None, :] < count, moved, fill)


def _greedy(inputs, lengths, merge_repeated, mask_index):
    b, t_max, _ = inputs.shape
    best = jnp.argmax(inputs, axis=-1).astype(jnp.int32)
    valid = jnp.arange(t_max)[None, :] < lengths.reshape(b, 1)
    keep = valid & (best != mask_index)
    if merge_repeated:
        prev = jnp.concatenate([jnp.full((b, 1), -1, dtype=jnp.int32), best[:, :-1]], axis=1)
        keep = keep & (best != prev)
    decoded = _compact(best, keep).astype(jnp.int32)
    score = -jnp.sum(jnp.where(valid, jnp.max(inputs, axis=-1), 0.0), axis=1)
    return decoded[None], score[:, None].astype(inputs.dtype)


def _beam_search(inputs, lengths, beam_width, top_paths, mask_index):
    b, t_max, c = inputs.shape
    x = inputs if inputs.dtype in (jnp.float32, jnp.float64) else inputs.astype(jnp.float32)
    logp = x - jnp.max(x, axis=-1, keepdims=True)
    logp = logp - jnp.log(jnp.sum(jnp.exp(logp), axis=-1, keepdims=True))
    w = int(beam_width)
    chars = jnp.array([k for k in range(c) if k != mask_index], dtype=jnp.int64)
    c1 = chars.shape[0]
    neg = -jnp.inf
    prefix = jnp.full((b, w, t_max), -1, dtype=jnp.int32)
    plen = jnp.zeros((b, w), dtype=jnp.int64)
    last = jnp.full((b, w), -1, dtype=jnp.int64)
    hsh = jnp.zeros((b, w), dtype=jnp.int64)
    pb = jnp.full((b, w), neg, dtype=x.dtype).at[:, 0].set(0.0)
    pnb = jnp.full((b, w), neg, dtype=x.dtype)
    rows = jnp.arange(b)[:, None]
    steps = jnp.arange(t_max)
    for t in range(t_max):
        lp = logp[:, t, :]
        tot = jnp.logaddexp(pb, pnb)
        valid = tot > neg
        same_pb = tot + lp[:, mask_index][:, None]
        lp_last = jnp.take_along_axis(lp, jnp.maximum(last, 0), axis=1)
        same_pnb = jnp.where(last >= 0, pnb + lp_last, neg)
        lp_c = lp[:, chars][:, None, :]
        is_last = chars[None, None, :] == last[:, :, None]
        ext_pnb = jnp.where(is_last, pb[:, :, None], tot[:, :, None]) + lp_c
        ext_hash = (hsh[:, :, None] * _HASH_MUL + (chars[None, None, :] + 1)) % _HASH_MOD
        match = (
            (ext_hash[..., None] == hsh[:, None, None, :])
            & valid[:, None, None, :]
            & (plen[:, None, None, :] == plen[:, :, None, None] + 1)
        )
        into = jnp.where(match, ext_pnb[..., None], neg)
        m = jnp.max(into, axis=(1, 2))
        finite = m > neg
        m_safe = jnp.where(finite, m, 0.0)
        total = jnp.sum(jnp.exp(into - m_safe[:, None, None, :]), axis=(1, 2))
        add = jnp.where(finite, m_safe + jnp.log(jnp.where(finite, total, 1.0)), neg)
        same_pnb = jnp.logaddexp(same_pnb, add)
        ext_pnb = jnp.where(jnp.any(match, axis=-1), neg, ext_pnb)
        scores = jnp.concatenate(
            [jnp.logaddexp(same_pb, same_pnb), ext_pnb.reshape(b, w * c1)], axis=1
        )
        pick = jnp.argsort(-scores, axis=1, stable=True)[:, :w]
        is_ext = pick >= w
        j = jnp.where(is_ext, pick - w, 0)
        parent = jnp.where(is_ext, j // max(c1, 1), pick)
        new_char = chars[j % c1] if c1 else jnp.zeros_like(j)
        par_prefix = prefix[rows, parent]
        par_len = plen[rows, parent]
        n_prefix = jnp.where(
            is_ext[:, :, None] & (steps[None, None, :] == par_len[:, :, None]),
            new_char[:, :, None],
            par_prefix,
        ).astype(jnp.int32)
        n_plen = par_len + is_ext
        n_last = jnp.where(is_ext, new_char, last[rows, parent])
        n_hsh = jnp.where(is_ext, ext_hash.reshape(b, w * c1)[rows, j], hsh[rows, parent])
        n_pb = jnp.where(is_ext, neg, same_pb[rows, parent])
        n_pnb = jnp.where(is_ext, ext_pnb.reshape(b, w * c1)[rows, j], same_pnb[rows, parent])
        live = (t < lengths).reshape(b, 1)
        prefix = jnp.where(live[:, :, None], n_prefix, prefix)
        plen = jnp.where(live, n_plen, plen)
        last = jnp.where(live, n_last, last)
        hsh = jnp.where(live, n_hsh, hsh)
        pb = jnp.where(live, n_pb, pb)
        pnb = jnp.where(live, n_pnb, pnb)
    final = jnp.logaddexp(pb, pnb)
    order = jnp.argsort(-final, axis=1, stable=True)[:, :top_paths]
    decoded = jnp.transpose(prefix[rows, order], (1, 0, 2))
    return decoded.astype(jnp.int32), final[rows, order].astype(inputs.dtype)


def ctc_decode(
    inputs, sequence_lengths, strategy, beam_width, top_paths, merge_repeated, mask_index
):
    _rules().check_decode_args(strategy, beam_width, top_paths, mask_index)
    if not jnp.issubdtype(inputs.dtype, jnp.floating):
        inputs = inputs.astype(jnp.float32)
    lengths = sequence_lengths.astype(jnp.int64)
    if strategy == "greedy":
        return _greedy(inputs, lengths, merge_repeated, mask_index)
    return _beam_search(inputs, lengths, beam_width, top_paths, mask_index)


KERNELS = {
    "ctc_loss": ctc_loss,
    "ctc_decode": ctc_decode,
}

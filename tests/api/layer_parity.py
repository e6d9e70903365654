"""Compare a kerasx layer with the same Keras 3 layer: same config, same weights, same outputs.

Used by the layer tests (`from layer_parity import assert_matches_keras`); the caller skips
when Keras is not installed (``pytest.importorskip("keras")``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import kerasx


def _np(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _np(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_np(v) for v in x]
    return np.asarray(kerasx.ops.convert_to_numpy(x))


def _flat(x: Any) -> list:
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in _flat(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in _flat(v)]
    return [x]


def _strip(config: dict) -> dict:
    return {k: v for k, v in config.items() if k != "name"}


def assert_matches_keras(
    name: str,
    init_kwargs: dict,
    inputs: Any,
    call_kwargs: dict | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    check_config: bool = True,
    weights: list | None = None,
) -> Any:
    """Build ``kerasx.layers.<name>`` and ``keras.layers.<name>`` with `init_kwargs`, give the
    Keras layer the kerasx weights (or both `weights`), call both on `inputs` and compare
    outputs, weight names/shapes/order and (optionally) configs. Returns kerasx's output."""
    import keras

    call_kwargs = dict(call_kwargs or {})
    ours = getattr(kerasx.layers, name)(**init_kwargs)
    theirs = getattr(keras.layers, name)(**init_kwargs)
    if check_config:
        a, b = _strip(ours.get_config()), _strip(theirs.get_config())
        diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
        assert not diff, f"{name}: config differs from Keras (kerasx, keras): {diff}"
    ours(inputs, **call_kwargs)  # build both on the same data
    theirs(inputs, **call_kwargs)
    got_w = [(w.path.split("/", 1)[-1], tuple(w.shape)) for w in ours.weights]
    exp_w = [(w.path.split("/", 1)[-1], tuple(w.shape)) for w in theirs.weights]
    assert got_w == exp_w, f"{name}: weights differ from Keras:\n{got_w}\n{exp_w}"
    if weights is not None:
        ours.set_weights(weights)
    theirs.set_weights(ours.get_weights())
    out = ours(inputs, **call_kwargs)
    ref = theirs(inputs, **call_kwargs)
    got, exp = _flat(_np(out)), _flat(_np(ref))
    assert len(got) == len(exp), f"{name}: {len(got)} outputs, Keras gives {len(exp)}"
    for g, e in zip(got, exp):
        assert g.shape == e.shape, f"{name}: output shape {g.shape}, Keras {e.shape}"
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol, err_msg=f"{name} vs Keras")
    return out

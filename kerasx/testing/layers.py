"""`run_layer_test`: one call that checks a layer class the way every built-in layer is checked.

It runs on the active engine (tests parametrize over engines) and checks, in order:

1. the config round trip: ``cls.from_config(layer.get_config())`` gives the same config;
2. the symbolic call: output shape(s) and dtype(s) on KerasTensors equal the expected ones and
   ``compute_output_shape``; the weight counts after building;
3. the eager call on real data: output shape(s) and dtype(s), `expected_output` values, the
   mask when masking is supported, the losses added by the call;
4. on an engine that compiles, ``stateless_call`` under ``kerasx.jit`` gives the eager output;
5. one training step: a model around the layer is fitted for one batch with SGD on an MSE loss;
   the loss must be finite and every trainable weight must receive a gradient.

Every mismatch raises ``AssertionError`` with a message that names the check.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["run_layer_test"]


def _is_shape(s: Any) -> bool:
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _map(fn: Any, struct: Any) -> Any:
    if _is_shape(struct) or not isinstance(struct, (list, tuple, dict)):
        return fn(struct)
    if isinstance(struct, dict):
        return {k: _map(fn, v) for k, v in struct.items()}
    return type(struct)(_map(fn, v) for v in struct)


def _flatten(struct: Any) -> list:
    if _is_shape(struct) or not isinstance(struct, (list, tuple, dict)):
        return [struct]
    values = struct.values() if isinstance(struct, dict) else struct
    return [leaf for v in values for leaf in _flatten(v)]


def _random_data(shape: tuple, dtype: str, rng: np.random.Generator) -> np.ndarray:
    shape = tuple(2 if d is None else d for d in shape)
    if "int" in dtype:
        return rng.integers(0, 4, size=shape).astype(dtype)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    return rng.normal(size=shape).astype(dtype)


def _shape_of(x: Any) -> tuple:
    return tuple(x.shape)


def _check_shapes(what: str, got: Any, expected: Any, batch_free: bool = False) -> None:
    got_l, exp_l = _flatten(got), _flatten(expected)
    if len(got_l) != len(exp_l):
        raise AssertionError(f"{what}: {len(got_l)} outputs, expected {len(exp_l)}.")
    for g, e in zip(got_l, exp_l):
        g, e = tuple(g), tuple(e)
        if len(g) != len(e) or any(
            a is not None and b is not None and a != b for a, b in zip(g, e)
        ):
            raise AssertionError(f"{what}: shape {g}, expected {e}.")


def _check_dtypes(what: str, outputs: Any, expected: Any) -> None:
    from kerasx.engine import dtypes

    outs = _flatten(outputs)
    exps = (
        _flatten(expected) if isinstance(expected, (list, tuple, dict)) else [expected] * len(outs)
    )
    for o, e in zip(outs, exps):
        got = dtypes.standardize_dtype(o.dtype)
        if got != dtypes.standardize_dtype(e):
            raise AssertionError(f"{what}: dtype {got}, expected {e}.")


def _weight_counts(
    layer: Any,
    n_trainable: int | None,
    n_non_trainable: int | None,
    n_non_trainable_variables: int | None,
    n_seeds: int | None,
) -> None:
    checks = [
        ("trainable weights", len(layer.trainable_weights), n_trainable),
        ("non-trainable weights", len(layer.non_trainable_weights), n_non_trainable),
        ("non-trainable variables", len(layer.non_trainable_variables), n_non_trainable_variables),
        ("seed generators", len(layer._seed_generators), n_seeds),
    ]
    for what, got, expected in checks:
        if expected is not None and got != expected:
            raise AssertionError(f"{type(layer).__name__}: {got} {what}, expected {expected}.")


def _config_round_trip(layer_cls: type, init_kwargs: dict, custom_objects: Any) -> None:
    from kerasx.saving import serialization

    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    if not isinstance(config, dict):
        raise AssertionError(f"{layer_cls.__name__}.get_config() returned {type(config)}.")
    scope = getattr(serialization, "custom_object_scope", None)
    if custom_objects and scope is not None:
        with scope(custom_objects):
            revived = layer_cls.from_config(config)
    else:
        revived = layer_cls.from_config(config)
    again = revived.get_config()
    if again != config:
        diff = {
            k: (config.get(k), again.get(k))
            for k in set(config) | set(again)
            if config.get(k) != again.get(k)
        }
        raise AssertionError(
            f"{layer_cls.__name__}: the config does not survive from_config(get_config()); "
            f"differences (before, after): {diff}"
        )


def run_layer_test(
    layer_cls: type,
    init_kwargs: dict | None = None,
    input_shape: Any = None,
    input_dtype: Any = None,
    input_data: Any = None,
    call_kwargs: dict | None = None,
    expected_output_shape: Any = None,
    expected_output_dtype: Any = None,
    expected_output: Any = None,
    expected_num_trainable_weights: int | None = None,
    expected_num_non_trainable_weights: int | None = None,
    expected_num_non_trainable_variables: int | None = None,
    expected_num_seed_generators: int | None = None,
    expected_num_losses: int | None = None,
    supports_masking: bool | None = None,
    expected_mask_shape: Any = None,
    custom_objects: dict | None = None,
    run_training_check: bool = True,
    run_jit_check: bool = True,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> Any:
    """Check a layer class end to end on the active engine (see the module docstring).

    Args:
        layer_cls: the layer class.
        init_kwargs: constructor arguments.
        input_shape: the input shape (with the batch dimension), or a list/dict of shapes for
            a layer with several inputs. Needed unless `input_data` is given.
        input_dtype: dtype(s) of the random input data (default float32).
        input_data: concrete input(s); random data of `input_shape` is used when omitted.
        call_kwargs: further arguments for every call (e.g. ``{"training": False}``).
        expected_output_shape: the output shape (or structure of shapes).
        expected_output_dtype: the output dtype (or structure of dtypes).
        expected_output: output values to compare the eager output with.
        expected_num_trainable_weights: how many trainable weights after building.
        expected_num_non_trainable_weights: how many non-trainable weights.
        expected_num_non_trainable_variables: non-trainable weights plus seed states.
        expected_num_seed_generators: how many seed generators the layer holds.
        expected_num_losses: how many losses one eager call adds.
        supports_masking: the expected value of ``layer.supports_masking``.
        expected_mask_shape: the output mask's shape, for a call on masked input.
        custom_objects: objects ``from_config`` needs.
        run_training_check: fit a model around the layer for one step.
        run_jit_check: on a compiling engine, compare ``stateless_call`` under jit with eager.
        rtol: relative tolerance for value comparisons.
        atol: absolute tolerance for value comparisons.

    Returns:
        The layer used for the eager checks (built), for further assertions.
    """
    import kerasx
    from kerasx import ops
    from kerasx.engine import dispatch
    from kerasx.engine.symbolic import KerasTensor

    init_kwargs = dict(init_kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    if input_shape is None and input_data is None:
        raise ValueError("run_layer_test needs `input_shape` or `input_data`.")
    rng = np.random.default_rng(1234)
    if input_data is None:
        if isinstance(input_dtype, (list, tuple, dict)):
            if isinstance(input_shape, dict):
                input_data = {
                    k: _random_data(s, input_dtype[k], rng) for k, s in input_shape.items()
                }
            else:
                input_data = type(input_shape)(
                    _random_data(s, d, rng) for s, d in zip(input_shape, input_dtype)
                )
        else:
            dtype = str(input_dtype or "float32")
            input_data = _map(lambda s: _random_data(s, dtype, rng), input_shape)
    if input_shape is None:
        input_shape = _map(lambda a: tuple(np.shape(a)), input_data)
    name = layer_cls.__name__

    # 1. config round trip
    _config_round_trip(layer_cls, init_kwargs, custom_objects)

    # 2. symbolic call
    def dtype_of(a: Any) -> str:
        return str(getattr(a, "dtype", "float32"))

    sym_inputs = _map(
        lambda a: KerasTensor(tuple(np.shape(a)), dtype_of(np.asarray(a))), input_data
    )
    sym_layer = layer_cls(**init_kwargs)
    sym_out = sym_layer(sym_inputs, **call_kwargs)
    if expected_output_shape is not None:
        _check_shapes(f"{name} symbolic output", _map(_shape_of, sym_out), expected_output_shape)
    if expected_output_dtype is not None:
        _check_dtypes(f"{name} symbolic output", sym_out, expected_output_dtype)
    _weight_counts(
        sym_layer,
        expected_num_trainable_weights,
        expected_num_non_trainable_weights,
        expected_num_non_trainable_variables,
        expected_num_seed_generators,
    )
    if supports_masking is not None and bool(sym_layer.supports_masking) != supports_masking:
        raise AssertionError(
            f"{name}.supports_masking is {sym_layer.supports_masking}, expected {supports_masking}."
        )

    # 3. eager call
    layer = layer_cls(**init_kwargs)
    out = layer(input_data, **call_kwargs)
    out_shapes = _map(_shape_of, out)
    if expected_output_shape is not None:
        _check_shapes(f"{name} eager output", out_shapes, expected_output_shape)
    _check_shapes(f"{name} eager vs symbolic output", out_shapes, _map(_shape_of, sym_out))
    try:
        computed = layer.compute_output_shape(input_shape)
    except NotImplementedError:
        computed = None
    if computed is not None:
        _check_shapes(f"{name}.compute_output_shape", computed, out_shapes)
    if expected_output_dtype is not None:
        _check_dtypes(f"{name} eager output", out, expected_output_dtype)
    _weight_counts(
        layer,
        expected_num_trainable_weights,
        expected_num_non_trainable_weights,
        expected_num_non_trainable_variables,
        expected_num_seed_generators,
    )
    if expected_output is not None:
        for got, exp in zip(_flatten(out), _flatten(expected_output)):
            np.testing.assert_allclose(
                np.asarray(ops.convert_to_numpy(got)),
                np.asarray(exp),
                rtol=rtol,
                atol=atol,
                err_msg=f"{name}: eager output differs from expected_output",
            )
    if expected_num_losses is not None and len(layer.losses) != expected_num_losses:
        raise AssertionError(
            f"{name}: {len(layer.losses)} losses after a call, expected {expected_num_losses}."
        )
    if expected_mask_shape is not None:
        first = _flatten(input_data)[0]
        mask = np.ones(np.shape(first)[:2], dtype=bool)
        mask[..., -1] = False
        masked_layer = layer_cls(**init_kwargs)
        if masked_layer._kx_call.accepts_mask:
            masked_layer(input_data, **call_kwargs, mask=mask)
        else:
            masked_layer(input_data, **call_kwargs)
        out_mask = masked_layer.compute_mask(input_data, ops.convert_to_tensor(mask))
        _check_shapes(f"{name} output mask", _map(_shape_of, out_mask), expected_mask_shape)

    # 4. stateless call under jit
    if run_jit_check and getattr(dispatch.engine(), "compiles", False) and layer.built:
        tv = [v.value for v in layer.trainable_variables]
        ntv = [v.value for v in layer.non_trainable_variables]
        jit_kwargs = dict(call_kwargs)
        if _accepts_training(layer):
            jit_kwargs.setdefault("training", False)

        def pure(tv: list, ntv: list, x: Any) -> Any:
            return layer.stateless_call(tv, ntv, x, **jit_kwargs)[0]

        got = kerasx.jit(pure)(tv, ntv, input_data)
        ref = layer(input_data, **jit_kwargs)
        if not layer._seed_generators:
            for g, r in zip(_flatten(got), _flatten(ref)):
                np.testing.assert_allclose(
                    np.asarray(ops.convert_to_numpy(g)),
                    np.asarray(ops.convert_to_numpy(r)),
                    rtol=max(rtol, 1e-5),
                    atol=max(atol, 1e-5),
                    err_msg=f"{name}: stateless_call under jit differs from the eager call",
                )

    # 5. one training step
    if run_training_check:
        _training_step(layer_cls, init_kwargs, input_data, call_kwargs, out)
    return layer


def _accepts_training(layer: Any) -> bool:
    return bool(getattr(layer._kx_call, "accepts_training", False))


def _training_step(
    layer_cls: type, init_kwargs: dict, input_data: Any, call_kwargs: dict, out: Any
) -> None:
    import kerasx
    from kerasx import ops
    from kerasx.engine import dtypes

    flat_out = _flatten(out)
    if not all(dtypes.is_float_dtype(dtypes.standardize_dtype(t.dtype)) for t in flat_out):
        return  # integer or boolean outputs cannot be regressed with MSE

    layer = layer_cls(**init_kwargs)
    extra = {k: v for k, v in call_kwargs.items() if k != "training"}

    class _Wrapper(kerasx.Model):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def call(self, x: Any, training: Any = None) -> Any:
            y = (
                self.inner(x, training=training, **extra)
                if _accepts_training(self.inner)
                else self.inner(x, **extra)
            )
            flat = _flatten(y)
            return (
                flat[0]
                if len(flat) == 1
                else ops.concatenate([ops.reshape(t, (ops.shape(t)[0], -1)) for t in flat], axis=-1)
            )

    model = _Wrapper(layer)
    model.compile(optimizer=kerasx.optimizers.SGD(0.01), loss="mse")
    first = flat_out[0] if len(flat_out) == 1 else None
    if first is not None:
        target_shape = tuple(first.shape)
    else:
        n = int(flat_out[0].shape[0])
        target_shape = (n, sum(int(np.prod(t.shape[1:])) for t in flat_out))
    y = np.random.default_rng(0).normal(size=target_shape).astype("float32")
    batch = int(np.shape(_flatten(input_data)[0])[0])
    model(input_data)  # build, so the weights can be read before the step
    before = [np.array(v.numpy(), copy=True) for v in layer.trainable_weights]
    logs = model.fit(input_data, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    loss = logs.history["loss"][-1]
    if not np.isfinite(loss):
        raise AssertionError(f"{layer_cls.__name__}: one training step gave loss {loss}.")
    unchanged = [
        v.path
        for v, old in zip(layer.trainable_weights, before)
        if np.array_equal(np.asarray(v.numpy()), old)
    ]
    if unchanged:
        raise AssertionError(
            f"{layer_cls.__name__}: one SGD step left these trainable weights unchanged (no "
            f"gradient reached them): {unchanged}."
        )

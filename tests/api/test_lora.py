"""LoRA in Dense, EinsumDense and Embedding: weights, outputs, training, config, saving."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _rand_weights(layer, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=w.shape).astype("float32") for w in layer.weights]


def _names(layer):
    return [(w.path.split("/", 1)[-1], tuple(w.shape), bool(w.trainable)) for w in layer.weights]


# (class name, constructor kwargs, input shape or int ids, base name)
CASES = [
    ("Dense", {"units": 3}, (2, 4), "kernel"),
    ("Dense", {"units": 3, "use_bias": False, "activation": "relu"}, (2, 5, 4), "kernel"),
    (
        "EinsumDense",
        {"equation": "ab,bc->ac", "output_shape": 3, "bias_axes": "c"},
        (2, 4),
        "kernel",
    ),
    (
        "EinsumDense",
        {"equation": "abc,cde->abde", "output_shape": (5, 2, 3), "bias_axes": "de"},
        (2, 5, 4),
        "kernel",
    ),
    ("EinsumDense", {"equation": "...b,bc->...c", "output_shape": 3}, (2, 3, 4), "kernel"),
    ("Embedding", {"input_dim": 10, "output_dim": 4}, "ids", "embeddings"),
]
IDS = ["dense", "dense_nobias_3d", "einsum_2d", "einsum_heads", "einsum_ellipsis", "embedding"]


def _inputs(spec):
    if spec == "ids":
        return np.array([[1, 2, 0], [9, 3, 3]], dtype="int32")
    return np.random.default_rng(1).normal(size=spec).astype("float32")


def _build(layer, x):
    layer(x)
    return layer


# ---------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize("name,kwargs,spec,base", CASES, ids=IDS)
def test_weights_and_effective_matrix(engine, name, kwargs, spec, base):
    x = _inputs(spec)
    layer = _build(getattr(layers, name)(**kwargs, lora_rank=2), x)
    assert layer.lora_enabled and layer.lora_rank == 2 and layer.lora_alpha == 2
    base_var = getattr(layer, f"_{base}")
    a = getattr(layer, f"lora_{base}_a")
    b = getattr(layer, f"lora_{base}_b")
    shape = tuple(base_var.shape)
    assert tuple(a.shape) == (*shape[:-1], 2) and tuple(b.shape) == (2, shape[-1])
    assert not base_var.trainable and a.trainable and b.trainable
    names = [n for n, _, _ in _names(layer)]
    assert names[0] == base and names[-2:] == [f"lora_{base}_a", f"lora_{base}_b"]
    assert [w.path for w in layer.non_trainable_weights] == [base_var.path]
    assert len(layer.trainable_weights) == len(layer.weights) - 1
    # B starts at zero: the outputs are the base layer's.
    np.testing.assert_allclose(
        kerasx.ops.convert_to_numpy(getattr(layer, base)), base_var.numpy(), atol=0
    )
    layer.set_weights(_rand_weights(layer))
    merged = base_var.numpy() + np.tensordot(a.numpy(), b.numpy(), axes=1)  # alpha / rank = 1
    np.testing.assert_allclose(
        kerasx.ops.convert_to_numpy(getattr(layer, base)), merged, rtol=1e-5, atol=1e-5
    )
    plain = _build(getattr(layers, name)(**kwargs), x)
    others = [w.numpy() for w in layer.weights if w is not base_var and w is not a and w is not b]
    plain.set_weights([merged, *others])
    np.testing.assert_allclose(
        kerasx.ops.convert_to_numpy(layer(x)),
        kerasx.ops.convert_to_numpy(plain(x)),
        rtol=1e-5,
        atol=1e-5,
    )


@pytest.mark.parametrize(
    "name,kwargs,spec,base", CASES[:1] + CASES[3:4] + CASES[5:], ids=IDS[:1] + IDS[3:4] + IDS[5:]
)
def test_enable_lora_scale_and_config(engine, name, kwargs, spec, base):
    x = _inputs(spec)
    layer = _build(getattr(layers, name)(**kwargs), x)
    assert "lora_rank" not in layer.get_config() and "lora_alpha" not in layer.get_config()
    layer.enable_lora(2, lora_alpha=6.0, a_initializer="ones", b_initializer="ones")
    a = getattr(layer, f"lora_{base}_a").numpy()
    assert np.all(a == 1) and np.all(getattr(layer, f"lora_{base}_b").numpy() == 1)
    cfg = layer.get_config()
    assert cfg["lora_rank"] == 2 and cfg["lora_alpha"] == 6.0
    base_var = getattr(layer, f"_{base}")
    expected = base_var.numpy() + 3.0 * np.tensordot(a, np.ones((2, base_var.shape[-1])), 1)
    np.testing.assert_allclose(
        kerasx.ops.convert_to_numpy(getattr(layer, base)), expected, rtol=1e-5, atol=1e-5
    )
    # The config makes a layer that enables LoRA when built.
    clone = _build(type(layer).from_config(cfg), x)
    assert clone.lora_enabled and _names(clone) == _names(layer)


def test_training_updates_only_lora_weights(engine):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    inp = kerasx.Input((4,))
    h = layers.Dense(3, use_bias=False, lora_rank=2, name="d")(inp)
    out = layers.EinsumDense("ab,bc->ac", 2, lora_rank=1, name="e")(h)
    model = kerasx.Model(inp, out)
    model.get_layer("e").lora_kernel_b.assign(np.ones((1, 2), "float32"))
    model.get_layer("d").lora_kernel_b.assign(np.ones((2, 3), "float32"))
    before = {w.path: w.numpy().copy() for w in model.weights}
    model.compile(optimizer=kerasx.optimizers.SGD(0.1), loss="mse")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    after = {w.path: w.numpy() for w in model.weights}
    for path in before:
        changed = not np.array_equal(before[path], after[path])
        assert changed == ("lora_" in path), path


@pytest.mark.parametrize(
    "name,kwargs,spec",
    [(n, k, s) for n, k, s, _ in (CASES[0], CASES[3], CASES[5])],
    ids=["dense", "einsum", "embedding"],
)
def test_run_layer_test(engine, name, kwargs, spec):
    x = _inputs(spec)
    n_weights = 2 if name == "Embedding" else 3
    run_layer_test(
        getattr(layers, name),
        {**kwargs, "lora_rank": 2},
        input_data=x,
        expected_num_trainable_weights=n_weights,
        expected_num_non_trainable_weights=1,
        # B starts at zero, so no gradient reaches A on a first step (as it should);
        # test_training_updates_only_lora_weights trains with a non-zero B.
        run_training_check=False,
    )


def test_errors(engine):
    with pytest.raises(ValueError, match="before it is built"):
        layers.Dense(3).enable_lora(2)
    layer = _build(layers.Dense(3, lora_rank=2), np.ones((1, 4), "float32"))
    with pytest.raises(ValueError, match="already enabled"):
        layer.enable_lora(2)
    with pytest.raises(ValueError, match="kernel_constraint"):
        _build(
            layers.Dense(3, kernel_constraint="non_neg"), np.ones((1, 4), "float32")
        ).enable_lora(2)
    with pytest.raises(ValueError, match="embeddings_constraint"):
        layers.Embedding(4, 2, embeddings_constraint="non_neg", lora_rank=1).build()
    for bad in (-1, 1.5, "2", True):
        with pytest.raises(ValueError, match=f"lora_rank={bad!r}"):
            layers.Dense(3, lora_rank=bad)
    with pytest.raises(ValueError, match="rank=-2"):
        _build(layers.Dense(3), np.ones((1, 4), "float32")).enable_lora(-2)
    with pytest.raises(ValueError, match="lora_alpha='x'"):
        layers.EinsumDense("ab,bc->ac", 3, lora_rank=2, lora_alpha="x")
    # A rank of 0 means no LoRA (as in Keras).
    assert not _build(layers.Dense(3, lora_rank=0), np.ones((1, 4), "float32")).lora_enabled
    for cls, args in (
        (layers.Dense, (3,)),
        (layers.EinsumDense, ("ab,bc->ac", 3)),
        (layers.Embedding, (4, 2)),
    ):
        with pytest.raises(NotImplementedError, match="quantization"):
            cls(*args, quantization_config={"mode": "int8"})


def test_regularizer_applies_to_lora_factors(engine):
    layer = layers.Dense(3, kernel_regularizer=kerasx.regularizers.L2(1.0))
    _build(layer, np.ones((1, 4), "float32"))
    layer.enable_lora(2, a_initializer="ones", b_initializer="ones")
    assert layer.lora_kernel_a.regularizer is not None
    assert layer.lora_kernel_b.regularizer is not None


# ---------------------------------------------------------------------------- saving


def _model(lora, name="m"):
    inp = kerasx.Input((4,))
    h = layers.Dense(3, lora_rank=2 if lora else None, name="d")(inp)
    out = layers.EinsumDense(
        "ab,bc->ac", 2, bias_axes="c", lora_rank=1 if lora else None, name="e"
    )(h)
    return kerasx.Model(inp, out, name=name)


def test_save_load_weights_merges_lora(engine, tmp_path):
    import h5py

    x = np.random.default_rng(2).normal(size=(3, 4)).astype("float32")
    model = _model(True)
    model.set_weights(_rand_weights(model))
    y = kerasx.ops.convert_to_numpy(model(x))
    path = str(tmp_path / "lora.weights.h5")
    model.save_weights(path)
    with h5py.File(path) as f:
        assert sorted(f["layers/dense/vars"].keys()) == ["0", "1"]
        np.testing.assert_allclose(
            f["layers/dense/vars/0"][()],
            kerasx.ops.convert_to_numpy(model.get_layer("d").kernel),
            rtol=1e-6,
        )
    for lora in (True, False):
        other = _model(lora)
        other.load_weights(path)
        np.testing.assert_allclose(kerasx.ops.convert_to_numpy(other(x)), y, rtol=1e-5, atol=1e-5)
        if lora:
            assert np.all(other.get_layer("d").lora_kernel_b.numpy() == 0)
    # A plain model's file loads into a LoRA model.
    plain = _model(False)
    plain_path = str(tmp_path / "plain.weights.h5")
    plain.save_weights(plain_path)
    lora = _model(True)
    lora.load_weights(plain_path)
    np.testing.assert_allclose(
        kerasx.ops.convert_to_numpy(lora(x)),
        kerasx.ops.convert_to_numpy(plain(x)),
        rtol=1e-5,
        atol=1e-5,
    )


def test_whole_model_round_trip(engine, tmp_path):
    x = np.random.default_rng(3).normal(size=(3, 4)).astype("float32")
    model = _model(True)
    model.set_weights(_rand_weights(model, 4))
    y = kerasx.ops.convert_to_numpy(model(x))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = kerasx.models.load_model(path)
    assert loaded.get_layer("d").lora_enabled and loaded.get_layer("e").lora_enabled
    assert [w.path for w in loaded.weights] == [w.path for w in model.weights]
    np.testing.assert_allclose(kerasx.ops.convert_to_numpy(loaded(x)), y, rtol=1e-5, atol=1e-5)


def test_load_own_variables_errors(engine):
    layer = _build(layers.Dense(3, lora_rank=2), np.ones((1, 4), "float32"))
    with pytest.raises(ValueError, match="expected 2 saved variables"):
        layer.load_own_variables({"0": np.zeros((4, 3), "float32")})
    with pytest.raises(ValueError, match="Shape mismatch"):
        layer.load_own_variables({"0": np.zeros((4, 4), "float32"), "1": np.zeros(3, "float32")})
    # Without LoRA the layer has no own saving format (the generic one applies).
    assert not hasattr(_build(layers.Dense(3), np.ones((1, 4), "float32")), "save_own_variables")


# ---------------------------------------------------------------------------- Keras parity


@pytest.mark.parametrize("name,kwargs,spec,base", CASES, ids=IDS)
def test_matches_keras(engine, name, kwargs, spec, base):
    keras = pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    x = _inputs(spec)
    probe = _build(getattr(layers, name)(**kwargs, lora_rank=2, lora_alpha=4.0), x)
    assert_matches_keras(
        name, {**kwargs, "lora_rank": 2, "lora_alpha": 4.0}, x, weights=_rand_weights(probe)
    )
    # After build (LoRA enabled by the constructor) the configs still agree: Keras's Dense and
    # Embedding then report lora_alpha = lora_rank, its EinsumDense keeps 4.0.
    theirs = getattr(keras.layers, name)(**kwargs, lora_rank=2, lora_alpha=4.0)
    theirs(x)
    for key in ("lora_rank", "lora_alpha"):
        assert probe.get_config()[key] == theirs.get_config()[key]
    assert probe.lora_alpha == theirs.lora_alpha


@pytest.mark.parametrize("name,kwargs,spec,base", CASES, ids=IDS)
def test_enable_lora_matches_keras(engine, name, kwargs, spec, base):
    keras = pytest.importorskip("keras")
    x = _inputs(spec)
    ours = _build(getattr(layers, name)(**kwargs), x)
    theirs = getattr(keras.layers, name)(**kwargs)
    theirs(x)
    ours.enable_lora(3, lora_alpha=6)
    theirs.enable_lora(3, lora_alpha=6)
    assert _names(ours) == [
        (w.path.split("/", 1)[-1], tuple(w.shape), bool(w.trainable)) for w in theirs.weights
    ]
    assert [w.path.split("/", 1)[-1] for w in ours.trainable_weights] == [
        w.path.split("/", 1)[-1] for w in theirs.trainable_weights
    ]
    ours.set_weights(_rand_weights(ours, 5))
    theirs.set_weights(ours.get_weights())
    for key in ("lora_rank", "lora_alpha"):
        assert ours.get_config()[key] == theirs.get_config()[key]
    np.testing.assert_allclose(
        kerasx.ops.convert_to_numpy(getattr(ours, base)),
        np.asarray(getattr(theirs, base)),
        rtol=1e-5,
        atol=1e-5,
    )
    np.testing.assert_allclose(
        kerasx.ops.convert_to_numpy(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-5
    )
    # Keras's config builds the same LoRA layer in kerasx.
    clone = _build(getattr(layers, name).from_config(theirs.get_config()), x)
    assert _names(clone) == _names(ours)


def _keras_model(keras, lora):
    inp = keras.Input((4,))
    h = keras.layers.Dense(3, lora_rank=2 if lora else None, name="d")(inp)
    out = keras.layers.EinsumDense(
        "ab,bc->ac", 2, bias_axes="c", lora_rank=1 if lora else None, name="e"
    )(h)
    return keras.Model(inp, out, name="m")


# Keras's NumPy backend converts variables with a deprecated `__array__` call when saving.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("lora_ours,lora_theirs", [(True, True), (True, False), (False, True)])
def test_weights_files_move_between_kerasx_and_keras(engine, tmp_path, lora_ours, lora_theirs):
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(6).normal(size=(3, 4)).astype("float32")
    ours = _model(lora_ours)
    ours.set_weights(_rand_weights(ours, 7))
    y = kerasx.ops.convert_to_numpy(ours(x))
    path = str(tmp_path / "ours.weights.h5")
    ours.save_weights(path)
    theirs = _keras_model(keras, lora_theirs)
    theirs.load_weights(path)
    np.testing.assert_allclose(np.asarray(theirs(x)), y, rtol=1e-5, atol=1e-5)
    # And back: Keras's file (LoRA merged) into kerasx.
    rng = np.random.default_rng(8)
    for w in theirs.weights:
        w.assign(rng.normal(size=w.shape).astype("float32"))
    ref = np.asarray(theirs(x))
    path2 = str(tmp_path / "theirs.weights.h5")
    theirs.save_weights(path2)
    back = _model(lora_ours)
    back.load_weights(path2)
    np.testing.assert_allclose(kerasx.ops.convert_to_numpy(back(x)), ref, rtol=1e-5, atol=1e-5)


# Keras's NumPy backend converts variables with a deprecated `__array__` call when saving.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_embedding_weights_file_matches_keras(engine, tmp_path):
    keras = pytest.importorskip("keras")
    ids = _inputs("ids")
    ours = kerasx.Sequential(
        [kerasx.Input((3,), dtype="int32"), layers.Embedding(10, 4, lora_rank=2)]
    )
    ours.set_weights(_rand_weights(ours, 9))
    path = str(tmp_path / "emb.weights.h5")
    ours.save_weights(path)
    theirs = keras.Sequential(
        [keras.Input((3,), dtype="int32"), keras.layers.Embedding(10, 4, lora_rank=2)]
    )
    theirs.load_weights(path)
    np.testing.assert_allclose(
        np.asarray(theirs(ids)), kerasx.ops.convert_to_numpy(ours(ids)), rtol=1e-5, atol=1e-5
    )

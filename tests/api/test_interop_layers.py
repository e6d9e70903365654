"""Interop layers: JaxLayer and FlaxLayer (JAX engine), TorchModuleWrapper (NumPy engine),
TFSMLayer (unavailable). Each runs where it can and raises a clear error elsewhere."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers, ops
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


@pytest.fixture
def jax_engine():
    if "jax" not in installed_engines():
        pytest.skip("the JAX engine is not installed")
    config.set_backend("jax")
    yield
    config.set_backend("numpy")


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32")
    return x, y


# ---------------------------------------------------------------------------- JaxLayer


def linear_init(rng, inputs):
    import jax

    k1, _ = jax.random.split(rng)
    params = {"w": jax.random.normal(k1, (inputs.shape[-1], 1)) * 0.1, "b": jax.numpy.zeros((1,))}
    return params, {"calls": jax.numpy.zeros(())}


def linear_call(params, state, rng, inputs, training):
    import jax

    out = inputs @ params["w"] + params["b"]
    noise = jax.random.normal(rng, out.shape) * 1e-3
    out = jax.numpy.where(training, out + noise, out)
    return out, {"calls": state["calls"] + 1}


def test_jax_layer_run_layer_test(jax_engine):
    run_layer_test(
        layers.JaxLayer,
        {"call_fn": linear_call, "init_fn": linear_init, "seed": 1},
        input_shape=(3, 4),
        expected_output_shape=(3, 1),
        expected_output_dtype="float32",
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=1,
        expected_num_seed_generators=1,
        custom_objects={"linear_call": linear_call, "linear_init": linear_init},
    )


def test_jax_layer_variables_follow_the_pytrees(jax_engine):
    params = {"dense": {"w": np.full((4, 3), 0.1, "float32"), "b": np.zeros(3, "float32")}}
    params["scale"] = 2.0

    def call_fn(params, state, inputs):
        out = (inputs @ params["dense"]["w"] + params["dense"]["b"]) * params["scale"]
        return out, {"count": state["count"] + 1}

    layer = layers.JaxLayer(call_fn, params=params, state={"count": np.zeros((), "float32")})
    # Leaves in JAX's pytree order (sorted keys), params then state, as in Keras.
    assert [(w.path, w.shape, w.trainable) for w in layer.weights] == [
        (f"{layer.name}/variable", (3,), True),
        (f"{layer.name}/variable_1", (4, 3), True),
        (f"{layer.name}/variable_2", (), True),
        (f"{layer.name}/variable_3", (), False),
    ]
    assert layer.params["scale"] is layer.weights[2] and layer.weights[2].dtype == "float32"
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), np.full((2, 3), 0.8), rtol=1e-6)
    layer(x, training=True)
    assert float(ops.convert_to_numpy(layer.state["count"].value)) == 2.0  # every call
    symbolic = layer(kerasx.Input((4,)))
    assert symbolic.shape == (None, 3) and symbolic.dtype == "float32"
    assert layer.compute_output_shape((None, 4)) == (None, 3)
    assert layer.get_config() == {
        "name": layer.name,
        "trainable": True,
        "dtype": layer.get_config()["dtype"],
        "call_fn": {
            "module": "builtins",
            "class_name": "function",
            "config": "call_fn",
            "registered_name": "function",
        },
        "init_fn": None,
        "native_serialization_platforms": None,
    }


def test_jax_layer_trains_in_fit(jax_engine):
    kerasx.utils.set_random_seed(0)
    x, y = _data()
    layer = layers.JaxLayer(linear_call, linear_init, seed=3)
    model = kerasx.Sequential([kerasx.Input((4,)), layer])
    model.compile(kerasx.optimizers.Adam(0.05), "mse")
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.01 * history.history["loss"][0]
    w = ops.convert_to_numpy(layer.params["w"].value).ravel()
    np.testing.assert_allclose(w, [1.0, -2.0, 0.5, 3.0], atol=0.05)
    # The state was threaded through the jitted steps: one increment per call.
    assert float(ops.convert_to_numpy(layer.state["calls"].value)) == 40 * 4


def test_jax_layer_matches_the_jax_function(jax_engine):
    import jax

    def call_fn(params, inputs):
        return jax.nn.gelu(inputs @ params[0]) + params[1]

    w = np.random.default_rng(0).normal(size=(4, 2)).astype("float32")
    layer = layers.JaxLayer(call_fn, params=[w, np.ones(2, "float32")])
    x = np.random.default_rng(1).normal(size=(5, 4)).astype("float32")
    expected = np.asarray(call_fn([w, np.ones(2, "float32")], x))
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), expected, rtol=1e-6)
    # Gradients reach the parameters through kerasx's value_and_grad.

    seed_state = [v.value for v in layer.non_trainable_variables]

    def loss(values):
        out, _ = layer.stateless_call(values, seed_state, x)
        return ops.sum(out)

    _, grads = kerasx.value_and_grad(loss)([v.value for v in layer.trainable_variables])
    ref = jax.grad(lambda p: call_fn(p, x).sum())([w, np.ones(2, "float32")])
    for g, r in zip(grads, ref):
        np.testing.assert_allclose(ops.convert_to_numpy(g), np.asarray(r), rtol=1e-5)


def test_jax_layer_bad_arguments(jax_engine):
    with pytest.raises(ValueError, match="Missing required argument in `call_fn`: `inputs`"):
        layers.JaxLayer(lambda params, x: x, params=1.0)
    with pytest.raises(ValueError, match="Unsupported argument in `call_fn`: `foo`"):
        layers.JaxLayer(lambda params, foo, inputs: inputs, params=1.0)
    with pytest.raises(ValueError, match="Unsupported argument in `init_fn`: `foo`"):
        layers.JaxLayer(lambda params, inputs: inputs, init_fn=lambda foo, inputs: 1.0)
    with pytest.raises(ValueError, match="cannot all be `None`"):
        layers.JaxLayer(lambda params, inputs: inputs)
    layer = layers.JaxLayer(lambda inputs: inputs * 2)  # no parameters at all
    assert layer.weights == []
    bad = layers.JaxLayer(lambda params, state, inputs: inputs, params=1.0, state=1.0)
    with pytest.raises(ValueError, match=r"\(outputs, new_state\)"):
        bad(np.ones((2, 2), "float32"))


def test_jax_layer_needs_the_jax_engine():
    config.set_backend("numpy")
    with pytest.raises(ValueError, match="only supported on the JAX engine.*KERASX_BACKEND=jax"):
        layers.JaxLayer(lambda params, inputs: inputs, params=1.0)


# ---------------------------------------------------------------------------- FlaxLayer


def test_flax_layer_trains_in_fit(jax_engine):
    nn = pytest.importorskip("flax.linen")

    class Net(nn.Module):
        @nn.compact
        def __call__(self, inputs, training=False):
            x = nn.Dense(8)(inputs)
            x = nn.BatchNorm(use_running_average=not training)(x)
            x = nn.Dropout(0.1, deterministic=not training)(nn.relu(x))
            return nn.Dense(1)(x)

    kerasx.utils.set_random_seed(0)
    x, y = _data()
    layer = layers.FlaxLayer(Net(), seed=0)
    model = kerasx.Sequential([kerasx.Input((4,)), layer])
    assert len(layer.trainable_weights) == 6 and len(layer.non_trainable_weights) == 2
    before = ops.convert_to_numpy(layer.state["batch_stats"]["BatchNorm_0"]["mean"].value)
    model.compile(kerasx.optimizers.Adam(0.02), "mse")
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]
    after = ops.convert_to_numpy(layer.state["batch_stats"]["BatchNorm_0"]["mean"].value)
    assert not np.allclose(before, after)  # the batch statistics were updated


def test_flax_layer_matches_module_apply(jax_engine):
    nn = pytest.importorskip("flax.linen")
    import jax

    class Net(nn.Module):
        def setup(self):
            self.dense = nn.Dense(2)

        def __call__(self, inputs):
            return self.dense(inputs)

        def doubled(self, inputs):
            return self.dense(inputs) * 2

    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    variables = Net().init(jax.random.PRNGKey(0), x)
    for method in (None, "doubled", Net.doubled):
        layer = layers.FlaxLayer(Net(), method=method, variables=variables)
        expected = Net().apply(variables, x, method=method)
        np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), np.asarray(expected))


def test_flax_layer_without_flax_or_jax(engine):
    try:
        import flax  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="FlaxLayer needs the `flax` package"):
            layers.FlaxLayer(object())
        return
    if engine != "jax":
        with pytest.raises(ValueError, match="only supported on the JAX engine"):
            layers.FlaxLayer(object())


# ---------------------------------------------------------------------------- TorchModuleWrapper


def _torch_net(torch):
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Dropout(0.0), torch.nn.Linear(8, 2)
    )


def test_torch_module_wrapper_run_layer_test(engine, monkeypatch):
    torch = pytest.importorskip("torch")
    if engine != "numpy":
        with pytest.raises(ValueError, match="only supported on the NumPy engine"):
            layers.TorchModuleWrapper(_torch_net(torch))
        return
    # The module travels in the config as a pickle: loading it needs unsafe deserialization.
    monkeypatch.setitem(config._flags, "unsafe_deserialization", True)
    run_layer_test(
        layers.TorchModuleWrapper,
        {"module": _torch_net(torch)},
        input_shape=(3, 4),
        expected_output_shape=(3, 2),
        expected_output_dtype="float32",
        expected_num_trainable_weights=4,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
    )


def test_torch_module_wrapper_matches_torch(monkeypatch):
    torch = pytest.importorskip("torch")
    config.set_backend("numpy")
    net = _torch_net(torch)
    layer = layers.TorchModuleWrapper(net)
    assert [(w.path, w.shape) for w in layer.weights] == [
        (f"{layer.name}/variable", (8, 4)),
        (f"{layer.name}/variable_1", (8,)),
        (f"{layer.name}/variable_2", (2, 8)),
        (f"{layer.name}/variable_3", (2,)),
    ]
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    xt = torch.tensor(x, requires_grad=True)
    expected = net(xt)
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), expected.detach().numpy(), rtol=1e-6)
    assert layer(kerasx.Input((4,))).shape == (None, 2)

    def loss(values, inputs):
        out, _ = layer.stateless_call(values, [], inputs)
        return ops.sum(ops.square(out))

    _, (grads, grad_x) = kerasx.value_and_grad(loss, argnums=(0, 1))(
        [v.value for v in layer.trainable_variables], x
    )
    (expected**2).sum().backward()
    for g, p in zip(grads, net.parameters()):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-5, atol=1e-7)
    # Without unsafe deserialization, the pickled module is refused.
    monkeypatch.setitem(config._flags, "unsafe_deserialization", False)
    with pytest.raises(ValueError, match="safe mode"):
        layers.TorchModuleWrapper.from_config(layer.get_config())


def test_torch_module_wrapper_trains_in_fit():
    torch = pytest.importorskip("torch")
    config.set_backend("numpy")
    kerasx.utils.set_random_seed(0)
    x, y = _data()
    layer = layers.TorchModuleWrapper(torch.nn.Linear(4, 1))
    model = kerasx.Sequential([kerasx.Input((4,)), layer])
    model.compile(kerasx.optimizers.SGD(0.1), "mse")
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 1e-3 * history.history["loss"][0]
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer.weights[0].value).ravel(), [1.0, -2.0, 0.5, 3.0], atol=0.01
    )
    layer.sync_module()  # the module itself now holds the trained weights
    np.testing.assert_allclose(
        layer.module.weight.detach().numpy().ravel(), [1.0, -2.0, 0.5, 3.0], atol=0.01
    )


def test_torch_module_wrapper_bad_module():
    pytest.importorskip("torch")
    config.set_backend("numpy")
    with pytest.raises(ValueError, match="expected a `torch.nn.Module`. Received: module=3"):
        layers.TorchModuleWrapper(3)


# ---------------------------------------------------------------------------- TFSMLayer


def test_tfsm_layer_is_unavailable(engine):
    with pytest.raises(NotImplementedError, match="TensorFlow SavedModel.*load_weights"):
        layers.TFSMLayer("exported_model", call_endpoint="serve")

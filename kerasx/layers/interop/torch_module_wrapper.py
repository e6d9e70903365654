"""`TorchModuleWrapper`: a PyTorch module as a layer, on the NumPy engine.

Keras 3 supports this layer only on its torch backend. kerasx's NumPy engine computes on
NumPy arrays, which PyTorch reads and writes cheaply, so the wrapper runs the module's forward
pass in PyTorch and hands its backward pass to `torch.autograd` through
`kerasx.ops.custom_gradient`: the module trains inside `fit` like any other layer. Like the
other interop layers it calls a foreign library directly (PyTorch, imported lazily).
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

from kerasx import config as _config
from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer

_PROBE_SIZES = (7, 13)


def _torch() -> Any:
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            "TorchModuleWrapper needs the `torch` package, which is not installed. Install it "
            "with `pip install torch`."
        ) from e
    return torch


def _to_numpy(t: Any) -> np.ndarray:
    return t.detach().cpu().numpy()


class TorchModuleWrapper(Layer):
    """Run a `torch.nn.Module` as a layer (NumPy engine).

    The module's parameters become the layer's variables (named ``variable``, ``variable_1``,
    ... in ``module.parameters()`` order; trainable when the parameter requires a gradient),
    so optimizers, `get_weights` / `set_weights` and weight files see them. On each call the
    variables' current values are loaded into the module (``torch.func.functional_call``),
    the forward pass runs in PyTorch (``module.train()`` when training, ``module.eval()``
    otherwise), and gradients with respect to the inputs and the variables come from
    ``torch.autograd``. Buffers (such as batch-norm running statistics) stay in the module and
    are updated by PyTorch itself, as in Keras. The module's own parameters are refreshed
    from the variables by `sync_module()` (called by `get_config`, hence on saving).

    Keras supports this layer on its torch backend only; in kerasx it works on the NumPy
    engine. On the JAX engine, where computations are traced by ``jax.jit``, creating it
    raises a ValueError.

    Args:
        module: the PyTorch module (on the CPU).
        name: the layer's name.
        output_shape: the output shape (batch axis excluded), used for symbolic inputs; when
            None it is found by running the module on zeros.
        **kwargs: base `Layer` arguments (dtype, trainable, ...).
    """

    _auto_config = False

    def __init__(
        self, module: Any, name: str | None = None, output_shape: Any = None, **kwargs: Any
    ) -> None:
        torch = _torch()
        engine = _config.backend()
        if engine != "numpy":
            raise ValueError(
                "TorchModuleWrapper is only supported on the NumPy engine in kerasx (Keras "
                "supports it only on its torch backend): it runs PyTorch on NumPy arrays, "
                "which a traced JAX computation cannot do. The active engine is "
                f"'{engine}'. Use KERASX_BACKEND=numpy, or port the module to kerasx layers "
                "(or wrap JAX code with `kerasx.layers.JaxLayer`) on the JAX engine."
            )
        if not isinstance(module, torch.nn.Module):
            raise ValueError(
                "Received an invalid value for `module`, expected a `torch.nn.Module`. "
                f"Received: module={module!r}"
            )
        super().__init__(name=name, **kwargs)
        self.module = module.cpu()
        self.output_shape = tuple(output_shape) if output_shape is not None else None
        self._param_names: list = []
        self._module_vars: list = []
        for i, (pname, param) in enumerate(self.module.named_parameters()):
            value = _to_numpy(param).copy()
            var = self.add_weight(
                shape=value.shape,
                initializer=lambda shape, dtype, v=value: v,
                dtype=str(value.dtype),
                trainable=bool(param.requires_grad),
                name="variable" if i == 0 else f"variable_{i}",
            )
            self._param_names.append(pname)
            self._module_vars.append(var)
        self.built = True

    def sync_module(self) -> None:
        """Copy the variables' current values into the module's own parameters."""
        torch = _torch()
        params = dict(self.module.named_parameters())
        with torch.no_grad():
            for pname, var in zip(self._param_names, self._module_vars):
                params[pname].copy_(torch.tensor(np.asarray(ops.convert_to_numpy(var.value))))

    def _forward(self, args: tuple, kwargs: dict, values: list, grad: bool) -> tuple:
        """Run the module on NumPy `args` with parameter `values`; return outputs and leaves."""
        torch = _torch()
        leaves = []
        t_args = []
        for a in args:
            t = torch.tensor(np.asarray(a))
            if grad and t.is_floating_point():
                t.requires_grad_(True)
            t_args.append(t)
            leaves.append(t)
        params = {}
        for pname, v in zip(self._param_names, values):
            t = torch.tensor(np.asarray(v))
            if grad and t.is_floating_point():
                t.requires_grad_(True)
            params[pname] = t
            leaves.append(t)
        with torch.set_grad_enabled(grad):
            out = torch.func.functional_call(self.module, params, tuple(t_args), kwargs)
        return out, leaves

    def call(self, *args: Any, training: Any = None, **kwargs: Any) -> Any:
        """Run the module on the inputs (positional tensors; keyword arguments as given).

        Args:
            *args: the module's positional inputs (tensors).
            training: True puts the module in training mode (``module.train()``), anything
                else in evaluation mode.
            **kwargs: further keyword arguments for the module's ``forward``.

        Returns:
            The module's output(s), as tensors.
        """
        torch = _torch()
        self.module.train(bool(training))
        n_args = len(args)
        wrapper = self

        @ops.custom_gradient
        def run(*flat: Any) -> tuple:
            out, leaves = wrapper._forward(flat[:n_args], kwargs, flat[n_args:], True)
            single = isinstance(out, torch.Tensor)
            if not single and not (
                isinstance(out, (tuple, list)) and all(isinstance(o, torch.Tensor) for o in out)
            ):
                raise ValueError(
                    "TorchModuleWrapper supports modules that return a tensor or a tuple/list "
                    f"of tensors. Received an output of type {type(out).__name__}."
                )
            outs = [out] if single else list(out)
            values = [_to_numpy(o) for o in outs]
            result = values[0] if single else type(out)(values)

            def grad_fn(upstream: Any) -> tuple:
                ups = [upstream] if single else list(upstream)
                pairs = [
                    (o, torch.tensor(np.asarray(u)))
                    for o, u in zip(outs, ups)
                    if o.requires_grad and u is not None
                ]
                wanted = [t for t in leaves if t.requires_grad]
                grads = (
                    torch.autograd.grad(
                        [p[0] for p in pairs],
                        wanted,
                        grad_outputs=[p[1] for p in pairs],
                        allow_unused=True,
                    )
                    if pairs and wanted
                    else [None] * len(wanted)
                )
                by_leaf = dict(zip((id(t) for t in wanted), grads))
                result_grads = []
                for t in leaves:
                    g = by_leaf.get(id(t))
                    result_grads.append(
                        None if g is None else _to_numpy(g) if t.requires_grad else None
                    )
                return tuple(result_grads)

            return result, grad_fn

        values = [v.value for v in self._module_vars]
        return run(*args, *values)

    def compute_output_spec(self, *args: Any, training: Any = None, **kwargs: Any) -> Any:
        """Output KerasTensors: from `output_shape`, or by running the module on zeros."""
        if self.output_shape is not None:
            batch = args[0].shape[0] if args and args[0].shape else None
            return KerasTensor((batch, *self.output_shape), self.compute_dtype)
        torch = _torch()
        was_training = self.module.training
        self.module.eval()
        probes = []
        try:
            for size in _PROBE_SIZES:
                arrays = [
                    np.zeros(tuple(size if d is None else d for d in a.shape), a.dtype)
                    for a in args
                ]
                out, _ = self._forward(
                    tuple(arrays), kwargs, [v.value for v in self._module_vars], False
                )
                outs = [out] if isinstance(out, torch.Tensor) else list(out)
                probes.append([_to_numpy(o) for o in outs])
        finally:
            self.module.train(was_training)
        specs = [
            KerasTensor(
                tuple(x if x == y else None for x, y in zip(a.shape, b.shape)), str(a.dtype)
            )
            for a, b in zip(*probes)
        ]
        return specs[0] if len(specs) == 1 else specs

    def get_config(self) -> dict:
        """The base config plus the module (``torch.save`` bytes, base64) and output_shape."""
        torch = _torch()
        self.sync_module()
        buffer = io.BytesIO()
        torch.save(self.module, buffer)
        config = super().get_config()
        config["module"] = base64.b64encode(buffer.getvalue()).decode("ascii")
        config["output_shape"] = self.output_shape
        return config

    @classmethod
    def from_config(cls, config: dict) -> TorchModuleWrapper:
        """Rebuild the layer; unpickling the module needs unsafe deserialization allowed."""
        config = dict(config)
        module = config.get("module")
        if isinstance(module, str):
            from kerasx.layers.core.lambda_layer import _unsafe_allowed

            if not _unsafe_allowed(None):
                raise ValueError(
                    "Requested the deserialization of a `TorchModuleWrapper`, whose module is "
                    "stored as a Python pickle that can execute arbitrary code, so it is refused "
                    "by default (safe mode). If you trust the source of the artifact, pass "
                    "`safe_mode=False` to the loading function, or call "
                    "`kerasx.config.enable_unsafe_deserialization()`."
                )
            torch = _torch()
            buffer = io.BytesIO(base64.b64decode(module.encode("ascii")))
            config["module"] = torch.load(buffer, weights_only=False)
        return super().from_config(config)

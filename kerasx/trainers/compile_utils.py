"""What `compile(loss=..., metrics=...)` turns into: `CompileLoss` and `CompileMetrics`.

Both map the user's specification (one object, a list per output, or a dict by output
name) onto the model's outputs, and resolve strings such as ``"accuracy"`` once the shapes
of the targets and predictions are known.
"""

from __future__ import annotations

from typing import Any

from kerasx import losses as losses_module
from kerasx import ops
from kerasx.engine import tree


def _is_single(spec: Any) -> bool:
    return not isinstance(spec, (list, tuple, dict))


def map_to_outputs(spec: Any, output_names: list, what: str) -> list:
    """One entry of `spec` per output (None where an output has none).

    Args:
        spec: a single object, a list/tuple (one per output) or a dict keyed by output name.
        output_names: the model's output names, in output order.
        what: the compile argument's name, for error messages.

    Returns:
        A list aligned with `output_names`.
    """
    n = len(output_names)
    if spec is None:
        return [None] * n
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in output_names]
        if unknown:
            raise ValueError(
                f"In the dict argument `{what}`, key '{unknown[0]}' does not correspond to any "
                f"model output. The model's outputs are named {output_names}. Received:\n"
                f"{what}={spec}"
            )
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)):
        if n == 1 and (what != "loss" or len(spec) == 1):
            return [list(spec) if what != "loss" else spec[0]]
        if len(spec) != n:
            raise ValueError(
                f"`{what}` should be a dict keyed by output name or a list with one entry per "
                f"output of the model ({n}: {output_names}). Received: {what}={spec}"
            )
        return list(spec)
    if what == "loss":
        return [spec] * n
    if n == 1:
        return [[spec]]
    raise ValueError(
        f"`{what}` should be a dict keyed by output name or a list with one entry per output "
        f"of the model ({n}: {output_names}). Received: {what}={spec}"
    )


def _resolve_loss(identifier: Any) -> Any:
    if identifier is None:
        return None
    if isinstance(identifier, losses_module.Loss):
        return identifier
    obj = losses_module.get(identifier)
    if isinstance(obj, losses_module.Loss):
        return obj
    if callable(obj):
        name = getattr(obj, "__name__", None) or type(obj).__name__
        return losses_module.LossFunctionWrapper(obj, name=name)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


class CompileLoss:
    """The compiled loss: one loss per output, weighted and summed.

    Args:
        loss: the `loss` argument of `compile`.
        loss_weights: a list or dict of floats (one per output), or None.
        output_names: the model's output names.
    """

    def __init__(self, loss: Any, loss_weights: Any, output_names: list) -> None:
        self.output_names = list(output_names)
        specs = map_to_outputs(loss, self.output_names, "loss")
        self.losses = [_resolve_loss(s) for s in specs]
        if loss_weights is None:
            self.weights = [1.0] * len(self.output_names)
        else:
            w = map_to_outputs(loss_weights, self.output_names, "loss_weights")
            bad = [x for x in w if x is not None and not isinstance(x, (int, float))]
            if bad:
                raise ValueError(
                    "Received an invalid value for `loss_weights`, expected numbers. "
                    f"Received: loss_weights={loss_weights}"
                )
            self.weights = [1.0 if x is None else float(x) for x in w]

    @property
    def active(self) -> list[int]:
        """Indices of outputs that have a loss."""
        return [i for i, fn in enumerate(self.losses) if fn is not None]

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> tuple:
        """Total loss and the per-output (unweighted) values.

        Returns:
            ``(total, [loss_i or None per output])``.
        """
        preds = flatten_outputs(y_pred, self.output_names)
        trues = flatten_targets(y_true, self.output_names)
        sws = flatten_targets(sample_weight, self.output_names, allow_single=True)
        total = None
        parts: list = [None] * len(self.output_names)
        for i in self.active:
            if trues[i] is None:
                raise ValueError(
                    f"The model's output '{self.output_names[i]}' has a loss but no target "
                    "was given for it. Pass `y` with one target per output that has a loss."
                )
            value = self.losses[i](trues[i], preds[i], sample_weight=sws[i])
            parts[i] = value
            term = value * self.weights[i] if self.weights[i] != 1.0 else value
            total = term if total is None else ops.add(total, term)
        return total, parts


def flatten_outputs(y_pred: Any, output_names: list) -> list:
    """Model outputs as a list aligned with `output_names`."""
    if isinstance(y_pred, dict):
        return [y_pred.get(n) for n in output_names]
    if len(output_names) == 1 and not isinstance(y_pred, (list, tuple)):
        return [y_pred]
    flat = tree.flatten(y_pred)
    return flat


def flatten_targets(y: Any, output_names: list, allow_single: bool = False) -> list:
    """Targets (or sample weights) as a list aligned with `output_names`."""
    n = len(output_names)
    if y is None:
        return [None] * n
    if isinstance(y, dict):
        unknown = [k for k in y if k not in output_names]
        if unknown:
            raise ValueError(
                f"The target dict has key '{unknown[0]}', which is not an output of the model "
                f"(outputs: {output_names})."
            )
        return [y.get(name) for name in output_names]
    if n == 1:
        if isinstance(y, (list, tuple)) and len(y) == 1 and hasattr(y[0], "shape"):
            return [y[0]]
        return [y]
    if isinstance(y, (list, tuple)):
        if len(y) != n:
            raise ValueError(
                f"The model has {n} outputs {output_names} but {len(y)} targets were given. "
                "Pass one target per output (a list in output order or a dict by name)."
            )
        return list(y)
    if allow_single:
        return [y] * n
    raise ValueError(
        f"The model has {n} outputs {output_names}; pass `y` as a list or dict with one target "
        "per output."
    )


def _get_metric(identifier: Any, y_true: Any, y_pred: Any) -> Any:
    from kerasx import metrics as M

    if identifier is None:
        return None
    if isinstance(identifier, M.Metric):
        return identifier
    if isinstance(identifier, str):
        name = identifier
        low = identifier.lower()
        true_rank = len(getattr(y_true, "shape", ()))
        pred_shape = tuple(getattr(y_pred, "shape", ()))
        is_binary = bool(pred_shape) and pred_shape[-1] == 1
        is_sparse = true_rank != len(pred_shape) or (
            true_rank > 0 and y_true.shape[-1] == 1 and not is_binary
        )
        if low in ("accuracy", "acc"):
            if is_binary:
                return M.BinaryAccuracy(name=name)
            if is_sparse:
                return M.SparseCategoricalAccuracy(name=name)
            return M.CategoricalAccuracy(name=name)
        if low in ("crossentropy", "ce"):
            if is_binary:
                return M.BinaryCrossentropy(name=name)
            if is_sparse:
                return M.SparseCategoricalCrossentropy(name=name)
            return M.CategoricalCrossentropy(name=name)
        obj = M.get(identifier)
        if isinstance(obj, M.Metric):
            obj.name = name
            return obj
        return M.MeanMetricWrapper(obj, name=name)
    if isinstance(identifier, type) and issubclass(identifier, M.Metric):
        return identifier()
    if callable(identifier):
        return M.MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", "metric"))
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}. Expected a string such as "
        "'accuracy' or 'mae', a Metric instance, or a function (y_true, y_pred)."
    )


def check_metric_identifiers(spec: Any, what: str) -> None:
    """Raise now (at compile time) for metric strings that name no metric."""
    from kerasx import metrics as M

    special = {"accuracy", "acc", "crossentropy", "ce"}
    for item in tree.flatten(spec):
        if isinstance(item, str) and item.lower() not in special:
            try:
                M.get(item)
            except (ValueError, TypeError) as e:
                raise ValueError(
                    f"Unknown metric '{item}' in `{what}`. Use a name such as 'accuracy', 'mae', "
                    "'mse', 'auc', a `kerasx.metrics.Metric` instance, or a function "
                    f"(y_true, y_pred). ({e})"
                ) from None


class CompileMetrics:
    """The compiled metrics: per output, plain and sample-weighted, named as Keras names them.

    Args:
        metrics: the `metrics` argument of `compile`.
        weighted_metrics: the `weighted_metrics` argument of `compile`.
        output_names: the model's output names.
    """

    name = "compile_metrics"

    def __init__(self, metrics: Any, weighted_metrics: Any, output_names: list) -> None:
        self.output_names = list(output_names)
        check_metric_identifiers(metrics, "metrics")
        check_metric_identifiers(weighted_metrics, "weighted_metrics")
        self._specs = map_to_outputs(metrics, self.output_names, "metrics")
        self._wspecs = map_to_outputs(weighted_metrics, self.output_names, "weighted_metrics")
        self.built = False
        self._metrics: list = []  # (output index, weighted, metric)

    @property
    def has_metrics(self) -> bool:
        """Whether any metric was asked for."""
        return any(s for s in self._specs) or any(s for s in self._wspecs)

    def build(self, y_true: Any, y_pred: Any) -> None:
        """Resolve the metric identifiers against the first batch's shapes."""
        if self.built:
            return
        preds = flatten_outputs(y_pred, self.output_names)
        trues = flatten_targets(y_true, self.output_names)
        multi = len(self.output_names) > 1
        plain_names: set = set()
        for i, name in enumerate(self.output_names):
            for spec, weighted in ((self._specs[i], False), (self._wspecs[i], True)):
                for ident in tree.flatten(spec) if spec is not None else []:
                    m = _get_metric(ident, trues[i], preds[i])
                    if m is None:
                        continue
                    base = m.name
                    if weighted and base in plain_names:
                        base = "weighted_" + base
                    if not weighted:
                        plain_names.add(base)
                    full = f"{name}_{base}" if multi else base
                    taken = {other.name for _, _, other in self._metrics}
                    k = 0
                    unique = full
                    while unique in taken:  # two metrics with one name: "auc", "auc_1"
                        k += 1
                        unique = f"{full}_{k}"
                    m.name = unique
                    self._metrics.append((i, weighted, m))
        self.built = True

    @property
    def metrics(self) -> list:
        """The resolved metric objects, in order."""
        return [m for _, _, m in self._metrics]

    @property
    def variables(self) -> list:
        """All variables of all resolved metrics."""
        return [v for m in self.metrics for v in m.variables]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Update every metric with one batch."""
        if not self.built:
            self.build(y_true, y_pred)
        preds = flatten_outputs(y_pred, self.output_names)
        trues = flatten_targets(y_true, self.output_names)
        sws = flatten_targets(sample_weight, self.output_names, allow_single=True)
        for i, weighted, m in self._metrics:
            if trues[i] is None:
                continue
            if weighted:
                m.update_state(trues[i], preds[i], sample_weight=sws[i])
            else:
                m.update_state(trues[i], preds[i])

    def result(self) -> dict:
        """``{metric name: value}``."""
        return {m.name: m.result() for m in self.metrics}

    def reset_state(self) -> None:
        """Reset every metric."""
        for m in self.metrics:
            m.reset_state()

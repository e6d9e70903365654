"""Loss classes: each wraps one function of `kerasx.losses.losses` with fixed arguments."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.losses import losses as F
from kerasx.losses.loss import Loss, align_ranks

_SB = "sum_over_batch_size"


class LossFunctionWrapper(Loss):
    """A `Loss` that calls `fn(y_true, y_pred, **kwargs)`.

    Args:
        fn: the loss function.
        reduction: reduction mode.
        name: loss name.
        dtype: computation dtype.
        **kwargs: extra arguments for `fn`.
    """

    _config_keys: tuple = ()

    def __init__(self, fn: Any, reduction: Any = _SB, name: Any = None, dtype: Any = None, **kw):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kw

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """Per-sample losses of the wrapped function."""
        y_true, y_pred = align_ranks(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        """Constructor arguments (the name, the reduction and the loss's own options)."""
        cfg = Loss.get_config(self)
        cfg.update({k: self._fn_kwargs[k] for k in self._config_keys})
        return cfg


def _simple(cls_name: str, fn: Any, default: str) -> type:
    def __init__(self, reduction: Any = _SB, name: str = default, dtype: Any = None) -> None:
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, dtype=dtype)

    doc = (
        f"Loss class computing `{fn.__name__}`.\n\n    Args:\n        reduction: reduction mode."
        "\n        name: loss name.\n        dtype: computation dtype.\n"
    )
    return type(cls_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc})


MeanSquaredError = _simple("MeanSquaredError", F.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _simple("MeanAbsoluteError", F.mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _simple(
    "MeanAbsolutePercentageError",
    F.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
)
MeanSquaredLogarithmicError = _simple(
    "MeanSquaredLogarithmicError",
    F.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
)
Hinge = _simple("Hinge", F.hinge, "hinge")
SquaredHinge = _simple("SquaredHinge", F.squared_hinge, "squared_hinge")
CategoricalHinge = _simple("CategoricalHinge", F.categorical_hinge, "categorical_hinge")
KLDivergence = _simple("KLDivergence", F.kl_divergence, "kl_divergence")
Poisson = _simple("Poisson", F.poisson, "poisson")
LogCosh = _simple("LogCosh", F.log_cosh, "log_cosh")
CTC = _simple("CTC", F.ctc, "ctc")


class Huber(LossFunctionWrapper):
    """Huber loss (quadratic up to `delta`, linear beyond). Its config omits `delta`, as in Keras.

    Args:
        delta: switch point.
        reduction: reduction mode.
        name: loss name.
        dtype: computation dtype.
    """

    def __init__(
        self, delta: float = 1.0, reduction: Any = _SB, name: str = "huber_loss", dtype=None
    ):
        super().__init__(F.huber, reduction=reduction, name=name, dtype=dtype, delta=delta)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity. Its config omits `axis`, as in Keras.

    Args:
        axis: vector axis.
        reduction: reduction mode.
        name: loss name.
        dtype: computation dtype.
    """

    def __init__(
        self, axis: int = -1, reduction: Any = _SB, name: str = "cosine_similarity", dtype=None
    ):
        super().__init__(
            F.cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis
        )


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy.

    Args:
        from_logits: whether predictions are logits.
        label_smoothing: smoothing towards 0.5.
        axis: axis averaged over.
        reduction: reduction mode.
        name: loss name.
        dtype: computation dtype.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = _SB,
        name: str = "binary_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            F.binary_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal cross-entropy.

    Args:
        apply_class_balancing: weight classes by `alpha`.
        alpha: class balance weight.
        gamma: focusing exponent.
        from_logits: whether predictions are logits.
        label_smoothing: smoothing towards 0.5.
        axis: axis averaged over.
        reduction: reduction mode.
        name: loss name.
        dtype: computation dtype.
    """

    _config_keys = (
        "from_logits",
        "label_smoothing",
        "axis",
        "apply_class_balancing",
        "alpha",
        "gamma",
    )

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = _SB,
        name: str = "binary_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            F.binary_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy.

    Args:
        from_logits: whether predictions are logits.
        label_smoothing: smoothing towards the uniform distribution.
        axis: class axis.
        reduction: reduction mode.
        name: loss name.
        dtype: computation dtype.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = _SB,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            F.categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical focal cross-entropy.

    Args:
        alpha: weighting factor.
        gamma: focusing exponent.
        from_logits: whether predictions are logits.
        label_smoothing: smoothing towards the uniform distribution.
        axis: class axis.
        reduction: reduction mode.
        name: loss name.
        dtype: computation dtype.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = _SB,
        name: str = "categorical_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            F.categorical_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Sparse categorical cross-entropy; `ignore_class` positions are masked out of the mean.

    Args:
        from_logits: whether predictions are logits.
        ignore_class: label value to ignore.
        reduction: reduction mode.
        axis: class axis.
        name: loss name.
        dtype: computation dtype.
    """

    _config_keys = ("from_logits", "ignore_class")

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: Any = None,
        reduction: Any = _SB,
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            F.sparse_categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )

    def _call_masked(self, y_true: Any, y_pred: Any) -> tuple:
        y_true, y_pred = align_ranks(y_true, y_pred)
        kw = self._fn_kwargs
        return F._sparse_ce(y_true, y_pred, kw["from_logits"], kw["ignore_class"], kw["axis"])


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized cross-entropy for noisy labels.

    Args:
        q: in (0, 1].
        reduction: reduction mode.
        name: loss name.
        dtype: computation dtype.
    """

    _config_keys = ("q",)

    def __init__(
        self,
        q: float = 0.5,
        reduction: Any = _SB,
        name: str = "categorical_generalized_cross_entropy",
        dtype: Any = None,
    ) -> None:
        if not 0 < q <= 1:
            raise ValueError(
                f"Received an invalid value for `q`, expected 0 < q <= 1. Received: q={q}"
            )
        super().__init__(
            F.categorical_generalized_cross_entropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            q=q,
        )


class Dice(LossFunctionWrapper):
    """Dice loss.

    Args:
        reduction: reduction mode.
        name: loss name.
        axis: axes summed over.
        dtype: computation dtype.
    """

    _config_keys = ("axis",)

    def __init__(self, reduction: Any = _SB, name: str = "dice", axis: Any = None, dtype=None):
        super().__init__(F.dice, reduction=reduction, name=name, dtype=dtype, axis=axis)


class Tversky(LossFunctionWrapper):
    """Tversky loss.

    Args:
        alpha: false positive weight.
        beta: false negative weight.
        reduction: reduction mode.
        name: loss name.
        axis: axes summed over.
        dtype: computation dtype.
    """

    _config_keys = ("alpha", "beta", "axis")

    def __init__(
        self,
        alpha: float = 0.5,
        beta: float = 0.5,
        reduction: Any = _SB,
        name: str = "tversky",
        axis: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            F.tversky,
            reduction=reduction,
            name=name,
            dtype=dtype,
            alpha=alpha,
            beta=beta,
            axis=axis,
        )


class Circle(LossFunctionWrapper):
    """Circle loss for metric learning; rows with no positive pair are masked out.

    Args:
        gamma: scale factor.
        margin: relaxation margin.
        remove_diagonal: ignore self-pairs.
        reduction: reduction mode.
        name: loss name.
        dtype: computation dtype.
    """

    _config_keys = ("gamma", "margin", "remove_diagonal")

    def __init__(
        self,
        gamma: float = 80.0,
        margin: float = 0.4,
        remove_diagonal: bool = True,
        reduction: Any = _SB,
        name: str = "circle",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            F.circle,
            reduction=reduction,
            name=name,
            dtype=dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )

    def _call_masked(self, y_true: Any, y_pred: Any) -> tuple:
        kw = self._fn_kwargs
        y_pred = ops.normalize(y_pred, axis=-1)
        return F._circle(
            y_true, y_pred, None, None, kw["remove_diagonal"], kw["gamma"], kw["margin"]
        )

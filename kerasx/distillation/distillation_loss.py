"""The distillation losses: how a student's outputs (or features) are compared with a teacher's.

`LogitsDistillation` compares final outputs after dividing both by a temperature;
`FeatureDistillation` compares final outputs or the outputs of named intermediate layers.
Both accept one loss or a nest of losses (one per output, `None` to skip an output), as in
Keras 3.
"""

from __future__ import annotations

from typing import Any

from kerasx import losses as losses_module
from kerasx import ops, tree


def _resolve_loss(item: Any) -> Any:
    """A loss name becomes the loss function Keras's `losses.get` gives; the rest pass through."""
    if item is None or not isinstance(item, str):
        return item
    fn = losses_module.get(item)
    if fn is None:
        raise ValueError(f"Unknown loss function: '{item}'.")
    return fn


def _resolve_losses(loss: Any) -> Any:
    return tree.map_structure(_resolve_loss, loss)


def _serialize(obj: Any) -> Any:
    from kerasx.saving.serialization import serialize_keras_object

    return serialize_keras_object(obj)


def _deserialize_losses(config: Any) -> Any:
    """The inverse of `_serialize` for a loss or a nest of losses (None stays None)."""
    from kerasx.saving.serialization import deserialize_keras_object

    if config is None:
        return None
    if isinstance(config, str):
        return losses_module.get(config)
    if isinstance(config, dict) and "class_name" in config:
        return deserialize_keras_object(config)
    if isinstance(config, dict):
        return {k: _deserialize_losses(v) for k, v in config.items()}
    if isinstance(config, (list, tuple)):
        return type(config)(_deserialize_losses(v) for v in config)
    return config


def _sum_of(values: list) -> Any:
    """The sum of scalar loss terms (plain floats for skipped outputs) as one scalar tensor."""
    return ops.sum(ops.stack(values))


class DistillationLoss:
    """Base class of the losses a `Distiller` uses to compare teacher and student.

    Subclass it and implement `compute_loss(teacher_outputs, student_outputs)` returning a
    scalar; optionally refine `validate_outputs` (called on every step with the two outputs)
    and `validate_model_compatibility` (called once, when the `Distiller` is created).
    """

    def compute_loss(self, teacher_outputs: Any, student_outputs: Any, **kwargs: Any) -> Any:
        """The distillation loss between the teacher's and the student's outputs.

        Args:
            teacher_outputs: the teacher's outputs (a tensor or a nest of tensors).
            student_outputs: the student's outputs, in the same structure.
            **kwargs: extra arguments a subclass may use.

        Returns:
            A scalar tensor.
        """
        raise NotImplementedError("Subclasses must implement compute_loss")

    def validate_outputs(self, teacher_outputs: Any, student_outputs: Any) -> None:
        """Check that the teacher's and the student's outputs have the same structure.

        Args:
            teacher_outputs: the teacher's outputs.
            student_outputs: the student's outputs.
        """
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher: Any, student: Any) -> None:
        """Check, once, that this loss can work with the two models (the base accepts any).

        Args:
            teacher: the teacher model.
            student: the student model.
        """


class FeatureDistillation(DistillationLoss):
    """Match the student's features to the teacher's, at the outputs or at named layers.

    Args:
        loss: the loss comparing the features: a name (``"mse"``, ``"cosine_similarity"``),
            a loss function or `Loss`, or a nest of them matching the features' structure with
            `None` for features to skip. At least one must not be `None`. Defaults to ``"mse"``.
        teacher_layer_name: the teacher layer whose output is used; `None` for the teacher's
            final output.
        student_layer_name: the student layer whose output is used; `None` for the student's
            final output.

    Naming layers needs functional or `Sequential` models (layer outputs must be reachable
    symbolically). The loss of each feature is averaged to a scalar, and the scalars summed.
    """

    def __init__(
        self,
        loss: Any = "mse",
        teacher_layer_name: str | None = None,
        student_layer_name: str | None = None,
    ) -> None:
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = _resolve_losses(loss)
        if all(fn is None for fn in tree.flatten(self.loss)):
            raise ValueError(
                "The `loss` argument in `FeatureDistillation` must contain at least one "
                f"non-`None` value. Received: loss={loss!r}"
            )

    def validate_model_compatibility(self, teacher: Any, student: Any) -> None:
        """Check that named layers exist and that the models expose symbolic layer outputs.

        Args:
            teacher: the teacher model.
            student: the student model.
        """
        if self.teacher_layer_name is not None or self.student_layer_name is not None:
            subclassed = [
                role
                for role, model in (("teacher", teacher), ("student", student))
                if getattr(model, "inputs", None) is None
            ]
            if subclassed:
                raise ValueError(
                    "FeatureDistillation with specific layer names requires Functional or "
                    f"Sequential models. The {' and '.join(subclassed)} model(s) appear to be "
                    "subclassed (no symbolic inputs/outputs). Either use Functional/Sequential "
                    "models, or use FeatureDistillation without layer names (to distill final "
                    "outputs only), or use LogitsDistillation instead."
                )
        for role, model, name in (
            ("teacher", teacher, self.teacher_layer_name),
            ("student", student, self.student_layer_name),
        ):
            if name is not None:
                try:
                    model.get_layer(name=name)
                except ValueError as e:
                    raise ValueError(f"In {role} model: {e}") from e

    def validate_outputs(self, teacher_outputs: Any, student_outputs: Any) -> None:
        """Check the two outputs match each other and the structure of `loss`.

        Args:
            teacher_outputs: the teacher's features.
            student_outputs: the student's features.
        """
        super().validate_outputs(teacher_outputs, student_outputs)
        try:
            tree.assert_same_structure(self.loss, teacher_outputs)
        except ValueError as e:
            raise ValueError(
                "Loss structure mismatch: `loss` must have one entry per feature output "
                f"(`None` to skip one). Error: {e}"
            ) from e

    def compute_loss(self, teacher_outputs: Any, student_outputs: Any, **kwargs: Any) -> Any:
        """The summed, per-feature averaged loss between teacher and student features.

        Args:
            teacher_outputs: the teacher's features.
            student_outputs: the student's features.
            **kwargs: ignored.

        Returns:
            A scalar tensor.
        """

        def one(fn: Any, t: Any, s: Any) -> Any:
            return 0.0 if fn is None else ops.mean(fn(t, s))

        return _sum_of(
            tree.flatten(tree.map_structure(one, self.loss, teacher_outputs, student_outputs))
        )

    def get_config(self) -> dict:
        """The constructor arguments, with the loss serialized."""
        return {
            "loss": _serialize(self.loss),
            "teacher_layer_name": self.teacher_layer_name,
            "student_layer_name": self.student_layer_name,
        }

    @classmethod
    def from_config(cls, config: dict) -> FeatureDistillation:
        """Recreate the loss from `get_config`'s dict."""
        config = dict(config)
        config["loss"] = _deserialize_losses(config["loss"])
        return cls(**config)


class LogitsDistillation(DistillationLoss):
    """Match the student's final outputs to the teacher's, both divided by a temperature.

    Args:
        temperature: a positive number both models' logits are divided by; higher values
            soften the distributions. Defaults to 3.0.
        loss: the loss comparing the scaled outputs: a name, a loss function or `Loss`, or a
            nest of them matching the outputs' structure (`None` skips an output). At least
            one must not be `None`. Defaults to ``"kl_divergence"``.

    A `kerasx.losses.KLDivergence` instance is applied to the softmax of the scaled logits
    and its value multiplied by ``temperature ** 2``; every other loss (including the
    ``"kl_divergence"`` function a name resolves to) receives the scaled logits as they are,
    as in Keras 3. Each output's loss is averaged to a scalar and the scalars summed.
    """

    def __init__(self, temperature: float = 3.0, loss: Any = "kl_divergence") -> None:
        self.temperature = temperature
        self.loss = _resolve_losses(loss)
        if all(fn is None for fn in tree.flatten(self.loss)):
            raise ValueError(f"At least one loss must be non-`None`. Received: loss={loss!r}")
        if not isinstance(temperature, (int, float)):
            raise ValueError(
                f"temperature must be a number, got {type(temperature)}. "
                f"Received: temperature={temperature!r}"
            )
        if temperature <= 0.0:
            raise ValueError(f"temperature must be positive. Received: temperature={temperature!r}")

    def compute_loss(self, teacher_outputs: Any, student_outputs: Any, **kwargs: Any) -> Any:
        """The summed, per-output averaged loss between temperature-scaled logits.

        Args:
            teacher_outputs: the teacher's logits (a tensor or a nest of tensors).
            student_outputs: the student's logits, in the same structure.
            **kwargs: ignored.

        Returns:
            A scalar tensor.
        """
        t = self.temperature

        def scaled(outputs: Any) -> Any:
            return tree.map_structure(lambda v: ops.divide(v, t), outputs)

        def one(fn: Any, teacher: Any, student: Any) -> Any:
            if fn is None:
                return 0.0
            if isinstance(fn, losses_module.KLDivergence):
                p_teacher = ops.softmax(teacher, axis=-1)
                p_student = ops.softmax(student, axis=-1)
                return ops.mean(fn(p_teacher, p_student)) * (t**2)
            return ops.mean(fn(teacher, student))

        values = tree.map_structure(
            one, self.loss, scaled(teacher_outputs), scaled(student_outputs)
        )
        return _sum_of(tree.flatten(values))

    def get_config(self) -> dict:
        """The constructor arguments, with the loss serialized."""
        return {"temperature": self.temperature, "loss": _serialize(self.loss)}

    @classmethod
    def from_config(cls, config: dict) -> LogitsDistillation:
        """Recreate the loss from `get_config`'s dict."""
        config = dict(config)
        config["loss"] = _deserialize_losses(config["loss"])
        return cls(**config)

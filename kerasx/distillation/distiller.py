"""`Distiller`: a model that trains a student from labels and from a frozen teacher."""

from __future__ import annotations

from typing import Any

from kerasx import ops, tree
from kerasx.distillation.distillation_loss import _resolve_losses
from kerasx.models.model import Model

_FINAL = "final_output"


class Distiller(Model):
    """Train `student` to imitate `teacher` while also fitting the labels.

    The teacher is frozen (``teacher.trainable = False``); only the student's weights are
    trained. Each step's loss is
    ``student_loss_weight * student_loss + (1 - student_loss_weight) * distillation_loss``,
    where `student_loss` is the loss given to `compile` on the labels, and
    `distillation_loss` is the sum of each distillation loss times its weight. `call`,
    `predict` and `evaluate` use the student. Besides ``loss`` and the compiled metrics,
    training logs ``student_loss``, ``distillation_loss`` and ``total_loss`` (per-batch
    averages).

    Args:
        teacher: a trained `kerasx.Model`, the source of knowledge.
        student: the `kerasx.Model` to train.
        distillation_losses: a `DistillationLoss` (e.g. `LogitsDistillation`,
            `FeatureDistillation`) or a list of them.
        distillation_loss_weights: one weight per distillation loss (a list of the same
            length); `None` weights each by 1.0.
        student_loss_weight: the share of the label loss in the total, in ``[0, 1]``.
            Defaults to 0.5.
        name: the model's name. Defaults to ``"distiller"``.
        **kwargs: passed on to `Model` (``trainable``, ``dtype``).

    After training, use ``distiller.student`` on its own.
    """

    def __init__(
        self,
        teacher: Any,
        student: Any,
        distillation_losses: Any,
        distillation_loss_weights: list | None = None,
        student_loss_weight: float = 0.5,
        name: str = "distiller",
        **kwargs: Any,
    ) -> None:
        from kerasx import metrics as metrics_module

        super().__init__(name=name, **kwargs)
        self._check_models(teacher, student)
        self.teacher = teacher
        self.student = student
        if not isinstance(student_loss_weight, (int, float)):
            raise ValueError(
                f"student_loss_weight must be a number, got {type(student_loss_weight)}"
            )
        if student_loss_weight < 0.0 or student_loss_weight > 1.0:
            raise ValueError(
                f"student_loss_weight must be between 0.0 and 1.0, got {student_loss_weight}"
            )
        self.student_loss_weight = student_loss_weight
        if distillation_losses is None:
            raise ValueError(
                "'distillation_losses' cannot be `None`. Provide a distillation loss (e.g., "
                "LogitsDistillation or FeatureDistillation) or a list of distillation losses."
            )
        if not isinstance(distillation_losses, (list, tuple)):
            losses = [distillation_losses]
            weights: list = [1.0]
        else:
            losses = distillation_losses
            if distillation_loss_weights is None:
                weights = [1.0] * len(losses)
            elif len(distillation_loss_weights) != len(losses):
                raise ValueError(
                    f"Number of distillation_loss_weights ({len(distillation_loss_weights)}) "
                    f"must match number of distillation_losses ({len(losses)})"
                )
            else:
                weights = distillation_loss_weights
        # Plain attributes (the losses are not layers); set through __dict__ so layer
        # tracking leaves them alone.
        self.__dict__["distillation_losses"] = losses
        self.__dict__["distillation_loss_weights"] = weights
        for loss in losses:
            loss.validate_model_compatibility(teacher, student)
        self._build_extractors()
        self.teacher.trainable = False
        self.student_loss_tracker = metrics_module.Mean(name="student_loss")
        self.distillation_loss_tracker = metrics_module.Mean(name="distillation_loss")
        self.total_loss_tracker = metrics_module.Mean(name="total_loss")
        self.__dict__["_student_loss"] = None

    # ------------------------------------------------------------------ validation

    @staticmethod
    def _check_models(teacher: Any, student: Any) -> None:
        for role, model in (("Teacher", teacher), ("Student", student)):
            if not isinstance(model, Model):
                raise ValueError(
                    f"{role} must be a keras.Model, got {type(model)}. Wrap layers in a "
                    "`kerasx.Model` or `kerasx.Sequential` first."
                )
        t_in, s_in = getattr(teacher, "inputs", None), getattr(student, "inputs", None)
        t_out, s_out = getattr(teacher, "outputs", None), getattr(student, "outputs", None)
        if t_in is not None and s_in is not None:
            tree.map_structure(lambda a, b: _check_shapes(a.shape, b.shape, "input"), t_in, s_in)
        if t_out is not None and s_out is not None:
            tree.map_structure(lambda a, b: _check_shapes(a.shape, b.shape, "output"), t_out, s_out)
        if t_in is not None and s_in is not None:
            tree.map_structure(lambda a, b: _check_dtypes(a.dtype, b.dtype, "input"), t_in, s_in)
            if t_out is not None and s_out is not None:
                tree.map_structure(
                    lambda a, b: _check_dtypes(a.dtype, b.dtype, "output"), t_out, s_out
                )

    # ------------------------------------------------------------------ features

    def _build_extractors(self) -> None:
        teacher_names: list = []
        student_names: list = []
        for loss in self.distillation_losses:
            t = getattr(loss, "teacher_layer_name", None)
            s = getattr(loss, "student_layer_name", None)
            if t and t not in teacher_names:
                teacher_names.append(t)
            if s and s not in student_names:
                student_names.append(s)
        # Kept out of layer tracking: they share the models' layers and add no weights.
        self.__dict__["_teacher_feature_extractor"] = _extractor(self.teacher, teacher_names)
        self.__dict__["_student_feature_extractor"] = _extractor(self.student, student_names)

    def _teacher_features(self, x: Any) -> dict:
        ext = self._teacher_feature_extractor
        if ext is not None:
            return ext(x, training=False)
        return {_FINAL: self.teacher(x, training=False)}

    def _student_features(self, x: Any, y_pred: Any) -> dict:
        ext = self._student_feature_extractor
        if ext is not None:
            return ext(x, training=True)
        return {_FINAL: y_pred}

    # ------------------------------------------------------------------ compile / call

    def compile(
        self, optimizer: Any = "adam", loss: Any = None, metrics: Any = None, **kwargs: Any
    ) -> None:
        """Configure training: the optimizer of the student, its label loss, metrics.

        Args:
            optimizer: an optimizer name or instance. Defaults to ``"adam"``.
            loss: the student's loss on the labels (required): a name, a loss function or
                `Loss`, or a nest of them matching the student's outputs.
            metrics: a list or tuple of metrics computed on the student's predictions.
            **kwargs: passed on to `Model.compile` (``run_eagerly``, ``jit_compile``, ...).
        """
        if loss is None:
            raise ValueError(
                "'loss' cannot be `None`: the Distiller needs the student's loss on the "
                "labels, e.g. `compile(optimizer='adam', loss='sparse_categorical_crossentropy')`."
            )
        self.__dict__["_student_loss"] = _resolve_losses(loss)
        self.__dict__["_student_loss_for_serialization"] = loss
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list or tuple, got {type(metrics)}")
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)
        self.__dict__["_kx_compile_config"]["loss"] = loss

    def call(self, inputs: Any, training: Any = None, **kwargs: Any) -> Any:
        """The student's outputs for `inputs`."""
        return self.student(inputs, training=training, **kwargs)

    # ------------------------------------------------------------------ loss

    def _loss_terms(self, x: Any, y: Any, y_pred: Any) -> tuple:
        """(student_loss, distillation_loss, total_loss) for one batch."""
        w = self.student_loss_weight
        student_loss: Any = 0.0
        if w > 0.0 and y is not None:
            if self._student_loss is None:
                raise ValueError(
                    "The Distiller has no student loss: call `compile(loss=...)` first."
                )
            values = tree.flatten(
                tree.map_structure(lambda fn, t, p: fn(t, p), self._student_loss, y, y_pred)
            )
            student_loss = values[0] if len(values) == 1 else ops.sum(ops.stack(values))
            if len(getattr(student_loss, "shape", ())) > 0:
                student_loss = ops.mean(student_loss)
        distill: Any = 0.0
        if w < 1.0:
            teacher_feats = self._teacher_features(x)
            student_feats = self._student_features(x, y_pred)
            for loss, weight in zip(self.distillation_losses, self.distillation_loss_weights):
                if getattr(loss, "teacher_layer_name", None) is not None:
                    t_out = _pick(loss, teacher_feats, loss.teacher_layer_name)
                    s_out = _pick(loss, student_feats, loss.student_layer_name)
                else:
                    t_out, s_out = teacher_feats[_FINAL], y_pred
                loss.validate_outputs(t_out, s_out)
                value = loss.compute_loss(t_out, s_out)
                if len(getattr(value, "shape", ())) > 0:
                    raise ValueError(
                        f"Distillation loss {type(loss).__name__} returned a non-scalar loss "
                        f"with shape {value.shape}. The compute_loss method must return a "
                        "scalar tensor."
                    )
                distill = ops.add(distill, ops.multiply(weight, value))
        total = ops.add(
            ops.multiply(w, student_loss),
            ops.multiply(ops.subtract(1.0, w), distill),
        )
        return student_loss, distill, total

    def _track(self, student_loss: Any, distill: Any, total: Any) -> None:
        self.student_loss_tracker.update_state(student_loss)
        self.distillation_loss_tracker.update_state(distill)
        self.total_loss_tracker.update_state(total)

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        """The combined loss of one batch; also updates the three loss trackers.

        Args:
            x: the inputs (the teacher, and named-layer features, are computed from them).
            y: the labels (`None` leaves the student loss at 0).
            y_pred: the student's outputs; computed from `x` when `None`.
            sample_weight: ignored, as in Keras 3.
            training: the mode used to compute `y_pred` when it is not given.

        Returns:
            A scalar tensor.
        """
        if y_pred is None:
            y_pred = self(x, training=training)
        student_loss, distill, total = self._loss_terms(x, y, y_pred)
        self._track(student_loss, distill, total)
        return total

    # ------------------------------------------------------------------ config

    def get_config(self) -> dict:
        """The config: the model's base keys plus the teacher, student and losses."""
        from kerasx import dtype_policies
        from kerasx.saving.serialization import serialize_keras_object

        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policies.serialize(self.dtype_policy),
        }
        config.update(
            {
                "teacher": serialize_keras_object(self.teacher),
                "student": serialize_keras_object(self.student),
                "distillation_losses": [
                    serialize_keras_object(loss) for loss in self.distillation_losses
                ],
                "distillation_loss_weights": self.distillation_loss_weights,
                "student_loss_weight": self.student_loss_weight,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Distiller:
        """Recreate a Distiller (teacher, student and losses) from `get_config`'s dict."""
        from kerasx.distillation import distillation_loss as dl
        from kerasx.saving.serialization import deserialize_keras_object

        # The distillation losses are found by class name here, besides the user's objects.
        custom = {
            "DistillationLoss": dl.DistillationLoss,
            "FeatureDistillation": dl.FeatureDistillation,
            "LogitsDistillation": dl.LogitsDistillation,
            **(custom_objects or {}),
        }
        config = dict(config)
        config["teacher"] = deserialize_keras_object(config["teacher"], custom_objects)
        config["student"] = deserialize_keras_object(config["student"], custom_objects)
        config["distillation_losses"] = [
            deserialize_keras_object(loss, custom) for loss in config["distillation_losses"]
        ]
        return cls(**config)


def _check_shapes(a: Any, b: Any, context: str) -> None:
    if len(a) != len(b):
        raise ValueError(
            f"Teacher and student {context} shapes have different dimensions. "
            f"Teacher: {a}, Student: {b}."
        )
    for da, db in zip(a, b):
        if da is not None and db is not None and da != db:
            raise ValueError(
                f"Teacher and student {context} shapes are incompatible. Teacher: {a}, "
                f"Student: {b}. All dimensions must match."
            )


def _check_dtypes(a: Any, b: Any, context: str) -> None:
    if a != b:
        raise ValueError(
            f"Teacher and student {context} dtypes must match. Teacher: {a}, Student: {b}."
        )


def _extractor(model: Any, layer_names: list) -> Any:
    """A functional model returning ``{"final_output": ..., name: layer output, ...}``."""
    if not layer_names:
        return None
    if getattr(model, "inputs", None) is None:
        raise ValueError(
            f"Cannot create feature extractor for {model.name}. The model has no symbolic "
            "inputs attribute."
        )
    from kerasx.models.sequential import Sequential

    final = model.layers[-1].output if isinstance(model, Sequential) else model.output
    outputs = {_FINAL: final}
    for name in layer_names:
        outputs[name] = model.get_layer(name=name).output
    return Model(inputs=model.inputs, outputs=outputs, name=f"{model.name}_multi_feature_extractor")


def _pick(loss: Any, features: dict, layer_name: str | None) -> Any:
    key = layer_name or _FINAL
    if key not in features:
        raise RuntimeError(
            f"Failed to extract features for {type(loss).__name__} targeting teacher layer "
            f"'{loss.teacher_layer_name}' and student layer '{loss.student_layer_name}'. "
            f"Original error: Layer '{key}' not found in extracted features. "
            f"Available: {list(features.keys())}"
        )
    return features[key]

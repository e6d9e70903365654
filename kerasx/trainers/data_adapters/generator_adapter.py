"""Batches from a Python generator or iterator that yields whole batches."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any


def is_generator_like(x: Any) -> bool:
    """Whether `x` is a generator or another iterator (it has `__next__` and `__iter__`)."""
    return hasattr(x, "__next__") and hasattr(x, "__iter__")


class GeneratorDataAdapter:
    """Hands on the batches a generator yields, unchanged.

    The generator is consumed once, across all passes: a later pass continues where the
    previous one stopped, and a pass after the generator is exhausted is empty. Its length is
    unknown (`num_batches` is `None`) unless the caller fixes `steps_per_epoch`.

    Args:
        generator: A generator or iterator yielding tuples `(x,)`, `(x, y)` or
            `(x, y, sample_weight)`.
        y: Must be `None` (targets come from the generator).
        sample_weight: Must be `None` (weights come from the generator).
        shuffle: Ignored, with a warning when true: a generator decides its own order.
        class_weight: Must be `None` (not supported for generators, as in Keras).
    """

    def __init__(
        self,
        generator: Any,
        y: Any = None,
        sample_weight: Any = None,
        shuffle: bool | str = False,
        class_weight: dict | None = None,
    ) -> None:
        if y is not None:
            raise ValueError(
                "When providing `x` as a generator, `y` should not be passed. Instead, the "
                "targets should be included as part of the generator, which yields "
                "`(x, y)` tuples."
            )
        if sample_weight is not None:
            raise ValueError(
                "When providing `x` as a generator, `sample_weights` should not be passed. "
                "Instead, the sample weights should be included as part of the generator, "
                "which yields `(x, y, sample_weight)` tuples."
            )
        if class_weight is not None:
            raise ValueError(
                "Argument `class_weight` is not supported for Python generator inputs. "
                "Yield `(x, y, sample_weight)` tuples with the weights instead. Received: "
                f"class_weight={class_weight}"
            )
        if shuffle:
            warnings.warn(
                f"`shuffle={shuffle!r}` was passed, but will be ignored since the data `x` was "
                "provided as a generator. The generator is expected to yield already-shuffled "
                "data.",
                stacklevel=4,
            )
        self._generator = generator
        self._checked = False

    @property
    def num_batches(self) -> None:
        """Always `None`: a generator's length is not known in advance."""
        return None

    @property
    def batch_size(self) -> None:
        """Always `None`: the generator decides the size of each batch."""
        return None

    def on_epoch_begin(self) -> None:
        """Nothing to do (kept for a uniform adapter interface)."""

    def on_epoch_end(self) -> None:
        """Nothing to do (kept for a uniform adapter interface)."""

    def begin_pass(self) -> Iterator[Any]:
        """Continue reading the generator.

        Returns:
            An iterator over the generator's remaining batches.
        """
        return self._iterate()

    def _iterate(self) -> Iterator[Any]:
        for batch in self._generator:
            if not self._checked:
                if not isinstance(batch, tuple):
                    raise ValueError(
                        "When passing a Python generator to a Keras model, the generator must "
                        "return a tuple, either (input,) or (inputs, targets) or (inputs, "
                        f"targets, sample_weights). Received a {type(batch).__name__}: "
                        f"{batch!r:.200}"
                    )
                self._checked = True
            yield batch

"""`keras.optimizers.legacy`: the Keras 2 optimizers, which Keras 3 (and kerasx) do not have.

Every name here is the same class, and creating one raises ImportError that says what to use
instead, as Keras 3 does.
"""

from __future__ import annotations

from typing import Any


class LegacyOptimizerWarning:
    """Stands for a Keras 2 optimizer (`keras.optimizers.legacy.Adam`, ...); creating one
    raises ImportError."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise ImportError(
            "`keras.optimizers.legacy` is not supported in Keras 3 or in kerasx. Use the "
            "optimizers of `kerasx.optimizers` (e.g. `kerasx.optimizers.Adam(learning_rate=...)`"
            "), which take the same main arguments."
        )


SGD = LegacyOptimizerWarning
Adagrad = LegacyOptimizerWarning
Adam = LegacyOptimizerWarning
Ftrl = LegacyOptimizerWarning
Optimizer = LegacyOptimizerWarning
RMSprop = LegacyOptimizerWarning

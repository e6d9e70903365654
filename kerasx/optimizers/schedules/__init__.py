"""Learning-rate schedules: functions of the training step that give a learning rate."""

from kerasx.optimizers.schedules.learning_rate_schedule import CosineDecay as CosineDecay
from kerasx.optimizers.schedules.learning_rate_schedule import (
    CosineDecayRestarts as CosineDecayRestarts,
)
from kerasx.optimizers.schedules.learning_rate_schedule import (
    ExponentialDecay as ExponentialDecay,
)
from kerasx.optimizers.schedules.learning_rate_schedule import (
    InverseTimeDecay as InverseTimeDecay,
)
from kerasx.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule as LearningRateSchedule,
)
from kerasx.optimizers.schedules.learning_rate_schedule import (
    PiecewiseConstantDecay as PiecewiseConstantDecay,
)
from kerasx.optimizers.schedules.learning_rate_schedule import (
    PolynomialDecay as PolynomialDecay,
)
from kerasx.optimizers.schedules.learning_rate_schedule import deserialize as deserialize
from kerasx.optimizers.schedules.learning_rate_schedule import serialize as serialize

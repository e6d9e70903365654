"""Optimizers and their helpers (currently only learning-rate schedules)."""

from kerasx.optimizers import schedules as schedules

"""Datasets. `digits` ships inside the package (no download); see DATA_ATTRIBUTION.md."""

from kerasx.datasets import digits as digits

"""Normalization layers: batch, layer, group, RMS, unit and spectral normalization."""

from kerasx.layers.normalization.batch_normalization import (
    BatchNormalization as BatchNormalization,
)
from kerasx.layers.normalization.group_normalization import (
    GroupNormalization as GroupNormalization,
)
from kerasx.layers.normalization.layer_normalization import (
    LayerNormalization as LayerNormalization,
)
from kerasx.layers.normalization.rms_normalization import RMSNormalization as RMSNormalization
from kerasx.layers.normalization.spectral_normalization import (
    SpectralNormalization as SpectralNormalization,
)
from kerasx.layers.normalization.unit_normalization import (
    UnitNormalization as UnitNormalization,
)

__all__ = [
    "BatchNormalization",
    "GroupNormalization",
    "LayerNormalization",
    "RMSNormalization",
    "SpectralNormalization",
    "UnitNormalization",
]

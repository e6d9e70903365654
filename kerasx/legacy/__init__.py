"""Keras 2 compatibility (keras.legacy): `saving` holds the legacy object format."""

from kerasx.legacy import saving as saving

__all__ = ["saving"]

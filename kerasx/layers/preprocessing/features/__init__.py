"""Feature preprocessing layers: numeric, categorical, text and audio preprocessing."""

from kerasx.layers.preprocessing.features.category_encoding import CategoryEncoding
from kerasx.layers.preprocessing.features.discretization import Discretization
from kerasx.layers.preprocessing.features.hashing import HashedCrossing, Hashing
from kerasx.layers.preprocessing.features.index_lookup import IntegerLookup, StringLookup
from kerasx.layers.preprocessing.features.mel_spectrogram import MelSpectrogram
from kerasx.layers.preprocessing.features.normalization import Normalization
from kerasx.layers.preprocessing.features.pipeline import Pipeline
from kerasx.layers.preprocessing.features.stft_spectrogram import STFTSpectrogram
from kerasx.layers.preprocessing.features.text_vectorization import TextVectorization

__all__ = [
    "CategoryEncoding",
    "Discretization",
    "HashedCrossing",
    "Hashing",
    "IntegerLookup",
    "MelSpectrogram",
    "Normalization",
    "Pipeline",
    "STFTSpectrogram",
    "StringLookup",
    "TextVectorization",
]

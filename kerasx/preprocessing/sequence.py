"""kerasx.preprocessing.sequence: sequence padding (``keras.preprocessing.sequence``)."""

from kerasx.utils.sequence_utils import pad_sequences as pad_sequences

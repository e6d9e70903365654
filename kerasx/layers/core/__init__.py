"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Identity, Lambda, Masking."""

from kerasx.layers.core.activation import Activation as Activation
from kerasx.layers.core.dense import Dense as Dense
from kerasx.layers.core.dropout import Dropout as Dropout
from kerasx.layers.core.einsum_dense import EinsumDense as EinsumDense
from kerasx.layers.core.embedding import Embedding as Embedding
from kerasx.layers.core.flatten import Flatten as Flatten
from kerasx.layers.core.identity import Identity as Identity
from kerasx.layers.core.lambda_layer import Lambda as Lambda
from kerasx.layers.core.masking import Masking as Masking
from kerasx.layers.core.reshape import Reshape as Reshape
from kerasx.layers.core.reversible_embedding import ReversibleEmbedding as ReversibleEmbedding

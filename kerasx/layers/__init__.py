"""Layers: the `Layer` base class, `Input`, and the built-in layers."""

# The layer families (each subpackage lists its public names in __all__).
from kerasx.layers.activations import *  # noqa: F403
from kerasx.layers.attention import *  # noqa: F403
from kerasx.layers.convolutional import *  # noqa: F403
from kerasx.layers.core import Activation as Activation
from kerasx.layers.core import Dense as Dense
from kerasx.layers.core import Dropout as Dropout
from kerasx.layers.core import EinsumDense as EinsumDense
from kerasx.layers.core import Embedding as Embedding
from kerasx.layers.core import Flatten as Flatten
from kerasx.layers.core import Identity as Identity
from kerasx.layers.core import Lambda as Lambda
from kerasx.layers.core import Masking as Masking
from kerasx.layers.core import Reshape as Reshape
from kerasx.layers.core import ReversibleEmbedding as ReversibleEmbedding
from kerasx.layers.input_layer import Input as Input
from kerasx.layers.input_layer import InputLayer as InputLayer
from kerasx.layers.input_spec import InputSpec as InputSpec
from kerasx.layers.interop import *  # noqa: F403
from kerasx.layers.layer import Layer as Layer
from kerasx.layers.merging import Add as Add
from kerasx.layers.merging import Average as Average
from kerasx.layers.merging import Concatenate as Concatenate
from kerasx.layers.merging import Dot as Dot
from kerasx.layers.merging import Maximum as Maximum
from kerasx.layers.merging import Minimum as Minimum
from kerasx.layers.merging import Multiply as Multiply
from kerasx.layers.merging import Subtract as Subtract
from kerasx.layers.merging import add as add
from kerasx.layers.merging import average as average
from kerasx.layers.merging import concatenate as concatenate
from kerasx.layers.merging import dot as dot
from kerasx.layers.merging import maximum as maximum
from kerasx.layers.merging import minimum as minimum
from kerasx.layers.merging import multiply as multiply
from kerasx.layers.merging import subtract as subtract
from kerasx.layers.normalization import *  # noqa: F403
from kerasx.layers.pooling import *  # noqa: F403
from kerasx.layers.preprocessing import *  # noqa: F403
from kerasx.layers.regularization import *  # noqa: F403
from kerasx.layers.reshaping import *  # noqa: F403
from kerasx.layers.rnn import *  # noqa: F403
from kerasx.layers.serialization import deserialize as deserialize
from kerasx.layers.serialization import serialize as serialize

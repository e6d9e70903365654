"""Nested-structure utilities (``keras.tree``): lists, tuples, namedtuples and dicts.

Dicts are traversed in sorted-key order, as Keras 3 does; ``None`` is a leaf.
"""

from kerasx.engine.tree import flatten as flatten
from kerasx.engine.tree import is_nested as is_nested
from kerasx.engine.tree import map_structure as map_structure
from kerasx.engine.tree import pack_sequence_as as pack_sequence_as

"""Merging layers: combine a list of tensors (Add, Concatenate, Dot, ...)."""

from kerasx.layers.merging.base_merge import Merge as Merge
from kerasx.layers.merging.concatenate import Concatenate as Concatenate
from kerasx.layers.merging.concatenate import concatenate as concatenate
from kerasx.layers.merging.dot import Dot as Dot
from kerasx.layers.merging.dot import dot as dot
from kerasx.layers.merging.elementwise import Add as Add
from kerasx.layers.merging.elementwise import Average as Average
from kerasx.layers.merging.elementwise import Maximum as Maximum
from kerasx.layers.merging.elementwise import Minimum as Minimum
from kerasx.layers.merging.elementwise import Multiply as Multiply
from kerasx.layers.merging.elementwise import Subtract as Subtract
from kerasx.layers.merging.elementwise import add as add
from kerasx.layers.merging.elementwise import average as average
from kerasx.layers.merging.elementwise import maximum as maximum
from kerasx.layers.merging.elementwise import minimum as minimum
from kerasx.layers.merging.elementwise import multiply as multiply
from kerasx.layers.merging.elementwise import subtract as subtract

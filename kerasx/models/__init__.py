"""Models: `Model` (functional and subclassed), `Sequential`."""

from kerasx.models.functional import Functional as Functional
from kerasx.models.model import Model as Model
from kerasx.models.sequential import Sequential as Sequential

"""Models: `Model` (functional and subclassed), `Sequential`."""

from kerasx.models.cloning import clone_model as clone_model
from kerasx.models.functional import Functional as Functional
from kerasx.models.model import Model as Model
from kerasx.models.sequential import Sequential as Sequential
from kerasx.saving.saving_api import load_model as load_model
from kerasx.saving.saving_api import model_from_json as model_from_json
from kerasx.saving.saving_api import save_model as save_model

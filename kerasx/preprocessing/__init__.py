"""kerasx.preprocessing: directory datasets and image / sequence helpers (``keras.preprocessing``).

`image_dataset_from_directory` decodes images with Pillow, which kerasx does not install: it
asks for ``pip install pillow`` when called without it.
"""

from kerasx.preprocessing import image as image
from kerasx.preprocessing import sequence as sequence
from kerasx.utils.dataset_utils import (
    timeseries_dataset_from_array as timeseries_dataset_from_array,
)
from kerasx.utils.directory_datasets import (
    text_dataset_from_directory as text_dataset_from_directory,
)
from kerasx.utils.image_dataset import (
    image_dataset_from_directory as image_dataset_from_directory,
)

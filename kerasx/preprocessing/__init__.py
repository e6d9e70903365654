"""kerasx.preprocessing: directory datasets and image / sequence helpers (``keras.preprocessing``).

`image_dataset_from_directory` is not provided: decoding images needs an image library
(Keras uses TensorFlow's decoders), and kerasx depends on neither TensorFlow nor Pillow.
"""

from kerasx.preprocessing import image as image
from kerasx.preprocessing import sequence as sequence
from kerasx.utils.dataset_utils import (
    timeseries_dataset_from_array as timeseries_dataset_from_array,
)
from kerasx.utils.directory_datasets import (
    text_dataset_from_directory as text_dataset_from_directory,
)

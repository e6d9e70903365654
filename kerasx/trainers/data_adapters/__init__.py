"""Data adapters: turn arrays, generators and `PyDataset`s into batches for the trainer."""

from kerasx.trainers.data_adapters.array_adapter import ArrayDataAdapter as ArrayDataAdapter
from kerasx.trainers.data_adapters.epoch_iterator import EpochIterator as EpochIterator
from kerasx.trainers.data_adapters.epoch_iterator import get_data_adapter as get_data_adapter
from kerasx.trainers.data_adapters.generator_adapter import (
    GeneratorDataAdapter as GeneratorDataAdapter,
)
from kerasx.trainers.data_adapters.py_dataset import PyDataset as PyDataset
from kerasx.trainers.data_adapters.py_dataset import PyDatasetAdapter as PyDatasetAdapter
from kerasx.trainers.data_adapters.utils import (
    class_weight_to_sample_weights as class_weight_to_sample_weights,
)
from kerasx.trainers.data_adapters.utils import (
    pack_x_y_sample_weight as pack_x_y_sample_weight,
)
from kerasx.trainers.data_adapters.utils import (
    train_validation_split as train_validation_split,
)
from kerasx.trainers.data_adapters.utils import (
    unpack_x_y_sample_weight as unpack_x_y_sample_weight,
)

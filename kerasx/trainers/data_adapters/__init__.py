"""Data adapters: turn arrays, generators and `PyDataset`s into batches for the trainer."""

from kerasx.trainers.data_adapters.py_dataset import PyDataset as PyDataset

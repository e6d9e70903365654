"""Reading CIFAR batch files (shared by `cifar10` and `cifar100`)."""

from __future__ import annotations

import os

import numpy as np

from kerasx.datasets._safe_pickle import SafeUnpickler


def load_batch(fpath: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """Read one CIFAR batch file.

    Args:
        fpath: the pickled batch (e.g. ``cifar-10-batches-py/data_batch_1``).
        label_key: the dict entry holding the labels: ``"labels"`` (CIFAR-10),
            ``"fine_labels"`` or ``"coarse_labels"`` (CIFAR-100).

    Returns:
        ``(images, labels)``: a uint8 array of shape ``(n, 3, 32, 32)`` (channels first, as
        stored) and the labels as a list of ints.
    """
    with open(fpath, "rb") as f:
        # The batches were pickled by Python 2, whose `str` keys come back as bytes.
        raw = SafeUnpickler(f, encoding="bytes").load()
    batch = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in raw.items()}
    for key in ("data", label_key):
        if key not in batch:
            raise ValueError(
                f"The CIFAR batch file {os.fspath(fpath)!r} has no {key!r} entry (it has: "
                f"{sorted(batch)}). The file may be corrupted; delete it from the cache."
            )
    images = np.asarray(batch["data"])
    return images.reshape(images.shape[0], 3, 32, 32), batch[label_key]

"""`TFSMLayer`: Keras's layer for TensorFlow SavedModels, which kerasx cannot load."""

from __future__ import annotations

from typing import Any

from kerasx.layers.layer import Layer


class TFSMLayer(Layer):
    """Keras's wrapper for a TensorFlow SavedModel endpoint; unavailable in kerasx.

    A SavedModel is a TensorFlow graph: running it needs the TensorFlow runtime, which
    neither kerasx engine (NumPy, JAX) provides, so creating this layer raises
    NotImplementedError (as Keras does on its non-TensorFlow backends). To use such a model,
    load its weights into an equivalent kerasx model (``model.load_weights`` of a
    ``.weights.h5`` file saved by Keras), or load a ``.keras`` file with
    ``kerasx.saving.load_model``.

    Args:
        filepath: the SavedModel directory.
        call_endpoint: the endpoint to call in inference mode.
        call_training_endpoint: the endpoint to call in training mode.
        trainable: whether the SavedModel's variables would be trainable.
        name: the layer's name.
        dtype: the layer's dtype.
    """

    def __init__(
        self,
        filepath: Any,
        call_endpoint: str = "serve",
        call_training_endpoint: str | None = None,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        raise NotImplementedError(
            "TFSMLayer is not supported in kerasx: a TensorFlow SavedModel "
            f"(filepath={filepath!r}) can only be run by the TensorFlow runtime, which kerasx's "
            "engines (NumPy, JAX) do not include. Rebuild the model with kerasx layers and "
            "load its weights (`model.load_weights('model.weights.h5')`), or load a `.keras` "
            "file with `kerasx.saving.load_model`."
        )

"""`TextVectorization`: raw strings to token indices or bag-of-words vectors.

Standardizing, splitting, n-grams and the vocabulary lookup run on the host (Python
strings), as Keras's do outside a TensorFlow graph; the outputs are engine tensors.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.layers.preprocessing.features._utils import (
    HostInputMixin,
    check_choice,
    check_sparse,
    encode,
    is_int,
    iter_batches,
    to_host,
)
from kerasx.layers.preprocessing.features.index_lookup import StringLookup

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NO_PUNCT = str.maketrans("", "", string.punctuation)


def _text(value: Any, encoding: str) -> str:
    return value.decode(encoding) if isinstance(value, bytes) else str(value)


class TextVectorization(HostInputMixin, Layer):
    """Turn strings into sequences of token indices (or multi-hot / count / TF-IDF vectors).

    Each string is standardized (ASCII lower-casing and/or removing ASCII punctuation, or a
    callable), split into tokens (on whitespace, into characters, or a callable), extended
    with n-grams (joined by spaces, after the unigrams), and looked up in the vocabulary.
    In ``"int"`` mode index 0 is padding and 1 the OOV token; sequences are padded with 0 to
    the longest in the batch, or padded/truncated to `output_sequence_length`. The other
    modes encode the tokens of each string over the vocabulary (OOV at index 0).

    Args:
        max_tokens: the largest vocabulary size, special tokens included.
        standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
            ``"strip_punctuation"``, None, or a callable on one string.
        split: ``"whitespace"`` (default), ``"character"``, None, or a callable returning a
            list of tokens.
        ngrams: None, an integer ``n`` (n-grams of sizes 1..n) or a tuple of sizes.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        output_sequence_length: the fixed output length in ``"int"`` mode.
        pad_to_max_tokens: encode over `max_tokens` entries even for a smaller vocabulary.
        vocabulary: a list of tokens or a path to a file with one token per line.
        idf_weights: IDF weights, one per vocabulary token (``tf_idf`` only).
        sparse: must be False (kerasx has no sparse tensors).
        ragged: must be False (kerasx has no ragged tensors).
        encoding: the text encoding of byte inputs.
        name: the layer's name.
        **kwargs: further base `Layer` arguments.
    """

    _auto_config = False

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: Any = "lower_and_strip_punctuation",
        split: Any = "whitespace",
        ngrams: Any = None,
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        vocabulary: Any = None,
        idf_weights: Any = None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        layer = "TextVectorization"
        if not callable(standardize) and standardize is not None:
            check_choice(layer, "standardize", standardize, _STANDARDIZE)
        if not callable(split) and split is not None:
            check_choice(layer, "split", split, _SPLIT)
        check_choice(layer, "output_mode", output_mode, _MODES)
        check_sparse(layer, sparse)
        if ragged:
            raise ValueError(
                "`ragged=True` is not supported by kerasx (there are no ragged tensors); "
                "use padded int outputs. Received: ragged=True"
            )
        if ngrams is not None and not (
            (is_int(ngrams) and ngrams >= 1)
            or (isinstance(ngrams, tuple) and ngrams and all(is_int(n) and n >= 1 for n in ngrams))
        ):
            raise ValueError(
                "`ngrams` must be None, an integer, or a tuple of integers. Received: "
                f"ngrams={ngrams}"
            )
        if output_sequence_length is not None:
            if output_mode != "int":
                raise ValueError(
                    "`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                    f"Received output_sequence_length={output_sequence_length}."
                )
            if not is_int(output_sequence_length) or output_sequence_length < 1:
                raise ValueError(
                    "`output_sequence_length` must be a positive integer. Received: "
                    f"output_sequence_length={output_sequence_length}"
                )
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self._ngram_sizes = (
            ()
            if ngrams is None
            else tuple(range(1, ngrams + 1))
            if is_int(ngrams)
            else tuple(ngrams)
        )
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.sparse = bool(sparse)
        self.ragged = False
        self.encoding = encoding
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            mask_token="" if output_mode == "int" else None,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens,
            encoding=encoding,
            name=f"{self.name}_lookup",
        )
        self.built = True

    # ------------------------------------------------------------------ text processing

    def _standardize(self, text: str) -> str:
        mode = self.standardize
        if callable(mode):
            return _text(mode(text), self.encoding)
        if mode in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(_ASCII_LOWER)
        if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = text.translate(_NO_PUNCT)
        return text

    def _tokens(self, text: Any) -> list:
        text = self._standardize(_text(text, self.encoding))
        split = self.split
        if split is None:
            tokens = [text]
        elif callable(split):
            tokens = [_text(t, self.encoding) for t in split(text)]
        elif split == "whitespace":
            tokens = text.split()
        else:
            tokens = list(text)
        if self._ngram_sizes:
            grams = []
            for n in self._ngram_sizes:
                grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
            tokens = grams
        return tokens

    def _rows(self, inputs: Any) -> tuple[list, tuple]:
        arr = to_host(inputs)
        if arr.ndim >= 1 and arr.shape[-1] == 1 and arr.ndim > 1:
            arr = arr.reshape(arr.shape[:-1])
        if arr.ndim > 1:
            raise ValueError(
                "TextVectorization expects a batch of strings of shape (batch,) or "
                f"(batch, 1). Received an input of shape {to_host(inputs).shape}"
            )
        lead = arr.shape
        return [self._tokens(t) for t in arr.reshape(-1).tolist()], lead

    # ------------------------------------------------------------------ vocabulary

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Build the vocabulary (and IDF weights) from the tokens of `data`.

        Args:
            data: strings (a list or array), or an iterable of batches of strings.
            batch_size: read an array in batches of this many strings.
            steps: read at most this many batches.
        """
        docs = []
        if hasattr(data, "shape") or (
            isinstance(data, (list, tuple)) and not any(hasattr(v, "shape") for v in data)
        ):
            batch_size = steps = None  # as Keras: all of an array is read
        for batch in iter_batches(data, steps=steps, batch_size=batch_size):
            rows, _ = self._rows(batch)
            docs.extend(np.array(r, dtype=object) for r in rows)
        self._lookup_layer.adapt(_Docs(docs))

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary in index order (padding and OOV tokens first unless excluded)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The number of indices, special tokens included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Set the vocabulary (and IDF weights for ``tf_idf``)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------------ call

    def call(self, inputs: Any) -> Any:
        """Vectorize a batch of strings."""
        rows, lead = self._rows(inputs)
        lookup = self._lookup_layer
        if self.output_mode == "int":
            length = self.output_sequence_length
            if length is None:
                length = max((len(r) for r in rows), default=0)
            out = np.zeros((len(rows), length), dtype="int64")
            for i, r in enumerate(rows):
                r = r[:length]
                if r:
                    out[i, : len(r)] = lookup._lookup(np.array(r, dtype=object))
            return ops.convert_to_tensor(out.reshape((*lead, length)))
        if not lookup._has_vocab and not self.pad_to_max_tokens:
            raise ValueError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data."
            )
        width = max((len(r) for r in rows), default=0)
        idx = np.full((len(rows), max(width, 1)), -1, dtype="int64")
        for i, r in enumerate(rows):
            if r:
                idx[i, : len(r)] = lookup._lookup(np.array(r, dtype=object))
        depth = lookup._depth()
        idf = None
        if self.output_mode == "tf_idf":
            base = lookup.idf_weights if lookup.idf_weights is not None else np.zeros(0)
            full = np.zeros(depth, dtype="float32")
            full[: min(depth, len(base))] = base[:depth]
            idf = ops.convert_to_tensor(full)
        x = ops.convert_to_tensor(idx.reshape((*lead, idx.shape[-1])))
        if self.output_mode == "one_hot":
            return encode(x, "one_hot", depth, self.compute_dtype)
        return encode(x, self.output_mode, depth, self.compute_dtype, idf_weights=idf)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """The output spec: int64 ``(batch, length)`` or ``(batch, depth)`` encodings."""
        shape = tuple(inputs.shape)
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        lookup = self._lookup_layer
        depth = lookup._depth() if (lookup._has_vocab or self.pad_to_max_tokens) else None
        if self.output_mode == "int":
            return KerasTensor((*shape, self.output_sequence_length), "int64")
        if self.output_mode == "one_hot":
            return KerasTensor((*shape, None, depth), self.compute_dtype)
        return KerasTensor((*shape, depth), self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The output shape for inputs of `input_shape` (see `compute_output_spec`)."""
        return tuple(self.compute_output_spec(KerasTensor(tuple(input_shape), "string")).shape)

    def get_config(self) -> dict:
        """The base config plus the vectorization arguments (as Keras)."""
        config = super().get_config()
        vocab = self.input_vocabulary
        if vocab is not None and not isinstance(vocab, str):
            vocab = [_text(v, self.encoding) for v in to_host(vocab).reshape(-1).tolist()]
        idf = self.input_idf_weights
        if idf is not None:
            idf = [float(v) for v in to_host(idf).reshape(-1).tolist()]
        config.update(
            {
                "max_tokens": self.max_tokens,
                "standardize": self.standardize,
                "split": self.split,
                "ngrams": self.ngrams,
                "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.pad_to_max_tokens,
                "sparse": self.sparse,
                "ragged": self.ragged,
                "vocabulary": vocab,
                "idf_weights": idf,
                "encoding": self.encoding,
                "vocabulary_size": self.vocabulary_size(),
            }
        )
        return config


class _Docs:
    """An iterable of documents (token arrays), each read by the lookup as one batch."""

    def __init__(self, docs: list) -> None:
        self.docs = docs

    def __iter__(self) -> Any:
        return iter(self.docs)

"""`StringLookup` and `IntegerLookup`: map tokens to vocabulary indices (and back).

The lookup runs on the host (NumPy / Python dictionaries), as Keras's does outside a
TensorFlow graph; the index and encoded outputs are engine tensors.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.layers.preprocessing.features import _hash
from kerasx.layers.preprocessing.features._utils import (
    HostInputMixin,
    check_choice,
    check_sparse,
    encode,
    encoded_shape,
    is_int,
    iter_batches,
    to_host,
)

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _listify(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if hasattr(value, "tolist") or hasattr(value, "numpy"):
        value = to_host(value).tolist()
    return list(value)


class _IndexLookup(HostInputMixin, Layer):
    """Shared machinery of the lookup layers (tokens are strings or integers)."""

    _auto_config = False
    _text = True

    def __init__(
        self,
        max_tokens: int | None,
        num_oov_indices: int,
        mask_token: Any,
        oov_token: Any,
        vocabulary: Any = None,
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("vocabulary_size", None)
        super().__init__(**kwargs)
        layer = type(self).__name__
        check_choice(layer, "output_mode", output_mode, _MODES)
        check_choice(layer, "oov_method", oov_method, ("floormod", "farmhash"))
        check_sparse(layer, sparse)
        if max_tokens is not None and (not is_int(max_tokens) or max_tokens <= 1):
            raise ValueError(
                f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}"
            )
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(
                "If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                f"max_tokens={max_tokens}"
            )
        if not is_int(num_oov_indices) or num_oov_indices < 0:
            raise ValueError(
                "`num_oov_indices` must be greater than or equal to 0. Received: "
                f"num_oov_indices={num_oov_indices}"
            )
        if invert and output_mode != "int":
            raise ValueError(
                "`output_mode` must be `'int'` when `invert` is true. Received: "
                f"output_mode={output_mode}"
            )
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                f"idf_weights={idf_weights} and output_mode={output_mode}"
            )
        if salt is not None:
            if is_int(salt):
                salt = [int(salt), int(salt)]
            elif isinstance(salt, (list, tuple)) and len(salt) == 2 and all(map(is_int, salt)):
                salt = [int(s) for s in salt]
            else:
                raise ValueError(
                    f"`salt` must be an integer or a pair of integers. Received: salt={salt}"
                )
        self.max_tokens = max_tokens
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.sparse = bool(sparse)
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = _listify(vocabulary)
        self.input_idf_weights = _listify(idf_weights)
        self._tokens: list = []
        self._index: dict = {}
        self._idf: np.ndarray | None = None
        self._has_vocab = False
        self._static = False
        if vocabulary is not None:
            if output_mode == "tf_idf" and idf_weights is None:
                raise ValueError(
                    "When specifying the `vocabulary` argument, in TF-IDF output mode, the "
                    "`idf_weights` argument must also be provided."
                )
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # ------------------------------------------------------------------ tokens

    def _norm(self, token: Any) -> Any:
        """A hashable key of a token (str for text, int for integers)."""
        if self._text:
            return token.decode("utf-8") if isinstance(token, bytes) else str(token)
        return int(token)

    @property
    def _reserved(self) -> list:
        out = [] if self.mask_token is None else [self._norm(self.mask_token)]
        return out + [self._norm(self.oov_token)] * self.num_oov_indices

    @property
    def idf_weights(self) -> Any:
        """The per-index IDF weights (``tf_idf`` mode), or None."""
        return self._idf

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary, index order (mask and OOV tokens first unless excluded)."""
        if not self._has_vocab and not self._tokens:
            return self._reserved if include_special_tokens else []
        if include_special_tokens:
            return self._reserved + list(self._tokens)
        return list(self._tokens)

    def vocabulary_size(self) -> int:
        """The number of indices, special tokens included."""
        return len(self.get_vocabulary())

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Set the vocabulary (and, for ``tf_idf``, its IDF weights).

        Args:
            vocabulary: a list or array of tokens, or a path to a text file with one token
                per line. It may start with the mask and OOV tokens, in that order.
            idf_weights: one weight per vocabulary entry (``tf_idf`` only).
        """
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(
                "`idf_weights` must be set if output_mode is 'tf_idf'. Received: idf_weights=None"
            )
        if idf_weights is not None and self.output_mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                f"output_mode={self.output_mode} and idf_weights={idf_weights}"
            )
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\n") for line in f]
        tokens = [self._norm(t) for t in _listify(vocabulary)]
        weights = None if idf_weights is None else [float(w) for w in _listify(idf_weights)]
        if weights is not None and len(weights) != len(tokens):
            raise ValueError(
                "`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                f"{len(weights)}; len(vocabulary) is {len(tokens)}"
            )
        seen: set = set()
        repeated = [t for t in tokens if t in seen or seen.add(t)]  # type: ignore[func-returns-value]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please uniquify your "
                f"dataset. The repeated terms are: {repeated}"
            )
        reserved = self._reserved
        lead = len(reserved) if tokens[: len(reserved)] == reserved else 0
        if lead and weights is not None:
            given_oov = weights[:lead]
            weights = weights[lead:]
        else:
            given_oov = None
        tokens = tokens[lead:]
        for special, what in ((self.mask_token, "mask"), (self.oov_token, "OOV")):
            if special is None or (what == "OOV" and self.num_oov_indices == 0):
                continue
            key = self._norm(special)
            if key in tokens:
                raise ValueError(
                    f"Found reserved {what} token at unexpected location in `vocabulary`. Note "
                    "that passed `vocabulary` does not need to include the OOV and mask "
                    "tokens. Either remove all mask and OOV tokens, or include them only at the "
                    f"start of the vocabulary in precisely this order: {reserved}. Received: "
                    f"{what.lower()}_token={special} at vocabulary index "
                    f"[{tokens.index(key)}]"
                )
        size = len(reserved) + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. Received "
                f"vocabulary size is {size}; `max_tokens` is {self.max_tokens}."
            )
        self._set(tokens, weights, given_oov)
        self._static = True

    def _set(self, tokens: list, weights: Any, given_oov: Any = None) -> None:
        self._tokens = list(tokens)
        offset = len(self._reserved)
        self._index = {t: i + offset for i, t in enumerate(self._tokens)}
        self._has_vocab = True
        if weights is None:
            self._idf = None
            return
        n_mask = 0 if self.mask_token is None else 1
        if given_oov is not None:
            oov_w = list(given_oov[n_mask:])
        else:
            oov_w = [float(np.mean(weights)) if weights else 0.0] * self.num_oov_indices
        full = [0.0] * n_mask + oov_w + list(weights)
        self._idf = np.asarray(full, dtype="float32")

    # ------------------------------------------------------------------ adapt

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Build the vocabulary from the token frequencies of `data`.

        Tokens are ordered by decreasing count (ties: the larger token first) and cut to
        `max_tokens`. For ``tf_idf`` the IDF of a token is ``log(1 + docs / (1 + df))``,
        where every row of a batch is a document (a 1-D array: every element).

        Args:
            data: an array or tensor, or an iterable of batches.
            steps: read at most this many batches.
        """
        if self._static:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary via "
                "`vocabulary` argument or `set_vocabulary()` method."
            )
        single = hasattr(data, "shape") or (
            isinstance(data, (list, tuple)) and not any(hasattr(v, "shape") for v in data)
        )
        counts: dict = {}
        doc_freq: dict = {}
        n_docs = 0
        skip = {self._norm(t) for t in (self.mask_token, self.oov_token) if t is not None}
        for batch in iter_batches(data, steps=steps):
            batch = np.asarray(batch)
            if single and batch.ndim == 1:
                batch = batch.reshape(-1, 1)
            docs = [batch.reshape(-1)] if batch.ndim <= 1 else list(batch.reshape(len(batch), -1))
            for doc in docs:
                keys = [self._norm(t) for t in doc.tolist()]
                for k in keys:
                    if k not in skip:
                        counts[k] = counts.get(k, 0) + 1
                if self.output_mode == "tf_idf":
                    n_docs += 1
                    for k in set(keys) - skip:
                        doc_freq[k] = doc_freq.get(k, 0) + 1
        order = sorted(counts, key=lambda k: (counts[k], k), reverse=True)
        if self.max_tokens is not None:
            order = order[: max(self.max_tokens - len(self._reserved), 0)]
        weights = None
        if self.output_mode == "tf_idf":
            weights = [math.log(1 + n_docs / (1 + doc_freq[k])) for k in order]
        self._set(order, weights)

    def reset_state(self) -> None:
        """Forget an adapted vocabulary."""
        if not self._static:
            self._tokens, self._index, self._idf, self._has_vocab = [], {}, None, False

    # ------------------------------------------------------------------ call

    def _lookup(self, arr: np.ndarray) -> np.ndarray:
        flat = [self._norm(t) for t in arr.reshape(-1).tolist()]
        mask = None if self.mask_token is None else self._norm(self.mask_token)
        n_mask = 0 if mask is None else 1
        out = np.empty(len(flat), dtype="int64")
        salt = None if self.salt is None else (self.salt[0], self.salt[1])
        for i, t in enumerate(flat):
            j = self._index.get(t)
            if j is None:
                if mask is not None and t == mask:
                    j = 0
                elif self.num_oov_indices == 0:
                    raise ValueError(
                        f"Found an out-of-vocabulary token {t!r} in the inputs of layer "
                        f"'{self.name}', which has `num_oov_indices=0`. Add it to the "
                        "vocabulary or use `num_oov_indices >= 1`."
                    )
                elif self.num_oov_indices == 1:
                    j = n_mask
                elif not self._text and self.oov_method == "floormod":
                    j = n_mask + t % self.num_oov_indices
                else:
                    h = _hash.hash_values([t], salt)[0]
                    j = n_mask + h % self.num_oov_indices
            out[i] = j
        return out.reshape(arr.shape)

    def _invert(self, arr: np.ndarray) -> np.ndarray:
        vocab = self.get_vocabulary()
        oov = self._norm(self.oov_token)
        flat = arr.reshape(-1).astype("int64").tolist()
        values = [vocab[i] if 0 <= i < len(vocab) else oov for i in flat]
        dtype = object if self._text else "int64"
        return np.array(values, dtype=dtype).reshape(arr.shape)

    def _depth(self) -> int:
        if self.pad_to_max_tokens:
            depth = int(self.max_tokens)  # type: ignore[arg-type]
        else:
            depth = self.vocabulary_size()
        return depth - (0 if self.mask_token is None else 1)

    def call(self, inputs: Any) -> Any:
        """Look `inputs` up (or, with `invert`, indices back to tokens) and encode them."""
        arr = to_host(inputs)
        if self.invert:
            out = self._invert(arr)
            return out if self._text else ops.convert_to_tensor(out)
        if self.output_mode != "int" and not self._has_vocab and not self.pad_to_max_tokens:
            raise ValueError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data."
            )
        idx = self._lookup(arr)
        if self.output_mode == "int":
            return ops.convert_to_tensor(idx, dtype="int64")
        if self.mask_token is not None:
            idx = idx - 1  # the mask index is dropped from encoded outputs (it becomes -1)
        depth = self._depth()
        idf = None
        if self.output_mode == "tf_idf":
            base = self._idf if self._idf is not None else np.zeros(0, "float32")
            if self.mask_token is not None:
                base = base[1:]
            idf = np.zeros(depth, dtype="float32")
            idf[: min(depth, len(base))] = base[:depth]
        return encode(
            ops.convert_to_tensor(idx, dtype="int64"),
            self.output_mode,
            depth,
            self.compute_dtype,
            idf_weights=None if idf is None else ops.convert_to_tensor(idf),
        )

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """The output spec: int64 indices, the token dtype (invert) or the encoded dtype."""
        shape = tuple(inputs.shape)
        if self.invert:
            return KerasTensor(shape, "string" if self._text else "int64")
        if self.output_mode == "int":
            return KerasTensor(shape, "int64")
        depth = self._depth() if (self._has_vocab or self.pad_to_max_tokens) else None
        return KerasTensor(encoded_shape(shape, self.output_mode, depth), self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape (int, invert) or the encoded shape."""
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self._depth() if (self._has_vocab or self.pad_to_max_tokens) else None
        return encoded_shape(tuple(input_shape), self.output_mode, depth)

    def _lookup_config(self) -> dict:
        size = self.vocabulary_size() if self._has_vocab else None
        return {
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "idf_weights": self.input_idf_weights,
            "vocabulary": self.input_vocabulary,
            "vocabulary_size": size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }


class StringLookup(_IndexLookup):
    """Map strings to integer indices from a vocabulary (given, or learned with `adapt`).

    Indices: 0 for the mask token (when set), then `num_oov_indices` indices for
    out-of-vocabulary tokens (several OOV indices are chosen by a stable hash of the token),
    then the vocabulary in order. Non-``int`` output modes encode those indices over the
    vocabulary (the mask index is dropped). Text is handled on the host.

    Args:
        max_tokens: the largest vocabulary size, special tokens included (None: no limit).
        num_oov_indices: how many indices out-of-vocabulary tokens share.
        mask_token: a token that maps to index 0 (None: no mask index).
        oov_token: the token returned for OOV indices when inverting.
        vocabulary: a list/array of strings or a path to a file with one per line.
        idf_weights: IDF weights, one per vocabulary entry (``tf_idf`` only).
        invert: map indices back to strings instead.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        pad_to_max_tokens: encode over `max_tokens` entries even if the vocabulary is smaller.
        sparse: must be False (kerasx has no sparse tensors).
        encoding: the text encoding of byte inputs (utf-8).
        oov_method: ``"floormod"`` or ``"farmhash"`` (both hash strings with FarmHash64).
        salt: a SipHash key (integer or pair) for hashing OOV tokens.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _text = True

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: str | None = None,
        oov_token: str = "[UNK]",
        vocabulary: Any = None,
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        pad_to_max_tokens: bool = False,
        sparse: bool = False,
        encoding: str = "utf-8",
        oov_method: str = "floormod",
        salt: Any = None,
        **kwargs: Any,
    ) -> None:
        self.encoding = encoding
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            oov_method=oov_method,
            salt=salt,
            **kwargs,
        )

    def _norm(self, token: Any) -> Any:
        if isinstance(token, bytes):
            return token.decode(self.encoding)
        return str(token)

    def get_config(self) -> dict:
        """The base config plus the lookup arguments (as Keras)."""
        config = super().get_config()
        config.update(self._lookup_config())
        config["encoding"] = self.encoding
        return config


class IntegerLookup(_IndexLookup):
    """Map integers to contiguous indices from a vocabulary (given, or learned with `adapt`).

    The same index layout and output modes as `StringLookup`, for integer tokens. With several
    OOV indices, ``oov_method="floormod"`` puts an OOV value ``v`` in ``v mod num_oov_indices``
    and ``"farmhash"`` hashes its decimal text (salted with `salt`).

    Args:
        max_tokens: the largest vocabulary size, special tokens included (None: no limit).
        num_oov_indices: how many indices out-of-vocabulary values share.
        mask_token: a value that maps to index 0 (None: no mask index).
        oov_token: the value returned for OOV indices when inverting (default -1).
        vocabulary: a list/array of integers or a path to a file with one per line.
        vocabulary_dtype: must be ``"int64"``.
        idf_weights: IDF weights, one per vocabulary entry (``tf_idf`` only).
        invert: map indices back to values instead.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        sparse: must be False (kerasx has no sparse tensors).
        pad_to_max_tokens: encode over `max_tokens` entries even if the vocabulary is smaller.
        oov_method: ``"floormod"`` or ``"farmhash"``.
        salt: a SipHash key for ``"farmhash"`` (integer or pair).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _text = False

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: int | None = None,
        oov_token: int = -1,
        vocabulary: Any = None,
        vocabulary_dtype: str = "int64",
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt: Any = None,
        **kwargs: Any,
    ) -> None:
        if vocabulary_dtype != "int64":
            raise ValueError(
                "Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                f"vocabulary_dtype={vocabulary_dtype}"
            )
        if salt is not None and oov_method != "farmhash":
            raise ValueError(
                f"`salt` can only be used when `oov_method='farmhash'`. Received: "
                f"oov_method={oov_method}"
            )
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            oov_method=oov_method,
            salt=salt,
            **kwargs,
        )

    def _norm(self, token: Any) -> Any:
        return int(token)

    def get_config(self) -> dict:
        """The base config plus the lookup arguments (as Keras)."""
        config = super().get_config()
        look = self._lookup_config()
        out = {}
        for k, v in look.items():
            out[k] = v
            if k == "pad_to_max_tokens":
                out["vocabulary_dtype"] = self.vocabulary_dtype
        config.update(out)
        return config

"""`keras.callbacks.TensorBoard`: event files written without TensorFlow, read back here.

The reader in this file is written from the published formats (TFRecord framing, protobuf
wire format, the field numbers of ``event.proto`` / ``summary.proto``) and shares no code
with the writer: its CRC-32C is a bit-by-bit loop, not the writer's table.
"""

from __future__ import annotations

import glob
import json
import os
import struct
import warnings

import numpy as np
import pytest

import kerasx as keras
from kerasx.callbacks import _event_file as ef

# --------------------------------------------------------------------------- test-only reader


def _crc32c_bitwise(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 * (crc & 1))
    return crc ^ 0xFFFFFFFF


def _mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) % 2**32


def _read_records(path: str) -> list[bytes]:
    with open(path, "rb") as f:
        data = f.read()
    records, pos = [], 0
    while pos < len(data):
        header = data[pos : pos + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[pos + 8 : pos + 12])
        assert header_crc == _mask(_crc32c_bitwise(header))
        payload = data[pos + 12 : pos + 12 + length]
        (payload_crc,) = struct.unpack("<I", data[pos + 12 + length : pos + 16 + length])
        assert payload_crc == _mask(_crc32c_bitwise(payload))
        records.append(payload)
        pos += 16 + length
    assert pos == len(data)
    return records


def _parse(message: bytes) -> dict[int, list]:
    """Protobuf wire format -> {field number: [raw values]} (ints, 8/4-byte chunks, bytes)."""
    fields: dict[int, list] = {}
    pos = 0

    def read_varint() -> int:
        nonlocal pos
        result = shift = 0
        while True:
            byte = message[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return result

    while pos < len(message):
        key = read_varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value = read_varint()
        elif wire == 1:
            value, pos = message[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = message[pos : pos + 4], pos + 4
        elif wire == 2:
            n = read_varint()
            value, pos = message[pos : pos + n], pos + n
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def _double(raw: bytes) -> float:
    return struct.unpack("<d", raw)[0]


def _read_events(path: str) -> list[dict]:
    """Each event as {wall_time, step, file_version?, values: [{tag, kind, ...}]}."""
    events = []
    for record in _read_records(path):
        f = _parse(record)
        ev: dict = {"wall_time": _double(f[1][0]), "step": f.get(2, [0])[0], "values": []}
        if 3 in f:
            ev["file_version"] = f[3][0].decode()
        for summary in f.get(5, []):
            for raw_value in _parse(summary).get(1, []):
                v = _parse(raw_value)
                item: dict = {"tag": v[1][0].decode()}
                if 2 in v:
                    item["simple_value"] = struct.unpack("<f", v[2][0])[0]
                if 5 in v:
                    h = _parse(v[5][0])
                    item["histo"] = {
                        "min": _double(h[1][0]),
                        "max": _double(h[2][0]),
                        "num": _double(h[3][0]),
                        "sum": _double(h[4][0]),
                        "sum_squares": _double(h[5][0]),
                        "bucket_limit": np.frombuffer(h[6][0], "<f8"),
                        "bucket": np.frombuffer(h[7][0], "<f8"),
                    }
                if 8 in v:
                    item["tensor"] = _parse(v[8][0])
                if 9 in v:
                    plugin = _parse(_parse(v[9][0])[1][0])
                    item["plugin"] = plugin[1][0].decode()
                    item["plugin_content"] = plugin.get(2, [b""])[0]
                ev["values"].append(item)
        events.append(ev)
    return events


def _run_files(log_dir, run: str) -> list[str]:
    return sorted(glob.glob(os.path.join(str(log_dir), run, "events.out.tfevents.*")))


def _scalars(path: str) -> dict[str, list[tuple[int, float]]]:
    out: dict[str, list[tuple[int, float]]] = {}
    for ev in _read_events(path):
        for v in ev["values"]:
            if "simple_value" in v:
                out.setdefault(v["tag"], []).append((ev["step"], v["simple_value"]))
    return out


def _f32(x: float) -> float:
    return float(np.float32(x))


# --------------------------------------------------------------------------- encoding


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"123456789", 0xE3069283),  # the CRC-32C check value
        (b"", 0x00000000),
        (bytes(32), 0x8A9136AA),  # RFC 3720 B.4 test vectors
        (b"\xff" * 32, 0x62A8AB43),
        (bytes(range(32)), 0x46DD794E),
        (bytes(range(31, -1, -1)), 0x113FDB5C),
    ],
)
def test_crc32c_published_vectors(data, expected):
    assert ef.crc32c(data) == expected
    assert _crc32c_bitwise(data) == expected


def test_crc32c_matches_bitwise_on_random_data():
    rng = np.random.default_rng(0)
    for n in (1, 7, 100, 1000):
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert ef.crc32c(data) == _crc32c_bitwise(data)


def test_masked_crc_and_record_framing():
    crc = 0xE3069283
    expected = (((crc >> 15) | (crc << 17)) + 0xA282EAD8) % 2**32
    assert ef.masked_crc32c(b"123456789") == expected
    record = ef.tfrecord(b"abc")
    assert record[:8] == b"\x03" + bytes(7)
    assert record[8:12] == struct.pack("<I", _mask(_crc32c_bitwise(b"\x03" + bytes(7))))
    assert record[12:15] == b"abc"
    assert record[15:] == struct.pack("<I", _mask(_crc32c_bitwise(b"abc")))


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, b"\x00"),
        (1, b"\x01"),
        (127, b"\x7f"),
        (128, b"\x80\x01"),
        (300, b"\xac\x02"),
        (2**32, b"\x80\x80\x80\x80\x10"),
        (-1, b"\xff" * 9 + b"\x01"),
    ],
)
def test_varint(value, encoded):
    assert ef.varint(value) == encoded


def test_protobuf_fields_hand_computed():
    # double 1.0 in field 1: key 0x09, then IEEE-754 little-endian.
    assert ef.field_double(1, 1.0) == b"\x09" + b"\x00" * 6 + b"\xf0\x3f"
    # float 0.5 in field 2: key 0x15, 0x3f000000 little-endian.
    assert ef.field_float(2, 0.5) == b"\x15\x00\x00\x00\x3f"
    assert ef.field_varint(2, 300) == b"\x10\xac\x02"
    assert ef.field_bytes(1, "ab") == b"\x0a\x02ab"
    assert ef.field_bytes(3, "brain.Event:2") == b"\x1a\x0dbrain.Event:2"
    assert ef.field_packed_doubles(6, [1.0]) == b"\x32\x08" + b"\x00" * 6 + b"\xf0\x3f"


def test_event_with_scalar_summary_hand_computed():
    value = b"\x0a\x04loss" + b"\x15\x00\x00\x00\x3f"  # tag="loss", simple_value=0.5
    assert ef.summary_value("loss", simple_value=0.5) == value
    summary = b"\x0a" + bytes([len(value)]) + value  # Summary.value (field 1)
    assert ef.summary(value) == summary
    expected = (
        b"\x09" + struct.pack("<d", 2.5)  # wall_time
        + b"\x10\x81\x01"  # step = 129
        + b"\x2a" + bytes([len(summary)]) + summary  # summary (field 5)
    )  # fmt: skip
    assert ef.event(2.5, 129, summary=summary) == expected
    # The file-version event leaves step 0 out, as protobuf does for defaults.
    assert ef.event(2.5, 0, file_version="brain.Event:2") == (
        b"\x09" + struct.pack("<d", 2.5) + b"\x1a\x0dbrain.Event:2"
    )


def test_histogram_proto_hand_computed():
    proto = ef.histogram_proto([1.0, 2.0, 3.0], bucket_count=2)

    def d(field, x):
        return bytes([field << 3 | 1]) + struct.pack("<d", x)

    def packed(field, xs):
        return bytes([field << 3 | 2, 8 * len(xs)]) + struct.pack(f"<{len(xs)}d", *xs)

    expected = (
        d(1, 1.0) + d(2, 3.0) + d(3, 3.0) + d(4, 6.0) + d(5, 14.0)
        + packed(6, [2.0, 3.0]) + packed(7, [1.0, 2.0])
    )  # fmt: skip
    assert proto == expected
    # All values equal: one bucket holding them all.
    h = _parse(ef.histogram_proto(np.full((2, 2), 0.25)))
    assert np.frombuffer(h[6][0], "<f8").tolist() == [0.25]
    assert np.frombuffer(h[7][0], "<f8").tolist() == [4.0]


def test_event_file_writer_flush_and_close(tmp_path):
    writer = ef.EventFileWriter(tmp_path / "run")
    assert os.path.basename(writer.path).startswith("events.out.tfevents.")
    assert writer.path.endswith(".v2")
    writer.add_scalar("x", 1.25, step=3)
    writer.flush()
    events = _read_events(writer.path)
    assert events[0]["file_version"] == "brain.Event:2"
    assert events[1]["step"] == 3 and events[1]["values"] == [{"tag": "x", "simple_value": 1.25}]
    writer.close()
    writer.close()
    assert writer.closed
    with pytest.raises(RuntimeError, match="closed"):
        writer.add_scalar("x", 1.0, step=4)


# --------------------------------------------------------------------------- the callback


def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = rng.normal(size=(n, 2)).astype("float32")
    return x, y


def _model(lr=0.01):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse", metrics=["mae"])
    return model


def test_epoch_scalars_equal_history(tmp_path):
    x, y = _data()
    model = _model()
    tb = keras.callbacks.TensorBoard(tmp_path)
    hist = model.fit(
        x, y, batch_size=8, epochs=3, validation_data=_data(8, 1), verbose=0, callbacks=[tb]
    )
    (train_file,) = _run_files(tmp_path, "train")
    (val_file,) = _run_files(tmp_path, "validation")
    train, val = _scalars(train_file), _scalars(val_file)
    assert set(train) == {"epoch_loss", "epoch_mae", "epoch_learning_rate"}
    for name in ("loss", "mae"):
        assert train[f"epoch_{name}"] == [(e, _f32(v)) for e, v in enumerate(hist.history[name])]
        assert val[f"epoch_{name}"] == [
            (e, _f32(v)) for e, v in enumerate(hist.history[f"val_{name}"])
        ]
    assert train["epoch_learning_rate"] == [(e, _f32(0.01)) for e in range(3)]
    # Validation inside fit also logs against the optimizer's iteration count (3 steps/epoch).
    assert val["evaluation_loss_vs_iterations"] == [
        (3 * (e + 1), _f32(v)) for e, v in enumerate(hist.history["val_loss"])
    ]
    assert set(val) == {
        "epoch_loss",
        "epoch_mae",
        "evaluation_loss_vs_iterations",
        "evaluation_mae_vs_iterations",
    }
    assert _read_events(train_file)[0]["file_version"] == "brain.Event:2"
    assert tb._writers == {}  # closed at on_train_end


def test_graph_summary_is_the_model_config(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.TensorBoard(tmp_path)])
    (train_file,) = _run_files(tmp_path, "train")
    (graph,) = [v for ev in _read_events(train_file) for v in ev["values"] if v["tag"] == "keras"]
    assert graph["plugin"] == "graph_keras_model" and graph["plugin_content"] == b"1"
    assert graph["tensor"][1] == [7]  # DT_STRING
    assert json.loads(graph["tensor"][8][0]) == json.loads(model.to_json())

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    sub = Sub()
    sub.compile("sgd", "mse")
    sub.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.TensorBoard(tmp_path / "s")])
    tags = {
        v["tag"]
        for ev in _read_events(_run_files(tmp_path / "s", "train")[0])
        for v in ev["values"]
    }
    assert "keras" not in tags


@pytest.mark.parametrize("update_freq", [2, "batch"])
def test_batch_scalars_every_update_freq(tmp_path, update_freq):
    x, y = _data()
    model = _model()
    seen: list[dict] = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(dict(logs))
    )
    tb = keras.callbacks.TensorBoard(tmp_path, update_freq=update_freq, write_graph=False)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[record, tb])
    every = 1 if update_freq == "batch" else update_freq
    train = _scalars(_run_files(tmp_path, "train")[0])
    for name in ("loss", "mae"):
        expected = [(step, _f32(seen[step - 1][name])) for step in range(1, 7) if step % every == 0]
        assert train[f"batch_{name}"] == expected
    assert [s for s, _ in train["epoch_loss"]] == [0, 1]


def test_histograms_match_weights(tmp_path):
    x, y = _data()
    model = _model()
    tb = keras.callbacks.TensorBoard(tmp_path, histogram_freq=2, write_graph=False)
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[tb])
    histos: dict = {}
    for ev in _read_events(_run_files(tmp_path, "train")[0]):
        for v in ev["values"]:
            if "histo" in v:
                histos.setdefault(v["tag"], []).append((ev["step"], v["histo"]))
    weights = {w.path + "/histogram": keras.ops.convert_to_numpy(w) for w in model.weights}
    assert set(histos) == set(weights)
    for tag, w in weights.items():
        assert [step for step, _ in histos[tag]] == [0, 2]
        h = histos[tag][-1][1]  # written after the last epoch: the final weights
        w = np.asarray(w, dtype=np.float64)
        assert h["num"] == w.size == h["bucket"].sum()
        assert h["min"] == w.min() and h["max"] == w.max()
        np.testing.assert_allclose(h["sum"], w.sum(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(h["sum_squares"], (w**2).sum(), rtol=1e-12)
        assert h["bucket_limit"][-1] == w.max()
        assert np.all(np.diff(h["bucket_limit"]) > 0) or len(h["bucket_limit"]) == 1


def test_steps_per_second(tmp_path):
    x, y = _data()
    tb = keras.callbacks.TensorBoard(
        tmp_path, write_steps_per_second=True, update_freq=1, write_graph=False
    )
    _model().fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[tb])
    train = _scalars(_run_files(tmp_path, "train")[0])
    assert [s for s, _ in train["epoch_steps_per_second"]] == [0, 1]
    assert all(v > 0 for _, v in train["epoch_steps_per_second"])
    assert [s for s, _ in train["batch_steps_per_second"]] == list(range(1, 7))


def test_learning_rate_follows_scheduler(tmp_path):
    x, y = _data()
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    tb = keras.callbacks.TensorBoard(tmp_path, write_graph=False)
    _model().fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[schedule, tb])
    train = _scalars(_run_files(tmp_path, "train")[0])
    assert train["epoch_learning_rate"] == [(e, _f32(0.1 / (e + 1))) for e in range(3)]


def test_multi_optimizer_learning_rates(tmp_path):
    x, y = _data()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="head")])
    sgd, adam = keras.optimizers.SGD(0.1), keras.optimizers.Adam(0.001)
    model.compile(
        optimizer=keras.optimizers.MultiOptimizer(lambda v: sgd if "kernel" in v.path else adam),
        loss="mse",
    )
    tb = keras.callbacks.TensorBoard(tmp_path, write_graph=False)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[tb])
    train = _scalars(_run_files(tmp_path, "train")[0])
    assert train[f"epoch_learning_rate_{sgd.name}"] == [(0, _f32(0.1))]
    assert train[f"epoch_learning_rate_{adam.name}"] == [(0, _f32(0.001))]


def test_second_fit_and_evaluate_write_new_closed_files(tmp_path):
    x, y = _data()
    model = _model()
    tb = keras.callbacks.TensorBoard(tmp_path, write_graph=False)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[tb])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[tb])
    files = _run_files(tmp_path, "train")
    assert len(files) == 2
    assert all(_scalars(f)["epoch_loss"][0][0] == 0 for f in files)
    result = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True, callbacks=[tb])
    assert tb._writers == {}
    (val_file,) = _run_files(tmp_path, "validation")
    val = _scalars(val_file)
    assert val["evaluation_loss_vs_iterations"] == [(6, _f32(result["loss"]))]


def test_embeddings(tmp_path):
    model = keras.Sequential(
        [keras.Input((3,), dtype="int32"), keras.layers.Embedding(10, 2, name="emb")]
    )
    model.compile("sgd", "mse")
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype="int32")
    y = np.zeros((2, 3, 2), "float32")
    tb = keras.callbacks.TensorBoard(
        tmp_path, embeddings_freq=1, embeddings_metadata={"emb": "meta.tsv"}, write_graph=False
    )
    model.fit(x, y, epochs=2, verbose=0, callbacks=[tb])
    with open(tmp_path / "projector_config.pbtxt") as f:
        text = f.read()
    assert 'metadata_path: "meta.tsv"' in text and text.count("embeddings {") == 1
    for epoch in (0, 1):
        assert (tmp_path / "train" / f"keras_embedding.ckpt-{epoch}.weights.h5").exists()
    bad = keras.callbacks.TensorBoard(tmp_path, embeddings_freq=1, embeddings_metadata={"x": "m"})
    with pytest.raises(ValueError, match="not `Embedding` layers"):
        bad.set_model(model)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"update_freq": "epochs"}, "update_freq"),
        ({"update_freq": 0}, "update_freq"),
        ({"update_freq": -5}, "update_freq"),
        ({"update_freq": True}, "update_freq"),
        ({"histogram_freq": -1}, "histogram_freq"),
        ({"histogram_freq": 0.5}, "histogram_freq"),
        ({"embeddings_freq": -1}, "embeddings_freq"),
        ({"embeddings_metadata": 3}, "embeddings_metadata"),
        ({"profile_batch": -1}, "profile_batch"),
        ({"profile_batch": (5, 2)}, "profile_batch"),
        ({"profile_batch": "a,b"}, "profile_batch"),
        ({"profile_batch": (1, 2, 3)}, "profile_batch"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        keras.callbacks.TensorBoard(**kwargs)


def test_unsupported_options_warn_and_defaults_are_quiet(tmp_path):
    with pytest.warns(UserWarning, match="profile"):
        keras.callbacks.TensorBoard(tmp_path, profile_batch="2,4")
    with pytest.warns(UserWarning, match="images"):
        keras.callbacks.TensorBoard(tmp_path, write_images=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tb = keras.callbacks.TensorBoard(tmp_path)
    assert (tb.log_dir, tb.histogram_freq, tb.update_freq) == (str(tmp_path), 0, "epoch")
    assert keras.callbacks.TensorBoard(update_freq="batch").update_freq == 1


def test_tensorboard_does_not_force_a_write_back_after_every_step(tmp_path):
    # its batch hooks read only the logs: the trainer keeps the compiled state between steps
    from kerasx.callbacks import CallbackList, LambdaCallback, TensorBoard
    from kerasx.trainers.step_runner import _callbacks_read_model

    tb = TensorBoard(str(tmp_path), update_freq=1)
    assert not _callbacks_read_model(CallbackList([tb]))
    reader = LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    assert _callbacks_read_model(CallbackList([tb, reader]))


def test_lambda_callback_batch_hooks_see_each_steps_weights():
    # a hook set on the instance (LambdaCallback) also makes the trainer write back each step
    import numpy as np

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    seen = []
    spy = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(model.get_weights()[0].copy())
    )
    x = np.ones((8, 2), "float32")
    model.fit(x, np.zeros((8, 1), "float32"), batch_size=2, verbose=0, callbacks=[spy])
    assert len(seen) == 4
    assert all(not np.array_equal(a, b) for a, b in zip(seen, seen[1:]))

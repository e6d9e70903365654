"""`Model.load_weights` on legacy Keras HDF5 weights files (`.h5`: Keras 2's `save_weights`,
the `keras.applications` weight files): by position or by name, checked before assigning."""

import h5py
import numpy as np
import pytest

import kerasx
from kerasx import layers

RNG = np.random.default_rng(0)


def _model(names=("d1", "bn", "d2"), widths=(4, 2)):
    return kerasx.Sequential(
        [
            kerasx.Input((3,)),
            layers.Dense(widths[0], name=names[0]),
            layers.BatchNormalization(name=names[1]),
            layers.Dense(widths[1], name=names[2]),
        ]
    )


def _write_legacy(path, entries):
    """A file in the legacy layout: `layer_names`, and per layer `weight_names` + datasets."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([n.encode() for n, _ in entries])
        f.attrs["backend"] = b"tensorflow"
        for name, arrays in entries:
            g = f.create_group(name)
            wnames = [f"{name}/w{i}:0" for i in range(len(arrays))]
            g.attrs["weight_names"] = np.array([w.encode() for w in wnames])
            for w, a in zip(wnames, arrays):
                g.create_dataset(w, data=a)


def _random_like(model):
    return [RNG.normal(size=w.shape).astype("float32") for w in model.get_weights()]


def _entries(model, values, names=None):
    out, k = [], 0
    for layer, name in zip([l for l in model.layers if l.weights], names or [None] * 9):
        n = len(layer.weights)
        out.append((name or layer.name, values[k : k + n]))
        k += n
    return out


def test_loads_by_position_whatever_the_names(tmp_path):
    src = _model()
    values = _random_like(src)
    path = tmp_path / "w.h5"
    _write_legacy(path, [("empty", [])] + _entries(src, values, ["a", "b", "c"]))
    target = _model(names=("x", "y", "z"))
    target.load_weights(path)
    for a, b in zip(target.get_weights(), values):
        np.testing.assert_array_equal(a, b)


def test_by_name_loads_matching_layers_only(tmp_path):
    src = _model()
    values = _random_like(src)
    path = tmp_path / "w.hdf5"
    _write_legacy(path, _entries(src, values)[:2])  # d1 and bn only
    target = _model()
    before = target.get_weights()
    target.load_weights(path, by_name=True)
    got = target.get_weights()
    for a, b in zip(got[:6], values[:6]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(got[6:], before[6:]):
        np.testing.assert_array_equal(a, b)


def test_mismatches_raise_before_anything_changes(tmp_path):
    src = _model()
    values = _random_like(src)
    path = tmp_path / "w.h5"
    _write_legacy(path, _entries(src, values))
    fewer = kerasx.Sequential([kerasx.Input((3,)), layers.Dense(4), layers.Dense(2)])
    with pytest.raises(ValueError, match="Layer count mismatch"):
        fewer.load_weights(path)
    wider = _model(widths=(4, 5))
    before = wider.get_weights()
    with pytest.raises(ValueError, match="Shape mismatch in layer"):
        wider.load_weights(path)
    for a, b in zip(wider.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="Skipping the loading of weights"):
        wider.load_weights(path, by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(wider.get_weights()[0], values[0])  # d1 loaded, d2 skipped
    with pytest.raises(ValueError, match="not supported"):
        wider.load_weights(path, by_nam=True)
    with pytest.raises(FileNotFoundError):
        wider.load_weights(tmp_path / "missing.h5")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside Keras
def test_reads_files_written_by_keras(tmp_path):
    keras = pytest.importorskip("keras")
    from keras.src.legacy.saving import legacy_h5_format

    k_model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, name="d1"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(2, name="d2"),
        ]
    )
    k_model.set_weights(_random_like(k_model))
    path = tmp_path / "keras_legacy.h5"
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, k_model)
    for by_name in (False, True):
        target = _model()
        target.load_weights(path, by_name=by_name)
        for a, b in zip(target.get_weights(), k_model.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_links_and_data_outside_the_file_are_refused(tmp_path):
    model = _model()
    values = _random_like(model)
    before = model.get_weights()
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as f:
        f["data"] = np.ones((3, 4), "float32")
    for kind in ("external link", "external data"):
        path = tmp_path / f"{kind.replace(' ', '_')}.h5"
        _write_legacy(path, _entries(model, values))
        with h5py.File(path, "a") as f:
            name = f["d1"].attrs["weight_names"][0].decode()
            del f["d1"][name]
            if kind == "external link":
                f["d1"][name] = h5py.ExternalLink(str(secret), "data")
            else:
                raw = tmp_path / "raw.bin"
                raw.write_bytes(np.ones(12, "float32").tobytes())
                f["d1"].create_dataset(
                    name, shape=(3, 4), dtype="float32", external=[(str(raw), 0, 48)]
                )
        with pytest.raises(ValueError, match="link|outside the file"):
            model.load_weights(path)
        for a, b in zip(model.get_weights(), before):
            np.testing.assert_array_equal(a, b)

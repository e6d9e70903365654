"""Write the small Keras 3 files that tests/api/test_saving_interchange.py loads with kerasx.

Run with real Keras 3 (the JAX backend, so the compiled model can train a few steps):

    KERAS_BACKEND=jax python tools/make_keras_fixtures.py

It writes tests/data/keras_files/: a few `.keras` archives, a `.weights.h5` file, a legacy
`.h5` model, and `expected.npz` with the inputs and the predictions Keras computed for them.
The files were made with Keras 3.15.1 (see `expected.npz["keras_version"]`).
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "keras_files"


def main() -> None:
    import keras
    from keras import layers

    OUT.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    expected: dict[str, np.ndarray] = {"keras_version": np.array(keras.__version__)}

    # 1. A compiled Sequential MLP trained for 2 steps (optimizer state in the file).
    x = rng.random((16, 4)).astype("float32")
    y = rng.integers(0, 3, 16)
    mlp = keras.Sequential(
        [keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(3, "softmax")],
        name="mlp",
    )
    mlp.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    mlp.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    mlp.save(OUT / "mlp_trained.keras")
    mlp.save_weights(OUT / "mlp_trained.weights.h5")
    expected["mlp_x"] = x
    expected["mlp_y"] = y
    expected["mlp_pred"] = np.asarray(mlp.predict(x, verbose=0))
    # One more epoch from the saved state: kerasx must reproduce it after loading.
    history = mlp.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    expected["mlp_next_loss"] = np.array(history.history["loss"])
    expected["mlp_next_pred"] = np.asarray(mlp.predict(x, verbose=0))

    # 2. A functional model: two inputs, a shared layer, merges, dropout, two outputs.
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    shared = layers.Dense(3, activation="tanh", name="shared")
    za, zb = shared(a), shared(b)
    s = layers.Add(name="sum")([za, zb])
    c = layers.Concatenate(name="cat")([s, layers.Multiply()([za, zb])])
    c = layers.Dropout(0.5)(c)
    out1 = layers.Dense(2, name="out1")(c)
    out2 = layers.Subtract(name="diff")([za, zb])
    functional = keras.Model([a, b], [out1, out2], name="two_in_two_out")
    functional.save(OUT / "functional.keras")
    xb = rng.random((5, 4)).astype("float32")
    expected["fn_a"] = x[:5]
    expected["fn_b"] = xb
    p1, p2 = functional.predict([x[:5], xb], verbose=0)
    expected["fn_pred1"] = np.asarray(p1)
    expected["fn_pred2"] = np.asarray(p2)

    # 3. A small CNN (conv, batch norm, pooling, flatten).
    img = rng.random((3, 8, 8, 1)).astype("float32")
    cnn = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(3),
        ],
        name="cnn",
    )
    cnn.save(OUT / "cnn.keras")
    expected["cnn_x"] = img
    expected["cnn_pred"] = np.asarray(cnn.predict(img, verbose=0))

    # 4. A Lambda layer holding Python bytecode (refused in safe mode).
    lam = keras.Sequential([keras.Input((2,)), layers.Lambda(lambda t: t * 2.0)], name="lam")
    lam.save(OUT / "lambda.keras")

    # 5. A legacy HDF5 model file.
    legacy = keras.Sequential([keras.Input((4,)), layers.Dense(2)], name="legacy")
    legacy.save(OUT / "legacy.h5")
    expected["legacy_pred"] = np.asarray(legacy.predict(x, verbose=0))

    np.savez(OUT / "expected.npz", **expected)
    for p in sorted(OUT.iterdir()):
        print(f"{p.name:28s} {os.path.getsize(p):8d} bytes")


if __name__ == "__main__":
    main()

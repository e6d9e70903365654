"""Train a small convolutional network on the shipped digits, as 8x8x1 images.

A functional-API CNN written exactly as Keras 3 code (`import kerasx as keras`); the same
script runs on every engine:

    python examples/cnn_digits.py                      # NumPy engine (default)
    KERASX_BACKEND=jax python examples/cnn_digits.py   # JAX engine (jit-compiled step)
"""

from __future__ import annotations

import argparse
import time

import kerasx as keras
from kerasx.datasets import digits


def build_model(dropout: float = 0.3) -> keras.Model:
    """8x8x1 image -> Conv(32) -> MaxPool -> Conv(64) -> Flatten -> Dropout -> Dense(10)."""
    inputs = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Conv2D(32, (3, 3), activation="relu", padding="same")(inputs)
    x = keras.layers.MaxPooling2D((2, 2), strides=(2, 2))(x)
    x = keras.layers.Conv2D(64, (3, 3), activation="relu")(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="digits_cnn")


def main(argv: list[str] | None = None) -> dict:
    """Train, evaluate on the held-out test set, and return the test loss and accuracy."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(-1, 8, 8, 1).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 8, 8, 1).astype("float32") / 16.0

    model = build_model()
    steps = args.epochs * -(-len(y_train) // args.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, decay_steps=steps)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    if args.verbose:
        model.summary()
    print(f"engine: {keras.config.backend()}  train: {len(y_train)}  test: {len(y_test)}")
    start = time.perf_counter()
    model.fit(
        x_train,
        y_train,
        batch_size=args.batch_size,
        epochs=args.epochs,
        verbose=args.verbose,
    )
    elapsed = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}  test accuracy {accuracy:.4f}  (training took {elapsed:.1f}s)")
    return {"loss": loss, "accuracy": accuracy}


if __name__ == "__main__":
    main()

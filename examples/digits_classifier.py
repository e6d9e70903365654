"""Train an MLP on the shipped handwritten digits with the Keras API (the README's main job).

Written exactly as Keras 3 code (`import kerasx as keras`); the same script runs on every
engine:

    python examples/digits_classifier.py                      # NumPy engine (default)
    KERASX_BACKEND=jax python examples/digits_classifier.py   # JAX engine (jit-compiled step)
"""

from __future__ import annotations

import argparse
import time

import kerasx as keras
from kerasx.datasets import digits


def build_model(hidden: int = 256, dropout: float = 0.3) -> keras.Model:
    """64 pixels -> Dense(hidden, relu) -> Dropout -> Dense(hidden, relu) -> Dense(10)."""
    return keras.Sequential(
        [
            keras.Input(shape=(64,), name="pixels"),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="digits_mlp",
    )


def main(argv: list[str] | None = None) -> dict:
    """Train, evaluate on the held-out test set, and return the test loss and accuracy."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0

    model = build_model(args.hidden)
    steps = args.epochs * -(-len(y_train) // args.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=steps)
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

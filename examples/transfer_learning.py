"""Transfer learning with saved models: load, freeze the base, add a new head, fine-tune, save.

Step 1 trains a "pretrained" MLP on the digits 0-4 and saves it as a `.keras` file (stand-in
for a model you downloaded). Step 2 loads that file, freezes its feature layers, puts a new
head for the digits 5-9 on top, trains the head, then unfreezes everything and fine-tunes with
a small learning rate. Step 3 saves the new model and checks that the reloaded copy predicts
the same numbers. Written as Keras 3 code (`import kerasx as keras`); runs on every engine:

    python examples/transfer_learning.py
    KERASX_BACKEND=jax python examples/transfer_learning.py
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import kerasx as keras
from kerasx.datasets import digits


def split(x: np.ndarray, y: np.ndarray, low: int, high: int) -> tuple:
    """The samples whose label is in [low, high], labels shifted to start at 0."""
    keep = (y >= low) & (y <= high)
    return x[keep], y[keep] - low


def pretrain(path: str, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
    """Train a small classifier on the digits 0-4 and save it to `path`."""
    model = keras.Sequential(
        [
            keras.Input(shape=(64,), name="pixels"),
            keras.layers.Dense(64, activation="relu", name="features_1"),
            keras.layers.Dense(32, activation="relu", name="features_2"),
            keras.layers.Dense(5, activation="softmax", name="head_0_4"),
        ],
        name="digits_0_4",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    model.save(path)


def main(argv: list[str] | None = None) -> dict:
    """Run the three steps; return the accuracies on the held-out digits 5-9."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pretrain-epochs", type=int, default=15)
    parser.add_argument("--head-epochs", type=int, default=10)
    parser.add_argument("--finetune-epochs", type=int, default=5)
    parser.add_argument("--workdir", default=None, help="where the .keras files go")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
    workdir = args.workdir or tempfile.mkdtemp(prefix="kerasx_transfer_")
    base_path = os.path.join(workdir, "digits_0_4.keras")
    final_path = os.path.join(workdir, "digits_5_9.keras")

    # Step 1: the "pretrained" model, saved to disk.
    pretrain(base_path, *split(x_train, y_train, 0, 4), epochs=args.pretrain_epochs)

    # Step 2: load it, keep its feature layers, freeze them, and add a new head.
    base = keras.models.load_model(base_path)
    features = base.get_layer("features_2").output
    for layer in base.layers:
        layer.trainable = False
    outputs = keras.layers.Dense(5, activation="softmax", name="head_5_9")(features)
    model = keras.Model(base.inputs, outputs, name="digits_5_9")
    frozen = [w.numpy().copy() for w in base.get_layer("features_1").weights]

    x_new, y_new = split(x_train, y_train, 5, 9)
    x_eval, y_eval = split(x_test, y_test, 5, 9)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x_new, y_new, batch_size=32, epochs=args.head_epochs, verbose=0)
    _, head_accuracy = model.evaluate(x_eval, y_eval, verbose=0)
    for before, after in zip(frozen, base.get_layer("features_1").weights):
        np.testing.assert_array_equal(before, after.numpy())  # the base did not move

    # Fine-tune everything with a small learning rate (recompile after changing `trainable`).
    for layer in model.layers:
        layer.trainable = True
    model.compile(
        optimizer=keras.optimizers.Adam(1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x_new, y_new, batch_size=32, epochs=args.finetune_epochs, verbose=0)
    _, tuned_accuracy = model.evaluate(x_eval, y_eval, verbose=0)

    # Step 3: save the new model and check the reloaded copy.
    model.save(final_path)
    reloaded = keras.models.load_model(final_path)
    same = np.allclose(
        reloaded.predict(x_eval, verbose=0), model.predict(x_eval, verbose=0), atol=1e-6
    )
    print(f"engine: {keras.config.backend()}")
    print(f"digits 5-9, new head on the frozen base: accuracy {head_accuracy:.4f}")
    print(f"after fine-tuning the whole model:       accuracy {tuned_accuracy:.4f}")
    print(f"saved to {final_path}; reloaded copy predicts the same: {same}")
    return {
        "head_accuracy": float(head_accuracy),
        "tuned_accuracy": float(tuned_accuracy),
        "reloaded_same": bool(same),
        "path": final_path,
    }


if __name__ == "__main__":
    main()

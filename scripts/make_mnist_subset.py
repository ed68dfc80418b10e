"""Build the balanced MNIST subset shipped in the package (600 train / 100 test images per class).

Usage: python scripts/make_mnist_subset.py [path/to/mnist.npz]
The source is the full MNIST in Keras's mnist.npz layout (../shared/data/mnist.npz).
"""
import sys
from pathlib import Path

import numpy as np

TRAIN_PER_CLASS, TEST_PER_CLASS = 600, 100
OUT = Path(__file__).resolve().parents[1] / "symkeras" / "datasets" / "data" / "mnist_subset.npz"


def balanced(x: np.ndarray, y: np.ndarray, per_class: int, rng: np.random.Generator):
    """`per_class` examples of each digit, drawn without replacement, in shuffled order."""
    picks = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(10)])
    rng.shuffle(picks)
    return x[picks], y[picks]


def main(source: str) -> None:
    rng = np.random.default_rng(20261128)
    with np.load(source) as data:
        x_train, y_train = balanced(data["x_train"], data["y_train"], TRAIN_PER_CLASS, rng)
        x_test, y_test = balanced(data["x_test"], data["y_test"], TEST_PER_CLASS, rng)
    np.savez_compressed(OUT, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"))

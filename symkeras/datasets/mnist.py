"""MNIST digits: the full set from a local ``mnist.npz`` if present, else the subset shipped in the package."""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import List, Optional, Tuple

import numpy as np

SUBSET = Path(__file__).resolve().parent / "data" / "mnist_subset.npz"
EXPECTED = {"x_train": ((28, 28), np.uint8), "y_train": ((), np.uint8), "x_test": ((28, 28), np.uint8), "y_test": ((), np.uint8)}

Arrays = Tuple[Tuple[np.ndarray, np.ndarray], Tuple[np.ndarray, np.ndarray]]


def candidate_paths(path: str = "mnist.npz") -> List[Path]:
    """Where a full local copy is looked for: ``$SYMKERAS_HOME/datasets`` then ``~/.keras/datasets``."""
    roots = []
    if os.environ.get("SYMKERAS_HOME"):
        roots.append(Path(os.environ["SYMKERAS_HOME"]) / "datasets")
    roots.append(Path.home() / ".keras" / "datasets")
    return [root / path for root in roots]


def _read(path: Path) -> Optional[Arrays]:
    """The arrays of a Keras-layout npz, or None (with a warning) if its contents do not fit."""
    with np.load(path) as data:
        for key, (inner, dtype) in EXPECTED.items():
            if key not in data or data[key].shape[1:] != inner or data[key].dtype != dtype:
                warnings.warn(f"mnist: {path} does not hold MNIST in Keras's layout ({key}); using the bundled subset")
                return None
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


def load_data(path: str = "mnist.npz") -> Arrays:
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays of shapes (n, 28, 28) and (n,).

    A local full ``mnist.npz`` is used whatever its hash; otherwise the bundled balanced
    subset (6,000 train / 1,000 test, CC BY-SA 3.0, see data/MNIST_LICENSE.txt).
    """
    for candidate in candidate_paths(path):
        if candidate.is_file():
            arrays = _read(candidate)
            if arrays is not None:
                return arrays
    arrays = _read(SUBSET)
    assert arrays is not None, f"the bundled dataset {SUBSET} is damaged"
    return arrays

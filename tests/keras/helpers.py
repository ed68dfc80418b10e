"""Helpers of the Keras-API tests: evaluate a backend expression on numpy inputs."""
from typing import Callable

import numpy as np

from symkeras import backend as K


def evaluate(fn: Callable, *arrays: np.ndarray) -> np.ndarray:
    """``fn(*placeholders)`` computed by a backend function fed `arrays` (one placeholder of each's shape and dtype)."""
    inputs = [K.placeholder(shape=a.shape, dtype=a.dtype.name) for a in arrays]
    return K.function(inputs, [fn(*inputs)])(list(arrays))[0]


def random_probabilities(rng: np.random.Generator, shape, axis: int = -1) -> np.ndarray:
    """Float32 rows of positive numbers summing to 1 along `axis`."""
    p = rng.uniform(0.05, 1.0, shape)
    return (p / p.sum(axis=axis, keepdims=True)).astype("float32")

"""Helpers for the backend tests: evaluate backend expressions on numpy values."""
import numpy as np

from symkeras import backend as K


def run(fn, *arrays, **kwargs):
    """`fn` applied to placeholders fed with `arrays` (dtype and shape from each array), as numpy."""
    inputs = [K.placeholder(shape=a.shape, dtype=a.dtype.name) for a in map(np.asarray, arrays)]
    out = fn(*inputs, **kwargs)
    outputs = list(out) if isinstance(out, (list, tuple)) else [out]
    results = K.function(inputs, outputs)(list(arrays))
    return results if isinstance(out, (list, tuple)) else results[0]


def randn(*shape, seed=0, dtype="float32"):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)

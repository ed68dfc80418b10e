"""Helpers shared by the Keras-level tests: run symbolic tensors on arrays, substitute a layer's weights."""
from __future__ import annotations

from typing import Any, List, Sequence

import numpy as np

from symkeras import backend as K


def evaluate(inputs: Sequence[Any], outputs: Sequence[Any], arrays: Sequence[np.ndarray],
             learning_phase: int = 0) -> List[np.ndarray]:
    """The values of `outputs` for `arrays` fed to `inputs`; the learning phase is fed when an output uses it."""
    inputs, arrays = list(inputs), list(arrays)
    if any(getattr(y, "_uses_learning_phase", False) for y in outputs):
        inputs.append(K.learning_phase())
        arrays.append(learning_phase)
    return K.function(inputs, list(outputs))(arrays)


def call_with_weights(layer, x, weights: Sequence[Any], **kwargs):
    """``layer.call(x, **kwargs)`` with each weight variable replaced by the matching tensor of `weights`.

    The layer keeps its weights as attributes (``layer.kernel``); they are swapped for the
    call only, so that `verify_grad` can differentiate with respect to them.
    """
    originals = layer.weights
    names = [[name for name, value in vars(layer).items() if value is w] for w in originals]
    try:
        for attributes, w in zip(names, weights):
            for name in attributes:
                setattr(layer, name, w)
        return layer.call(x, **kwargs)
    finally:
        for attributes, w in zip(names, originals):
            for name in attributes:
                setattr(layer, name, w)

"""Helpers shared by the Keras-level tests: run symbolic tensors on arrays, substitute a layer's weights."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, List, Sequence, Tuple

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


@dataclass
class LayerCase:
    """A layer to test on one input shape against a numpy reference."""

    id: str
    make: Callable[..., Any]  # keyword arguments: the base layer kwargs (dtype)
    shape: Tuple[int, ...]  # input shape without the batch axis
    reference: Callable  # (x, weights) -> numpy output
    kinks: Sequence[float] = field(default_factory=list)  # inputs where the layer is not differentiable


def assert_numba_fit_matches_py(build: Callable[[str], Any], x: np.ndarray, y: np.ndarray, batch_size: int,
                                epochs: int = 2, seed: int = 0) -> None:
    """Fits ``build(mode)`` (a compiled model) in the "py" and "numba" modes from one seed; losses, weights and
    predictions must agree."""
    results = []
    for mode in ("py", "numba"):
        K.set_random_seed(seed)
        model = build(mode)
        history = model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.get_weights(), model.predict(x, batch_size=len(x))))
    (py_loss, py_weights, py_pred), (nb_loss, nb_weights, nb_pred) = results
    np.testing.assert_allclose(nb_loss, py_loss, rtol=1e-5)
    for nb, py in zip(nb_weights, py_weights):
        np.testing.assert_allclose(nb, py, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(nb_pred, py_pred, rtol=1e-4, atol=1e-5)


def assert_config_round_trip(layer, x, y, data: np.ndarray, learning_phases: Sequence[int] = (0,),
                             normalize: Callable[[dict], Any] = lambda config: json.loads(json.dumps(config))) -> None:
    """`layer` (called on `x`, giving `y`) survives ``serialize`` → JSON → ``deserialize``: the same class and
    config (as `normalize` sees it: JSON by default), and with the same weights the same output on `data` in each
    learning phase."""
    from symkeras import layers

    config = normalize(layer.get_config())
    clone = layers.deserialize(json.loads(json.dumps(layers.serialize(layer))))
    assert type(clone) is type(layer)
    assert normalize(clone.get_config()) == config
    y_clone = clone(x)
    clone.set_weights(layer.get_weights())
    for phase in learning_phases:
        original, cloned = evaluate([x], [y, y_clone], [data], learning_phase=phase)
        np.testing.assert_allclose(cloned, original, rtol=1e-6)

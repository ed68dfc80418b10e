"""The checks every convolutional, pooling and locally-connected layer case goes through.

A `Case` builds a layer, feeds it a small random input and compares the output with a
numpy reference written in the tests (`tests/ops/cases_conv.py`, `tests/ops/cases_pool.py`);
the checks: output == reference and == compute_output_shape, config round trip through
JSON, and `verify_grad` with respect to the input and every weight in float64.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Callable, Sequence, Tuple

import numpy as np
import pytest

from symkeras import layers
from symkeras.graph import verify_grad
from symkeras.layers import Input
from tests.keras_helpers import call_with_weights, evaluate


@dataclass
class Case:
    id: str
    make: Callable[..., layers.Layer]  # keyword arguments: the base layer kwargs (dtype)
    shape: Tuple[int, ...]  # input shape without the batch axis
    reference: Callable  # (x float64, weights float64) -> numpy output
    grad: bool = True


def data(shape, seed=0, dtype="float32", batch=2) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, size=(batch,) + tuple(shape)).astype(dtype)


def check_output_and_shape(case: Case) -> None:
    layer = case.make()
    x = Input(shape=case.shape)
    y = layer(x)
    value_in = data(case.shape)
    (value,) = evaluate([x], [y], [value_in])
    weights = [w.astype("float64") for w in layer.get_weights()]
    np.testing.assert_allclose(value, case.reference(value_in.astype("float64"), weights), rtol=1e-4, atol=1e-5)
    expected = layer.compute_output_shape((None,) + case.shape)
    assert y._keras_shape == expected == layer.output_shape
    assert value.shape[1:] == expected[1:]


def check_config_round_trip(case: Case) -> None:
    layer = case.make()
    x = Input(shape=case.shape)
    y = layer(x)
    config = layer.get_config()
    clone = layers.deserialize(json.loads(json.dumps(layers.serialize(layer))))
    assert type(clone) is type(layer)
    assert json.loads(json.dumps(clone.get_config())) == json.loads(json.dumps(config))
    y_clone = clone(x)
    clone.set_weights(layer.get_weights())
    original, cloned = evaluate([x], [y, y_clone], [data(case.shape, seed=1)])
    np.testing.assert_allclose(cloned, original, rtol=1e-6)


def check_gradient(case: Case) -> None:
    layer = case.make(dtype="float64")
    layer(Input(shape=case.shape, dtype="float64"))
    weights = [w.astype("float64") for w in layer.get_weights()]
    verify_grad(lambda x, *ws: call_with_weights(layer, x, ws), [data(case.shape, seed=2, dtype="float64")] + weights)


def layer_tests(cases: Sequence[Case]) -> Tuple[Callable, Callable, Callable]:
    """The three checks parametrized over `cases`, as test functions for a test module to bind to ``test_*`` names."""
    parametrize = pytest.mark.parametrize("case", list(cases), ids=lambda c: c.id)
    return tuple(parametrize(functools.wraps(check)(lambda case, check=check: check(case)))
                 for check in (check_output_and_shape, check_config_round_trip, check_gradient))

"""Merge layers: values against numpy, output shapes, config round trips, errors, masks."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras import layers
from symkeras.engine.input_layer import Input
from symkeras.graph import function

rng = np.random.default_rng(0)


def _apply(layer, arrays, shapes):
    inputs = [Input(shape=s) for s in shapes]
    out = layer(inputs)
    value = function(inputs, out, mode="py")(*arrays)
    assert tuple(d for d in K.int_shape(out)[1:]) == value.shape[1:]
    assert layer.compute_output_shape([K.int_shape(i) for i in inputs]) == K.int_shape(out)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config()["name"] == layer.get_config()["name"]
    return value


@pytest.mark.parametrize("cls, ref", [
    (layers.Add, lambda a, b: a + b), (layers.Subtract, lambda a, b: a - b), (layers.Multiply, lambda a, b: a * b),
    (layers.Average, lambda a, b: (a + b) / 2), (layers.Maximum, np.maximum), (layers.Minimum, np.minimum),
])
def test_elementwise_merges(cls, ref):
    a, b = rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(_apply(cls(), [a, b], [(3, 4), (3, 4)]), ref(a, b), rtol=1e-6)


def test_add_broadcasts_a_lower_rank_input_after_the_batch_axis():
    a, b = rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(_apply(layers.Add(), [a, b], [(3, 4), (4,)]), a + b[:, None, :], rtol=1e-6)


def test_concatenate_and_dot():
    a, b = rng.normal(size=(2, 3)).astype("float32"), rng.normal(size=(2, 5)).astype("float32")
    np.testing.assert_allclose(_apply(layers.Concatenate(), [a, b], [(3,), (5,)]), np.concatenate([a, b], -1))
    c = rng.normal(size=(2, 3)).astype("float32")
    got = _apply(layers.Dot(axes=1), [a, c], [(3,), (3,)])
    np.testing.assert_allclose(got, (a * c).sum(1, keepdims=True), rtol=1e-5)
    cos = _apply(layers.Dot(axes=1, normalize=True), [a, c], [(3,), (3,)])
    want = (a * c).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(c, axis=1)
    np.testing.assert_allclose(cos[:, 0], want, rtol=1e-5)


def test_functional_forms_and_errors():
    x, y = Input(shape=(3,)), Input(shape=(4,))
    assert K.int_shape(layers.concatenate([x, y])) == (None, 7)
    with pytest.raises(ValueError, match="Operands could not be broadcast"):
        layers.add([x, y])
    with pytest.raises(ValueError, match="at least 2 inputs"):
        layers.Add()([x])
    with pytest.raises(ValueError, match="matching shapes except for the concat axis"):
        layers.concatenate([Input(shape=(3, 2)), Input(shape=(4, 5))], axis=-1)

"""Embedding: lookups against numpy indexing, the mask of ``mask_zero``, shapes, the gradient, config."""
import numpy as np
import pytest

from symkeras import layers
from symkeras.graph import verify_grad
from symkeras.layers import Embedding, Input
from symkeras.models import Sequential
from tests.keras_helpers import evaluate

rng = np.random.default_rng(3)
IDS = np.array([[1, 4, 0, 2], [0, 0, 3, 5]])


def test_lookup_equals_numpy_indexing_and_float_indices_are_cast():
    model = Sequential([Embedding(6, 3, input_length=4)])
    table = model.layers[0].get_weights()[0]
    assert table.shape == (6, 3) and np.abs(table).max() <= 0.05  # 'uniform' initializer: U(-0.05, 0.05)
    np.testing.assert_array_equal(model.predict(IDS.astype("float32")), table[IDS])
    assert model.output_shape == (None, 4, 3)


def test_mask_zero_marks_padding():
    layer = Embedding(6, 3, mask_zero=True)
    x = Input((None,), dtype="int32")
    layer(x)
    mask, = evaluate([x], [layer.compute_mask(x)], [IDS])
    np.testing.assert_array_equal(mask, IDS != 0)
    assert Embedding(6, 3).compute_mask(x) is None


def test_output_shapes():
    assert Embedding(6, 3).compute_output_shape((None, 7)) == (None, 7, 3)
    assert Embedding(6, 3, input_length=(2, None)).compute_output_shape((None, 2, 5)) == (None, 2, 5, 3)
    with pytest.raises(ValueError, match=r'Layer embedding_\d+: "input_length" is 4, but the received input has '
                                         r"shape \(None, 5\)"):
        Embedding(6, 3, input_length=4).compute_output_shape((None, 5))


def test_gradient_reaches_the_rows_looked_up():
    layer = Embedding(6, 3, dtype="float64")
    layer(Input((4,), dtype="int32"))

    def fn(ids, table):
        layer.embeddings, original = table, layer.embeddings
        try:
            return layer.call(ids) ** 2
        finally:
            layer.embeddings = original

    verify_grad(fn, [IDS.astype("int32"), rng.uniform(-1, 1, (6, 3))])


def test_config_round_trip():
    layer = Embedding(6, 3, mask_zero=True, input_length=4, embeddings_regularizer="l2")
    config = layers.serialize(layer)
    assert layers.serialize(layers.deserialize(config))["config"] == config["config"]
    assert config["config"]["batch_input_shape"] == (None, 4) and config["config"]["mask_zero"] is True

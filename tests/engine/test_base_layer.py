"""The base Layer: naming, InputSpec checks, weights, losses and updates, nodes and their accessors."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras.engine import InputSpec, Layer
from symkeras.layers import Dense, Input, InputLayer
from tests.keras_helpers import evaluate


class Scale(Layer):
    """A custom layer as users write them: one trainable and one frozen weight, an update."""

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones",
                                     regularizer="l2", constraint="non_neg")
        self.count = self.add_weight(name="count", shape=(), initializer="zeros", trainable=False)
        super().build(input_shape)

    def call(self, inputs):
        self.add_update([(self.count, self.count + 1)], inputs)
        return inputs * self.scale


@pytest.fixture(autouse=True)
def fresh_names():
    K.reset_uids()


def test_default_names_are_snake_case_with_a_per_class_counter():
    assert [Dense(1).name, Dense(1).name, Scale().name, InputLayer(input_shape=(2,)).name] == [
        "dense_1", "dense_2", "scale_1", "input_1"]
    K.reset_uids()
    assert Dense(1).name == "dense_1"


def test_unknown_keyword_argument_is_a_type_error():
    with pytest.raises(TypeError, match="Keyword argument not understood: 'unitz'"):
        Layer(unitz=3)


def test_input_spec_error_names_the_layer():
    with pytest.raises(ValueError, match="Input 0 is incompatible with layer dense_1: expected min_ndim=2, found ndim=1"):
        Dense(3)(Input(batch_shape=(5,)))


def test_input_spec_checks_the_built_axis():
    layer = Dense(3)
    layer(Input(shape=(4,)))
    with pytest.raises(ValueError, match="layer dense_1: expected axis -1 of input shape to have value 4 but got "
                                         r"shape \(None, 5\)"):
        layer(Input(shape=(5,)))


@pytest.mark.parametrize("spec, shape, message", [
    (InputSpec(ndim=3), (None, 2), "expected ndim=3, found ndim=2"),
    (InputSpec(max_ndim=2), (None, 2, 2), "expected max_ndim=2, found ndim=3"),
    (InputSpec(dtype="int32"), (None, 2), "expected dtype=int32, found dtype=float32"),
    (InputSpec(shape=(None, 3)), (None, 2), r"expected shape=\(None, 3\), found shape=\(None, 2\)"),
])
def test_input_spec_fields(spec, shape, message):
    layer = Layer(name="checked")
    layer.input_spec = spec
    with pytest.raises(ValueError, match=f"Input 0 is incompatible with layer checked: {message}"):
        layer(Input(batch_shape=shape))


def test_input_spec_counts_inputs():
    layer = Layer(name="pair")
    layer.input_spec = [InputSpec(ndim=2), InputSpec(ndim=2)]
    with pytest.raises(ValueError, match="Layer pair expects 2 inputs, but it received 1 input tensors"):
        layer(Input(shape=(2,)))


def test_calling_on_a_non_tensor_is_an_error():
    with pytest.raises(ValueError, match="Layer dense_1 was called with an input that isn't a symbolic tensor"):
        Dense(2)(np.ones((2, 2)))


def test_weights_trainable_and_frozen():
    layer = Scale()
    x = Input(shape=(3,))
    layer(x)
    assert layer.trainable_weights == [layer.scale]
    assert layer.non_trainable_weights == [layer.count]
    assert layer.weights == [layer.scale, layer.count]
    assert layer.scale.name == "scale_1/scale" and layer.scale.constraint is not None
    layer.trainable = False
    assert layer.trainable_weights == []
    assert layer.non_trainable_weights == [layer.scale, layer.count]
    assert layer.updates == []
    assert layer.count_params() == 4


def test_get_and_set_weights():
    layer = Dense(2)
    layer(Input(shape=(3,)))
    kernel = np.arange(6, dtype="float32").reshape(3, 2)
    layer.set_weights([kernel, np.ones(2, "float32")])
    np.testing.assert_array_equal(layer.get_weights()[0], kernel)
    with pytest.raises(ValueError, match=r'Weight dense_1/kernel of layer "dense_1" has shape \(3, 2\), which is not '
                                         r"compatible with the provided weight shape \(2, 3\)"):
        layer.set_weights([kernel.T, np.ones(2)])
    with pytest.raises(ValueError, match='on layer "dense_1" with a weight list of length 1, but it was expecting 2'):
        layer.set_weights([kernel])


def test_initial_weights_argument():
    kernel = np.full((2, 1), 3.0, "float32")
    layer = Dense(1, weights=[kernel, np.zeros(1, "float32")])
    layer(Input(shape=(2,)))
    np.testing.assert_array_equal(layer.get_weights()[0], kernel)


def test_count_params_before_build_is_an_error():
    with pytest.raises(RuntimeError, match="call `count_params` on dense_1, but the layer isn't built"):
        Dense(2).count_params()


def test_losses_and_updates_by_input():
    layer = Scale()
    a, b = Input(shape=(2,)), Input(shape=(2,))
    layer(a)
    layer(b)
    assert len(layer.get_losses_for(None)) == 1  # the l2 penalty of the weight
    assert len(layer.get_updates_for(a)) == len(layer.get_updates_for(b)) == 1
    assert layer.get_updates_for(a) != layer.get_updates_for(b)
    assert len(layer.updates) == 2


def test_history_shape_and_learning_phase_of_outputs():
    x = Input(shape=(3,))
    layer = Dense(2)
    y = layer(x)
    assert y._keras_history == (layer, 0, 0)
    assert y._keras_shape == (None, 2)
    assert y._uses_learning_phase is False
    node = layer._inbound_nodes[0]
    assert node.inbound_layers == [x._keras_history[0]] and node.node_indices == [0] and node.tensor_indices == [0]
    assert node.get_config() == {"outbound_layer": "dense_1", "inbound_layers": ["input_1"], "node_indices": [0],
                                 "tensor_indices": [0]}


def test_identity_output_gets_its_own_tensor():
    x = Input(shape=(3,))
    y = Layer()(x)
    assert y is not x and x._keras_history[0].name == "input_1"


def test_node_accessors_for_a_shared_layer():
    layer = Dense(2)
    a, b = Input(shape=(3,)), Input(shape=(3,))
    layer(a)
    yb = layer(b)
    assert layer.get_input_at(0) is a and layer.get_input_at(1) is b
    assert layer.get_output_at(1) is yb
    assert layer.get_input_shape_at(1) == (None, 3) and layer.get_output_shape_at(0) == (None, 2)
    assert layer.get_output_mask_at(0) is None
    assert layer.output_shape == (None, 2)  # the same for both calls
    with pytest.raises(AttributeError, match="Layer dense_1 has multiple inbound nodes"):
        layer.output
    with pytest.raises(ValueError, match="Asked to get input at node 2, but the layer dense_1 has only 2"):
        layer.get_input_at(2)


def test_accessors_of_a_layer_never_called():
    layer = Dense(2)
    with pytest.raises(AttributeError, match="Layer dense_1 is not connected"):
        layer.input
    with pytest.raises(AttributeError, match="has never been called"):
        layer.output_shape


def test_config_has_the_base_keys():
    assert Dense(2, input_shape=(3,), name="d").get_config()["batch_input_shape"] == (None, 3)
    config = Dense(2, name="d").get_config()
    assert {"name", "trainable"} <= set(config) and "batch_input_shape" not in config and "dtype" not in config
    assert Layer(batch_input_shape=(4, 3), dtype="float64").get_config()["dtype"] == "float64"


def test_input_layer_and_input():
    x = Input(shape=(3,), name="features", dtype="float64")
    layer = x._keras_history[0]
    assert isinstance(layer, InputLayer) and layer.is_placeholder
    assert x._keras_shape == (None, 3) and K.dtype(x) == "float64"
    assert layer.get_config() == {"batch_input_shape": (None, 3), "dtype": "float64", "sparse": False,
                                  "name": "features"}
    wrapped = Input(tensor=K.placeholder(shape=(2, 5)))
    assert wrapped._keras_shape == (2, 5) and not wrapped._keras_history[0].is_placeholder
    with pytest.raises(ValueError, match="either a `shape` or a `batch_shape`"):
        Input()
    with pytest.raises(ValueError, match="Only provide the input_shape OR batch_input_shape"):
        InputLayer(input_shape=(2,), batch_input_shape=(None, 2))


def test_custom_layer_values_and_update():
    x = Input(shape=(2,))
    layer = Scale()
    y = layer(x)
    (update,) = layer.get_updates_for(x)
    f = K.function([x], [y], updates=[update])
    np.testing.assert_array_equal(f([np.array([[1.0, 2.0]])])[0], [[1.0, 2.0]])
    f([np.zeros((1, 2))])
    assert K.get_value(layer.count) == 2.0
    np.testing.assert_array_equal(evaluate([x], [y], [np.ones((1, 2))])[0], [[1.0, 1.0]])

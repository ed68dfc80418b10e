"""The functional API: graphs of layers, shared layers, nested models, configs, summaries."""
import json

import numpy as np
import pytest

from symkeras import backend as K
from symkeras.engine import Network, get_source_inputs
from symkeras.layers import Dense, Dropout, Input, Lambda, Layer, Masking
from symkeras.models import Model, Sequential, model_from_config, model_from_json, model_from_yaml
from tests.keras_helpers import evaluate


def concat(tensors):
    return K.concatenate(tensors, axis=-1)


@pytest.fixture(autouse=True)
def fresh_names():
    K.reset_uids()


def two_tower_model():
    """Two inputs through one shared Dense, merged, then two outputs: the functional API's classic."""
    left, right = Input(shape=(4,), name="left"), Input(shape=(4,), name="right")
    shared = Dense(3, activation="tanh", name="shared")
    merged = Lambda(concat, name="merge")([shared(left), shared(right)])
    out_a = Dense(2, name="out_a")(merged)
    out_b = Dense(1, activation="sigmoid", name="out_b")(Dropout(0.5, name="drop")(merged))
    return Model(inputs=[left, right], outputs=[out_a, out_b], name="towers")


def numpy_two_tower(model, left, right):
    shared_k, shared_b, a_k, a_b, b_k, b_b = model.get_weights()
    merged = np.concatenate([np.tanh(left @ shared_k + shared_b), np.tanh(right @ shared_k + shared_b)], axis=-1)
    return merged @ a_k + a_b, 1 / (1 + np.exp(-(merged @ b_k + b_b)))


def test_multi_input_multi_output_with_a_shared_layer():
    model = two_tower_model()
    assert [layer.name for layer in model.layers] == ["left", "right", "shared", "merge", "drop", "out_a", "out_b"]
    assert model.input_names == ["left", "right"] and model.output_names == ["out_a", "out_b"]
    assert model._feed_input_names == ["left", "right"] and model._feed_input_shapes == [(None, 4), (None, 4)]
    assert [layer.name for layer in model._output_layers] == ["out_a", "out_b"]
    assert len(model.trainable_weights) == 6 and model.count_params() == 15 + 14 + 7
    assert model.uses_learning_phase
    assert model.output_shape == [(None, 2), (None, 1)]
    assert model.compute_output_shape([(None, 4), (None, 4)]) == [(None, 2), (None, 1)]
    rng = np.random.default_rng(0)
    left, right = rng.normal(size=(5, 4)).astype("float32"), rng.normal(size=(5, 4)).astype("float32")
    values = evaluate(model.inputs, model.outputs, [left, right])
    for value, expected in zip(values, numpy_two_tower(model, left, right)):
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)


def test_model_called_on_new_inputs_reuses_weights():
    model = two_tower_model()
    a, b = Input(shape=(4,)), Input(shape=(4,))
    out_a, out_b = model([a, b])
    assert out_a._keras_shape == (None, 2) and out_b._keras_shape == (None, 1)
    assert out_b._uses_learning_phase
    assert model([a, b])[0] is out_a  # the graph is replayed once per set of inputs
    data = [np.ones((2, 4), "float32"), np.zeros((2, 4), "float32")]
    np.testing.assert_allclose(evaluate([a, b], [out_a], data)[0], evaluate(model.inputs, model.outputs[:1], data)[0])


def test_nested_model_in_a_bigger_model():
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, Dense(2, activation="relu", name="inner_dense")(inner_in), name="inner")
    x = Input(shape=(3,), name="x")
    y = Dense(1, name="head")(inner(x))
    outer = Model(x, y, name="outer")
    assert [layer.name for layer in outer.layers] == ["x", "inner", "head"]
    assert outer.get_layer("inner") is inner and len(outer.trainable_weights) == 4
    data = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    k1, b1, k2, b2 = outer.get_weights()
    np.testing.assert_allclose(evaluate([x], [y], [data])[0], np.maximum(data @ k1 + b1, 0) @ k2 + b2, rtol=1e-5)
    inner.trainable = False
    assert len(outer.trainable_weights) == 2 and len(outer.non_trainable_weights) == 2


def test_get_layer_by_name_and_index():
    model = two_tower_model()
    assert model.get_layer("out_b").name == "out_b"
    assert model.get_layer(index=2).name == "shared"
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="Was asked to retrieve layer at index 9 but model only has 7 layers"):
        model.get_layer(index=9)
    with pytest.raises(ValueError, match="Provide either a layer name or layer index"):
        model.get_layer()


def test_weights_in_layer_order_and_set_weights_checks():
    model = two_tower_model()
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(4, 3), (3,), (6, 2), (2,), (6, 1), (1,)]
    model.set_weights([np.ones_like(w) for w in weights])
    assert all((w == 1).all() for w in model.get_weights())
    with pytest.raises(ValueError, match='Weight shared/kernel of model "towers" has shape'):
        model.set_weights([np.ones((3, 4))] + weights[1:])


def test_graph_errors():
    x, unused = Input(shape=(2,)), Input(shape=(2,))
    y = Lambda(concat)([Dense(2)(x), unused])
    with pytest.raises(ValueError, match="Graph disconnected: cannot obtain value for tensor"):
        Model(x, y)
    with pytest.raises(ValueError, match="The list of inputs passed to the model is redundant"):
        Model([x, x], Dense(1)(x))
    with pytest.raises(ValueError, match="Input tensors to a Model must come from `keras.layers.Input`"):
        Model(K.placeholder(shape=(None, 2)), Dense(1)(x))
    z = Dense(1, name="twin")(Dense(1, name="twin")(x))
    with pytest.raises(ValueError, match='The name "twin" is used 2 times in the model'):
        Model(x, z)


def test_keras1_keywords_are_accepted_with_a_warning():
    x = Input(shape=(2,))
    with pytest.warns(UserWarning) as record:
        model = Model(input=x, output=Dense(1)(x))
    messages = " ".join(str(w.message) for w in record)
    assert "use `inputs=` instead of `input=`" in messages and "use `outputs=` instead of `output=`" in messages
    assert model.inputs == [x]


def test_config_layout_and_round_trip_with_shared_and_nested_layers():
    inner_in = Input(shape=(4,))
    inner = Model(inner_in, Dense(3, name="inner_dense")(inner_in), name="inner")
    left, right = Input(shape=(4,), name="left"), Input(shape=(4,), name="right")
    out = Dense(1, name="out")(Lambda(concat, name="merge")([inner(left), inner(right)]))
    model = Model([left, right], out, name="siamese")
    config = model.get_config()
    assert config["input_layers"] == [["left", 0, 0], ["right", 0, 0]]
    assert config["output_layers"] == [["out", 0, 0]]
    by_name = {layer["name"]: layer for layer in config["layers"]}
    assert by_name["left"]["inbound_nodes"] == [] and by_name["left"]["class_name"] == "InputLayer"
    assert by_name["inner"]["class_name"] == "Model"
    assert by_name["inner"]["inbound_nodes"] == [[["left", 0, 0, {}]], [["right", 0, 0, {}]]]
    assert by_name["merge"]["inbound_nodes"] == [[["inner", 1, 0, {}], ["inner", 2, 0, {}]]]

    clone = model_from_json(model.to_json())
    assert json.loads(clone.to_json())["config"] == json.loads(model.to_json())["config"]
    clone.set_weights(model.get_weights())
    data = [np.ones((2, 4), "float32"), np.arange(8, dtype="float32").reshape(2, 4)]
    np.testing.assert_allclose(evaluate(clone.inputs, clone.outputs, data)[0],
                               evaluate(model.inputs, model.outputs, data)[0], rtol=1e-6)
    assert json.loads(model.to_json())["keras_version"] == "2.2.4"
    assert model_from_yaml(model.to_yaml()).get_config() == clone.get_config()


def test_call_keyword_arguments_are_saved_and_replayed():
    x = Input(shape=(50,))
    y = Dropout(0.5, name="always")(x, training=True)
    model = Model(x, y)
    assert model.get_config()["layers"][1]["inbound_nodes"] == [[["input_1", 0, 0, {"training": True}]]]
    clone = model_from_config({"class_name": "Model", "config": model.get_config()})
    (value,) = evaluate(clone.inputs, clone.outputs, [np.ones((2, 50), "float32")])
    assert (value == 0).any()
    with pytest.raises(TypeError, match="expects a dictionary, not a list"):
        model_from_config([])


def test_masks_flow_through_a_nested_model():
    x = Input(shape=(3, 2))
    inner = Model(x, Masking(0.0)(x))
    outer_in = Input(shape=(3, 2))
    out = inner(outer_in)
    mask = out._keras_history[0].get_output_mask_at(1)
    (value,) = evaluate([outer_in], [mask], [np.array([[[1, 0], [0, 0], [0, 2]]], "float32")])
    np.testing.assert_array_equal(value, [[True, False, True]])


def test_losses_and_updates_collected_for_the_network():
    class Counter(Layer):
        def build(self, input_shape):
            self.count = self.add_weight("count", (), initializer="zeros", trainable=False)
            super().build(input_shape)

        def call(self, inputs):
            self.add_update([(self.count, self.count + 1)], inputs)
            return inputs

    x = Input(shape=(2,))
    counter = Counter()
    y = Dense(1, kernel_regularizer="l2", activity_regularizer="l1")(counter(x))
    counter(Input(shape=(2,)))  # a call outside the model: its update is not the model's
    model = Model(x, y)
    assert len(model.updates) == 1 and len(model.losses) == 2
    assert model.state_updates == [] and not model.stateful
    nested_in = Input(shape=(2,))
    outer = Model(nested_in, model(nested_in))
    assert len(outer.updates) == 1 and len(outer.losses) == 2


def test_get_source_inputs():
    model = two_tower_model()
    assert get_source_inputs(model.outputs[1]) == model.inputs


def test_subclassed_network_tracks_its_layers():
    class TwoLayers(Network):
        def __init__(self):
            super().__init__(name="two")
            self.first = Dense(2)
            self.second = Dense(1)

        def call(self, inputs):
            return self.second(self.first(inputs))

    net = TwoLayers()
    y = net(Input(shape=(3,)))
    assert net.layers == [net.first, net.second] and len(net.trainable_weights) == 4
    assert y._keras_shape == (None, 1)


MLP_SUMMARY = """\
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
input_1 (InputLayer)         (None, 784)               0         
_________________________________________________________________
dense_1 (Dense)              (None, 512)               401920    
_________________________________________________________________
dropout_1 (Dropout)          (None, 512)               0         
_________________________________________________________________
dense_2 (Dense)              (None, 10)                5130      
=================================================================
Total params: 407,050
Trainable params: 407,050
Non-trainable params: 0
_________________________________________________________________
"""


def summary_text(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines) + "\n"


def test_summary_of_a_functional_mlp_is_keras_table():
    x = Input(shape=(784,))
    h = Dense(512, activation="relu")(x)
    y = Dense(10, activation="softmax")(Dropout(0.2)(h))
    assert summary_text(Model(x, y)) == MLP_SUMMARY


def test_summary_of_a_sequential_mlp():
    model = Sequential([Dense(512, activation="relu", input_shape=(784,)), Dropout(0.2), Dense(10)])
    lines = summary_text(model).splitlines()
    assert lines[3] == "dense_1 (Dense)              (None, 512)               401920    "
    assert lines[-4:-1] == ["Total params: 407,050", "Trainable params: 407,050", "Non-trainable params: 0"]


def test_summary_with_connections_and_frozen_weights():
    model = two_tower_model()
    model.get_layer("out_b").trainable = False
    lines = summary_text(model).splitlines()
    assert lines[1] == ("Layer (type)                    Output Shape         Param #     Connected to"
                        + " " * 21)
    assert len(lines[0]) == 98
    shared_rows = [i for i, line in enumerate(lines) if line.startswith("shared (Dense)")]
    assert lines[shared_rows[0]].rstrip().endswith("left[0][0]")
    assert lines[shared_rows[0] + 1].rstrip().endswith("right[0][0]")
    assert lines[shared_rows[0]][32:53].rstrip() == "(None, 3)"  # one shape for both calls
    assert lines[-4:-1] == ["Total params: 36", "Trainable params: 29", "Non-trainable params: 7"]


def test_summary_line_length_and_positions():
    x = Input(shape=(3,))
    lines = summary_text(Model(x, Dense(2)(x)), line_length=40, positions=[15, 30, 40]).splitlines()
    assert lines[0] == "_" * 40
    assert lines[1] == "Layer (type)   Output Shape   Param #   "
    assert lines[5] == "dense_1 (Dense (None, 2)      8         "

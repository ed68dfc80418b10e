"""`clone_model`: the same architecture with new layers and fresh weights, shared layers shared again."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras.layers import Dense, Dropout, Input, concatenate
from symkeras.models import Model, Sequential, clone_model


@pytest.fixture(autouse=True)
def fresh_names():
    K.reset_uids()


def assert_fresh_copy(clone, model, inputs):
    """New layers and new weight values of the same shapes; with the model's weights, the same predictions."""
    assert clone is not model and clone.get_config() == model.get_config()
    assert not {id(w) for w in clone.weights} & {id(w) for w in model.weights}
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    assert any(not np.array_equal(a, b) for a, b in zip(clone.get_weights(), model.get_weights()))
    clone.set_weights(model.get_weights())
    expected, actual = model.predict(inputs), clone.predict(inputs)
    for e, a in zip(expected if isinstance(expected, list) else [expected],
                    actual if isinstance(actual, list) else [actual]):
        np.testing.assert_array_equal(a, e)


def test_clone_sequential_model():
    K.set_random_seed(1)
    model = Sequential([Dense(4, activation="relu", input_shape=(3,)), Dropout(0.5), Dense(2)], name="seq")
    clone = clone_model(model)
    assert isinstance(clone, Sequential) and clone.name == "seq"
    assert [type(layer) for layer in clone.layers] == [Dense, Dropout, Dense]
    assert not set(map(id, clone.layers)) & set(map(id, model.layers))
    assert_fresh_copy(clone, model, np.random.RandomState(0).normal(size=(5, 3)).astype("float32"))


def test_clone_functional_model_shares_what_the_model_shares():
    K.set_random_seed(2)
    left, right = Input(shape=(4,), name="left"), Input(shape=(4,), name="right")
    shared = Dense(3, activation="tanh", name="shared")
    merged = concatenate([shared(left), shared(right)])
    model = Model([left, right], [Dense(2, name="a")(merged), Dense(1, name="b")(merged)], name="towers")

    clone = clone_model(model)
    assert type(clone) is Model and clone.name == "towers"
    assert clone.input_names == ["left", "right"] and clone.output_names == ["a", "b"]
    cloned_shared = clone.get_layer("shared")
    assert cloned_shared is not shared and len(cloned_shared._inbound_nodes) == 2
    assert len(clone.weights) == len(model.weights) == 6
    rng = np.random.RandomState(1)
    assert_fresh_copy(clone, model, [rng.normal(size=(3, 4)).astype("float32") for _ in range(2)])


def test_clone_on_given_input_tensors():
    K.set_random_seed(3)
    inputs = Input(shape=(3,))
    model = Model(inputs, Dense(2)(Dense(4)(inputs)))
    new_input = Input(shape=(3,), name="new_input")
    clone = clone_model(model, input_tensors=new_input)
    assert clone.inputs == [new_input]

    placeholder = K.placeholder(shape=(None, 3))
    wrapped = clone_model(model, input_tensors=[placeholder])
    assert wrapped.inputs[0] is placeholder and wrapped.input_names[0].startswith("input_wrapper_for_")

    sequential = Sequential([Dense(2, input_shape=(3,))])
    seq_clone = clone_model(sequential, input_tensors=Input(shape=(3,), name="given"))
    assert seq_clone.input_names == ["given"]
    with pytest.raises(ValueError, match="at most one tensor"):
        clone_model(sequential, input_tensors=[new_input, new_input])
    with pytest.raises(ValueError, match="has 1 inputs, but clone_model was given 2"):
        clone_model(model, input_tensors=[new_input, Input(shape=(3,))])


def test_clone_model_with_a_nested_model():
    K.set_random_seed(4)
    inner = Sequential([Dense(3, input_shape=(2,))], name="inner")
    inputs = Input(shape=(2,))
    model = Model(inputs, Dense(1)(inner(inputs)))
    clone = clone_model(model)
    assert clone.get_layer("inner") is not inner
    assert_fresh_copy(clone, model, np.ones((2, 2), "float32"))

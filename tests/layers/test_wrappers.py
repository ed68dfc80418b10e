"""TimeDistributed and Bidirectional against numpy references: merge modes, states, initial states, masks."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras import layers
from symkeras.layers import GRU, LSTM, Bidirectional, Dense, Dropout, Input, SimpleRNN, TimeDistributed
from symkeras.models import Model, Sequential
from tests.keras_helpers import evaluate
from tests.layers.rnn_reference import gru_step, lstm_step, run_rnn, simple_rnn_step

B, T, I, U = 2, 4, 3, 2
rng = np.random.default_rng(5)
X = rng.uniform(-1, 1, (B, T, I))
MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], dtype=bool)


def _set_random_weights(layer):
    weights = [rng.uniform(-0.5, 0.5, K.int_shape(w)) for w in layer.weights]
    layer.set_weights(weights)
    return weights


# -- TimeDistributed ----------------------------------------------------------------------------
def test_time_distributed_dense_applies_the_layer_at_every_step():
    model = Sequential([TimeDistributed(Dense(5, activation="tanh", dtype="float64"), input_shape=(T, I),
                                        dtype="float64")])
    kernel, bias = _set_random_weights(model.layers[0])
    assert model.output_shape == (None, T, 5) and len(model.layers[0].trainable_weights) == 2
    np.testing.assert_allclose(model.predict(X), np.tanh(X @ kernel + bias), rtol=1e-10)


def test_time_distributed_keeps_the_mask_and_the_learning_phase():
    x = Input((T, I))
    wrapped = TimeDistributed(Dropout(0.5))
    y = wrapped(x)
    assert y._uses_learning_phase
    mask = K.placeholder((None, T), dtype="bool")
    assert wrapped.compute_mask(x, mask) is mask


def test_time_distributed_needs_a_sequence():
    with pytest.raises(ValueError, match=r"Layer time_distributed_\d+: `TimeDistributed` needs an input of at "
                                         r"least 3 dimensions"):
        TimeDistributed(Dense(2))(Input((3,)))


# -- Bidirectional ---------------------------------------------------------------------------------
MERGES = {
    "concat": lambda a, b: np.concatenate([a, b], axis=-1),
    "sum": lambda a, b: a + b,
    "ave": lambda a, b: (a + b) / 2,
    "mul": lambda a, b: a * b,
}


def _directions(weights, step, n_states, mask=None, x=X, states=None):
    half = len(weights) // 2
    zeros = [np.zeros((B, U))] * n_states
    fwd = run_rnn(step, x, states[:n_states] if states else zeros, weights[:half], mask)
    bwd = run_rnn(step, x, states[n_states:] if states else zeros, weights[half:], mask, go_backwards=True)
    return fwd, bwd


@pytest.mark.parametrize("merge_mode", list(MERGES) + [None])
def test_bidirectional_merge_modes(merge_mode):
    layer = Bidirectional(SimpleRNN(U, return_sequences=True, dtype="float64"), merge_mode=merge_mode)
    x = Input((T, I), dtype="float64")
    m = Input((T,), dtype="bool")
    out = layer(x, mask=m)
    weights = _set_random_weights(layer)
    got = evaluate([x, m], out if isinstance(out, list) else [out], [X, MASK])
    (fwd, _), (bwd, _) = _directions(weights, simple_rnn_step, 1, MASK)
    bwd = bwd[:, ::-1]  # the backward outputs, back in time order
    if merge_mode is None:
        np.testing.assert_allclose(got[0], fwd, rtol=1e-10)
        np.testing.assert_allclose(got[1], bwd, rtol=1e-10)
    else:
        np.testing.assert_allclose(got[0], MERGES[merge_mode](fwd, bwd), rtol=1e-10)
    assert [w.name for w in layer.weights][0].startswith("forward_") or len(layer.weights) == 6


def test_bidirectional_with_states_and_initial_state():
    layer = Bidirectional(LSTM(U, return_state=True, dtype="float64"))
    x = Input((T, I), dtype="float64")
    state_inputs = [Input((U,), dtype="float64") for _ in range(4)]
    out = layer(x, initial_state=state_inputs)
    assert len(out) == 5 and K.int_shape(out[0]) == (None, 2 * U)
    weights = _set_random_weights(layer)
    states0 = [rng.uniform(-1, 1, (B, U)) for _ in range(4)]
    got = Model([x] + state_inputs, out).predict([X] + states0)
    (fwd, f_states), (bwd, b_states) = _directions(weights, lstm_step, 2, states=states0)
    np.testing.assert_allclose(got[0], np.concatenate([fwd[:, -1], bwd[:, -1]], axis=-1), rtol=1e-6)
    for g, w in zip(got[1:], f_states + b_states):
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_bidirectional_weights_argument_and_names():
    inner = GRU(U)
    layer = Bidirectional(inner, weights=None)
    layer(Input((T, I)))
    assert layer.forward_layer.name == "forward_" + inner.name
    assert layer.backward_layer.name == "backward_" + inner.name and layer.backward_layer.go_backwards
    values = [rng.uniform(-1, 1, K.int_shape(w)).astype("float32") for w in layer.weights]
    clone = Bidirectional(GRU(U), weights=values)
    clone(Input((T, I)))
    for got, want in zip(clone.get_weights(), values):
        np.testing.assert_array_equal(got, want)


def test_bidirectional_stateful_resets_both_directions():
    model = Sequential([Bidirectional(GRU(U, stateful=True, dtype="float64"), batch_input_shape=(B, T, I),
                                      dtype="float64")])
    weights = _set_random_weights(model.layers[0])
    model.predict(X, batch_size=B)
    second = model.predict(X, batch_size=B)
    (fwd, f_states), (bwd, b_states) = _directions(weights, gru_step, 1)
    (fwd2, _), (bwd2, _) = _directions(weights, gru_step, 1, states=f_states + b_states)
    np.testing.assert_allclose(second, np.concatenate([fwd2[:, -1], bwd2[:, -1]], axis=-1), rtol=1e-10)
    model.reset_states()
    np.testing.assert_allclose(model.predict(X, batch_size=B), np.concatenate([fwd[:, -1], bwd[:, -1]], axis=-1),
                               rtol=1e-10)


def test_wrapper_configs_round_trip():
    for layer in (Bidirectional(LSTM(U, return_sequences=True), merge_mode="sum"), TimeDistributed(Dense(3))):
        config = layers.serialize(layer)
        assert config["config"]["layer"]["class_name"] in ("LSTM", "Dense")
        assert layers.serialize(layers.deserialize(config))["config"] == config["config"]


def test_bidirectional_rejects_unknown_merge_modes():
    with pytest.raises(ValueError, match=r"Bidirectional wrapper of layer lstm_\d+: Invalid merge mode 'max'"):
        Bidirectional(LSTM(U), merge_mode="max")

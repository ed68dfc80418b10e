"""Recurrent layers against step-by-step numpy references (same weights): outputs, final states, masks,
go_backwards, unroll, stateful batches, initial states, dropout; gradients; errors; configs; training."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras import layers
from symkeras.graph import verify_grad
from symkeras.layers import (
    GRU, LSTM, RNN, CuDNNGRU, CuDNNLSTM, Dense, Embedding, GRUCell, Input, LSTMCell, Masking, SimpleRNN,
    SimpleRNNCell, StackedRNNCells,
)
from symkeras.models import Model, Sequential
from symkeras.optimizers import Adam
from tests.keras_helpers import evaluate
from tests.layers.rnn_reference import (
    cudnn_gru_step, cudnn_lstm_step, gru_step, lstm_step, run_rnn, simple_rnn_step,
)

B, T, I, U = 3, 5, 4, 3
rng = np.random.default_rng(7)
X = rng.uniform(-1, 1, (B, T, I))
MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1], [0, 0, 1, 1, 0]], dtype=bool)

# (id, layer factory, numpy step, number of states)
LAYERS = [
    ("simple_rnn", lambda **kw: SimpleRNN(U, **kw), simple_rnn_step, 1),
    ("gru", lambda **kw: GRU(U, **kw), gru_step, 1),
    ("gru_implementation_2", lambda **kw: GRU(U, implementation=2, **kw), gru_step, 1),
    ("gru_reset_after", lambda **kw: GRU(U, reset_after=True, **kw), lambda *a: gru_step(*a, reset_after=True), 1),
    ("gru_reset_after_2", lambda **kw: GRU(U, reset_after=True, implementation=2, **kw),
     lambda *a: gru_step(*a, reset_after=True), 1),
    ("lstm", lambda **kw: LSTM(U, **kw), lstm_step, 2),
    ("lstm_implementation_2", lambda **kw: LSTM(U, implementation=2, **kw), lstm_step, 2),
    ("cudnn_lstm", lambda **kw: CuDNNLSTM(U, **kw), cudnn_lstm_step, 2),
    ("cudnn_gru", lambda **kw: CuDNNGRU(U, **kw), cudnn_gru_step, 1),
]
OPTIONS = {
    "plain": dict(),
    "go_backwards": dict(go_backwards=True),
    "unroll": dict(unroll=True),
    "unroll_backwards": dict(unroll=True, go_backwards=True),
}


def _random_weights(layer):
    return [rng.uniform(-0.5, 0.5, K.int_shape(w)) for w in layer.weights]


def _run(layer, x, mask=None, **call_kwargs):
    """The layer's outputs on `x` (float64), weights set at random; returns (outputs, weights)."""
    inp = Input(x.shape[1:], dtype="float64")
    mask_in = Input(x.shape[1:2], dtype="bool") if mask is not None else None
    out = layer(inp, mask=mask_in, **call_kwargs) if mask is not None else layer(inp, **call_kwargs)
    weights = _random_weights(layer)
    layer.set_weights(weights)
    feeds = [inp] + ([mask_in] if mask is not None else [])
    arrays = [x] + ([mask] if mask is not None else [])
    return evaluate(feeds, out if isinstance(out, list) else [out], arrays), weights


def _zero_states(n_states):
    return [np.zeros((B, U))] * n_states


@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("name, make, step, n_states", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_numpy_reference(name, make, step, n_states, option, masked):
    if masked and name.startswith("cudnn"):
        pytest.skip("CuDNN layers take no mask, as in Keras")
    layer = make(return_sequences=True, return_state=True, dtype="float64", **OPTIONS[option])
    mask = MASK if masked else None
    (outputs, *states), weights = _run(layer, X, mask)
    want_outputs, want_states = run_rnn(step, X, _zero_states(n_states), weights, mask,
                                        OPTIONS[option].get("go_backwards", False))
    np.testing.assert_allclose(outputs, want_outputs, rtol=1e-10, atol=1e-12)
    assert len(states) == n_states
    for got, want in zip(states, want_states):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, make, step, n_states", LAYERS[:6:5], ids=["simple_rnn", "lstm"])
def test_last_output_without_return_sequences(name, make, step, n_states):
    layer = make(dtype="float64")
    (output,), weights = _run(layer, X, MASK)
    want, _ = run_rnn(step, X, _zero_states(n_states), weights, MASK)
    assert output.shape == (B, U)
    np.testing.assert_allclose(output, want[:, -1], rtol=1e-10)


def test_initial_state_passed_at_call_time():
    h0, c0 = Input((U,), dtype="float64"), Input((U,), dtype="float64")
    x = Input((T, I), dtype="float64")
    layer = LSTM(U, return_state=True, dtype="float64")
    out = layer(x, initial_state=[h0, c0])
    assert len(layer._inbound_nodes[0].input_tensors) == 3, "the states are inputs of the node"
    weights = _random_weights(layer)
    layer.set_weights(weights)
    states0 = [rng.uniform(-1, 1, (B, U)) for _ in range(2)]
    got = Model([x, h0, c0], out).predict([X] + states0)
    want, want_states = run_rnn(lstm_step, X, states0, weights)
    for g, w in zip(got, [want[:, -1]] + want_states):
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_stateful_layer_carries_states_across_batches():
    model = Sequential([GRU(U, stateful=True, return_sequences=True, batch_input_shape=(B, None, I),
                            dtype="float64")])
    layer = model.layers[0]
    weights = _random_weights(layer)
    layer.set_weights(weights)
    first, second = model.predict(X[:, :2], batch_size=B), model.predict(X[:, 2:], batch_size=B)
    want, _ = run_rnn(gru_step, X, _zero_states(1), weights)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), want, rtol=1e-10)
    model.reset_states()
    np.testing.assert_allclose(model.predict(X[:, 2:], batch_size=B),
                               run_rnn(gru_step, X[:, 2:], _zero_states(1), weights)[0], rtol=1e-10)
    values = [rng.uniform(-1, 1, (B, U))]
    layer.reset_states(values)
    np.testing.assert_allclose(K.get_value(layer.states[0]), values[0])


def test_masking_layer_and_embedding_masks_reach_the_rnn():
    x = X.copy()
    x[~MASK] = 0.0
    model = Sequential([Masking(0.0, input_shape=(T, I), dtype="float64"), SimpleRNN(U, dtype="float64")])
    weights = _random_weights(model.layers[1])
    model.layers[1].set_weights(weights)
    want, _ = run_rnn(simple_rnn_step, x, _zero_states(1), weights, MASK)
    np.testing.assert_allclose(model.predict(x), want[:, -1], rtol=1e-10)

    ids = np.where(MASK, rng.integers(1, 7, MASK.shape), 0)
    emb = Sequential([Embedding(7, I, mask_zero=True, input_length=T, dtype="float64"), LSTM(U, dtype="float64")])
    table = emb.layers[0].get_weights()[0]
    lstm_weights = _random_weights(emb.layers[1])
    emb.layers[1].set_weights(lstm_weights)
    want, _ = run_rnn(lstm_step, table[ids], _zero_states(2), lstm_weights, MASK)
    np.testing.assert_allclose(emb.predict(ids), want[:, -1], rtol=1e-10)


class MinimalRNNCell(layers.Layer):
    """The user cell of Keras's RNN docstring: ``h = x W + h_prev U``."""

    def __init__(self, units, **kwargs):
        self.units = units
        self.state_size = units
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        output = K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _linear_step(x, states, kernel, recurrent):
    h = x @ kernel + states[0] @ recurrent
    return h, [h]


def test_rnn_with_a_user_cell_and_stacked_cells():
    layer = RNN([MinimalRNNCell(U, dtype="float64"), LSTMCell(2, dtype="float64")], return_state=True,
                dtype="float64")
    assert layer.cell.state_size == (U, 2, 2)
    (output, *states), weights = _run(layer, X, MASK)
    first, (h1,) = run_rnn(_linear_step, X, _zero_states(1), weights[:2], MASK)
    second, (h2, c2) = run_rnn(lstm_step, first, [np.zeros((B, 2))] * 2, weights[2:], MASK)
    np.testing.assert_allclose(output, second[:, -1], rtol=1e-10)
    for got, want in zip(states, [h1, h2, c2]):
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_dropout_masks_are_fixed_per_sequence_and_vanish_at_test_time():
    layer = SimpleRNN(I, activation=None, use_bias=False, dropout=0.5, return_sequences=True, dtype="float64")
    x = Input((T, I), dtype="float64")
    out = layer(x)
    assert out._uses_learning_phase
    layer.set_weights([np.eye(I), np.zeros((I, I))])
    ones = np.ones((8, T, I))
    train, = evaluate([x], [out], [ones], learning_phase=1)
    test, = evaluate([x], [out], [ones], learning_phase=0)
    np.testing.assert_array_equal(test, ones)
    assert set(np.unique(train)) <= {0.0, 2.0} and 0.0 in train and 2.0 in train
    np.testing.assert_array_equal(train, np.repeat(train[:, :1], T, axis=1))  # one mask for every step


def test_recurrent_dropout_at_test_time_is_the_plain_layer():
    layer = LSTM(U, dropout=0.3, recurrent_dropout=0.4, dtype="float64")
    (output,), weights = _run(layer, X)
    np.testing.assert_allclose(output, run_rnn(lstm_step, X, _zero_states(2), weights)[0][:, -1], rtol=1e-10)


# -- gradients -----------------------------------------------------------------------------------
class _weights_as_inputs:
    """Swap a cell's weight attributes for symbolic tensors during a call (so verify_grad can vary them)."""

    def __init__(self, cell, tensors):
        self.cell, self.tensors = cell, tensors

    def __enter__(self):
        self.saved = {name: getattr(self.cell, name) for name in ("kernel", "recurrent_kernel", "bias")}
        for name, value in zip(("kernel", "recurrent_kernel", "bias"), self.tensors):
            setattr(self.cell, name, value)

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            setattr(self.cell, name, value)


@pytest.mark.parametrize("make", [lambda: LSTM(2, return_sequences=True, dtype="float64"),
                                  lambda: GRU(2, reset_after=True, go_backwards=True, dtype="float64")],
                         ids=["lstm", "gru_reset_after_backwards"])
def test_gradient_through_masked_layer(make):
    layer = make()
    layer(Input((4, 3), dtype="float64"))
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], dtype=bool)

    def fn(x, kernel, recurrent, bias):
        with _weights_as_inputs(layer.cell, [kernel, recurrent, bias]):
            return layer.call(x, mask=K.constant(mask, dtype="bool"))

    verify_grad(fn, [rng.uniform(-1, 1, (2, 4, 3))] + [rng.uniform(-0.5, 0.5, K.int_shape(w)) for w in layer.weights])


# -- errors ----------------------------------------------------------------------------------------
def test_a_sequence_of_the_wrong_rank_is_an_error():
    with pytest.raises(ValueError, match=r"Input 0 is incompatible with layer lstm_\d+: expected ndim=3, found ndim=2"):
        LSTM(U)(Input((I,)))


def test_a_stateful_layer_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match=r"Layer gru_\d+: a stateful RNN needs to know its batch size"):
        GRU(U, stateful=True)(Input((T, I)))


def test_an_initial_state_of_the_wrong_shape_is_an_error():
    with pytest.raises(ValueError, match=r"Layer lstm_\d+: initial_state 1 has shape \(None, 5\), but the layer "
                                         r"expects \(None, 3\) \(batch first\)"):
        LSTM(U)(Input((T, I)), initial_state=[Input((U,)), Input((5,))])
    with pytest.raises(ValueError, match=r"Layer simple_rnn_\d+ has 1 states but was passed 2 initial states"):
        SimpleRNN(U)(Input((T, I)), initial_state=[Input((U,)), Input((U,))])


def test_unroll_needs_a_known_number_of_steps():
    with pytest.raises(ValueError, match=r"Layer simple_rnn_\d+: cannot unroll a RNN if the time dimension"):
        SimpleRNN(U, unroll=True)(Input((None, I)))


# -- configs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", [
    LSTM(U, dropout=0.1, recurrent_activation="sigmoid", return_sequences=True, implementation=2),
    GRU(U, reset_after=True, go_backwards=True), SimpleRNN(U, activation="relu", stateful=False),
    RNN([SimpleRNNCell(2), GRUCell(3)], return_state=True), CuDNNLSTM(U, return_sequences=True), CuDNNGRU(U),
], ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layers.serialize(layer)
    clone = layers.deserialize(config)
    assert type(clone) is type(layer) and layers.serialize(clone)["config"] == config["config"]
    if type(layer) in (LSTM, GRU, SimpleRNN):
        assert "cell" not in config["config"] and config["config"]["units"] == U
    if isinstance(layer.cell, StackedRNNCells):
        assert config["config"]["cell"]["class_name"] == "StackedRNNCells"


def test_lstm_weight_layout_and_forget_bias():
    layer = LSTM(U)
    layer(Input((T, I)))
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (I, 4 * U) and recurrent.shape == (U, 4 * U)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(U), np.ones(U), np.zeros(2 * U)])
    cudnn = CuDNNLSTM(U)
    cudnn(Input((T, I)))
    np.testing.assert_array_equal(cudnn.get_weights()[2], np.r_[np.zeros(5 * U), np.ones(U), np.zeros(2 * U)])


# -- training -------------------------------------------------------------------------------------
def test_embedding_lstm_classifier_learns():
    data = np.random.default_rng(0)
    x = data.integers(1, 20, (64, 6))
    y = (x[:, :3].sum(axis=1) > x[:, 3:].sum(axis=1)).astype("float32")[:, None]
    K.set_random_seed(1)
    model = Sequential([Embedding(20, 8, input_length=6), LSTM(8, dropout=0.2, recurrent_dropout=0.2),
                        Dense(1, activation="sigmoid")])
    model.compile(Adam(lr=0.01), "binary_crossentropy")
    history = model.fit(x, y, batch_size=16, epochs=8, verbose=0)
    assert history.history["loss"][-1] < 0.9 * history.history["loss"][0]


def test_seq2seq_encoder_decoder_with_states_learns():
    """Keras's lstm_seq2seq pattern: the encoder's final states are the decoder's initial states."""
    data = np.random.default_rng(1)
    tokens = 5
    source = np.eye(tokens)[data.integers(0, tokens, (32, 4))].astype("float32")
    target = source[:, ::-1]  # reverse the sequence
    decoder_in = np.concatenate([np.zeros_like(target[:, :1]), target[:, :-1]], axis=1)
    K.set_random_seed(2)
    encoder_inputs = Input((None, tokens))
    _, state_h, state_c = LSTM(16, return_state=True)(encoder_inputs)
    decoder_inputs = Input((None, tokens))
    decoder_seq, _, _ = LSTM(16, return_sequences=True, return_state=True)(decoder_inputs,
                                                                           initial_state=[state_h, state_c])
    outputs = layers.TimeDistributed(Dense(tokens, activation="softmax"))(decoder_seq)
    model = Model([encoder_inputs, decoder_inputs], outputs)
    model.compile(Adam(lr=0.02), "categorical_crossentropy")
    history = model.fit([source, decoder_in], target, batch_size=8, epochs=8, verbose=0)
    assert history.history["loss"][-1] < 0.85 * history.history["loss"][0]

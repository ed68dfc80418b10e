"""ConvLSTM2D against a numpy reference (convolutions written as sums of shifted products): outputs, states,
go_backwards, masks of the input convolution's padding; shapes, config and errors."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras import layers
from symkeras.layers import ConvLSTM2D, Input
from symkeras.models import Sequential
from tests.keras_helpers import evaluate
from tests.layers.rnn_reference import hard_sigmoid, run_rnn

rng = np.random.default_rng(9)
B, T, R, C, CH, F = 2, 3, 5, 4, 2, 3
X = rng.uniform(-1, 1, (B, T, R, C, CH))


def conv2d(x, kernel, padding):
    """Stride-1 cross-correlation of ``(batch, rows, cols, in)`` with ``(kh, kw, in, out)``, TF's padding."""
    kh, kw = kernel.shape[:2]
    if padding == "same":
        x = np.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))
    rows, cols = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    return sum(x[:, a:a + rows, b:b + cols] @ kernel[a, b] for a in range(kh) for b in range(kw))


def conv_lstm_step(padding):
    def step(x, states, kernel, recurrent, bias):
        f = recurrent.shape[2]
        z = [conv2d(x, kernel[..., k * f:(k + 1) * f], padding) + bias[k * f:(k + 1) * f]
             + conv2d(states[0], recurrent[..., k * f:(k + 1) * f], "same") for k in range(4)]
        c = hard_sigmoid(z[1]) * states[1] + hard_sigmoid(z[0]) * np.tanh(z[2])
        h = hard_sigmoid(z[3]) * np.tanh(c)
        return h, [h, c]

    return step


@pytest.mark.parametrize("padding, go_backwards", [("valid", False), ("same", True)])
def test_conv_lstm_matches_numpy(padding, go_backwards):
    layer = ConvLSTM2D(F, (3, 2), padding=padding, return_sequences=True, return_state=True,
                       go_backwards=go_backwards, dtype="float64")
    x = Input(X.shape[1:], dtype="float64")
    out = layer(x)
    weights = [rng.uniform(-0.5, 0.5, K.int_shape(w)) for w in layer.weights]
    layer.set_weights(weights)
    got = evaluate([x], out, [X])
    rows, cols = (R - 2, C - 1) if padding == "valid" else (R, C)
    zeros = [np.zeros((B, rows, cols, F))] * 2
    want, states = run_rnn(conv_lstm_step(padding), X, zeros, weights, go_backwards=go_backwards)
    assert [o._keras_shape for o in out] == [(None, T, rows, cols, F), (None, rows, cols, F), (None, rows, cols, F)]
    for g, w in zip(got, [want] + states):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_weights_config_and_errors():
    model = Sequential([ConvLSTM2D(F, 3, input_shape=(None, R, C, CH))])
    kernel, recurrent, bias = model.layers[0].get_weights()
    assert kernel.shape == (3, 3, CH, 4 * F) and recurrent.shape == (3, 3, F, 4 * F)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(F), np.ones(F), np.zeros(2 * F)])
    assert model.output_shape == (None, R - 2, C - 2, F)
    config = layers.serialize(model.layers[0])
    assert config["config"]["filters"] == F and "cell" not in config["config"]
    assert layers.serialize(layers.deserialize(config))["config"] == config["config"]
    with pytest.raises(ValueError, match="Unrolling isn't possible with convolutional RNNs"):
        ConvLSTM2D(F, 3, unroll=True)
    with pytest.raises(ValueError, match=r"Input 0 is incompatible with layer conv_lst_m2d_\d+: expected ndim=5"):
        ConvLSTM2D(F, 3)(Input((T, R, C)))

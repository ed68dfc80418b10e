"""Numpy references for the recurrent layers: one step per cell, written from Keras 2.2.4's formulas, and
a loop that runs a step over time with masks, go_backwards and initial states as Keras's RNN does."""
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def simple_rnn_step(x, states, kernel, recurrent, bias, activation=np.tanh):
    h = activation(x @ kernel + bias + states[0] @ recurrent)
    return h, [h]


def gru_step(x, states, kernel, recurrent, bias, reset_after=False, recurrent_activation=hard_sigmoid):
    """GRU with gate order z, r, h; `bias` (3u,) or, with `reset_after`, (2, 3u) (input row, recurrent row)."""
    h_prev = states[0]
    u = recurrent.shape[0]
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, np.zeros_like(bias))
    x_proj = x @ kernel + input_bias
    z = recurrent_activation(x_proj[:, :u] + h_prev @ recurrent[:, :u] + recurrent_bias[:u])
    r = recurrent_activation(x_proj[:, u:2 * u] + h_prev @ recurrent[:, u:2 * u] + recurrent_bias[u:2 * u])
    if reset_after:
        hh = np.tanh(x_proj[:, 2 * u:] + r * (h_prev @ recurrent[:, 2 * u:] + recurrent_bias[2 * u:]))
    else:
        hh = np.tanh(x_proj[:, 2 * u:] + (r * h_prev) @ recurrent[:, 2 * u:])
    h = z * h_prev + (1 - z) * hh
    return h, [h]


def lstm_step(x, states, kernel, recurrent, bias, recurrent_activation=hard_sigmoid):
    """LSTM with gate order i, f, c, o; states ``[h, c]``."""
    h_prev, c_prev = states
    u = recurrent.shape[0]
    z = x @ kernel + h_prev @ recurrent + bias
    i, f, o = (recurrent_activation(z[:, k * u:(k + 1) * u]) for k in (0, 1, 3))
    c = f * c_prev + i * np.tanh(z[:, 2 * u:3 * u])
    h = o * np.tanh(c)
    return h, [h, c]


def _cudnn_gate(x, h_prev, kernel, recurrent, bias, g, u, gates):
    """cuDNN's pre-activations of gate g on Keras's CuDNN weights: its kernel block, flattened row by row, is
    cuDNN's ``W (units, input)``; its recurrent block is ``R`` of ``R h``; input and recurrent biases."""
    w = np.ascontiguousarray(kernel[:, g * u:(g + 1) * u]).reshape(u, -1)
    r = recurrent[:, g * u:(g + 1) * u]
    b_w, b_r = bias[g * u:(g + 1) * u], bias[(gates + g) * u:(gates + g + 1) * u]
    return x @ w.T + b_w, h_prev @ r.T + b_r


def cudnn_lstm_step(x, states, kernel, recurrent, bias):
    """cuDNN's LSTM (gates i, f, c, o)."""
    h_prev, c_prev = states
    u = recurrent.shape[0]
    i, f, c_hat, o = (sum(_cudnn_gate(x, h_prev, kernel, recurrent, bias, g, u, 4)) for g in range(4))
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(c_hat)
    h = sigmoid(o) * np.tanh(c)
    return h, [h, c]


def cudnn_gru_step(x, states, kernel, recurrent, bias):
    """cuDNN's GRU (Keras's gate order z, r, h): the reset gate scales the recurrent product and its bias."""
    h_prev = states[0]
    u = recurrent.shape[0]
    (xz, hz), (xr, hr), (xh, hh) = (_cudnn_gate(x, h_prev, kernel, recurrent, bias, g, u, 3) for g in range(3))
    z, r = sigmoid(xz + hz), sigmoid(xr + hr)
    h = z * h_prev + (1 - z) * np.tanh(xh + r * hh)
    return h, [h]


def run_rnn(step: Callable, x: np.ndarray, initial_states: Sequence[np.ndarray], weights: Sequence[np.ndarray],
            mask: Optional[np.ndarray] = None, go_backwards: bool = False) -> Tuple[np.ndarray, List[np.ndarray]]:
    """Every output ``(batch, time, units)`` in the order the steps ran, and the final states.

    A masked step (mask 0) keeps the states and repeats the previous output (zeros first).
    """
    steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    states, outputs, previous = list(initial_states), [], None
    for t in steps:
        output, new_states = step(x[:, t], states, *weights)
        if mask is not None:
            keep = mask[:, t].astype(bool)[:, None]
            previous = np.zeros_like(output) if previous is None else previous
            output = np.where(keep, output, previous)
            new_states = [np.where(keep, new, old) for new, old in zip(new_states, states)]
        states, previous = new_states, output
        outputs.append(output)
    return np.stack(outputs, axis=1), states

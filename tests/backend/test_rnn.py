"""`K.rnn` against numpy loops (states, constants, masks, go_backwards, unroll), its gradients (scan versus
the unrolled graph, finite differences), errors, and the compiled loop of an LSTM model under mode "numba"."""
import re

import numpy as np
import pytest

from symkeras import backend as K
from symkeras.graph import verify_grad
from symkeras.layers import LSTM, Dense, Embedding, Input
from symkeras.models import Model
from symkeras.ops.scan import Scan
from tests.backend.helpers import run
from tests.layers.rnn_reference import run_rnn

B, T, I, U = 2, 4, 3, 2
rng = np.random.default_rng(11)
X = rng.uniform(-1, 1, (B, T, I))
H0 = rng.uniform(-1, 1, (B, U))
W, R, C = rng.uniform(-1, 1, (I, U)), rng.uniform(-1, 1, (U, U)), rng.uniform(-1, 1, (B, U))
MASK = np.array([[1, 0, 1, 1], [1, 1, 0, 0]], dtype=bool)


def _symbolic_step(x_t, states):
    """Two states and a constant: ``h = tanh(x W + h R + k)``, ``s = s + h``; the output is ``2 h``."""
    h, total, k = states
    new_h = K.tanh(K.dot(x_t, K.constant(W, "float64")) + K.dot(h, K.constant(R, "float64")) + k)
    return 2 * new_h, [new_h, total + new_h]


def _numpy_step(x_t, states):
    new_h = np.tanh(x_t @ W + states[0] @ R + C)
    return 2 * new_h, [new_h, states[1] + new_h]


def _rnn(x, h0, k, mask=None, **kwargs):
    last, outputs, states = K.rnn(_symbolic_step, x, [h0, K.zeros_like(h0)], constants=[k], mask=mask, **kwargs)
    return [last, outputs] + states


@pytest.mark.parametrize("unroll", [False, True], ids=["scan", "unrolled"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
def test_rnn_matches_a_numpy_loop(unroll, go_backwards, masked):
    mask = MASK if masked else None
    arrays = [X, H0, C] + ([mask] if masked else [])
    got = run(lambda x, h0, k, *m: _rnn(x, h0, k, *m, go_backwards=go_backwards, unroll=unroll), *arrays)
    outputs, states = run_rnn(_numpy_step, X, [H0, np.zeros_like(H0)], [], mask, go_backwards)
    for g, w in zip(got, [outputs[:, -1], outputs] + states):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_scan_gradient_equals_unrolled_gradient():
    x, h0, k = (K.placeholder(a.shape, dtype="float64") for a in (X, H0, C))
    m = K.placeholder(MASK.shape, dtype="bool")
    u = rng.uniform(0.5, 1.5, (B, T, U))

    def grads(unroll):
        last, outputs, h, total = _rnn(x, h0, k, mask=m, unroll=unroll, go_backwards=True)
        cost = K.sum(outputs * u) + K.sum(total ** 2) + K.sum(last)
        return K.function([x, h0, k, m], K.gradients(cost, [x, h0, k]))([X, H0, C, MASK])

    for g_scan, g_unrolled in zip(grads(False), grads(True)):
        np.testing.assert_allclose(g_scan, g_unrolled, rtol=1e-10, atol=1e-12)


def test_rnn_gradient_matches_finite_differences():
    verify_grad(lambda x, h0, k, m: K.rnn(_symbolic_step, x, [h0, K.zeros_like(h0)], constants=[k], mask=m)[1],
                [X, H0, C, MASK])


def test_input_length_lets_an_unknown_time_axis_unroll():
    got = run(lambda x, h0, k: _rnn(x, h0, k, unroll=True, input_length=T)[1], X, H0, C)
    assert got.shape == (B, T, U)
    x = K.placeholder((B, None, I), dtype="float64")
    with pytest.raises(ValueError, match="K.rnn: unrolling needs a known number of time steps"):
        K.rnn(_symbolic_step, x, [x[:, 0, :U], x[:, 0, :U]], constants=[x[:, 0, :U]], unroll=True)


def test_errors_name_the_backend_function():
    with pytest.raises(ValueError, match=r"K.rnn: inputs must have shape \(samples, time, \.\.\.\) with at least 3 "
                                         r"axes, got \(2, 3\)"):
        K.rnn(_symbolic_step, K.placeholder((2, 3)), [])
    x, h0 = K.placeholder((B, T, I), dtype="float64"), K.placeholder((B, U), dtype="float64")
    with pytest.raises(ValueError, match=r"K.rnn: the mask must have shape \(batch, time\)"):
        K.rnn(lambda x_t, s: (s[0], s), x, [h0], mask=K.placeholder((B,)))
    with pytest.raises(ValueError, match="K.rnn: the step function returned 2 new states for 1 initial states"):
        K.rnn(lambda x_t, s: (s[0], [s[0], s[0]]), x, [h0])


# -- the compiled loop ------------------------------------------------------------------------------
def test_numba_lstm_model_equals_py_and_runs_no_python_per_step(monkeypatch):
    """One compiled training-style function: forward and BPTT of a masked, backwards LSTM on embeddings."""
    ids = Input((T,), dtype="int32")
    embedded = Embedding(7, I, mask_zero=True, dtype="float64")(ids)
    out = Dense(1, dtype="float64")(LSTM(U, go_backwards=True, dtype="float64")(embedded))
    model = Model(ids, out)
    loss = K.sum(out ** 2)
    grads = K.gradients(loss, model.trainable_weights)
    ids_value = np.array([[1, 2, 3, 0], [4, 5, 0, 0]], dtype="int32")
    inputs = [ids]
    want = K.function(inputs, [out] + grads, mode="py")([ids_value])
    compiled = K.function(inputs, [out] + grads, mode="numba")
    compiled([ids_value])  # a cold first call may trace the step with the numpy references (prefetch)
    monkeypatch.setattr(Scan, "perform", lambda *a: pytest.fail("Scan.perform ran under mode='numba'"))
    got = compiled([ids_value])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    scans = [n for n in compiled.function.fgraph.toposort() if isinstance(n.op, Scan)]
    assert len(scans) == 2, "the forward loop and the backward loop"
    source = compiled.function.thunk.source
    assert len(re.findall(r"^\s+for t\d+_ in range\(n\d+_\):", source, re.M)) == 2, "one compiled time loop per scan"

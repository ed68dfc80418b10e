"""Cases for `Scan`: loops written with `scan`, against numpy references written as explicit Python loops."""
import numpy as np

from symkeras.ops import elemwise as E
from symkeras.ops.scan import scan
from tests.ops.cases import Case, rng

r = rng(11)
T, B, I, U = 4, 2, 3, 3


def _floats(*shape, scale=1.0):
    return r.uniform(-scale, scale, shape)


# -- steps, symbolic and numpy ---------------------------------------------------------------------
def rnn_step(x_t, h, W, Uw, b, ops=E):
    """``h = tanh(x_t @ W + h @ U + b)``, for symbolic or numpy values."""
    return ops.tanh(x_t @ W + h @ Uw + b)


def ref_rnn(x, h0, W, Uw, b, mask=None, backwards=False):
    steps = range(len(x) - 1, -1, -1) if backwards else range(len(x))
    h, collected = h0, []
    for t in steps:
        new = rnn_step(x[t], h, W, Uw, b, np)
        if mask is not None:
            new = np.where(mask[t][:, None] != 0, new, h)
        h = new
        collected.append(h)
    return np.stack(collected)


def ref_cumsum(x):
    total, collected = np.zeros_like(x[0]), []
    for t in range(len(x)):
        total = total + x[t]
        collected.append(total)
    return np.stack(collected)


def ref_two_states(x, a0, b0):
    """``a = 0.5 a + x_t``, ``b = b + a²`` (carried), ``y = a * b`` (collected only); returns a, b, y summed."""
    a, b, ys, as_, bs = a0, b0, [], [], []
    for t in range(len(x)):
        a_new = 0.5 * a + x[t]
        b_new = b + a_new ** 2
        ys.append(a_new * b)
        a, b = a_new, b_new
        as_.append(a)
        bs.append(b)
    return np.stack(as_) + np.stack(bs) + np.stack(ys)


def ref_masked_output(x, mask, h0, W, Uw, b):
    """An RNN whose collected output ``2 h`` repeats its previous value (zeros at first) where masked."""
    h, y, ys = h0, np.zeros_like(h0), []
    for t in range(len(x)):
        new = rnn_step(x[t], h, W, Uw, b, np)
        keep = mask[t][:, None] != 0
        y = np.where(keep, 2 * new, y)
        h = np.where(keep, new, h)
        ys.append(y)
    return np.stack(ys)


def ref_power(h0, w, steps=3):
    h = h0
    for _ in range(steps):
        h = np.sin(h) * w
    return h


# -- symbolic builders ----------------------------------------------------------------------------------
def cumsum(x):
    outputs, _ = scan(lambda x_t, total: total + x_t, sequences=[x], outputs_info=[E.zeros_like(x[0])])
    return outputs[0]


def rnn(x, h0, W, Uw, b, go_backwards=False):
    outputs, _ = scan(rnn_step, sequences=[x], outputs_info=[h0], non_sequences=[W, Uw, b], go_backwards=go_backwards)
    return outputs[0]


def rnn_closure_backwards(x, h0, W, Uw, b):
    """The weights reached by closure (implicit non-sequences), iterating backwards."""
    outputs, _ = scan(lambda x_t, h: rnn_step(x_t, h, W, Uw, b), sequences=[x], outputs_info=[h0], go_backwards=True)
    return outputs[0]


def rnn_masked(x, mask, h0, W, Uw, b):
    outputs, _ = scan(rnn_step, sequences=[x], outputs_info=[h0], non_sequences=[W, Uw, b], mask=mask)
    return outputs[0]


def rnn_final_state(x, h0, W, Uw, b):
    _, finals = scan(rnn_step, sequences=[x], outputs_info=[h0], non_sequences=[W, Uw, b])
    return finals[0]


def two_states(x, a0, b0):
    def step(x_t, a, b):
        a_new = 0.5 * a + x_t
        return a_new, b + a_new ** 2, a_new * b

    (a, b, y), _ = scan(step, sequences=[x], outputs_info=[a0, b0, None])
    return a + b + y


def masked_output(x, mask, h0, W, Uw, b):
    def step(x_t, h):
        new = rnn_step(x_t, h, W, Uw, b)
        return 2 * new, new

    (y, _), _ = scan(step, sequences=[x], outputs_info=[None, h0], mask=mask)
    return y


def collected_only(x, w):
    outputs, _ = scan(lambda x_t, w: E.sin(x_t) * w, sequences=[x], non_sequences=[w])
    return outputs[0]


def carried_only(h0, w):
    _, finals = scan(lambda h, w: E.sin(h) * w, outputs_info=[dict(initial=h0, collect=False)], non_sequences=[w],
                     n_steps=3)
    return finals[0]


MASK = np.array([[1, 0], [1, 1], [0, 1], [1, 0]], dtype=bool)
RNN_INPUTS = [_floats(T, B, I), _floats(B, U), _floats(I, U), _floats(U, U), _floats(U)]

CASES = [
    Case("scan_cumsum", cumsum, [_floats(5, 3)], ref_cumsum),
    Case("scan_cumsum_vector_unknown_length", cumsum, [_floats(6)], ref_cumsum, input_shapes=[(None,)]),
    Case("scan_rnn", rnn, RNN_INPUTS, ref_rnn),
    Case("scan_rnn_unknown_time_and_batch", rnn, RNN_INPUTS, ref_rnn,
         input_shapes=[(None, None, I), (None, U), (I, U), (U, U), (U,)]),
    Case("scan_rnn_go_backwards", lambda *a: rnn(*a, go_backwards=True), RNN_INPUTS,
         lambda *a: ref_rnn(*a, backwards=True)),
    Case("scan_rnn_closure_go_backwards", rnn_closure_backwards, RNN_INPUTS, lambda *a: ref_rnn(*a, backwards=True)),
    Case("scan_rnn_mask", rnn_masked, [RNN_INPUTS[0], MASK] + RNN_INPUTS[1:],
         lambda x, m, *w: ref_rnn(x, *w, mask=m)),
    Case("scan_rnn_float_mask_3d", rnn_masked, [RNN_INPUTS[0], MASK[:, :, None].astype("int64")] + RNN_INPUTS[1:],
         lambda x, m, *w: ref_rnn(x, *w, mask=m[:, :, 0])),
    Case("scan_rnn_final_state", rnn_final_state, RNN_INPUTS, lambda *a: ref_rnn(*a)[-1]),
    Case("scan_two_states_and_output", two_states, [_floats(T, 2), _floats(2), _floats(2)], ref_two_states),
    Case("scan_masked_collected_output", masked_output, [RNN_INPUTS[0], MASK] + RNN_INPUTS[1:], ref_masked_output),
    Case("scan_collected_only", collected_only, [_floats(T, 2, 3), _floats(3)],
         lambda x, w: np.stack([np.sin(x[t]) * w for t in range(len(x))])),
    Case("scan_carried_only_n_steps", carried_only, [_floats(3), _floats(3)], ref_power),
    Case("scan_float32_rnn", rnn, [a.astype("float32") for a in RNN_INPUTS], ref_rnn, grad=False, rtol=1e-5, atol=1e-6),
]

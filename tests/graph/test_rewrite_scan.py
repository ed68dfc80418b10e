"""Scan rewrites: sequence-only work leaves the loop as one big product, duplicate and unread collected
outputs go; the optimized loop computes what the unoptimized one does, values and gradients."""
import numpy as np

from symkeras import graph as G
from symkeras.ops import elemwise as E
from symkeras.ops.blas import Dot
from symkeras.ops.scan import Scan, scan

rng = np.random.default_rng(2)
T, B, I, U = 5, 3, 4, 2
VALUES = [rng.uniform(-1, 1, s) for s in [(T, B, I), (B, U), (I, U), (U, U), (U,), (B, I)]]


def _variables():
    return [G.tensor("float64", np.shape(v), name=n) for v, n in zip(VALUES, ["x", "h0", "W", "R", "b", "m"])]


def _lstm_like(x, h0, W, R, b, m):
    """Two states; the input projection ``(x_t * m) W + b`` reads only a sequence and non-sequences."""
    def step(x_t, h, c, W, R, b, m):
        z = E.tanh(G.ops.dot(x_t * m, W) + b + G.ops.dot(h, R))
        new_c = 0.5 * c + z
        new_h = E.tanh(new_c)
        return new_h, new_h, new_c

    (y, h, c), _ = scan(step, sequences=[x], outputs_info=[None, h0, E.zeros_like(h0)], non_sequences=[W, R, b, m])
    return y, h, c


def _scans(f):
    return [n for n in f.fgraph.toposort() if isinstance(n.op, Scan)]


def test_sequence_work_moves_out_of_the_loop_and_values_stay():
    params = _variables()
    y, h, c = _lstm_like(*params)
    cost = (y ** 2).sum() + (c[-1] * h[-2]).sum()
    outputs = [y, c] + G.grad(cost, params[:5] + [params[5]])
    reference = G.function(params, outputs, mode="py", optimizer=None)(*VALUES)
    f = G.function(params, outputs, mode="py")
    for got, want in zip(f(*VALUES), reference):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    forward = _scans(G.function(params, [y, c], mode="py"))[0]
    inner_dots = [n for n in forward.op.optimized.apply_nodes if type(n.op).__name__ in ("Dot", "DotBias", "Gemm")]
    assert len(inner_dots) == 1, "only h @ R stays in the loop"
    assert forward.op.n_seqs == 1 and forward.inputs[0].ndim == 3, "x is replaced by its projection"
    assert f.rewrite_log.counts["scan_push_out_sequences"] >= 2, "the forward and the backward loop"


def test_backward_loop_keeps_one_product_per_step():
    """BPTT: weight gradients sum after the loop, the input's gradient is one product, unused ones go."""
    params = _variables()
    y, h, c = _lstm_like(*params)
    cost = (y ** 2).sum() + (c[-1] * h[-2]).sum()
    wrt = params[:5]  # not the mask m: its gradient accumulator is dropped
    outputs = G.grad(cost, wrt)
    f = G.function(params, outputs, mode="py")
    backward = [n for n in _scans(f) if n.op.n_seqs > 1][0]
    products = [n for n in backward.op.optimized.apply_nodes if type(n.op).__name__ in ("Dot", "DotBias", "Gemm")]
    assert len(products) == 1, "g_h_prev = g_z @ R.T; the rest moved out"
    assert backward.op.n_states == 2, "the adjoints of h and c"
    assert backward.op.backwards and not [n for n in f.fgraph.apply_nodes if "::-1" in str(n.op)], \
        "the backward loop runs T-1 ... 0 over the forward's arrays as they are: nothing is reversed"
    x_products = [n for n in f.fgraph.toposort() if isinstance(n.op, Dot) and params[2] in n.inputs]
    assert len(x_products) == 1, "the backward loop reuses the forward's (x * m) @ W, computed on unreversed x"
    for name in ("scan_push_out_accumulations", "scan_push_out_output_work", "scan_drop_dead_states"):
        assert f.rewrite_log.counts[name] >= 1, name
    want = G.function(params, outputs, mode="py", optimizer=None)(*VALUES)
    for got, w in zip(f(*VALUES), want):
        np.testing.assert_allclose(got, w, rtol=1e-12, atol=1e-14)


def test_outer_product_is_one_gemm_over_all_steps():
    params = _variables()
    y, _, _ = _lstm_like(*params)
    f = G.function(params, y, mode="py", optimizer="fast_compile", include=["canonicalize"])
    big = [n for n in f.fgraph.toposort() if isinstance(n.op, Dot) and n.inputs[0].ndim == 2
           and not isinstance(n.op, Scan)]
    assert big, "a (time * batch, input) @ (input, units) product before the loop"


def test_collected_output_equal_to_a_state_is_read_from_the_state():
    params = _variables()
    y, h, c = _lstm_like(*params)
    f = G.function(params, [y, h], mode="py")
    node, = _scans(f)
    assert node.op.n_outs == 0 and len(node.outputs) == 2, "y is h: one collection serves both"
    got_y, got_h = f(*VALUES)
    np.testing.assert_array_equal(got_y, got_h)
    g = G.function(params, c, mode="py")
    assert _scans(g)[0].op.n_outs == 0, "an unread collected output is dropped"


def test_two_collected_outputs_of_one_value_share_one_collection():
    """The backward loop of an LSTM collects a gate's gradient once per weight it feeds; one buffer serves both."""
    x, h0 = G.tensor("float64", (T, B, U), name="x"), G.tensor("float64", (B, U), name="h0")

    def step(x_t, h):
        new_h = E.tanh(x_t + h)
        g = new_h * 2.0
        return new_h, g, g

    (h, first, second), _ = scan(step, sequences=[x], outputs_info=[h0, None, None])
    f = G.function([x, h0], [first, second, h], mode="py")
    node, = _scans(f)
    assert node.op.n_outs == 1, "one collection for the two outputs"
    assert f.rewrite_log.counts["scan_merge_outputs"] >= 1
    xv, hv = rng.uniform(-1, 1, (T, B, U)), rng.uniform(-1, 1, (B, U))
    got_first, got_second, got_h = f(xv, hv)
    np.testing.assert_array_equal(got_first, got_second)
    np.testing.assert_allclose(got_first, 2 * got_h, rtol=1e-15)
    want = G.function([x, h0], [first, second, h], mode="py", optimizer=None)(xv, hv)
    np.testing.assert_allclose(got_second, want[1], rtol=1e-12)


def _gate_sum(z, split):
    """``sum_k inc_subtensor(zeros_like(z)[:, a_k:b_k], f_k(z[:, a_k:b_k]))``: the gradient shape of gate slices."""
    from symkeras.ops.subtensor import inc_subtensor

    zeros, total = E.zeros_like(z), None
    for k, (a, b) in enumerate(split):
        term = inc_subtensor(zeros[:, a:b], E.tanh(z[:, a:b]) * (k + 1))
        total = term if total is None else total + term
    return total


def test_disjoint_increments_into_zeros_become_one_concatenate():
    from symkeras.ops.shape import Concatenate
    from symkeras.ops.subtensor import IncSubtensor

    z = G.tensor("float64", (None, 6), name="z")
    value = rng.uniform(-1, 1, (3, 6))
    tiled = G.function([z], _gate_sum(z, [(2, 4), (0, 2), (4, 6)]), mode="py")
    ops = [type(n.op) for n in tiled.fgraph.apply_nodes]
    assert Concatenate in ops and IncSubtensor not in ops
    want = np.tanh(value) * np.repeat([2, 1, 3], 2)
    np.testing.assert_allclose(tiled(value), want, rtol=1e-12)
    assert tiled.rewrite_log.counts["disjoint_increments_as_concatenate"] == 1
    for split in ([(0, 2), (1, 6)], [(0, 2), (2, 4)]):  # overlapping; not covering the axis
        kept = G.function([z], _gate_sum(z, split), mode="py")
        assert IncSubtensor in [type(n.op) for n in kept.fgraph.apply_nodes]
        reference = G.function([z], _gate_sum(z, split), mode="py", optimizer=None)
        np.testing.assert_allclose(kept(value), reference(value), rtol=1e-12)


def test_lstm_gate_gradients_are_joined_in_the_backward_loop():
    from symkeras.ops.subtensor import IncSubtensor

    x = G.tensor("float64", (T, None, 4 * U), name="x")  # a batch size known only at run time, as in Keras
    W = G.tensor("float64", (U, 4 * U), name="W")

    def step(x_t, h, c, W):
        z = x_t + G.ops.dot(h, W)
        new_c = E.sigmoid(z[:, U:2 * U]) * c + E.sigmoid(z[:, :U]) * E.tanh(z[:, 2 * U:3 * U])
        return E.sigmoid(z[:, 3 * U:]) * E.tanh(new_c), new_c

    zeros = E.zeros_like(x[0, :, :U])
    (h, _), _ = scan(step, sequences=[x], outputs_info=[zeros, zeros], non_sequences=[W])
    grads = G.grad((h[-1] ** 2).sum(), [x, W])
    values = [rng.uniform(-1, 1, (T, B, 4 * U)), rng.uniform(-1, 1, (U, 4 * U))]
    f = G.function([x, W], grads, mode="py")
    reference = G.function([x, W], grads, mode="py", optimizer=None)(*values)
    for got, want in zip(f(*values), reference):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    inner = [n for s in _scans(f) for n in s.op.optimized.apply_nodes]
    assert not any(isinstance(n.op, IncSubtensor) for n in inner), "no zeros + increments per step"


def test_backward_loop_reads_the_products_the_forward_loop_saved():
    """BPTT reuses the forward's ``h @ R``: one forward loop collects it, the backward computes no product of h."""
    params = _variables()
    y, h, c = _lstm_like(*params)
    cost = (y ** 2).sum() + (c[-1] * h[-2]).sum()
    outputs = [y] + G.grad(cost, params[:5])
    f = G.function(params, outputs, mode="py")
    assert f.rewrite_log.counts["scan_merge_extended"] == 1
    forward, backward = sorted(_scans(f), key=lambda n: n.op.n_seqs)
    assert forward.op.n_outs == 1, "the forward loop collects h @ R for the gradient"
    collected = forward.op.optimized.outputs[-1]
    assert isinstance(collected.owner.op, Dot)
    R = params[3]
    h_products = [n for n in f.fgraph.toposort() if isinstance(n.op, Dot) and R in n.inputs and n is not forward]
    assert h_products == [], "no product by R outside the loops: nothing recomputes h @ R"
    inner = [n for n in backward.op.optimized.apply_nodes if type(n.op).__name__ in ("Dot", "DotBias", "Gemm")]
    assert len(inner) == 1, "only g_h_prev = g_z @ R.T"
    want = G.function(params, outputs, mode="py", optimizer=None)(*VALUES)
    for got, w in zip(f(*VALUES), want):
        np.testing.assert_allclose(got, w, rtol=1e-12, atol=1e-14)

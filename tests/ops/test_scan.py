"""`scan` beyond the registry cases: BPTT against a hand-unrolled graph, errors, op identity, and the
compiled loop (no Python per time step)."""
import re

import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.linker.numba.cblas import set_blas_threads
from symkeras.ops import elemwise as E
from symkeras.ops.scan import Scan, scan
from tests.ops.cases_scan import MASK, RNN_INPUTS, rnn, rnn_step


def _rnn_variables(dtype="float64"):
    return [G.tensor(dtype, np.shape(a), name=n) for a, n in zip(RNN_INPUTS, ["x", "h0", "W", "U", "b"])]


def _unrolled(x, h0, W, Uw, b, mask=None):
    """The same RNN written step by step as one flat graph."""
    h, collected = h0, []
    for t in range(len(RNN_INPUTS[0])):
        new = rnn_step(x[t], h, W, Uw, b)
        if mask is not None:
            new = E.where(mask[t].dimshuffle(0, "x"), new, h)
        h = new
        collected.append(h)
    return G.ops.stack(collected), h


def _cost(outputs, final, u):
    return (outputs * u).sum() + (final ** 2).sum()


@pytest.mark.parametrize("masked", [False, True], ids=["plain", "masked"])
def test_gradient_of_scan_equals_gradient_of_unrolled_loop(masked):
    x, h0, W, Uw, b = params = _rnn_variables()
    m = G.tensor("bool", MASK.shape, name="mask")
    u = G.tensor("float64", (len(RNN_INPUTS[0]),) + RNN_INPUTS[1].shape, name="u")
    outputs, finals = scan(rnn_step, sequences=[x], outputs_info=[h0], non_sequences=[W, Uw, b],
                           mask=m if masked else None)
    through_scan = G.grad(_cost(outputs[0], finals[0], u), params)
    through_unrolled = G.grad(_cost(*_unrolled(*params, mask=m if masked else None), u), params)
    values = RNN_INPUTS + [MASK, np.random.default_rng(0).uniform(0.5, 1.5, u.type.shape)]
    want = G.function(params + [m, u], through_unrolled, mode="py")(*values)
    for mode in ("py", "numba"):
        got = G.function(params + [m, u], through_scan, mode=mode)(*values)
        for g, w, p in zip(got, want, params):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12, err_msg=f"{mode}: d cost / d {p}")


def _power_iteration(h0, w):
    _, (final,) = scan(lambda h, w: E.sin(h) * w, outputs_info=[dict(initial=h0, collect=False)],
                       non_sequences=[w], n_steps=3)
    return final


def test_second_derivative_through_a_backward_scan():
    """The gradient's own scan carries its sums without collecting them; differentiating it runs it again collecting."""
    G.verify_grad(lambda h0, w: G.grad((_power_iteration(h0, w) ** 2).sum(), w),
                  [np.array([0.3, -0.4]), np.array([0.9, 1.1])])


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "go_backwards"])
def test_second_derivative_through_an_rnn_in_either_direction(go_backwards):
    """The gradient loop runs the steps in the other order on the arrays as they are; so does its gradient."""
    x, h0, W, Uw, b = RNN_INPUTS
    G.verify_grad(lambda W, Uw: G.grad((rnn(x, h0, W, Uw, b, go_backwards=go_backwards) ** 2).sum(), Uw),
                  [W, Uw])


def test_a_backwards_loop_reads_and_collects_at_each_steps_time_index():
    """``backwards=True`` runs t = T-1 ... 0 with no reversed copies; `scan`'s go_backwards shows run order."""
    x, h0, W, Uw, b = params = _rnn_variables()
    forward, backward = rnn(*params), rnn(*params, go_backwards=True)
    node = backward.owner.inputs[0].owner
    assert isinstance(node.op, Scan) and node.op.backwards and node.inputs[0] is x, "x itself, not x[::-1]"
    got_forward, got_backward = G.function(params, [forward, backward], mode="py")(*RNN_INPUTS)
    from tests.ops.cases_scan import ref_rnn

    np.testing.assert_allclose(got_forward, ref_rnn(*RNN_INPUTS), rtol=1e-12)
    np.testing.assert_allclose(got_backward, ref_rnn(*RNN_INPUTS, backwards=True), rtol=1e-12)


# -- errors -----------------------------------------------------------------------------------------
def test_a_sequence_without_a_time_axis_is_an_error():
    with pytest.raises(ValueError, match=r"scan: sequence 0 has shape \(\)"):
        scan(lambda x_t: x_t, sequences=[G.scalar("s")])


def test_sequences_of_different_lengths_are_an_error():
    a, b = G.tensor("float64", (5, 3)), G.tensor("float64", (4, 3))
    with pytest.raises(ValueError, match=r"scan: the sequences \(\(5, 3\), \(4, 3\)\).*disagree"):
        scan(lambda x, y: x + y, sequences=[a, b])
    a, b = G.tensor("float64", (None, 3)), G.tensor("float64", (None, 3))
    (out,), _ = scan(lambda x, y: x + y, sequences=[a, b])
    with pytest.raises(ValueError, match=r"scan: sequences of lengths \[5, 4\]"):
        G.function([a, b], out, mode="py", optimizer=None)(np.zeros((5, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"\(float64\[5, 3\], float64\[4, 3\]\)"):  # x + y moved before the loop
        G.function([a, b], out, mode="py")(np.zeros((5, 3)), np.zeros((4, 3)))


def test_fn_returning_the_wrong_number_of_outputs_is_an_error():
    x, h0 = G.matrix("x", dtype="float64"), G.vector("h0", dtype="float64")
    with pytest.raises(ValueError, match="scan: fn returned 2 outputs, but outputs_info has 1 entries"):
        scan(lambda x_t, h: (h + x_t, h), sequences=[x], outputs_info=[h0])


def test_a_state_of_another_shape_than_its_initial_value_is_an_error():
    x, h0 = G.tensor("float64", (5, 3)), G.tensor("float64", (3,))
    with pytest.raises(ValueError, match=r"scan: fn returned a new value of float64 \(3, 3\) for state 0, "
                                         r"whose initial value is float64 \(3,\)"):
        scan(lambda x_t, h: G.ops.outer(x_t, h), sequences=[x], outputs_info=[h0])
    with pytest.raises(ValueError, match=r"scan: fn returned a new value of float32"):
        scan(lambda x_t, h: h.astype("float32"), sequences=[x], outputs_info=[h0])


def test_a_state_changing_shape_at_run_time_is_an_error():
    x, h0 = G.tensor("float64", (2, None)), G.tensor("float64", (None,))
    (out,), _ = scan(lambda x_t, h: x_t * h.sum(), sequences=[x], outputs_info=[h0])
    with pytest.raises(ValueError, match=r"scan: state 0 changed shape from \(2,\) to \(3,\)"):
        G.function([x, h0], out, mode="py")(np.ones((2, 3)), np.ones(2))


def test_a_mask_of_the_wrong_shape_is_an_error():
    x, h0 = G.tensor("float64", (4, 2, 3)), G.tensor("float64", (2, 3))
    with pytest.raises(ValueError, match=r"scan: the mask must have shape \(time, batch\) or \(time, batch, 1\), "
                                         r"got \(4,\)"):
        scan(lambda x_t, h: h + x_t, sequences=[x], outputs_info=[h0], mask=G.tensor("bool", (4,)))


# -- the op ---------------------------------------------------------------------------------------
def _scan_nodes(f):
    return [n for n in f.fgraph.toposort() if isinstance(n.op, Scan)]


def test_equal_inner_graphs_make_equal_ops_and_merge():
    params = _rnn_variables()
    a, b = rnn(*params), rnn(*params)
    assert a.owner.op == b.owner.op and hash(a.owner.op) == hash(b.owner.op)
    assert a.owner.op != G.ops.tanh(rnn(*params)).owner.op
    f = G.function(params, [a, b], mode="py")
    assert len(_scan_nodes(f)) == 1


def test_the_inner_graph_is_optimized():
    op = rnn(*_rnn_variables()).owner.op
    fused = [n for n in op.optimized.apply_nodes if "Composite" in str(n.op)]
    assert len(fused) == 1 and len(op.optimized.apply_nodes) == 3  # two dots and one fused add-add-tanh
    assert len(op.fgraph.apply_nodes) == 5  # the op keeps the unoptimized graph too: grad works on it


def test_numba_runs_forward_and_backward_loops_without_python_per_step(monkeypatch):
    params = _rnn_variables()
    outputs = rnn(*params)
    grads = G.grad(outputs.sum(), params[1:])
    f = G.function(params, [outputs] + grads, mode="numba")
    f(*RNN_INPUTS)  # a cold first call may trace the step with the numpy references (prefetch)
    monkeypatch.setattr(Scan, "perform", lambda *args: pytest.fail("Scan.perform ran under mode='numba'"))
    saved = set_blas_threads(2)
    threads = set_blas_threads(2)  # what OpenBLAS made of 2 on this machine
    got = f(*RNN_INPUTS)
    assert set_blas_threads(saved) == threads, "a loop's single-threaded BLAS is undone after it"
    want = G.function(params, [outputs] + grads, mode="py")
    monkeypatch.undo()
    for g, w in zip(got, want(*RNN_INPUTS)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    source = f.thunk.source
    assert len(re.findall(r"^\s+for t\d+_ in range\(n\d+_\):", source, re.M)) == 2, "one compiled time loop per scan"
    assert len(_scan_nodes(f)) == 2
    assert source.count("set_blas_threads(1)") == 2, "the per-step products run on one BLAS thread"


def test_the_profile_counts_one_scan_call_per_function_call():
    params = _rnn_variables()
    f = G.function(params, rnn(*params), mode="numba", profile=True)
    for _ in range(3):
        f(*RNN_INPUTS)
    scan_calls = [calls for op, calls in f.stats.calls.items() if op.startswith("Scan")]
    assert scan_calls == [2]  # the first call compiles and is not counted


def test_a_loop_that_raises_restores_blas_threads():
    """The compiled loop sets BLAS to one thread; an error inside it must not leave it there."""
    x, h0, w = G.tensor("float64", (3, 2, 2), name="x"), G.matrix("h0", dtype="float64"), G.matrix("w", dtype="float64")
    k = G.tensor("int64", (), name="k")
    (h,), _ = scan(lambda x_t, h, w, k: E.tanh(G.ops.dot(h, w) + x_t[k]), sequences=[x], outputs_info=[h0],
                   non_sequences=[w, k])
    f = G.function([x, h0, w, k], h, mode="numba")
    values = [np.ones((3, 2, 2)), np.ones((2, 2)), np.eye(2)]
    np.testing.assert_allclose(f(*values, 1)[0], np.tanh(np.ones((2, 2)) + 1))
    saved = set_blas_threads(2)
    threads = set_blas_threads(2)
    with pytest.raises((IndexError, ValueError), match="bounds|index"):
        f(*values, 5)
    assert set_blas_threads(saved) == threads

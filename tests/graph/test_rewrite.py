"""The optimizer: each rewrite fires where it should and not where it must not; values never change."""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.basic import Constant
from symkeras.ops import elemwise as E
from symkeras.ops import nnet, reduction as R, shape as SH, subtensor as S
from symkeras.ops.random import RandomStream

O = G.ops


def compile_both(inputs, outputs, **kw):
    return (G.function(inputs, outputs, mode="py", optimizer=None),
            G.function(inputs, outputs, mode="py", **kw))


def op_names(f):
    return sorted(str(n.op) for n in f.fgraph.apply_nodes)


def fired(f, name):
    return f.rewrite_log.counts.get(name, 0)


def test_merge_shares_common_subexpressions():
    x = G.vector("x")
    f = G.function([x], [E.exp(x) + 1, E.exp(x) * 2], optimizer="fast_compile")
    assert op_names(f).count("Elemwise{exp}") == 1
    assert fired(f, "merge") >= 1


def test_merge_never_merges_two_random_draws():
    stream = RandomStream(seed=3)
    a, b = stream.uniform((4,)), stream.uniform((4,))
    f = G.function([], [a, b])
    first, second = f()
    assert not np.array_equal(first, second)


def test_constant_folding_and_its_size_cap():
    x = G.vector("x")
    f = G.function([x], x + (G.constant(np.float32(2)) * 3), optimizer="fast_compile")
    assert fired(f, "constant_folding") == 1
    (node,) = f.fgraph.apply_nodes
    assert any(isinstance(v, Constant) and v.data == 6 for v in node.inputs)
    big = SH.alloc(np.float32(1), 1000, 1000)
    g = G.function([], big, optimizer="fast_compile")
    assert fired(g, "constant_folding") == 0


def test_neutral_elements_only_where_types_allow():
    x = G.tensor("float32", (3,), name="x")
    f = G.function([x], [x * 1, 0 + x, x - 0, x / 1, x ** 1], optimizer="fast_compile")
    assert not f.fgraph.apply_nodes
    g = G.function([x], x * np.ones((2, 3), "float32"), optimizer="fast_compile")
    assert op_names(g) == ["Elemwise{mul}"]  # the ones broadcast x to (2, 3): not neutral


def test_multiplication_by_zero():
    x = G.tensor("float32", (None, 3), name="x")
    f = G.function([x], x * 0, optimizer="fast_compile")
    assert fired(f, "absorbing_zero") == 1
    np.testing.assert_array_equal(f(np.ones((2, 3), "float32")), np.zeros((2, 3)))
    y = G.tensor("float32", (None, 1), name="y")
    g = G.function([y], y * np.zeros((1, 3), "float32"), optimizer="fast_compile")
    assert fired(g, "absorbing_zero") == 0  # neither operand has the result's shape


def test_inverse_pairs_and_sign_normal_forms():
    x, y = G.vector("x"), G.vector("y")
    f = G.function([x, y], [-(-x), E.exp(E.log(x)), E.log(E.exp(x)), x - x, x + (-y), x - (-y), x * -1],
                   optimizer="fast_compile")
    names = op_names(f)
    assert "Elemwise{neg}" in names and names.count("Elemwise{exp}") == 0
    assert fired(f, "double_negation") == 1 and fired(f, "exp_log_inverse") == 2
    assert fired(f, "self_subtraction") == 1 and fired(f, "sign_normal_form") == 3


def test_transpose_of_transpose_and_reshape_chains():
    x = G.tensor("float32", (2, 3), name="x")
    f = G.function([x], [x.T.T, SH.reshape(SH.reshape(x, (6,)), (3, 2))], optimizer="fast_compile")
    assert op_names(f) == ["Reshape{2}"]
    assert fired(f, "dimshuffle_chain") >= 1 and fired(f, "reshape_chain") == 1


def test_stop_gradient_is_removed_after_grad():
    x = G.vector("x", dtype="float64")
    f = G.function([x], O.stop_gradient(x) * 2, optimizer="fast_compile")
    assert "StopGradient" not in op_names(f)


def test_gradient_of_a_sum_does_not_allocate():
    x = G.matrix("x")
    f = G.function([x], G.grad((E.tanh(x) ** 2).sum(), x))
    assert not any(name.startswith("Alloc") for name in op_names(f))


def test_log1p_expm1_and_log_sigmoid_forms():
    x = G.vector("x", dtype="float64")
    f = G.function([x], [E.log(1 + x), E.exp(x) - 1, E.log(E.sigmoid(x)), E.log(1 - E.sigmoid(x))],
                   optimizer="fast_run", exclude=["fusion"])
    names = op_names(f)
    assert "Elemwise{log1p}" in names and "Elemwise{expm1}" in names
    assert fired(f, "log_sigmoid") == 2 and "Elemwise{sigmoid}" not in names
    values = f(np.array([-800.0, 1e-12, 800.0]))
    assert np.all(np.isfinite(values[2])) and np.all(np.isfinite(values[3]))
    assert values[0][1] == pytest.approx(1e-12)


def test_logit_of_clipped_sigmoid_becomes_clipped_logits():
    x = G.vector("x", dtype="float64")
    p = E.clip(E.sigmoid(x), 1e-7, 1 - 1e-7)
    f = G.function([x], E.log(p / (1 - p)), optimizer="fast_run", exclude=["fusion"])
    assert fired(f, "logit_of_sigmoid") == 1 and op_names(f) == ["Elemwise{clip}"]
    np.testing.assert_allclose(f(np.array([0.3, 100.0])), [0.3, np.log((1 - 1e-7) / 1e-7)])


def test_logsumexp_is_stabilized_once():
    x = G.matrix("x", dtype="float64")
    f = G.function([x], E.log(R.sum(E.exp(x), axis=1)))
    assert fired(f, "logsumexp") == 1
    np.testing.assert_allclose(f(np.array([[1000.0, 1000.0]])), [1000 + np.log(2)])


def test_crossentropy_of_softmax_with_extreme_logits():
    x, y = G.matrix("x", dtype="float32"), G.matrix("y", dtype="float32")
    loss = R.sum(-R.sum(y * E.log(nnet.softmax(x)), axis=-1))
    outputs = [loss, G.grad(loss, x)]
    plain, optimized = compile_both([x, y], outputs)
    assert "SoftmaxCrossentropyWithLogits{1}" in op_names(optimized)
    xv = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]], "float32")
    yv = np.array([[0, 1, 0], [0, 1, 0]], "float32")
    value, grad = optimized(xv, yv)
    assert value == pytest.approx(2000.0)
    np.testing.assert_allclose(grad, [[1, -1, 0], [0, 0, 0]])
    bad_value, bad_grad = plain(xv, yv)
    assert not np.isfinite(bad_value) and not np.all(np.isfinite(bad_grad))


def test_binary_crossentropy_of_sigmoid_at_saturation():
    z, t = G.vector("z", dtype="float32"), G.vector("t", dtype="float32")
    loss = R.sum(-(t * E.log(E.sigmoid(z)) + (1 - t) * E.log(1 - E.sigmoid(z))))
    plain, optimized = compile_both([z, t], [loss, G.grad(loss, z)])
    zv, tv = np.array([100, -100, 100, -100], "float32"), np.array([0, 1, 1, 0], "float32")
    value, grad = optimized(zv, tv)
    assert value == pytest.approx(200.0)
    np.testing.assert_allclose(grad, [1, -1, 0, 0], atol=1e-6)
    bad_value, bad_grad = plain(zv, tv)
    assert not np.isfinite(bad_value) and not np.all(np.isfinite(bad_grad))


def test_power_specializations():
    x = G.vector("x", dtype="float64")
    f = G.function([x], [x ** 2, x ** 0.5, x ** -1, x ** 3], exclude=["fusion"])
    names = op_names(f)
    assert {"Elemwise{square}", "Elemwise{sqrt}", "Elemwise{true_div}", "Elemwise{pow}"} <= set(names)


def test_dot_plus_bias_becomes_one_op_unless_the_product_is_reused():
    x, w, b = G.matrix("x"), G.tensor("float32", (3, 4), name="w"), G.tensor("float32", (4,), name="b")
    f = G.function([x, w, b], O.dot(x, w) + b)
    assert op_names(f) == ["DotBias"]
    xv, wv, bv = np.ones((2, 3), "float32"), np.arange(12, dtype="float32").reshape(3, 4), np.ones(4, "float32")
    np.testing.assert_allclose(f(xv, wv, bv), xv @ wv + bv)
    product = O.dot(x, w)
    g = G.function([x, w, b], [product + b, product * 2])
    assert "DotBias" not in op_names(g)


def test_dot_plus_bias_of_mixed_precision_operands_stays_a_dot():
    x, w, b = G.matrix("x"), G.tensor("float64", (3, 4), name="w"), G.tensor("float64", (4,), name="b")
    f = G.function([x, w, b], O.dot(x, w) + b)
    assert "DotBias" not in op_names(f)
    xv, wv, bv = np.full((2, 3), 0.1, "float32"), np.arange(12.0).reshape(3, 4), np.ones(4)
    np.testing.assert_allclose(f(xv, wv, bv), xv.astype("float64") @ wv + bv)


def test_sum_of_vector_product_becomes_dot():
    a, b = G.vector("a"), G.vector("b")
    f = G.function([a, b], R.sum(a * b))
    assert op_names(f) == ["Dot"]


def test_fusion_makes_one_kernel_and_respects_shared_intermediates():
    x = G.matrix("x")
    y = x
    for _ in range(10):
        y = E.tanh(y) * 0.5 + 0.1
    f = G.function([x], y)
    assert len(f.fgraph.apply_nodes) == 1 and f.fgraph.toposort()[0].op.scalar_op.n_ops == 30
    shared_value = E.exp(x)
    g = G.function([x], [shared_value + 1, shared_value * 2], exclude=["inplace"])
    assert op_names(g).count("Elemwise{exp}") == 1  # read twice: stays its own kernel


def test_inplace_never_destroys_inputs_or_values_needed_later():
    x = G.vector("x")
    t = E.tanh(x)
    f = G.function([x], [E.exp(t), t * 2], exclude=["fusion"])
    assert all(n.op.destroy_map == {} for n in f.fgraph.apply_nodes if n.inputs[0] is not x and "tanh" in str(n.op))
    xv = np.array([0.5, -1.0], "float32")
    ex, twice = f(xv)
    np.testing.assert_allclose(ex, np.exp(np.tanh(xv)), rtol=1e-6)
    np.testing.assert_allclose(twice, 2 * np.tanh(xv), rtol=1e-6)
    np.testing.assert_array_equal(xv, [0.5, -1.0])
    g = G.function([x], E.exp(E.tanh(x)), exclude=["fusion"])
    assert fired(g, "inplace_elemwise") == 1


def test_shared_updates_are_written_in_place_after_every_reader():
    x = G.matrix("x")
    w = G.shared(np.ones((3, 2), "float32"), name="w")
    out = O.dot(x, w.T.T) + 1
    f = G.function([x], out, updates=[(w, w * 0.5)])
    assert fired(f, "inplace_shared_update") == 1
    storage = w.get_value(borrow=True)
    np.testing.assert_allclose(f(np.ones((1, 3), "float32")), [[4.0, 4.0]])
    assert w.get_value(borrow=True) is storage
    np.testing.assert_allclose(storage, 0.5)


def test_mlp_training_graph_halves_and_computes_each_product_once():
    rng = np.random.default_rng(0)
    x, y = G.matrix("x"), G.matrix("y")
    w1, b1 = G.shared(rng.normal(size=(4, 5)).astype("float32")), G.shared(np.zeros(5, "float32"))
    w2, b2 = G.shared(rng.normal(size=(5, 3)).astype("float32")), G.shared(np.zeros(3, "float32"))
    h = E.relu(O.dot(x, w1) + b1)
    p = nnet.softmax(O.dot(h, w2) + b2)
    loss = R.mean(-R.sum(y * E.log(p), axis=-1))
    params = [w1, b1, w2, b2]
    updates = [(q, q - 0.1 * g) for q, g in zip(params, G.grad(loss, params))]
    plain = G.function([x, y], loss, updates=updates, optimizer=None)
    fast = G.function([x, y], loss, updates=updates)
    assert len(fast.fgraph.apply_nodes) * 2 <= len(plain.fgraph.apply_nodes)
    forward = [n for n in fast.fgraph.apply_nodes if type(n.op).__name__ in ("Dot", "DotBias") and n.inputs[1] in (w1, w2)]
    assert len(forward) == 2
    assert fast.rewrite_log.phases[0].nodes_before == len(plain.fgraph.apply_nodes)
    assert "softmax_crossentropy" in str(fast.rewrite_log)


def test_include_exclude_and_presets():
    x = G.vector("x")
    f = G.function([x], E.tanh(x) * 2 + 1, exclude=["fuse_elementwise_clusters"])
    assert len(f.fgraph.apply_nodes) == 3
    g = G.function([x], E.tanh(x) * 2 + 1, optimizer="fast_compile")
    assert [p.phase for p in g.rewrite_log.phases] == ["canonicalize"]
    with pytest.raises(ValueError, match="unknown optimizer"):
        G.function([x], x, optimizer="fast")


def test_update_reading_its_own_transpose_is_not_done_in_place():
    w = G.shared(np.arange(4, dtype="float32").reshape(2, 2), name="w")
    f = G.function([], [], updates=[(w, w + w.T)])
    assert fired(f, "inplace_shared_update") == 0
    f()
    np.testing.assert_allclose(w.get_value(), [[0, 3], [3, 6]])


def test_scaled_product_and_scaled_matrix_become_one_gemm_in_place():
    rng = np.random.default_rng(0)
    x, g = G.matrix("x"), G.matrix("g")
    m = G.shared(rng.normal(size=(4, 3)).astype("float32"), name="m")
    w = G.shared(rng.normal(size=(4, 3)).astype("float32"), name="w")
    momentum, lr = G.shared(np.float32(0.9), name="momentum"), G.shared(np.float32(0.1), name="lr")
    velocity = momentum * m - lr * O.dot(x.T, g)  # Keras's SGD with momentum
    m0, w0 = m.get_value().copy(), w.get_value().copy()
    f = G.function([x, g], [], updates=[(m, velocity), (w, w + velocity)])
    assert fired(f, "gemm") == 1 and "Gemm{True}" in op_names(f) and "Dot" not in op_names(f)
    storage = m.get_value(borrow=True)
    xv, gv = rng.normal(size=(5, 4)).astype("float32"), rng.normal(size=(5, 3)).astype("float32")
    f(xv, gv)
    want = 0.9 * m0 - 0.1 * xv.T @ gv
    np.testing.assert_allclose(m.get_value(), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w.get_value(), w0 + want, rtol=1e-5, atol=1e-6)
    assert m.get_value(borrow=True) is storage


def test_equal_nodes_built_by_specialization_are_merged():
    """Two SGD updates by one learning rate: each gemm scales by ``-lr``; one negation serves both."""
    a, b, c = G.matrix("a"), G.matrix("b"), G.matrix("c")
    lr = G.shared(np.float32(0.1), name="lr")
    v1, v2 = (G.shared(np.zeros((3, 3), "float32"), name=n) for n in ("v1", "v2"))
    f = G.function([a, b, c], [], updates=[(v1, v1 - lr * O.dot(a, b)), (v2, v2 - lr * O.dot(a, c))])
    assert sorted(op_names(f)) == ["Elemwise{neg}", "Gemm{True}", "Gemm{True}"]
    assert fired(f, "merge_specialized") == 1
    values = [np.eye(3, dtype="float32") * k for k in (1, 2, 3)]
    f(*values)
    np.testing.assert_allclose(v1.get_value(), -0.2 * np.eye(3), rtol=1e-6)
    np.testing.assert_allclose(v2.get_value(), -0.3 * np.eye(3), rtol=1e-6)


@pytest.mark.parametrize("form", ["z + dot", "dot - z", "-dot + 2z", "z - dot * 3", "-(dot) - z"])
def test_gemm_forms_keep_their_values(form):
    x, y, z = G.matrix("x"), G.matrix("y"), G.matrix("z")
    d = O.dot(x, y)
    out = {"z + dot": z + d, "dot - z": d - z, "-dot + 2z": -d + 2 * z, "z - dot * 3": z - d * 3,
           "-(dot) - z": E.neg(d) - z}[form]
    plain, fast = compile_both([x, y, z], out)
    assert "Gemm{False}" in op_names(fast) and "Dot" not in op_names(fast)
    rng = np.random.default_rng(1)
    values = [rng.normal(size=s).astype("float32") for s in ((3, 4), (4, 2), (3, 2))]
    np.testing.assert_allclose(fast(*values), plain(*values), rtol=1e-5, atol=1e-6)


def test_gemm_needs_a_private_product_and_an_unbroadcast_matrix():
    x, y, z = G.matrix("x"), G.matrix("y"), G.matrix("z")
    row = G.tensor("float32", (1, None), name="row")
    product = O.dot(x, y)
    shared_product = G.function([x, y, z], [product - z, product * 2])
    assert fired(shared_product, "gemm") == 0
    broadcast = G.function([x, y, row], product + row)
    assert fired(broadcast, "gemm") == 0 and "DotBias" in op_names(broadcast)


@pytest.mark.parametrize("mode", ["py", "numba"])
def test_embedding_gradient_accumulates_into_its_zeros_in_place(mode):
    # large enough that its zeros are an Alloc (a fresh buffer), not a folded constant
    w = G.shared(np.random.default_rng(0).normal(size=(300, 256)).astype("float32"), name="w")
    ids = G.vector("ids", dtype="int32")
    (gw,) = G.grad(R.sum(S.getitem(w, ids) ** 2), [w])
    f = G.function([ids], gw, mode=mode)
    increments = [n.op for n in f.fgraph.apply_nodes if type(n.op).__name__ == "AdvancedIncSubtensor"]
    assert [op.inplace for op in increments] == [True]
    for batch in ([1, 3, 1], [0]):
        expected = np.zeros(w.get_value().shape, "float32")
        np.add.at(expected, batch, 2 * w.get_value()[batch])
        np.testing.assert_array_equal(f(np.array(batch, "int32")), expected)  # no sum left over from the last call


@pytest.mark.parametrize("mode", ["py", "numba"])
def test_increment_reading_a_view_of_its_own_buffer_is_not_done_in_place(mode):
    x = G.vector("x")
    t = E.exp(x)
    out = S.inc_subtensor(S.getitem(t, slice(1, None)), S.getitem(t, slice(None, -1)))
    f = G.function([x], out, mode=mode)
    assert all(not getattr(n.op, "inplace", False) for n in f.fgraph.apply_nodes if "IncSubtensor" in str(n.op))
    xv = np.array([0.0, 1.0, 2.0], "float32")
    e = np.exp(xv)
    np.testing.assert_allclose(f(xv), [e[0], e[1] + e[0], e[2] + e[1]], rtol=1e-6)


def test_relu_gradient_reads_the_output_so_relu_runs_in_place():
    rng = np.random.default_rng(0)
    x = G.matrix("x")
    w1 = G.shared(rng.normal(size=(3, 4)).astype("float32"), name="w1")
    b1 = G.shared(rng.normal(size=4).astype("float32"), name="b1")
    w2 = G.shared(rng.normal(size=(4, 2)).astype("float32"), name="w2")
    h = E.relu(O.dot(x, w1) + b1)  # read by the next product and its gradient: not fused away
    gw1, gb1 = G.grad(R.sum(O.dot(h, w2) ** 2), [w1, b1])
    f = G.function([x], [gw1, gb1])
    relus = [n for n in f.fgraph.apply_nodes if "relu{" in str(n.op)]
    assert relus and all(n.op.destroy_map for n in relus), [str(n.op) for n in relus]
    xv = rng.normal(size=(5, 3)).astype("float32")
    hv = np.maximum(xv @ w1.get_value() + b1.get_value(), 0)
    gh = (2 * (hv @ w2.get_value())) @ w2.get_value().T * (hv > 0)
    got_w, got_b = f(xv)
    np.testing.assert_allclose(got_w, xv.T @ gh, rtol=1e-5)
    np.testing.assert_allclose(got_b, gh.sum(0), rtol=1e-5)

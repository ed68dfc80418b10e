"""The graph vocabulary: types, variables, operator overloading, FunctionGraph edits."""
import networkx as nx
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.basic import Constant, io_toposort
from symkeras.graph.type import TensorType, broadcast_shapes
from symkeras.ops import elemwise as E


def test_tensor_type_equality_and_broadcastable():
    t = TensorType("float32", (None, 1, 3))
    assert t == TensorType(np.float32, [None, 1, 3])
    assert t.broadcastable == (False, True, False)
    assert t != TensorType("float64", (None, 1, 3))
    assert repr(TensorType("int8", (4,))) == "TensorType(int8, (4,))"


def test_broadcast_shapes_rules_and_error_names_the_op():
    assert broadcast_shapes("add", (None, 1), (3,)) == (None, 3)
    assert broadcast_shapes("add", (2, 1), (1, 5)) == (2, 5)
    with pytest.raises(ValueError, match=r"mul: shapes \(3, 4\), \(5,\) cannot be broadcast"):
        E.mul(G.tensor("float32", (3, 4)), G.tensor("float32", (5,)))


def test_constructors_types():
    assert G.scalar().type == TensorType("float32", ())
    assert G.matrix("m", dtype="int32").type == TensorType("int32", (None, None))
    assert G.tensor4().ndim == 4
    assert G.tensor("float64", (2, None), name="t").name == "t"


def test_python_numbers_keep_the_dtype_of_symbolic_operands():
    x = G.vector(dtype="float32")
    assert (x * 2).dtype == "float32"
    assert (x + 0.5).dtype == "float32"
    i = G.vector(dtype="int32")
    assert (i + 1).dtype == "int32"
    assert (i * 0.5).dtype == "float64"  # numpy: int32 with float32 gives float64


def test_operators_compute_numpy_values():
    x, y = G.vector("x", dtype="float64"), G.vector("y", dtype="float64")
    exprs = [x + y, x - y, x * y, x / y, x // y, x % y, x ** 2, -x, abs(x), x < y, x <= y, x > y, x >= y,
             x.eq(y), x.neq(y), 2 - x, 1 / y]
    f = G.function([x, y], exprs, mode="py")
    a, b = np.array([1.5, -2.0, 3.0]), np.array([0.5, 4.0, -2.0])
    want = [a + b, a - b, a * b, a / b, a // b, a % b, a ** 2, -a, abs(a), a < b, a <= b, a > b, a >= b,
            a == b, a != b, 2 - a, 1 / b]
    for got, ref in zip(f(a, b), want):
        np.testing.assert_allclose(got, ref)


def test_variable_has_no_truth_value_and_cannot_be_iterated():
    x = G.vector()
    with pytest.raises(TypeError, match="no truth value"):
        bool(x > 0)
    with pytest.raises(TypeError, match="cannot be iterated"):
        list(x)


def test_op_equality_by_props():
    assert E.Elemwise(E.scalar.Relu(0.1)) == E.Elemwise(E.scalar.Relu(0.1))
    assert E.Elemwise(E.scalar.Relu(0.1)) != E.Elemwise(E.scalar.Relu(0.2))
    assert hash(E.Elemwise(E.scalar.tanh)) == hash(E.Elemwise(E.scalar.tanh))


def test_shared_get_set_value_copies_and_checks_type():
    value = np.ones((2, 3), "float32")
    w = G.shared(value, name="w")
    value[0, 0] = 5
    assert w.get_value()[0, 0] == 1
    got = w.get_value()
    got[0, 0] = 7
    assert w.get_value()[0, 0] == 1
    assert w.get_value(borrow=True) is w.get_value(borrow=True)
    w.set_value(np.zeros((2, 3)))
    assert w.get_value().dtype == np.float32
    with pytest.raises(ValueError, match="shared variable w"):
        w.set_value(np.zeros((3, 3), "float32"))


def test_constant_is_read_only_and_merges_by_value():
    c = Constant(np.arange(3.0))
    assert not c.data.flags.writeable
    assert c.signature() == Constant(np.arange(3.0)).signature()
    assert c.signature() != Constant(np.arange(3.0).astype("float32")).signature()


def test_toposort_is_deterministic_and_respects_dependencies():
    x = G.vector("x")
    a = E.exp(x)
    b = E.tanh(a) + a * a
    order = io_toposort([x], [b])
    assert [str(n.op) for n in order] == ["Elemwise{exp}", "Elemwise{tanh}", "Elemwise{mul}", "Elemwise{add}"]
    assert order == io_toposort([x], [b])


def test_function_graph_clones_and_tracks_clients():
    x = G.vector("x")
    y = E.exp(x) * 2
    fg = G.FunctionGraph([x], [y])
    assert fg.outputs[0] is not y and fg.outputs[0].owner.op == y.owner.op
    (node_exp,) = [n for n in fg.apply_nodes if str(n.op) == "Elemwise{exp}"]
    assert fg.clients(node_exp.outputs[0])[0][0].op == y.owner.op
    graph = fg.to_networkx()
    assert isinstance(graph, nx.MultiDiGraph)
    assert nx.is_directed_acyclic_graph(graph)
    assert graph.number_of_nodes() == 4  # x, the constant 2, exp, mul


def test_function_graph_multigraph_edges_for_repeated_input():
    x = G.vector("x")
    fg = G.FunctionGraph([x], [x * x])
    (node,) = fg.apply_nodes
    edges = fg.nx.get_edge_data(x, node)
    assert sorted(d["in_idx"] for d in edges.values()) == [0, 1]


def test_replace_rewires_clients_and_prunes_dead_nodes():
    x = G.vector("x")
    fg = G.FunctionGraph([x], [E.tanh(E.exp(x))])
    (tanh_node,) = [n for n in fg.apply_nodes if str(n.op) == "Elemwise{tanh}"]
    fg.replace(tanh_node.inputs[0], E.log(x), reason="test")
    assert sorted(str(n.op) for n in fg.apply_nodes) == ["Elemwise{log}", "Elemwise{tanh}"]
    assert fg.nx.number_of_nodes() == 3
    with pytest.raises(TypeError, match="cannot replace"):
        fg.replace(fg.outputs[0], E.cast(x, "float64"), reason="bad")


def test_function_checks_inputs_and_names_them():
    x = G.matrix("x")
    f = G.function([x], x * 2, mode="py")
    with pytest.raises(ValueError, match=r"input 0 \(x\): expected an array of rank 2"):
        f(np.ones(3, "float32"))
    with pytest.raises(TypeError, match=r"input 0 \(x\): expected dtype float32, got complex128"):
        f(np.ones((2, 2), "complex128"))
    s = G.tensor("float32", (None, 3), name="s")
    g = G.function([s], s + 1, mode="py")
    with pytest.raises(ValueError, match=r"expected shape \(None, 3\), got \(2, 4\)"):
        g(np.ones((2, 4), "float32"))
    np.testing.assert_allclose(g(s=np.zeros((1, 3))), np.ones((1, 3)))


def test_function_missing_input_is_named():
    x, y = G.vector("x"), G.vector("y")
    with pytest.raises(G.MissingInputError, match="depends on y"):
        G.function([x], x + y)


def test_updates_apply_after_all_outputs_and_givens_substitute():
    w = G.shared(np.array([1.0, 2.0]), name="w")
    x = G.vector("x", dtype="float64")
    f = G.function([x], w * x, updates=[(w, w + x)], mode="py")
    np.testing.assert_allclose(f(np.array([1.0, 1.0])), [1.0, 2.0])
    np.testing.assert_allclose(w.get_value(), [2.0, 3.0])
    np.testing.assert_allclose(f(np.array([1.0, 1.0])), [2.0, 3.0])
    y = G.vector("y", dtype="float64")
    g = G.function([y], x * 2, givens={x: y + 1}, mode="py")
    np.testing.assert_allclose(g(np.array([1.0])), [4.0])


def test_update_with_wrong_shape_or_dtype_is_rejected():
    w = G.shared(np.zeros(3, "float32"), name="w")
    with pytest.raises(ValueError, match="update of w"):
        G.function([], [], updates=[(w, G.tensor("float32", (4,)))])
    with pytest.raises(TypeError, match="update of w"):
        G.function([G.vector(dtype="complex64")], [], updates=[(w, G.vector(dtype="complex64"))])


def test_runtime_broadcast_of_unknown_dimension_is_an_error():
    x, y = G.matrix("x"), G.matrix("y")
    f = G.function([x, y], x + y, mode="py", optimizer=None)
    with pytest.raises(ValueError, match="whose size was not known to be 1"):
        f(np.ones((3, 2), "float32"), np.ones((1, 2), "float32"))

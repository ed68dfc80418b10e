"""Errors, types and edge cases of dot, matmul and tensordot (values and gradients are in cases_blas.py)."""
import numpy as np
import pytest

from symkeras.graph import function, grad, matrix, tensor, tensor3, vector
from symkeras.ops import blas as B
from symkeras.ops import reduction as R


def test_dot_inner_mismatch_message():
    with pytest.raises(ValueError, match=r"^Dot: shapes \(None, 784\) and \(100, 10\) are not aligned: 784 != 100$"):
        B.dot(matrix(shape=(None, 784)), matrix(shape=(100, 10)))


def test_dot_rank_error():
    with pytest.raises(TypeError, match=r"Dot: needs 1-D or 2-D operands, got shapes \(2, 3, 4\) and \(4, 5\)"):
        B.Dot()(tensor("float32", (2, 3, 4)), matrix(shape=(4, 5)))


def test_matmul_inner_mismatch():
    with pytest.raises(ValueError, match=r"Matmul: shapes \(None, 3, 4\) and \(2, 5, 6\) are not aligned: 4 != 5"):
        B.matmul(tensor("float32", (None, 3, 4)), tensor("float32", (2, 5, 6)))


def test_matmul_batch_mismatch():
    with pytest.raises(ValueError, match=r"Matmul: the batch dimensions of shapes \(2, 3, 4\) and \(5, 4, 6\)"):
        B.matmul(tensor("float32", (2, 3, 4)), tensor("float32", (5, 4, 6)))


def test_matmul_rejects_scalars():
    with pytest.raises(ValueError, match="matmul: operands must not be scalars"):
        B.matmul(tensor("float32", ()), matrix())


def test_matmul_unknown_batch_dim_must_not_broadcast_at_run_time():
    a, b = tensor3(dtype="float64"), tensor3(dtype="float64")
    f = function([a, b], B.matmul(a, b), mode="py")
    with pytest.raises(ValueError, match="would broadcast dimension 0"):
        f(np.ones((1, 2, 3)), np.ones((4, 3, 2)))


def test_dot_mismatch_at_run_time_names_op():
    a, b = matrix(dtype="float64"), matrix(dtype="float64")
    with pytest.raises(ValueError, match="Dot failed on inputs"):
        function([a, b], B.dot(a, b), mode="py")(np.ones((2, 3)), np.ones((4, 2)))


def test_tensordot_errors():
    a, b = tensor("float32", (2, 3, 4)), tensor("float32", (3, 5))
    with pytest.raises(ValueError, match=r"Tensordot: shapes \(2, 3, 4\) and \(3, 5\) are not aligned on axes \(2,\) and \(0,\): 4 != 3"):
        B.tensordot(a, b, 1)
    with pytest.raises(ValueError, match="1 axes of the first operand paired with 2"):
        B.tensordot(a, b, ([1], [0, 1]))
    with pytest.raises(ValueError, match="tensordot: axis 3 is out of range"):
        B.tensordot(a, b, ([3], [0]))
    with pytest.raises(ValueError, match="tensordot: cannot contract 3 axes"):
        B.tensordot(a, b, 3)


def test_batched_dot_needs_a_batch_axis():
    with pytest.raises(ValueError, match="batched_dot: operands need a batch axis"):
        B.batched_dot(vector(), matrix())


@pytest.mark.parametrize("sa, sb, want", [
    ((None, 784), (784, 10), (None, 10)),
    ((None, 784), (784,), (None,)),
    ((None, 1, 3, 4), (5, 4, None), (None, 5, 3, None)),
    ((4,), (None, 4, 2), (None, 2)),
    ((None, 3, 4), (4,), (None, 3)),
])
def test_static_shapes(sa, sb, want):
    assert B.matmul(tensor("float32", sa), tensor("float32", sb)).type.shape == want


def test_operator_and_kinds_of_node():
    a, b = matrix(), matrix()
    assert isinstance((a @ b).owner.op, B.Dot)
    assert isinstance((tensor3() @ b).owner.op, B.Matmul)
    assert isinstance(B.dot(tensor3(), tensor3()).owner.op, B.Tensordot)


def test_dtypes():
    assert B.dot(matrix(dtype="int32"), matrix(dtype="int32")).dtype == "int32"
    assert B.dot(matrix(dtype="float32"), matrix(dtype="float64")).dtype == "float64"
    assert B.outer(vector(dtype="float32"), vector(dtype="float32")).dtype == "float32"


def test_matmul_gradient_sums_broadcast_batch_dims():
    a, b = tensor("float64", (1, 2, 3)), tensor("float64", (4, 3, 2))
    ga, gb = grad(R.sum(B.matmul(a, b)), [a, b])
    assert ga.type.shape == (1, 2, 3) and gb.type.shape == (4, 3, 2)
    got_a, got_b = function([a, b], [ga, gb], mode="py")(np.ones((1, 2, 3)), np.ones((4, 3, 2)))
    np.testing.assert_allclose(got_a, np.full((1, 2, 3), 8.0))
    np.testing.assert_allclose(got_b, np.full((4, 3, 2), 2.0))


def test_dot_gradient_dtype_follows_each_input():
    a, b = matrix(dtype="float32", shape=(2, 3)), matrix(dtype="float64", shape=(3, 2))
    ga, gb = grad(R.sum(B.dot(a, b)), [a, b])
    assert (ga.dtype, gb.dtype) == ("float32", "float64")

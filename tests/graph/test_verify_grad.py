"""verify_grad: it accepts right gradients and catches wrong ones, reporting where."""
import numpy as np
import pytest

from symkeras.graph.basic import Apply, Op, as_tensor
from symkeras.graph.verify_grad import GradientError, numeric_grad, verify_grad
from symkeras.ops import elemwise as E
from symkeras.ops.reduction import sum as reduce_sum


class ScaledSquare(Op, abstract=True):  # abstract: kept out of OP_REGISTRY, it exists only for these tests
    """``x ** 2`` whose gradient is deliberately wrong: ``scale * 2x``, plus `bump` at flat element `at`."""

    __props__ = ("scale", "bump", "at")

    def __init__(self, scale: float = 1.0, bump: float = 0.0, at: int = 0):
        self.scale, self.bump, self.at = scale, bump, at

    def make_node(self, x):
        x = as_tensor(x)
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        return [inputs[0] ** 2]

    def grad(self, inputs, output_grads):
        (x,), (gz,) = inputs, output_grads
        bump = np.zeros(x.type.shape, dtype=x.dtype)
        bump.reshape(-1)[self.at] = self.bump
        return [gz * (self.scale * 2 * x + bump)]


def _rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda x: E.tanh(x) * x, [(3, 4)]),
        (lambda x, y: E.exp(x * y) + x, [(2, 3), (3,)]),
        (lambda x, w, b: E.sigmoid(x @ w + b), [(4, 3), (3, 2), (2,)]),
        (lambda x: reduce_sum(x ** 3), [(5,)]),
        (lambda x: x * 2.0, [()]),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("directional", [False, True])
def test_correct_gradients_pass(fn, shapes, dtype, directional):
    r = _rng(1)
    verify_grad(fn, [r.normal(size=s).astype(dtype) for s in shapes], rng=_rng(2), directional=directional)


def test_integer_inputs_are_passed_through():
    x = _rng().normal(size=(3, 4))
    idx = np.array([2, 0], dtype="int64")
    verify_grad(lambda x, i: E.tanh(x[i]), [x, idx])


def test_correct_custom_op_passes():
    verify_grad(ScaledSquare(), [_rng().normal(size=(2, 3))])


@pytest.mark.parametrize("directional", [False, True])
def test_a_wrong_gradient_is_caught(directional):
    with pytest.raises(GradientError) as info:
        verify_grad(ScaledSquare(scale=1.1), [_rng().normal(size=(2, 3))], directional=directional)
    assert isinstance(info.value, AssertionError)
    assert "ScaledSquare" in str(info.value) and "ScaledSquare" in str(info.value.ops)


def test_the_report_names_the_input_and_the_worst_element():
    x, y = _rng(3).normal(size=(4,)), _rng(4).normal(size=(2, 3))
    fn = lambda x, y: reduce_sum(E.tanh(x)) + ScaledSquare(bump=0.5, at=4)(y) * 2.0  # noqa: E731
    with pytest.raises(GradientError) as info:
        verify_grad(fn, [x, y])
    err = info.value
    assert err.input_index == 1 and err.index == (1, 1)
    assert 0.5 <= err.analytic - err.numeric < 1.5  # bump 0.5 times gz = 2 * projection weight in [0.5, 1.5)
    text = str(err)
    for part in ("input 1", "(1, 1)", "float64 (2, 3)", "abs error", "rel error", "Elemwise{tanh}", "ScaledSquare"):
        assert part in text, part


def test_fails_only_where_both_errors_exceed_tolerance():
    # a 0.1% error: relative 5e-4 exceeds 1e-4 everywhere, absolute only where values are large
    slightly_wrong = ScaledSquare(scale=1.001)
    verify_grad(slightly_wrong, [np.full((3,), 1e-3)])
    with pytest.raises(GradientError):
        verify_grad(slightly_wrong, [np.full((3,), 10.0)])
    verify_grad(slightly_wrong, [np.full((3,), 10.0)], rel_tol=1e-3)
    verify_grad(slightly_wrong, [np.full((3,), 10.0)], abs_tol=0.1)


def test_float32_tolerance_is_looser():
    x = np.full((3,), 2.0)
    verify_grad(ScaledSquare(scale=1.004), [x.astype("float32")])
    with pytest.raises(GradientError):
        verify_grad(ScaledSquare(scale=1.004), [x])


def test_nan_gradient_fails():
    with pytest.raises(GradientError):
        verify_grad(lambda x: ScaledSquare(scale=np.nan)(x), [np.ones(2)])


def test_numeric_grad_central_differences():
    x, y = np.array([1.0, -2.0, 0.5]), np.array([[3.0]])
    gx, gy = numeric_grad(lambda x, y: np.sum(x ** 3) * y[0, 0], [x, y], 1e-6)
    np.testing.assert_allclose(gx, 3 * x ** 2 * 3.0, rtol=1e-8)
    np.testing.assert_allclose(gy, [[np.sum(x ** 3)]], rtol=1e-8)
    (only_y,) = numeric_grad(lambda x, y: np.sum(x) * y[0, 0], [x, y], [1e-6], wrt=[1])
    np.testing.assert_allclose(only_y, [[x.sum()]], rtol=1e-8)


def test_numeric_grad_of_non_contiguous_inputs():
    """Regression: a transposed (Fortran-ordered) input used to be perturbed in a copy, giving zeros."""
    base = np.arange(1.0, 7.0).reshape(2, 3)
    x = base.T  # not C-contiguous
    assert not x.flags.c_contiguous
    (gx,) = numeric_grad(lambda x: np.sum(x ** 2 * np.arange(6.0).reshape(3, 2)), [x], 1e-6)
    np.testing.assert_allclose(gx, 2 * x * np.arange(6.0).reshape(3, 2), rtol=1e-7, atol=1e-8)
    np.testing.assert_array_equal(x, base.T)  # the caller's array is untouched


def test_verify_grad_with_a_transposed_input():
    x = _rng(3).normal(size=(4, 3)).T
    verify_grad(lambda x: reduce_sum(E.tanh(x) * x), [x])
    with pytest.raises(GradientError):
        verify_grad(lambda x: ScaledSquare(scale=1.0, bump=1.0, at=4)(x), [x], rng=_rng(2))


def test_bad_calls_raise():
    with pytest.raises(TypeError, match="float output"):
        verify_grad(lambda x: x.argmax(), [np.ones(3)])
    with pytest.raises(TypeError, match="no float input"):
        verify_grad(lambda i: E.cast(i, "float64"), [np.arange(3)])
    with pytest.raises(TypeError, match="one symbolic variable"):
        verify_grad(lambda x: [x, x], [np.ones(3)])


def test_disconnected_input_has_zero_gradient():
    verify_grad(lambda x, y: E.tanh(x), [np.ones(2), np.ones(3)])


def test_a_graph_of_several_ops_passes_repeatedly():
    verify_grad(lambda x: E.softplus(x) / (1.0 + x * x), [_rng().normal(size=(2, 3))], n_tests=3, rng=5)

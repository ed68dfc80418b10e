"""Property test: random graphs compute the same values with and without the optimizer."""
import numpy as np
from hypothesis import given, settings, strategies as st

from symkeras import graph as G
from symkeras.ops import elemwise as E, nnet, reduction as R, shape as SH
from symkeras.ops.blas import dot

N = 4

UNARY = {
    "tanh": E.tanh, "sigmoid": E.sigmoid, "neg": E.neg, "square": lambda x: x ** 2, "exp_tanh": lambda x: E.exp(E.tanh(x)),
    "log1p_sq": lambda x: E.log(1 + x * x), "log_sigmoid": lambda x: E.log(E.sigmoid(x)),
    "log_one_minus_sigmoid": lambda x: E.log(1 - E.sigmoid(x)), "relu": E.relu, "transpose": lambda x: x.T,
    "transpose_twice": lambda x: x.T.T, "reshape_round_trip": lambda x: SH.reshape(SH.reshape(x, (N * N,)), (N, N)),
    "times_one": lambda x: x * 1, "plus_zero": lambda x: 0 + x, "times_zero_plus": lambda x: x * 0 + x,
    "double_neg": lambda x: -(-x), "softmax": nnet.softmax, "log_softmax_by_hand": lambda x: E.log(nnet.softmax(x)),
    "row_sum": lambda x: R.sum(x, axis=1, keepdims=True) + x, "col_mean": lambda x: x - R.mean(x, axis=0, keepdims=True),
    "max_rows": lambda x: R.max(x, axis=1, keepdims=True) * x, "logsumexp_by_hand": lambda x: E.log(R.sum(E.exp(x), axis=0)) + x,
    "pow_half": lambda x: (x * x + 1) ** 0.5, "expm1_by_hand": lambda x: E.exp(E.tanh(x)) - 1,
}
BINARY = {
    "add": E.add, "sub": E.sub, "mul": E.mul, "maximum": E.maximum, "dot": dot,
    "div_safe": lambda a, b: a / (1 + b * b), "self_sub": lambda a, b: a - a + b,
    "dot_bias": lambda a, b: dot(a, b) + R.sum(b, axis=0),
}

instruction = st.one_of(
    st.tuples(st.sampled_from(sorted(UNARY)), st.integers(0, 50)),
    st.tuples(st.sampled_from(sorted(BINARY)), st.integers(0, 50), st.integers(0, 50)),
)


def build(program, inputs):
    pool = list(inputs)
    for step in program:
        name, *refs = step
        args = [pool[r % len(pool)] for r in refs]
        pool.append((UNARY.get(name) or BINARY[name])(*args))
    return R.sum(pool[-1]) + R.sum(pool[len(pool) // 2])


@settings(max_examples=60, deadline=None)
@given(program=st.lists(instruction, min_size=1, max_size=12), seed=st.integers(0, 2 ** 16))
def test_optimized_graph_computes_the_same_values(program, seed):
    inputs = [G.tensor("float64", (N, N), name=f"x{k}") for k in range(3)]
    cost = build(program, inputs)
    outputs = [cost] + G.grad(cost, inputs, disconnected_inputs="ignore")
    plain = G.function(inputs, outputs, mode="py", optimizer=None)
    fast = G.function(inputs, outputs, mode="py", optimizer="fast_run")
    values = [np.random.default_rng(seed + k).normal(size=(N, N)) for k in range(3)]
    for want, got in zip(plain(*values), fast(*values)):
        finite = np.isfinite(want)
        np.testing.assert_allclose(got[finite], want[finite], rtol=1e-7, atol=1e-9)

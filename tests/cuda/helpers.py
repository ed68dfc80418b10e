"""Shared pieces of the CUDA linker tests: shapes per tier, and the mode-"cuda"-equals-mode-"py" check.

Under the simulator (CI) shapes are tiny: every CUDA thread is a Python thread there.  On a
real GPU (scripts/gpu_check.sh) the same tests run at sizes that span many blocks and tiles.
"""
import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph.linker.cuda import device as D
from symkeras.ops import nnet as N
from symkeras.ops import reduction as R

ON_GPU = D.is_available()
#: a size that spans several tiles and blocks on a GPU, and stays tiny under the simulator
BIG = 300 if ON_GPU else 5

gpu_only = pytest.mark.skipif(not ON_GPU, reason="needs a CUDA GPU (run scripts/gpu_check.sh)")


def match_py(inputs, outputs, values, rtol=1e-5, atol=1e-6, **kwargs):
    """Compile `outputs` in modes "cuda" and "py", call both on `values`, assert equal results; return the cuda function."""
    f = G.function(inputs, outputs, mode="cuda", **kwargs)
    got = f(*values)
    want = G.function(inputs, outputs, mode="py", **kwargs)(*values)
    for k, (g, w) in enumerate(zip(got, want)):
        assert isinstance(g, np.ndarray), f"output {k} is {type(g).__name__}, not numpy"
        assert g.dtype == w.dtype and g.shape == w.shape, (k, g.dtype, w.dtype, g.shape, w.shape)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, err_msg=f"output {k}")
    return f


def mlp_step(mode: str, n_in: int, n_hidden: int, n_out: int):
    """Dense relu -> softmax crossentropy -> SGD with momentum, as one function; returns (f, params)."""
    init = np.random.default_rng(1)
    x, y = G.matrix("x"), G.matrix("y")
    shapes = [(n_in, n_hidden), (n_hidden,), (n_hidden, n_out), (n_out,)]
    params = [G.shared((init.normal(size=s) * 0.3).astype("float32"), name=f"p{k}") for k, s in enumerate(shapes)]
    w1, b1, w2, b2 = params
    loss = R.mean(N.categorical_crossentropy(y, N.softmax(G.ops.relu(x @ w1 + b1) @ w2 + b2)))
    updates = []
    for p, g in zip(params, G.grad(loss, params)):
        v = G.shared(np.zeros(p.get_value().shape, "float32"))
        updates += [(v, 0.9 * v - 0.1 * g), (p, p + 0.9 * v - 0.1 * g)]
    return G.function([x, y], loss, updates=updates, mode=mode), params

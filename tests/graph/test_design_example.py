"""The example of DESIGN.md ("Data flow") runs as written and computes the right numbers."""
import io

import numpy as np

from symkeras import graph as G


def test_design_example_runs_as_written():
    x = G.matrix("x"); w = G.shared(np.ones((3, 2), "float32"), name="w")
    cost = G.ops.sum(G.ops.tanh(x @ w) ** 2)
    g = G.grad(cost, w)
    f = G.function([x], [cost, g], updates=[(w, w - 0.1 * g)])
    text = G.debugprint(f, file=io.StringIO())
    assert "update of w" in text and "Dot" in text

    xv = np.arange(6, dtype="float32").reshape(2, 3) / 10
    h = np.tanh(xv @ np.ones((3, 2)))
    want_cost, want_grad = (h ** 2).sum(), xv.T @ (2 * h * (1 - h ** 2))
    got_cost, got_grad = f(xv)
    np.testing.assert_allclose(got_cost, want_cost, rtol=1e-5)
    np.testing.assert_allclose(got_grad, want_grad, rtol=1e-5)
    np.testing.assert_allclose(w.get_value(), 1 - 0.1 * want_grad, rtol=1e-5)


"""Whole training steps in mode "cuda": the graph-level MLP, a Keras fit, and where shared storage lives."""
import numpy as np

from symkeras import graph as G
from symkeras.graph import config
from symkeras.graph.linker.cuda import device as D
from tests.cuda.helpers import BIG, gpu_only, mlp_step

rng = np.random.default_rng(0)


def test_mlp_training_steps_match_py_and_state_stays_on_the_device():
    n_in, n_hidden, n_out = BIG + 4, BIG + 1, 3
    xv = rng.normal(size=(BIG + 2, n_in)).astype("float32")
    yv = np.eye(n_out, dtype="float32")[rng.integers(0, n_out, BIG + 2)]
    (fc, pc), (fp, pp) = mlp_step("cuda", n_in, n_hidden, n_out), mlp_step("py", n_in, n_hidden, n_out)
    for _ in range(3):
        np.testing.assert_allclose(fc(xv, yv), fp(xv, yv), rtol=1e-4)
    assert fc.thunk.fallback_ops == []
    assert all(D.is_device(p.container[0]) for p in pc)  # weights never came back to the host
    for a, b in zip(pc, pp):
        value = a.get_value()  # the host copy is synchronised on read
        assert isinstance(value, np.ndarray) and D.is_device(a.container[0])
        np.testing.assert_allclose(value, b.get_value(), rtol=1e-4, atol=1e-5)
    # set_value puts a host value that the next call uploads
    for a, b in zip(pc, pp):
        a.set_value(b.get_value() * 0.5)
        b.set_value(b.get_value() * 0.5)
    np.testing.assert_allclose(fc(xv, yv), fp(xv, yv), rtol=1e-4)


def test_keras_fit_in_cuda_mode_matches_py(monkeypatch):
    from symkeras.layers import Dense, Dropout
    from symkeras.models import Sequential
    from symkeras.utils import set_random_seed

    xv = rng.normal(size=(8, 6)).astype("float32")
    yv = np.eye(3, dtype="float32")[rng.integers(0, 3, 8)]
    weights = {}
    for mode in ("cuda", "py"):
        monkeypatch.setattr(config, "default_mode", mode)
        set_random_seed(3)
        model = Sequential([Dense(5, activation="relu", input_shape=(6,)), Dropout(0.3), Dense(3, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
        history = model.fit(xv, yv, batch_size=4, epochs=1, shuffle=False, verbose=0)
        weights[mode] = (model.get_weights(), history.history["loss"], model.predict(xv))
    for got, want in zip(weights["cuda"][0] + [weights["cuda"][2]], weights["py"][0] + [weights["py"][2]]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(weights["cuda"][1], weights["py"][1], rtol=1e-4)


@gpu_only
def test_device_arrays_are_accepted_as_inputs():
    x = G.matrix("x")
    f = G.function([x], G.ops.exp(x) * 2.0, mode="cuda")
    xv = rng.normal(size=(64, 33)).astype("float32")
    np.testing.assert_allclose(f(D.to_device(xv)), np.exp(xv) * 2, rtol=1e-6)


@gpu_only
def test_w1_mlp_step_on_the_gpu_matches_py():
    xv = rng.normal(size=(128, 784)).astype("float32")
    yv = np.eye(10, dtype="float32")[rng.integers(0, 10, 128)]
    (fc, pc), (fp, pp) = mlp_step("cuda", 784, 512, 10), mlp_step("py", 784, 512, 10)
    for _ in range(2):
        np.testing.assert_allclose(fc(xv, yv), fp(xv, yv), rtol=1e-3)
    for a, b in zip(pc, pp):
        np.testing.assert_allclose(a.get_value(), b.get_value(), rtol=1e-3, atol=1e-4)

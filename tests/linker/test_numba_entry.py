"""The entry point of a split module runs as Python until a helper process has compiled it; results never change."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np

SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    from symkeras import graph as G
    from symkeras.graph.linker.numba import codegen, entry

    codegen.KERNEL_SPLIT_MIN_NODES = 0  # split even this small graph into kernels and glue
    entry.COMPILE_AFTER_CALLS = 2
    if len(sys.argv) > 1:  # no helper process can start: everything compiles here
        def refuse(*args, **kwargs):
            raise OSError("no processes here")
        entry.compile_worker.subprocess.Popen = refuse
    rng = np.random.default_rng(0)
    x = G.matrix("x")
    w = G.shared(rng.normal(size=(4, 3)).astype("float32"), name="w")
    b = G.shared(np.zeros(3, "float32"), name="b")
    step = G.shared(np.float32(1), name="step")
    h = G.ops.tanh(x @ w + b)
    cost = G.ops.mean(h ** 2) + 0.01 * G.ops.sum(w ** 2)
    gw, gb = G.grad(cost, [w, b])
    lr = 0.5 * G.ops.exp(-0.37 * step) / G.ops.sqrt(step)
    f = G.function([x], cost, updates=[(w, w - lr * gw), (b, b - lr * gb), (step, step + 1)], mode="numba")
    xv = rng.normal(size=(5, 4)).astype("float32")
    modes, costs = [], []
    for k in range(6):
        if k == 3:
            f.thunk.entry.wait()
        modes.append(f.thunk.entry.compiled)
        costs.append(float(f(xv)))
    print(json.dumps({"modes": modes, "costs": costs, "w": w.get_value().tolist()}))
""")


def _run(cache_dir, *flags) -> dict:
    env = dict(os.environ, SYMKERAS_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", SCRIPT, *flags], env=env, capture_output=True, text=True,
                          check=True)
    return dict(json.loads(done.stdout.splitlines()[-1]), stderr=done.stderr)


def test_python_glue_hands_over_to_the_compiled_entry_point_without_changing_results(tmp_path):
    cold = _run(tmp_path)
    # call 1 and 2 run as Python (the helper starts at call 2); from call 4 the compiled entry point from the cache
    assert cold["modes"][:2] == [False, False] and cold["modes"][3:] == [True, True, True], cold["modes"]
    warm = _run(tmp_path)
    assert warm["modes"] == [False] + [True] * 5  # found in the disk cache on the first call
    assert warm["costs"] == cold["costs"] and warm["w"] == cold["w"]  # bit for bit
    assert np.all(np.diff(cold["costs"]) < 0)


def test_without_helper_processes_the_entry_point_compiles_in_process(tmp_path):
    alone = _run(tmp_path, "--no-helpers")
    assert alone["modes"] == [False, False, True, True, True, True]  # compiled here at call 2
    assert "cannot start a compile helper process" in alone["stderr"]
    assert alone["costs"] == _run(tmp_path)["costs"]


def _small_cnn(keras):
    L = keras.layers
    model = keras.models.Sequential([L.Conv2D(2, 3, activation="relu", input_shape=(6, 6, 1)), L.MaxPooling2D(),
                                     L.Dropout(0.5), L.Flatten(), L.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    rng = np.random.default_rng(0)
    return model, rng.random((4, 6, 6, 1), dtype="float32"), np.eye(3, dtype="float32")[[0, 1, 2, 0]]


def _small_lstm(keras):
    L = keras.layers
    model = keras.models.Sequential([L.Embedding(10, 4, input_length=5), L.LSTM(3, dropout=0.2, recurrent_dropout=0.2),
                                     L.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="adam")
    rng = np.random.default_rng(0)
    return model, rng.integers(1, 10, (4, 5)).astype("int32"), np.array([[0], [1], [1], [0]], "float32")


def test_traced_kernel_signatures_are_the_ones_the_step_uses(monkeypatch):
    """The prefetch trace (numpy references standing in for kernels) predicts every kernel call's Numba types."""
    import symkeras as keras
    from symkeras.graph import config
    from symkeras.graph.linker.numba import entry, prefetch

    monkeypatch.setattr(config, "default_mode", "numba")
    calls = {}
    real_call = entry.GlueFirst.__call__

    def recording(self, *args):
        calls.setdefault(self, args)
        return real_call(self, *args)

    monkeypatch.setattr(entry.GlueFirst, "__call__", recording)
    monkeypatch.setattr(entry.GlueFirst, "_take_compiled", lambda self: None)  # kernels called from Python glue
    for build in (_small_cnn, _small_lstm):
        calls.clear()
        model, x, y = build(keras)
        model.train_on_batch(x, y)
        (glue, args), = calls.items()
        traced = prefetch.trace_kernel_calls(glue.module, glue.kernel_nodes, args)
        assert len(traced) >= 10
        for name, signature in traced:
            assert signature in getattr(glue.module, name).overloads, (name, signature)


def test_helper_processes_can_be_turned_off(monkeypatch):
    """``SYMKERAS_COMPILE_HELPERS=0``: a split module's entry point is the compiled ``run`` from the first call."""
    from numba.core.dispatcher import Dispatcher

    from symkeras import graph as G
    from symkeras.graph import config
    from symkeras.graph.linker.numba import codegen, entry

    monkeypatch.setattr(codegen, "KERNEL_SPLIT_MIN_NODES", 0)
    x = G.matrix("x")
    for helpers, kind in ((True, entry.GlueFirst), (False, Dispatcher)):
        monkeypatch.setattr(config, "compile_helpers", helpers)
        f = G.function([x], G.ops.tanh(x) * 2 + G.ops.sum(x), mode="numba")
        assert isinstance(f.thunk.entry, kind)
        np.testing.assert_allclose(f(np.ones((2, 2), "float32")), np.tanh(1) * 2 + 4, rtol=1e-6)


def test_only_exactly_rounded_scalar_arithmetic_stays_in_the_glue():
    """0-d +, -, *, /, negation and casts to floats give numpy's bits compiled too: no kernel of their own."""
    from symkeras import graph as G
    from symkeras.graph.linker.numba.codegen import _exact_scalar_arithmetic
    from symkeras.ops import elemwise as E

    s, t, n = G.scalar("s"), G.scalar("t"), G.scalar("n", dtype="int64")
    v = G.vector("v")
    exact = [s + t, -(s * t) / (t - s), E.cast(n, "float32") / s]
    inexact = [E.exp(s), s ** t, E.cast(s, "int32"), v + 1, E.sqrt(s)]
    assert [_exact_scalar_arithmetic(e.owner) for e in exact] == [True] * len(exact)
    assert [_exact_scalar_arithmetic(e.owner) for e in inexact] == [False] * len(inexact)
    for expression, want in ((-(s * t) / (t - s), True), (E.exp(s) * t, False)):  # fused: one Composite each
        (node,) = G.function([s, t], expression, mode="py").fgraph.apply_nodes
        assert "Composite" in str(node.op) and _exact_scalar_arithmetic(node) == want


def test_a_kernel_loaded_from_the_disk_cache_can_be_called_by_code_compiled_later(tmp_path):
    """`load_cached` registers what it loads as Numba's own cache hits do: a compiled caller can then call it."""
    import importlib.util

    import numba

    from symkeras.graph.linker.numba.prefetch import load_cached

    source = tmp_path / "cached_kernel.py"
    source.write_text("from numba import njit\n\n@njit(cache=True)\ndef kernel(a):\n    return a.sum() * 2.0\n")
    signature = (numba.float64[::1],)

    def fresh_module(name: str):
        spec = importlib.util.spec_from_file_location(name, source)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    fresh_module("compiles_it").kernel.compile(signature)  # into the disk cache
    kernel = fresh_module("loads_it").kernel
    assert load_cached(kernel, signature)
    caller = numba.njit(lambda a: kernel(a) + 1.0)
    assert caller(np.arange(4.0)) == 13.0


def test_a_cold_first_step_starts_its_compile_helper_before_it_compiles_blas(monkeypatch, tmp_path):
    """Importing a generated module compiles nothing; on an empty cache the helper starts, then `prepare` runs."""
    from symkeras import graph as G
    from symkeras.graph import config
    from symkeras.graph.linker.numba import cache, codegen, prefetch

    monkeypatch.setenv("SYMKERAS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "_loaded", {})  # as in a new process: no module of this graph imported yet
    monkeypatch.setattr(config, "compile_helpers", True)
    monkeypatch.setattr(codegen, "KERNEL_SPLIT_MIN_NODES", 0)
    events = []
    monkeypatch.setattr(prefetch.compile_worker, "start", lambda jobs, low_priority: events.append("helper"))
    real_prepare = prefetch.prepare
    monkeypatch.setattr(prefetch, "prepare", lambda module: (events.append("prepare"), real_prepare(module)))
    rng = np.random.default_rng(1)
    x = G.matrix("x")
    w = G.shared(rng.normal(size=(4, 3)).astype("float32"), name="w")
    cost = G.ops.mean(G.ops.tanh(x @ w) ** 2)
    (gw,) = G.grad(cost, [w])
    f = G.function([x], cost, updates=[(w, w - 0.1 * gw)], mode="numba")
    lines = f.thunk.source.splitlines()
    assert "def prepare():" in lines and "    require_gemm('float32')" in lines  # written into prepare() ...
    assert not any(line.startswith("require_") for line in lines) and events == []  # ... not run on import
    xv = rng.normal(size=(5, 4)).astype("float32")
    w0 = w.get_value()
    got = float(f(xv))
    assert events == ["helper", "prepare"]
    assert np.isclose(got, np.mean(np.tanh(xv @ w0) ** 2), rtol=1e-5)


def test_while_helpers_compile_blas_keeps_one_thread_where_that_changes_no_result():
    from symkeras.graph.linker.numba import entry
    from symkeras.graph.linker.numba.cblas import blas_threads, set_blas_threads

    class Helper:  # a helper process, as far as polling goes
        returncode = None

        def poll(self):
            return self.returncode

    saved = set_blas_threads(2)
    try:
        on, first, second = entry.CoreYield(enabled=True), Helper(), Helper()
        on.start(first)
        on.start(second)  # a second function's helper
        assert blas_threads() == 1
        first.returncode = 0
        on.poll()
        assert blas_threads() == 1, "one helper still runs"
        second.returncode = 1  # failed or not, it no longer takes a core
        on.poll()
        assert blas_threads() == 2 and not on.workers
        off = entry.CoreYield(enabled=False)  # a library whose bits depend on the thread count
        off.start(Helper())
        assert blas_threads() == 2 and not off.workers
    finally:
        set_blas_threads(saved)


def test_the_glue_is_compiled_only_when_it_takes_enough_of_a_call(monkeypatch, tmp_path):
    """The calls before `COMPILE_AFTER_CALLS` time the Python glue apart from its kernels; under `MIN_GLUE_SHARE`
    of their time (a CNN's glue: ~1% of a step) no helper compiles it, and results are the same either way."""
    from symkeras import graph as G
    from symkeras.graph import config
    from symkeras.graph.linker.numba import codegen, entry

    monkeypatch.setenv("SYMKERAS_CACHE_DIR", str(tmp_path))  # no compiled entry point from an earlier run
    monkeypatch.setattr(codegen, "KERNEL_SPLIT_MIN_NODES", 0)
    monkeypatch.setattr(config, "compile_helpers", True)
    monkeypatch.setattr(entry, "COMPILE_AFTER_CALLS", 6)
    entry_jobs = []

    def no_helper(jobs, low_priority):  # as where no process can start: the caller compiles in-process
        entry_jobs.extend(kind for _, kind, _ in jobs if kind == "run")

    monkeypatch.setattr(entry.compile_worker, "start", no_helper)
    x = G.matrix("x")
    xv = np.arange(6, dtype="float32").reshape(2, 3) / 6
    expected = np.tanh(xv) * 3 - xv.sum() / 4
    outcomes = []
    for least_share in (1.01, 0.0):  # more than any glue takes; nothing
        monkeypatch.setattr(entry, "MIN_GLUE_SHARE", least_share)
        entry_jobs.clear()
        f = G.function([x], G.ops.tanh(x) * 3 - G.ops.sum(x) / 4, mode="numba")
        results = [f(xv) for _ in range(8)]
        glue = f.thunk.entry
        assert glue._timer.calls == 3 and 0 < glue._timer.share < 1  # calls 3, 4 and 5
        outcomes.append((glue.compiled, list(entry_jobs)))
        for result in results:
            np.testing.assert_allclose(result, expected, rtol=1e-6)
    assert outcomes == [(False, []), (True, ["run"])]

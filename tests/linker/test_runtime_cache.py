"""Numba's cache of symkeras's own compiled functions lives in the per-user folder, never in the package."""
import importlib
from pathlib import Path

import numba
import numpy as np
import pytest

from symkeras.graph.linker import runtime_cache
from symkeras.graph.linker.numba.cache import RUNTIME_MODULES


def _cached_dispatchers(module):
    return [f for f in vars(module).values() if isinstance(f, numba.core.registry.CPUDispatcher) and f._cache]


@pytest.mark.parametrize("module_file", RUNTIME_MODULES)
def test_runtime_functions_cache_under_the_user_cache_folder(module_file):
    module = importlib.import_module("symkeras.graph.linker.numba." + module_file[:-3])
    dispatchers = _cached_dispatchers(module)
    if module_file == "intrinsics.py":  # LLVM intrinsics only: nothing Numba caches
        assert not dispatchers
        return
    assert dispatchers
    for function in dispatchers:
        assert function in runtime_cache._COMPILE_HERE  # compiles under a machine-wide lock (share_compilation)
        path = Path(function._cache._cache_path)
        assert path.is_relative_to(runtime_cache.runtime_cache_dir()), path
        assert not path.is_relative_to(runtime_cache.PACKAGE_ROOT), path


def test_functions_outside_the_package_keep_numba_s_own_locator(tmp_path):
    source = tmp_path / "user_module.py"
    source.write_text("def f(x):\n    return x + 1\n")
    namespace = {}
    exec(compile(source.read_text(), str(source), "exec"), namespace)
    function = numba.njit(cache=True)(namespace["f"])
    assert type(function._cache._impl.locator).__name__ != "PackageCacheLocator"
    assert not Path(function._cache._cache_path).is_relative_to(runtime_cache.runtime_cache_dir())


def test_install_is_idempotent():
    runtime_cache.install()
    runtime_cache.install()
    names = [c.__name__ for c in numba.core.caching.CacheImpl._locator_classes]
    assert names.count("PackageCacheLocator") == 1


HOLD_LOCK = """
import sys, time
from symkeras.graph.linker import runtime_cache
with runtime_cache.exclusive(sys.argv[1]) as held:
    print(held, flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold_lock(name: str, seconds: float):
    """A process holding lock `name` for `seconds` (it has the lock when this returns)."""
    import os
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, name, str(seconds)], stdout=subprocess.PIPE,
                              text=True, env=dict(os.environ))
    assert holder.stdout.readline().strip() == "True"
    return holder


def test_a_runtime_lock_is_held_by_one_process_at_a_time(monkeypatch, tmp_path):
    """While another process holds a lock, `exclusive` without waiting gets False; waiting, it gets it after."""
    import time

    monkeypatch.setenv("SYMKERAS_CACHE_DIR", str(tmp_path))
    holder = _hold_lock("test-lock", 1.5)
    start = time.perf_counter()
    with runtime_cache.exclusive("test-lock", wait=False) as held:
        assert held is False
    with runtime_cache.exclusive("other-lock", wait=False) as held:
        assert held is True
    with runtime_cache.exclusive("test-lock") as held:
        assert held is True and time.perf_counter() - start > 1.0  # once the holder let it go
    holder.wait()


def test_compile_all_compiles_what_no_other_process_holds_first(monkeypatch, tmp_path):
    """A job whose lock another process holds waits until the free ones are compiled, then compiles after it."""
    import time

    from numba import types

    from symkeras.graph.linker.numba.copies import copy_into

    monkeypatch.setenv("SYMKERAS_CACHE_DIR", str(tmp_path))
    held_job = (types.Array(types.int8, 3, "A"), types.Array(types.int8, 3, "A"))
    free_job = (types.Array(types.uint16, 3, "A"), types.Array(types.uint16, 3, "A"))
    compiled = []
    compile_here = runtime_cache._COMPILE_HERE[copy_into]

    def recording(signature):
        compiled.append((signature, time.perf_counter()))
        return compile_here(signature)

    monkeypatch.setitem(runtime_cache._COMPILE_HERE, copy_into, recording)
    holder = _hold_lock(runtime_cache.lock_name(copy_into, held_job), 1.5)
    start = time.perf_counter()
    runtime_cache.compile_all([(copy_into, held_job), (copy_into, free_job)])
    holder.wait()
    assert [signature for signature, _ in compiled] == [free_job, held_job]
    assert compiled[1][1] - start > 1.0  # after the other process let go
    src = np.arange(24, dtype="int8").reshape(2, 3, 4)[:, ::-1]
    dst = np.zeros((2, 3, 4), "int8")
    copy_into(dst, src)
    np.testing.assert_array_equal(dst, src)


def test_a_locked_runtime_function_still_compiles_a_new_signature_when_called():
    """`share_compilation` wraps ``compile``, which Numba's own call path uses for a new signature."""
    from symkeras.graph.linker.numba.copies import copy_into

    src = np.arange(12, dtype="int16").reshape(3, 4)[:, ::-1]
    dst = np.zeros((3, 4), "int16")
    copy_into(dst, src)
    np.testing.assert_array_equal(dst, src)

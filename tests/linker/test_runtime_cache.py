"""Numba's cache of symkeras's own compiled functions lives in the per-user folder, never in the package."""
import importlib
from pathlib import Path

import numba
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

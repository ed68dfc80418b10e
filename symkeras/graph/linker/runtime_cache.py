"""Numba's disk cache for symkeras's own compiled functions, in the per-user cache folder.

Numba caches a ``@njit(cache=True)`` / ``@cuda.jit(cache=True)`` function of a regular
module next to its source, in ``__pycache__``: inside the installed package.  The
locator registered here sends the functions defined in symkeras's source tree to
``<cache dir>/runtime`` instead (generated modules already live in the cache folder).
A user's ``NUMBA_CACHE_DIR`` still wins.  A module defining such functions calls
`install` first (the CUDA linker for numba-cuda's caching).
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Optional

PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def runtime_cache_dir() -> Path:
    """Where compiled symkeras runtime functions are cached (a subfolder of the compile cache)."""
    from symkeras.graph.linker.numba.cache import cache_dir

    return cache_dir() / "runtime"


def _in_package(py_file: str) -> bool:
    try:
        return Path(py_file).resolve().is_relative_to(PACKAGE_ROOT)
    except OSError:
        return False


def _locator_class(caching):
    """A locator class for Numba caching module `caching` (the CPU's or numba-cuda's copy)."""
    base = getattr(caching, "UserProvidedCacheLocator", None) or caching._UserProvidedCacheLocator

    class PackageCacheLocator(base):
        """Cache symkeras's own functions under `runtime_cache_dir`."""

        def __init__(self, py_func, py_file):
            super().__init__(py_func, py_file)
            self._cache_path = str(runtime_cache_dir() / self.get_suitable_cache_subpath(py_file))

        @classmethod
        def from_function(cls, py_func, py_file) -> Optional["PackageCacheLocator"]:
            if caching.config.CACHE_DIR or not _in_package(py_file):
                return None
            return super(base, cls).from_function(py_func, py_file)

    return PackageCacheLocator


def install(caching_module: str = "numba.core.caching") -> None:
    """Put the package locator first in Numba caching module `caching_module` (the CPU's, or
    ``numba.cuda.core.caching``); idempotent, and a no-op where that module does not exist."""
    try:
        caching = importlib.import_module(caching_module)
    except ImportError:
        return
    impl = caching.CacheImpl
    if not any(getattr(c, "__name__", "") == "PackageCacheLocator" for c in impl._locator_classes):
        impl._locator_classes = [_locator_class(caching)] + list(impl._locator_classes)

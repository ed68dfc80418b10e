"""Numba's disk cache for symkeras's own compiled functions, in the per-user cache folder.

Numba caches a ``@njit(cache=True)`` / ``@cuda.jit(cache=True)`` function of a regular
module next to its source, in ``__pycache__``: inside the installed package.  The
locator registered here sends the functions defined in symkeras's source tree to
``<cache dir>/runtime`` instead (generated modules already live in the cache folder).
A user's ``NUMBA_CACHE_DIR`` still wins.  A module defining such functions calls
`install` first (the CUDA linker for numba-cuda's caching).

A cold start runs a training step and helper processes compiling beside it, which often
need the same runtime function at once (the convolution and pooling tasks: 3.2 s and 1.5 s).  The CPU
runtime modules end with `share_compilation`: a process compiles a runtime function's new
signature only while it holds that signature's lock (`exclusive`), and one that waited
loads what the other compiled from the disk cache instead of compiling it again;
`compile_all` takes the free ones first, so that two processes share the work.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional, Sequence, Tuple

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


@contextlib.contextmanager
def exclusive(name: str, wait: bool = True) -> Iterator[bool]:
    """Hold the machine-wide lock `name` (an ``flock`` on a file in `runtime_cache_dir`, which the system
    releases if the process dies): yields whether it is held — always, with `wait`; without, False at once
    if another process holds it.  Where the platform has no ``fcntl`` there is no lock: True."""
    try:
        import fcntl
    except ImportError:
        yield True
        return
    folder = runtime_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


#: each `share_compilation` dispatcher's own ``compile``
_COMPILE_HERE: Dict[object, Callable] = {}


def share_compilation(namespace: dict) -> None:
    """Make each cached Numba function defined in module `namespace` (its ``globals()``) compile a new
    signature under that signature's `exclusive` lock, so that two processes never compile it at once:
    Numba's ``compile`` looks in the disk cache first, where the process that held the lock put it."""
    from numba.core.dispatcher import Dispatcher

    for value in list(namespace.values()):
        if isinstance(value, Dispatcher) and value.py_func.__module__ == namespace["__name__"]:
            _COMPILE_HERE[value] = value.compile
            value.compile = functools.partial(_compile_waiting, value)


def compile_all(jobs: Sequence[Tuple[object, object]]) -> None:
    """Compile (or load from the disk cache) each ``(dispatcher, signature)`` of `jobs` (dispatchers of
    `share_compilation` modules): first those no other process is compiling, then the others, waiting for
    them — two processes needing the same runtime compile it half each instead of one waiting."""
    waiting = [(dispatcher, signature) for dispatcher, signature in jobs
               if not _compile_exclusively(dispatcher, signature, wait=False)[0]]
    for dispatcher, signature in waiting:
        dispatcher.compile(signature)


def _compile_exclusively(dispatcher, signature, wait: bool = True) -> Tuple[bool, object]:
    """The dispatcher's own ``compile(signature)`` under the signature's lock: ``(True, what it returned)``,
    or ``(False, None)`` without `wait` when another process holds the lock."""
    from numba.core import sigutils

    compile_here = _COMPILE_HERE[dispatcher]
    args, _ = sigutils.normalize_signature(signature)
    if args in dispatcher.overloads:
        return True, compile_here(signature)
    with exclusive(lock_name(dispatcher, args), wait) as held:
        return (True, compile_here(signature)) if held else (False, None)


def lock_name(dispatcher, args: tuple) -> str:
    """The `exclusive` lock under which `dispatcher` compiles argument types `args`."""
    digest = hashlib.sha256(repr(tuple(args)).encode()).hexdigest()[:16]
    return f"{dispatcher.py_func.__module__}.{dispatcher.py_func.__qualname__}-{digest}"


def _compile_waiting(dispatcher, signature):
    """What the dispatcher's own ``compile(signature)`` returns, compiled under the signature's lock."""
    return _compile_exclusively(dispatcher, signature)[1]

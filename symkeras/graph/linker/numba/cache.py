"""The compile cache: generated modules on disk, keyed by a hash of their source and the toolchain.

Each module is written once, atomically, to ``<cache dir>/k_<key>.py`` (default
``~/.cache/symkeras``, or ``$SYMKERAS_CACHE_DIR``), imported from there, and compiled
with ``njit(cache=True)`` so Numba's own disk cache serves later processes.  Source is
never `exec`-ed (Numba cannot cache that) and a file is never rewritten (Numba's
cache trusts its timestamp).  Only the generated source enters the key: weights and
constants are arguments, so their values never force a recompile.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Dict, List

_loaded: Dict[str, ModuleType] = {}


def cache_dir() -> Path:
    """The per-user folder for generated modules (created private to the user)."""
    root = Path(os.environ.get("SYMKERAS_CACHE_DIR") or Path.home() / ".cache" / "symkeras")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


#: modules whose compiled functions generated code calls: Numba's cache of a caller does not see them change
RUNTIME_MODULES = ("batch_loops.py", "cblas.py", "copies.py", "intrinsics.py")


@functools.lru_cache(maxsize=1)
def toolchain_fingerprint() -> str:
    """Versions that change what compiled code means, and a hash of the runtime modules it calls."""
    import numba
    import numpy

    import symkeras
    from symkeras.graph.linker.numba.codegen import CODEGEN_VERSION

    runtime = hashlib.sha256(b"".join((Path(__file__).parent / name).read_bytes() for name in RUNTIME_MODULES))
    return f"symkeras {symkeras.__version__} codegen {CODEGEN_VERSION} numba {numba.__version__} " \
           f"numpy {numpy.__version__} python {platform.python_version()} {platform.machine()} " \
           f"runtime {runtime.hexdigest()[:16]}"


def module_key(source: str) -> str:
    return hashlib.sha256((toolchain_fingerprint() + "\n" + source).encode()).hexdigest()[:32]


def load_module(source: str) -> ModuleType:
    """Import the module for `source`, writing it to the cache folder first if it is new."""
    key = module_key(source)
    if key in _loaded:
        return _loaded[key]
    path = cache_dir() / f"k_{key}.py"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".k_", suffix=".py")
        with os.fdopen(fd, "w") as handle:
            handle.write(source)
        os.replace(tmp, path)
    return import_module(key)


def load_kernel(key: str, name: str = "kernel"):
    """The function `name` of the cached module `key`, which the code generator wrote before naming it."""
    return getattr(_loaded.get(key) or import_module(key), name)


def import_module(key: str) -> ModuleType:
    """Import the cached generated module `key` (written earlier by `load_module`)."""
    path = cache_dir() / f"k_{key}.py"
    name = f"symkeras_kernel_{key}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _loaded[key] = module
    return module


def kernel_modules(module: ModuleType) -> List[ModuleType]:
    """A generated module followed by every kernel module its entry point calls."""
    kernels = [f for name, f in vars(module).items() if name.startswith("kernel_")]
    return [module] + [sys.modules[k.py_func.__module__] for k in kernels]


def module_source(module: ModuleType) -> str:
    """The source of a generated module followed by that of every kernel module it calls (for reading)."""
    return "\n".join(Path(m.__file__).read_text() for m in kernel_modules(module))


def prepare(module: ModuleType) -> None:
    """Compile, or load from the disk cache, the runtime functions that a generated module and its kernels
    call (each module's ``prepare()``): before any of their functions compiles or loads.

    Importing a module does not do it, so that a cold process can trace its first step and
    start a compile helper before it spends a second compiling BLAS calls.
    """
    for each in kernel_modules(module):
        if hasattr(each, "prepare"):
            each.prepare()


def loaded_modules() -> Dict[str, ModuleType]:
    return dict(_loaded)


def clear_cache() -> None:
    """Delete every generated module and Numba cache entry in the cache folder."""
    _loaded.clear()
    root = cache_dir()
    for entry in root.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(("k_", ".k_")):
            entry.unlink(missing_ok=True)

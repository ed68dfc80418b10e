"""symkeras: the Keras 2 API on a symbolic expression graph compiled to Numba.

``import symkeras as keras`` gives Keras 2.2.4's layout: the submodules ``utils``, ``activations``,
``backend``, ``datasets``, ``engine``, ``layers``, ``callbacks``, ``constraints``, ``initializers``,
``metrics``, ``models``, ``losses``, ``optimizers``, ``regularizers``, and ``Input``, ``Model``,
``Sequential`` at the top.  They are imported on first use, so that ``import symkeras`` stays cheap.
"""
import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = ("utils", "activations", "backend", "datasets", "engine", "layers", "callbacks", "constraints",
               "initializers", "metrics", "models", "losses", "optimizers", "regularizers")
#: top-level names and the module that defines them
_NAMES = {"Input": "symkeras.engine.input_layer", "Model": "symkeras.engine.training",
          "Sequential": "symkeras.engine.sequential", "clear_cache": "symkeras.graph.linker.numba.cache"}

__all__ = ["__version__", *_SUBMODULES, *_NAMES]


def __getattr__(name: str) -> Any:
    """Imports a submodule or a top-level name on first access (PEP 562)."""
    if name in _SUBMODULES:
        return importlib.import_module("symkeras." + name)
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'symkeras' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))

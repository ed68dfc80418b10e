"""The Keras engine: layers, the functional graph (`Network`), and models that train (`Model`).

`Model` and `Sequential` are looked up lazily: they live in `training.py` and
`sequential.py`, which import the rest of the engine.
"""
from symkeras.engine.base_layer import InputSpec, Layer, Node
from symkeras.engine.input_layer import Input, InputLayer
from symkeras.engine.network import Network, get_source_inputs

_LAZY = {"Model": "symkeras.engine.training", "Sequential": "symkeras.engine.sequential"}

__all__ = ["Input", "InputLayer", "InputSpec", "Layer", "Model", "Network", "Node", "Sequential",
           "get_source_inputs"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'symkeras.engine' has no attribute {name!r}")

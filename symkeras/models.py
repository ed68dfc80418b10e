"""Keras models (``keras.models``): `Model`, `Sequential`, saving and loading, and `clone_model`.

`Model` and `Sequential` are looked up lazily, like in `symkeras.engine`.
"""
from typing import Any, Dict, List

from symkeras import backend as K
from symkeras.engine.input_layer import Input, InputLayer
from symkeras.engine.network import Network
from symkeras.engine.saving import load_model, model_from_config, model_from_json, model_from_yaml, save_model
from symkeras.engine.training_utils import to_list

_LAZY = {"Model": "symkeras.engine.training", "Sequential": "symkeras.engine.sequential"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'symkeras.models' has no attribute {name!r}")


def _clone_layer(layer: Any) -> Any:
    """A new layer of the same class and config: same architecture, freshly initialized weights."""
    return type(layer).from_config(layer.get_config())


def _input_tensors(model: Network, input_tensors: Any) -> List[Any]:
    """The inputs of a clone: new `Input`s like the model's, or `input_tensors` (wrapped in `Input` if plain)."""
    if input_tensors is None:
        return [Input(batch_shape=layer.batch_input_shape, dtype=layer.dtype, sparse=layer.sparse, name=layer.name)
                for layer in model._input_layers]
    tensors = to_list(input_tensors)
    if len(tensors) != len(model._input_layers):
        raise ValueError(f"Model {model.name} has {len(model._input_layers)} inputs, but clone_model was given "
                         f"{len(tensors)} input tensors.")
    return [x if K.is_keras_tensor(x) else Input(tensor=x, name=f"input_wrapper_for_{layer.name}")
            for x, layer in zip(tensors, model._input_layers)]


def _clone_functional_model(model: Network, input_tensors: Any = None) -> Network:
    """Replays the graph of a functional model on new inputs with a clone of each layer (shared ones once)."""
    from symkeras.engine.training import Model

    if not getattr(model, "_is_graph_network", False):
        raise ValueError(f"Expected a functional `Model` instance, got a subclassed model {model.name}: it has "
                         f"no graph to clone.")
    new_inputs = _input_tensors(model, input_tensors)
    clones: Dict[int, Any] = {}
    tensors: Dict[int, Any] = {id(x): y for x, y in zip(model.inputs, new_inputs)}
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            layer = node.outbound_layer
            if isinstance(layer, InputLayer) or not all(id(x) in tensors for x in node.input_tensors):
                continue
            if id(layer) not in clones:
                clones[id(layer)] = _clone_layer(layer)
            args = [tensors[id(x)] for x in node.input_tensors]
            outputs = clones[id(layer)](args[0] if len(args) == 1 else args, **(node.arguments or {}))
            for x, y in zip(node.output_tensors, to_list(outputs)):
                tensors[id(x)] = y
    return Model(new_inputs, [tensors[id(x)] for x in model.outputs], name=model.name)


def _clone_sequential_model(model: Network, input_tensors: Any = None) -> Network:
    """A new `Sequential` model of clones of the layers, on `input_tensors` when given."""
    from symkeras.engine.sequential import Sequential

    layers = [_clone_layer(layer) for layer in model.layers]
    if input_tensors is None:
        return Sequential(layers=layers, name=model.name)
    tensors = to_list(input_tensors)
    if len(tensors) != 1:
        raise ValueError(f"To clone a `Sequential` model, we expect at most one tensor as part of "
                         f"`input_tensors`; got {len(tensors)}.")
    x = tensors[0]
    if not K.is_keras_tensor(x):
        x = Input(tensor=x, name=f"input_wrapper_for_{model.name}")
    origin = x._keras_history[0]
    if not isinstance(origin, InputLayer):
        raise ValueError(f"Cannot clone a `Sequential` model on top of a tensor that comes from a Keras layer "
                         f"other than an `InputLayer` (here {origin.name}). Use the functional API instead.")
    return Sequential(layers=[origin] + layers, name=model.name)


def clone_model(model: Network, input_tensors: Any = None) -> Network:
    """Clones a functional or Sequential model: the same architecture, new layers, fresh weights.

    A layer shared by several calls in `model` is cloned once and shared the same way in the
    clone.  The clone is not compiled; copy weights over with
    ``clone.set_weights(model.get_weights())``.

    # Arguments
        model: a `Model` or `Sequential` instance.
        input_tensors: optional list of input tensors (or one tensor) to build the clone
            upon; plain tensors are wrapped in `Input`. Default: new `Input`s.

    # Returns
        A new model instance.

    # Raises
        ValueError: for a subclassed model, or input tensors that do not fit the model.
    """
    from symkeras.engine.sequential import Sequential

    if isinstance(model, Sequential):
        return _clone_sequential_model(model, input_tensors=input_tensors)
    return _clone_functional_model(model, input_tensors=input_tensors)


__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_config", "model_from_json",
           "model_from_yaml", "save_model"]

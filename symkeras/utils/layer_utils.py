"""`print_summary` (the table of `model.summary()`, in Keras 2.2.4's exact format) and `count_params`."""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

from symkeras import backend as K


def count_params(weights: Sequence[Any]) -> int:
    """The number of scalars in a list of weights, each distinct variable counted once.

    # Arguments
        weights: weight variables.

    # Returns
        An int.
    """
    distinct = {id(w): w for w in weights}.values()
    return int(sum(K.count_params(w) for w in distinct))


def print_summary(model, line_length: Optional[int] = None, positions: Optional[Sequence[float]] = None,
                  print_fn: Optional[Callable[[str], Any]] = None) -> None:
    """Prints a summary of a model: one row per layer with its output shape and parameter count.

    A model whose graph is a chain gets the three-column table; any other gets a fourth
    column, "Connected to", listing the inbound ``layer[node][tensor]`` of each call.

    # Arguments
        model: a Keras model instance.
        line_length: total length of printed lines (default 65, or 98 with connections).
        positions: relative (fractions of `line_length`) or absolute ends of the columns
            (default ``[.45, .85, 1.]``, or ``[.33, .55, .67, 1.]`` with connections).
        print_fn: function called with each line (default `print`).
    """
    print_fn = print_fn or print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [.45, .85, 1.]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [.33, .55, .67, 1.]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    relevant_nodes = {id(node) for nodes in getattr(model, "_nodes_by_depth", {}).values() for node in nodes}

    def print_row(fields: List[Any]) -> None:
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line += str(field)
            line = line[:positions[i]]
            line += " " * (positions[i] - len(line))
        print_fn(line)

    print_fn("_" * line_length)
    print_row(headers)
    print_fn("=" * line_length)
    layers = model.layers
    for i, layer in enumerate(layers):
        try:
            output_shape = layer.output_shape
        except AttributeError:
            output_shape = "multiple"
        fields = [f"{layer.name} ({type(layer).__name__})", output_shape, layer.count_params()]
        if sequential_like:
            print_row(fields)
        else:
            connections = _connections(layer, relevant_nodes)
            print_row(fields + [connections[0] if connections else ""])
            for connection in connections[1:]:
                print_row(["", "", "", connection])
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)

    if hasattr(model, "_collected_trainable_weights"):
        # compiled: count what compile collected (and warn, as Keras does, if `trainable` changed since)
        model._check_trainable_weights_consistency()
        trainable = count_params(model._collected_trainable_weights)
    else:
        trainable = count_params(model.trainable_weights)
    non_trainable = count_params(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non_trainable:,}")
    print_fn("_" * line_length)


def _is_sequential_like(model) -> bool:
    """Whether the model is a chain: one node per depth, each with one inbound layer, no shared layer."""
    if type(model).__name__ == "Sequential" or not getattr(model, "_is_graph_network", False):
        return True
    nodes = []
    for depth_nodes in model._nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and len(depth_nodes[0].inbound_layers) > 1):
            return False
        nodes += depth_nodes
    node_ids = {id(node) for node in nodes}
    return all(sum(id(node) in node_ids for node in layer._inbound_nodes) <= 1 for layer in model.layers)


def _connections(layer, relevant_nodes) -> List[str]:
    """``inbound_layer[node_index][tensor_index]`` for each input of each call of `layer` in the model."""
    return [f"{inbound.name}[{node_index}][{tensor_index}]"
            for node in layer._inbound_nodes if not relevant_nodes or id(node) in relevant_nodes
            for inbound, node_index, tensor_index in zip(node.inbound_layers, node.node_indices,
                                                         node.tensor_indices)]

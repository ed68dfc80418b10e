"""The base `Layer`, its `InputSpec`, and the `Node` that records one call of a layer.

Calling a layer on symbolic tensors (``y = Dense(3)(x)``) builds its weights on the first
call, emits the layer's graph through `call`, and records a `Node`: which layers produced
the inputs, and which tensors came out.  The outputs carry that history as
``_keras_history = (layer, node_index, tensor_index)``, with their Keras shape in
``_keras_shape`` and ``_uses_learning_phase``; `Network` walks this history backwards
to find the graph between a model's inputs and outputs (Keras 2.2.4's design).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras import backend as K
from symkeras import constraints, initializers, regularizers
from symkeras.engine.training_utils import to_list, unpack_singleton
from symkeras.utils.generic_utils import has_arg
from symkeras.utils.layer_utils import count_params

Shape = Tuple[Optional[int], ...]

#: the keyword arguments every layer accepts (Keras 2.2.4's list; `input_dtype` is Keras 1's `dtype`)
_BASE_KWARGS = frozenset({"input_shape", "batch_input_shape", "batch_size", "dtype", "name", "trainable",
                          "weights", "input_dtype"})


class InputSpec(object):
    """Specifies the ndim, dtype and shape of every input to a layer.

    Every layer may set ``self.input_spec`` (one spec, or a list with one per input);
    `Layer.__call__` checks its inputs against it and raises a `ValueError` naming the
    layer.  A ``None`` entry in a shape means any size.

    # Arguments
        dtype: expected dtype of the input.
        shape: expected shape (a tuple, batch axis included); sets `ndim` too.
        ndim: expected number of axes.
        max_ndim: maximum number of axes.
        min_ndim: minimum number of axes.
        axes: dictionary mapping axes to an expected size (e.g. ``{-1: 784}``).

    # Example

    ```python
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
    ```
    """

    def __init__(self, dtype: Optional[str] = None, shape: Optional[Shape] = None, ndim: Optional[int] = None,
                 max_ndim: Optional[int] = None, min_ndim: Optional[int] = None,
                 axes: Optional[Dict[int, int]] = None):
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = axes or {}

    def __repr__(self) -> str:
        fields = ("dtype", "shape", "ndim", "max_ndim", "min_ndim", "axes")
        spec = [f"{name}={getattr(self, name)}" for name in fields if getattr(self, name)]
        return f"InputSpec({', '.join(spec)})"


class Node(object):
    """One call of a layer: the connection between the layers that made its inputs and itself.

    Each time a layer is called on Keras tensors, a Node is appended to the layer's
    ``_inbound_nodes`` and to the ``_outbound_nodes`` of each layer that produced an
    input.  Input number ``i`` is output ``tensor_indices[i]`` of node ``node_indices[i]``
    of layer ``inbound_layers[i]``.

    # Arguments
        outbound_layer: the layer that was called.
        inbound_layers: the layers that produced the inputs (``None`` for a plain tensor).
        node_indices: for each input, the node of its inbound layer that produced it.
        tensor_indices: for each input, its index among that node's outputs.
        input_tensors: the inputs of the call.
        output_tensors: the outputs of the call.
        input_masks: the masks of the inputs (``None`` entries for no mask).
        output_masks: the masks of the outputs.
        input_shapes: the Keras shapes of the inputs.
        output_shapes: the Keras shapes of the outputs.
        arguments: the keyword arguments of the call (``training=...``), replayed when a
            model runs its graph on new inputs.
    """

    def __init__(self, outbound_layer: "Layer", inbound_layers: Sequence[Optional["Layer"]],
                 node_indices: Sequence[Optional[int]], tensor_indices: Sequence[Optional[int]],
                 input_tensors: Sequence[Any], output_tensors: Sequence[Any], input_masks: Sequence[Any],
                 output_masks: Sequence[Any], input_shapes: Sequence[Optional[Shape]],
                 output_shapes: Sequence[Optional[Shape]], arguments: Optional[Dict[str, Any]] = None):
        self.outbound_layer = outbound_layer
        self.inbound_layers = list(inbound_layers)
        self.node_indices = list(node_indices)
        self.tensor_indices = list(tensor_indices)
        self.input_tensors = list(input_tensors)
        self.output_tensors = list(output_tensors)
        self.input_masks = list(input_masks)
        self.output_masks = list(output_masks)
        self.input_shapes = list(input_shapes)
        self.output_shapes = list(output_shapes)
        self.arguments = arguments
        for layer in self.inbound_layers:
            if layer is not None:
                layer._outbound_nodes.append(self)
        outbound_layer._inbound_nodes.append(self)

    def get_config(self) -> Dict[str, Any]:
        return {
            "outbound_layer": self.outbound_layer.name,
            "inbound_layers": [layer.name if layer is not None else None for layer in self.inbound_layers],
            "node_indices": self.node_indices,
            "tensor_indices": self.tensor_indices,
        }


class Layer(object):
    """Abstract base layer class.

    A layer turns symbolic input tensors into output tensors: subclasses create their
    weights in `build`, emit the computation in `call`, and say how shapes change in
    `compute_output_shape`.  Calling the layer (``layer(x)``) does the bookkeeping that
    the functional API needs.

    # Arguments (keyword arguments every layer accepts)
        input_shape: shape of the input, without the batch axis; only for the first
            layer of a `Sequential` model.
        batch_input_shape: shape of the input, batch axis included.
        batch_size: fixed batch size, used with `input_shape`.
        dtype: dtype of the layer's input and weights (default `K.floatx()`).
        name: name of the layer, unique in a model (default: the class name in snake
            case with a per-class counter, ``dense_1``).
        trainable: whether the layer's weights are updated by training.
        weights: initial values of the weights, set when the layer is built.

    # Properties
        name, input_spec, trainable, uses_learning_phase, input_shape, output_shape,
        input, output, input_mask, output_mask, trainable_weights,
        non_trainable_weights, weights, losses, updates, built.

    # Methods
        call(x, mask=None): the layer's logic.
        __call__(x, mask=None): wrapper around `call` that builds the layer and records
            the Keras history.
        get_weights(), set_weights(weights), get_config(), count_params(),
        compute_output_shape(input_shape), compute_mask(x, mask), get_input_at(i), ...

    # Example

    ```python
        class Scale(Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(name='scale', shape=(input_shape[-1],),
                                             initializer='ones')
                super(Scale, self).build(input_shape)

            def call(self, inputs):
                return inputs * self.scale
    ```
    """

    #: whether the layer propagates masks (`compute_mask` returns the input mask)
    supports_masking = False
    #: whether the layer keeps state between batches (RNNs with ``stateful=True``)
    stateful = False

    def __init__(self, **kwargs):
        for kwarg in kwargs:
            if kwarg not in _BASE_KWARGS:
                raise TypeError(f"Keyword argument not understood: {kwarg!r} "
                                f"(a {type(self).__name__} accepts {', '.join(sorted(_BASE_KWARGS))})")
        name = kwargs.get("name")
        if not name:
            prefix = type(self).__name__
            name = f"{_to_snake_case(prefix)}_{K.get_uid(prefix)}"
        self._reset_layer_state(name, kwargs.get("trainable", True))
        if "batch_input_shape" in kwargs:
            self.batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif "input_shape" in kwargs:
            self.batch_input_shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        dtype = kwargs.get("dtype") or kwargs.get("input_dtype")
        self._dtype_given = dtype is not None
        self.dtype = dtype or K.floatx()
        self._initial_weights = kwargs.get("weights")

    def _reset_layer_state(self, name: str, trainable: bool) -> None:
        """Set the bookkeeping every layer has (`Network` sets it without `Layer.__init__`)."""
        self.name = name
        self.trainable = trainable
        self.input_spec: Union[None, InputSpec, List[Optional[InputSpec]]] = None
        self.built = False
        self._trainable_weights: List[Any] = []
        self._non_trainable_weights: List[Any] = []
        self._losses: List[Any] = []
        self._updates: List[Any] = []
        self._per_input_losses: Dict[Optional[str], List[Any]] = {}
        self._per_input_updates: Dict[Optional[str], List[Any]] = {}
        self._inbound_nodes: List[Node] = []
        self._outbound_nodes: List[Node] = []
        self._initial_weights = None

    # -- weights ---------------------------------------------------------------------------
    @property
    def trainable_weights(self) -> List[Any]:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> List[Any]:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    @property
    def weights(self) -> List[Any]:
        """Trainable weights, then non-trainable weights (the order of `get_weights`)."""
        return self.trainable_weights + self.non_trainable_weights

    def add_weight(self, name: str, shape: Sequence[int], dtype: Optional[str] = None, initializer=None,
                   regularizer=None, trainable: bool = True, constraint=None):
        """Adds a weight variable to the layer.

        # Arguments
            name: the weight's name; the variable is named ``<layer name>/<name>``.
            shape: the weight's shape.
            dtype: its dtype (default: the layer's dtype).
            initializer: an initializer instance or name (default ``'glorot_uniform'``).
            regularizer: a regularizer instance or name; its penalty joins `losses`.
            trainable: whether the weight is updated by training.
            constraint: a constraint instance or name, applied after each optimizer update.

        # Returns
            The weight variable (a `Shared`).
        """
        initializer = initializers.get(initializer or "glorot_uniform")
        regularizer = regularizers.get(regularizer)
        constraint = constraints.get(constraint)
        dtype = dtype or self.dtype
        shape = tuple(int(d) for d in shape)
        weight = K.variable(initializer(shape, dtype=dtype), dtype=dtype, name=f"{self.name}/{name}",
                            constraint=constraint)
        if regularizer is not None:
            self.add_loss(regularizer(weight))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(weight)
        return weight

    def get_weights(self) -> List[np.ndarray]:
        """The current values of the weights, as numpy arrays (trainable first)."""
        return K.batch_get_value(self.weights)

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Sets the weights from numpy arrays, in the order of `get_weights`.

        # Arguments
            weights: a list of arrays matching `get_weights()` in length and shapes.

        # Raises
            ValueError: naming the layer, the weight and both shapes, on a mismatch.
        """
        assign_weights(f'layer "{self.name}"', self.weights, weights)

    def count_params(self) -> int:
        """The number of scalars in the layer's weights.

        # Raises
            RuntimeError: if the layer is not built yet.
        """
        if not self.built:
            raise RuntimeError(f"You tried to call `count_params` on {self.name}, but the layer isn't built. "
                               f"You can build it manually via: `{self.name}.build(batch_input_shape)`.")
        return count_params(self.weights)

    # -- the interface subclasses implement ------------------------------------------------
    def build(self, input_shape: Union[Shape, List[Shape]]) -> None:
        """Creates the layer's weights; subclasses end by calling ``super().build(input_shape)``.

        # Arguments
            input_shape: the Keras shape of the input (a list of shapes for several inputs).
        """
        self.built = True

    def call(self, inputs, **kwargs):
        """The layer's logic: returns the output tensor(s) for the input tensor(s)."""
        return inputs

    def compute_output_shape(self, input_shape: Union[Shape, List[Shape]]) -> Union[Shape, List[Shape]]:
        """The output shape for an input shape (the input shape, for layers that keep it)."""
        return input_shape

    def compute_mask(self, inputs, mask=None):
        """The output mask for the inputs and their mask.

        # Raises
            TypeError: when a mask reaches a layer that does not support masking.
        """
        if not self.supports_masking:
            if any(m is not None for m in to_list(mask)):
                raise TypeError(f"Layer {self.name} does not support masking, but was passed an input_mask: {mask}")
            return None
        return mask

    def get_config(self) -> Dict[str, Any]:
        """The layer's configuration: what `from_config` needs to make the same layer, weights aside."""
        config: Dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if hasattr(self, "batch_input_shape"):
            config["batch_input_shape"] = self.batch_input_shape
        if hasattr(self, "batch_input_shape") or getattr(self, "_dtype_given", False):
            config["dtype"] = self.dtype
        return config

    @classmethod
    def from_config(cls, config: Dict[str, Any]) -> "Layer":
        """Creates a layer from the output of `get_config`."""
        return cls(**config)

    # -- calling ---------------------------------------------------------------------------
    def __call__(self, inputs, **kwargs):
        """Wrapper around `call`: checks and builds, then records the Keras history of the outputs.

        # Arguments
            inputs: a tensor or a list of tensors.
            **kwargs: passed to `call` (``training=``, ``mask=``).

        # Returns
            The output tensor(s), with ``_keras_history``, ``_keras_shape`` and
            ``_uses_learning_phase`` set.
        """
        if isinstance(inputs, list):
            inputs = inputs[:]
        input_list = to_list(inputs)
        for x in input_list:
            if not K.is_tensor(x):
                raise ValueError(f"Layer {self.name} was called with an input that isn't a symbolic tensor. "
                                 f"Received type: {type(x)}. Full input: {inputs}. "
                                 f"All inputs to the layer should be tensors.")
        if not self.built:
            self.assert_input_compatibility(inputs)
            self.build(unpack_singleton([K.int_shape(x) for x in input_list]))
            self.built = True
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
        self.assert_input_compatibility(inputs)

        previous_mask = unpack_singleton([_mask_of(x) for x in input_list])
        user_kwargs = dict(kwargs)
        if any(m is not None for m in to_list(previous_mask)) and has_arg(self.call, "mask"):
            kwargs.setdefault("mask", previous_mask)
        input_shape = unpack_singleton([K.int_shape(x) for x in input_list])

        output = self.call(inputs, **kwargs)
        output_mask = self.compute_mask(inputs, previous_mask)
        # an output that is an input unchanged gets its own tensor, so that each keeps its history
        outputs = [K.identity(x) if any(x is y for y in input_list) else x for x in to_list(output)]
        output = unpack_singleton(outputs)

        if all(s is not None for s in shape_list(input_shape)):
            try:
                output_shapes = shape_list(self.compute_output_shape(input_shape))
            except NotImplementedError:  # e.g. a subclassed model: the graph's static shapes
                output_shapes = [K.int_shape(x) for x in outputs]
        else:
            output_shapes = [None] * len(outputs)
        output_masks = output_mask if isinstance(output_mask, (list, tuple)) else [output_mask] * len(outputs)

        self._add_inbound_node(input_list, outputs, to_list(previous_mask), list(output_masks),
                               shape_list(input_shape), output_shapes, user_kwargs)
        regularizer = getattr(self, "activity_regularizer", None)
        if regularizer is not None:
            self.add_loss([regularizer(x) for x in outputs], inputs=input_list)
        return output

    def _add_inbound_node(self, input_tensors: List[Any], output_tensors: List[Any], input_masks: List[Any],
                          output_masks: List[Any], input_shapes: List[Optional[Shape]],
                          output_shapes: List[Optional[Shape]], arguments: Dict[str, Any]) -> None:
        """Record the call as a `Node` and stamp the outputs with their Keras history."""
        history = [getattr(x, "_keras_history", (None, None, None)) for x in input_tensors]
        Node(self, inbound_layers=[h[0] for h in history], node_indices=[h[1] for h in history],
             tensor_indices=[h[2] for h in history], input_tensors=input_tensors, output_tensors=output_tensors,
             input_masks=input_masks, output_masks=output_masks, input_shapes=input_shapes,
             output_shapes=output_shapes, arguments=arguments)
        uses_learning_phase = (getattr(self, "uses_learning_phase", False)
                               or any(getattr(x, "_uses_learning_phase", False) for x in input_tensors))
        node_index = len(self._inbound_nodes) - 1
        for i, (x, shape) in enumerate(zip(output_tensors, output_shapes)):
            x._keras_shape = shape
            x._uses_learning_phase = getattr(x, "_uses_learning_phase", False) or uses_learning_phase
            x._keras_history = (self, node_index, i)

    def assert_input_compatibility(self, inputs) -> None:
        """Checks the inputs against ``self.input_spec``.

        # Raises
            ValueError: naming the layer, the input, and what was expected and found, e.g.
                ``Input 0 is incompatible with layer dense_1: expected min_ndim=2, found ndim=1``.
        """
        if not self.input_spec:
            return
        specs = to_list(self.input_spec)
        inputs = to_list(inputs)
        if len(inputs) != len(specs):
            raise ValueError(f"Layer {self.name} expects {len(specs)} inputs, but it received {len(inputs)} "
                             f"input tensors. Input received: {inputs}")
        for index, (x, spec) in enumerate(zip(inputs, specs)):
            if spec is not None:
                problem = _spec_problem(spec, x)
                if problem:
                    raise ValueError(f"Input {index} is incompatible with layer {self.name}: {problem}")

    # -- losses and updates ----------------------------------------------------------------
    @property
    def losses(self) -> List[Any]:
        """The loss tensors added by the layer (weight and activity regularization, `add_loss`)."""
        return list(self._losses)

    @property
    def updates(self) -> List[Any]:
        """The ``(variable, new value)`` updates added by the layer (empty when frozen and stateless)."""
        if not self.trainable and not self.stateful:
            return []
        return list(self._updates)

    def add_loss(self, losses, inputs=None) -> None:
        """Adds loss tensors, possibly dependent on the layer's inputs.

        # Arguments
            losses: a loss tensor or a list of them.
            inputs: the input tensors the losses depend on (``None`` for unconditional
                losses, such as weight regularization).
        """
        _record(losses, inputs, self._losses, self._per_input_losses)

    def add_update(self, updates, inputs=None) -> None:
        """Adds ``(variable, new value)`` updates, possibly dependent on the layer's inputs.

        # Arguments
            updates: an update or a list of them.
            inputs: the input tensors the updates depend on (``None``: unconditional).
        """
        _record(updates, inputs, self._updates, self._per_input_updates)

    def get_updates_for(self, inputs) -> List[Any]:
        """The updates added for exactly these inputs (``None``: the unconditional ones)."""
        if not self.trainable and not self.stateful:
            return []
        return list(self._per_input_updates.get(_inputs_key(inputs), []))

    def get_losses_for(self, inputs) -> List[Any]:
        """The losses added for exactly these inputs (``None``: the unconditional ones)."""
        return list(self._per_input_losses.get(_inputs_key(inputs), []))

    # -- per-node accessors ----------------------------------------------------------------
    def _node_attribute(self, node_index: int, attr: str, what: str):
        if not self._inbound_nodes:
            raise RuntimeError(f"The layer {self.name} has never been called and thus has no defined {what}.")
        if node_index >= len(self._inbound_nodes):
            raise ValueError(f"Asked to get {what} at node {node_index}, but the layer {self.name} has only "
                             f"{len(self._inbound_nodes)} inbound nodes.")
        return unpack_singleton(getattr(self._inbound_nodes[node_index], attr))

    def get_input_at(self, node_index: int):
        """The input tensor(s) of the call number `node_index` of the layer."""
        return self._node_attribute(node_index, "input_tensors", "input")

    def get_output_at(self, node_index: int):
        """The output tensor(s) of the call number `node_index` of the layer."""
        return self._node_attribute(node_index, "output_tensors", "output")

    def get_input_shape_at(self, node_index: int):
        """The input shape(s) of the call number `node_index` of the layer."""
        return self._node_attribute(node_index, "input_shapes", "input shape")

    def get_output_shape_at(self, node_index: int):
        """The output shape(s) of the call number `node_index` of the layer."""
        return self._node_attribute(node_index, "output_shapes", "output shape")

    def get_input_mask_at(self, node_index: int):
        """The input mask(s) of the call number `node_index` of the layer."""
        return self._node_attribute(node_index, "input_masks", "input mask")

    def get_output_mask_at(self, node_index: int):
        """The output mask(s) of the call number `node_index` of the layer."""
        return self._node_attribute(node_index, "output_masks", "output mask")

    def _single_node_attribute(self, attr: str, what: str, accessor: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no {what} to return.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"Layer {self.name} has multiple inbound nodes, hence the notion of "
                                 f'"layer {what}" is ill-defined. Use `{accessor}(node_index)` instead.')
        return self._node_attribute(0, attr, what)

    def _shared_shape(self, attr: str, what: str, accessor: str):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no defined {what}.")
        shapes = {str(getattr(node, attr)) for node in self._inbound_nodes}
        if len(shapes) > 1:
            raise AttributeError(f'The layer "{self.name}" has multiple inbound nodes, with different {what}s. '
                                 f'Hence the notion of "{what}" is ill-defined for the layer. '
                                 f"Use `{accessor}(node_index)` instead.")
        return self._node_attribute(0, attr, what)

    @property
    def input(self):
        """The input tensor(s) of the layer (only when it was called once)."""
        return self._single_node_attribute("input_tensors", "input", "get_input_at")

    @property
    def output(self):
        """The output tensor(s) of the layer (only when it was called once)."""
        return self._single_node_attribute("output_tensors", "output", "get_output_at")

    @property
    def input_mask(self):
        """The input mask(s) of the layer (only when it was called once)."""
        return self._single_node_attribute("input_masks", "input mask", "get_input_mask_at")

    @property
    def output_mask(self):
        """The output mask(s) of the layer (only when it was called once)."""
        return self._single_node_attribute("output_masks", "output mask", "get_output_mask_at")

    @property
    def input_shape(self):
        """The input shape(s) of the layer (when every call had the same)."""
        return self._shared_shape("input_shapes", "input shape", "get_input_shape_at")

    @property
    def output_shape(self):
        """The output shape(s) of the layer (when every call had the same)."""
        return self._shared_shape("output_shapes", "output shape", "get_output_shape_at")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def assign_weights(owner: str, variables: Sequence[Any], values: Sequence[np.ndarray]) -> None:
    """Set `variables` to `values` after checking count and shapes; errors name `owner`."""
    values = list(values)
    if len(values) != len(variables):
        raise ValueError(f"You called `set_weights(weights)` on {owner} with a weight list of length {len(values)}, "
                         f"but it was expecting {len(variables)} weights. "
                         f"Provided weights: {str(values)[:50]}...")
    pairs = []
    for variable, value in zip(variables, values):
        expected, given = K.int_shape(variable), np.shape(value)
        if tuple(expected) != tuple(given):
            raise ValueError(f"Weight {variable.name} of {owner} has shape {tuple(expected)}, which is not "
                             f"compatible with the provided weight shape {tuple(given)}")
        pairs.append((variable, value))
    K.batch_set_value(pairs)


def shape_list(shape) -> List[Any]:
    """Keras's convention for shapes: a list holds one shape per tensor, anything else is one shape."""
    return list(shape) if isinstance(shape, list) else [shape]


def _to_snake_case(name: str) -> str:
    """``'SpatialDropout1D'`` -> ``'spatial_dropout1d'`` (private class names get a ``private`` prefix)."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    snake = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return snake if snake[0] != "_" else "private" + snake


def _mask_of(x):
    """The mask that the layer which produced `x` computed for it (``None`` without history)."""
    history = getattr(x, "_keras_history", None)
    if history is None:
        return None
    layer, node_index, tensor_index = history
    return layer._inbound_nodes[node_index].output_masks[tensor_index]


def _inputs_key(inputs) -> Optional[str]:
    """The key under which losses and updates conditional on `inputs` are kept (Keras's object list uid)."""
    inputs = to_list(inputs) if inputs is not None else []
    return ", ".join(str(id(x)) for x in inputs) if inputs else None


def _record(items, inputs, flat: List[Any], per_input: Dict[Optional[str], List[Any]]) -> None:
    """Append `items` (one or a list) to `flat` and to the entry of `per_input` for `inputs`."""
    if items is None:
        return
    items = items if isinstance(items, list) else [items]
    if not items:
        return
    per_input.setdefault(_inputs_key(inputs), []).extend(items)
    flat.extend(items)


def _spec_problem(spec: InputSpec, x) -> Optional[str]:
    """What about `x` contradicts `spec`, in words, or None."""
    ndim, shape = K.ndim(x), K.int_shape(x)
    if spec.ndim is not None and ndim != spec.ndim:
        return f"expected ndim={spec.ndim}, found ndim={ndim} (input shape {shape})"
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        return f"expected max_ndim={spec.max_ndim}, found ndim={ndim} (input shape {shape})"
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        return f"expected min_ndim={spec.min_ndim}, found ndim={ndim} (input shape {shape})"
    if spec.dtype is not None and K.dtype(x) != spec.dtype:
        return f"expected dtype={spec.dtype}, found dtype={K.dtype(x)}"
    for axis, value in spec.axes.items():
        if value is not None and shape[int(axis)] not in (value, None):
            return f"expected axis {axis} of input shape to have value {value} but got shape {shape}"
    if spec.shape is not None:
        for expected, found in zip(spec.shape, shape):
            if expected is not None and found is not None and expected != found:
                return f"expected shape={spec.shape}, found shape={shape}"
    return None

"""`Sequential`: a linear stack of layers, built as soon as the input shape is known."""
from __future__ import annotations

import copy
import warnings
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

from symkeras import backend as K
from symkeras.engine.base_layer import Layer
from symkeras.engine.input_layer import Input, InputLayer
from symkeras.engine.network import get_source_inputs
from symkeras.engine.training import Model


def _single_output(layer: Layer):
    """The one output tensor of `layer`'s last call; a Sequential model holds single-output layers only."""
    outputs = layer._inbound_nodes[-1].output_tensors
    if len(outputs) != 1:
        raise ValueError("All layers in a Sequential model should have a single output tensor. For multi-output "
                         "layers, use the functional API.")
    return outputs[0]


class Sequential(Model):
    """Linear stack of layers.

    # Arguments
        layers: list of layers to add to the model.
        name: optional name of the model.

    # Note
        The first layer passed to a Sequential model
        should have a defined input shape. What that
        means is that it should have received an `input_shape`
        or `batch_input_shape` argument,
        or for some type of layers (recurrent, Dense...)
        an `input_dim` argument. Otherwise the model is built
        when it first sees data (`fit`, `predict`, ...) or `build`.

    # Example
    ```python
        model = Sequential()
        # first layer must have a defined input shape
        model.add(Dense(32, input_dim=500))
        # afterwards, Keras does automatic shape inference
        model.add(Dense(32))

        # also possible (equivalent to the above):
        model = Sequential()
        model.add(Dense(32, input_shape=(500,)))
        model.add(Dense(32))

        # also possible (equivalent to the above):
        model = Sequential()
        # here the batch dimension is None,
        # which means any batch size will be accepted by the model.
        model.add(Dense(32, batch_input_shape=(None, 500)))
        model.add(Dense(32))
    ```
    """

    def __init__(self, layers: Optional[Sequence[Layer]] = None, name: Optional[str] = None):
        super().__init__(name=name)
        self._build_input_shape = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> List[Layer]:
        """The layers added with `add` (the automatically created `InputLayer` is left out)."""
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[1:]
        return self._layers

    @property
    def model(self) -> "Sequential":
        """Deprecated self-reference kept for Keras 1 code."""
        warnings.warn("`Sequential.model` is deprecated. `Sequential` is a subclass of `Model`, you can just use "
                      "your `Sequential` instance directly.", stacklevel=2)
        return self

    def add(self, layer: Layer) -> None:
        """Adds a layer instance on top of the layer stack.

        # Arguments
            layer: layer instance.

        # Raises
            TypeError: If `layer` is not a layer instance.
            ValueError: In case the `layer` argument does not
                know its input shape.
            ValueError: In case the `layer` argument has
                multiple output tensors, or is already connected
                somewhere else (forbidden in `Sequential` models).
        """
        if not isinstance(layer, Layer):
            raise TypeError("The added layer must be an instance of class Layer. Found: " + str(layer))
        self.built = False
        if not self._layers:
            if isinstance(layer, InputLayer):
                self.outputs = [_single_output(layer)]
                self.inputs = get_source_inputs(self.outputs[0])
            else:
                first = self._first_leaf_layer(layer)
                if getattr(first, "batch_input_shape", None) is not None:
                    x = Input(batch_shape=first.batch_input_shape, dtype=first.dtype, name=layer.name + "_input")
                    layer(x)
                    self.outputs = [_single_output(layer)]
                    self.inputs = get_source_inputs(self.outputs[0])
        elif self.outputs:
            output_tensor = layer(self.outputs[0])
            if isinstance(output_tensor, list):
                raise TypeError("All layers in a Sequential model should have a single output tensor. For "
                                "multi-output layers, use the functional API.")
            self.outputs = [output_tensor]
        if self.inputs:
            self.build()
        else:
            self._layers.append(layer)

    @staticmethod
    def _first_leaf_layer(layer: Layer) -> Layer:
        """The layer that receives the input: `layer`, or the first layer of the deepest nested model."""
        while isinstance(layer, Model):
            if not layer.layers:
                raise ValueError("Cannot add an empty model to a `Sequential` model.")
            layer = layer.layers[0]
        return layer

    def pop(self) -> None:
        """Removes the last layer in the model.

        # Raises
            TypeError: if there are no layers in the model.
        """
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        self._layers.pop()
        self.built = False
        if not self.layers:
            self.outputs = None
            self.inputs = None
        elif self.outputs:
            self.layers[-1]._outbound_nodes = []
            self.outputs = [self.layers[-1].output]
            self.build()

    def build(self, input_shape: Optional[Sequence[Optional[int]]] = None) -> None:
        """Connects the layers, creating the input from `input_shape` when the first layer had none.

        # Arguments
            input_shape: the batch input shape, e.g. ``(None, 784)``.
        """
        if input_shape and not self.inputs:
            x = Input(batch_shape=tuple(input_shape), dtype=K.floatx(), name=self.name + "_input")
            self.inputs = [x]
            for layer in self._layers:
                x = layer(x)
            self.outputs = [x]
            self._build_input_shape = tuple(input_shape)
        if self.inputs:
            self._init_graph_network(self.inputs, self.outputs, name=self.name)
            self.built = True

    def _build_for_data(self, x: Any) -> None:
        """Deferred build: the input shape is that of the first data the model gets."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        first = x[0] if isinstance(x, (list, tuple)) else x
        if isinstance(first, dict) or first is None:
            raise ValueError("Please do not pass a dictionary as model inputs.")
        shape = np.shape(first)
        self.build((None,) + tuple(shape[1:]) if len(shape) > 1 else (None, 1))

    def predict_proba(self, x, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
        """Generates class probability predictions for the input samples.

        The input samples are processed batch by batch.

        # Arguments
            x: input data, as a Numpy array or list of Numpy arrays
                (if the model has multiple inputs).
            batch_size: integer.
            verbose: verbosity mode, 0 or 1.

        # Returns
            A Numpy array of probability predictions.
        """
        preds = self.predict(x, batch_size, verbose)
        if preds.min() < 0.0 or preds.max() > 1.0:
            warnings.warn("Network returning invalid probability values. The last layer might not normalize "
                          "predictions into probabilities (like softmax or sigmoid would).", stacklevel=2)
        return preds

    def predict_classes(self, x, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
        """Generate class predictions for the input samples.

        The input samples are processed batch by batch.

        # Arguments
            x: input data, as a Numpy array or list of Numpy arrays
                (if the model has multiple inputs).
            batch_size: integer.
            verbose: verbosity mode, 0 or 1.

        # Returns
            A numpy array of class predictions.
        """
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def get_config(self) -> Dict[str, Any]:
        """The model's name and its layers' configs (plus the build input shape of a deferred build)."""
        layer_configs = [{"class_name": layer.__class__.__name__, "config": layer.get_config()}
                         for layer in self.layers]
        config: Dict[str, Any] = {"name": self.name, "layers": copy.deepcopy(layer_configs)}
        if self._build_input_shape:
            config["build_input_shape"] = self._build_input_shape
        return config

    @classmethod
    def from_config(cls, config: Union[Dict[str, Any], List[Dict[str, Any]]],
                    custom_objects: Optional[Dict[str, Any]] = None) -> "Sequential":
        """A new model from `get_config`'s dict (or the bare list of layer configs of Keras before 2.2.3).

        # Arguments
            config: the config.
            custom_objects: names of custom layers, for deserialization.

        # Returns
            A `Sequential` model.
        """
        from symkeras import layers as layer_module

        if isinstance(config, dict):
            name, build_input_shape, layer_configs = config.get("name"), config.get("build_input_shape"), \
                config["layers"]
        else:
            name, build_input_shape, layer_configs = None, None, config
        model = cls(name=name)
        for layer_config in layer_configs:
            model.add(layer_module.deserialize(layer_config, custom_objects=custom_objects))
        if not model.inputs and build_input_shape:
            model.build(build_input_shape)
        return model

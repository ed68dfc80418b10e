"""Layer wrappers (Keras 2.2.4's ``keras.layers.wrappers``): `TimeDistributed` and `Bidirectional`."""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional, Tuple

from symkeras import backend as K
from symkeras.engine.base_layer import InputSpec, Layer
from symkeras.engine.training_utils import to_list
from symkeras.layers.recurrent import call_with_states, standardize_args
from symkeras.utils.generic_utils import has_arg

Shape = Tuple[Optional[int], ...]


class Wrapper(Layer):
    """Abstract wrapper base class: a layer that runs another layer.

    Its weights, losses and updates are those of the wrapped layer; its config nests the
    layer's as ``{"layer": {"class_name": ..., "config": ...}}``.

    # Arguments
        layer: The layer to be wrapped.
    """

    def __init__(self, layer: Layer, **kwargs):
        self.layer = layer
        super().__init__(**kwargs)

    def build(self, input_shape=None) -> None:
        self.built = True

    @property
    def _inner_layers(self) -> List[Layer]:
        return [self.layer]

    @property
    def trainable_weights(self) -> List[Any]:
        return [w for layer in self._inner_layers for w in layer.trainable_weights] if self.trainable else []

    @property
    def non_trainable_weights(self) -> List[Any]:
        if not self.trainable:
            return [w for layer in self._inner_layers for w in layer.weights]
        return [w for layer in self._inner_layers for w in layer.non_trainable_weights]

    @property
    def updates(self) -> List[Any]:
        return [u for layer in self._inner_layers for u in layer.updates] + super().updates

    def get_updates_for(self, inputs) -> List[Any]:
        inner = [u for layer in self._inner_layers for u in layer.updates] if inputs is None else []
        return inner + super().get_updates_for(inputs)

    @property
    def losses(self) -> List[Any]:
        return [loss for layer in self._inner_layers for loss in layer.losses] + super().losses

    def get_losses_for(self, inputs) -> List[Any]:
        inner = [loss for layer in self._inner_layers for loss in layer.get_losses_for(None)] if inputs is None else []
        return inner + super().get_losses_for(inputs)

    def get_config(self) -> Dict[str, Any]:
        layer = {"class_name": self.layer.__class__.__name__, "config": self.layer.get_config()}
        return {**super().get_config(), "layer": layer}

    @classmethod
    def from_config(cls, config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None):
        from symkeras.layers import deserialize

        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """This wrapper applies a layer to every temporal slice of an input.

    The input should be at least 3D, and the dimension of index one is considered the
    temporal dimension.  The wrapped layer runs once on the input reshaped to
    ``(batch * timesteps, ...)`` (one big product instead of a loop over time; the values
    are those of Keras's loop).

    # Arguments
        layer: a layer instance.

    # Input shape
        ``(batch_size, timesteps, ...)``, at least 3D.

    # Output shape
        ``(batch_size, timesteps) + `` the wrapped layer's output shape without its batch axis.

    # Example

    ```python
        model = Sequential()
        model.add(TimeDistributed(Dense(8), input_shape=(10, 16)))
        # now model.output_shape == (None, 10, 8)
    ```
    """

    def __init__(self, layer: Layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 3:
            raise ValueError(f"Layer {self.name}: `TimeDistributed` needs an input of at least 3 dimensions "
                             f"(batch, time, ...), got shape {input_shape}")
        self.input_spec = InputSpec(shape=input_shape)
        if not self.layer.built:
            self.layer.build((input_shape[0],) + tuple(input_shape[2:]))
            self.layer.built = True
        super().build()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        child = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return (child[0], input_shape[1]) + tuple(child[1:])

    def call(self, inputs, training=None, mask=None):
        kwargs = {"training": training} if has_arg(self.layer.call, "training") else {}
        shape = K.shape(inputs)
        batch, steps = shape[0], shape[1]
        flat = K.reshape(inputs, [-1] + [shape[k] for k in range(2, K.ndim(inputs))])
        if has_arg(self.layer.call, "mask") and mask is not None:
            kwargs["mask"] = K.reshape(mask, [-1] + [K.shape(mask)[k] for k in range(2, K.ndim(mask))])
        y = self.layer.call(flat, **kwargs)
        y_shape = K.shape(y)
        output = K.reshape(y, [batch, steps] + [y_shape[k] for k in range(1, K.ndim(y))])
        regularizer = getattr(self.layer, "activity_regularizer", None)
        if regularizer is not None:
            self.add_loss(regularizer(output), inputs)
        if getattr(y, "_uses_learning_phase", False):
            output._uses_learning_phase = True
        return output


class Bidirectional(Wrapper):
    """Bidirectional wrapper for RNNs: runs a copy of the layer forwards and another backwards.

    # Arguments
        layer: a `RNN` instance (`LSTM`, `GRU`, ...).
        merge_mode: how the outputs of the forward and backward RNNs are combined: one of
            'sum', 'mul', 'concat', 'ave', None.  With None, the outputs are not combined
            but returned as a list.
        weights: initial weights: the forward layer's, then the backward layer's.

    # Input shape, output shape
        Those of the wrapped layer (the last axis doubled with 'concat'); with
        `return_state`, the forward layer's final states, then the backward layer's.

    # Raises
        ValueError: for an invalid `merge_mode`.

    # Examples

    ```python
        model = Sequential()
        model.add(Bidirectional(LSTM(10, return_sequences=True), input_shape=(5, 10)))
        model.add(Bidirectional(LSTM(10)))
        model.add(Dense(5))
        model.add(Activation('softmax'))
    ```
    """

    MERGE_MODES = ("sum", "mul", "ave", "concat", None)

    def __init__(self, layer: Layer, merge_mode: Optional[str] = "concat", weights=None, **kwargs):
        if merge_mode not in self.MERGE_MODES:
            raise ValueError(f"Bidirectional wrapper of layer {layer.name}: Invalid merge mode {merge_mode!r}. "
                             "Merge mode should be one of {'sum', 'mul', 'ave', 'concat', None}")
        self.forward_layer = copy.copy(layer)
        config = layer.get_config()
        config["go_backwards"] = not config["go_backwards"]
        self.backward_layer = layer.__class__.from_config(config)
        self.forward_layer.name = "forward_" + self.forward_layer.name
        self.backward_layer.name = "backward_" + self.backward_layer.name
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self.forward_layer._initial_weights = weights[:half]
            self.backward_layer._initial_weights = weights[half:]
        super().__init__(layer, **kwargs)
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec
        self._num_constants = None

    @property
    def _inner_layers(self) -> List[Layer]:
        return [self.forward_layer, self.backward_layer]

    def compute_output_shape(self, input_shape):
        output_shape = self.forward_layer.compute_output_shape(input_shape)
        state_shape = None
        if self.return_state:
            state_shape = output_shape[1:]
            output_shape = output_shape[0]
        if self.merge_mode == "concat":
            output_shape = tuple(output_shape[:-1]) + (output_shape[-1] * 2,)
        elif self.merge_mode is None:
            output_shape = [output_shape, output_shape]
        if self.return_state:
            outputs = output_shape if isinstance(output_shape, list) else [output_shape]
            return outputs + state_shape + copy.copy(state_shape)
        return output_shape

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = standardize_args(inputs, initial_state, constants, self._num_constants)
        if initial_state is not None:
            if len(initial_state) % 2:
                raise ValueError(f"Layer {self.name}: when passing `initial_state` to a Bidirectional RNN, the "
                                 f"state should be a list containing the states of the underlying RNNs; got "
                                 f"{len(initial_state)} states")
            specs = [InputSpec(shape=K.int_shape(state)) for state in initial_state]
            half = len(initial_state) // 2
            self.forward_layer.state_spec, self.backward_layer.state_spec = specs[:half], specs[half:]
        if constants is not None:
            self._num_constants = len(constants)
            self.forward_layer._num_constants = self.backward_layer._num_constants = len(constants)
        return call_with_states(self, super().__call__, inputs, initial_state, constants, kwargs)

    def build(self, input_shape) -> None:
        self.forward_layer.build(input_shape)
        self.backward_layer.build(input_shape)
        for layer in self._inner_layers:
            layer.built = True
            if layer._initial_weights is not None:
                layer.set_weights(layer._initial_weights)
                layer._initial_weights = None
        super().build()

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.merge_mode is None:
            output_mask = [output_mask, output_mask]
        if self.return_state:
            n_states = len(self.forward_layer.states)
            return to_list(output_mask) + [None] * (2 * n_states)
        return output_mask

    def _directional_inputs(self, inputs, initial_state):
        """Each direction's call inputs and initial state (the first half of the states is the forward's)."""
        if initial_state is None or not has_arg(self.layer.call, "initial_state"):
            return (inputs, None), (inputs, None)
        sequence = inputs[0] if isinstance(inputs, list) else inputs
        states = inputs[1:len(inputs) - (self._num_constants or 0)] if isinstance(inputs, list) else initial_state
        half = len(states) // 2
        return (sequence, states[:half]), (sequence, states[half:])

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        kwargs: Dict[str, Any] = {}
        if has_arg(self.layer.call, "training"):
            kwargs["training"] = training
        if has_arg(self.layer.call, "mask"):
            kwargs["mask"] = mask[0] if isinstance(mask, list) else mask
        if has_arg(self.layer.call, "constants"):
            if isinstance(inputs, list) and self._num_constants:
                constants = inputs[-self._num_constants:]
            kwargs["constants"] = constants
        (f_in, f_state), (b_in, b_state) = self._directional_inputs(inputs, initial_state)
        y = self.forward_layer.call(f_in, **kwargs, **({"initial_state": f_state} if f_state else {}))
        y_rev = self.backward_layer.call(b_in, **kwargs, **({"initial_state": b_state} if b_state else {}))
        states: List[Any] = []
        if self.return_state:
            states = y[1:] + y_rev[1:]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = K.reverse(y_rev, 1)
        output = self._merge(y, y_rev)
        if getattr(y, "_uses_learning_phase", False) or getattr(y_rev, "_uses_learning_phase", False):
            for out in to_list(output):
                out._uses_learning_phase = True
        if self.return_state:
            return to_list(output) + states
        return output

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return K.concatenate([y, y_rev])
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def reset_states(self) -> None:
        """Resets the states of both directions (stateful layers only)."""
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def get_config(self) -> Dict[str, Any]:
        config = {**super().get_config(), "merge_mode": self.merge_mode}
        if self._num_constants is not None:
            config["num_constants"] = self._num_constants
        return config

    @classmethod
    def from_config(cls, config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None):
        config = dict(config)
        num_constants = config.pop("num_constants", None)
        layer = super().from_config(config, custom_objects)
        layer._num_constants = num_constants
        return layer

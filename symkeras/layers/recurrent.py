"""Recurrent layers (Keras 2.2.4's ``keras.layers.recurrent``): `RNN` over any cell, `StackedRNNCells`,
SimpleRNN / GRU / LSTM and their cells.

A cell computes one time step, ``cell.call(inputs_t, states) -> (output_t, new_states)``;
`RNN` runs it over time with `K.rnn` (one `scan` node in the graph, or an unrolled
graph).  Weight layouts are Keras's: LSTM kernel ``(input_dim, 4 units)`` in gate order
i, f, c, o; GRU ``(input_dim, 3 units)`` in gate order z, r, h, with a ``(2, 3 units)``
bias (input row, recurrent row) when ``reset_after=True``.  Dropout masks are drawn
once per sequence, before the time loop, so the loop holds no random numbers.
"""
from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras import activations, constraints, initializers, regularizers
from symkeras import backend as K
from symkeras import ops
from symkeras.engine.base_layer import InputSpec, Layer
from symkeras.engine.training_utils import to_list
from symkeras.legacy import interfaces
from symkeras.utils.generic_utils import has_arg

Shape = Tuple[Optional[int], ...]


def _state_sizes(cell) -> List[Any]:
    """The cell's ``state_size`` as a list (one entry per state)."""
    return list(cell.state_size) if hasattr(cell.state_size, "__len__") else [cell.state_size]


def _output_size(cell) -> Any:
    """The size of the cell's output: its ``output_size``, else the size of its first state."""
    return getattr(cell, "output_size", None) or _state_sizes(cell)[0]


def _generate_dropout_mask(ones, rate: float, training=None, count: int = 1):
    """`count` dropout masks of the shape of `ones` in the train phase, `ones` otherwise (Keras's helper)."""
    masks = [K.in_train_phase(lambda: K.dropout(ones, rate), ones, training=training) for _ in range(count)]
    return masks if count > 1 else masks[0]


def _uses_dropout(cell) -> bool:
    """Whether the cell (or a cell of a stack) drops inputs or states out."""
    return any(getattr(c, "dropout", 0) or getattr(c, "recurrent_dropout", 0) for c in getattr(cell, "cells", [cell]))


def forget_bias_initializer(base, units: int, blocks: int, forget_block: int):
    """An initializer of a ``(blocks * units,)`` bias: `base` everywhere but ones on block `forget_block`."""

    def initializer(shape, dtype=None):
        before, after = forget_block * units, (blocks - forget_block - 1) * units
        return np.concatenate([np.asarray(base((before,), dtype=dtype)), np.ones((units,), dtype or K.floatx()),
                               np.asarray(base((after,), dtype=dtype))])

    return initializer


def lstm_gates(z: Sequence[Any], c_tm1, activation, recurrent_activation) -> Tuple[Any, Any]:
    """``(h, c)`` from the four gate pre-activations ``z`` (i, f, c, o) and the previous cell state."""
    i = recurrent_activation(z[0])
    f = recurrent_activation(z[1])
    c = f * c_tm1 + i * activation(z[2])
    o = recurrent_activation(z[3])
    return o * activation(c), c


def gate_blocks(matrix, units: int, count: int) -> list:
    """The `count` column blocks of ``units`` columns of a fused gate matrix (or vector)."""
    return [matrix[..., k * units:(k + 1) * units] for k in range(count)]


def standardize_args(inputs, initial_state, constants, num_constants: Optional[int]):
    """Split a call's inputs into ``(inputs, initial_state, constants)``, each state/constant list or None.

    A list input holds ``[inputs] + initial_state + constants`` (the last `num_constants`
    entries being constants), as a layer called from a saved model receives it.
    """
    if isinstance(inputs, list):
        if initial_state is not None or constants is not None:
            raise ValueError("When passing a list as inputs to an RNN, give no initial_state nor constants "
                             "keyword arguments: they are the list's later entries")
        if num_constants is not None:
            constants = inputs[-num_constants:]
            inputs = inputs[:-num_constants]
        if len(inputs) > 1:
            initial_state = inputs[1:]
        inputs = inputs[0]

    def as_list_or_none(x):
        if x is None or isinstance(x, list):
            return x or None
        if isinstance(x, tuple):
            return list(x) or None
        return [x]

    return inputs, as_list_or_none(initial_state), as_list_or_none(constants)


def call_with_states(layer: Layer, layer_call, inputs, initial_state: Optional[list], constants: Optional[list],
                     kwargs: Dict[str, Any]):
    """Call `layer` through `layer_call` (`Layer.__call__`) with its initial states and constants.

    Keras tensors join the inputs (so that the functional API records where they come
    from, and the call receives ``[inputs] + initial_state + constants``); plain tensors
    go as keyword arguments.
    """
    extra = (initial_state or []) + (constants or [])
    if initial_state is not None:
        kwargs["initial_state"] = initial_state
    if constants is not None:
        kwargs["constants"] = constants
    keras_tensors = [K.is_keras_tensor(x) for x in extra]
    if not extra or not all(keras_tensors):
        if any(keras_tensors):
            raise ValueError(f"Layer {layer.name}: the initial state and constants of an RNN must be either all "
                             f"Keras tensors or all plain tensors")
        return layer_call(inputs, **kwargs)
    n_specs = len(to_list(layer.input_spec))
    layer.input_spec = to_list(layer.input_spec) + [InputSpec(shape=K.int_shape(x)) for x in extra]
    try:
        return layer_call([inputs] + extra, **kwargs)
    finally:  # `build` may have refined the sequence's spec: keep that one
        layer.input_spec = layer.input_spec[:n_specs]


# -- cells ----------------------------------------------------------------------------------------------
class _RecurrentCell(Layer):
    """What the built-in cells share: their arguments, weights, dropout masks and config.

    Subclasses set `gate_count` (1, 3 or 4 blocks of `units` in each matrix) and write
    `call`.  The dropout masks are drawn by `make_dropout_masks` (the `RNN` layer calls it
    before the time loop), or at the first call of a cell used on its own.
    """

    gate_count = 1

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.state_size: Union[int, Tuple[int, ...]] = self.units
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    # -- weights --------------------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"The last dimension of the input to the cell {self.name} should be defined, "
                             f"got input shape {input_shape}")
        width = self.gate_count * self.units
        self.kernel = self.add_weight(shape=(input_dim, width), name="kernel", initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(shape=self._bias_shape(), name="bias", initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_dim = input_dim

    def _kernels(self) -> Tuple[Any, Any]:
        """The (kernel, recurrent kernel) of the gate products ``x @ kernel`` and ``h @ recurrent kernel``."""
        return self.kernel, self.recurrent_kernel
        self.built = True

    def _bias_shape(self) -> Tuple[int, ...]:
        return (self.gate_count * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    # -- dropout --------------------------------------------------------------------------------
    def make_dropout_masks(self, step_inputs, states, training=None) -> None:
        """Draw this sequence's dropout masks, shaped like a step's inputs and state, `gate_count` of each.

        # Arguments
            step_inputs: a tensor shaped like the inputs of one step (e.g. the first step's).
            states: the initial states.
            training: the learning phase override of the layer's call.
        """
        count = self.gate_count
        self._dropout_mask = (_generate_dropout_mask(K.ones_like(step_inputs), self.dropout, training, count)
                              if 0.0 < self.dropout < 1.0 else None)
        self._recurrent_dropout_mask = (_generate_dropout_mask(K.ones_like(states[0]), self.recurrent_dropout,
                                                               training, count)
                                        if 0.0 < self.recurrent_dropout < 1.0 else None)

    def reset_dropout_masks(self) -> None:
        """Forget the masks, so that the next sequence draws new ones."""
        self._dropout_mask = self._recurrent_dropout_mask = None

    def _masks(self, inputs, states, training) -> Tuple[list, list]:
        """The input and recurrent masks as lists of `gate_count` (None entries without dropout)."""
        if self._dropout_mask is None and self._recurrent_dropout_mask is None:
            self.make_dropout_masks(inputs, states, training)
        none = [None] * self.gate_count
        return (to_list(self._dropout_mask) if self._dropout_mask is not None else none,
                to_list(self._recurrent_dropout_mask) if self._recurrent_dropout_mask is not None else none)

    def _mark_learning_phase(self, output, training) -> None:
        if 0 < self.dropout + self.recurrent_dropout and training is None:
            output._uses_learning_phase = True

    # -- config ---------------------------------------------------------------------------------
    def get_config(self) -> Dict[str, Any]:
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }
        return {**super().get_config(), **config}


def _dropped(x, mask):
    return x if mask is None else x * mask


class SimpleRNNCell(_RecurrentCell):
    """Cell class for SimpleRNN: ``h = activation(x W + b + h_prev U)``.

    # Arguments
        units: Positive integer, dimensionality of the output space.
        activation: Activation function to use (default: hyperbolic tangent); None means linear.
        use_bias: Boolean, whether the layer uses a bias vector.
        kernel_initializer: Initializer for the `kernel` weights matrix (the inputs' transformation).
        recurrent_initializer: Initializer for the `recurrent_kernel` weights matrix (the state's).
        bias_initializer: Initializer for the bias vector.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Regularizer functions
            applied to the `kernel`, the `recurrent_kernel` and the bias.
        kernel_constraint, recurrent_constraint, bias_constraint: Constraint functions
            applied to the `kernel`, the `recurrent_kernel` and the bias.
        dropout: Float between 0 and 1, fraction of the units to drop for the inputs.
        recurrent_dropout: Float between 0 and 1, fraction of the units to drop for the state.

    # Input shape
        2D tensor ``(batch_size, input_dim)`` and a state ``(batch_size, units)``.

    # Output shape
        2D tensor ``(batch_size, units)``, which is also the new state.
    """

    def call(self, inputs, states, training=None):
        dp_mask, rec_dp_mask = self._masks(inputs, states, training)
        h = K.dot(_dropped(inputs, dp_mask[0]), self.kernel)
        if self.bias is not None:
            h = K.bias_add(h, self.bias)
        output = h + K.dot(_dropped(states[0], rec_dp_mask[0]), self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        self._mark_learning_phase(output, training)
        return output, [output]


class GRUCell(_RecurrentCell):
    """Cell class for the GRU layer (gate order z, r, h, as Keras).

    # Arguments
        units: Positive integer, dimensionality of the output space.
        activation: Activation function to use (default: hyperbolic tangent).
        recurrent_activation: Activation function for the recurrent step (default: hard sigmoid).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint, dropout, recurrent_dropout: as `SimpleRNNCell`.
        implementation: 1 (one product per gate) or 2 (one product for all gates); the
            same values (Keras 2.2.4's own difference under recurrent dropout is kept).
        reset_after: GRU convention: whether to apply the reset gate after (True, CuDNN
            compatible, bias ``(2, 3 units)``) or before (False) the matrix product.

    # Input shape
        2D tensor ``(batch_size, input_dim)`` and a state ``(batch_size, units)``.

    # Output shape
        2D tensor ``(batch_size, units)``, which is also the new state.
    """

    gate_count = 3

    def __init__(self, units: int, activation="tanh", recurrent_activation="hard_sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 implementation: int = 1, reset_after: bool = False, **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.implementation = implementation
        self.reset_after = reset_after

    def _bias_shape(self) -> Tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _biases(self) -> Tuple[Any, Any]:
        """(input bias, recurrent bias), each ``(3 units,)`` or None."""
        if self.bias is None:
            return None, None
        return (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)

    def call(self, inputs, states, training=None):
        h_tm1 = states[0]
        dp_mask, rec_dp_mask = self._masks(inputs, states, training)
        input_bias, recurrent_bias = self._biases()
        units = self.units
        kernel, recurrent_kernel = self._kernels()
        if self.implementation == 1:
            x = [K.dot(_dropped(inputs, m), k) for m, k in zip(dp_mask, gate_blocks(kernel, units, 3))]
            if input_bias is not None:
                x = [K.bias_add(x_k, b) for x_k, b in zip(x, gate_blocks(input_bias, units, 3))]
            h_z, h_r, h_h = [_dropped(h_tm1, m) for m in rec_dp_mask]
            u_z, u_r, u_h = gate_blocks(recurrent_kernel, units, 3)
            rb = gate_blocks(recurrent_bias, units, 3) if recurrent_bias is not None else [None] * 3
            recurrent_z, recurrent_r = K.dot(h_z, u_z), K.dot(h_r, u_r)
            if rb[0] is not None:
                recurrent_z, recurrent_r = K.bias_add(recurrent_z, rb[0]), K.bias_add(recurrent_r, rb[1])
            z = self.recurrent_activation(x[0] + recurrent_z)
            r = self.recurrent_activation(x[1] + recurrent_r)
            if self.reset_after:
                recurrent_h = K.dot(h_h, u_h)
                if rb[2] is not None:
                    recurrent_h = K.bias_add(recurrent_h, rb[2])
                recurrent_h = r * recurrent_h
            else:
                recurrent_h = K.dot(r * h_h, u_h)
            hh = self.activation(x[2] + recurrent_h)
        else:
            matrix_x = K.dot(_dropped(inputs, dp_mask[0]), kernel)
            if input_bias is not None:
                matrix_x = K.bias_add(matrix_x, input_bias)
            x_z, x_r, x_h = gate_blocks(matrix_x, units, 3)
            # as Keras 2.2.4: the dropped-out previous state also enters the final mix below
            h_tm1 = _dropped(h_tm1, rec_dp_mask[0])
            if self.reset_after:
                matrix_inner = K.dot(h_tm1, recurrent_kernel)
                if recurrent_bias is not None:
                    matrix_inner = K.bias_add(matrix_inner, recurrent_bias)
            else:
                matrix_inner = K.dot(h_tm1, recurrent_kernel[:, :2 * units])
            recurrent_z, recurrent_r = gate_blocks(matrix_inner, units, 2)
            z = self.recurrent_activation(x_z + recurrent_z)
            r = self.recurrent_activation(x_r + recurrent_r)
            if self.reset_after:
                recurrent_h = r * matrix_inner[:, 2 * units:]
            else:
                recurrent_h = K.dot(r * h_tm1, recurrent_kernel[:, 2 * units:])
            hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        self._mark_learning_phase(h, training)
        return h, [h]

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "implementation": self.implementation, "reset_after": self.reset_after}


class LSTMCell(_RecurrentCell):
    """Cell class for the LSTM layer (gate order i, f, c, o, as Keras); its states are ``[h, c]``.

    # Arguments
        units: Positive integer, dimensionality of the output space.
        activation: Activation function to use (default: hyperbolic tangent).
        recurrent_activation: Activation function for the recurrent step (default: hard sigmoid).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer: as `SimpleRNNCell`.
        unit_forget_bias: Boolean; if True, add 1 to the bias of the forget gate at
            initialization (Jozefowicz et al.), and use `bias_initializer` for the rest.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint, dropout, recurrent_dropout: as `SimpleRNNCell`.
        implementation: 1 (one product per gate) or 2 (one product for all gates); the same values.

    # Input shape
        2D tensor ``(batch_size, input_dim)`` and states ``[(batch_size, units)] * 2``.

    # Output shape
        2D tensor ``(batch_size, units)``, which is also the new `h`.
    """

    gate_count = 4

    def __init__(self, units: int, activation="tanh", recurrent_activation="hard_sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, implementation: int = 1, **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = implementation
        self.state_size = (self.units, self.units)

    def _bias_initializer(self):
        return forget_bias_initializer(self.bias_initializer, self.units, 4, 1) if self.unit_forget_bias \
            else self.bias_initializer

    def _gate_bias(self):
        """The ``(4 units,)`` bias added to the gates (CuDNN's layout sums two)."""
        return self.bias

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        dp_mask, rec_dp_mask = self._masks(inputs, states, training)
        units, bias = self.units, self._gate_bias()
        kernel, recurrent_kernel = self._kernels()
        if self.implementation == 1:
            x = [K.dot(_dropped(inputs, m), k) for m, k in zip(dp_mask, gate_blocks(kernel, units, 4))]
            if bias is not None:
                x = [K.bias_add(x_k, b) for x_k, b in zip(x, gate_blocks(bias, units, 4))]
            z = [x_k + K.dot(_dropped(h_tm1, m), u) for x_k, m, u in
                 zip(x, rec_dp_mask, gate_blocks(recurrent_kernel, units, 4))]
        else:
            fused = K.dot(_dropped(inputs, dp_mask[0]), kernel)
            fused = fused + K.dot(_dropped(h_tm1, rec_dp_mask[0]), recurrent_kernel)
            if bias is not None:
                fused = K.bias_add(fused, bias)
            z = gate_blocks(fused, units, 4)
        h, c = lstm_gates(z, c_tm1, self.activation, self.recurrent_activation)
        self._mark_learning_phase(h, training)
        return h, [h, c]

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias, "implementation": self.implementation}


class StackedRNNCells(Layer):
    """Wrapper allowing a stack of RNN cells to behave as a single cell (stacked RNNs).

    Its states are every cell's states, in cell order; each cell's output feeds the next.

    # Arguments
        cells: List of RNN cell instances.

    # Examples

    ```python
        cells = [keras.layers.LSTMCell(output_dim), keras.layers.LSTMCell(output_dim)]
        inputs = keras.Input((timesteps, input_dim))
        x = keras.layers.RNN(cells)(inputs)
    ```
    """

    def __init__(self, cells: Sequence[Any], **kwargs):
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(f"All cells must have a `call` method and a `state_size` attribute; "
                                 f"received cells: {cells}")
        self.cells = list(cells)
        super().__init__(**kwargs)

    @property
    def state_size(self) -> Tuple[int, ...]:
        return tuple(size for cell in self.cells for size in _state_sizes(cell))

    @property
    def output_size(self) -> Any:
        return _output_size(self.cells[-1])

    def _split_states(self, states: Sequence[Any]) -> List[list]:
        """The flat state list cut into one list per cell."""
        per_cell, start = [], 0
        for cell in self.cells:
            n = len(_state_sizes(cell))
            per_cell.append(list(states[start:start + n]))
            start += n
        return per_cell

    def call(self, inputs, states, constants=None, **kwargs):
        new_states = []
        for cell, cell_states in zip(self.cells, self._split_states(states)):
            cell_kwargs = {k: v for k, v in kwargs.items() if has_arg(cell.call, k)}
            if constants is not None and has_arg(cell.call, "constants"):
                cell_kwargs["constants"] = constants
            inputs, cell_states = cell.call(inputs, cell_states, **cell_kwargs)
            new_states += list(cell_states)
        return inputs, new_states

    def build(self, input_shape) -> None:
        step_shape = input_shape
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(step_shape)
                cell.built = True
            step_shape = (input_shape[0], _output_size(cell))
        self.built = True

    def make_dropout_masks(self, step_inputs, states, training=None) -> None:
        """Draw every cell's dropout masks (see `_RecurrentCell.make_dropout_masks`)."""
        for cell, cell_states in zip(self.cells, self._split_states(states)):
            if hasattr(cell, "make_dropout_masks"):
                cell.make_dropout_masks(step_inputs, cell_states, training)
            step_inputs = cell_states[0]  # the next cell reads this one's output, shaped like its first state

    def reset_dropout_masks(self) -> None:
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_masks"):
                cell.reset_dropout_masks()

    @property
    def trainable_weights(self) -> List[Any]:
        if not self.trainable:
            return []
        return [w for cell in self.cells if isinstance(cell, Layer) for w in cell.trainable_weights]

    @property
    def non_trainable_weights(self) -> List[Any]:
        weights = [w for cell in self.cells if isinstance(cell, Layer) for w in cell.non_trainable_weights]
        if self.trainable:
            return weights
        return [w for cell in self.cells if isinstance(cell, Layer) for w in cell.trainable_weights] + weights

    @property
    def losses(self) -> List[Any]:
        return [loss for cell in self.cells if isinstance(cell, Layer) for loss in cell.losses] + self._losses

    def get_losses_for(self, inputs) -> List[Any]:
        own = super().get_losses_for(inputs)
        return own + ([loss for cell in self.cells if isinstance(cell, Layer) for loss in cell.losses]
                      if inputs is None else [])

    def get_config(self) -> Dict[str, Any]:
        cells = [{"class_name": cell.__class__.__name__, "config": cell.get_config()} for cell in self.cells]
        return {**super().get_config(), "cells": cells}

    @classmethod
    def from_config(cls, config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None):
        from symkeras.layers import deserialize

        config = dict(config)
        cells = [deserialize(cell, custom_objects=custom_objects) for cell in config.pop("cells")]
        return cls(cells, **config)


# -- the layers -----------------------------------------------------------------------------------------
class RNN(Layer):
    """Base class for recurrent layers: runs a cell over the time axis of its input.

    # Arguments
        cell: A RNN cell instance (an object with a `call(input_at_t, states_at_t)` method
            returning `(output_at_t, states_at_t_plus_1)` and a `state_size` attribute, an
            int or a list of ints, one per state), or a list of cells (stacked).
        return_sequences: Boolean. Whether to return the last output in the output
            sequence, or the full sequence.
        return_state: Boolean. Whether to return the last state in addition to the output.
        go_backwards: Boolean (default False). If True, process the input sequence
            backwards and return the reversed sequence.
        stateful: Boolean (default False). If True, the last state for each sample at
            index i in a batch will be used as initial state for the sample of index i
            in the following batch (needs a fixed batch size).
        unroll: Boolean (default False). If True, the network is unrolled into a flat
            graph (needs a known number of time steps), else one loop node is used.
        input_dim: dimensionality of the input (integer), for the first layer of a model.
        input_length: Length of input sequences, for the first layer of a model.

    # Input shape
        3D tensor with shape ``(batch_size, timesteps, input_dim)``.

    # Output shape
        - if `return_state`: a list of tensors: the output, then the final states, each
          ``(batch_size, units)``.
        - if `return_sequences`: 3D tensor ``(batch_size, timesteps, units)``.
        - else, 2D tensor ``(batch_size, units)``.

    # Masking
        The layer supports masking of timesteps (an `Embedding` with ``mask_zero=True``,
        a `Masking` layer): a masked step keeps the states and repeats the previous output.

    # Initial state and constants
        Call the layer with ``initial_state=`` (a tensor or a list, one per state) and,
        for cells whose `call` takes them, ``constants=``.

    # Example

    ```python
        cells = [MinimalRNNCell(32), MinimalRNNCell(64)]
        x = keras.Input((None, 5))
        layer = RNN(cells)
        y = layer(x)
    ```
    """

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call"):
            raise ValueError(f"`cell` should have a `call` method. The RNN was passed: {cell}")
        if not hasattr(cell, "state_size"):
            raise ValueError("The RNN cell should have an attribute `state_size` (tuple of integers, one integer "
                             "per RNN state).")
        if "input_shape" not in kwargs and ("input_dim" in kwargs or "input_length" in kwargs):
            kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim", None))
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]
        self.state_spec: Optional[List[InputSpec]] = None
        self._states: Optional[list] = None
        self._num_constants: Optional[int] = None

    # -- states ---------------------------------------------------------------------------------
    @property
    def states(self) -> list:
        """The layer's state variables when stateful (``None`` entries before it is built)."""
        if self._states is None:
            return [None] * len(_state_sizes(self.cell))
        return self._states

    @states.setter
    def states(self, states: list) -> None:
        self._states = states

    def state_shapes(self, input_shape: Shape) -> List[Shape]:
        """The shape of each state, batch axis first, for a sequence of shape `input_shape`."""
        return [(input_shape[0], size) for size in _state_sizes(self.cell)]

    def get_initial_state(self, inputs) -> list:
        """Zero states ``(batch, size)``, one per state of the cell, for a batch of `inputs`."""
        return [ops.alloc(np.zeros((), self.dtype), K.shape(inputs)[0], size) for size in _state_sizes(self.cell)]

    def reset_states(self, states=None) -> None:
        """Sets the states of a stateful layer to zeros, or to the given numpy arrays.

        # Arguments
            states: None (zeros), or one array per state of shape ``(batch_size, size)``.

        # Raises
            AttributeError: when the layer is not stateful.
            ValueError: without a fixed batch size, or for states of the wrong count or shape.
        """
        if not self.stateful:
            raise AttributeError(f"Layer {self.name} must be stateful to reset its states.")
        batch_size = self.input_spec[0].shape[0] if self.input_spec[0].shape else None
        if not batch_size:
            raise ValueError(f"Layer {self.name}: a stateful RNN needs to know its batch size. Specify the batch "
                             f"size of your input tensors: for a Sequential model, pass `batch_input_shape=(...)` "
                             f"(or `batch_size=`) to the first layer; for the functional API, pass "
                             f"`batch_shape=(...)` to the Input layer.")
        shapes = self.state_shapes(self.input_spec[0].shape)
        if self._states is None:
            self._states = [K.zeros(shape, dtype=self.dtype, name=f"{self.name}/state_{k}")
                            for k, shape in enumerate(shapes)]
            return
        values = [np.zeros(shape, self.dtype) for shape in shapes] if states is None else to_list(states)
        if len(values) != len(self._states):
            raise ValueError(f"Layer {self.name} expects {len(self._states)} states, but it received "
                             f"{len(values)} state values. Input received: {states}")
        for index, (value, shape) in enumerate(zip(values, shapes)):
            if np.shape(value) != tuple(shape):
                raise ValueError(f"State {index} is incompatible with layer {self.name}: expected shape="
                                 f"{tuple(shape)}, found shape={np.shape(value)}")
        K.batch_set_value(list(zip(self._states, values)))

    # -- building and shapes ----------------------------------------------------------------------
    def build(self, input_shape) -> None:
        constants_shape = None
        if isinstance(input_shape, list):
            if self._num_constants is not None:
                constants_shape = input_shape[-self._num_constants:]
            input_shape = input_shape[0]
        batch_size = input_shape[0] if self.stateful else None
        self.input_spec[0] = InputSpec(shape=(batch_size, None) + tuple(input_shape[2:]))
        step_input_shape = (input_shape[0],) + tuple(input_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            # a single cell's weights are named after the layer (``lstm_1/kernel``), as Keras's name scope does
            scope = self.cell.name if isinstance(self.cell, StackedRNNCells) else self.name
            cell_name, self.cell.name = self.cell.name, scope
            try:
                self.cell.build([step_input_shape] + constants_shape if constants_shape else step_input_shape)
            finally:
                self.cell.name = cell_name
            self.cell.built = True
        if self.state_spec is None:
            self.state_spec = [InputSpec(shape=(None,) + tuple(shape[1:])) for shape in self.state_shapes(input_shape)]
        if self.stateful:
            self.reset_states()
        self.built = True

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        output_dim = _output_size(self.cell)
        if self.return_sequences:
            output_shape = (input_shape[0], input_shape[1], output_dim)
        else:
            output_shape = (input_shape[0], output_dim)
        if self.return_state:
            return [output_shape] + self.state_shapes(input_shape)
        return output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(_state_sizes(self.cell))
        return output_mask

    # -- calling --------------------------------------------------------------------------------
    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = standardize_args(inputs, initial_state, constants, self._num_constants)
        if initial_state is not None:
            self.state_spec = [InputSpec(shape=K.int_shape(state)) for state in initial_state]
        if constants is not None:
            self._num_constants = len(constants)
        return call_with_states(self, super().__call__, inputs, initial_state, constants, kwargs)

    def _split_call_inputs(self, inputs, initial_state, constants):
        """``(inputs, initial_state, constants)`` of a call, from a full input list or the keyword arguments."""
        if not isinstance(inputs, list):
            return inputs, initial_state, constants
        n_constants = self._num_constants or 0
        states = inputs[1:len(inputs) - n_constants]
        constants = inputs[len(inputs) - n_constants:] if n_constants else constants
        return inputs[0], states or None, constants

    def _checked_initial_state(self, inputs, initial_state) -> list:
        """The initial states of a call: given ones (checked), the stateful variables, or zeros."""
        if initial_state is None:
            return list(self.states) if self.stateful else self.get_initial_state(inputs)
        initial_state = to_list(initial_state)
        expected = self.state_shapes(K.int_shape(inputs))
        if len(initial_state) != len(expected):
            raise ValueError(f"Layer {self.name} has {len(expected)} states but was passed {len(initial_state)} "
                             f"initial states.")
        for index, (state, want) in enumerate(zip(initial_state, expected)):
            shape = K.int_shape(state)
            if len(shape) != len(want) or any(a is not None and b is not None and a != b for a, b in zip(shape, want)):
                raise ValueError(f"Layer {self.name}: initial_state {index} has shape {shape}, but the layer expects "
                                 f"{tuple(want)} (batch first)")
        return initial_state

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        inputs, initial_state, constants = self._split_call_inputs(inputs, initial_state, constants)
        if isinstance(mask, list):
            mask = mask[0]
        initial_state = self._checked_initial_state(inputs, initial_state)
        timesteps = K.int_shape(inputs)[1]
        if self.unroll and timesteps is None:
            raise ValueError(f"Layer {self.name}: cannot unroll a RNN if the time dimension is undefined. Pass "
                             f"`input_shape` / `batch_input_shape` with a fixed number of timesteps, or set "
                             f"`unroll=False`.")
        kwargs = {"training": training} if has_arg(self.cell.call, "training") else {}
        if hasattr(self.cell, "make_dropout_masks"):
            self.cell.make_dropout_masks(inputs[:, 0], initial_state, training)
        if constants:
            if not has_arg(self.cell.call, "constants"):
                raise ValueError(f"Layer {self.name}: the RNN cell does not support constants")
            n_constants = len(constants)

            def step(x_t, states):
                return self.cell.call(x_t, states[:-n_constants], constants=states[-n_constants:], **kwargs)
        else:
            def step(x_t, states):
                return self.cell.call(x_t, states, **kwargs)

        last_output, outputs, states = K.rnn(step, inputs, initial_state, constants=constants,
                                             go_backwards=self.go_backwards, mask=mask, unroll=self.unroll,
                                             input_length=timesteps)
        if hasattr(self.cell, "reset_dropout_masks"):
            self.cell.reset_dropout_masks()
        if self.stateful:
            self.add_update([(variable, state) for variable, state in zip(self.states, states)], inputs)
        output = outputs if self.return_sequences else last_output
        if training is None and _uses_dropout(self.cell):
            for x in [output] + list(states):
                x._uses_learning_phase = True
        if self.return_state:
            return [output] + list(states)
        return output

    # -- weights, losses, config ----------------------------------------------------------------
    @property
    def trainable_weights(self) -> List[Any]:
        if not self.trainable or not isinstance(self.cell, Layer):
            return []
        return self.cell.trainable_weights

    @property
    def non_trainable_weights(self) -> List[Any]:
        if not isinstance(self.cell, Layer):
            return []
        return self.cell.non_trainable_weights if self.trainable else self.cell.weights

    @property
    def losses(self) -> List[Any]:
        cell_losses = self.cell.losses if isinstance(self.cell, Layer) else []
        return cell_losses + super().losses

    def get_losses_for(self, inputs) -> List[Any]:
        cell_losses = self.cell.get_losses_for(None) if isinstance(self.cell, Layer) and inputs is None else []
        return cell_losses + super().get_losses_for(inputs)

    def get_config(self) -> Dict[str, Any]:
        config: Dict[str, Any] = {"return_sequences": self.return_sequences, "return_state": self.return_state,
                                  "go_backwards": self.go_backwards, "stateful": self.stateful,
                                  "unroll": self.unroll}
        if self._num_constants is not None:
            config["num_constants"] = self._num_constants
        config["cell"] = {"class_name": self.cell.__class__.__name__, "config": self.cell.get_config()}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None) -> "RNN":
        from symkeras.layers import deserialize

        config = dict(config)
        cell = deserialize(config.pop("cell"), custom_objects=custom_objects)
        num_constants = config.pop("num_constants", None)
        layer = cls(cell, **config)
        layer._num_constants = num_constants
        return layer


#: the arguments a layer such as `LSTM` passes on to its cell (the rest go to `RNN`)
_RNN_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")
_BASE_LAYER_ARGS = ("input_shape", "batch_input_shape", "batch_size", "dtype", "name", "trainable", "weights",
                    "input_dtype", "input_dim", "input_length")


class _CellLayer(RNN):
    """A recurrent layer that owns one built-in cell and exposes the cell's arguments as its own.

    Its config stores the cell's arguments flat (no ``cell`` entry), as Keras's SimpleRNN,
    GRU and LSTM do.
    """

    cell_class: type = SimpleRNNCell

    @interfaces.legacy_recurrent_support
    def __init__(self, units: int, **kwargs):
        if kwargs.get("implementation") == 0:
            warnings.warn("`implementation=0` has been deprecated, and now defaults to `implementation=1`. "
                          "Please update your layer call.", stacklevel=3)
            kwargs["implementation"] = 1
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k not in _RNN_ARGS + _BASE_LAYER_ARGS}
        cell = self.cell_class(units, dtype=kwargs.get("dtype"), **cell_kwargs)
        super().__init__(cell, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def __getattr__(self, name: str):
        # the cell's arguments read as the layer's (``layer.units``, ``layer.dropout``)
        if name != "cell" and "cell" in self.__dict__ and hasattr(self.__dict__["cell"], name):
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        cell_config = config.pop("cell")["config"]
        for key in ("name", "trainable", "dtype", "batch_input_shape"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None):
        config = dict(config)
        if config.get("implementation") == 0:
            config["implementation"] = 1
        return cls(**config)


class SimpleRNN(_CellLayer):
    """Fully-connected RNN where the output is to be fed back to input.

    # Arguments
        units: Positive integer, dimensionality of the output space.
        activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint, dropout, recurrent_dropout: as `SimpleRNNCell`.
        activity_regularizer: Regularizer function applied to the output of the layer.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.

    # Input shape
        3D tensor ``(batch_size, timesteps, input_dim)``.

    # Output shape
        ``(batch_size, units)``, ``(batch_size, timesteps, units)`` with
        `return_sequences`, and the final state after it with `return_state`.

    # Example

    ```python
        model = Sequential()
        model.add(SimpleRNN(32, input_shape=(10, 8)))
    ```
    """

    cell_class = SimpleRNNCell


class GRU(_CellLayer):
    """Gated Recurrent Unit - Cho et al. 2014.

    There are two variants: the default one (``reset_after=False``) applies the reset
    gate to the hidden state before the matrix product; the other (``reset_after=True``)
    applies it after, with separate input and recurrent biases, as CuDNN does.

    # Arguments
        units: Positive integer, dimensionality of the output space.
        activation, recurrent_activation, use_bias, initializers, regularizers, constraints,
        dropout, recurrent_dropout, implementation, reset_after: as `GRUCell`.
        activity_regularizer: Regularizer function applied to the output of the layer.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.

    # Input shape
        3D tensor ``(batch_size, timesteps, input_dim)``.

    # Output shape
        As `SimpleRNN`.

    # Example

    ```python
        model.add(GRU(64, return_sequences=True, input_shape=(None, 16)))
    ```
    """

    cell_class = GRUCell


class LSTM(_CellLayer):
    """Long Short-Term Memory layer - Hochreiter 1997.

    # Arguments
        units: Positive integer, dimensionality of the output space.
        activation, recurrent_activation, use_bias, initializers, unit_forget_bias,
        regularizers, constraints, dropout, recurrent_dropout, implementation: as `LSTMCell`.
        activity_regularizer: Regularizer function applied to the output of the layer.
        return_sequences, return_state, go_backwards, stateful, unroll: as `RNN`.

    # Input shape
        3D tensor ``(batch_size, timesteps, input_dim)``.

    # Output shape
        As `SimpleRNN`; with `return_state`, the states are ``[h, c]``.

    # Example

    ```python
        model = Sequential()
        model.add(Embedding(20000, 128))
        model.add(LSTM(128, dropout=0.2, recurrent_dropout=0.2))
        model.add(Dense(1, activation='sigmoid'))
    ```
    """

    cell_class = LSTMCell

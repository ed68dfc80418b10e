"""Convolutional recurrent layers (Keras 2.2.4's ``keras.layers.convolutional_recurrent``): ConvLSTM2D.

An LSTM whose products are 2D convolutions: the input convolution uses the layer's
strides, padding and dilation; the recurrent one is a stride-1 "same" convolution of
the state.  Weights: ``kernel (kh, kw, in, 4 filters)``, ``recurrent_kernel
(kh, kw, filters, 4 filters)``, ``bias (4 filters,)``, gate order i, f, c, o.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from symkeras import activations
from symkeras import backend as K
from symkeras.engine.base_layer import InputSpec
from symkeras.layers.convolutional import conv_output_length, with_spatial
from symkeras.layers.recurrent import (
    _CellLayer, _dropped, _RecurrentCell, forget_bias_initializer, gate_blocks, lstm_gates,
)
from symkeras.ops.conv import check_padding, normalize_tuple

Shape = Tuple[Optional[int], ...]


class ConvLSTM2DCell(_RecurrentCell):
    """Cell class for the ConvLSTM2D layer: one step on ``(batch, rows, cols, channels)`` images.

    # Arguments
        filters: Integer, the number of output filters in the convolution.
        kernel_size: An integer or tuple of 2 integers, the convolution window.
        strides: An integer or tuple of 2 integers, the strides of the input convolution.
        padding: One of ``"valid"`` or ``"same"`` (case-insensitive), for the input convolution.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: An integer or tuple of 2 integers, the dilation of the input convolution.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias, kernel_regularizer,
        recurrent_regularizer, bias_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout: as `LSTMCell`.
    """

    gate_count = 4

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid", data_format=None,
                 dilation_rate=(1, 1), activation="tanh", recurrent_activation="hard_sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, **kwargs):
        super().__init__(filters, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout, **kwargs)
        self.filters = self.units
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = check_padding(padding, 2, ("valid", "same"))
        self.data_format = K.normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate")
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = (self.filters, self.filters)

    def build(self, input_shape: Shape) -> None:
        input_dim = input_shape[1 if self.data_format == "channels_first" else -1]
        if input_dim is None:
            raise ValueError(f"The channel dimension of the inputs to {self.name} should be defined, got input "
                             f"shape {input_shape}")
        width = 4 * self.filters
        self.kernel = self.add_weight(shape=self.kernel_size + (input_dim, width), name="kernel",
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=self.kernel_size + (self.filters, width),
                                                name="recurrent_kernel", initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        initializer = (forget_bias_initializer(self.bias_initializer, self.filters, 4, 1) if self.unit_forget_bias
                       else self.bias_initializer)
        self.bias = self.add_weight(shape=(width,), name="bias", initializer=initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_dim = input_dim
        self.built = True

    def input_conv(self, x, kernel, bias=None):
        """The input convolution (the layer's strides, padding and dilation), plus `bias`."""
        out = K.conv2d(x, kernel, strides=self.strides, padding=self.padding, data_format=self.data_format,
                       dilation_rate=self.dilation_rate)
        return out if bias is None else K.bias_add(out, bias, data_format=self.data_format)

    def recurrent_conv(self, h, kernel):
        """The state convolution: stride 1, "same" padding, so the state keeps its size."""
        return K.conv2d(h, kernel, strides=(1, 1), padding="same", data_format=self.data_format)

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        dp_mask, rec_dp_mask = self._masks(inputs, states, training)
        filters = self.filters
        biases = gate_blocks(self.bias, filters, 4) if self.bias is not None else [None] * 4
        x = [self.input_conv(_dropped(inputs, m), k, b)
             for m, k, b in zip(dp_mask, gate_blocks(self.kernel, filters, 4), biases)]
        z = [x_k + self.recurrent_conv(_dropped(h_tm1, m), u)
             for x_k, m, u in zip(x, rec_dp_mask, gate_blocks(self.recurrent_kernel, filters, 4))]
        h, c = lstm_gates(z, c_tm1, self.activation, self.recurrent_activation)
        self._mark_learning_phase(h, training)
        return h, [h, c]

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        del config["units"]
        return {**config, "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class ConvLSTM2D(_CellLayer):
    """Convolutional LSTM: an LSTM whose input and recurrent transformations are convolutions.

    # Arguments
        filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
        recurrent_activation, use_bias, initializers, unit_forget_bias, regularizers,
        constraints, dropout, recurrent_dropout: as `ConvLSTM2DCell`.
        activity_regularizer: Regularizer function applied to the output of the layer.
        return_sequences, return_state, go_backwards, stateful: as `RNN` (no unrolling).

    # Input shape
        5D tensor ``(samples, time, rows, cols, channels)`` (channels_last) or
        ``(samples, time, channels, rows, cols)`` (channels_first).

    # Output shape
        ``(samples, [time,] new_rows, new_cols, filters)`` (channels_last), the time axis
        with `return_sequences`; the states ``[h, c]`` after it with `return_state`.

    # Example

    ```python
        model.add(ConvLSTM2D(40, (3, 3), padding='same', return_sequences=True,
                             input_shape=(None, 40, 40, 1)))
    ```
    """

    cell_class = ConvLSTM2DCell

    def __init__(self, filters: int, kernel_size, **kwargs):
        if kwargs.get("unroll"):
            raise ValueError("Unrolling isn't possible with convolutional RNNs.")
        super().__init__(filters, kernel_size=kernel_size, **kwargs)
        self.input_spec = [InputSpec(ndim=5)]

    def state_shapes(self, input_shape: Shape) -> List[Shape]:
        cell = self.cell
        space = input_shape[3:] if cell.data_format == "channels_first" else input_shape[2:4]
        new_space = [conv_output_length(n, cell.kernel_size[k], cell.padding, cell.strides[k], cell.dilation_rate[k])
                     for k, n in enumerate(space)]
        step = with_spatial((input_shape[0],), new_space, cell.filters, cell.data_format)
        return [step, step]

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        state_shapes = self.state_shapes(input_shape)
        step = state_shapes[0]
        output_shape = (step[0], input_shape[1]) + tuple(step[1:]) if self.return_sequences else step
        return [output_shape] + state_shapes if self.return_state else output_shape

    def get_initial_state(self, inputs) -> list:
        """Zero states, shaped by the input convolution of a zero image (as Keras does)."""
        image = K.sum(K.zeros_like(inputs), axis=1)
        kernel = K.constant(np.zeros(self.cell.kernel_size + (self.cell.input_dim, self.cell.filters)),
                            dtype=K.dtype(inputs))
        state = self.cell.input_conv(image, kernel)
        return [state, state]

"""CuDNNLSTM and CuDNNGRU (Keras 2.2.4's ``keras.layers.cudnn_recurrent``), accepted on any device.

Keras runs these only on TensorFlow with a GPU.  Here they are the plain `LSTM` and
`GRU` (``reset_after=True``) with CuDNN's fixed activations (tanh, sigmoid) and CuDNN's
weight layout — a bias of ``8 units`` (LSTM: input biases, then recurrent biases) or
``6 units`` (GRU) — so their weights and configs interchange with Keras's.  They take
no dropout, masking or unrolling, as in Keras.
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

from symkeras.layers.recurrent import GRU, LSTM, GRUCell, LSTMCell, forget_bias_initializer

_CUDNN_KEYS = ("units", "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
               "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
               "recurrent_constraint", "bias_constraint", "return_sequences", "return_state", "stateful", "name",
               "trainable", "batch_input_shape", "dtype")


def _cudnn_config(config: Dict[str, Any], extra: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """The keys of a layer config that a CuDNN layer's config has."""
    return {k: v for k, v in config.items() if k in _CUDNN_KEYS + extra}


class _CuDNNLSTMCell(LSTMCell):
    """An LSTM cell with CuDNN's ``(8 units,)`` bias: the input and recurrent biases, summed at each step."""

    def _bias_shape(self) -> Tuple[int, ...]:
        return (8 * self.units,)

    def _bias_initializer(self):
        # Keras: ones on the recurrent half's forget block
        return forget_bias_initializer(self.bias_initializer, self.units, 8, 5) if self.unit_forget_bias \
            else self.bias_initializer

    def _gate_bias(self):
        if self.bias is None:
            return None
        return self.bias[:4 * self.units] + self.bias[4 * self.units:]


class _CuDNNGRUCell(GRUCell):
    """A ``reset_after`` GRU cell with CuDNN's flat ``(6 units,)`` bias (input biases, then recurrent)."""

    def _bias_shape(self) -> Tuple[int, ...]:
        return (6 * self.units,)

    def _biases(self):
        if self.bias is None:
            return None, None
        return self.bias[:3 * self.units], self.bias[3 * self.units:]


class CuDNNLSTM(LSTM):
    """Fast LSTM implementation backed by CuDNN in Keras; here the `LSTM` computation with CuDNN's weights.

    # Arguments
        units: Positive integer, dimensionality of the output space.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        unit_forget_bias: Boolean; if True, add 1 to the recurrent bias of the forget gate at initialization.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        return_sequences, return_state, stateful: as `RNN`.

    # Weights
        ``kernel (input_dim, 4 units)``, ``recurrent_kernel (units, 4 units)``,
        ``bias (8 units,)``, gate order i, f, c, o.
    """

    cell_class = _CuDNNLSTMCell

    def __init__(self, units: int, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences: bool = False, return_state: bool = False, stateful: bool = False, **kwargs):
        super().__init__(units, activation="tanh", recurrent_activation="sigmoid", implementation=2,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, return_sequences=return_sequences,
                         return_state=return_state, stateful=stateful, **kwargs)
        self.supports_masking = False

    def get_config(self) -> Dict[str, Any]:
        return _cudnn_config(super().get_config(), ("unit_forget_bias",))


class CuDNNGRU(GRU):
    """Fast GRU implementation backed by CuDNN in Keras; here `GRU` (``reset_after=True``) with CuDNN's weights.

    # Arguments
        units: Positive integer, dimensionality of the output space.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        return_sequences, return_state, stateful: as `RNN`.

    # Weights
        ``kernel (input_dim, 3 units)``, ``recurrent_kernel (units, 3 units)``,
        ``bias (6 units,)``, gate order z, r, h.
    """

    cell_class = _CuDNNGRUCell

    def __init__(self, units: int, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences: bool = False, return_state: bool = False, stateful: bool = False, **kwargs):
        super().__init__(units, activation="tanh", recurrent_activation="sigmoid", reset_after=True,
                         implementation=2, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, return_sequences=return_sequences,
                         return_state=return_state, stateful=stateful, **kwargs)
        self.supports_masking = False

    def get_config(self) -> Dict[str, Any]:
        return _cudnn_config(super().get_config())


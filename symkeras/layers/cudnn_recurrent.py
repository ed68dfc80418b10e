"""CuDNNLSTM and CuDNNGRU (Keras 2.2.4's ``keras.layers.cudnn_recurrent``), accepted on any device.

Keras runs these only on TensorFlow with a GPU.  Here they are the plain `LSTM` and
`GRU` (``reset_after=True``) with CuDNN's fixed activations (tanh, sigmoid) and CuDNN's
weights, read as cuDNN reads them, so that weights and configs interchange with Keras's:
a bias of ``8 units`` (LSTM: input biases, then recurrent biases) or ``6 units`` (GRU),
and kernels whose gate blocks Keras hands cuDNN flattened row by row, which cuDNN reads
as its ``(units, input_dim)`` matrix ``W`` of ``W x`` (`cudnn_kernels_as_plain`).  They
take no dropout, masking or unrolling, as in Keras.  `convert_rnn_weights` converts saved
weights between the CuDNN and the plain layers, as Keras 2.2.4 does on load.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

import numpy as np

from symkeras import backend as K
from symkeras.layers.recurrent import GRU, LSTM, GRUCell, LSTMCell, forget_bias_initializer, gate_blocks

_CUDNN_KEYS = ("units", "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
               "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
               "recurrent_constraint", "bias_constraint", "return_sequences", "return_state", "go_backwards",
               "stateful", "name", "trainable", "batch_input_shape", "dtype")


def _cudnn_config(config: Dict[str, Any], extra: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """The keys of a layer config that a CuDNN layer's config has."""
    return {k: v for k, v in config.items() if k in _CUDNN_KEYS + extra}


def _as_plain_arguments(arguments: Dict[str, Any]) -> Dict[str, Any]:
    """A CuDNN layer's constructor arguments (its ``locals()``) as the plain layer's: cuDNN's fixed activations,
    the fused implementation, the keyword arguments passed on."""
    plain = {k: v for k, v in arguments.items() if k not in ("self", "kwargs", "__class__")}
    return dict(plain, activation="tanh", recurrent_activation="sigmoid", implementation=2, **arguments["kwargs"])


def cudnn_kernels_as_plain(kernel, recurrent_kernel, units: int, gates: int,
                           concatenate: Callable = K.concatenate) -> Tuple[Any, Any]:
    """The plain layer's (kernel, recurrent kernel) that compute what cuDNN computes with a CuDNN layer's.

    Each gate block of the kernel ``(input_dim, units)``, flattened row by row, is cuDNN's
    ``W (units, input_dim)``: the plain block is ``block.reshape(units, input_dim).T``.  A
    recurrent block is cuDNN's ``R`` of ``R h``: the plain block is its transpose.  Serves
    symbolic weights (the CuDNN cells) and arrays (``concatenate=np.concatenate``, on load).
    """
    inputs = [block.reshape((units, -1)).T for block in gate_blocks(kernel, units, gates)]
    recurrent = [block.T for block in gate_blocks(recurrent_kernel, units, gates)]
    return concatenate(inputs, axis=-1), concatenate(recurrent, axis=-1)


def plain_kernels_as_cudnn(kernel: np.ndarray, recurrent_kernel: np.ndarray, units: int,
                           gates: int) -> Tuple[np.ndarray, np.ndarray]:
    """The inverse of `cudnn_kernels_as_plain`, for arrays."""
    inputs = [block.T.reshape((-1, units)) for block in gate_blocks(kernel, units, gates)]
    recurrent = [block.T for block in gate_blocks(recurrent_kernel, units, gates)]
    return np.concatenate(inputs, axis=-1), np.concatenate(recurrent, axis=-1)


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

    def _kernels(self):
        return cudnn_kernels_as_plain(self.kernel, self.recurrent_kernel, self.units, 4)


class _CuDNNGRUCell(GRUCell):
    """A ``reset_after`` GRU cell with CuDNN's flat ``(6 units,)`` bias (input biases, then recurrent)."""

    def _bias_shape(self) -> Tuple[int, ...]:
        return (6 * self.units,)

    def _biases(self):
        if self.bias is None:
            return None, None
        return self.bias[:3 * self.units], self.bias[3 * self.units:]

    def _kernels(self):
        return cudnn_kernels_as_plain(self.kernel, self.recurrent_kernel, self.units, 3)


class CuDNNLSTM(LSTM):
    """Fast LSTM implementation backed by CuDNN in Keras; here the `LSTM` computation with CuDNN's weights.

    # Arguments
        units: Positive integer, dimensionality of the output space.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        unit_forget_bias: Boolean; if True, add 1 to the recurrent bias of the forget gate at initialization.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        return_sequences, return_state, go_backwards, stateful: as `RNN`.

    # Weights
        ``kernel (input_dim, 4 units)``, ``recurrent_kernel (units, 4 units)``,
        ``bias (8 units,)``, gate order i, f, c, o.
    """

    cell_class = _CuDNNLSTMCell

    def __init__(self, units: int, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, **kwargs):
        super().__init__(**_as_plain_arguments(locals()))
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
        return_sequences, return_state, go_backwards, stateful: as `RNN`.

    # Weights
        ``kernel (input_dim, 3 units)``, ``recurrent_kernel (units, 3 units)``,
        ``bias (6 units,)``, gate order z, r, h.
    """

    cell_class = _CuDNNGRUCell

    def __init__(self, units: int, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, **kwargs):
        super().__init__(reset_after=True, **_as_plain_arguments(locals()))
        self.supports_masking = False

    def get_config(self) -> Dict[str, Any]:
        return _cudnn_config(super().get_config())


def convert_rnn_weights(layer: Any, weights: List[np.ndarray]) -> List[np.ndarray]:
    """Saved ``[kernel, recurrent_kernel, bias]`` of an LSTM/GRU or CuDNNLSTM/CuDNNGRU, for `layer` of either kind.

    The source kind is read from the bias shape (LSTM ``4u`` / CuDNN ``8u``; GRU
    ``(2, 3u)`` / CuDNN ``6u``), as Keras 2.2.4 does; the kernels go through
    `cudnn_kernels_as_plain` or its inverse, the LSTM biases are summed or halved twice, the
    GRU biases reshaped.
    """
    if len(weights) != 3:
        return weights
    kernel, recurrent, bias = weights
    units = recurrent.shape[0]
    lstm = isinstance(layer, LSTM)
    gates = 4 if lstm else 3
    cudnn_shapes = [(2 * gates * units,)]
    plain_shapes = [(gates * units,)] if lstm else [(2, gates * units), (gates * units,)]
    if bias.shape not in cudnn_shapes + plain_shapes:
        raise ValueError(f"Layer {layer.name}: a saved bias of shape {bias.shape} is neither a "
                         f"{type(layer).__name__}'s nor a CuDNN layer's for {units} units")
    from_cudnn, to_cudnn = bias.shape in cudnn_shapes, isinstance(layer, (CuDNNLSTM, CuDNNGRU))
    if from_cudnn == to_cudnn:
        return weights
    if not lstm and (bias.shape == (gates * units,) or not to_cudnn and not layer.cell.reset_after):
        raise ValueError(f"Layer {layer.name}: CuDNNGRU weights convert only to and from a GRU with "
                         f"reset_after=True (bias shape (2, {gates * units})); got a bias of shape {bias.shape} "
                         f"for a {type(layer).__name__}")
    if from_cudnn:
        kernel, recurrent = cudnn_kernels_as_plain(kernel, recurrent, units, gates, np.concatenate)
        bias = bias[:gates * units] + bias[gates * units:] if lstm else bias.reshape(2, -1)
    else:
        kernel, recurrent = plain_kernels_as_cudnn(kernel, recurrent, units, gates)
        bias = np.tile(0.5 * bias, 2) if lstm else bias.reshape(-1)
    return [kernel, recurrent, bias]


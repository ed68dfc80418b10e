"""Keras layers (``keras.layers``): every layer class, and `serialize` / `deserialize` / `get` over them.

`deserialize` resolves a config's ``class_name`` among the classes exported here, plus
`Model` and `Sequential` (looked up lazily: they are built on top of the layers), then
`custom_objects` and the global custom objects.
"""
from typing import Any, Dict, Optional

from symkeras.engine.base_layer import InputSpec, Layer
from symkeras.engine.input_layer import Input, InputLayer
from symkeras.layers.core import (
    Activation, ActivityRegularization, Dense, Dropout, Flatten, Lambda, Masking, Permute, RepeatVector, Reshape,
    SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
)
from symkeras.layers.convolutional import (
    AtrousConvolution1D, AtrousConvolution2D, Conv1D, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, Convolution1D,
    Convolution2D, Convolution2DTranspose, Convolution3D, Cropping1D, Cropping2D, Cropping3D, Deconv2D, Deconv3D,
    Deconvolution2D, Deconvolution3D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D, SeparableConvolution1D,
    SeparableConvolution2D, UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D,
)
from symkeras.layers.local import LocallyConnected1D, LocallyConnected2D
from symkeras.layers.pooling import (
    AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D, AvgPool3D, GlobalAveragePooling1D,
    GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D,
    GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D, GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D,
    MaxPool1D, MaxPool2D, MaxPool3D, MaxPooling1D, MaxPooling2D, MaxPooling3D,
)
from symkeras.layers.merge import (
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average, concatenate, dot, maximum,
    minimum, multiply, subtract,
)
from symkeras.layers.advanced_activations import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from symkeras.layers.noise import AlphaDropout, GaussianDropout, GaussianNoise
from symkeras.layers.normalization import BatchNormalization
from symkeras.layers.convolutional_recurrent import ConvLSTM2D, ConvLSTM2DCell
from symkeras.layers.cudnn_recurrent import CuDNNGRU, CuDNNLSTM
from symkeras.layers.embeddings import Embedding
from symkeras.layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells
from symkeras.layers.wrappers import Bidirectional, TimeDistributed, Wrapper
from symkeras.utils.generic_utils import deserialize_keras_object, get_from_identifier, serialize_keras_object


def serialize(layer: Layer) -> Dict[str, Any]:
    """The config of a layer with its class name: ``{"class_name": ..., "config": layer.get_config()}``.

    # Arguments
        layer: a layer (or model) instance.

    # Returns
        A dict.
    """
    return serialize_keras_object(layer)


def _registry() -> Dict[str, Any]:
    """Every class a layer config may name: this module's layers, `Model` and `Sequential`."""
    from symkeras.engine.sequential import Sequential
    from symkeras.engine.training import Model

    return {**globals(), "Model": Model, "Sequential": Sequential}


def deserialize(config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None) -> Layer:
    """Instantiates a layer (or model) from its config.

    # Arguments
        config: a dict ``{"class_name": ..., "config": ...}``.
        custom_objects: custom layer classes and functions, by name.

    # Returns
        A layer instance (Model and Sequential included).

    # Raises
        ValueError: ``Unknown layer: <name>`` for a class it cannot find.
    """
    return deserialize_keras_object(config, module_objects=_registry(), custom_objects=custom_objects,
                                    printable_module_name="layer")


def get(identifier: Any) -> Layer:
    """A layer from a config dict, or the layer instance itself.

    # Arguments
        identifier: a layer config dict or a layer instance.

    # Returns
        A layer instance.

    # Raises
        ValueError: for anything else.
    """
    return get_from_identifier(identifier, deserialize, "layer", is_object=lambda x: isinstance(x, Layer))


__all__ = [
    "Activation", "ActivityRegularization", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "InputSpec",
    "Lambda", "Layer", "Masking", "Permute", "RepeatVector", "Reshape", "SpatialDropout1D", "SpatialDropout2D",
    "SpatialDropout3D", "deserialize", "get", "serialize",
    "AlphaDropout", "BatchNormalization", "ELU", "GaussianDropout", "GaussianNoise", "LeakyReLU", "PReLU", "ReLU",
    "Softmax", "ThresholdedReLU",
    "Bidirectional", "ConvLSTM2D", "ConvLSTM2DCell", "CuDNNGRU", "CuDNNLSTM", "Embedding", "GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "SimpleRNN",
    "SimpleRNNCell", "StackedRNNCells", "TimeDistributed", "Wrapper",
    "AtrousConvolution1D", "AtrousConvolution2D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "AvgPool1D", "AvgPool2D", "AvgPool3D", "Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose",
    "Convolution1D", "Convolution2D", "Convolution2DTranspose", "Convolution3D", "Cropping1D", "Cropping2D",
    "Cropping3D", "Deconv2D", "Deconv3D",
    "Deconvolution2D", "Deconvolution3D", "DepthwiseConv2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "GlobalAveragePooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D",
    "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "LocallyConnected1D", "LocallyConnected2D", "MaxPool1D", "MaxPool2D", "MaxPool3D", "MaxPooling1D",
    "MaxPooling2D", "MaxPooling3D", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
    "SeparableConvolution2D", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D",
    "ZeroPadding3D",
]

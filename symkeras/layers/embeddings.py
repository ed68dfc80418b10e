"""The Embedding layer (Keras 2.2.4's ``keras.layers.embeddings``): integer indices to dense vectors."""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple

from symkeras import backend as K
from symkeras import constraints, initializers, regularizers
from symkeras.engine.base_layer import Layer

Shape = Tuple[Optional[int], ...]


class Embedding(Layer):
    """Turns positive integers (indexes) into dense vectors of fixed size.

    eg. ``[[4], [20]] -> [[[0.25, 0.1]], [[0.6, -0.2]]]``.  This layer can only be used as
    the first layer in a model.

    # Arguments
        input_dim: int > 0. Size of the vocabulary, i.e. maximum integer index + 1.
        output_dim: int >= 0. Dimension of the dense embedding.
        embeddings_initializer: Initializer for the `embeddings` matrix.
        embeddings_regularizer: Regularizer function applied to the `embeddings` matrix.
        activity_regularizer: Regularizer function applied to the output of the layer.
        embeddings_constraint: Constraint function applied to the `embeddings` matrix.
        mask_zero: Whether the input value 0 is a special "padding" value that should be
            masked out (for recurrent layers, which take variable length input).  If True,
            index 0 cannot be used in the vocabulary (input_dim should be vocabulary + 1).
        input_length: Length of input sequences, when it is constant.  Required to connect
            `Flatten` then `Dense` layers downstream (the output shape must be known).

    # Input shape
        2D tensor with shape ``(batch_size, sequence_length)``; indices given as floats are
        cast to int32.

    # Output shape
        3D tensor with shape ``(batch_size, sequence_length, output_dim)``.

    # Example

    ```python
        model = Sequential()
        model.add(Embedding(1000, 64, input_length=10))
        # the model will take as input an integer matrix of size (batch, input_length).
        # the largest integer (i.e. word index) in the input should be
        # no larger than 999 (vocabulary size).
        # now model.output_shape == (None, 10, 64)
    ```
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero: bool = False,
                 input_length=None, **kwargs):
        if "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,) if input_length else (None,)
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length

    def build(self, input_shape: Shape) -> None:
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer, name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint, dtype=self.dtype)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return K.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if self.input_length is None:
            return tuple(input_shape) + (self.output_dim,)
        lengths = _as_tuple(self.input_length)
        if len(lengths) != len(input_shape) - 1:
            raise ValueError(f'Layer {self.name}: "input_length" is {self.input_length}, but the received input '
                             f"has shape {input_shape}")
        for given, received in zip(lengths, input_shape[1:]):
            if given is not None and received is not None and given != received:
                raise ValueError(f'Layer {self.name}: "input_length" is {self.input_length}, but the received '
                                 f"input has shape {input_shape}")
        known = tuple(received if received is not None else given for given, received in zip(lengths, input_shape[1:]))
        return (input_shape[0],) + known + (self.output_dim,)

    def call(self, inputs):
        if K.dtype(inputs) != "int32":
            inputs = K.cast(inputs, "int32")
        return K.gather(self.embeddings, inputs)

    def get_config(self) -> Dict[str, Any]:
        config = {
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "input_length": self.input_length,
        }
        return {**super().get_config(), **config}


def _as_tuple(x) -> Sequence[Optional[int]]:
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)

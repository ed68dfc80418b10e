"""`InputLayer` and `Input`: where a functional model's graph starts."""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

from symkeras import backend as K
from symkeras.engine.base_layer import Layer, Node


class InputLayer(Layer):
    """The layer at the entry point of a model: it holds a placeholder (or a given tensor).

    It is created by `Input` in functional models and automatically by `Sequential`;
    users rarely instantiate it directly.

    # Arguments
        input_shape: shape of the input, without the batch axis.
        batch_size: optional fixed batch size.
        batch_input_shape: shape of the input, batch axis included (instead of
            `input_shape` and `batch_size`).
        dtype: dtype of the input (default `K.floatx()`, or the dtype of `input_tensor`).
        input_tensor: an existing tensor to use instead of a new placeholder.
        sparse: whether the placeholder is sparse (not supported: symkeras is dense).
        name: name of the layer (default ``input_<n>``).
    """

    def __init__(self, input_shape: Optional[Sequence[Optional[int]]] = None, batch_size: Optional[int] = None,
                 batch_input_shape: Optional[Sequence[Optional[int]]] = None, dtype: Optional[str] = None,
                 input_tensor=None, sparse: bool = False, name: Optional[str] = None, **kwargs):
        if "input_dtype" in kwargs:  # Keras 1
            dtype = dtype or kwargs.pop("input_dtype")
        if kwargs:
            raise TypeError(f"InputLayer got unexpected keyword arguments: {sorted(kwargs)}")
        if not name:
            name = f"input_{K.get_uid('input')}"
        super().__init__(dtype=dtype, name=name)
        self.trainable = False
        self.built = True
        self.sparse = sparse
        if input_shape and batch_input_shape:
            raise ValueError("Only provide the input_shape OR batch_input_shape argument to InputLayer, "
                             "not both at the same time.")
        if input_tensor is not None and batch_input_shape is None and not input_shape:
            batch_input_shape = K.int_shape(input_tensor)
        if batch_input_shape:
            batch_input_shape = tuple(batch_input_shape)
        elif input_shape:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        else:
            raise ValueError("An Input layer should be passed either a `batch_input_shape` or an `input_shape`.")
        self.batch_input_shape = batch_input_shape
        self.dtype = dtype or (K.dtype(input_tensor) if input_tensor is not None else K.floatx())

        self.is_placeholder = input_tensor is None
        if input_tensor is None:
            input_tensor = K.placeholder(shape=batch_input_shape, dtype=self.dtype, sparse=sparse, name=self.name)
        else:
            input_tensor._keras_shape = batch_input_shape
        input_tensor._uses_learning_phase = False
        input_tensor._keras_history = (self, 0, 0)
        Node(self, inbound_layers=[], node_indices=[], tensor_indices=[], input_tensors=[input_tensor],
             output_tensors=[input_tensor], input_masks=[None], output_masks=[None],
             input_shapes=[batch_input_shape], output_shapes=[batch_input_shape])

    def get_config(self) -> Dict[str, Any]:
        return {"batch_input_shape": self.batch_input_shape, "dtype": self.dtype, "sparse": self.sparse,
                "name": self.name}


def Input(shape: Optional[Sequence[Optional[int]]] = None, batch_shape: Optional[Sequence[Optional[int]]] = None,
          name: Optional[str] = None, dtype: Optional[str] = None, sparse: bool = False, tensor=None):
    """`Input()` instantiates a Keras tensor: the symbolic input of a functional model.

    # Arguments
        shape: shape tuple, without the batch axis: ``shape=(32,)`` means batches of
            32-dimensional vectors.
        batch_shape: shape tuple with the batch axis: ``batch_shape=(10, 32)``.
        name: name of the input layer, unique in a model (default ``input_<n>``).
        dtype: dtype of the input (default `K.floatx()`).
        sparse: whether the placeholder is sparse (not supported).
        tensor: an existing tensor to wrap instead of creating a placeholder.

    # Returns
        A tensor, with Keras history, to call layers on.

    # Example

    ```python
        a = Input(shape=(32,))
        b = Dense(32)(a)
        model = Model(inputs=a, outputs=b)
    ```
    """
    if not batch_shape and tensor is None and shape is None:
        raise ValueError("Please provide to Input either a `shape` or a `batch_shape` argument. "
                         "Note that `shape` does not include the batch dimension.")
    if shape is not None and not batch_shape:
        batch_shape = (None,) + tuple(shape)
    layer = InputLayer(batch_input_shape=batch_shape, name=name, dtype=dtype, sparse=sparse, input_tensor=tensor)
    return layer._inbound_nodes[0].output_tensors[0]

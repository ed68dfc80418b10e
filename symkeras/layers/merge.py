"""Merge layers (Keras 2.2.4's ``keras.layers.merge``): Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate, Dot, and their functional forms (`add`, `concatenate`, ...).
"""
from __future__ import annotations

from functools import reduce
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from symkeras import backend as K
from symkeras.engine.base_layer import Layer

Shape = Tuple[Optional[int], ...]


def _broadcast_dim(layer: str, a: Optional[int], b: Optional[int], shapes) -> Optional[int]:
    """One dimension of an elementwise merge, as Keras computes it (unknown wins)."""
    if a is None or b is None:
        return None
    if a == 1:
        return b
    if b == 1 or a == b:
        return a
    raise ValueError(f"Operands could not be broadcast together with shapes {shapes} in layer {layer}")


class _Merge(Layer):
    """Elementwise merge of a list of tensors; inputs of different ranks get size-1 axes after the batch axis."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs: List) -> Any:
        raise NotImplementedError

    def _elementwise_shape(self, shape1: Shape, shape2: Shape) -> Shape:
        """The broadcast of two shapes without their batch axes (aligned on the right, like numpy)."""
        if None in (shape1, shape2):
            return None
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        pad = len(shape1) - len(shape2)
        tail = [_broadcast_dim(self.name, a, b, (shape1, shape2)) for a, b in zip(shape1[pad:], shape2)]
        return tuple(shape1[:pad]) + tuple(tail)

    def _check_inputs(self, input_shape) -> None:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(
                f"A merge layer ({self.name}) should be called on a list of at least 2 inputs. "
                f"Got {len(input_shape) if isinstance(input_shape, list) else 1} inputs."
            )

    def build(self, input_shape: List[Shape]) -> None:
        self._check_inputs(input_shape)
        batch_sizes = {s[0] for s in input_shape if s is not None and s[0] is not None}
        if len(batch_sizes) > 1:
            raise ValueError(f"Can not merge tensors with different batch sizes in layer {self.name}. "
                             f"Got tensors with shapes: {input_shape}")
        reduce(self._elementwise_shape, [s[1:] for s in input_shape])
        self.built = True

    def call(self, inputs: List, **kwargs):
        ndim = max(K.ndim(x) for x in inputs)
        aligned = []
        for x in inputs:
            while K.ndim(x) < ndim:
                x = K.expand_dims(x, axis=1)
            aligned.append(x)
        return self._merge_function(aligned)

    def compute_output_shape(self, input_shape: List[Shape]) -> Shape:
        tail = reduce(self._elementwise_shape, [s[1:] for s in input_shape])
        batch = {s[0] for s in input_shape if s[0] is not None}
        return (batch.pop() if batch else None,) + tuple(tail)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = [K.expand_dims(m, 0) for m in mask if m is not None]
        return K.all(K.concatenate(masks, axis=0), axis=0, keepdims=False)


def _fold(fn: Callable) -> Callable:
    return lambda self, inputs: reduce(fn, inputs)


class Add(_Merge):
    """Adds a list of inputs of the same shape (up to broadcasting): ``inputs[0] + inputs[1] + ...``."""

    _merge_function = _fold(lambda a, b: a + b)


class Subtract(_Merge):
    """Subtracts the second of exactly two inputs from the first."""

    def _check_inputs(self, input_shape) -> None:
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer ({self.name}) should be called on exactly 2 inputs")

    def _merge_function(self, inputs: List):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Multiplies a list of inputs elementwise."""

    _merge_function = _fold(lambda a, b: a * b)


class Average(_Merge):
    """Averages a list of inputs elementwise."""

    def _merge_function(self, inputs: List):
        return reduce(lambda a, b: a + b, inputs) / len(inputs)


class Maximum(_Merge):
    """The elementwise maximum of a list of inputs."""

    _merge_function = _fold(K.maximum)


class Minimum(_Merge):
    """The elementwise minimum of a list of inputs."""

    _merge_function = _fold(K.minimum)


class Concatenate(_Merge):
    """Concatenates a list of inputs along `axis`; all other dimensions must match.

    # Arguments
        axis: the concatenation axis (default -1).
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape: List[Shape]) -> None:
        self._check_inputs(input_shape)
        ndims = {len(s) for s in input_shape}
        axis = self.axis % max(ndims)
        reduced = [tuple(d for k, d in enumerate(s) if k != axis) for s in input_shape]
        if len(ndims) != 1 or any(not all(a is None or b is None or a == b for a, b in zip(r, reduced[0]))
                                  for r in reduced):
            raise ValueError(
                f"A `Concatenate` layer ({self.name}) requires inputs with matching shapes except for the concat "
                f"axis. Got inputs shapes: {input_shape}"
            )
        self.built = True

    def call(self, inputs: List, **kwargs):
        return K.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape: List[Shape]) -> Shape:
        out = list(input_shape[0])
        axis = self.axis % len(out)
        sizes = [s[axis] for s in input_shape]
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = K.ones_like(x, dtype="bool")
            elif K.ndim(m) < K.ndim(x):
                m = K.expand_dims(m)
            masks.append(m)
        return K.all(K.concatenate(masks, axis=self.axis), axis=-1, keepdims=False)

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot product between samples of two tensors along `axes` (Keras's ``batch_dot``).

    # Arguments
        axes: an int or a pair of ints, the axes of each input to contract.
        normalize: whether to L2-normalize the inputs along those axes first (cosine proximity).
    """

    def __init__(self, axes: Union[int, Sequence[int]], normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes if isinstance(axes, int) else tuple(axes)
        self.normalize = normalize
        self.supports_masking = False

    def _pair(self, shapes: List[Shape]) -> Tuple[int, int]:
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return tuple(a % len(s) for a, s in zip(axes, shapes))

    def build(self, input_shape: List[Shape]) -> None:
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"A `Dot` layer ({self.name}) should be called on a list of 2 inputs.")
        a, b = self._pair(input_shape)
        if input_shape[0][a] is not None and input_shape[1][b] is not None and input_shape[0][a] != input_shape[1][b]:
            raise ValueError(
                f"Dimension incompatibility in layer {self.name}: {input_shape[0][a]} != {input_shape[1][b]}. "
                f"Layer shapes: {input_shape[0]}, {input_shape[1]}"
            )
        self.built = True

    def call(self, inputs: List, **kwargs):
        x, y = inputs
        a, b = self._pair([K.int_shape(x), K.int_shape(y)])
        if self.normalize:
            x, y = K.l2_normalize(x, axis=a), K.l2_normalize(y, axis=b)
        return K.batch_dot(x, y, axes=(a, b))

    def compute_output_shape(self, input_shape: List[Shape]) -> Shape:
        a, b = self._pair(input_shape)
        first = [d for k, d in enumerate(input_shape[0]) if k != a]
        second = [d for k, d in enumerate(input_shape[1]) if k not in (0, b)]
        out = tuple(first + second)
        return out + (1,) if len(out) == 1 else out

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _functional(cls: type, doc: str) -> Callable:
    def merge(inputs: List, **kwargs):
        return cls(**kwargs)(inputs)

    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = doc
    return merge


add = _functional(Add, "Functional interface to the `Add` layer.")
subtract = _functional(Subtract, "Functional interface to the `Subtract` layer.")
multiply = _functional(Multiply, "Functional interface to the `Multiply` layer.")
average = _functional(Average, "Functional interface to the `Average` layer.")
maximum = _functional(Maximum, "Functional interface to the `Maximum` layer.")
minimum = _functional(Minimum, "Functional interface to the `Minimum` layer.")


def concatenate(inputs: List, axis: int = -1, **kwargs):
    """Functional interface to the `Concatenate` layer."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: List, axes: Union[int, Sequence[int]], normalize: bool = False, **kwargs):
    """Functional interface to the `Dot` layer."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)

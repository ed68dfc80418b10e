"""Built-in weight initializers (Keras 2.2.4's ``keras.initializers``).

An initializer is called as ``init(shape, dtype=None)``.  Keras returns a backend
tensor; here the values are drawn with numpy and returned as a numpy array of `dtype`
(default ``K.floatx()``), which ``Layer.add_weight`` wraps in ``K.variable``: a weight
then costs no compiled function, and ``K.variable``, ``K.constant`` and ``K.eval`` all
accept the array.  Unseeded draws come from the backend's generator (``K.numpy_rng()``,
which ``K.set_random_seed`` reseeds); an initializer given a `seed` draws from a fresh
``K.numpy_rng(seed)``, so every call with that seed gives the same values.
Distributions, fans and scalings are Keras 2.2.4's.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras import backend as K
from symkeras.utils.generic_utils import deserialize_keras_object, get_from_identifier, serialize_keras_object

Shape = Sequence[int]

#: Standard deviation of a standard normal truncated to [-2, 2] (``scipy.stats.truncnorm.std(a=-2, b=2)``).
TRUNCATED_NORMAL_STD = 0.87962566103423978


class Initializer(object):
    """Initializer base class: all initializers inherit from this class."""

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> Dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: Dict[str, Any]) -> "Initializer":
        config = dict(config)
        # Initializers saved by tf.keras may carry an unused `dtype` argument.
        config.pop("dtype", None)
        return cls(**config)


def _dtype(dtype: Optional[str]) -> str:
    return dtype or K.floatx()


def _truncated_normal(rng, shape: Shape, mean: float, stddev: float) -> np.ndarray:
    """Normal values, those more than two standard deviations from the mean redrawn."""
    values = rng.normal(0.0, 1.0, tuple(shape))
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.normal(0.0, 1.0, int(outside.sum()))
        outside = np.abs(values) > 2.0
    return mean + stddev * values


class Zeros(Initializer):
    """Initializer that generates tensors initialized to 0."""

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        return np.zeros(tuple(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """Initializer that generates tensors initialized to 1."""

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        return np.ones(tuple(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Initializer that generates tensors initialized to a constant value.

    # Arguments
        value: float; the value of the generator tensors, or an array broadcastable
            to the shape (e.g. pretrained embeddings).
    """

    def __init__(self, value: Any = 0):
        self.value = value

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.value), tuple(shape)).astype(_dtype(dtype))

    def get_config(self) -> Dict[str, Any]:
        return {"value": self.value}


class _RandomInitializer(Initializer):
    """An initializer drawing from a distribution with two parameters and a `seed`."""

    _parameters: Tuple[str, str]

    def get_config(self) -> Dict[str, Any]:
        return {**{name: getattr(self, name) for name in self._parameters}, "seed": self.seed}


class _NormalInitializer(_RandomInitializer):
    """A (possibly truncated) normal distribution of a given `mean` and `stddev`."""

    _parameters = ("mean", "stddev")

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Optional[int] = None):
        self.mean, self.stddev, self.seed = mean, stddev, seed


class RandomNormal(_NormalInitializer):
    """Initializer that generates tensors with a normal distribution.

    # Arguments
        mean: a python scalar or a scalar tensor. Mean of the random values to generate.
        stddev: a python scalar or a scalar tensor. Standard deviation of the random values to generate.
        seed: A Python integer. Used to seed the random generator.
    """

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        return K.numpy_rng(self.seed).normal(self.mean, self.stddev, tuple(shape)).astype(_dtype(dtype))


class RandomUniform(_RandomInitializer):
    """Initializer that generates tensors with a uniform distribution.

    # Arguments
        minval: A python scalar or a scalar tensor. Lower bound of the range of random values to generate.
        maxval: A python scalar or a scalar tensor. Upper bound of the range of random values to generate.
        seed: A Python integer. Used to seed the random generator.
    """

    _parameters = ("minval", "maxval")

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Optional[int] = None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        return K.numpy_rng(self.seed).uniform(self.minval, self.maxval, tuple(shape)).astype(_dtype(dtype))


class TruncatedNormal(_NormalInitializer):
    """Initializer that generates a truncated normal distribution.

    These values are similar to values from a `RandomNormal` except that values more
    than two standard deviations from the mean are discarded and redrawn. This is the
    recommended initializer for neural network weights and filters.

    # Arguments
        mean: a python scalar or a scalar tensor. Mean of the random values to generate.
        stddev: a python scalar or a scalar tensor. Standard deviation of the random values to generate.
        seed: A Python integer. Used to seed the random generator.
    """

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        return _truncated_normal(K.numpy_rng(self.seed), shape, self.mean, self.stddev).astype(_dtype(dtype))


def _compute_fans(shape: Shape, data_format: str = "channels_last") -> Tuple[float, float]:
    """Computes the number of input and output units for a weight shape.

    # Arguments
        shape: Integer shape tuple: ``(in, out)`` for a dense kernel, ``(k..., in, out)``
            for a 1D, 2D or 3D convolution kernel (``(out, in, k...)`` with ``channels_first``).
        data_format: Image data format to use for convolution kernels.

    # Returns
        A tuple of scalars, `(fan_in, fan_out)`.

    # Raises
        ValueError: in case of invalid `data_format` argument.
    """
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (3, 4, 5):
        if data_format == "channels_first":
            receptive_field_size = int(np.prod(shape[2:]))
            return shape[1] * receptive_field_size, shape[0] * receptive_field_size
        if data_format == "channels_last":
            receptive_field_size = int(np.prod(shape[:-2]))
            return shape[-2] * receptive_field_size, shape[-1] * receptive_field_size
        raise ValueError(f"Invalid data_format: {data_format}")
    # No specific assumptions.
    fan = float(np.sqrt(np.prod(shape)))
    return fan, fan


class VarianceScaling(Initializer):
    """Initializer capable of adapting its scale to the shape of weights.

    With `distribution="normal"`, samples are drawn from a truncated normal
    distribution centered on zero, with `stddev = sqrt(scale / n) / 0.8796...` (the
    standard deviation of the truncated distribution is then `sqrt(scale / n)`) where n is:
    the number of input units in the weight tensor, if mode = "fan_in";
    the number of output units, if mode = "fan_out";
    the average of the numbers of input and output units, if mode = "fan_avg".

    With `distribution="uniform"`, samples are drawn from a uniform distribution
    within [-limit, limit], with `limit = sqrt(3 * scale / n)`.

    # Arguments
        scale: Scaling factor (positive float).
        mode: One of "fan_in", "fan_out", "fan_avg".
        distribution: Random distribution to use. One of "normal", "uniform".
        seed: A Python integer. Used to seed the random generator.

    # Raises
        ValueError: In case of an invalid value for the "scale", mode" or "distribution" arguments.
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "normal",
                 seed: Optional[int] = None):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be a positive float. Got: {scale}")
        mode = mode.lower()
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f'Invalid `mode` argument: expected one of {{"fan_in", "fan_out", "fan_avg"}} but got {mode}'
            )
        distribution = distribution.lower()
        if distribution not in ("normal", "uniform"):
            raise ValueError(
                f'Invalid `distribution` argument: expected one of {{"normal", "uniform"}} but got {distribution}'
            )
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        fan_in, fan_out = _compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, float(n))
        rng = K.numpy_rng(self.seed)
        if self.distribution == "normal":
            values = _truncated_normal(rng, shape, 0.0, np.sqrt(scale) / TRUNCATED_NORMAL_STD)
        else:
            limit = np.sqrt(3.0 * scale)
            values = rng.uniform(-limit, limit, tuple(shape))
        return values.astype(_dtype(dtype))

    def get_config(self) -> Dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class Orthogonal(Initializer):
    """Initializer that generates a random orthogonal matrix.

    The shape is flattened to ``(prod(shape[:-1]), shape[-1])``; the result has
    orthonormal columns (or rows, when there are fewer rows than columns), times `gain`.

    # Arguments
        gain: Multiplicative factor to apply to the orthogonal matrix.
        seed: A Python integer. Used to seed the random generator.

    # References
        - [Exact solutions to the nonlinear dynamics of learning in deep
           linear neural networks](http://arxiv.org/abs/1312.6120)
    """

    def __init__(self, gain: float = 1.0, seed: Optional[int] = None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        flat_shape = (int(np.prod(shape[:-1])), shape[-1])
        a = K.numpy_rng(self.seed).normal(0.0, 1.0, flat_shape)
        u, _, v = np.linalg.svd(a, full_matrices=False)
        # Pick the one with the correct shape.
        q = u if u.shape == flat_shape else v
        return (self.gain * q.reshape(tuple(shape))).astype(_dtype(dtype))

    def get_config(self) -> Dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """Initializer that generates the identity matrix.

    Only use for 2D square matrices.

    # Arguments
        gain: Multiplicative factor to apply to the identity matrix.

    # Raises
        ValueError: if the shape is not that of a 2D square matrix.
    """

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape: Shape, dtype: Optional[str] = None) -> np.ndarray:
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError(
                f"Identity matrix initializer can only be used for 2D square matrices, got shape {tuple(shape)}"
            )
        return (self.gain * np.identity(shape[0])).astype(_dtype(dtype))

    def get_config(self) -> Dict[str, Any]:
        return {"gain": self.gain}


def lecun_uniform(seed: Optional[int] = None) -> VarianceScaling:
    """LeCun uniform initializer.

    It draws samples from a uniform distribution within [-limit, limit] where `limit`
    is `sqrt(3 / fan_in)`, `fan_in` being the number of input units in the weight tensor.

    # Arguments
        seed: A Python integer. Used to seed the random generator.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)


def glorot_normal(seed: Optional[int] = None) -> VarianceScaling:
    """Glorot normal initializer, also called Xavier normal initializer.

    It draws samples from a truncated normal distribution centered on 0 with
    `stddev = sqrt(2 / (fan_in + fan_out))`.

    # Arguments
        seed: A Python integer. Used to seed the random generator.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=1.0, mode="fan_avg", distribution="normal", seed=seed)


def glorot_uniform(seed: Optional[int] = None) -> VarianceScaling:
    """Glorot uniform initializer, also called Xavier uniform initializer.

    It draws samples from a uniform distribution within [-limit, limit] where `limit`
    is `sqrt(6 / (fan_in + fan_out))`.

    # Arguments
        seed: A Python integer. Used to seed the random generator.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed)


def he_normal(seed: Optional[int] = None) -> VarianceScaling:
    """He normal initializer.

    It draws samples from a truncated normal distribution centered on 0 with
    `stddev = sqrt(2 / fan_in)`.

    # Arguments
        seed: A Python integer. Used to seed the random generator.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="normal", seed=seed)


def lecun_normal(seed: Optional[int] = None) -> VarianceScaling:
    """LeCun normal initializer.

    It draws samples from a truncated normal distribution centered on 0 with
    `stddev = sqrt(1 / fan_in)`.

    # Arguments
        seed: A Python integer. Used to seed the random generator.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="normal", seed=seed)


def he_uniform(seed: Optional[int] = None) -> VarianceScaling:
    """He uniform variance scaling initializer.

    It draws samples from a uniform distribution within [-limit, limit] where `limit`
    is `sqrt(6 / fan_in)`.

    # Arguments
        seed: A Python integer. Used to seed the random generator.

    # Returns
        An initializer.
    """
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)


# Compatibility aliases
zero = zeros = Zeros
one = ones = Ones
constant = Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
identity = Identity
orthogonal = Orthogonal


def serialize(initializer: Initializer) -> Dict[str, Any]:
    """The Keras config of an initializer.

    # Arguments
        initializer: an `Initializer`.

    # Returns
        ``{"class_name": ..., "config": ...}``; the function-style initializers
        (``glorot_uniform()``…) serialize as their `VarianceScaling`.
    """
    return serialize_keras_object(initializer)


def deserialize(config: Union[str, Dict[str, Any]], custom_objects: Optional[Dict[str, Any]] = None) -> Initializer:
    """The initializer of a Keras config.

    # Arguments
        config: ``{"class_name": ..., "config": ...}`` (the class name may be an alias
            such as ``"glorot_uniform"``).
        custom_objects: user initializers by name.

    # Returns
        The initializer.
    """
    return deserialize_keras_object(config, module_objects=globals(), custom_objects=custom_objects,
                                    printable_module_name="initializer")


def get(identifier: Any) -> Any:
    """The initializer an identifier stands for.

    # Arguments
        identifier: a config dict, a name (``"glorot_uniform"``, ``"zeros"``…) or a callable.

    # Returns
        The initializer.

    # Raises
        ValueError: if `identifier` is none of these.
    """
    return get_from_identifier(identifier, deserialize, "initializer")

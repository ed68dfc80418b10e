"""Noise layers (Keras 2.2.4's ``keras.layers.noise``): GaussianNoise, GaussianDropout, AlphaDropout.

Each perturbs its input in the training phase only and is the identity at test time.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np

from symkeras import backend as K
from symkeras.activations import SELU_ALPHA, SELU_SCALE
from symkeras.engine.base_layer import Layer
from symkeras.legacy.interfaces import generate_legacy_interface

Shape = Tuple[Optional[int], ...]

#: Keras 1's names: ``GaussianNoise(sigma=)``, ``GaussianDropout(p=)``
legacy_gaussiannoise_support = generate_legacy_interface(allowed_positional_args=["stddev"],
                                                         conversions=[("sigma", "stddev")])
legacy_gaussiandropout_support = generate_legacy_interface(allowed_positional_args=["rate"],
                                                           conversions=[("p", "rate")])


class _TrainingNoise(Layer):
    """A layer that applies `_noised` in the training phase and is the identity otherwise."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _active(self) -> bool:
        """Whether the layer changes anything at all (a rate of 0 or 1 leaves the input as is)."""
        return True

    def _noised(self, inputs):
        raise NotImplementedError

    def call(self, inputs, training=None):
        if not self._active():
            return inputs
        return K.in_train_phase(lambda: self._noised(inputs), inputs, training=training)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class GaussianNoise(_TrainingNoise):
    """Apply additive zero-centered Gaussian noise.

    This is useful to mitigate overfitting (you could see it as a form of random data
    augmentation).  Gaussian Noise (GS) is a natural choice as corruption process for real
    valued inputs.  As it is a regularization layer, it is only active at training time.

    # Arguments
        stddev: float, standard deviation of the noise distribution.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` (tuple of integers, does not
        include the samples axis) when using this layer as the first layer in a model.

    # Output shape
        Same shape as input.

    # Example

    ```python
        model.add(GaussianNoise(0.1, input_shape=(16,)))
    ```
    """

    @legacy_gaussiannoise_support
    def __init__(self, stddev: float, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev

    def _noised(self, inputs):
        return inputs + K.random_normal(shape=K.shape(inputs), mean=0.0, stddev=self.stddev, dtype=K.dtype(inputs))

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev}


class GaussianDropout(_TrainingNoise):
    """Apply multiplicative 1-centered Gaussian noise.

    As it is a regularization layer, it is only active at training time.  The noise has
    mean 1 and standard deviation ``sqrt(rate / (1 - rate))``.

    # Arguments
        rate: float, drop probability (as with `Dropout`).

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` (tuple of integers, does not
        include the samples axis) when using this layer as the first layer in a model.

    # Output shape
        Same shape as input.

    # Example

    ```python
        model.add(Dense(64, input_shape=(16,)))
        model.add(GaussianDropout(0.2))
    ```

    # References
        - [Dropout: A Simple Way to Prevent Neural Networks from Overfitting Srivastava,
          Hinton, et al. 2014](http://www.cs.toronto.edu/~rsalakhu/papers/srivastava14a.pdf)
    """

    @legacy_gaussiandropout_support
    def __init__(self, rate: float, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def _active(self) -> bool:
        return 0 < self.rate < 1

    def _noised(self, inputs):
        stddev = float(np.sqrt(self.rate / (1.0 - self.rate)))
        return inputs * K.random_normal(shape=K.shape(inputs), mean=1.0, stddev=stddev, dtype=K.dtype(inputs))

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "rate": self.rate}


class AlphaDropout(_TrainingNoise):
    """Applies Alpha Dropout to the input.

    Alpha Dropout is a `Dropout` that keeps mean and variance of inputs to their original
    values, in order to ensure the self-normalizing property even after this dropout.
    Alpha Dropout fits well to Scaled Exponential Linear Units by randomly setting
    activations to the negative saturation value ``-alpha * scale`` of SELU, then applying
    the affine map ``a * x + b`` with ``a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5``
    and ``b = -a * alpha_p * rate`` (``alpha_p = -alpha * scale``).

    # Arguments
        rate: float, drop probability (as with `Dropout`).  The multiplicative noise will
            have standard deviation ``sqrt(rate / (1 - rate))``.
        noise_shape: A 1-D integer tuple representing the shape of the binary dropout mask
            that will be multiplied with the input (``None`` entries take the input's size).
        seed: A Python integer to use as random seed.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` (tuple of integers, does not
        include the samples axis) when using this layer as the first layer in a model.

    # Output shape
        Same shape as input.

    # Example

    ```python
        model.add(Dense(64, activation='selu', input_shape=(16,)))
        model.add(AlphaDropout(0.1))
    ```

    # References
        - [Self-Normalizing Neural Networks](https://arxiv.org/abs/1706.02515)
    """

    def __init__(self, rate: float, noise_shape: Optional[Sequence[Optional[int]]] = None,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def _active(self) -> bool:
        return 0.0 < self.rate < 1.0

    def _get_noise_shape(self, inputs):
        symbolic_shape = K.shape(inputs)
        if self.noise_shape is None:
            return symbolic_shape
        if len(self.noise_shape) != K.ndim(inputs):
            raise ValueError(f"AlphaDropout layer {self.name}: noise_shape {tuple(self.noise_shape)} does not fit "
                             f"an input of shape {K.int_shape(inputs)}")
        return tuple(symbolic_shape[axis] if size is None else size for axis, size in enumerate(self.noise_shape))

    def _noised(self, inputs):
        rate = self.rate
        alpha_p = -SELU_ALPHA * SELU_SCALE
        dtype = K.dtype(inputs)
        kept = K.cast(K.greater_equal(K.random_uniform(self._get_noise_shape(inputs), dtype=dtype, seed=self.seed),
                                      rate), dtype)
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self) -> Dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}

"""Normalization layers (Keras 2.2.4's ``keras.layers.normalization``): BatchNormalization."""
from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Tuple

from symkeras import constraints, initializers, regularizers
from symkeras import backend as K
from symkeras.engine.base_layer import InputSpec, Layer
from symkeras.legacy.interfaces import generate_legacy_interface

Shape = Tuple[Optional[int], ...]


def _batchnorm_args_preprocessor(args: tuple, kwargs: dict) -> Tuple[tuple, dict, List[Tuple[str, str]]]:
    """Keras 1's ``mode``: 0 (the only Keras 2 behaviour) is dropped with a warning, 1 and 2 are refused."""
    if "mode" in kwargs:
        mode = kwargs.pop("mode")
        if mode != 0:
            raise TypeError(f"The `mode` argument of `BatchNormalization` no longer exists (got mode={mode!r}): "
                            f"`mode=1` and `mode=2` are no longer supported.")
        warnings.warn("Update your `BatchNormalization` call to the Keras 2 API: drop `mode=0`, the only mode of "
                      "Keras 2.", stacklevel=4)
    return args, kwargs, []


#: Keras 2.2.4's `legacy_batchnorm_support`: keyword arguments only, Keras 1's `beta_init`/`gamma_init` renamed
legacy_batchnorm_support = generate_legacy_interface(
    allowed_positional_args=[], conversions=[("beta_init", "beta_initializer"), ("gamma_init", "gamma_initializer")],
    preprocessor=_batchnorm_args_preprocessor)


class BatchNormalization(Layer):
    """Batch normalization layer (Ioffe and Szegedy, 2014).

    Normalizes the activations of the previous layer at each batch, i.e. applies a
    transformation that keeps the mean activation close to 0 and the activation standard
    deviation close to 1.  In the training phase the layer uses the statistics of the batch
    and moves ``moving_mean``/``moving_variance`` towards them
    (``moving = moving * momentum + batch * (1 - momentum)``, updated by the training
    function); the variance it averages is the batch variance times ``n / (n - (1 + epsilon))``,
    ``n`` the number of values per channel, as Keras 2.2.4 does (an unbiased estimate).  In
    the test phase it uses the moving statistics.  As in Keras 2.x, ``trainable=False``
    freezes gamma, beta and the moving statistics but the training phase still normalizes
    with the batch statistics.

    # Arguments
        axis: Integer, the axis that should be normalized (typically the features axis).
            For instance, after a `Conv2D` layer with `data_format="channels_first"`, set
            `axis=1` in `BatchNormalization`.
        momentum: Momentum for the moving mean and the moving variance.
        epsilon: Small float added to variance to avoid dividing by zero.
        center: If True, add offset of `beta` to normalized tensor. If False, `beta` is
            ignored.
        scale: If True, multiply by `gamma`. If False, `gamma` is not used.  When the next
            layer is linear (also e.g. `nn.relu`), this can be disabled since the scaling
            will be done by the next layer.
        beta_initializer: Initializer for the beta weight.
        gamma_initializer: Initializer for the gamma weight.
        moving_mean_initializer: Initializer for the moving mean.
        moving_variance_initializer: Initializer for the moving variance.
        beta_regularizer: Optional regularizer for the beta weight.
        gamma_regularizer: Optional regularizer for the gamma weight.
        beta_constraint: Optional constraint for the beta weight.
        gamma_constraint: Optional constraint for the gamma weight.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` (tuple of integers, does not
        include the samples axis) when using this layer as the first layer in a model.

    # Output shape
        Same shape as input.

    # Weights
        ``gamma`` (if `scale`), ``beta`` (if `center`), ``moving_mean``,
        ``moving_variance``, each of shape ``(channels,)``.

    # Example

    ```python
        model.add(Conv2D(32, (3, 3), data_format='channels_first', input_shape=(3, 32, 32)))
        model.add(BatchNormalization(axis=1))
    ```

    # References
        - [Batch Normalization: Accelerating Deep Network Training by Reducing Internal
          Covariate Shift](https://arxiv.org/abs/1502.03167)
    """

    @legacy_batchnorm_support
    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise TypeError(f"BatchNormalization layer {self.name}: `axis` must be an int, got {axis!r}")
        self.supports_masking = True
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"BatchNormalization layer {self.name}: axis {self.axis} is out of range for an input "
                             f"of shape {tuple(input_shape)} ({ndim} axes).")
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"{self.name} received an input with shape {tuple(input_shape)}.")
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        shape = (dim,)
        self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean", initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.built = True

    def call(self, inputs, training=None):
        ndim = K.ndim(inputs)
        axis = self.axis % ndim
        reduction_axes = [i for i in range(ndim) if i != axis]

        def normalize_inference():
            return K.batch_normalization(inputs, self.moving_mean, self.moving_variance, self.beta, self.gamma,
                                         axis=axis, epsilon=self.epsilon)

        if isinstance(training, (bool, int)) and not training:  # static test phase: no batch statistics or updates
            return normalize_inference()

        normed_training, mean, variance = K.normalize_batch_in_training(inputs, self.gamma, self.beta,
                                                                        reduction_axes, epsilon=self.epsilon)
        symbolic_shape = K.shape(inputs)
        sample_size = symbolic_shape[reduction_axes[0]]
        for i in reduction_axes[1:]:
            sample_size = sample_size * symbolic_shape[i]
        sample_size = K.cast(sample_size, K.dtype(inputs))
        # Keras 2.2.4 averages an unbiased estimate of the variance (its `1 + epsilon` included)
        variance = variance * (sample_size / (sample_size - (1.0 + self.epsilon)))
        self.add_update([K.moving_average_update(self.moving_mean, mean, self.momentum),
                         K.moving_average_update(self.moving_variance, variance, self.momentum)], inputs)
        return K.in_train_phase(normed_training, normalize_inference, training=training)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def get_config(self) -> Dict[str, Any]:
        config = {
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
        return {**super().get_config(), **config}

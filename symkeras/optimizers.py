"""Built-in optimizers (Keras 2.2.4's ``keras.optimizers``).

`Optimizer.get_updates(loss, params)` returns the list of updates ``(variable,
new_value)`` (built with ``K.update`` / ``K.update_add``) that one training step
applies: the ``iterations`` counter first, then each optimizer's slots and the
parameters, in Keras's order.  Every update is computed from the values before the
step (e.g. the time-based decay ``lr / (1 + decay * iterations)`` sees the iteration
count before it is incremented).  The learning rate and the other hyper-parameters that
Keras 2.2.4 keeps in backend variables are backend variables here too, so
``K.set_value(optimizer.lr, x)`` changes a compiled training function without
recompiling it.  `weights` lists the state in Keras 2.2.4's order, so `get_weights` /
`set_weights` interchange optimizer state with Keras files.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from symkeras import backend as K
from symkeras.utils.generic_utils import deserialize_keras_object, get_from_identifier, serialize_keras_object


def clip_norm(g, c: float, n):
    """Clip the gradient `g` if the L2 norm `n` exceeds `c`.

    # Arguments
        g: Tensor, the gradient tensor.
        c: float >= 0. Gradients will be clipped when their L2 norm exceeds this value.
        n: Tensor, actual norm of `g`.

    # Returns
        Tensor, the gradient clipped if required.
    """
    if c <= 0:  # if clipnorm == 0 no need to add ops to the graph
        return g
    return K.switch(K.greater_equal(n, c), g * c / n, g)


def _epsilon(epsilon: Optional[float]) -> float:
    """The fuzz factor of an optimizer: `epsilon`, or ``K.epsilon()`` when None."""
    return K.epsilon() if epsilon is None else epsilon


def _value(variable) -> float:
    return float(K.get_value(variable))


class Optimizer(object):
    """Abstract optimizer base class.

    Note: this is the parent class of all optimizers, not an actual optimizer that can
    be used for training models.

    All Keras optimizers support the following keyword arguments:

        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value.
    """

    def __init__(self, **kwargs):
        allowed_kwargs = {"clipnorm", "clipvalue"}
        for k in kwargs:
            if k not in allowed_kwargs:
                raise TypeError(f"Unexpected keyword argument passed to optimizer: {k}")
        self.__dict__.update(kwargs)
        self.updates: List[Any] = []
        self.weights: List[Any] = []

    def _init_lr_and_decay(self, lr: float, decay: float) -> None:
        """The state all optimizers but Nadam share: ``iterations``, ``lr`` and the time-based ``decay``."""
        self.iterations = K.variable(0, dtype="int64", name="iterations")
        self.lr = K.variable(lr, name="lr")
        self.decay = K.variable(decay, name="decay")
        self.initial_decay = decay

    def _decayed_lr(self):
        """``lr / (1 + decay * iterations)`` when the optimizer was built with a decay, else ``lr``."""
        if self.initial_decay > 0:
            return self.lr * (1.0 / (1.0 + self.decay * K.cast(self.iterations, K.dtype(self.decay))))
        return self.lr

    def _step_number(self):
        """The 1-based number of the step being taken, as a float (``t`` of Adam's bias corrections)."""
        return K.cast(self.iterations, K.floatx()) + 1

    def _update_param(self, p, new_p) -> None:
        """Append the update of parameter `p`, projected by its constraint when it has one."""
        if getattr(p, "constraint", None) is not None:
            new_p = p.constraint(new_p)
        self.updates.append(K.update(p, new_p))

    def get_updates(self, loss, params: Sequence[Any]) -> List[Any]:
        """The updates of one training step.

        # Arguments
            loss: scalar tensor to minimize.
            params: the trainable variables.

        # Returns
            A list of updates ``(variable, new_value)``.
        """
        raise NotImplementedError

    def get_gradients(self, loss, params: Sequence[Any]) -> List[Any]:
        """The gradients of `loss` with respect to `params`, clipped by `clipnorm` / `clipvalue`.

        # Arguments
            loss: scalar tensor.
            params: the variables to differentiate with respect to.

        # Returns
            A list of gradient tensors.

        # Raises
            ValueError: if an operation has no gradient.
        """
        grads = K.gradients(loss, params)
        if any(g is None for g in grads):
            raise ValueError(
                "An operation has `None` for gradient. Please make sure that all of your ops have a gradient "
                "defined (i.e. are differentiable). Common ops without gradient: K.argmax, K.round, K.eval."
            )
        if getattr(self, "clipnorm", 0) > 0:
            norm = K.sqrt(sum(K.sum(K.square(g)) for g in grads))
            grads = [clip_norm(g, self.clipnorm, norm) for g in grads]
        if getattr(self, "clipvalue", 0) > 0:
            grads = [K.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Sets the weights of the optimizer, from Numpy arrays.

        Should only be called after computing the gradients (otherwise the optimizer
        has no weights).  For the optimizers whose Keras 2.2.4 weights leave out
        ``iterations`` (RMSprop, Adagrad, Adadelta), a list with one more array, as
        Keras 2.3 saves it, sets ``iterations`` from its first array.

        # Arguments
            weights: a list of Numpy arrays. The number of arrays and their shape must
                match number of the dimensions of the weights of the optimizer (i.e. it
                should match the output of `get_weights`).

        # Raises
            ValueError: in case of incompatible weight shapes.
        """
        params = list(self.weights)
        if len(weights) == len(params) + 1 and all(p is not self.iterations for p in params):
            params.insert(0, self.iterations)
        if len(params) != len(weights):
            raise ValueError(
                f"Length of the specified weight list ({len(weights)}) does not match the number of weights of "
                f"the optimizer ({len(params)})"
            )
        for pv, w in zip(K.batch_get_value(params), weights):
            if pv.shape != np.shape(w):
                raise ValueError(
                    f"Optimizer weight shape {pv.shape} not compatible with provided weight shape {np.shape(w)}"
                )
        K.batch_set_value(list(zip(params, weights)))

    def get_weights(self) -> List[np.ndarray]:
        """Returns the current value of the weights of the optimizer.

        # Returns
            A list of numpy arrays.
        """
        return K.batch_get_value(self.weights)

    def get_config(self) -> Dict[str, Any]:
        """The optimizer's configuration: its hyper-parameters, and `clipnorm` / `clipvalue` when set.

        # Returns
            A dict of constructor arguments.
        """
        return {name: getattr(self, name) for name in ("clipnorm", "clipvalue") if hasattr(self, name)}

    @classmethod
    def from_config(cls, config: Dict[str, Any]) -> "Optimizer":
        """The optimizer of a configuration (Keras 2.3's ``learning_rate`` key is read as ``lr``).

        # Arguments
            config: a dict as `get_config` returns.

        # Returns
            An optimizer.
        """
        config = dict(config)
        if "learning_rate" in config:
            config["lr"] = config.pop("learning_rate")
        return cls(**config)


class SGD(Optimizer):
    """Stochastic gradient descent optimizer.

    Includes support for momentum, learning rate decay, and Nesterov momentum.

    # Arguments
        lr: float >= 0. Learning rate.
        momentum: float >= 0. Parameter that accelerates SGD in the relevant direction
            and dampens oscillations.
        decay: float >= 0. Learning rate decay over each update.
        nesterov: boolean. Whether to apply Nesterov momentum.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, decay: float = 0.0, nesterov: bool = False,
                 **kwargs):
        super(SGD, self).__init__(**kwargs)
        self._init_lr_and_decay(lr, decay)
        self.momentum = K.variable(momentum, name="momentum")
        self.nesterov = nesterov

    def get_updates(self, loss, params: Sequence[Any]) -> List[Any]:
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        lr = self._decayed_lr()
        moments = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        self.weights = [self.iterations] + moments
        for p, g, m in zip(params, grads, moments):
            v = self.momentum * m - lr * g  # velocity
            self.updates.append(K.update(m, v))
            if self.nesterov:
                new_p = p + self.momentum * v - lr * g
            else:
                new_p = p + v
            self._update_param(p, new_p)
        return self.updates

    def get_config(self) -> Dict[str, Any]:
        return {**super(SGD, self).get_config(), "lr": _value(self.lr), "momentum": _value(self.momentum),
                "decay": _value(self.decay), "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """RMSProp optimizer.

    It is recommended to leave the parameters of this optimizer at their default values
    (except the learning rate, which can be freely tuned).  This optimizer is usually a
    good choice for recurrent neural networks.

    # Arguments
        lr: float >= 0. Learning rate.
        rho: float >= 0.
        epsilon: float >= 0. Fuzz factor. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.

    # References
        - [rmsprop: Divide the gradient by a running average of its recent magnitude
           ](http://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf)
    """

    def __init__(self, lr: float = 0.001, rho: float = 0.9, epsilon: Optional[float] = None, decay: float = 0.0,
                 **kwargs):
        super(RMSprop, self).__init__(**kwargs)
        self._init_lr_and_decay(lr, decay)
        self.rho = K.variable(rho, name="rho")
        self.epsilon = _epsilon(epsilon)

    def get_updates(self, loss, params: Sequence[Any]) -> List[Any]:
        grads = self.get_gradients(loss, params)
        accumulators = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        self.weights = accumulators
        self.updates = [K.update_add(self.iterations, 1)]
        lr = self._decayed_lr()
        for p, g, a in zip(params, grads, accumulators):
            # update accumulator
            new_a = self.rho * a + (1.0 - self.rho) * K.square(g)
            self.updates.append(K.update(a, new_a))
            self._update_param(p, p - lr * g / (K.sqrt(new_a) + self.epsilon))
        return self.updates

    def get_config(self) -> Dict[str, Any]:
        return {**super(RMSprop, self).get_config(), "lr": _value(self.lr), "rho": _value(self.rho),
                "decay": _value(self.decay), "epsilon": self.epsilon}


class Adagrad(Optimizer):
    """Adagrad optimizer.

    Adagrad is an optimizer with parameter-specific learning rates, which are adapted
    relative to how frequently a parameter gets updated during training. The more
    updates a parameter receives, the smaller the learning rate.

    It is recommended to leave the parameters of this optimizer at their default values.

    # Arguments
        lr: float >= 0. Initial learning rate.
        epsilon: float >= 0. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.

    # References
        - [Adaptive Subgradient Methods for Online Learning and Stochastic
           Optimization](http://www.jmlr.org/papers/volume12/duchi11a/duchi11a.pdf)
    """

    def __init__(self, lr: float = 0.01, epsilon: Optional[float] = None, decay: float = 0.0, **kwargs):
        super(Adagrad, self).__init__(**kwargs)
        self._init_lr_and_decay(lr, decay)
        self.epsilon = _epsilon(epsilon)

    def get_updates(self, loss, params: Sequence[Any]) -> List[Any]:
        grads = self.get_gradients(loss, params)
        accumulators = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        self.weights = accumulators
        self.updates = [K.update_add(self.iterations, 1)]
        lr = self._decayed_lr()
        for p, g, a in zip(params, grads, accumulators):
            new_a = a + K.square(g)  # update accumulator
            self.updates.append(K.update(a, new_a))
            self._update_param(p, p - lr * g / (K.sqrt(new_a) + self.epsilon))
        return self.updates

    def get_config(self) -> Dict[str, Any]:
        return {**super(Adagrad, self).get_config(), "lr": _value(self.lr), "decay": _value(self.decay),
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta optimizer.

    Adadelta is a more robust extension of Adagrad that adapts learning rates based on
    a moving window of gradient updates, instead of accumulating all past gradients.
    This way, Adadelta continues learning even when many updates have been done.
    Compared to Adagrad, in the original version of Adadelta you don't have to set an
    initial learning rate. In this version, initial learning rate and decay factor can
    be set, as in most other Keras optimizers.

    It is recommended to leave the parameters of this optimizer at their default values.

    # Arguments
        lr: float >= 0. Initial learning rate, defaults to 1. It is recommended to leave
            it at the default value.
        rho: float >= 0. Adadelta decay factor, corresponding to fraction of gradient to
            keep at each time step (a Python float, as in Keras 2.2.4).
        epsilon: float >= 0. Fuzz factor. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Initial learning rate decay.

    # References
        - [Adadelta - an adaptive learning rate method](https://arxiv.org/abs/1212.5701)
    """

    def __init__(self, lr: float = 1.0, rho: float = 0.95, epsilon: Optional[float] = None, decay: float = 0.0,
                 **kwargs):
        super(Adadelta, self).__init__(**kwargs)
        self._init_lr_and_decay(lr, decay)
        self.rho = rho
        self.epsilon = _epsilon(epsilon)

    def get_updates(self, loss, params: Sequence[Any]) -> List[Any]:
        grads = self.get_gradients(loss, params)
        accumulators = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        delta_accumulators = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        self.weights = accumulators + delta_accumulators
        self.updates = [K.update_add(self.iterations, 1)]
        lr = self._decayed_lr()
        for p, g, a, d_a in zip(params, grads, accumulators, delta_accumulators):
            # update accumulator
            new_a = self.rho * a + (1.0 - self.rho) * K.square(g)
            self.updates.append(K.update(a, new_a))
            # use the new accumulator and the *old* delta_accumulator
            update = g * K.sqrt(d_a + self.epsilon) / K.sqrt(new_a + self.epsilon)
            self._update_param(p, p - lr * update)
            # update delta_accumulator
            new_d_a = self.rho * d_a + (1 - self.rho) * K.square(update)
            self.updates.append(K.update(d_a, new_d_a))
        return self.updates

    def get_config(self) -> Dict[str, Any]:
        return {**super(Adadelta, self).get_config(), "lr": _value(self.lr), "rho": self.rho,
                "decay": _value(self.decay), "epsilon": self.epsilon}


class _AdamBase(Optimizer):
    """The hyper-parameters Adam and Adamax share: `lr`, `beta_1`, `beta_2`, `epsilon`, `decay`."""

    def __init__(self, lr: float, beta_1: float, beta_2: float, epsilon: Optional[float], decay: float, **kwargs):
        super(_AdamBase, self).__init__(**kwargs)
        self._init_lr_and_decay(lr, decay)
        self.beta_1 = K.variable(beta_1, name="beta_1")
        self.beta_2 = K.variable(beta_2, name="beta_2")
        self.epsilon = _epsilon(epsilon)

    def get_config(self) -> Dict[str, Any]:
        return {**super(_AdamBase, self).get_config(), "lr": _value(self.lr), "beta_1": _value(self.beta_1),
                "beta_2": _value(self.beta_2), "decay": _value(self.decay), "epsilon": self.epsilon}


class Adam(_AdamBase):
    """Adam optimizer.

    Default parameters follow those provided in the original paper.

    # Arguments
        lr: float >= 0. Learning rate.
        beta_1: float, 0 < beta < 1. Generally close to 1.
        beta_2: float, 0 < beta < 1. Generally close to 1.
        epsilon: float >= 0. Fuzz factor. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
        amsgrad: boolean. Whether to apply the AMSGrad variant of this algorithm from the
            paper "On the Convergence of Adam and Beyond".

    # References
        - [Adam - A Method for Stochastic Optimization](https://arxiv.org/abs/1412.6980v8)
        - [On the Convergence of Adam and Beyond](https://openreview.net/forum?id=ryQu7f-RZ)
    """

    def __init__(self, lr: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: Optional[float] = None, decay: float = 0.0, amsgrad: bool = False, **kwargs):
        super(Adam, self).__init__(lr, beta_1, beta_2, epsilon, decay, **kwargs)
        self.amsgrad = amsgrad

    def get_updates(self, loss, params: Sequence[Any]) -> List[Any]:
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        lr = self._decayed_lr()
        t = self._step_number()
        lr_t = lr * (K.sqrt(1.0 - K.pow(self.beta_2, t)) / (1.0 - K.pow(self.beta_1, t)))
        ms = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        vs = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        if self.amsgrad:
            vhats = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        else:
            vhats = [K.zeros((1,)) for _ in params]  # unused, but saved: Keras 2.2.4 saves them
        self.weights = [self.iterations] + ms + vs + vhats
        for p, g, m, v, vhat in zip(params, grads, ms, vs, vhats):
            m_t = (self.beta_1 * m) + (1.0 - self.beta_1) * g
            v_t = (self.beta_2 * v) + (1.0 - self.beta_2) * K.square(g)
            if self.amsgrad:
                vhat_t = K.maximum(vhat, v_t)
                p_t = p - lr_t * m_t / (K.sqrt(vhat_t) + self.epsilon)
                self.updates.append(K.update(vhat, vhat_t))
            else:
                p_t = p - lr_t * m_t / (K.sqrt(v_t) + self.epsilon)
            self.updates.append(K.update(m, m_t))
            self.updates.append(K.update(v, v_t))
            self._update_param(p, p_t)
        return self.updates

    def get_config(self) -> Dict[str, Any]:
        return {**super(Adam, self).get_config(), "amsgrad": self.amsgrad}


class Adamax(_AdamBase):
    """Adamax optimizer from Adam paper's Section 7.

    It is a variant of Adam based on the infinity norm. Default parameters follow those
    provided in the paper.

    # Arguments
        lr: float >= 0. Learning rate.
        beta_1: float, 0 < beta < 1. Generally close to 1.
        beta_2: float, 0 < beta < 1. Generally close to 1.
        epsilon: float >= 0. Fuzz factor. If `None`, defaults to `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.

    # References
        - [Adam - A Method for Stochastic Optimization](https://arxiv.org/abs/1412.6980v8)
    """

    def __init__(self, lr: float = 0.002, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: Optional[float] = None, decay: float = 0.0, **kwargs):
        super(Adamax, self).__init__(lr, beta_1, beta_2, epsilon, decay, **kwargs)

    def get_updates(self, loss, params: Sequence[Any]) -> List[Any]:
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        lr = self._decayed_lr()
        lr_t = lr / (1.0 - K.pow(self.beta_1, self._step_number()))
        # zero init of 1st moment
        ms = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        # zero init of exponentially weighted infinity norm
        us = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        self.weights = [self.iterations] + ms + us
        for p, g, m, u in zip(params, grads, ms, us):
            m_t = (self.beta_1 * m) + (1.0 - self.beta_1) * g
            u_t = K.maximum(self.beta_2 * u, K.abs(g))
            self.updates.append(K.update(m, m_t))
            self.updates.append(K.update(u, u_t))
            self._update_param(p, p - lr_t * m_t / (u_t + self.epsilon))
        return self.updates


class Nadam(Optimizer):
    """Nesterov Adam optimizer.

    Much like Adam is essentially RMSprop with momentum, Nadam is Adam RMSprop with
    Nesterov momentum.  Default parameters follow those provided in the paper.  It is
    recommended to leave the parameters of this optimizer at their default values.

    # Arguments
        lr: float >= 0. Learning rate.
        beta_1: float, 0 < beta < 1. Generally close to 1.
        beta_2: float, 0 < beta < 1. Generally close to 1.
        epsilon: float >= 0. Fuzz factor. If `None`, defaults to `K.epsilon()`.
        schedule_decay: float, the decay of the momentum schedule.

    # References
        - [Nadam report](http://cs229.stanford.edu/proj2015/054_report.pdf)
        - [On the importance of initialization and momentum in deep learning](
           http://www.cs.toronto.edu/~fritz/absps/momentum.pdf)
    """

    def __init__(self, lr: float = 0.002, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: Optional[float] = None, schedule_decay: float = 0.004, **kwargs):
        super(Nadam, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype="int64", name="iterations")
        self.m_schedule = K.variable(1.0, name="m_schedule")
        self.lr = K.variable(lr, name="lr")
        self.beta_1 = K.variable(beta_1, name="beta_1")
        self.beta_2 = K.variable(beta_2, name="beta_2")
        self.epsilon = _epsilon(epsilon)
        self.schedule_decay = schedule_decay

    def _momentum_cache(self, t):
        """``beta_1 * (1 - 0.5 * 0.96 ** (t * schedule_decay))``: the warming momentum schedule of step `t`."""
        return self.beta_1 * (1.0 - 0.5 * K.pow(K.cast_to_floatx(0.96), t * self.schedule_decay))

    def get_updates(self, loss, params: Sequence[Any]) -> List[Any]:
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        t = self._step_number()
        momentum_cache_t = self._momentum_cache(t)
        momentum_cache_t_1 = self._momentum_cache(t + 1)
        m_schedule_new = self.m_schedule * momentum_cache_t
        m_schedule_next = self.m_schedule * momentum_cache_t * momentum_cache_t_1
        self.updates.append(K.update(self.m_schedule, m_schedule_new))
        ms = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        vs = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        self.weights = [self.iterations] + ms + vs
        for p, g, m, v in zip(params, grads, ms, vs):
            # the following equations given in [1]
            g_prime = g / (1.0 - m_schedule_new)
            m_t = self.beta_1 * m + (1.0 - self.beta_1) * g
            m_t_prime = m_t / (1.0 - m_schedule_next)
            v_t = self.beta_2 * v + (1.0 - self.beta_2) * K.square(g)
            v_t_prime = v_t / (1.0 - K.pow(self.beta_2, t))
            m_t_bar = (1.0 - momentum_cache_t) * g_prime + momentum_cache_t_1 * m_t_prime
            self.updates.append(K.update(m, m_t))
            self.updates.append(K.update(v, v_t))
            self._update_param(p, p - self.lr * m_t_bar / (K.sqrt(v_t_prime) + self.epsilon))
        return self.updates

    def get_config(self) -> Dict[str, Any]:
        return {**super(Nadam, self).get_config(), "lr": _value(self.lr), "beta_1": _value(self.beta_1),
                "beta_2": _value(self.beta_2), "epsilon": self.epsilon, "schedule_decay": self.schedule_decay}


# Aliases.
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam

_BUILTIN_OPTIMIZERS = {
    "sgd": SGD, "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta, "adam": Adam, "adamax": Adamax,
    "nadam": Nadam,
}


def serialize(optimizer: Optimizer) -> Dict[str, Any]:
    """The Keras config of an optimizer.

    # Arguments
        optimizer: an `Optimizer`.

    # Returns
        ``{"class_name": ..., "config": ...}``.
    """
    return serialize_keras_object(optimizer)


def deserialize(config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None) -> Optimizer:
    """Inverse of the `serialize` function.

    Built-in class names are case-insensitive (``"Adam"``, ``"adam"``).

    # Arguments
        config: Optimizer configuration dictionary ``{"class_name", "config"}``.
        custom_objects: Optional dictionary mapping names (strings) to custom objects
            (classes and functions) to be considered during deserialization.

    # Returns
        A Keras Optimizer instance.
    """
    config = dict(config)
    if isinstance(config.get("class_name"), str) and config["class_name"].lower() in _BUILTIN_OPTIMIZERS:
        config["class_name"] = config["class_name"].lower()
    return deserialize_keras_object(config, module_objects=_BUILTIN_OPTIMIZERS, custom_objects=custom_objects,
                                    printable_module_name="optimizer")


def get(identifier: Any) -> Optimizer:
    """Retrieves a Keras Optimizer instance.

    # Arguments
        identifier: Optimizer identifier, one of
            - String: name of an optimizer
            - Dictionary: configuration dictionary.
            - Keras Optimizer instance (it will be returned unchanged).

    # Returns
        A Keras Optimizer instance.

    # Raises
        ValueError: If `identifier` cannot be interpreted.
    """
    return get_from_identifier(identifier, deserialize, "optimizer", is_object=lambda obj: isinstance(obj, Optimizer))

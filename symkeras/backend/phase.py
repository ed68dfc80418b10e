"""The learning phase (0 = test, 1 = train) and the switches that depend on it, Theano-backend style.

`learning_phase()` is one symbolic uint8 scalar that training functions take as an input
(``fit`` feeds 1, ``predict`` 0), unless `set_learning_phase` fixed it to a Python int.
"""
from __future__ import annotations

from typing import Callable, Union

from symkeras import graph as G
from symkeras.backend.math import switch
from symkeras.backend.variables import reset_uids
from symkeras.graph import Variable

Tensor = Variable
Branch = Union[Tensor, Callable[[], Tensor], float]

_phase = {"symbolic": G.tensor("uint8", (), "keras_learning_phase"), "fixed": None}


def learning_phase() -> Union[Tensor, int]:
    """The learning phase flag: 0 for test, 1 for train.

    # Returns
        The symbolic uint8 scalar ``keras_learning_phase`` (an input of the functions that use
        it), or the Python int set by `set_learning_phase`.
    """
    return _phase["symbolic"] if _phase["fixed"] is None else _phase["fixed"]


def set_learning_phase(value: int) -> None:
    """Fixes the learning phase to a value; it is then no longer an input of functions.

    # Arguments
        value: 0 (test) or 1 (train).

    # Raises
        ValueError: for any other value.
    """
    if value not in {0, 1}:
        raise ValueError(f"K.set_learning_phase: expected learning phase to be 0 or 1, got {value!r}")
    _phase["fixed"] = int(value)


def clear_session() -> None:
    """Resets the backend's global state: the layer name counters and the learning phase.

    The learning phase becomes a new symbolic flag, no longer fixed; tensors built before
    keep the old one.
    """
    reset_uids()
    _phase["symbolic"] = G.tensor("uint8", (), "keras_learning_phase")
    _phase["fixed"] = None


def _resolve(branch: Branch) -> Tensor:
    return branch() if callable(branch) else branch


def in_train_phase(x: Branch, alt: Branch, training=None) -> Tensor:
    """Selects `x` in the train phase and `alt` otherwise.

    # Arguments
        x: what to return in the train phase (a tensor, or a callable returning one).
        alt: what to return otherwise (a tensor, or a callable returning one).
        training: a Python 0/1 or bool picks at once; a scalar tensor selects when the function
            runs; None uses `learning_phase()` (and marks the result as using it).

    # Returns
        `x`, `alt`, or a tensor switching between them, with ``_uses_learning_phase`` set in
        the last case when `training` was None.
    """
    uses_learning_phase = training is None
    if training is None:
        training = learning_phase()
    if isinstance(training, (bool, int)) and not isinstance(training, Variable):
        if training not in (0, 1):
            raise ValueError(f"K.in_train_phase: training must be 0, 1, a bool or a tensor, got {training!r}")
        return _resolve(x) if training else _resolve(alt)
    out = switch(training, x, alt)
    if uses_learning_phase:
        out._uses_learning_phase = True
    return out


def in_test_phase(x: Branch, alt: Branch, training=None) -> Tensor:
    """Selects `x` in the test phase and `alt` otherwise (the mirror of `in_train_phase`).

    # Arguments
        x: what to return in the test phase (a tensor, or a callable returning one).
        alt: what to return otherwise (a tensor, or a callable returning one).
        training: as for `in_train_phase`.

    # Returns
        `x`, `alt`, or a tensor switching between them.
    """
    return in_train_phase(alt, x, training=training)

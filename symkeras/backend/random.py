"""Random numbers: symbolic draws (new numbers at every call of a function), random variables, and seeding.

Seedless symbolic draws come from one backend `RandomStream`; a `seed` argument makes a
draw of its own stream, so the same seed gives the same numbers.  `numpy_rng()` is the
numpy generator initializers use.  `set_random_seed(seed)` reseeds all of it at once.
"""
from __future__ import annotations

import random as python_random
from typing import List, Optional, Sequence, Union

import numpy as np

from symkeras.backend.common import floatx
from symkeras.backend.errors import backend_function
from symkeras.backend.variables import variable
from symkeras.graph import Shared, Variable
from symkeras.ops import RandomStream

Tensor = Variable
ShapeLike = Union[Sequence[Union[int, Variable]], Variable]

_stream = RandomStream()
#: the seedless streams of earlier seeds: `set_random_seed` rewinds their draws too
_earlier_streams: List[RandomStream] = []
_numpy_rng = np.random.default_rng()


def set_random_seed(seed: int) -> None:
    """Makes everything random in symkeras reproducible from `seed` (not in Keras 2: one call for a whole fit).

    Reseeds the backend's symbolic stream (dropout masks, noise layers), the numpy generator
    `numpy_rng()` (weight initializers), numpy's global generator (shuffling) and Python's
    `random`.  Draws created before the call are re-keyed as well, from a seed derived from
    `seed`, so they never coincide with draws created after it.

    # Arguments
        seed: an int.
    """
    global _stream, _numpy_rng
    seed = int(seed)
    _earlier_streams.append(_stream)
    for generation, stream in enumerate(_earlier_streams):
        stream.seed(int(np.random.SeedSequence([seed, generation + 1]).generate_state(1, np.uint64)[0]))
    _stream = RandomStream(seed)
    _numpy_rng = np.random.default_rng(seed)
    np.random.seed(seed % 2**32)
    python_random.seed(seed)


def numpy_rng(seed: Optional[int] = None) -> np.random.Generator:
    """The numpy generator for random initial values (seeded by `set_random_seed`).

    # Arguments
        seed: when given, a new generator seeded with it instead of the shared one.

    # Returns
        A `numpy.random.Generator`.
    """
    return _numpy_rng if seed is None else np.random.default_rng(seed)


def _stream_for(seed: Optional[int]) -> RandomStream:
    return _stream if seed is None else RandomStream(seed)


@backend_function
def random_uniform(shape: ShapeLike, minval: float = 0.0, maxval: float = 1.0, dtype: Optional[str] = None,
                   seed: Optional[int] = None) -> Tensor:
    """A tensor of uniform samples in ``[minval, maxval)``, drawn anew at every call of a function.

    # Arguments
        shape: ints or int scalar tensors (``K.shape(x)`` too).
        minval: lower bound.
        maxval: upper bound (excluded).
        dtype: default `floatx()`.
        seed: an int makes the draw reproducible.

    # Returns
        A tensor.
    """
    return _stream_for(seed).uniform(shape, minval, maxval, dtype or floatx())


@backend_function
def random_normal(shape: ShapeLike, mean: float = 0.0, stddev: float = 1.0, dtype: Optional[str] = None,
                  seed: Optional[int] = None) -> Tensor:
    """A tensor of normal samples, drawn anew at every call of a function.

    # Arguments
        shape: ints or int scalar tensors (``K.shape(x)`` too).
        mean: mean of the distribution.
        stddev: standard deviation of the distribution.
        dtype: default `floatx()`.
        seed: an int makes the draw reproducible.

    # Returns
        A tensor.
    """
    return _stream_for(seed).normal(shape, mean, stddev, dtype or floatx())


@backend_function
def truncated_normal(shape: ShapeLike, mean: float = 0.0, stddev: float = 1.0, dtype: Optional[str] = None,
                     seed: Optional[int] = None) -> Tensor:
    """A tensor of normal samples within two standard deviations of the mean (others are redrawn).

    # Arguments
        shape: ints or int scalar tensors (``K.shape(x)`` too).
        mean: mean of the distribution.
        stddev: standard deviation of the distribution before truncation.
        dtype: default `floatx()`.
        seed: an int makes the draw reproducible.

    # Returns
        A tensor.
    """
    return _stream_for(seed).truncated_normal(shape, mean, stddev, dtype or floatx())


@backend_function
def random_binomial(shape: ShapeLike, p: float = 0.0, dtype: Optional[str] = None,
                    seed: Optional[int] = None) -> Tensor:
    """A tensor of Bernoulli samples: 1 with probability `p`, else 0.

    # Arguments
        shape: ints or int scalar tensors (``K.shape(x)`` too).
        p: probability of a 1.
        dtype: default `floatx()`.
        seed: an int makes the draw reproducible.

    # Returns
        A tensor.
    """
    return _stream_for(seed).bernoulli(shape, p, dtype or floatx())


def random_uniform_variable(shape: Sequence[int], low: float, high: float, dtype: Optional[str] = None,
                            name: Optional[str] = None, seed: Optional[int] = None) -> Shared:
    """A variable initialised with uniform samples in ``[low, high)``.

    # Arguments
        shape: tuple of ints.
        low: lower bound.
        high: upper bound (excluded).
        dtype: default `floatx()`.
        name: optional name.
        seed: an int makes the value reproducible (default: `numpy_rng()`).

    # Returns
        A variable.
    """
    return variable(numpy_rng(seed).uniform(low, high, size=tuple(shape)), dtype, name)


def random_normal_variable(shape: Sequence[int], mean: float, scale: float, dtype: Optional[str] = None,
                           name: Optional[str] = None, seed: Optional[int] = None) -> Shared:
    """A variable initialised with normal samples.

    # Arguments
        shape: tuple of ints.
        mean: mean of the distribution.
        scale: standard deviation of the distribution.
        dtype: default `floatx()`.
        name: optional name.
        seed: an int makes the value reproducible (default: `numpy_rng()`).

    # Returns
        A variable.
    """
    return variable(numpy_rng(seed).normal(mean, scale, size=tuple(shape)), dtype, name)

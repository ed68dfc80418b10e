"""Cases for the random ops, against an independent scalar re-implementation of the generator.

The reference below is plain Python (arbitrary-precision ints, `math`): one Philox-4x32-10
block per element, as a Numba or CUDA kernel would loop.  It shares no code with
`symkeras.ops.random`, so a case passing means the vectorised numpy arithmetic, the
counter layout and the float conversions are as documented.
"""
import math

import numpy as np

from symkeras.ops.random import RandomStream
from tests.ops.cases import Case

M32 = 0xFFFFFFFF
SEED = 7
TRUNCATION_ATTEMPTS = 12


def philox_py(ctr, key):
    """Philox-4x32-10 on Python ints (Random123's reference algorithm)."""
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + 0x9E3779B9) & M32, (k1 + 0xBB67AE85) & M32
        p0, p1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & M32, (p0 >> 32) ^ c3 ^ k1, p0 & M32
    return c0, c1, c2, c3


def key_of(seed, draw):
    """The key of draw number `draw` of a stream seeded with `seed`."""
    w = philox_py((draw & M32, draw >> 32, 0, 0), (seed & M32, seed >> 32))
    return w[0] | (w[1] << 32)


def block(key, index, counter):
    return philox_py((index & M32, index >> 32, counter & M32, counter >> 32), (key & M32, key >> 32))


def u53(w0, w1):
    return ((w0 >> 5) * 2.0**26 + (w1 >> 6)) * 2.0**-53


def std_normal(w):
    return math.sqrt(-2.0 * math.log(1.0 - u53(w[0], w[1]))) * math.cos(2.0 * math.pi * u53(w[2], w[3]))


def truncated(key, index, counter):
    for attempt in range(TRUNCATION_ATTEMPTS):
        z = std_normal(block(key, index, counter + attempt))
        if abs(z) <= 2.0:
            return z
    return max(-2.0, min(2.0, z))


def elements(shape, value, dtype):
    """An array of `shape` whose flat element i is ``value(key, i)`` for the first draw of a SEED stream."""
    key = key_of(SEED, 0)
    size = int(np.prod(shape))
    return np.array([value(key, i) for i in range(size)], dtype=dtype).reshape(shape)


def uniform_ref(shape, low, high, dtype):
    t = np.dtype(dtype).type
    if dtype == "float32":
        u = elements(shape, lambda k, i: (block(k, i, 0)[0] >> 8) * 2.0**-24, dtype)
    else:
        u = elements(shape, lambda k, i: u53(*block(k, i, 0)[:2]), dtype)
    return t(low) + (t(high) - t(low)) * u


def normal_ref(shape, mean, std, dtype, standard):
    t = np.dtype(dtype).type
    return t(mean) + t(std) * elements(shape, lambda k, i: standard(k, i, 0), dtype)


def binomial_ref(shape, p, n, dtype):
    return elements(shape, lambda k, i: sum(u53(*block(k, i, t)[:2]) < p for t in range(n)), dtype)


def _scalar(value, dtype="float64"):
    return np.asarray(value, dtype=dtype)


CASES = [
    Case(
        "random_uniform_f32",
        lambda low, high: RandomStream(SEED).uniform((3, 5), low, high, dtype="float32"),
        [_scalar(-1.0, "float32"), _scalar(3.0, "float32")],
        lambda low, high: uniform_ref((3, 5), low, high, "float32"),
        grad=False,
    ),
    Case(
        "random_uniform_f64_size0",
        lambda low, high: RandomStream(SEED).uniform((0, 4), low, high, dtype="float64"),
        [_scalar(0.0), _scalar(1.0)],
        lambda low, high: uniform_ref((0, 4), low, high, "float64"),
        grad=False,
    ),
    Case(
        "random_uniform_f64",
        lambda low, high: RandomStream(SEED).uniform((2, 1, 3), low, high, dtype="float64"),
        [_scalar(2.0), _scalar(2.5)],
        lambda low, high: uniform_ref((2, 1, 3), low, high, "float64"),
        grad=False,
        rtol=0,
        atol=0,
    ),
    Case(
        "random_normal_symbolic_dim",
        lambda n, mean, std: RandomStream(SEED).normal((n, 3), mean, std, dtype="float64"),
        [_scalar(4, "int64"), _scalar(1.5), _scalar(0.5)],
        lambda n, mean, std: normal_ref((int(n), 3), mean, std, "float64", lambda k, i, c: std_normal(block(k, i, c))),
        grad=False,
        rtol=1e-12,
        atol=1e-12,
    ),
    Case(
        "random_normal_scalar_shape",
        lambda mean, std: RandomStream(SEED).normal((), mean, std, dtype="float32"),
        [_scalar(0.0, "float32"), _scalar(2.0, "float32")],
        lambda mean, std: normal_ref((), mean, std, "float32", lambda k, i, c: std_normal(block(k, i, c))),
        grad=False,
    ),
    Case(
        "random_truncated_normal",
        lambda mean, std: RandomStream(SEED).truncated_normal((50,), mean, std, dtype="float32"),
        [_scalar(-1.0, "float32"), _scalar(3.0, "float32")],
        lambda mean, std: normal_ref((50,), mean, std, "float32", truncated),
        grad=False,
    ),
    Case(
        "random_binomial_n3_int",
        lambda p: RandomStream(SEED).binomial((4, 6), p, n=3, dtype="int64"),
        [_scalar(0.3)],
        lambda p: binomial_ref((4, 6), float(p), 3, "int64"),
        grad=False,
        rtol=0,
        atol=0,
    ),
    Case(
        "random_bernoulli_f32",
        lambda p: RandomStream(SEED).bernoulli((10,), p, dtype="float32"),
        [_scalar(0.75, "float32")],
        lambda p: binomial_ref((10,), float(p), 1, "float32"),
        grad=False,
        rtol=0,
        atol=0,
    ),
]

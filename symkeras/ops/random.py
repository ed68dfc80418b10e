"""Random ops: counter-based draws whose generator state lives in a `Shared` variable.

The generator
-------------
Every number comes from **Philox-4x32-10** (Salmon et al., "Parallel random numbers:
as easy as 1, 2, 3", SC 2011; the Random123 reference), a pure function
``philox4x32(counter: 4 × u32, key: 2 × u32) -> 4 × u32``.  Nothing is sequential:
element ``i`` of a draw made at counter value ``c`` is a function of ``(key, i, c)``
alone, so a numpy reference, a scalar Numba loop (``prange`` over elements) and a CUDA
thread per element compute the same bits.

`philox4x32` and the helpers below it (`uniform01_f32`, `uniform01_f64`, `std_normal`)
are written in the common subset of numpy and Numba: every integer lives in a uint64
(32-bit words never overflow: a product of two u32 fits in 64 bits), every constant is a
``np.uint64`` / ``np.float64`` global, and only ``* >> & ^ +``, float ``+ - * /``, ``sqrt``,
comparisons and casts are used.
The same functions therefore run vectorised on numpy uint64 arrays and, compiled with
``numba.njit``, as scalar code: `kernel_source` hands their source (and the constants)
to the code generator, which pastes it into the generated module.

Layout of one draw (all integers unsigned):

* state: a ``Shared`` uint64 vector ``[key, counter]``; its `default_update` is the op's
  first output, ``[key, counter + blocks]``: every call of a compiled function draws new
  numbers, and each draw owns its state, so two draws never coincide or merge.
* element ``i`` (C order) of a call at counter ``c`` uses the Philox block
  ``counter = (lo32(i), hi32(i), lo32(c + a), hi32(c + a))``, ``key = (lo32(key), hi32(key))``
  where ``a`` is the attempt (truncated normal) or trial (binomial) number; a draw consumes
  ``blocks`` counter values per call (1 for uniform and normal).
* ``uniform``: float32 from the top 24 bits of word 0, float64 from 53 bits of words 0-1
  (``[0, 1)``, exact), then ``low + (high - low) * u`` in the output dtype.
* ``normal``: Box-Muller on two 53-bit uniforms (words 0-1 and 2-3), in float64, cast to
  the output dtype, then ``mean + std * z`` in that dtype.
* ``truncated_normal`` (Keras: redraw values more than 2 std from the mean): attempt
  ``a = 0, 1, …`` until ``|z| <= 2``; after `TRUNCATION_ATTEMPTS` (probability
  0.0455**12 ≈ 8e-17 per element) z is clipped to ±2.
* ``binomial(n, p)``: ``n`` trials, trial ``t`` succeeds when the 53-bit uniform of block
  ``(i, c + t)`` is below ``p``.

Bit-for-bit: the Philox words, the uniforms and the binomial counts are exact in any
IEEE implementation.  Normals need ``log`` and ``cos``, where numpy's vectorised versions
and libm differ in the last bit; so Box-Muller uses `log_f64` and `cos_2pi` (fdlibm's
polynomials, about 1 ulp, written with ``+ - * /``, comparisons and exact scaling only)
and ``sqrt`` (correctly rounded everywhere): the numpy reference and the Numba kernels give
identical float64 (hence float32) normals.  A backend that contracts ``a * b + c`` into
FMA (CUDA by default) must switch contraction off to keep this.
"""
from __future__ import annotations

import inspect
import os
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras.graph.basic import Apply, Constant, Op, Shared, Variable, as_tensor
from symkeras.graph.type import TensorType, as_dtype

# -- the shared arithmetic (numpy arrays or Numba scalars) -----------------------------------
MASK32 = np.uint64(0xFFFFFFFF)
SHIFT32 = np.uint64(32)
PHILOX_M0 = np.uint64(0xD2511F53)
PHILOX_M1 = np.uint64(0xCD9E8D57)
PHILOX_W0 = np.uint64(0x9E3779B9)
PHILOX_W1 = np.uint64(0xBB67AE85)
PHILOX_ROUNDS = 10
SHIFT_F32 = np.uint64(8)
SHIFT_F64_HI = np.uint64(5)
SHIFT_F64_LO = np.uint64(6)
TWO_POW_M24 = np.float32(2.0**-24)
TWO_POW_26 = np.float64(2.0**26)
TWO_POW_M53 = np.float64(2.0**-53)
TWO_PI = np.float64(2.0 * np.pi)
TWO_POW_32 = np.float64(2.0**32)
SQRT_HALF = np.float64(0.7071067811865476)
# fdlibm e_log.c
LN2_HI = np.float64(6.93147180369123816490e-01)
LN2_LO = np.float64(1.90821492927058770002e-10)
LOG_LG1 = np.float64(6.666666666666735130e-01)
LOG_LG2 = np.float64(3.999999999940941908e-01)
LOG_LG3 = np.float64(2.857142874366239149e-01)
LOG_LG4 = np.float64(2.222219843214978396e-01)
LOG_LG5 = np.float64(1.818357216161805012e-01)
LOG_LG6 = np.float64(1.531383769920937332e-01)
LOG_LG7 = np.float64(1.479819860511658591e-01)
# fdlibm k_cos.c / k_sin.c
COS_C1 = np.float64(4.16666666666666019037e-02)
COS_C2 = np.float64(-1.38888888888741095749e-03)
COS_C3 = np.float64(2.48015872894767294178e-05)
COS_C4 = np.float64(-2.75573143513906633035e-07)
COS_C5 = np.float64(2.08757232129817482790e-09)
COS_C6 = np.float64(-1.13596475577881948265e-11)
SIN_S1 = np.float64(-1.66666666666666324348e-01)
SIN_S2 = np.float64(8.33333333332248946124e-03)
SIN_S3 = np.float64(-1.98412698298579493134e-04)
SIN_S4 = np.float64(2.75573137070700676789e-06)
SIN_S5 = np.float64(-2.50507602534068634195e-08)
SIN_S6 = np.float64(1.58969099521155010221e-10)


def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox-4x32-10 of the counter words `c0..c3` under the key words `k0, k1`.

    All arguments are uint64 values (numpy arrays or scalars, broadcastable) holding 32-bit
    words; so are the four results.  Runs unchanged under ``numba.njit``.
    """
    for r in range(PHILOX_ROUNDS):
        if r > 0:
            k0 = (k0 + PHILOX_W0) & MASK32
            k1 = (k1 + PHILOX_W1) & MASK32
        p0 = PHILOX_M0 * c0
        p1 = PHILOX_M1 * c2
        c0, c1, c2, c3 = (p1 >> SHIFT32) ^ c1 ^ k0, p1 & MASK32, (p0 >> SHIFT32) ^ c3 ^ k1, p0 & MASK32
    return c0, c1, c2, c3


def uniform01_f32(w0):
    """A float32 in ``[0, 1)`` from the top 24 bits of the word `w0` (exact)."""
    return np.float32(w0 >> SHIFT_F32) * TWO_POW_M24


def uniform01_f64(w0, w1):
    """A float64 in ``[0, 1)`` from 27 bits of `w0` and 26 bits of `w1` (exact)."""
    return (np.float64(w0 >> SHIFT_F64_HI) * TWO_POW_26 + np.float64(w1 >> SHIFT_F64_LO)) * TWO_POW_M53


def log_f64(x):
    """``log(x)`` for float64 `x` in ``[2**-64, 1]``: fdlibm's ``e_log.c``, written with ``+ - * /`` only.

    The exponent is found by exact power-of-two scaling (no ``frexp``, which Numba lacks
    for scalars), so every step is an IEEE operation with one defined result: numpy
    arrays and Numba scalars give the same bits (error under 1 ulp, like fdlibm).
    """
    m = x
    k = 0.0 * x
    scale = TWO_POW_32
    step = 32.0
    for _ in range(6):  # binary search of the exponent: m *= 2**step while m < 2**-step
        small = np.float64(m * scale < 1.0)
        m = m * (1.0 + small * (scale - 1.0))
        k = k - small * step
        scale = np.sqrt(scale)
        step = 0.5 * step
    small = np.float64(m < SQRT_HALF)  # now m in [1/2, 1]: move it to [sqrt(1/2), sqrt(2))
    m = m * (1.0 + small)
    k = k - small
    f = m - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (LOG_LG2 + w * (LOG_LG4 + w * LOG_LG6))
    t2 = z * (LOG_LG1 + w * (LOG_LG3 + w * (LOG_LG5 + w * LOG_LG7)))
    return k * LN2_HI - ((hfsq - (s * (hfsq + (t2 + t1)) + k * LN2_LO)) - f)


def cos_2pi(u):
    """``cos(2 pi u)`` for float64 `u` in ``[0, 1)``: exact reduction in turns, fdlibm (musl) kernels.

    ``n`` is the nearest quarter turn and ``u - n / 4`` is exact, so only ``2 pi r`` rounds;
    the result is within about 1 ulp and uses ``+ - * /`` and comparisons only.
    """
    q1 = np.float64(u >= 0.125)
    q2 = np.float64(u >= 0.375)
    q3 = np.float64(u >= 0.625)
    q4 = np.float64(u >= 0.875)
    x = TWO_PI * (u - 0.25 * (q1 + q2 + q3 + q4))  # |x| <= pi / 4
    z = x * x
    w = z * z
    r = z * (COS_C1 + z * (COS_C2 + z * COS_C3)) + w * w * (COS_C4 + z * (COS_C5 + z * COS_C6))
    hz = 0.5 * z
    v = 1.0 - hz
    cos_x = v + (((1.0 - v) - hz) + z * r)
    r = SIN_S2 + z * (SIN_S3 + z * SIN_S4) + z * w * (SIN_S5 + z * SIN_S6)
    sin_x = x + z * x * (SIN_S1 + z * r)
    # quadrant n = q1 + q2 + q3 + q4: cos, -sin, -cos, sin, cos for n = 0 .. 4
    a = (1.0 - q1) - (q2 - q3) + q4
    b = (q3 - q4) - (q1 - q2)
    return a * cos_x + b * sin_x


def std_normal(w0, w1, w2, w3):
    """A standard normal float64 by Box-Muller from the four words of one Philox block.

    ``log`` and ``cos`` are `log_f64` and `cos_2pi` (basic IEEE operations only), so numpy
    and a compiled Numba kernel produce identical bits.
    """
    u1 = uniform01_f64(w0, w1)
    u2 = uniform01_f64(w2, w3)
    return np.sqrt(-2.0 * log_f64(1.0 - u1)) * cos_2pi(u2)


#: what a generated kernel needs of the generator, in dependency order (see `kernel_source`)
KERNEL_CONSTANTS = (
    "MASK32", "SHIFT32", "PHILOX_M0", "PHILOX_M1", "PHILOX_W0", "PHILOX_W1", "PHILOX_ROUNDS",
    "SHIFT_F32", "SHIFT_F64_HI", "SHIFT_F64_LO", "TWO_POW_M24", "TWO_POW_26", "TWO_POW_M53", "TWO_PI",
    "TWO_POW_32", "SQRT_HALF", "LN2_HI", "LN2_LO", "LOG_LG1", "LOG_LG2", "LOG_LG3", "LOG_LG4", "LOG_LG5",
    "LOG_LG6", "LOG_LG7", "COS_C1", "COS_C2", "COS_C3", "COS_C4", "COS_C5", "COS_C6",
    "SIN_S1", "SIN_S2", "SIN_S3", "SIN_S4", "SIN_S5", "SIN_S6",
)
KERNEL_FUNCTIONS = (philox4x32, uniform01_f32, uniform01_f64, log_f64, cos_2pi, std_normal)


def kernel_source(decorator: str = "@numba.njit(inline='always')") -> str:
    """Python source of the generator's constants and functions, each function under `decorator`.

    A generated module (which imports ``numpy as np``) pastes it to compute, per element,
    exactly what the numpy reference computes: the same functions, compiled.
    """
    consts = []
    for name in KERNEL_CONSTANTS:
        value = globals()[name]
        consts.append(f"{name} = np.{type(value).__name__}({value.item()!r})" if isinstance(value, np.generic)
                      else f"{name} = {value!r}")
    functions = [f"{decorator}\n{inspect.getsource(fn)}" if decorator else inspect.getsource(fn) for fn in KERNEL_FUNCTIONS]
    return "\n".join(consts) + "\n\n\n" + "\n\n".join(functions)


# -- numpy drivers: one Philox block per element ---------------------------------------------
def philox_blocks(key: int, counter: int, index: np.ndarray) -> Tuple[np.ndarray, ...]:
    """The four words of the blocks ``(element index, counter)`` under `key`, as uint64 arrays."""
    return philox4x32(
        index & MASK32, index >> SHIFT32,
        np.uint64(counter & 0xFFFFFFFF), np.uint64(counter >> 32),
        np.uint64(key & 0xFFFFFFFF), np.uint64(key >> 32),
    )


def _add_counter(counter: int, offset: int) -> int:
    return (counter + offset) & 0xFFFFFFFFFFFFFFFF


# -- ops --------------------------------------------------------------------------------------
STATE_TYPE = TensorType("uint64", (2,))
TRUNCATION_ATTEMPTS = 12
TRUNCATION_BOUND = 2.0

ShapeLike = Union[int, Variable, Sequence[Union[int, Variable]]]


class RandomVariable(Op, abstract=True):
    """A draw: inputs ``(state, dim_0 … dim_{ndim-1}, *params)``, outputs ``(new_state, sample)``.

    The dims are int scalars (``x.shape[0]`` works: a new batch size needs no new graph);
    the params are float scalars, so they too can change without recompiling.
    """

    __props__ = ("dtype", "ndim")
    differentiable = False
    #: a draw is never a constant, even from a constant state
    constant_foldable = False
    #: names of the float scalar parameters, in input order
    param_names: Tuple[str, ...] = ()
    #: dtype kinds the sample may have
    dtype_kinds = "f"

    def __init__(self, dtype: str, ndim: int):
        self.dtype = as_dtype(dtype)
        self.ndim = int(ndim)
        kind = np.dtype(self.dtype).kind
        if kind not in self.dtype_kinds or (kind == "f" and self.dtype not in ("float32", "float64")):
            raise TypeError(f"{type(self).__name__}: unsupported dtype {self.dtype} (float32 and float64 only for floats)")

    @property
    def blocks(self) -> int:
        """Counter values one call consumes (per element, one Philox block each)."""
        return 1

    def make_node(self, state, *rest) -> Apply:
        name = type(self).__name__
        if len(rest) != self.ndim + len(self.param_names):
            raise TypeError(f"{name}: expected {self.ndim} dims and params {self.param_names}, got {len(rest)} inputs")
        state = as_tensor(state)
        if state.type != STATE_TYPE:
            raise TypeError(f"{name}: the state must be {STATE_TYPE}, got {state.type}")
        dims = [as_tensor(d) for d in rest[: self.ndim]]
        for i, d in enumerate(dims):
            if d.ndim != 0 or np.dtype(d.dtype).kind not in "iu":
                raise TypeError(f"{name}: dimension {i} must be an int scalar, got {d.type}")
        param_dtype = self.dtype if np.dtype(self.dtype).kind == "f" else "float64"
        params = [as_tensor(p, param_dtype) for p in rest[self.ndim:]]
        for pname, p in zip(self.param_names, params):
            if p.ndim != 0 or not p.type.is_float:
                raise TypeError(f"{name}: {pname} must be a float scalar, got {p.type}")
        shape = [int(d.data) if isinstance(d, Constant) else None for d in dims]
        return Apply(self, [state, *dims, *params], [STATE_TYPE, TensorType(self.dtype, shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        state, rest = inputs[0], inputs[1:]
        shape = tuple(int(d) for d in rest[: self.ndim])
        if any(d < 0 for d in shape):
            raise ValueError(f"{type(self).__name__}: negative dimension in shape {shape}")
        key, counter = int(state[0]), int(state[1])
        index = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.uint64)
        sample = self.sample(key, counter, index, [np.asarray(p) for p in rest[self.ndim:]])
        new_state = np.array([key, _add_counter(counter, self.blocks)], dtype=np.uint64)
        return [new_state, np.asarray(sample, dtype=self.dtype).reshape(shape)]

    def sample(self, key: int, counter: int, index: np.ndarray, params: List[np.ndarray]) -> np.ndarray:
        """The values of the elements `index` (flat, uint64) of a call at `counter`, before the final cast."""
        raise NotImplementedError

    def grad(self, inputs, output_grads):
        return [None] * len(inputs)


class UniformRV(RandomVariable):
    """Uniform samples in ``[low, high)``."""

    param_names = ("low", "high")

    def sample(self, key, counter, index, params):
        low, high = (p.astype(self.dtype) for p in params)
        words = philox_blocks(key, counter, index)
        u = uniform01_f32(words[0]) if self.dtype == "float32" else uniform01_f64(words[0], words[1])
        return low + (high - low) * u


class NormalRV(RandomVariable):
    """Normal samples of mean `mean` and standard deviation `std`."""

    param_names = ("mean", "std")

    def sample(self, key, counter, index, params):
        mean, std = (p.astype(self.dtype) for p in params)
        return mean + std * self.standard(key, counter, index).astype(self.dtype)

    def standard(self, key: int, counter: int, index: np.ndarray) -> np.ndarray:
        """Standard normals (float64) of the elements `index`."""
        return std_normal(*philox_blocks(key, counter, index))


class TruncatedNormalRV(NormalRV):
    """Normal samples redrawn (deterministically) while more than 2 std from the mean."""

    @property
    def blocks(self) -> int:
        return TRUNCATION_ATTEMPTS

    def standard(self, key, counter, index):
        z = super().standard(key, counter, index)
        for attempt in range(1, TRUNCATION_ATTEMPTS):
            redo = np.abs(z) > TRUNCATION_BOUND
            if not redo.any():
                break
            z[redo] = std_normal(*philox_blocks(key, _add_counter(counter, attempt), index[redo]))
        return np.clip(z, -TRUNCATION_BOUND, TRUNCATION_BOUND)


class BinomialRV(RandomVariable):
    """Counts of successes in `n` trials of probability `p` (Bernoulli when ``n == 1``)."""

    __props__ = ("dtype", "ndim", "n")
    param_names = ("p",)
    dtype_kinds = "fiub"

    def __init__(self, dtype: str, ndim: int, n: int = 1):
        super().__init__(dtype, ndim)
        if int(n) < 0:
            raise ValueError(f"BinomialRV: n must be >= 0, got {n}")
        self.n = int(n)

    @property
    def blocks(self) -> int:
        return max(self.n, 1)

    def sample(self, key, counter, index, params):
        p = params[0].astype(np.float64)
        count = np.zeros(index.shape, dtype=np.int64)
        for trial in range(self.n):
            words = philox_blocks(key, _add_counter(counter, trial), index)
            count += uniform01_f64(words[0], words[1]) < p
        return count


# -- streams ----------------------------------------------------------------------------------
def derive_key(seed: int, draw: int) -> int:
    """The 64-bit key of the `draw`-th draw of a stream seeded with `seed`: Philox of ``(draw, seed)``."""
    words = philox4x32(
        np.uint64(draw & 0xFFFFFFFF), np.uint64(draw >> 32), np.uint64(0), np.uint64(0),
        np.uint64(seed & 0xFFFFFFFF), np.uint64((seed >> 32) & 0xFFFFFFFF),
    )
    return int(words[0]) | (int(words[1]) << 32)


def _fresh_seed() -> int:
    return int.from_bytes(os.urandom(8), "little")


def _as_dims(shape: ShapeLike) -> List[Variable]:
    """`shape` as int scalar variables: ints, int scalars, or an int vector of static length.

    ``shape(x)`` becomes x's static sizes where known and ``shape(x)[i]`` elsewhere.
    """
    from symkeras.ops.shape import Shape, shape_list

    if isinstance(shape, Variable) and shape.ndim == 1:
        if shape.owner is not None and isinstance(shape.owner.op, Shape):
            shape = shape_list(shape.owner.inputs[0])
        elif isinstance(shape, Constant):
            shape = [int(d) for d in shape.data]
        elif shape.type.shape[0] is None:
            raise ValueError(f"random: the shape vector {shape} needs a static length")
        else:
            shape = [shape[i] for i in range(shape.type.shape[0])]
    elif isinstance(shape, (int, np.integer, Variable)):
        shape = (shape,)
    return [as_tensor(int(d)) if isinstance(d, (int, np.integer)) else as_tensor(d) for d in shape]


class RandomStream:
    """A seeded source of random draws (Theano's ``RandomStreams``).

    Each draw gets its own state ``Shared`` ``[key, counter]``, with a key derived from the
    stream's seed and the draw's number; compiled functions advance the counter on every
    call.  ``seed(s)`` rewinds every state this stream made, so a run can be replayed.
    """

    def __init__(self, seed: Optional[int] = None):
        self.states: List[Shared] = []
        self._seed = _fresh_seed() if seed is None else int(seed)

    def seed(self, seed: Optional[int] = None) -> None:
        """Re-key every draw made so far from `seed` (fresh entropy when ``None``) and reset its counter."""
        self._seed = _fresh_seed() if seed is None else int(seed)
        for draw, state in enumerate(self.states):
            state.set_value(np.array([derive_key(self._seed, draw), 0], dtype=np.uint64))

    def draw(self, op: RandomVariable, shape: ShapeLike, *params) -> Variable:
        """Apply the random `op` to a new state, `shape` and `params`; returns the sample."""
        key = derive_key(self._seed, len(self.states))
        state = Shared(np.array([key, 0], dtype=np.uint64), name=f"rng_state_{len(self.states)}")
        new_state, sample = op.make_node(state, *_as_dims(shape), *params).outputs
        state.default_update = new_state
        self.states.append(state)
        return sample

    def uniform(self, shape: ShapeLike, low=0.0, high=1.0, dtype: str = "floatX") -> Variable:
        """Uniform samples in ``[low, high)``."""
        dims = _as_dims(shape)
        return self.draw(UniformRV(dtype, len(dims)), dims, low, high)

    def normal(self, shape: ShapeLike, mean=0.0, std=1.0, dtype: str = "floatX") -> Variable:
        """Normal samples."""
        dims = _as_dims(shape)
        return self.draw(NormalRV(dtype, len(dims)), dims, mean, std)

    def truncated_normal(self, shape: ShapeLike, mean=0.0, std=1.0, dtype: str = "floatX") -> Variable:
        """Normal samples within 2 `std` of `mean` (those further away are redrawn), like Keras."""
        dims = _as_dims(shape)
        return self.draw(TruncatedNormalRV(dtype, len(dims)), dims, mean, std)

    def binomial(self, shape: ShapeLike, p=0.5, n: int = 1, dtype: str = "floatX") -> Variable:
        """Numbers of successes in `n` trials of probability `p`."""
        dims = _as_dims(shape)
        return self.draw(BinomialRV(dtype, len(dims), n), dims, p)

    def bernoulli(self, shape: ShapeLike, p=0.5, dtype: str = "floatX") -> Variable:
        """1 with probability `p`, else 0 (Keras's ``random_binomial``)."""
        return self.binomial(shape, p, 1, dtype)


#: the stream behind the module-level functions; `seed` rewinds it
default_stream = RandomStream()


def seed(value: Optional[int] = None) -> None:
    """Reseed the default stream, so that the draws made through it replay identically."""
    default_stream.seed(value)


def uniform(shape: ShapeLike, low=0.0, high=1.0, dtype: str = "floatX") -> Variable:
    """Uniform samples from the default stream."""
    return default_stream.uniform(shape, low, high, dtype)


def normal(shape: ShapeLike, mean=0.0, std=1.0, dtype: str = "floatX") -> Variable:
    """Normal samples from the default stream."""
    return default_stream.normal(shape, mean, std, dtype)


def truncated_normal(shape: ShapeLike, mean=0.0, std=1.0, dtype: str = "floatX") -> Variable:
    """Truncated normal samples (within 2 std) from the default stream."""
    return default_stream.truncated_normal(shape, mean, std, dtype)


def binomial(shape: ShapeLike, p=0.5, n: int = 1, dtype: str = "floatX") -> Variable:
    """Binomial samples from the default stream."""
    return default_stream.binomial(shape, p, n, dtype)


def bernoulli(shape: ShapeLike, p=0.5, dtype: str = "floatX") -> Variable:
    """Bernoulli samples from the default stream."""
    return default_stream.bernoulli(shape, p, dtype)

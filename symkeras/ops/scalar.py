"""Scalar operations: the elementwise vocabulary that `Elemwise` maps over tensors.

Each `ScalarOp` carries three views of one function: a vectorised numpy reference
(`impl`), a Numba scalar expression (`numba_expr`) from which fused loops are
generated, and a symbolic gradient written with tensor operations.
"""
from __future__ import annotations

import math
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

#: every scalar op by name; the tests iterate over it so that none goes untested
SCALAR_REGISTRY: Dict[str, "ScalarOp"] = {}

#: Numba helper functions that expressions may call, emitted once per generated module
NUMBA_HELPERS: Dict[str, str] = {
    "_sigmoid": (
        "def _sigmoid(x):\n"
        "    if x >= 0:\n"
        "        return 1.0 / (1.0 + math.exp(-x))\n"
        "    z = math.exp(x)\n"
        "    return z / (1.0 + z)\n"
    ),
    "_softplus": (
        "def _softplus(x):\n"
        "    if x > 0:\n"
        "        return x + math.log1p(math.exp(-x))\n"
        "    return math.log1p(math.exp(x))\n"
    ),
    "_sign": "def _sign(x):\n    return (x > 0) - (x < 0) if x == x else x\n",
    # float32 versions built from + - * / and a bit cast only (Cephes' expf/tanhf polynomials, about
    # 1 ulp): unlike libm calls, LLVM vectorizes loops over them
    "_exp_f32": (
        "def _exp_f32(x):\n"
        "    c = min(max(x, np.float32(-87.33654)), np.float32(88.72283))\n"
        "    n = np.float32(math.floor(c * np.float32(1.4426950408889634) + np.float32(0.5)))\n"
        "    r = c - n * np.float32(0.693359375) + n * np.float32(2.12194440e-4)\n"
        "    p = np.float32(1.9875691500e-4) * r + np.float32(1.3981999507e-3)\n"
        "    p = (p * r + np.float32(8.3334519073e-3)) * r + np.float32(4.1665795894e-2)\n"
        "    p = (p * r + np.float32(1.6666665459e-1)) * r + np.float32(5.0000001201e-1)\n"
        "    k = np.int32(n)\n"
        "    h = k >> np.int32(1)\n"
        "    # 2**k as two factors, each a normal float32 for every k in [-126, 128]\n"
        "    p = (p * r * r + r + np.float32(1.0)) * f32_from_bits((h + np.int32(127)) << np.int32(23))\n"
        "    p = p * f32_from_bits((k - h + np.int32(127)) << np.int32(23))\n"
        "    # below the normal range flush to 0, above it overflow to inf, as exp does\n"
        "    return np.float32(0.0) if x < np.float32(-87.33654) else (np.float32(np.inf) if x > np.float32(88.72283) else p)\n"
    ),
    "_tanh_f32": (
        "def _tanh_f32(x):\n"
        "    z = x * x\n"
        "    p = np.float32(-5.70498872745e-3) * z + np.float32(2.06390887954e-2)\n"
        "    p = (p * z - np.float32(5.37397155531e-2)) * z + np.float32(1.33314422036e-1)\n"
        "    small = ((p * z - np.float32(3.33332819422e-1)) * z) * x + x\n"
        "    e = _exp_f32(np.float32(2.0) * abs(x))\n"
        "    big = np.float32(1.0) - np.float32(2.0) / (e + np.float32(1.0))\n"
        "    big = big if x >= 0 else -big\n"
        "    return small if abs(x) <= np.float32(0.625) else big\n"
    ),
    "_sigmoid_f32": (
        "def _sigmoid_f32(x):\n"
        "    return np.float32(1.0) / (np.float32(1.0) + _exp_f32(-x))\n"
    ),
}

#: float32 scalar ops with a vectorizable helper, and the helpers each one needs (in order)
FAST_FLOAT32 = {
    "exp": ("_exp_f32", ("_exp_f32",)),
    "tanh": ("_tanh_f32", ("_exp_f32", "_tanh_f32")),
    "sigmoid": ("_sigmoid_f32", ("_exp_f32", "_sigmoid_f32")),
}


def _T():
    """The tensor-level ops, imported late: gradients are built from them."""
    from symkeras.ops import elemwise

    return elemwise


GradFn = Callable[..., List]


class ScalarOp:
    """A scalar function of `nin` arguments, identified by its name and parameters."""

    __props__ = ("name",)

    def __init__(
        self,
        name: str,
        nin: int,
        impl: Callable[..., np.ndarray],
        numba: Callable[..., str],
        grad: Optional[GradFn] = None,
        helpers: Sequence[str] = (),
        register: bool = True,
    ):
        self.name = name
        self.nin = nin
        self._impl = impl
        self._numba = numba
        self._grad = grad
        self.helpers = tuple(helpers)
        self._dtype_cache: Dict[tuple, str] = {}
        if register:
            SCALAR_REGISTRY[name] = self

    # identity by parameters, like Ops
    def _props(self) -> tuple:
        return tuple(getattr(self, p) for p in self.__props__)

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._props()))

    def __str__(self) -> str:
        params = self._props()[1:]
        return self.name if not params else f"{self.name}{{{', '.join(map(str, params))}}}"

    __repr__ = __str__

    @property
    def differentiable(self) -> bool:
        return self._grad is not None

    def impl(self, *args: np.ndarray) -> np.ndarray:
        """The numpy reference on (broadcastable) arrays."""
        return self._impl(*args)

    def numba_expr(self, *args: str) -> str:
        """A Numba scalar expression applying the op to the argument expressions `args`."""
        return self._numba(*args)

    def output_dtype(self, *dtypes: str) -> str:
        """The result dtype: what the numpy reference gives for these input dtypes."""
        key = tuple(dtypes)
        if key not in self._dtype_cache:
            with np.errstate(all="ignore"):
                probe = self.impl(*[np.ones((1,), d) for d in dtypes])
            self._dtype_cache[key] = np.asarray(probe).dtype.name
        return self._dtype_cache[key]

    def grad(self, inputs: List, outputs: List, output_grads: List) -> List:
        """Per-input gradients with the output's (broadcast) shape; ``None`` where there is none."""
        if self._grad is None:
            return [None] * self.nin
        return self._grad(inputs, outputs[0], output_grads[0])


class ParamScalarOp(ScalarOp):
    """A scalar op with numeric parameters (relu's alpha, elu's alpha, cast's dtype)."""

    def __init__(self, name, nin, impl, numba, grad=None, helpers=(), **params):
        for key, value in params.items():
            setattr(self, key, value)
        self.__props__ = ("name",) + tuple(params)
        super().__init__(name, nin, impl, numba, grad, helpers, register=False)


def _f(x) -> str:
    """A float literal for generated source."""
    return repr(float(x)) if math.isfinite(x) else ("math.inf" if x > 0 else "-math.inf")


def _zeros_grad(inputs, out, gz):
    return [_T().zeros_like(x) for x in inputs]


def _none_grad(inputs, out, gz):
    return [None] * len(inputs)


def _expit(x):
    from scipy.special import expit

    return expit(x)


# -- arithmetic ------------------------------------------------------------------------------
add = ScalarOp("add", 2, np.add, lambda a, b: f"({a} + {b})", lambda i, o, gz: [gz, gz])
sub = ScalarOp("sub", 2, np.subtract, lambda a, b: f"({a} - {b})", lambda i, o, gz: [gz, -gz])
mul = ScalarOp("mul", 2, np.multiply, lambda a, b: f"({a} * {b})", lambda i, o, gz: [gz * i[1], gz * i[0]])
true_div = ScalarOp(
    "true_div", 2, np.true_divide, lambda a, b: f"({a} / {b})",
    lambda i, o, gz: [gz / i[1], -gz * i[0] / (i[1] * i[1])],
)
int_div = ScalarOp("int_div", 2, np.floor_divide, lambda a, b: f"({a} // {b})", _zeros_grad)
mod = ScalarOp(
    "mod", 2, np.mod, lambda a, b: f"({a} % {b})",
    lambda i, o, gz: [gz, -gz * _T().floor(i[0] / i[1])],
)
neg = ScalarOp("neg", 1, np.negative, lambda a: f"(-{a})", lambda i, o, gz: [-gz])
pow = ScalarOp(
    "pow", 2, np.power, lambda a, b: f"({a} ** {b})",
    lambda i, o, gz: [gz * i[1] * i[0] ** (i[1] - 1), gz * o * _T().log(i[0])],
)
maximum = ScalarOp(
    "maximum", 2, np.maximum, lambda a, b: f"max({a}, {b})",
    lambda i, o, gz: [gz * _T().cast(i[0] >= i[1], gz.dtype), gz * _T().cast(i[0] < i[1], gz.dtype)],
)
minimum = ScalarOp(
    "minimum", 2, np.minimum, lambda a, b: f"min({a}, {b})",
    lambda i, o, gz: [gz * _T().cast(i[0] <= i[1], gz.dtype), gz * _T().cast(i[0] > i[1], gz.dtype)],
)
clip = ScalarOp(
    "clip", 3, lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi), lambda x, lo, hi: f"min(max({x}, {lo}), {hi})",
    lambda i, o, gz: [
        gz * _T().cast((i[0] >= i[1]) & (i[0] <= i[2]), gz.dtype),
        gz * _T().cast(i[0] < i[1], gz.dtype),
        gz * _T().cast(i[0] > i[2], gz.dtype),
    ],
)
switch = ScalarOp(
    "switch", 3, np.where, lambda c, a, b: f"({a} if {c} else {b})",
    lambda i, o, gz: [None, _T().switch(i[0], gz, 0.0), _T().switch(i[0], 0.0, gz)],
)

# -- unary math ------------------------------------------------------------------------------
exp = ScalarOp("exp", 1, np.exp, lambda a: f"math.exp({a})", lambda i, o, gz: [gz * o])
log = ScalarOp("log", 1, np.log, lambda a: f"math.log({a})", lambda i, o, gz: [gz / i[0]])
log1p = ScalarOp("log1p", 1, np.log1p, lambda a: f"math.log1p({a})", lambda i, o, gz: [gz / (1 + i[0])])
expm1 = ScalarOp("expm1", 1, np.expm1, lambda a: f"math.expm1({a})", lambda i, o, gz: [gz * (o + 1)])
sqrt = ScalarOp("sqrt", 1, np.sqrt, lambda a: f"math.sqrt({a})", lambda i, o, gz: [gz * 0.5 / o])
square = ScalarOp("square", 1, np.square, lambda a: f"({a} * {a})", lambda i, o, gz: [gz * 2 * i[0]])
abs = ScalarOp("abs", 1, np.abs, lambda a: f"abs({a})", lambda i, o, gz: [gz * _T().sign(i[0])])
sign = ScalarOp("sign", 1, np.sign, lambda a: f"_sign({a})", _zeros_grad, helpers=["_sign"])
floor = ScalarOp("floor", 1, np.floor, lambda a: f"np.floor({a})", _zeros_grad)
ceil = ScalarOp("ceil", 1, np.ceil, lambda a: f"np.ceil({a})", _zeros_grad)
round = ScalarOp("round", 1, np.rint, lambda a: f"np.rint({a})", _zeros_grad)
sin = ScalarOp("sin", 1, np.sin, lambda a: f"math.sin({a})", lambda i, o, gz: [gz * _T().cos(i[0])])
cos = ScalarOp("cos", 1, np.cos, lambda a: f"math.cos({a})", lambda i, o, gz: [-gz * _T().sin(i[0])])
tanh = ScalarOp("tanh", 1, np.tanh, lambda a: f"math.tanh({a})", lambda i, o, gz: [gz * (1 - o * o)])
sigmoid = ScalarOp(
    "sigmoid", 1, _expit, lambda a: f"_sigmoid({a})", lambda i, o, gz: [gz * o * (1 - o)], helpers=["_sigmoid"]
)
softplus = ScalarOp(
    "softplus", 1, lambda x: np.logaddexp(np.zeros((), x.dtype), x), lambda a: f"_softplus({a})",
    lambda i, o, gz: [gz * _T().sigmoid(i[0])], helpers=["_softplus"],
)
softsign = ScalarOp(
    "softsign", 1, lambda x: x / (1 + np.abs(x)), lambda a: f"({a} / (1.0 + abs({a})))",
    lambda i, o, gz: [gz / _T().square(1 + _T().abs(i[0]))],
)
hard_sigmoid = ScalarOp(
    "hard_sigmoid", 1, lambda x: np.clip(x * x.dtype.type(0.2) + x.dtype.type(0.5), 0, 1),
    lambda a: f"min(max(0.2 * {a} + 0.5, 0.0), 1.0)",
    lambda i, o, gz: [gz * 0.2 * _T().cast(_T().abs(i[0]) < 2.5, gz.dtype)],
)

# -- comparisons and logic (discrete outputs: no gradient flows through them) ------------------
eq = ScalarOp("eq", 2, np.equal, lambda a, b: f"({a} == {b})")
neq = ScalarOp("neq", 2, np.not_equal, lambda a, b: f"({a} != {b})")
lt = ScalarOp("lt", 2, np.less, lambda a, b: f"({a} < {b})")
le = ScalarOp("le", 2, np.less_equal, lambda a, b: f"({a} <= {b})")
gt = ScalarOp("gt", 2, np.greater, lambda a, b: f"({a} > {b})")
ge = ScalarOp("ge", 2, np.greater_equal, lambda a, b: f"({a} >= {b})")
logical_and = ScalarOp("logical_and", 2, np.logical_and, lambda a, b: f"({a} and {b})")
logical_or = ScalarOp("logical_or", 2, np.logical_or, lambda a, b: f"({a} or {b})")
logical_not = ScalarOp("logical_not", 1, np.logical_not, lambda a: f"(not {a})")
isnan = ScalarOp("isnan", 1, np.isnan, lambda a: f"({a} != {a})")


# -- parametrised activations -------------------------------------------------------------------
class Relu(ParamScalarOp):
    """Keras 2's relu: ``x`` above `threshold` (clipped to `max_value`), ``alpha·(x − threshold)`` below."""

    def __init__(self, alpha: float = 0.0, max_value: Optional[float] = None, threshold: float = 0.0):
        super().__init__(
            "relu", 1, self._relu_impl, self._relu_numba, self._relu_grad,
            alpha=float(alpha), max_value=None if max_value is None else float(max_value), threshold=float(threshold),
        )

    def _relu_impl(self, x):
        t = x.dtype.type
        pos = np.where(x > t(self.threshold), x, t(0)) if self.threshold != 0 else np.maximum(x, t(0))
        if self.max_value is not None:
            pos = np.clip(pos, t(0), t(self.max_value))
        if self.alpha != 0:
            pos = pos - t(self.alpha) * np.maximum(t(self.threshold) - x, t(0))
        return pos

    def _relu_numba(self, x):
        pos = f"({x} if {x} > {_f(self.threshold)} else 0.0)"
        if self.max_value is not None:
            pos = f"min(max({pos}, 0.0), {_f(self.max_value)})"
        if self.alpha != 0:
            pos = f"({pos} - {_f(self.alpha)} * max({_f(self.threshold)} - {x}, 0.0))"
        return pos

    def _relu_grad(self, inputs, out, gz):
        # without a negative slope or threshold, the output exceeds the threshold (and stays below
        # max_value) exactly where the input does: reading the output lets the input's buffer go, so
        # relu runs in place and fuses with the bias add before it
        source = out if self.alpha == 0 and self.threshold >= 0 else inputs[0]
        return [gz * _T().Elemwise(ReluGrad(self.alpha, self.max_value, self.threshold))(source)]


class ReluGrad(ParamScalarOp):
    """The derivative of `Relu` with the same parameters, as one elementwise op."""

    def __init__(self, alpha: float = 0.0, max_value: Optional[float] = None, threshold: float = 0.0):
        super().__init__(
            "relu_grad", 1, self._impl_grad, self._numba_grad, _zeros_grad,
            alpha=float(alpha), max_value=None if max_value is None else float(max_value), threshold=float(threshold),
        )

    def _impl_grad(self, x):
        t = x.dtype.type
        inside = x > t(self.threshold)
        if self.max_value is not None:
            inside &= x < t(self.max_value)
            if self.threshold < 0:
                inside &= x > t(0)
        return np.where(inside, t(1), np.where(x < t(self.threshold), t(self.alpha), t(0)))

    def _numba_grad(self, x):
        inside = f"{x} > {_f(self.threshold)}"
        if self.max_value is not None:
            inside += f" and {x} < {_f(self.max_value)}"
            if self.threshold < 0:
                inside += f" and {x} > 0.0"
        return f"(1.0 if {inside} else ({_f(self.alpha)} if {x} < {_f(self.threshold)} else 0.0))"


class Elu(ParamScalarOp):
    """``x`` for ``x > 0``, ``alpha·(exp(x) − 1)`` otherwise."""

    def __init__(self, alpha: float = 1.0):
        super().__init__("elu", 1, self._elu_impl, self._elu_numba, self._elu_grad, alpha=float(alpha))

    def _elu_impl(self, x):
        return np.where(x > 0, x, x.dtype.type(self.alpha) * np.expm1(np.minimum(x, 0)))

    def _elu_numba(self, x):
        return f"({x} if {x} > 0 else {_f(self.alpha)} * math.expm1({x}))"

    def _elu_grad(self, inputs, out, gz):
        x = inputs[0]
        return [gz * _T().switch(x > 0, 1.0, out + self.alpha)]


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

selu = ScalarOp(
    "selu", 1,
    lambda x: x.dtype.type(SELU_SCALE) * np.where(x > 0, x, x.dtype.type(SELU_ALPHA) * np.expm1(np.minimum(x, 0))),
    lambda a: f"({_f(SELU_SCALE)} * ({a} if {a} > 0 else {_f(SELU_ALPHA)} * math.expm1({a})))",
    lambda i, o, gz: [gz * SELU_SCALE * _T().switch(i[0] > 0, 1.0, SELU_ALPHA * _T().exp(i[0]))],
)


class Cast(ParamScalarOp):
    """Conversion to `dtype`; float to int truncates toward zero, like numpy's ``astype``."""

    def __init__(self, dtype: str):
        super().__init__("cast", 1, lambda x: x.astype(dtype), self._cast_numba, self._cast_grad, dtype=dtype)

    @property
    def differentiable(self) -> bool:
        return np.dtype(self.dtype).kind in "fc"

    def _cast_numba(self, x):
        return f"np.{self.dtype}({x})" if self.dtype != "bool" else f"({x} != 0)"

    def _cast_grad(self, inputs, out, gz):
        x = inputs[0]
        if x.type.is_discrete or np.dtype(self.dtype).kind in "biu":
            return [None]
        return [_T().cast(gz, x.dtype)]


#: the parametrised scalar ops, registered with default parameters for the registry-driven tests
for _op in (Relu(), Relu(alpha=0.1, max_value=6.0, threshold=0.5), ReluGrad(), Elu(), Elu(0.5), Cast("float64")):
    SCALAR_REGISTRY[str(_op)] = _op

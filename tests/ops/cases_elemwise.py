"""Cases for every scalar op mapped elementwise, over broadcasting and size-0/size-1 shapes."""
import numpy as np
from scipy.special import expit

from symkeras.ops import elemwise as E
from symkeras.ops import scalar as S
from tests.ops.cases import Case, rng

r = rng(1)


def _floats(*shape, low=-2.0, high=2.0):
    return r.uniform(low, high, shape)


def _positive(*shape):
    return r.uniform(0.5, 2.0, shape)


def _away_from_zero(*shape):
    return np.where(r.random(shape) < 0.5, -1, 1) * r.uniform(0.3, 2.0, shape)


def _relu_ref(x, alpha=0.0, max_value=None, threshold=0.0):
    pos = np.where(x > threshold, x, 0.0) if threshold else np.maximum(x, 0.0)
    if max_value is not None:
        pos = np.clip(pos, 0.0, max_value)
    return pos - alpha * np.maximum(threshold - x, 0.0)


SHAPE_SETS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (1, 4, 1)), ((0, 3), (3,)), ((), (5,))]

UNARY = {
    "neg": (E.neg, np.negative, _floats),
    "exp": (E.exp, np.exp, _floats),
    "log": (E.log, np.log, _positive),
    "log1p": (E.log1p, np.log1p, _positive),
    "expm1": (E.expm1, np.expm1, _floats),
    "sqrt": (E.sqrt, np.sqrt, _positive),
    "square": (E.square, np.square, _floats),
    "abs": (E.abs, np.abs, _away_from_zero),
    "sin": (E.sin, np.sin, _floats),
    "cos": (E.cos, np.cos, _floats),
    "tanh": (E.tanh, np.tanh, _floats),
    "sigmoid": (E.sigmoid, expit, _floats),
    "softplus": (E.softplus, lambda x: np.log1p(np.exp(x)), _floats),
    "softsign": (E.softsign, lambda x: x / (1 + np.abs(x)), _floats),
    "hard_sigmoid": (E.hard_sigmoid, lambda x: np.clip(0.2 * x + 0.5, 0, 1), lambda *s: _floats(*s, low=-4, high=4)),
    "selu": (E.selu, lambda x: S.SELU_SCALE * np.where(x > 0, x, S.SELU_ALPHA * np.expm1(x)), _away_from_zero),
    "elu": (E.elu, lambda x: np.where(x > 0, x, np.expm1(x)), _away_from_zero),
    "elu_half": (lambda x: E.elu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)), _away_from_zero),
    "relu": (E.relu, _relu_ref, _away_from_zero),
    "relu_params": (
        lambda x: E.relu(x, alpha=0.1, max_value=6.0, threshold=0.5),
        lambda x: _relu_ref(x, 0.1, 6.0, 0.5),
        lambda *s: np.where(r.random(s) < 0.5, -1, 1) * r.uniform(0.7, 8.0, s),
    ),
    "relu_grad": (lambda x: E.Elemwise(S.ReluGrad())(x), lambda x: (x > 0).astype(x.dtype), _away_from_zero),
    "cast_float64": (lambda x: E.cast(x, "float64"), lambda x: x.astype("float64"), lambda *s: _floats(*s).astype("float32")),
    "cast_float32": (lambda x: E.cast(x, "float32"), lambda x: x.astype("float32"), _floats),
}
def _off_integers(*shape):
    """Floats at least 0.1 from an integer (and from .5), where step functions have a zero derivative."""
    return r.integers(-3, 3, shape) + r.choice([0.2, 0.35, 0.65, 0.8], shape)


UNARY.update({
    "sign": (E.sign, np.sign, _away_from_zero),
    "floor": (E.floor, np.floor, _off_integers),
    "ceil": (E.ceil, np.ceil, _off_integers),
    "round": (E.round, np.rint, _off_integers),
})
DISCRETE_UNARY = {
    "logical_not": (E.logical_not, np.logical_not, lambda *s: r.random(s) < 0.5),
    "isnan": (E.isnan, np.isnan, lambda *s: np.where(r.random(s) < 0.3, np.nan, 1.0)),
}
BINARY = {
    "add": (E.add, np.add, _floats, _floats),
    "sub": (E.sub, np.subtract, _floats, _floats),
    "mul": (E.mul, np.multiply, _floats, _floats),
    "true_div": (E.true_div, np.true_divide, _floats, _away_from_zero),
    "pow": (E.pow, np.power, _positive, _floats),
    "maximum": (E.maximum, np.maximum, _floats, _floats),
    "minimum": (E.minimum, np.minimum, _floats, _floats),
    "mod": (E.mod, np.mod, lambda *s: _floats(*s, low=0.1, high=5), lambda *s: _floats(*s, low=1.1, high=1.9)),
}
BINARY["int_div_float"] = (E.int_div, np.floor_divide, _off_integers, lambda *s: np.ones(s))
DISCRETE_BINARY = {
    "int_div": (E.int_div, np.floor_divide, lambda *s: r.integers(-9, 9, s), lambda *s: r.integers(1, 4, s)),
    "eq": (E.eq, np.equal, lambda *s: r.integers(0, 3, s), lambda *s: r.integers(0, 3, s)),
    "neq": (E.neq, np.not_equal, lambda *s: r.integers(0, 3, s), lambda *s: r.integers(0, 3, s)),
    "lt": (E.lt, np.less, _floats, _floats),
    "le": (E.le, np.less_equal, lambda *s: r.integers(0, 3, s), lambda *s: r.integers(0, 3, s)),
    "gt": (E.gt, np.greater, _floats, _floats),
    "ge": (E.ge, np.greater_equal, lambda *s: r.integers(0, 3, s), lambda *s: r.integers(0, 3, s)),
    "logical_and": (E.logical_and, np.logical_and, lambda *s: r.random(s) < 0.5, lambda *s: r.random(s) < 0.5),
    "logical_or": (E.logical_or, np.logical_or, lambda *s: r.random(s) < 0.5, lambda *s: r.random(s) < 0.5),
}

CASES = []
for name, (fn, ref, gen) in {**UNARY, **DISCRETE_UNARY}.items():
    for shape in [(3, 4), (1,), (0, 2), ()]:
        CASES.append(Case(f"{name}_{shape}", fn, [gen(*shape)], ref, grad=name in UNARY and 0 not in shape))
for name, (fn, ref, gen_a, gen_b) in {**BINARY, **DISCRETE_BINARY}.items():
    for sa, sb in SHAPE_SETS:
        CASES.append(Case(f"{name}_{sa}_{sb}", fn, [gen_a(*sa), gen_b(*sb)], ref, grad=name in BINARY and 0 not in sa))
for sa, sb, sc in [((3, 4), (3, 4), (3, 4)), ((2, 3), (3,), ()), ((0,), (), ())]:
    CASES.append(Case(
        f"switch_{sa}", E.switch, [r.random(sa) < 0.5, _floats(*sb), _floats(*sc)], np.where, grad=0 not in sa,
    ))
    CASES.append(Case(
        f"clip_{sa}", E.clip, [_floats(*sa, low=-3, high=3), _floats(*sb, low=-1.5, high=-0.5), _floats(*sc, low=0.5, high=1.5)],
        lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi), grad=0 not in sa,
    ))
CASES.append(Case("add_unknown_batch", E.add, [_floats(5, 3), _floats(5, 3)], np.add, input_shapes=[(None, 3), (None, 3)]))
CASES.append(Case("mul_float32_scalar", lambda x: x * 3, [_floats(4).astype("float32")], lambda x: x * np.float32(3), grad=False))

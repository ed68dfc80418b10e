"""`verify_grad`: check symbolic gradients against finite differences, after Theano's contract.

The output of the function under test is projected to a scalar,
``cost = sum(output * u)`` with ``u`` uniform in ``[0.5, 1.5)`` (no tiny weights that would
hide an error), and ``grad(cost, inputs)`` is compared with central differences of the
same cost **evaluated in float64**: the function is built a second time on float64
inputs, so the reference is as exact as the graph allows even for a float32 graph.

Defaults by dtype — the least precise of the input's and the output's dtype decides:

* float64: step ``eps = 1e-6``, ``abs_tol = rel_tol = 1e-4`` (Theano's tolerance; central
  differences err by O(eps²) ≈ 1e-12, rounding by about 1e-16 / eps ≈ 1e-10);
* float32: ``eps = 1e-3``, tolerance ``1e-2`` (Theano's tolerance; the larger step keeps
  rounding small where the graph stays float32 despite float64 inputs, e.g. through a
  float32 shared variable or a cast);
* float16: ``eps = 1e-1``, tolerance ``5e-2`` (Theano's).

An element fails only where BOTH the absolute error ``|a - n|`` and the relative error
``|a - n| / max(|a| + |n|, 1e-8)`` exceed their tolerances; the worst element (largest
``min(abs_err / abs_tol, rel_err / rel_tol)``) is reported in a `GradientError`.
With ``directional=True`` one random direction ``v`` is checked instead of every
element: ``<grad, v>`` against ``(f(x + eps v) - f(x - eps v)) / 2 eps`` (two
evaluations whatever the input size, for whole models; JAX's ``check_grads``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Union

import numpy as np

from symkeras.graph.basic import Variable, io_toposort
from symkeras.graph.type import TensorType, format_shape

#: finite-difference step by dtype
STEP = {"float16": 1e-1, "float32": 1e-3, "float64": 1e-6}
#: absolute and relative tolerance by dtype
TOLERANCE = {"float16": 5e-2, "float32": 1e-2, "float64": 1e-4}

RngLike = Union[None, int, np.random.Generator]


class GradientError(AssertionError):
    """A symbolic gradient disagrees with finite differences; the attributes locate the worst element."""

    def __init__(self, message: str, input_index: Optional[int], index: tuple, analytic: float, numeric: float,
                 abs_err: float, rel_err: float, ops: List[str]):
        super().__init__(message)
        self.input_index = input_index
        self.index = index
        self.analytic = analytic
        self.numeric = numeric
        self.abs_err = abs_err
        self.rel_err = rel_err
        self.ops = ops


def numeric_grad(f: Callable[..., float], arrays: Sequence[np.ndarray], eps: Union[float, Sequence[float]],
                 wrt: Optional[Sequence[int]] = None) -> List[np.ndarray]:
    """Central differences ``(f(x + eps) - f(x - eps)) / 2 eps`` of the scalar ``f(*arrays)``, element by element.

    Differentiates with respect to ``arrays[i]`` for each ``i`` in `wrt` (default: all);
    `eps` is one step or one per entry of `wrt`.  Two evaluations per element, in the
    arrays' own dtype (pass float64 arrays for an accurate reference).
    """
    work = [np.array(a, copy=True, order="C") for a in arrays]  # C order: reshape(-1) below must be a view
    wrt = range(len(work)) if wrt is None else wrt
    steps = [eps] * len(wrt) if np.isscalar(eps) else list(eps)
    grads = []
    for i, step in zip(wrt, steps):
        flat = work[i].reshape(-1)
        g = np.zeros(flat.shape, dtype=np.float64)
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + step
            plus = float(f(*work))
            flat[j] = orig - step
            minus = float(f(*work))
            flat[j] = orig
            g[j] = (plus - minus) / (2 * step)
        grads.append(g.reshape(work[i].shape))
    return grads


def _least_precise(*dtypes: str) -> str:
    return max(dtypes, key=lambda d: TOLERANCE.get(d, 0.0))


@dataclass
class _Error:
    """The worst mismatch of one comparison."""

    score: float
    index: tuple
    analytic: float
    numeric: float
    abs_err: float
    rel_err: float


def _worst(analytic: np.ndarray, numeric: np.ndarray, abs_tol: float, rel_tol: float) -> Optional[_Error]:
    """The worst element where both errors exceed their tolerances (NaN counts as a failure), or None."""
    abs_err = np.abs(analytic - numeric)
    rel_err = abs_err / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    score = np.minimum(abs_err / abs_tol, rel_err / rel_tol)
    score = np.where(np.isnan(score), np.inf, score)
    if score.size == 0 or score.max() <= 1.0:
        return None
    at = np.unravel_index(int(np.argmax(score)), score.shape)
    return _Error(float(score[at]), tuple(int(k) for k in at), float(analytic[at]), float(numeric[at]),
                  float(abs_err[at]), float(rel_err[at]))


class _GradCheck:
    """The compiled pieces of one check: output, symbolic gradient, float64 cost."""

    def __init__(self, fn: Callable[..., Variable], arrays: List[np.ndarray], mode: str):
        from symkeras.graph.function import function
        from symkeras.graph.grad import grad

        self.wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
        if not self.wrt:
            raise TypeError("verify_grad: no float input to differentiate with respect to")
        self.inputs = [Variable(TensorType(a.dtype, a.shape), name=f"in{i}") for i, a in enumerate(arrays)]
        self.out = self._build(fn, self.inputs)
        inputs64 = [Variable(TensorType("float64" if i in self.wrt else a.dtype, a.shape), name=f"in{i}")
                    for i, a in enumerate(arrays)]
        out64 = self._build(fn, inputs64)
        self.ops = list(dict.fromkeys(str(node.op) for node in io_toposort(self.inputs, [self.out])))
        self.u = Variable(self.out.type, name="projection")
        u64 = Variable(out64.type, name="projection")
        self.out_dtype64 = out64.dtype
        self.value = function(self.inputs, self.out, mode=mode)
        wrt_vars = [self.inputs[i] for i in self.wrt]
        self.gradient = function(self.inputs + [self.u], grad(_project(self.out, self.u), wrt_vars,
                                                              disconnected_inputs="ignore"), mode=mode)
        self.cost64 = function(inputs64 + [u64], _project(out64, u64), mode=mode)

    @staticmethod
    def _build(fn: Callable[..., Variable], inputs: List[Variable]) -> Variable:
        out = fn(*inputs)
        if not isinstance(out, Variable):
            raise TypeError(f"verify_grad: fn must return one symbolic variable, got {type(out).__name__}")
        if not out.type.is_float:
            raise TypeError(f"verify_grad: fn must return a float output, got dtype {out.dtype}")
        return out


def _project(out: Variable, u: Variable) -> Variable:
    from symkeras.ops.reduction import sum as reduce_sum

    return reduce_sum(out * u)


def verify_grad(
    fn: Callable[..., Variable],
    inputs: Sequence[np.ndarray],
    n_tests: int = 2,
    rng: RngLike = None,
    eps: Optional[float] = None,
    abs_tol: Optional[float] = None,
    rel_tol: Optional[float] = None,
    mode: str = "py",
    directional: bool = False,
) -> None:
    """Raise `GradientError` unless the gradient of ``fn(*inputs)`` matches finite differences.

    `fn` maps symbolic variables (typed like `inputs`: same dtype and static shape) to one
    float output.  Every float input is checked; other inputs (indices, masks) are passed
    through.  `rng` is a Generator or a seed (``None``: seed 0, so a failure reproduces).
    `eps`, `abs_tol` and `rel_tol` override the per-dtype defaults of the module docstring;
    prefer raising `eps` to loosening the tolerances.  `mode` is the linker.
    """
    arrays = [np.asarray(a) for a in inputs]
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(0 if rng is None else rng)
    check = _GradCheck(fn, arrays, mode)
    arrays64 = [a.astype(np.float64) if i in check.wrt else a for i, a in enumerate(arrays)]
    out_shape = np.shape(check.value(*arrays))
    for test in range(n_tests):
        u = rng.uniform(0.5, 1.5, out_shape).astype(check.out.dtype)
        analytic = [np.asarray(g, dtype=np.float64) for g in check.gradient(*arrays, u)]

        def cost(*values: np.ndarray) -> float:
            return float(check.cost64(*values, u.astype(check.out_dtype64)))

        if directional:
            _check_direction(check, arrays64, analytic, cost, rng, test, eps, abs_tol, rel_tol)
        else:
            _check_elements(check, arrays64, analytic, cost, test, eps, abs_tol, rel_tol)


def _defaults(dtype: str, eps, abs_tol, rel_tol):
    return (STEP[dtype] if eps is None else eps, TOLERANCE[dtype] if abs_tol is None else abs_tol,
            TOLERANCE[dtype] if rel_tol is None else rel_tol)


def _check_elements(check: _GradCheck, arrays64, analytic, cost, test: int, eps, abs_tol, rel_tol) -> None:
    """Compare every element of every float input's gradient; raise on the worst failure."""
    dtypes = [_least_precise(check.inputs[i].dtype, check.out.dtype) for i in check.wrt]
    settings = [_defaults(d, eps, abs_tol, rel_tol) for d in dtypes]
    numeric = numeric_grad(cost, arrays64, [s[0] for s in settings], check.wrt)
    failures = []
    for i, a, n, (step, atol, rtol) in zip(check.wrt, analytic, numeric, settings):
        worst = _worst(a, n, atol, rtol)
        if worst is not None:
            failures.append((worst.score, i, worst, step, atol, rtol))
    if failures:
        _, i, worst, step, atol, rtol = max(failures, key=lambda f: f[0])
        var = check.inputs[i]
        where = f"input {i} ({var.dtype} {format_shape(var.type.shape)}) at index {worst.index}"
        _raise(check, test, where, i, worst, step, atol, rtol)


def _check_direction(check: _GradCheck, arrays64, analytic, cost, rng, test: int, eps, abs_tol, rel_tol) -> None:
    """Compare ``<grad, v>`` with a central difference along one random direction ``v``."""
    dtype = _least_precise(check.out.dtype, *(check.inputs[i].dtype for i in check.wrt))
    step, atol, rtol = _defaults(dtype, eps, abs_tol, rel_tol)
    direction = {i: rng.standard_normal(arrays64[i].shape) for i in check.wrt}

    def moved(sign: float) -> List[np.ndarray]:
        return [a + sign * step * direction[i] if i in direction else a for i, a in enumerate(arrays64)]

    a = sum(float(np.sum(g * direction[i])) for i, g in zip(check.wrt, analytic))
    n = (cost(*moved(1.0)) - cost(*moved(-1.0))) / (2 * step)
    worst = _worst(np.array(a), np.array(n), atol, rtol)
    if worst is not None:
        _raise(check, test, "a random direction over all float inputs", None, worst, step, atol, rtol)


def _raise(check: _GradCheck, test: int, where: str, input_index, worst: _Error, step, atol, rtol) -> None:
    message = (
        f"verify_grad: the gradient of {where} disagrees with finite differences (test {test}):\n"
        f"  analytic (grad) = {worst.analytic!r}, numeric (central differences, eps={step:g}) = {worst.numeric!r}\n"
        f"  abs error {worst.abs_err:.3g} > abs_tol {atol:g} and rel error {worst.rel_err:.3g} > rel_tol {rtol:g}\n"
        f"  ops in the graph: {', '.join(check.ops) or '(none)'}"
    )
    raise GradientError(message, input_index, worst.index, worst.analytic, worst.numeric, worst.abs_err,
                        worst.rel_err, check.ops)

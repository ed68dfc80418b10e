"""`Elemwise`: a `ScalarOp` mapped over broadcast tensors, and the public elementwise functions."""
from __future__ import annotations

from typing import List, Optional

import numpy as np

from symkeras.graph.basic import Apply, Op, Variable, as_tensor
from symkeras.graph.type import TensorType, broadcast_shapes, format_shape
from symkeras.ops import scalar


def _dtype_hint(inputs) -> Optional[str]:
    """The dtype a Python number among `inputs` should take: that of the symbolic operands."""
    dtypes = [x.dtype for x in inputs if isinstance(x, Variable)]
    return np.result_type(*dtypes).name if dtypes else None


def check_runtime_broadcast(op_name: str, node: Apply, arrays) -> None:
    """Reject run-time broadcasting of a dimension whose type did not say it is 1.

    Types decide broadcasting (and so gradients); an unknown dimension that turns out
    to be 1 against a larger one would silently give a wrong gradient.
    """
    out_ndim = node.outputs[0].ndim
    padded = [(1,) * (out_ndim - a.ndim) + a.shape for a in arrays]
    for var, shape in zip(node.inputs, padded):
        lead = out_ndim - var.ndim
        for axis, static in enumerate(var.type.shape):
            if static is None and shape[lead + axis] == 1 and any(p[lead + axis] != 1 for p in padded):
                raise ValueError(
                    f"{op_name}: input shapes {[a.shape for a in arrays]} would broadcast dimension {lead + axis} "
                    f"of an input typed {format_shape(var.type.shape)}, whose size was not known to be 1; "
                    f"give that input a static 1 there (expand_dims / reshape)"
                )


class Elemwise(Op):
    """Apply `scalar_op` elementwise with numpy broadcasting decided by the input types.

    `inplace` (set only by the in-place rewrite) is the index of an input whose buffer the
    output overwrites.
    """

    __props__ = ("scalar_op", "inplace")

    def __init__(self, scalar_op: scalar.ScalarOp, inplace: Optional[int] = None):
        self.scalar_op = scalar_op
        self.inplace = inplace
        self.destroy_map = {} if inplace is None else {0: [inplace]}

    @property
    def differentiable(self) -> bool:
        return self.scalar_op.differentiable

    def __str__(self) -> str:
        suffix = "" if self.inplace is None else f", inplace={self.inplace}"
        return f"Elemwise{{{self.scalar_op}{suffix}}}"

    __repr__ = __str__

    def make_node(self, *inputs) -> Apply:
        if len(inputs) != self.scalar_op.nin:
            raise TypeError(f"{self}: expected {self.scalar_op.nin} inputs, got {len(inputs)}")
        hint = _dtype_hint(inputs)
        inputs = [as_tensor(x, hint) for x in inputs]
        shape = broadcast_shapes(str(self.scalar_op), *[x.type.shape for x in inputs])
        dtype = self.scalar_op.output_dtype(*[x.dtype for x in inputs])
        return Apply(self, inputs, [TensorType(dtype, shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        check_runtime_broadcast(str(self.scalar_op), node, inputs)
        with np.errstate(all="ignore"):
            out = np.asarray(self.scalar_op.impl(*inputs), dtype=node.outputs[0].dtype)
        if self.inplace is not None:
            np.copyto(inputs[self.inplace], out)
            return [inputs[self.inplace]]
        return [out]

    def grad(self, inputs, output_grads):
        return self.L_op(inputs, [Elemwise(self.scalar_op)(*inputs)], output_grads)

    def L_op(self, inputs, outputs, output_grads):
        grads = self.scalar_op.grad(inputs, outputs, output_grads)
        return [None if g is None or x.type.is_discrete else sum_to(g, x) for g, x in zip(grads, inputs)]


def sum_to(g: Variable, x: Variable) -> Variable:
    """Reduce the broadcast gradient `g` to the type of `x`: sum the axes `x` was broadcast along."""
    from symkeras.ops import reduction, shape as shape_ops

    g = as_tensor(g, x.dtype)
    lead = g.ndim - x.ndim
    axes = list(range(lead)) + [
        lead + i for i, d in enumerate(x.type.shape) if d == 1 and g.type.shape[lead + i] != 1
    ]
    if axes:
        g = reduction.sum(g, axis=axes, keepdims=True)
        if lead:
            g = shape_ops.dimshuffle(g, tuple(range(lead, g.ndim)))
    return cast(g, x.dtype)


def _elemwise(scalar_op: scalar.ScalarOp):
    op = Elemwise(scalar_op)

    def apply(*inputs) -> Variable:
        return op(*inputs)

    apply.__name__ = scalar_op.name
    apply.__doc__ = f"Elementwise {scalar_op.name} with numpy broadcasting."
    return apply


add = _elemwise(scalar.add)
sub = _elemwise(scalar.sub)
mul = _elemwise(scalar.mul)
true_div = _elemwise(scalar.true_div)
int_div = _elemwise(scalar.int_div)
mod = _elemwise(scalar.mod)
neg = _elemwise(scalar.neg)
pow = _elemwise(scalar.pow)
maximum = _elemwise(scalar.maximum)
minimum = _elemwise(scalar.minimum)
exp = _elemwise(scalar.exp)
log = _elemwise(scalar.log)
log1p = _elemwise(scalar.log1p)
expm1 = _elemwise(scalar.expm1)
sqrt = _elemwise(scalar.sqrt)
square = _elemwise(scalar.square)
abs = _elemwise(scalar.abs)
sign = _elemwise(scalar.sign)
floor = _elemwise(scalar.floor)
ceil = _elemwise(scalar.ceil)
round = _elemwise(scalar.round)
sin = _elemwise(scalar.sin)
cos = _elemwise(scalar.cos)
tanh = _elemwise(scalar.tanh)
sigmoid = _elemwise(scalar.sigmoid)
softplus = _elemwise(scalar.softplus)
softsign = _elemwise(scalar.softsign)
hard_sigmoid = _elemwise(scalar.hard_sigmoid)
selu = _elemwise(scalar.selu)
eq = _elemwise(scalar.eq)
neq = _elemwise(scalar.neq)
lt = _elemwise(scalar.lt)
le = _elemwise(scalar.le)
gt = _elemwise(scalar.gt)
ge = _elemwise(scalar.ge)
logical_and = _elemwise(scalar.logical_and)
logical_or = _elemwise(scalar.logical_or)
logical_not = _elemwise(scalar.logical_not)
isnan = _elemwise(scalar.isnan)
switch = _elemwise(scalar.switch)


def where(condition, x, y) -> Variable:
    """``x`` where `condition` holds, ``y`` elsewhere (Theano's ``switch``)."""
    return switch(condition, x, y)


def clip(x, min_value, max_value) -> Variable:
    """`x` limited to ``[min_value, max_value]`` elementwise."""
    x = as_tensor(x)
    return Elemwise(scalar.clip)(x, min_value, max_value)


def relu(x, alpha: float = 0.0, max_value: Optional[float] = None, threshold: float = 0.0) -> Variable:
    """Keras 2's rectifier: ``x`` above `threshold`, ``alpha·(x − threshold)`` below, capped at `max_value`."""
    return Elemwise(scalar.Relu(alpha, max_value, threshold))(x)


def elu(x, alpha: float = 1.0) -> Variable:
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha·(exp(x) − 1)`` otherwise."""
    return Elemwise(scalar.Elu(alpha))(x)


def cast(x, dtype) -> Variable:
    """`x` converted to `dtype` (a no-op when it already has it)."""
    from symkeras.graph.type import as_dtype

    x = as_tensor(x)
    dtype = as_dtype(dtype)
    if x.dtype == dtype:
        return x
    return Elemwise(scalar.Cast(dtype))(x)


def zeros_like(x, dtype=None) -> Variable:
    """A tensor of zeros with the shape (and by default the dtype) of `x`."""
    return _filled_like(x, 0, dtype)


def ones_like(x, dtype=None) -> Variable:
    """A tensor of ones with the shape (and by default the dtype) of `x`."""
    return _filled_like(x, 1, dtype)


def _filled_like(x, value, dtype) -> Variable:
    from symkeras.ops import shape as shape_ops

    x = as_tensor(x)
    dims = [d if d is not None else x.shape[i] for i, d in enumerate(x.type.shape)]
    return shape_ops.alloc(np.asarray(value, dtype or x.dtype), *dims)

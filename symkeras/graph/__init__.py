"""The symbolic graph: typed variables, ops, `grad`, the optimizer, and compiled functions.

Usable without the Keras layer, like Theano::

    from symkeras import graph as G
    x = G.matrix("x"); w = G.shared(np.ones((3, 2), "float32"), name="w")
    cost = G.ops.sum(G.ops.tanh(x @ w) ** 2)
    g = G.grad(cost, w)
    f = G.function([x], [cost, g], updates=[(w, w - 0.1 * g)])
    G.debugprint(f)
"""
from symkeras.graph import config
from symkeras.graph.basic import Apply, Constant, Op, Shared, Variable, as_tensor
from symkeras.graph.constructors import constant, matrix, scalar, shared, tensor, tensor3, tensor4, vector
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.function import Function, MissingInputError, function
from symkeras.graph.grad import DisconnectedInputError, grad, hessian, jacobian
from symkeras.graph.printing import debugprint, pprint, pydotprint, to_dot
from symkeras.graph.type import TensorType
from symkeras.graph.verify_grad import GradientError, verify_grad
from symkeras import ops
from symkeras.ops.scan import scan

__all__ = [
    "Apply", "Constant", "DisconnectedInputError", "Function", "FunctionGraph", "GradientError", "MissingInputError",
    "Op", "Shared", "TensorType", "Variable", "as_tensor", "config", "constant", "debugprint", "function", "grad",
    "hessian", "jacobian", "matrix", "ops", "pprint", "pydotprint", "scalar", "scan", "shared", "tensor", "tensor3",
    "tensor4", "to_dot", "verify_grad", "vector",
]

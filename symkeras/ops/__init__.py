"""Every op family, and their public functions in one namespace: ``from symkeras import ops; ops.tanh(x)``.

``x.shape`` gives a run-time shape; the function `shape` is not exported here because it
would hide the submodule `symkeras.ops.shape`.
"""
from symkeras.ops.blas import batched_dot, dot, matmul, outer, tensordot
from symkeras.ops.elemwise import (
    abs, add, cast, ceil, clip, cos, elu, eq, exp, expm1, floor, ge, gt, hard_sigmoid, int_div, isnan, le, log,
    log1p, logical_and, logical_not, logical_or, lt, maximum, minimum, mod, mul, neg, neq, ones_like, pow, relu,
    round, selu, sigmoid, sign, sin, softplus, softsign, sqrt, square, sub, switch, tanh, true_div, where,
    zeros_like,
)
from symkeras.ops.gradient import stop_gradient
from symkeras.ops.nnet import (
    binary_crossentropy, categorical_crossentropy, log_softmax, sigmoid_crossentropy_with_logits, softmax,
    sparse_categorical_crossentropy,
)
from symkeras.ops.random import RandomStream
from symkeras.ops.reduction import (
    all, any, argmax, argmin, cumprod, cumsum, logsumexp, max, mean, min, prod, std, sum, var,
)
from symkeras.ops.shape import (
    alloc, concatenate, dimshuffle, expand_dims, flatten, one_hot, pad, repeat, reshape, squeeze, stack,
    tile, transpose,
)
from symkeras.ops.scan import scan
from symkeras.ops.subtensor import getitem, inc_subtensor, set_subtensor

"""Shape ops on the device: views where the layout allows (no kernel, no copy), else a copy kernel."""
from __future__ import annotations

from typing import List

import numpy as np

from symkeras.graph.basic import Apply
from symkeras.graph.linker.cuda import device as D
from symkeras.graph.linker.cuda.elemwise import contiguous, copy_into
from symkeras.graph.linker.cuda.registry import register_kernel
from symkeras.ops.shape import Alloc, DimShuffle, Reshape, Shape, check_static_broadcast
from symkeras.ops.subtensor import Subtensor, _numpy_index


@register_kernel(Shape)
def shape_runner(node: Apply):
    """A shape is metadata: read it from the device array, no transfer."""
    return lambda args, pool: node.op.perform(node, args)


@register_kernel(DimShuffle)
def dimshuffle_runner(node: Apply):
    pattern = node.op.pattern

    def run(args: List, pool) -> List:
        x = pool.device(args[0])
        shape = [1 if p == "x" else x.shape[p] for p in pattern]
        strides = [0 if p == "x" else x.strides[p] for p in pattern]
        return [pool.view(x, shape, strides)]

    return run


def reshaped(op, size: int, old: tuple, target) -> tuple:
    """The target shape with its -1 resolved, or a ValueError naming `op` and both shapes."""
    target = [int(d) for d in target]
    known = int(np.prod([d for d in target if d != -1]))
    if -1 in target and known:
        target[target.index(-1)] = size // known
    if int(np.prod(target)) != size or target.count(-1) > 1:
        raise ValueError(f"{op}: cannot reshape an array of shape {old} into shape {tuple(target)}")
    return tuple(target)


@register_kernel(Reshape)
def reshape_runner(node: Apply):
    def run(args: List, pool) -> List:
        x = contiguous(args[0], pool)
        shape = reshaped(node.op, int(np.prod(x.shape)), tuple(x.shape), D.to_host(args[1]))
        return [pool.c_view(x, shape)]

    return run


@register_kernel(Subtensor)
def subtensor_runner(node: Apply):
    """Ints and slices select a strided view (a 0-d result is read to the host)."""
    idx_list = node.op.idx_list

    def run(args: List, pool) -> List:
        x = pool.device(args[0])
        index = _numpy_index(idx_list, [D.to_host(a) for a in args[1:]])
        if len(index) == len(x.shape) and all(isinstance(i, int) for i in index):
            return [np.asarray(D.to_host(x[index]), dtype=node.outputs[0].dtype).reshape(())]
        return [x[index]]

    return run


@register_kernel(Alloc)
def alloc_runner(node: Apply):
    """A fresh array: the value seen through a broadcasting view (stride 0), copied by the copy kernel."""

    def run(args: List, pool) -> List:
        value = pool.device(args[0])
        shape = tuple(int(D.to_host(d)) for d in args[1:])
        check_static_broadcast("Alloc", node.inputs[0].type.shape, tuple(value.shape), shape)
        lead = len(shape) - len(value.shape)
        strides = [0] * lead + [0 if d == 1 else st for d, st in zip(value.shape, value.strides)]
        out = pool.empty(shape, value.dtype)
        copy_into(out, pool.view(value, shape, strides))
        return [out]

    return run

"""Small pattern helpers the rewrites share: constant values and matching ops by their scalar op."""
from __future__ import annotations

from typing import Optional

import numpy as np

from symkeras.graph.basic import Apply, Constant, Variable
from symkeras.ops import scalar as S
from symkeras.ops.elemwise import Elemwise


def constant_value(var: Variable) -> Optional[float]:
    """The single value of a constant whose elements are all equal, else None."""
    if isinstance(var, Constant) and var.data.size > 0:
        flat = var.data.reshape(-1)
        if np.all(flat == flat[0]):
            return flat[0].item()
    return None


def is_constant(var: Variable, value: float) -> bool:
    v = constant_value(var)
    return v is not None and v == value


def elemwise_of(var: Variable, *scalar_ops: S.ScalarOp) -> Optional[Apply]:
    """The node computing `var` if it is an Elemwise of one of `scalar_ops` (compared by name), else None."""
    node = var.owner
    if node is not None and isinstance(node.op, Elemwise) and node.op.scalar_op.name in {s.name for s in scalar_ops}:
        return node
    return None


def op_of(var: Variable, cls: type) -> Optional[Apply]:
    """The node computing `var` if its op is an instance of `cls`, else None."""
    node = var.owner
    return node if node is not None and isinstance(node.op, cls) else None


def same_type(a: Variable, b: Variable) -> bool:
    """True when `b` can stand for `a`: same dtype and the same static shape."""
    return a.type == b.type


def compatible_type(new: Variable, old: Variable) -> bool:
    """True when `new` may replace `old`: same dtype and rank, no contradicting static size."""
    return new.dtype == old.dtype and new.ndim == old.ndim and all(
        a is None or b is None or a == b for a, b in zip(new.type.shape, old.type.shape)
    )

"""Constructors of symbolic inputs and state: `tensor`, `scalar` … `tensor4`, `shared`, `constant`."""
from __future__ import annotations

from typing import Optional, Sequence

from symkeras.graph import config
from symkeras.graph.basic import Constant, Shared, Variable
from symkeras.graph.type import TensorType


def tensor(dtype=None, shape: Sequence[Optional[int]] = (), name: Optional[str] = None) -> Variable:
    """A symbolic input of `dtype` (default floatX) and static `shape` (``None`` for unknown sizes)."""
    return Variable(TensorType(dtype or config.floatX, shape), name=name)


def scalar(name: Optional[str] = None, dtype=None) -> Variable:
    """A 0-d symbolic input."""
    return tensor(dtype, (), name)


def vector(name: Optional[str] = None, dtype=None, shape=(None,)) -> Variable:
    """A 1-d symbolic input of unknown length."""
    return tensor(dtype, shape, name)


def matrix(name: Optional[str] = None, dtype=None, shape=(None, None)) -> Variable:
    """A 2-d symbolic input of unknown shape."""
    return tensor(dtype, shape, name)


def tensor3(name: Optional[str] = None, dtype=None, shape=(None,) * 3) -> Variable:
    """A 3-d symbolic input of unknown shape."""
    return tensor(dtype, shape, name)


def tensor4(name: Optional[str] = None, dtype=None, shape=(None,) * 4) -> Variable:
    """A 4-d symbolic input of unknown shape."""
    return tensor(dtype, shape, name)


def shared(value, name: Optional[str] = None, borrow: bool = False, shape=None, dtype=None) -> Shared:
    """Persistent state initialised to `value` (copied unless ``borrow=True``); its static shape is the value's."""
    return Shared(value, name=name, borrow=borrow, shape=shape, dtype=dtype)


def constant(value, dtype=None, name: Optional[str] = None) -> Constant:
    """A symbolic constant holding (a read-only copy of) `value`."""
    return Constant(value, TensorType(dtype, getattr(value, "shape", ())) if dtype else None, name)

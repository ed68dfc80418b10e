"""The graph vocabulary: `Variable`, `Constant`, `Shared`, `Apply` and `Op`.

A `Variable` is a typed symbolic value; its `owner` is the `Apply` node that computes
it (``None`` for inputs, constants and shared state).  An `Op` is immutable and
compared by its ``__props__``, so equal subgraphs can be recognised and merged.
"""
from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from symkeras.graph import config
from symkeras.graph.type import TensorType, format_shape

_creation_counter = itertools.count()

#: every concrete Op class, by name: the tests iterate over it so that no op goes untested
OP_REGISTRY: Dict[str, type] = {}


class Variable:
    """A symbolic tensor value of a `TensorType`.

    Python operators build graph nodes (``x + y``, ``x @ w``, ``x[1:, None]``, ``x.T``);
    ``==`` keeps Python's identity meaning (variables live in dicts and sets), so use
    ``x.eq(y)`` / ``x.neq(y)`` for elementwise equality.
    """

    def __init__(self, type: TensorType, owner: Optional["Apply"] = None, index: int = 0, name: Optional[str] = None):
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name
        self.id = next(_creation_counter)
        self.tag: Dict[str, Any] = {}

    # -- type facts ------------------------------------------------------------------------
    @property
    def dtype(self) -> str:
        return self.type.dtype

    @property
    def ndim(self) -> int:
        return self.type.ndim

    @property
    def static_shape(self):
        """The static shape from the type (ints and ``None``)."""
        return self.type.shape

    @property
    def shape(self) -> "Variable":
        """The run-time shape as a symbolic int64 vector (index it: ``x.shape[0]``)."""
        from symkeras.ops import shape as shape_ops

        return shape_ops.shape(self)

    def clone(self) -> "Variable":
        """A fresh, ownerless variable of the same type and name."""
        return type(self)(self.type, name=self.name)

    def __repr__(self) -> str:
        return self.name or (f"{self.owner.op}.{self.index}" if self.owner else f"<{self.type}>")

    def __str__(self) -> str:
        return self.name or repr(self)

    def __bool__(self):
        raise TypeError(
            f"the symbolic variable {self} has no truth value; use symkeras.graph.ops.where/switch for conditions"
        )

    def __iter__(self):
        raise TypeError(f"the symbolic variable {self} cannot be iterated; index it with x[i]")

    __hash__ = object.__hash__

    # -- arithmetic ------------------------------------------------------------------------
    def _math(self):
        from symkeras.ops import elemwise

        return elemwise

    def __add__(self, other):
        return self._math().add(self, other)

    def __radd__(self, other):
        return self._math().add(other, self)

    def __sub__(self, other):
        return self._math().sub(self, other)

    def __rsub__(self, other):
        return self._math().sub(other, self)

    def __mul__(self, other):
        return self._math().mul(self, other)

    def __rmul__(self, other):
        return self._math().mul(other, self)

    def __truediv__(self, other):
        return self._math().true_div(self, other)

    def __rtruediv__(self, other):
        return self._math().true_div(other, self)

    def __floordiv__(self, other):
        return self._math().int_div(self, other)

    def __rfloordiv__(self, other):
        return self._math().int_div(other, self)

    def __mod__(self, other):
        return self._math().mod(self, other)

    def __rmod__(self, other):
        return self._math().mod(other, self)

    def __pow__(self, other):
        return self._math().pow(self, other)

    def __rpow__(self, other):
        return self._math().pow(other, self)

    def __neg__(self):
        return self._math().neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self._math().abs(self)

    def __lt__(self, other):
        return self._math().lt(self, other)

    def __le__(self, other):
        return self._math().le(self, other)

    def __gt__(self, other):
        return self._math().gt(self, other)

    def __ge__(self, other):
        return self._math().ge(self, other)

    def eq(self, other) -> "Variable":
        return self._math().eq(self, other)

    def neq(self, other) -> "Variable":
        return self._math().neq(self, other)

    def __invert__(self):
        return self._math().logical_not(self)

    def __and__(self, other):
        return self._math().logical_and(self, other)

    def __or__(self, other):
        return self._math().logical_or(self, other)

    def astype(self, dtype) -> "Variable":
        return self._math().cast(self, dtype)

    # -- linear algebra, shape and reductions ------------------------------------------------
    def __matmul__(self, other):
        from symkeras.ops import blas

        return blas.matmul(self, other)

    def __rmatmul__(self, other):
        from symkeras.ops import blas

        return blas.matmul(other, self)

    def __getitem__(self, index):
        from symkeras.ops import subtensor

        return subtensor.getitem(self, index)

    @property
    def T(self) -> "Variable":
        from symkeras.ops import shape as shape_ops

        return shape_ops.transpose(self)

    def transpose(self, *axes) -> "Variable":
        from symkeras.ops import shape as shape_ops

        return shape_ops.transpose(self, axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes or None)

    def reshape(self, *shape) -> "Variable":
        from symkeras.ops import shape as shape_ops

        return shape_ops.reshape(self, shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape)

    def dimshuffle(self, *pattern) -> "Variable":
        from symkeras.ops import shape as shape_ops

        if len(pattern) == 1 and isinstance(pattern[0], (tuple, list)):
            pattern = tuple(pattern[0])
        return shape_ops.dimshuffle(self, pattern)

    def flatten(self, ndim: int = 1) -> "Variable":
        from symkeras.ops import shape as shape_ops

        return shape_ops.flatten(self, ndim)

    def _reduce(self, name, axis, keepdims):
        from symkeras.ops import reduction

        return getattr(reduction, name)(self, axis=axis, keepdims=keepdims)

    def sum(self, axis=None, keepdims: bool = False) -> "Variable":
        return self._reduce("sum", axis, keepdims)

    def mean(self, axis=None, keepdims: bool = False) -> "Variable":
        return self._reduce("mean", axis, keepdims)

    def prod(self, axis=None, keepdims: bool = False) -> "Variable":
        return self._reduce("prod", axis, keepdims)

    def max(self, axis=None, keepdims: bool = False) -> "Variable":
        return self._reduce("max", axis, keepdims)

    def min(self, axis=None, keepdims: bool = False) -> "Variable":
        return self._reduce("min", axis, keepdims)

    def argmax(self, axis=None, keepdims: bool = False) -> "Variable":
        return self._reduce("argmax", axis, keepdims)

    def argmin(self, axis=None, keepdims: bool = False) -> "Variable":
        return self._reduce("argmin", axis, keepdims)


class Constant(Variable):
    """A variable with a fixed value; the value is copied and made read-only."""

    def __init__(self, data, type: Optional[TensorType] = None, name: Optional[str] = None):
        data = np.array(data, dtype=type.dtype if type is not None else None)
        data.setflags(write=False)
        super().__init__(type or TensorType(data.dtype, data.shape), None, 0, name)
        self.data = data
        self._signature = None

    def signature(self):
        """A hashable key equal for constants of equal type and value (used to merge them)."""
        if self._signature is None:
            self._signature = (self.type, self.data.tobytes())
        return self._signature

    def clone(self) -> "Constant":
        return Constant(self.data, self.type, self.name)

    def __repr__(self) -> str:
        if self.name:
            return self.name
        if self.data.size <= 4:
            text = np.array2string(self.data, separator=", ")
            return text if self.data.ndim else str(self.data[()])
        return f"Constant{{{format_shape(self.data.shape)}, {self.data.dtype}}}"


class Shared(Variable):
    """Persistent state that compiled functions read and update in place: weights, optimizer slots.

    ``default_update`` (a Variable) is applied by every function that uses this state and
    does not update it explicitly — the way random generator state advances.
    """

    def __init__(self, value, name: Optional[str] = None, borrow: bool = False, shape=None, dtype=None):
        value = np.array(value, dtype=dtype, copy=not borrow) if not (borrow and isinstance(value, np.ndarray)) else value
        if dtype is not None and value.dtype != np.dtype(dtype):
            value = value.astype(dtype)
        super().__init__(TensorType(value.dtype, value.shape if shape is None else shape), None, 0, name)
        #: the value: a numpy array, or a device array while a GPU function holds it ("cuda" mode)
        self.container: List[np.ndarray] = [self.type.filter(value, self._what())]
        self.default_update: Optional[Variable] = None

    def _what(self) -> str:
        return f"shared variable {self.name or self.id}"

    def get_value(self, borrow: bool = False) -> np.ndarray:
        """The current value (a copy unless ``borrow=True``; always a host copy of a value on a GPU)."""
        value = self.container[0]
        if not isinstance(value, np.ndarray):  # on the device: the storage stays there, the caller gets a copy
            return _device_to_host(value)
        return value if borrow else value.copy()

    def host_value(self) -> np.ndarray:
        """The storage as a numpy array, for host linkers that read it and update it in place.

        A value a "cuda" function left on the device is copied back (waiting for the GPU) and
        becomes the storage: the next "cuda" call uploads it again.
        """
        if not isinstance(self.container[0], np.ndarray):
            self.container[0] = _device_to_host(self.container[0])
        return self.container[0]

    def set_value(self, value, borrow: bool = False) -> None:
        """Replace the value; it must fit the static type (dtype cast safely, shape matching)."""
        value = self.type.filter(value, self._what())
        if value.dtype.name != self.type.dtype:
            value = value.astype(self.type.dtype)
        self.container[0] = value if borrow and isinstance(value, np.ndarray) else np.array(value, copy=True)

    def clone(self) -> "Shared":
        raise TypeError("shared variables are state, not values: they are never cloned")

    def __repr__(self) -> str:
        return self.name or f"shared_{self.id}"


def _device_to_host(value) -> np.ndarray:
    """A host copy of a device array (the CUDA linker is imported only where a value is on a GPU)."""
    from symkeras.graph.linker.cuda.device import to_host

    return to_host(value)


class Apply:
    """One application of an `Op` to input variables, producing output variables."""

    __slots__ = ("op", "inputs", "outputs", "id", "tag")

    def __init__(self, op: "Op", inputs: Sequence[Variable], output_types: Sequence[TensorType]):
        self.op = op
        self.inputs = list(inputs)
        self.outputs = [Variable(t, self, i) for i, t in enumerate(output_types)]
        self.id = next(_creation_counter)
        self.tag: Dict[str, Any] = {}

    @property
    def out(self) -> Variable:
        assert len(self.outputs) == 1
        return self.outputs[0]

    def clone_with_new_inputs(self, inputs: Sequence[Variable]) -> "Apply":
        """Rebuild the node on new inputs through `make_node` (re-checking types)."""
        return self.op.make_node(*inputs)

    def __repr__(self) -> str:
        return f"Apply({self.op}, {self.inputs})"


class Op:
    """An operation: type/shape inference (`make_node`), a numpy reference (`perform`), a `grad`.

    Ops are immutable values compared by the attributes listed in ``__props__``.
    ``view_map`` says which outputs may alias which inputs; ``destroy_map`` which
    inputs an output overwrites (set only by the in-place rewrites).
    """

    __props__: tuple = ()
    view_map: Dict[int, List[int]] = {}
    destroy_map: Dict[int, List[int]] = {}
    #: False for ops whose outputs are discrete or that have no gradient by definition
    differentiable = True

    def __init_subclass__(cls, abstract: bool = False, **kwargs):
        super().__init_subclass__(**kwargs)
        if not abstract:
            OP_REGISTRY[cls.__name__] = cls

    # -- identity --------------------------------------------------------------------------
    def _props(self) -> tuple:
        return tuple(getattr(self, p) for p in self.__props__)

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._props()))

    def __str__(self) -> str:
        props = self._props()
        if not props:
            return type(self).__name__
        return f"{type(self).__name__}{{{', '.join(_prop_str(p) for p in props)}}}"

    __repr__ = __str__

    # -- interface -------------------------------------------------------------------------
    def make_node(self, *inputs) -> Apply:
        raise NotImplementedError

    def __call__(self, *inputs):
        node = self.make_node(*inputs)
        return node.outputs[0] if len(node.outputs) == 1 else node.outputs

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        raise NotImplementedError(f"{self} has no perform")

    def grad(self, inputs: List[Variable], output_grads: List[Optional[Variable]]) -> List[Optional[Variable]]:
        """Gradients of a scalar cost w.r.t. each input, given those w.r.t. each output (``None``: no path)."""
        raise NotImplementedError(f"{self} has no gradient")

    def L_op(self, inputs: List[Variable], outputs: List[Variable], output_grads: List[Optional[Variable]]):
        """`grad` with the node's outputs at hand; override to reuse them instead of recomputing."""
        return self.grad(inputs, output_grads)


def _prop_str(p) -> str:
    if isinstance(p, float):
        return f"{p:g}"
    return str(p)


def as_tensor(x, dtype_like: Optional[str] = None, name: Optional[str] = None) -> Variable:
    """Turn `x` into a `Variable`: variables pass through, everything else becomes a `Constant`.

    A Python number takes the dtype of `dtype_like` when it fits its kind (``x * 2`` stays
    float32), else the default: int64 for ints, ``floatX`` for floats, bool for bools.
    """
    if isinstance(x, Variable):
        return x
    if isinstance(x, (bool, np.bool_)) and not isinstance(x, np.ndarray):
        return Constant(np.bool_(x), name=name)
    if isinstance(x, int) and not isinstance(x, np.integer):
        if dtype_like is not None and np.dtype(dtype_like).kind in "iuf":
            if np.dtype(dtype_like).kind == "f" or np.can_cast(np.min_scalar_type(x), dtype_like):
                return Constant(np.asarray(x, dtype=dtype_like), name=name)
        return Constant(np.int64(x), name=name)
    if isinstance(x, float):
        dtype = dtype_like if dtype_like is not None and np.dtype(dtype_like).kind == "f" else config.floatX
        return Constant(np.asarray(x, dtype=dtype), name=name)
    if isinstance(x, (list, tuple)):
        if any(isinstance(e, Variable) for e in x):
            from symkeras.ops import shape as shape_ops

            return shape_ops.stack([as_tensor(e, dtype_like) for e in x])
        arr = np.asarray(x)
        if arr.dtype == np.float64:
            arr = arr.astype(dtype_like if dtype_like and np.dtype(dtype_like).kind == "f" else config.floatX)
        return Constant(arr, name=name)
    if isinstance(x, (np.ndarray, np.generic)):
        return Constant(x, name=name)
    raise TypeError(f"cannot turn {type(x).__name__} {x!r} into a symbolic tensor")


def ancestors(outputs: Sequence[Variable]) -> List[Variable]:
    """Every variable that `outputs` depend on (themselves included), in no particular order."""
    seen, stack, order = set(), list(outputs), []
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        order.append(v)
        if v.owner is not None:
            stack.extend(v.owner.inputs)
    return order


def io_toposort(inputs: Sequence[Variable], outputs: Sequence[Variable], known=(), orderings=None) -> List[Apply]:
    """Apply nodes between `inputs` and `outputs` in a deterministic topological order.

    Depth first from the outputs, visiting inputs in order: the order depends only on the
    graph's structure, so generated code and cache keys are stable across runs.  Nodes in
    `known` (a set) and everything above them are left out; `orderings` maps a node to
    extra nodes that must run before it (a destructive update after the other readers).
    """
    stop = {id(v) for v in inputs}
    orderings = orderings or {}
    order: List[Apply] = []
    done = set()

    def dependencies(node: Apply) -> List[Apply]:
        deps = [v.owner for v in node.inputs if v.owner is not None and id(v) not in stop]
        return deps + list(orderings.get(node, ()))

    for out in outputs:
        if out.owner is None or id(out) in stop:
            continue
        stack = [(out.owner, False)]
        while stack:
            node, expanded = stack.pop()
            if node in known or (id(node) in done):
                continue
            if expanded:
                done.add(id(node))
                order.append(node)
                continue
            stack.append((node, True))
            for dep in reversed(dependencies(node)):
                if id(dep) not in done and dep not in known:
                    stack.append((dep, False))
    return order


def graph_inputs(outputs: Sequence[Variable]) -> List[Variable]:
    """The ownerless variables (inputs, constants, shared) that `outputs` depend on, by creation."""
    leaves = [v for v in ancestors(outputs) if v.owner is None]
    return sorted(leaves, key=lambda v: v.id)

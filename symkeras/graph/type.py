"""`TensorType`: the static type of a symbolic value — a dtype and a shape with `None` for unknown sizes."""
from __future__ import annotations

from typing import Iterable, Optional, Sequence, Tuple

import numpy as np

from symkeras.graph import config

Shape = Tuple[Optional[int], ...]


def as_dtype(dtype) -> str:
    """Normalise any numpy-understood dtype spec (``'floatX'`` included) to its name."""
    if dtype == "floatX":
        dtype = config.floatX
    return np.dtype(dtype).name


def as_shape(shape: Iterable[Optional[int]]) -> Shape:
    """Normalise a shape: ints stay ints, ``None`` (or -1) means unknown."""
    out = []
    for d in shape:
        if d is None or (isinstance(d, (int, np.integer)) and int(d) == -1):
            out.append(None)
        elif isinstance(d, (int, np.integer)) and int(d) >= 0:
            out.append(int(d))
        else:
            raise ValueError(f"a static dimension must be a non-negative int or None, got {d!r} in {tuple(shape)!r}")
    return tuple(out)


class TensorType:
    """The type of a tensor: ``dtype`` (a numpy dtype name) and ``shape`` (ints or ``None``).

    A dimension broadcasts only where its static size is 1; an unknown dimension
    must match the other operands at run time (PyTensor's rule), which keeps
    broadcasting — and therefore gradients — decidable from types alone.
    """

    __slots__ = ("dtype", "shape")

    def __init__(self, dtype, shape: Sequence[Optional[int]] = ()):
        self.dtype = as_dtype(dtype)
        self.shape = as_shape(shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def broadcastable(self) -> Tuple[bool, ...]:
        return tuple(d == 1 for d in self.shape)

    @property
    def is_float(self) -> bool:
        return np.dtype(self.dtype).kind in "fc"

    @property
    def is_discrete(self) -> bool:
        """Integers and booleans: values that carry no gradient."""
        return np.dtype(self.dtype).kind in "biu"

    def clone(self, dtype=None, shape=None) -> "TensorType":
        return TensorType(self.dtype if dtype is None else dtype, self.shape if shape is None else shape)

    def __eq__(self, other) -> bool:
        return isinstance(other, TensorType) and self.dtype == other.dtype and self.shape == other.shape

    def __hash__(self) -> int:
        return hash((self.dtype, self.shape))

    def __repr__(self) -> str:
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        if self.ndim == 1:
            dims += ","
        return f"TensorType({self.dtype}, ({dims}))"

    def is_super(self, other: "TensorType") -> bool:
        """True if every value of `other` is a value of `self` (same dtype, compatible shape)."""
        return (
            self.dtype == other.dtype
            and self.ndim == other.ndim
            and all(a is None or a == b for a, b in zip(self.shape, other.shape))
        )

    def filter(self, value, name: str = "input", strict: bool = False) -> np.ndarray:
        """Convert `value` to an ndarray of this type, or raise an error that names `name`.

        Values are cast only where the cast is safe (``np.can_cast(..., 'same_kind')`` and
        Python scalars); a wrong rank or a static dimension that differs is an error.
        """
        interface = None if isinstance(value, np.ndarray) else getattr(value, "__cuda_array_interface__", None)
        device = interface is not None
        # a GPU array is checked through a stand-in of its dtype and shape, and never copied
        arr = np.broadcast_to(np.zeros((), interface["typestr"]), interface["shape"]) if device else np.asarray(value)
        if device and arr.dtype.name != self.dtype:
            raise TypeError(f"{name}: expected dtype {self.dtype}, got a device array of dtype {arr.dtype.name}")
        if arr.dtype.name != self.dtype:
            if strict:
                raise TypeError(f"{name}: expected dtype {self.dtype}, got {arr.dtype.name}")
            if not (
                np.can_cast(arr.dtype, self.dtype, "same_kind")
                or (np.isscalar(value) or arr.ndim == 0 and not hasattr(value, "dtype"))
                or (arr.dtype.kind in "biu" and np.dtype(self.dtype).kind in "fc")
            ):
                raise TypeError(
                    f"{name}: expected dtype {self.dtype}, got {arr.dtype.name}, which cannot be cast safely"
                )
            arr = arr.astype(self.dtype)
        if arr.ndim != self.ndim:
            raise ValueError(
                f"{name}: expected an array of rank {self.ndim} with shape {format_shape(self.shape)}, "
                f"got rank {arr.ndim} with shape {arr.shape}"
            )
        for axis, (want, got) in enumerate(zip(self.shape, arr.shape)):
            if want is not None and want != got:
                raise ValueError(
                    f"{name}: expected shape {format_shape(self.shape)}, got {arr.shape} (dimension {axis} differs)"
                )
        return value if device else arr


def format_shape(shape: Shape) -> str:
    """Render a static shape as Keras prints it: ``(None, 784)``."""
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def broadcast_shapes(op_name: str, *shapes: Shape) -> Shape:
    """The static result shape of numpy broadcasting, or a `ValueError` naming the op and the shapes."""
    ndim = max((len(s) for s in shapes), default=0)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    out = []
    for axis in range(ndim):
        dims = [s[axis] for s in padded]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(
                f"{op_name}: shapes {', '.join(format_shape(s) for s in shapes)} cannot be broadcast together "
                f"(dimension {axis} has sizes {sorted(known)})"
            )
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)

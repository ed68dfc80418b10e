"""Pooling (`Pool`, `PoolGrad`) and the spatial functions composed of other ops.

`Pool` takes the maximum or the average of each window of a channels-last input
``(batch, *spatial, channels)`` with 1, 2 or 3 spatial dimensions; padding is
``valid`` or ``same`` with TF's geometry (`symkeras.ops.conv.window_geometry`), and
an average counts only the elements inside the input, as TF and Keras do.
`PoolGrad` is its gradient: a max window sends its gradient to the first position
holding the maximum, an average window spreads it evenly over the elements it counted.

Global pooling is a reduction; nearest upsampling a `repeat`; bilinear upsampling
two products with interpolation matrices; zero padding and cropping are `pad` and
slicing.  Their gradients follow from those ops'.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple, Union

import numpy as np

from symkeras.graph.basic import Apply, Constant, Op, Variable, as_tensor
from symkeras.graph.type import TensorType, format_shape
from symkeras.ops import elemwise as E
from symkeras.ops import reduction as R
from symkeras.ops.blas import tensordot
from symkeras.ops.conv import (
    IntOrTuple, Windows, check_padding, from_channels_last, normalize_tuple, output_spatial, to_channels_last,
)
from symkeras.ops.shape import dimshuffle, pad, repeat

MODES = ("max", "average")


class _PoolBase(Op, abstract=True):
    """Props and checks shared by `Pool` and `PoolGrad`."""

    __props__ = ("ndim", "mode", "pool_size", "strides", "padding")

    def __init__(self, ndim: int, mode: str, pool_size: IntOrTuple, strides: IntOrTuple = None, padding: str = "valid"):
        if ndim not in (1, 2, 3):
            raise ValueError(f"{type(self).__name__}: ndim must be 1, 2 or 3, got {ndim!r}")
        if mode not in MODES:
            raise ValueError(f"{type(self).__name__}: mode must be one of {list(MODES)}, got {mode!r}")
        self.ndim, self.mode = int(ndim), mode
        self.pool_size = normalize_tuple(pool_size, self.ndim, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.ndim, "strides")
        self.padding = check_padding(padding, self.ndim, ("valid", "same"))

    def _check_input(self, x: Variable) -> Tuple:
        """The static output shape for input `x` (rank and window checked)."""
        if x.ndim != self.ndim + 2:
            raise ValueError(f"{self}: the input must have rank {self.ndim + 2} (batch, *spatial, channels), "
                             f"got shape {format_shape(x.type.shape)}")
        if not x.type.is_float:
            raise TypeError(f"{self}: the input must be a float tensor, got {x.dtype}")
        ones = (1,) * self.ndim
        spatial = output_spatial(self, x.type.shape, self.pool_size, self.strides, ones, self.padding)
        return (x.type.shape[0],) + spatial + (x.type.shape[-1],)

    def windows(self, x: np.ndarray) -> Windows:
        return Windows(str(self), x.shape[1:-1], self.pool_size, self.strides, (1,) * self.ndim, self.padding)

    def _counts(self, x: np.ndarray, w: Windows) -> np.ndarray:
        """How many input elements each window covers, shaped to broadcast over the output."""
        inside = w.pad(np.ones((1,) + x.shape[1:-1] + (1,)))
        return sum(inside[w.slab(offset)] for offset in w.offsets())

    def _first_argmax(self, xp: np.ndarray, w: Windows) -> np.ndarray:
        """For each output element, the index (in `w.offsets()` order) of the first offset holding the maximum."""
        best, where = None, None
        for k, offset in enumerate(w.offsets()):
            v = xp[w.slab(offset)]
            if best is None:
                best, where = v.copy(), np.zeros(v.shape, "int64")
            else:
                better = v > best
                best[better], where[better] = v[better], k
        return where


class Pool(_PoolBase):
    """Max or average pooling of a channels-last input over windows of `pool_size`."""

    def make_node(self, x) -> Apply:
        x = as_tensor(x)
        return Apply(self, [x], [TensorType(x.dtype, self._check_input(x))])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        (x,) = inputs
        w = self.windows(x)
        if self.mode == "max":
            xp = w.pad(x, -np.inf)
            out = np.maximum.reduce([xp[w.slab(offset)] for offset in w.offsets()])
        else:
            xp = w.pad(x)
            out = sum(xp[w.slab(offset)] for offset in w.offsets()) / self._counts(x, w)
        return [np.asarray(out, dtype=x.dtype)]

    def grad(self, inputs, output_grads):
        (x,), (gz,) = inputs, output_grads
        return [PoolGrad(*self._props())(x, gz)]


class PoolGrad(_PoolBase):
    """The gradient of `Pool` with respect to its input, given the input and the output gradient.

    Average pooling's gradient is linear in the output gradient (its own gradient is an
    average pooling); max pooling's is not differentiated further.
    """

    @property
    def differentiable(self) -> bool:
        return self.mode == "average"

    def make_node(self, x, gz) -> Apply:
        x, gz = as_tensor(x), as_tensor(gz)
        out = self._check_input(x)
        if gz.ndim != x.ndim or any(a is not None and b is not None and a != b for a, b in zip(out, gz.type.shape)):
            raise ValueError(f"{self}: an output gradient of shape {format_shape(gz.type.shape)} does not fit an input "
                             f"of shape {format_shape(x.type.shape)} (expected {format_shape(out)})")
        return Apply(self, [x, gz], [TensorType(x.dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        x, gz = inputs
        w = self.windows(x)
        expected = (x.shape[0],) + w.out + (x.shape[-1],)
        if gz.shape != expected:
            raise ValueError(f"{self}: an output gradient of shape {gz.shape} does not fit an input of shape "
                             f"{x.shape} (expected {expected})")
        gxp = w.zeros_padded(x.shape[0], x.shape[-1], x.dtype)
        if self.mode == "max":
            where = self._first_argmax(w.pad(x, -np.inf), w)
            for k, offset in enumerate(w.offsets()):
                gxp[w.slab(offset)] += np.where(where == k, gz, 0)
        else:
            share = gz / self._counts(x, w)
            for offset in w.offsets():
                gxp[w.slab(offset)] += share
        return [w.crop(gxp)]

    def grad(self, inputs, output_grads):
        gz, (u,) = inputs[1], output_grads
        if self.mode != "average":
            raise NotImplementedError(f"{self}: the gradient of a max-pooling gradient is not implemented")
        return [None, E.cast(Pool(*self._props())(u), gz.dtype)]


# -- public functions -----------------------------------------------------------------------------
def pool(x, pool_size: IntOrTuple, strides: IntOrTuple = None, padding: str = "valid",
         data_format: str = "channels_last", mode: str = "max") -> Variable:
    """Max (``mode='max'``) or average (``'avg'``/``'average'``) pooling, Keras's ``K.pool2d/pool3d``.

    The number of spatial dims is the input's rank minus 2; `strides` defaults to `pool_size`.
    """
    x = as_tensor(x)
    mode = "average" if mode == "avg" else mode
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"pool: expects an input of rank 3, 4 or 5, got shape {format_shape(x.type.shape)}")
    op = Pool(x.ndim - 2, mode, pool_size, strides, padding)
    return from_channels_last(op(to_channels_last(x, data_format)), data_format)


def _spatial_axes(x: Variable, data_format: str) -> List[int]:
    return list(range(1, x.ndim - 1)) if data_format == "channels_last" else list(range(2, x.ndim))


def global_pool(x, mode: str = "max", data_format: str = "channels_last") -> Variable:
    """The maximum or the mean over every spatial axis: ``(batch, channels)``."""
    x = as_tensor(x)
    reduce = R.max if mode == "max" else R.mean
    return reduce(x, axis=_spatial_axes(x, data_format))


def upsample_nearest(x, size: IntOrTuple, data_format: str = "channels_last") -> Variable:
    """Each spatial element repeated `size` times along its axis (Keras's UpSampling1D/2D/3D)."""
    x = as_tensor(x)
    axes = _spatial_axes(x, data_format)
    for axis, n in zip(axes, normalize_tuple(size, len(axes), "size")):
        x = x if n == 1 else repeat(x, n, axis=axis)
    return x


def bilinear_matrix(size: int, factor: int, dtype: str) -> np.ndarray:
    """The ``(size * factor, size)`` interpolation matrix of TF1's ``resize_bilinear`` (no corner alignment)."""
    out = size * factor
    m = np.zeros((out, size), dtype)
    for i in range(out):
        src = i / factor
        lo = min(int(np.floor(src)), size - 1)
        hi = min(lo + 1, size - 1)
        m[i, lo] += 1.0 - (src - lo)
        m[i, hi] += src - lo
    return m


def upsample_bilinear(x, size: IntOrTuple, data_format: str = "channels_last") -> Variable:
    """2-D bilinear upsampling by integer factors (Keras's ``UpSampling2D(interpolation='bilinear')``).

    The spatial sizes must be static: each axis is a product with a constant interpolation matrix.
    """
    x = to_channels_last(as_tensor(x), data_format)
    if x.ndim != 4 or None in x.type.shape[1:3]:
        raise ValueError(f"upsample_bilinear: needs a 4-D input with static spatial sizes, got shape "
                         f"{format_shape(x.type.shape)}")
    fh, fw = normalize_tuple(size, 2, "size")
    mh = Constant(bilinear_matrix(x.type.shape[1], fh, x.dtype))
    mw = Constant(bilinear_matrix(x.type.shape[2], fw, x.dtype))
    rows = dimshuffle(tensordot(mh, x, axes=([1], [1])), (1, 0, 2, 3))  # (batch, H', W, C)
    both = dimshuffle(tensordot(mw, rows, axes=([1], [2])), (1, 2, 0, 3))  # (batch, H', W', C)
    return from_channels_last(both, data_format)


def padding_pairs(widths, n: int, name: str) -> List[Tuple[int, int]]:
    """Keras's padding/cropping forms (int, one int per axis, or one pair per axis) as `n` pairs."""
    if isinstance(widths, (int, np.integer)):
        return [(int(widths), int(widths))] * n
    widths = list(widths)
    if len(widths) == n and all(isinstance(w, (int, np.integer)) for w in widths):
        return [(int(w), int(w)) for w in widths]
    if len(widths) == 2 and n == 1 and all(isinstance(w, (int, np.integer)) for w in widths):
        return [(int(widths[0]), int(widths[1]))]
    pairs = [tuple(int(v) for v in w) for w in widths]
    if len(pairs) != n or any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise ValueError(f"{name}: expected an int, {n} ints or {n} pairs of ints >= 0, got {widths!r}")
    return pairs


def zero_padding(x, padding: Union[int, Sequence] = 1, data_format: str = "channels_last") -> Variable:
    """Zeros added before and after each spatial axis (Keras's ZeroPadding1D/2D/3D)."""
    x = as_tensor(x)
    axes = _spatial_axes(x, data_format)
    pairs = dict(zip(axes, padding_pairs(padding, len(axes), "zero_padding")))
    return pad(x, [pairs.get(a, (0, 0)) for a in range(x.ndim)])


def cropping(x, cropping: Union[int, Sequence] = 1, data_format: str = "channels_last") -> Variable:
    """Elements removed from the start and the end of each spatial axis (Keras's Cropping1D/2D/3D)."""
    x = as_tensor(x)
    axes = _spatial_axes(x, data_format)
    pairs = dict(zip(axes, padding_pairs(cropping, len(axes), "cropping")))
    for axis, (start, stop) in pairs.items():
        size = x.type.shape[axis]
        if size is not None and start + stop >= size:
            raise ValueError(f"cropping: cannot crop {start} + {stop} elements from axis {axis} of a tensor of "
                             f"shape {format_shape(x.type.shape)}")
    start_stop = {a: slice(b, -e if e else None) for a, (b, e) in pairs.items()}
    return x[tuple(start_stop.get(a, slice(None)) for a in range(x.ndim))]

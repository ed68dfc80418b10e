"""Convolution: `Conv` (N-d cross-correlation, plain or depthwise) and its two gradients as ops.

Three op classes cover the family, each for 1, 2 or 3 spatial dimensions:

* `Conv` — ``y = x ⋆ kernel``: cross-correlation (Keras's convolution, no kernel flip) of a
  channels-last input ``(batch, *spatial, in)`` with a kernel ``(*window, in, out)``;
  with ``depthwise=True`` the kernel is ``(*window, in, multiplier)`` and input channel
  ``c`` feeds output channels ``c * multiplier ... c * multiplier + multiplier - 1`` (TF's order);
* `ConvGradInput` — the gradient with respect to the input (a transposed convolution);
* `ConvGradKernel` — the gradient with respect to the kernel.

The three are bilinear maps related by adjointness, so each one's gradient is another
of the three.  `conv_transpose` is `ConvGradInput` used forward, `separable_conv` a
depthwise `Conv` followed by a 1x1 `Conv`.  Ops work on channels-last data; the public
functions move a channels-first tensor's channel axis with a `DimShuffle` (a view).

Padding follows TF/Keras: ``valid`` (no padding), ``same`` (output length
``ceil(size / stride)``, the odd padding element after) and ``causal`` (1-D: everything
before).  `window_geometry` is that arithmetic, shared with pooling and, as source text
(`indexed_window_geometry`), with the Numba kernels.
"""
from __future__ import annotations

import itertools
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras.graph.basic import Apply, Op, Variable, as_tensor
from symkeras.graph.type import TensorType, format_shape
from symkeras.ops import elemwise as E
from symkeras.ops.shape import _static, _vector_entries, dimshuffle, shape_list, stack

PADDINGS = ("valid", "same", "causal")
DATA_FORMATS = ("channels_last", "channels_first")
IntOrTuple = Union[int, Sequence[int]]


# -- window arithmetic (pooling and the Numba kernels use it too) -------------------------------
def window_geometry(size: int, window: int, stride: int, dilation: int, padding: str) -> tuple:
    """``(output length, padding before)`` of a window sliding over `size` elements, by TF's rules.

    The window covers ``(window - 1) * dilation + 1`` elements; the output length is below 1
    when a ``valid`` window does not fit.
    """
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {list(PADDINGS)}, got {padding!r}")
    return indexed_window_geometry(size, window, stride, dilation, PADDINGS.index(padding))


def indexed_window_geometry(size: int, window: int, stride: int, dilation: int, padding: int) -> tuple:
    """`window_geometry` with `padding` given by its index in `PADDINGS`: integer code only, which the Numba
    kernels compile from this source (comparing strings made each kernel compile 0.1-0.2 s longer)."""
    extent = (window - 1) * dilation + 1
    if padding == 0:  # valid
        return (size - extent) // stride + 1, 0
    length = (size + stride - 1) // stride
    if padding == 2:  # causal
        return length, extent - 1
    total = (length - 1) * stride + extent - size  # same
    return length, (total if total > 0 else 0) // 2


def normalize_tuple(value: IntOrTuple, n: int, name: str) -> Tuple[int, ...]:
    """An int or a sequence of `n` positive ints as a tuple of `n` ints (Keras's ``normalize_tuple``)."""
    values = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != n or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in values):
        raise ValueError(f"the {name} argument must be an int or a tuple of {n} ints >= 1, got {value!r}")
    return tuple(int(v) for v in values)


def check_padding(padding: str, ndim: int, allowed: Sequence[str] = PADDINGS) -> str:
    """`padding` lower-cased, if it is one of `allowed` (``causal`` only in 1-D)."""
    mode = str(padding).lower()
    if mode not in allowed or (mode == "causal" and ndim != 1):
        choices = [p for p in allowed if p != "causal" or ndim == 1]
        raise ValueError(f"padding must be one of {choices} for {ndim}-D windows, got {padding!r}")
    return mode


def output_spatial(op: Op, x_shape: Sequence, window: Sequence, strides: Sequence[int],
                   dilation: Sequence[int], padding: str) -> Tuple:
    """The static output sizes of windows over the spatial dims of `x_shape` (None where unknown).

    A window that does not fit (``valid`` padding, output length below 1) is a ValueError
    naming `op` and the shapes.
    """
    out = []
    for size, k, s, d in zip(x_shape[1:-1], window, strides, dilation):
        if size is None or k is None:
            out.append(None)
            continue
        length, _ = window_geometry(size, k, s, d, padding)
        if length < 1:
            raise ValueError(
                f"{op}: a window of {format_shape(tuple(window))} (dilation {tuple(dilation)}) does not fit an input "
                f"of shape {format_shape(tuple(x_shape))} with {padding!r} padding"
            )
        out.append(length)
    return tuple(out)


# -- the numpy reference: sums over window offsets of strided slabs of the padded input -----------
class Windows:
    """Run-time window geometry over the spatial dims of a channels-last array (numpy reference)."""

    def __init__(self, op_name: str, spatial: Sequence[int], window: Sequence[int], strides: Sequence[int],
                 dilation: Sequence[int], padding: str):
        geometry = [window_geometry(n, k, s, d, padding) for n, k, s, d in zip(spatial, window, strides, dilation)]
        self.out = tuple(g[0] for g in geometry)
        if min(self.out, default=1) < 1:
            raise ValueError(
                f"{op_name}: a window of {tuple(window)} (dilation {tuple(dilation)}) does not fit the spatial "
                f"size {tuple(spatial)} with {padding!r} padding"
            )
        self.before = tuple(g[1] for g in geometry)
        # enough padding after for the last window (valid windows may leave a remainder unread)
        self.after = tuple(max((o - 1) * s + (k - 1) * d + 1 - b - n, 0)
                           for o, s, k, d, b, n in zip(self.out, strides, window, dilation, self.before, spatial))
        self.spatial, self.window, self.strides, self.dilation = tuple(spatial), tuple(window), strides, dilation

    def offsets(self):
        """Every position in the window, in C order."""
        return itertools.product(*(range(k) for k in self.window))

    def pad(self, x: np.ndarray, value=0) -> np.ndarray:
        widths = [(0, 0)] + list(zip(self.before, self.after)) + [(0, 0)]
        return np.pad(x, widths, constant_values=value)

    def zeros_padded(self, batch: int, channels: int, dtype) -> np.ndarray:
        shape = (batch,) + tuple(b + n + a for b, n, a in zip(self.before, self.spatial, self.after)) + (channels,)
        return np.zeros(shape, dtype)

    def crop(self, padded: np.ndarray) -> np.ndarray:
        return padded[(slice(None),) + tuple(slice(b, b + n) for b, n in zip(self.before, self.spatial))]

    def slab(self, offset: Sequence[int]) -> tuple:
        """The index of the padded elements that window position `offset` reads for every output."""
        return (slice(None),) + tuple(
            slice(k * d, k * d + (o - 1) * s + 1, s) for k, d, o, s in zip(offset, self.dilation, self.out, self.strides)
        ) + (slice(None),)


# -- ops ------------------------------------------------------------------------------------------
class _ConvBase(Op, abstract=True):
    """Props, checks and geometry shared by `Conv` and its gradient ops."""

    __props__ = ("ndim", "strides", "padding", "dilation", "depthwise")

    def __init__(self, ndim: int, strides: IntOrTuple = 1, padding: str = "valid", dilation: IntOrTuple = 1,
                 depthwise: bool = False):
        if ndim not in (1, 2, 3):
            raise ValueError(f"{type(self).__name__}: ndim must be 1, 2 or 3, got {ndim!r}")
        self.ndim = int(ndim)
        self.strides = normalize_tuple(strides, self.ndim, "strides")
        self.padding = check_padding(padding, self.ndim)
        self.dilation = normalize_tuple(dilation, self.ndim, "dilation_rate")
        self.depthwise = bool(depthwise)

    def _check_rank(self, what: str, var: Variable) -> None:
        if var.ndim != self.ndim + 2:
            layout = "(batch, *spatial, channels)" if what != "kernel" else "(*window, in, out)"
            raise ValueError(
                f"{self}: the {what} must have rank {self.ndim + 2} {layout}, got shape {format_shape(var.type.shape)}"
            )
        if not var.type.is_float:
            raise TypeError(f"{self}: the {what} must be a float tensor, got {var.dtype}")

    def _check_channels(self, x_channels: Optional[int], kernel: Variable, where: str) -> None:
        expected = kernel.type.shape[-2]
        if x_channels is not None and expected is not None and x_channels != expected:
            raise ValueError(
                f"{self}: the {where} has {x_channels} channels but the kernel of shape "
                f"{format_shape(kernel.type.shape)} expects {expected}"
            )

    def _out_channels(self, kernel_shape: Sequence) -> Optional[int]:
        c, m = kernel_shape[-2], kernel_shape[-1]
        if not self.depthwise:
            return m
        return None if c is None or m is None else c * m

    def _check_out_channels(self, gz: Variable, kernel_shape: Sequence) -> None:
        expected, got = self._out_channels(kernel_shape), gz.type.shape[-1]
        if expected is not None and got is not None and expected != got:
            raise ValueError(
                f"{self}: the output gradient of shape {format_shape(gz.type.shape)} has {got} channels but the "
                f"kernel of shape {format_shape(tuple(kernel_shape))} gives {expected}"
            )

    def _spatial_input(self, spatial) -> Variable:
        spatial = as_tensor(spatial)
        if spatial.ndim != 1 or spatial.type.shape[0] != self.ndim or np.dtype(spatial.dtype).kind not in "iu":
            raise TypeError(f"{self}: the spatial size must be an int vector of length {self.ndim}, got {spatial}")
        return spatial

    def _check_output(self, x_shape: Sequence, window: Sequence, gz: Variable) -> None:
        """The output gradient's spatial sizes must be those the forward convolution gives."""
        want = output_spatial(self, x_shape, window, self.strides, self.dilation, self.padding)
        for w, g in zip(want, gz.type.shape[1:-1]):
            if w is not None and g is not None and w != g:
                raise ValueError(
                    f"{self}: the output gradient of shape {format_shape(gz.type.shape)} does not fit an input of "
                    f"shape {format_shape(tuple(x_shape))} (expected spatial sizes {format_shape(want)})"
                )

    def windows(self, spatial: Sequence[int], window: Sequence[int]) -> Windows:
        return Windows(str(self), spatial, window, self.strides, self.dilation, self.padding)

    def _check_runtime(self, x_shape: Sequence[int], kernel_shape: Sequence[int], gz_shape: Sequence[int]) -> Windows:
        """The reference's run-time checks (channels, output sizes), then the window geometry."""
        if x_shape[-1] != kernel_shape[-2]:
            raise ValueError(f"{self}: an input of shape {tuple(x_shape)} does not fit a kernel of shape "
                             f"{tuple(kernel_shape)} (channels)")
        windows = self.windows(x_shape[1:-1], kernel_shape[:-2])
        want = (x_shape[0],) + windows.out + (self._out_channels(kernel_shape),)
        if gz_shape is not None and tuple(gz_shape) != want:
            raise ValueError(f"{self}: an output gradient of shape {tuple(gz_shape)} does not fit an input of shape "
                             f"{tuple(x_shape)} and a kernel of shape {tuple(kernel_shape)} (expected {want})")
        return windows

    # the three bilinear maps, on one padded slab per window offset
    def _forward(self, x: np.ndarray, kernel: np.ndarray, w: Windows, dtype) -> np.ndarray:
        xp = w.pad(x)
        out = np.zeros((x.shape[0],) + w.out + (self._out_channels(kernel.shape),), dtype)
        for offset in w.offsets():
            patch = xp[w.slab(offset)]
            if self.depthwise:
                out += (patch[..., None] * kernel[offset]).reshape(out.shape)
            else:
                out += patch @ kernel[offset]
        return out

    def _input_grad(self, gz: np.ndarray, kernel: np.ndarray, w: Windows, dtype) -> np.ndarray:
        c = kernel.shape[-2]
        gxp = w.zeros_padded(gz.shape[0], c, dtype)
        for offset in w.offsets():
            if self.depthwise:
                gxp[w.slab(offset)] += (gz.reshape(gz.shape[:-1] + kernel.shape[-2:]) * kernel[offset]).sum(-1)
            else:
                gxp[w.slab(offset)] += gz @ kernel[offset].T
        return w.crop(gxp)

    def _kernel_grad(self, x: np.ndarray, gz: np.ndarray, w: Windows, kernel_shape: Tuple[int, ...], dtype) -> np.ndarray:
        xp = w.pad(x)
        g = np.zeros(kernel_shape, dtype)
        summed = list(range(self.ndim + 1))
        for offset in w.offsets():
            patch = xp[w.slab(offset)]
            if self.depthwise:
                g[offset] = (patch[..., None] * gz.reshape(gz.shape[:-1] + kernel_shape[-2:])).sum(axis=tuple(summed))
            else:
                g[offset] = np.tensordot(patch, gz, axes=(summed, summed))
        return g


class Conv(_ConvBase):
    """Cross-correlation of a channels-last input with a kernel ``(*window, in, out)`` (or depthwise)."""

    def make_node(self, x, kernel) -> Apply:
        x, kernel = as_tensor(x), as_tensor(kernel)
        self._check_rank("input", x)
        self._check_rank("kernel", kernel)
        self._check_channels(x.type.shape[-1], kernel, "input")
        spatial = output_spatial(self, x.type.shape, kernel.type.shape[:-2], self.strides, self.dilation, self.padding)
        shape = (x.type.shape[0],) + spatial + (self._out_channels(kernel.type.shape),)
        return Apply(self, [x, kernel], [TensorType(np.result_type(x.dtype, kernel.dtype).name, shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        x, kernel = inputs
        w = self._check_runtime(x.shape, kernel.shape, None)
        return [self._forward(x, kernel, w, node.outputs[0].dtype)]

    def grad(self, inputs, output_grads):
        (x, kernel), (gz,) = inputs, output_grads
        gx = ConvGradInput(*self._props())(gz, kernel, spatial_shape(x))
        gk = ConvGradKernel(*self._props())(x, gz, spatial_shape(kernel, window=True))
        return [E.cast(gx, x.dtype), E.cast(gk, kernel.dtype)]


class ConvGradInput(_ConvBase):
    """The gradient of `Conv` with respect to its input (a transposed convolution), given the input's spatial size."""

    def make_node(self, gz, kernel, spatial) -> Apply:
        gz, kernel, spatial = as_tensor(gz), as_tensor(kernel), self._spatial_input(spatial)
        self._check_rank("output gradient", gz)
        self._check_rank("kernel", kernel)
        self._check_out_channels(gz, kernel.type.shape)
        x_shape = (gz.type.shape[0],) + _static(_vector_entries(spatial)) + (kernel.type.shape[-2],)
        self._check_output(x_shape, kernel.type.shape[:-2], gz)
        return Apply(self, [gz, kernel, spatial], [TensorType(np.result_type(gz.dtype, kernel.dtype).name, x_shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        gz, kernel, spatial = inputs
        x_shape = (gz.shape[0],) + tuple(int(n) for n in spatial) + (kernel.shape[-2],)
        w = self._check_runtime(x_shape, kernel.shape, gz.shape)
        return [self._input_grad(gz, kernel, w, node.outputs[0].dtype)]

    def grad(self, inputs, output_grads):
        (gz, kernel, _), (u,) = inputs, output_grads
        g_gz = Conv(*self._props())(u, kernel)
        g_kernel = ConvGradKernel(*self._props())(u, gz, spatial_shape(kernel, window=True))
        return [E.cast(g_gz, gz.dtype), E.cast(g_kernel, kernel.dtype), None]


class ConvGradKernel(_ConvBase):
    """The gradient of `Conv` with respect to its kernel, given the kernel's window size."""

    def make_node(self, x, gz, window) -> Apply:
        x, gz, window = as_tensor(x), as_tensor(gz), self._spatial_input(window)
        self._check_rank("input", x)
        self._check_rank("output gradient", gz)
        c, o = x.type.shape[-1], gz.type.shape[-1]
        last = o if not self.depthwise else (None if c is None or o is None else o // c)
        if self.depthwise and last is not None and o % c:
            raise ValueError(f"{self}: {o} output channels are not a multiple of the input's {c} "
                             f"(shapes {format_shape(x.type.shape)} and {format_shape(gz.type.shape)})")
        kernel_shape = _static(_vector_entries(window)) + (c, last)
        self._check_output(x.type.shape, kernel_shape[:-2], gz)
        return Apply(self, [x, gz, window], [TensorType(np.result_type(x.dtype, gz.dtype).name, kernel_shape)])

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        x, gz, window = inputs
        c = x.shape[-1]
        last = gz.shape[-1] // c if self.depthwise else gz.shape[-1]
        kernel_shape = tuple(int(k) for k in window) + (c, last)
        w = self._check_runtime(x.shape, kernel_shape, gz.shape)
        return [self._kernel_grad(x, gz, w, kernel_shape, node.outputs[0].dtype)]

    def grad(self, inputs, output_grads):
        (x, gz, _), (u,) = inputs, output_grads
        g_x = ConvGradInput(*self._props())(gz, u, spatial_shape(x))
        g_gz = Conv(*self._props())(x, u)
        return [E.cast(g_x, x.dtype), E.cast(g_gz, gz.dtype), None]


def spatial_shape(x: Variable, window: bool = False) -> Variable:
    """The spatial sizes of a channels-last tensor (or the window sizes of a kernel) as an int64 vector."""
    return int_vector(shape_list(x)[:-2] if window else shape_list(x)[1:-1])


def int_vector(sizes: Sequence) -> Variable:
    """Ints and int scalars as one int64 vector (a constant when every size is an int)."""
    if all(isinstance(s, (int, np.integer)) for s in sizes):
        return as_tensor(np.array(sizes, "int64").reshape(len(sizes)))
    return stack([E.cast(as_tensor(s), "int64") for s in sizes])


# -- public functions -----------------------------------------------------------------------------
def to_channels_last(x: Variable, data_format: str) -> Variable:
    """`x` with its channel axis last (a view when it was channels-first)."""
    if data_format not in DATA_FORMATS:
        raise ValueError(f"data_format must be one of {list(DATA_FORMATS)}, got {data_format!r}")
    return x if data_format == "channels_last" else dimshuffle(x, (0,) + tuple(range(2, x.ndim)) + (1,))


def from_channels_last(x: Variable, data_format: str) -> Variable:
    """The inverse of `to_channels_last`."""
    return x if data_format == "channels_last" else dimshuffle(x, (0, x.ndim - 1) + tuple(range(1, x.ndim - 1)))


def _spatial_rank(fn: str, x: Variable, kernel: Variable) -> int:
    ndim = kernel.ndim - 2
    if ndim not in (1, 2, 3) or x.ndim != kernel.ndim:
        raise ValueError(
            f"{fn}: expects an input of rank 3, 4 or 5 and a kernel of the same rank, got shapes "
            f"{format_shape(x.type.shape)} and {format_shape(kernel.type.shape)}"
        )
    return ndim


def _conv(fn: str, x, kernel, strides, padding, data_format, dilation_rate, depthwise: bool) -> Variable:
    x, kernel = as_tensor(x), as_tensor(kernel)
    ndim = _spatial_rank(fn, x, kernel)
    op = Conv(ndim, strides, padding, dilation_rate, depthwise)
    return from_channels_last(op(to_channels_last(x, data_format), kernel), data_format)


def conv(x, kernel, strides: IntOrTuple = 1, padding: str = "valid", data_format: str = "channels_last",
         dilation_rate: IntOrTuple = 1) -> Variable:
    """N-d cross-correlation (Keras's ``K.conv1d/conv2d/conv3d``); the kernel's rank sets N.

    `x`: ``(batch, *spatial, in)`` (``(batch, in, *spatial)`` channels-first); `kernel`:
    ``(*window, in, out)``; `padding`: ``valid``, ``same`` or ``causal`` (1-D).
    """
    return _conv("conv", x, kernel, strides, padding, data_format, dilation_rate, depthwise=False)


def depthwise_conv(x, kernel, strides: IntOrTuple = 1, padding: str = "valid", data_format: str = "channels_last",
                   dilation_rate: IntOrTuple = 1) -> Variable:
    """Depthwise cross-correlation: kernel ``(*window, in, multiplier)``, ``in * multiplier`` output channels."""
    return _conv("depthwise_conv", x, kernel, strides, padding, data_format, dilation_rate, depthwise=True)


def separable_conv(x, depthwise_kernel, pointwise_kernel, strides: IntOrTuple = 1, padding: str = "valid",
                   data_format: str = "channels_last", dilation_rate: IntOrTuple = 1) -> Variable:
    """A depthwise convolution, then a 1x1 convolution with `pointwise_kernel` ``(1, ..., 1, in * mult, out)``."""
    x = as_tensor(x)
    depthwise = depthwise_conv(to_channels_last(x, data_format), depthwise_kernel, strides, padding,
                               "channels_last", dilation_rate)
    return from_channels_last(conv(depthwise, pointwise_kernel), data_format)


def deconv_length(size, stride: int, window: int, padding: str, dilation: int = 1,
                  output_padding: Optional[int] = None):
    """The output length of a transposed convolution (Keras's ``conv_utils.deconv_length``).

    Without `output_padding` the longest length whose convolution gives `size`; with it,
    ``(size - 1) * stride + extent - 2 * pad + output_padding``.  `size` is an int, an int
    scalar or None (unknown); the result is of the same kind.
    """
    if size is None:
        return None
    extent = (window - 1) * dilation + 1
    if output_padding is None:
        return size * stride + (max(extent - stride, 0) if padding == "valid" else 0)
    pad = extent // 2 if padding == "same" else 0
    return (size - 1) * stride + extent - 2 * pad + output_padding


def conv_transpose(x, kernel, output_shape=None, strides: IntOrTuple = 1, padding: str = "valid",
                   data_format: str = "channels_last", dilation_rate: IntOrTuple = 1) -> Variable:
    """Transposed convolution (Keras's ``K.conv2d_transpose``/``conv3d_transpose``): the input gradient of a
    convolution with `kernel` ``(*window, out, in)`` whose input has `output_shape`.

    `output_shape` is the full output shape (batch and channels included, in `data_format`;
    ints or int scalars); only its spatial sizes are read.  Without it the spatial sizes
    follow Keras's ``deconv_length``.
    """
    x, kernel = as_tensor(x), as_tensor(kernel)
    ndim = _spatial_rank("conv_transpose", x, kernel)
    op = ConvGradInput(ndim, strides, padding, dilation_rate)
    x = to_channels_last(x, data_format)
    if output_shape is None:
        window = kernel.type.shape[:-2]
        if None in window:
            raise ValueError(f"conv_transpose: needs output_shape for a kernel of shape {format_shape(kernel.type.shape)}")
        spatial = [deconv_length(n, s, k, op.padding, d)
                   for n, s, k, d in zip(shape_list(x)[1:-1], op.strides, window, op.dilation)]
    else:
        dims = list(output_shape)
        spatial = dims[1:-1] if data_format == "channels_last" else dims[2:]
    return from_channels_last(op(x, kernel, int_vector(spatial)), data_format)

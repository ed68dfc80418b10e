"""Locally-connected (unshared-weight) convolution, composed of existing ops.

Each output position ``p`` has its own kernel ``(window * in, out)``: the layer is
``y[b, p] = patch(x)[b, p] @ kernel[p]``.  The patches are a depthwise convolution of
the input with a constant one-hot kernel (window offset ``k`` copies into output channel
``c * W + k``), so gathering them and their gradient (a scatter-add) run in the compiled
depthwise loops; the products are one batched matmul over the positions, whose gradients
are batched matmuls too.  No Python loop over positions, in the graph or at run time.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from symkeras.graph.basic import Constant, Variable, as_tensor
from symkeras.graph.type import format_shape
from symkeras.ops.blas import matmul
from symkeras.ops.conv import IntOrTuple, depthwise_conv, from_channels_last, normalize_tuple, to_channels_last
from symkeras.ops.shape import dimshuffle, reshape, shape_list

#: the two orders of a patch's ``window * in`` entries
PATCH_ORDERS = ("window_major", "channel_major")


def one_hot_window_kernel(window: Sequence[int], channels: int, dtype: str) -> np.ndarray:
    """The depthwise kernel ``(*window, channels, prod(window))`` copying each window offset into its own channel."""
    size = int(np.prod(window))
    kernel = np.zeros(tuple(window) + (channels, size), dtype)
    for flat, offset in enumerate(np.ndindex(*window)):
        kernel[offset + (slice(None), flat)] = 1
    return kernel


def extract_patches(x, window: Sequence[int], strides: Sequence[int], order: str = "window_major") -> Variable:
    """The valid patches of a channels-last `x`: ``(batch, *out, prod(window) * in)``.

    `order` ``window_major`` lists a patch offset by offset, the channels inside (Keras's
    channels-last layout); ``channel_major`` channel by channel, the offsets inside (its
    channels-first layout).  The spatial sizes and the channels must be static.
    """
    x = as_tensor(x)
    if order not in PATCH_ORDERS:
        raise ValueError(f"extract_patches: order must be one of {list(PATCH_ORDERS)}, got {order!r}")
    channels = x.type.shape[-1]
    if channels is None or None in x.type.shape[1:-1]:
        raise ValueError(f"extract_patches: needs static spatial sizes and channels, got shape "
                         f"{format_shape(x.type.shape)}")
    kernel = Constant(one_hot_window_kernel(window, channels, x.dtype))
    patches = depthwise_conv(x, kernel, strides, "valid")  # channel c * W + k: channel-major
    if order == "channel_major":
        return patches
    out, size = patches.type.shape[1:-1], int(np.prod(window))
    split = reshape(patches, (-1,) + tuple(out) + (channels, size))
    nd = len(out)
    swapped = dimshuffle(split, tuple(range(nd + 1)) + (nd + 2, nd + 1))
    return reshape(swapped, (-1,) + tuple(out) + (size * channels,))


def local_conv(x, kernel, window: IntOrTuple, strides: IntOrTuple = 1, data_format: str = "channels_last") -> Variable:
    """Unshared-weight convolution (Keras's ``K.local_conv1d/local_conv2d``), `valid` windows only.

    `kernel`: ``(positions, window * in, out)``, one matrix per output position in C
    order; its middle axis is ordered as Keras orders it: offsets then channels for
    channels-last data, channels then offsets for channels-first.  Returns
    ``(batch, *out, filters)`` (channels-first: ``(batch, filters, *out)``).
    """
    x, kernel = as_tensor(x), as_tensor(kernel)
    nd = x.ndim - 2
    if nd not in (1, 2, 3) or kernel.ndim != 3:
        raise ValueError(f"local_conv: expects an input of rank 3, 4 or 5 and a kernel of rank 3 "
                         f"(positions, window * in, out), got shapes {format_shape(x.type.shape)} and "
                         f"{format_shape(kernel.type.shape)}")
    window, strides = normalize_tuple(window, nd, "kernel_size"), normalize_tuple(strides, nd, "strides")
    order = "window_major" if data_format == "channels_last" else "channel_major"
    patches = extract_patches(to_channels_last(x, data_format), window, strides, order)
    out = patches.type.shape[1:-1]
    positions, features = int(np.prod(out)), patches.type.shape[-1]
    if any(got is not None and got != want for got, want in zip(kernel.type.shape[:2], (positions, features))):
        raise ValueError(f"local_conv: a kernel of shape {format_shape(kernel.type.shape)} does not fit an input of "
                         f"shape {format_shape(x.type.shape)}: windows of {window} with strides {strides} give "
                         f"{format_shape(tuple(out))} positions, so the kernel must be "
                         f"({positions}, {features}, filters)")
    rows = dimshuffle(reshape(patches, (-1, positions, features)), (1, 0, 2))  # (positions, batch, features)
    y = dimshuffle(matmul(rows, kernel), (1, 0, 2))  # (batch, positions, filters)
    return from_channels_last(reshape(y, [-1] + list(out) + [shape_list(kernel)[-1]]), data_format)

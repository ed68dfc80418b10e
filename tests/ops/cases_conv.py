"""Cases for `Conv`, `ConvGradInput`, `ConvGradKernel` and the functions built on them.

Every value is checked against a direct reference written here with nested loops over
output positions and window offsets (channels-last; channels-first cases transpose).
"""
import itertools

import numpy as np

from symkeras.ops import conv as C
from tests.ops.cases import Case, rng

r = rng(6)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def direct_geometry(n, k, s, d, padding):
    """(output length, padding before), from Keras's conv_output_length and TF's 'same' padding."""
    extent = (k - 1) * d + 1
    if padding == "valid":
        return ceil_div(n - extent + 1, s), 0
    out = ceil_div(n, s)
    before = extent - 1 if padding == "causal" else max((out - 1) * s + extent - n, 0) // 2
    return out, before


def window_visits(x_shape, window, strides, padding, dilation):
    """Every (sample, output position, input position, window offset) where a window reads inside the input."""
    nd = len(window)
    geometry = [direct_geometry(n, k, s, d, padding) for n, k, s, d in zip(x_shape[1:-1], window, strides, dilation)]
    for b in range(x_shape[0]):
        for pos in itertools.product(*(range(o) for o, _ in geometry)):
            for off in itertools.product(*(range(k) for k in window)):
                z = tuple(p * s - g[1] + o * d for p, s, g, o, d in zip(pos, strides, geometry, off, dilation))
                if all(0 <= zi < n for zi, n in zip(z, x_shape[1:1 + nd])):
                    yield b, pos, z, off


def out_shape(x_shape, window, strides, padding, dilation, channels):
    return (x_shape[0],) + tuple(direct_geometry(n, k, s, d, padding)[0] for n, k, s, d in
                                 zip(x_shape[1:-1], window, strides, dilation)) + (channels,)


def direct_conv(x, w, strides, padding, dilation, depthwise=False):
    nd = x.ndim - 2
    c, m = w.shape[-2:]
    y = np.zeros(out_shape(x.shape, w.shape[:nd], strides, padding, dilation, c * m if depthwise else m))
    for b, pos, z, off in window_visits(x.shape, w.shape[:nd], strides, padding, dilation):
        for ci in range(c):
            for mi in range(m):
                o = ci * m + mi if depthwise else mi
                y[(b,) + pos + (o,)] += x[(b,) + z + (ci,)] * w[off + (ci, mi)]
    return y


def direct_conv_grad_input(gz, w, x_shape, strides, padding, dilation, depthwise=False):
    nd = len(x_shape) - 2
    c, m = w.shape[-2:]
    gx = np.zeros(x_shape)
    for b, pos, z, off in window_visits(x_shape, w.shape[:nd], strides, padding, dilation):
        for ci in range(c):
            for mi in range(m):
                o = ci * m + mi if depthwise else mi
                gx[(b,) + z + (ci,)] += gz[(b,) + pos + (o,)] * w[off + (ci, mi)]
    return gx


def direct_conv_grad_kernel(x, gz, window, strides, padding, dilation, depthwise=False):
    c = x.shape[-1]
    m = gz.shape[-1] // c if depthwise else gz.shape[-1]
    gw = np.zeros(tuple(window) + (c, m))
    for b, pos, z, off in window_visits(x.shape, window, strides, padding, dilation):
        for ci in range(c):
            for mi in range(m):
                o = ci * m + mi if depthwise else mi
                gw[off + (ci, mi)] += x[(b,) + z + (ci,)] * gz[(b,) + pos + (o,)]
    return gw


def first_to_last(x):
    return np.moveaxis(x, 1, -1)


def last_to_first(x):
    return np.moveaxis(x, -1, 1)


def _floats(*shape):
    return r.uniform(-1.0, 1.0, shape)


CASES = []

# -- Conv: ranks, strides, dilations, paddings, odd and even sizes, batch 1 ------------------------
CONV_SETTINGS = [
    # (name, x shape, window, strides, padding, dilation)
    ("1d_valid", (2, 7, 2), (3,), (1,), "valid", (1,)),
    ("1d_same_stride2_even", (1, 8, 2), (3,), (2,), "same", (1,)),
    ("1d_causal_dilated", (2, 6, 1), (2,), (1,), "causal", (2,)),
    ("1d_causal_stride2", (1, 7, 2), (3,), (2,), "causal", (1,)),
    ("2d_valid", (2, 5, 4, 2), (3, 2), (1, 1), "valid", (1, 1)),
    ("2d_valid_stride_remainder", (1, 6, 7, 1), (2, 3), (2, 3), "valid", (1, 1)),
    ("2d_same_odd", (1, 5, 5, 2), (3, 3), (2, 2), "same", (1, 1)),
    ("2d_same_even_window", (2, 4, 6, 1), (2, 4), (1, 2), "same", (1, 1)),
    ("2d_same_dilated", (1, 6, 5, 2), (2, 3), (1, 1), "same", (2, 2)),
    ("2d_valid_dilated", (1, 7, 6, 1), (3, 2), (1, 1), "valid", (2, 3)),
    ("3d_valid", (1, 4, 3, 5, 2), (2, 2, 3), (1, 1, 2), "valid", (1, 1, 1)),
    ("3d_same", (2, 3, 4, 3, 1), (2, 3, 2), (2, 1, 1), "same", (1, 1, 1)),
]
for name, x_shape, window, strides, padding, dilation in CONV_SETTINGS:
    for depthwise in (False, True):
        kind = "depthwise_conv" if depthwise else "conv"
        fn = C.depthwise_conv if depthwise else C.conv
        w = _floats(*window, x_shape[-1], 2 if depthwise else 3)
        CASES.append(Case(
            f"{kind}{name}",
            lambda x, w, fn=fn, s=strides, p=padding, d=dilation: fn(x, w, s, p, dilation_rate=d),
            [_floats(*x_shape), w],
            lambda x, w, s=strides, p=padding, d=dilation, dw=depthwise: direct_conv(x, w, s, p, d, dw),
        ))
        # the gradient ops alone, against the direct references, and their own gradients
        x = _floats(*x_shape)
        gz = _floats(*out_shape(x_shape, window, strides, padding, dilation, w.shape[-2] * w.shape[-1]
                                if depthwise else w.shape[-1]))
        op_args = (len(window), strides, padding, dilation, depthwise)
        CASES.append(Case(
            f"{kind}{name}_grad_input",
            lambda gz, w, a=op_args, xs=x_shape: C.ConvGradInput(*a)(gz, w, np.array(xs[1:-1], "int64")),
            [gz, w],
            lambda gz, w, xs=x_shape, s=strides, p=padding, d=dilation, dw=depthwise:
                direct_conv_grad_input(gz, w, xs, s, p, d, dw),
        ))
        CASES.append(Case(
            f"{kind}{name}_grad_kernel",
            lambda x, gz, a=op_args, k=window: C.ConvGradKernel(*a)(x, gz, np.array(k, "int64")),
            [x, gz],
            lambda x, gz, k=window, s=strides, p=padding, d=dilation, dw=depthwise:
                direct_conv_grad_kernel(x, gz, k, s, p, d, dw),
        ))

# channels_first moves the channel axis; unknown batch and spatial sizes; float32
for depthwise in (False, True):
    fn = C.depthwise_conv if depthwise else C.conv
    kind = "depthwise_conv" if depthwise else "conv"
    CASES.append(Case(
        f"{kind}2d_channels_first",
        lambda x, w, fn=fn: fn(x, w, (2, 1), "same", "channels_first"),
        [_floats(1, 2, 5, 4), _floats(3, 2, 2, 2)],
        lambda x, w, dw=depthwise: last_to_first(direct_conv(first_to_last(x), w, (2, 1), "same", (1, 1), dw)),
    ))
    CASES.append(Case(
        f"{kind}2d_unknown_sizes",
        lambda x, w, fn=fn: fn(x, w, 1, "same", dilation_rate=2),
        [_floats(2, 5, 4, 2), _floats(2, 2, 2, 3)],
        lambda x, w, dw=depthwise: direct_conv(x, w, (1, 1), "same", (2, 2), dw),
        input_shapes=[(None, None, None, 2), (2, 2, 2, 3)],
    ))
    CASES.append(Case(
        f"{kind}2d_float32",
        lambda x, w, fn=fn: fn(x, w, 2, "valid"),
        [_floats(2, 6, 5, 3).astype("float32"), _floats(3, 3, 3, 2).astype("float32")],
        lambda x, w, dw=depthwise: direct_conv(x, w, (2, 2), "valid", (1, 1), dw),
        grad=False, rtol=1e-4, atol=1e-5,
    ))
CASES.append(Case(
    "conv1d_channels_first_causal",
    lambda x, w: C.conv(x, w, 1, "causal", "channels_first"),
    [_floats(2, 3, 5), _floats(2, 3, 2)],
    lambda x, w: last_to_first(direct_conv(first_to_last(x), w, (1,), "causal", (1,))),
))

# -- separable and transposed convolutions -----------------------------------------------------
CASES.append(Case(
    "separable_conv2d_same",
    lambda x, dw, pw: C.separable_conv(x, dw, pw, 2, "same"),
    [_floats(1, 5, 4, 2), _floats(3, 3, 2, 2), _floats(1, 1, 4, 3)],
    lambda x, dw, pw: direct_conv(direct_conv(x, dw, (2, 2), "same", (1, 1), True), pw, (1, 1), "valid", (1, 1)),
))
CASES.append(Case(
    "separable_conv1d_channels_first",
    lambda x, dw, pw: C.separable_conv(x, dw, pw, 1, "valid", "channels_first"),
    [_floats(2, 2, 6), _floats(3, 2, 1), _floats(1, 2, 3)],
    lambda x, dw, pw: last_to_first(direct_conv(direct_conv(first_to_last(x), dw, (1,), "valid", (1,), True), pw,
                                                (1,), "valid", (1,))),
))
TRANSPOSE_SETTINGS = [
    # (name, x shape, kernel shape (window, out, in), strides, padding, output shape or None)
    ("2d_same", (2, 3, 2, 2), (3, 3, 3, 2), (2, 2), "same", None),
    ("2d_valid", (1, 3, 3, 2), (2, 3, 1, 2), (2, 1), "valid", None),
    ("2d_valid_output_shape", (1, 2, 3, 1), (3, 3, 2, 1), (2, 2), "valid", (1, 6, 7, 2)),
    ("3d_same", (1, 2, 2, 3, 1), (2, 2, 3, 2, 1), (1, 2, 2), "same", None),
]
for name, x_shape, k_shape, strides, padding, output_shape in TRANSPOSE_SETTINGS:
    nd = len(strides)
    if output_shape is None:
        spatial = tuple(C.deconv_length(n, s, k, padding) for n, s, k in zip(x_shape[1:-1], strides, k_shape[:nd]))
        full = (x_shape[0],) + spatial + (k_shape[-2],)
    else:
        full = output_shape
    CASES.append(Case(
        f"conv_transpose{name}",
        lambda x, w, s=strides, p=padding, o=output_shape: C.conv_transpose(x, w, o, s, p),
        [_floats(*x_shape), _floats(*k_shape)],
        lambda x, w, f=full, s=strides, p=padding: direct_conv_grad_input(x, w, f, s, p, (1,) * len(s)),
    ))
CASES.append(Case(
    "conv_transpose2d_channels_first_symbolic_shape",
    lambda x, w: C.conv_transpose(x, w, (x.shape[0], 2, 5, 4), (2, 2), "same", "channels_first"),
    [_floats(2, 1, 3, 2), _floats(2, 2, 2, 1)],
    lambda x, w: last_to_first(direct_conv_grad_input(first_to_last(x), w, (2, 5, 4, 2), (2, 2), "same", (1, 1))),
    input_shapes=[(None, 1, 3, 2), (2, 2, 2, 1)],
))

"""Cases for `Pool`, `PoolGrad` and the spatial functions of `symkeras.ops.pool`.

Values are checked against direct references written here with nested loops over windows.
"""
import numpy as np

from symkeras.ops import pool as P
from tests.ops.cases import Case, rng
from tests.ops.cases_conv import first_to_last, last_to_first, out_shape, window_visits

r = rng(7)


def _distinct(*shape):
    """Floats without ties, well apart (max pooling's gradient needs a unique maximum)."""
    n = int(np.prod(shape))
    return (r.permutation(n) / n - 0.5).reshape(shape)


def _windows(x_shape, pool_size, strides, padding):
    """For each (sample, output position): the input positions its window covers, in window order."""
    found = {}
    for b, pos, z, _ in window_visits(x_shape, pool_size, strides, padding, (1,) * len(pool_size)):
        found.setdefault((b,) + pos, []).append(z)
    return found


def direct_pool(x, pool_size, strides, padding, mode):
    y = np.zeros(out_shape(x.shape, pool_size, strides, padding, (1,) * len(pool_size), x.shape[-1]))
    for key, inside in _windows(x.shape, pool_size, strides, padding).items():
        values = np.array([x[(key[0],) + z] for z in inside])  # (window elements, channels)
        y[key] = values.max(axis=0) if mode == "max" else values.mean(axis=0)
    return y


def direct_pool_grad(x, gz, pool_size, strides, padding, mode):
    gx = np.zeros(x.shape)
    for key, inside in _windows(x.shape, pool_size, strides, padding).items():
        b = key[0]
        for c in range(x.shape[-1]):
            if mode == "max":
                values = [x[(b,) + z + (c,)] for z in inside]
                gx[(b,) + inside[int(np.argmax(values))] + (c,)] += gz[key + (c,)]
            else:
                for z in inside:
                    gx[(b,) + z + (c,)] += gz[key + (c,)] / len(inside)
    return gx


def direct_bilinear(x, fh, fw):
    """TF1 ``resize_bilinear`` without corner alignment, by factors (fh, fw)."""
    n, h, w, c = x.shape
    y = np.zeros((n, h * fh, w * fw, c))
    for i in range(h * fh):
        for j in range(w * fw):
            si, sj = i / fh, j / fw
            i0, j0 = int(si), int(sj)
            i1, j1 = min(i0 + 1, h - 1), min(j0 + 1, w - 1)
            di, dj = si - i0, sj - j0
            y[:, i, j] = ((1 - di) * (1 - dj) * x[:, i0, j0] + (1 - di) * dj * x[:, i0, j1]
                          + di * (1 - dj) * x[:, i1, j0] + di * dj * x[:, i1, j1])
    return y


CASES = []

POOL_SETTINGS = [
    # (name, x shape, pool size, strides, padding)
    ("1d_valid", (2, 7, 2), (2,), (2,), "valid"),
    ("1d_same_stride1", (1, 5, 1), (3,), (1,), "same"),
    ("2d_valid", (2, 4, 5, 2), (2, 2), (2, 2), "valid"),
    ("2d_same_odd", (1, 5, 5, 1), (2, 2), (2, 2), "same"),
    ("2d_same_overlap", (1, 5, 4, 2), (3, 2), (2, 1), "same"),
    ("2d_valid_remainder", (1, 7, 6, 1), (3, 2), (2, 3), "valid"),
    ("3d_valid", (1, 4, 3, 4, 2), (2, 2, 2), (2, 1, 2), "valid"),
    ("3d_same", (2, 3, 3, 2, 1), (2, 2, 2), (2, 2, 2), "same"),
]
for name, x_shape, size, strides, padding in POOL_SETTINGS:
    for mode in ("max", "average"):
        CASES.append(Case(
            f"pool_{mode}{name}",
            lambda x, m=mode, k=size, s=strides, p=padding: P.pool(x, k, s, p, mode=m),
            [_distinct(*x_shape)],
            lambda x, m=mode, k=size, s=strides, p=padding: direct_pool(x, k, s, p, m),
        ))
        gz = _distinct(*out_shape(x_shape, size, strides, padding, (1,) * len(size), x_shape[-1]))
        op = P.PoolGrad(len(size), mode, size, strides, padding)
        CASES.append(Case(
            f"pool_{mode}{name}_grad",
            lambda x, gz, op=op: op(x, gz),
            [_distinct(*x_shape), gz],
            lambda x, gz, m=mode, k=size, s=strides, p=padding: direct_pool_grad(x, gz, k, s, p, m),
            grad=mode == "average",
        ))

for mode in ("max", "avg"):
    CASES.append(Case(
        f"pool_{mode}2d_channels_first",
        lambda x, m=mode: P.pool(x, (2, 3), (1, 2), "same", "channels_first", m),
        [_distinct(2, 2, 4, 5)],
        lambda x, m=mode: last_to_first(direct_pool(first_to_last(x), (2, 3), (1, 2), "same",
                                                    "max" if m == "max" else "average")),
    ))
    CASES.append(Case(
        f"pool_{mode}2d_unknown_sizes",
        lambda x, m=mode: P.pool(x, 2, padding="same", mode=m),
        [_distinct(3, 5, 3, 2)],
        lambda x, m=mode: direct_pool(x, (2, 2), (2, 2), "same", "max" if m == "max" else "average"),
        input_shapes=[(None, None, None, 2)],
    ))
    CASES.append(Case(
        f"pool_{mode}2d_float32",
        lambda x, m=mode: P.pool(x, 2, mode=m),
        [_distinct(2, 4, 4, 3).astype("float32")],
        lambda x, m=mode: direct_pool(x, (2, 2), (2, 2), "valid", "max" if m == "max" else "average"),
        grad=False,
    ))
CASES.append(Case(
    "pool_max_grad_ties_first",
    lambda x, gz: P.PoolGrad(2, "max", (2, 2), (1, 1), "valid")(x, gz),
    [np.array([[1.0, 3.0, 3.0], [3.0, 0.0, 3.0]]).reshape(1, 2, 3, 1), np.array([1.0, 10.0]).reshape(1, 1, 2, 1)],
    lambda x, gz: direct_pool_grad(x, gz, (2, 2), (1, 1), "valid", "max"),
    grad=False,
))

# -- global pooling, upsampling, zero padding, cropping --------------------------------------------
for mode, ref in (("max", np.max), ("avg", np.mean)):
    CASES.append(Case(f"global_{mode}_pool2d", lambda x, m=mode: P.global_pool(x, m), [_distinct(2, 3, 4, 2)],
                      lambda x, ref=ref: ref(x, axis=(1, 2))))
    CASES.append(Case(f"global_{mode}_pool1d_channels_first", lambda x, m=mode: P.global_pool(x, m, "channels_first"),
                      [_distinct(2, 3, 5)], lambda x, ref=ref: ref(x, axis=2)))
CASES += [
    Case("upsample_nearest2d", lambda x: P.upsample_nearest(x, (2, 3)), [_distinct(1, 2, 3, 2)],
         lambda x: x.repeat(2, axis=1).repeat(3, axis=2)),
    Case("upsample_nearest1d", lambda x: P.upsample_nearest(x, 2), [_distinct(2, 3, 2)], lambda x: x.repeat(2, axis=1)),
    Case("upsample_nearest3d_channels_first", lambda x: P.upsample_nearest(x, (1, 2, 2), "channels_first"),
         [_distinct(1, 2, 2, 2, 3)], lambda x: x.repeat(2, axis=3).repeat(2, axis=4)),
    Case("upsample_bilinear2d", lambda x: P.upsample_bilinear(x, (2, 3)), [_distinct(2, 3, 2, 2)],
         lambda x: direct_bilinear(x, 2, 3)),
    Case("upsample_bilinear2d_channels_first", lambda x: P.upsample_bilinear(x, 2, "channels_first"),
         [_distinct(1, 2, 2, 3)], lambda x: last_to_first(direct_bilinear(first_to_last(x), 2, 2))),
    Case("zero_padding2d", lambda x: P.zero_padding(x, ((1, 0), (2, 1))), [_distinct(1, 2, 3, 2)],
         lambda x: np.pad(x, [(0, 0), (1, 0), (2, 1), (0, 0)])),
    Case("zero_padding1d_channels_first", lambda x: P.zero_padding(x, 2, "channels_first"), [_distinct(2, 2, 3)],
         lambda x: np.pad(x, [(0, 0), (0, 0), (2, 2)])),
    Case("zero_padding3d", lambda x: P.zero_padding(x, (1, 0, 2)), [_distinct(1, 2, 2, 1, 1)],
         lambda x: np.pad(x, [(0, 0), (1, 1), (0, 0), (2, 2), (0, 0)])),
    Case("cropping2d", lambda x: P.cropping(x, ((1, 0), (1, 2))), [_distinct(2, 4, 5, 2)],
         lambda x: x[:, 1:, 1:-2]),
    Case("cropping1d_unknown", lambda x: P.cropping(x, (0, 2)), [_distinct(2, 5, 3)], lambda x: x[:, :-2],
         input_shapes=[(None, None, 3)]),
    Case("cropping3d_channels_first", lambda x: P.cropping(x, 1, "channels_first"), [_distinct(1, 2, 3, 4, 3)],
         lambda x: x[:, :, 1:-1, 1:-1, 1:-1]),
]

"""Shape manipulation against numpy."""
import numpy as np
import pytest

from symkeras import backend as K
from tests.backend.helpers import randn, run

X = randn(2, 3, 4)


def test_reshape_permute_transpose_flatten():
    np.testing.assert_array_equal(run(lambda x: K.reshape(x, (-1, 4)), X), X.reshape(-1, 4))
    np.testing.assert_array_equal(run(lambda x: K.reshape(x, (K.shape(x)[0], -1)), X), X.reshape(2, -1))
    np.testing.assert_array_equal(run(lambda x: K.permute_dimensions(x, (0, 2, 1)), X), X.transpose(0, 2, 1))
    np.testing.assert_array_equal(run(K.transpose, X), X.T)
    np.testing.assert_array_equal(run(K.flatten, X), X.ravel())
    np.testing.assert_array_equal(run(K.batch_flatten, X), X.reshape(2, 12))
    assert K.int_shape(K.batch_flatten(K.placeholder(shape=(None, 3, 4)))) == (None, 12)


def test_concatenate_stack_expand_squeeze():
    y = randn(2, 3, 4, seed=1)
    np.testing.assert_array_equal(run(lambda a, b: K.concatenate([a, b]), X, y), np.concatenate([X, y], -1))
    np.testing.assert_array_equal(run(lambda a, b: K.concatenate([a, b], axis=0), X, y), np.concatenate([X, y]))
    np.testing.assert_array_equal(run(lambda a, b: K.stack([a, b], axis=1), X, y), np.stack([X, y], 1))
    np.testing.assert_array_equal(run(K.expand_dims, X), X[..., None])
    np.testing.assert_array_equal(run(lambda x: K.expand_dims(x, 1), X), X[:, None])
    np.testing.assert_array_equal(run(lambda x: K.squeeze(x, 1), X[:, :1]), X[:, 0])


def test_tile_repeat_repeat_elements_reverse():
    m = X[:, :, 0]
    np.testing.assert_array_equal(run(lambda x: K.tile(x, [2, 1, 3]), X), np.tile(X, (2, 1, 3)))
    np.testing.assert_array_equal(run(lambda x: K.tile(x, 2), m), np.tile(m, 2))
    np.testing.assert_array_equal(run(lambda x: K.repeat(x, 4), m), np.repeat(m[:, None], 4, axis=1))
    np.testing.assert_array_equal(run(lambda x: K.repeat_elements(x, 2, axis=1), X), np.repeat(X, 2, axis=1))
    np.testing.assert_array_equal(run(lambda x: K.reverse(x, 1), X), X[:, ::-1])
    np.testing.assert_array_equal(run(lambda x: K.reverse(x, [0, -1]), X), X[::-1, :, ::-1])
    with pytest.raises(ValueError, match="K.repeat"):
        K.repeat(K.placeholder(shape=(2, 3, 4)), 2)


def test_slice_gather_one_hot():
    np.testing.assert_array_equal(run(lambda x: K.slice(x, (0, 1, 1), (1, 2, -1)), X), X[0:1, 1:3, 1:])
    idx = np.array([[1, 0], [1, 1]])
    np.testing.assert_array_equal(run(K.gather, X, idx), X[idx])
    out = run(lambda i: K.one_hot(i, 4), np.array([[0, 3], [2, 1]]))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(4)[[[0, 3], [2, 1]]])


def test_arange_static_and_symbolic():
    np.testing.assert_array_equal(K.eval(K.arange(5)), np.arange(5))
    assert K.dtype(K.arange(1, 7, 2)) == "int32"
    np.testing.assert_array_equal(K.eval(K.arange(1, 7, 2)), [1, 3, 5])
    for start, stop, step in [(0, None, 1), (2, 9, 3), (9, 2, -2), (5, 1, 1)]:
        out = run(lambda x: K.arange(start, K.shape(x)[0] if stop is None else stop, step), np.zeros(7))
        np.testing.assert_array_equal(out, np.arange(start, 7 if stop is None else stop, step))
        out = run(lambda x: K.arange(K.shape(x)[0] - 7 + start, stop if stop is not None else 7, step), np.zeros(7))
        np.testing.assert_array_equal(out, np.arange(start, 7 if stop is None else stop, step))


def test_paddings():
    np.testing.assert_array_equal(run(K.temporal_padding, X), np.pad(X, ((0, 0), (1, 1), (0, 0))))
    x4 = randn(2, 3, 4, 5)
    np.testing.assert_array_equal(run(lambda x: K.spatial_2d_padding(x, ((1, 0), (2, 3))), x4),
                                  np.pad(x4, ((0, 0), (1, 0), (2, 3), (0, 0))))
    np.testing.assert_array_equal(run(lambda x: K.spatial_2d_padding(x, data_format="channels_first"), x4),
                                  np.pad(x4, ((0, 0), (0, 0), (1, 1), (1, 1))))
    x5 = randn(1, 2, 2, 2, 3)
    np.testing.assert_array_equal(run(K.spatial_3d_padding, x5), np.pad(x5, ((0, 0), (1, 1), (1, 1), (1, 1), (0, 0))))
    with pytest.raises(ValueError, match="K.spatial_2d_padding: expected a 4-D tensor"):
        K.spatial_2d_padding(K.placeholder(shape=(2, 3, 4)))
    with pytest.raises(ValueError, match="pairs"):
        K.spatial_2d_padding(K.placeholder(shape=(2, 3, 4, 5)), ((1, 1),))


def test_resize_images_and_volumes():
    x4 = randn(2, 3, 4, 5)
    np.testing.assert_array_equal(run(lambda x: K.resize_images(x, 2, 3, "channels_last"), x4),
                                  x4.repeat(2, axis=1).repeat(3, axis=2))
    np.testing.assert_array_equal(run(lambda x: K.resize_images(x, 2, 3, "channels_first"), x4),
                                  x4.repeat(2, axis=2).repeat(3, axis=3))
    x5 = randn(1, 2, 2, 2, 3)
    np.testing.assert_array_equal(run(lambda x: K.resize_volumes(x, 1, 2, 3, "channels_last"), x5),
                                  x5.repeat(2, axis=2).repeat(3, axis=3))
    with pytest.raises(ValueError, match="'nearest' or 'bilinear'"):
        K.resize_images(K.placeholder(shape=(1, 2, 2, 1)), 2, 2, None, interpolation="bicubic")


def _bilinear_reference(x: np.ndarray, fh: int, fw: int) -> np.ndarray:
    """TF 1's ``resize_bilinear`` (align_corners=False), which Keras 2.2.4 uses: source = target / factor."""
    def weights(size, factor):
        src = np.arange(size * factor) / factor
        low = np.floor(src).astype(int)
        high = np.minimum(low + 1, size - 1)
        return low, high, src - low
    (r0, r1, wr), (c0, c1, wc) = weights(x.shape[1], fh), weights(x.shape[2], fw)
    rows = x[:, r0] * (1 - wr)[None, :, None, None] + x[:, r1] * wr[None, :, None, None]
    return rows[:, :, c0] * (1 - wc)[None, None, :, None] + rows[:, :, c1] * wc[None, None, :, None]


def test_resize_images_bilinear():
    x4 = randn(2, 3, 4, 5)
    np.testing.assert_allclose(run(lambda x: K.resize_images(x, 2, 3, "channels_last", "bilinear"), x4),
                               _bilinear_reference(x4, 2, 3), rtol=1e-5, atol=1e-6)
    first = run(lambda x: K.resize_images(x, 2, 2, "channels_first", "bilinear"), x4)
    expected = _bilinear_reference(x4.transpose(0, 2, 3, 1), 2, 2).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(first, expected, rtol=1e-5, atol=1e-6)

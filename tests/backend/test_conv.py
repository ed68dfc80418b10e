"""Backend convolutions and pooling: values against the direct references, Keras signatures, errors."""
import inspect

import numpy as np
import pytest

from symkeras import backend as K
from symkeras.graph import verify_grad
from tests.backend.helpers import randn, run
from tests.layers.test_local import direct_local
from tests.ops.cases_conv import direct_conv, direct_conv_grad_input, first_to_last, last_to_first
from tests.ops.cases_pool import direct_pool


def close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_conv1d_2d_3d_match_the_direct_reference():
    x1, k1 = randn(2, 7, 2), randn(3, 2, 4, seed=1)
    close(run(K.conv1d, x1, k1, padding="causal", dilation_rate=2), direct_conv(x1, k1, (1,), "causal", (2,)))
    x2, k2 = randn(2, 5, 6, 3), randn(3, 2, 3, 2, seed=1)
    close(run(K.conv2d, x2, k2, strides=(2, 1), padding="same"), direct_conv(x2, k2, (2, 1), "same", (1, 1)))
    close(run(K.conv2d, np.ascontiguousarray(last_to_first(x2)), k2, data_format="channels_first"),
          last_to_first(direct_conv(x2, k2, (1, 1), "valid", (1, 1))))
    x3, k3 = randn(1, 3, 4, 3, 2), randn(2, 2, 2, 2, 3, seed=1)
    close(run(K.conv3d, x3, k3), direct_conv(x3, k3, (1, 1, 1), "valid", (1, 1, 1)))


def test_transposed_separable_and_depthwise():
    x, k = randn(2, 3, 2, 3), randn(3, 3, 2, 3, seed=1)
    close(run(lambda a, b: K.conv2d_transpose(a, b, (2, 6, 4, 2), (2, 2), "same"), x, k),
          direct_conv_grad_input(x, k, (2, 6, 4, 2), (2, 2), "same", (1, 1)))
    x3, k3 = randn(1, 2, 2, 2, 1), randn(2, 2, 2, 3, 1, seed=1)
    close(run(lambda a, b: K.conv3d_transpose(a, b, (1, 3, 3, 3, 3)), x3, k3),
          direct_conv_grad_input(x3, k3, (1, 3, 3, 3, 3), (1, 1, 1), "valid", (1, 1, 1)))
    x, dw, pw = randn(2, 5, 4, 2), randn(2, 2, 2, 2, seed=1), randn(1, 1, 4, 3, seed=2)
    close(run(K.separable_conv2d, x, dw, pw, padding="same"),
          direct_conv(direct_conv(x, dw, (1, 1), "same", (1, 1), True), pw, (1, 1), "valid", (1, 1)))
    close(run(K.depthwise_conv2d, x, dw, strides=(2, 2)), direct_conv(x, dw, (2, 2), "valid", (1, 1), True))
    x1, dw1, pw1 = randn(2, 6, 2), randn(3, 2, 1, seed=1), randn(1, 2, 2, seed=2)
    close(run(K.separable_conv1d, x1, dw1, pw1),
          direct_conv(direct_conv(x1, dw1, (1,), "valid", (1,), True), pw1, (1,), "valid", (1,)))


def test_pool2d_and_pool3d():
    x = randn(2, 5, 4, 3)
    close(run(lambda a: K.pool2d(a, (2, 2), (2, 1), "same", pool_mode="avg"), x),
          direct_pool(x, (2, 2), (2, 1), "same", "avg"))
    close(run(lambda a: K.pool2d(a, (3, 2), data_format="channels_first"), np.ascontiguousarray(last_to_first(x))),
          last_to_first(direct_pool(x, (3, 2), (1, 1), "valid", "max")))
    x3 = randn(1, 4, 2, 3, 2)
    close(run(lambda a: K.pool3d(a, (2, 2, 2), (2, 2, 1)), x3), direct_pool(x3, (2, 2, 2), (2, 2, 1), "valid", "max"))


def test_local_conv1d_and_2d():
    x, k = randn(2, 6, 2), randn(3, 4, 3, seed=1)
    close(run(lambda a, b: K.local_conv1d(a, b, (2,), (2,)), x, k), direct_local(x, k, None, (2,), (2,)))
    x2, k2 = randn(2, 2, 4, 3), randn(6, 8, 2, seed=1)  # channels-first: (batch, 2, 4, 3)
    close(run(lambda a, b: K.local_conv2d(a, b, (2, 2), (1, 1), (3, 2), "channels_first"), x2, k2),
          direct_local(x2, k2, None, (2, 2), (1, 1), channels_first=True))


def test_local_conv2d_gradients_with_respect_to_input_and_kernel():
    verify_grad(lambda a, b: K.local_conv2d(a, b, (2, 2), (2, 1), (2, 2)),
                [randn(2, 4, 3, 2, dtype="float64"), randn(4, 8, 3, seed=1, dtype="float64")])


def test_signatures_follow_keras():
    expected = {
        "conv1d": "(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1)",
        "conv2d": "(x, kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1))",
        "conv2d_transpose": "(x, kernel, output_shape, strides=(1, 1), padding='valid', data_format=None, "
                            "dilation_rate=(1, 1))",
        "conv3d_transpose": "(x, kernel, output_shape, strides=(1, 1, 1), padding='valid', data_format=None)",
        "separable_conv2d": "(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid', "
                            "data_format=None, dilation_rate=(1, 1))",
        "depthwise_conv2d": "(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None, "
                            "dilation_rate=(1, 1))",
        "pool2d": "(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max')",
        "local_conv1d": "(inputs, kernel, kernel_size, strides, data_format=None)",
        "local_conv2d": "(inputs, kernel, kernel_size, strides, output_shape, data_format=None)",
    }
    for name, signature in expected.items():
        fn = getattr(K, name)
        assert _plain(fn) == signature, name
        assert "# Arguments" in fn.__doc__ and "# Returns" in fn.__doc__, name


def _plain(fn):
    """The signature without annotations."""
    params = inspect.signature(fn).parameters.values()
    return "(" + ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in params) + ")"


def test_errors_name_the_function_and_the_shapes():
    with pytest.raises(ValueError, match=r"K.conv2d: expects a 4-D input, got shape \(None, 5, 3\)"):
        K.conv2d(K.placeholder((None, 5, 3)), K.placeholder((3, 3, 3, 2)))
    with pytest.raises(ValueError, match=r"K.conv2d: .*window of \(5, 5\).*does not fit an input of shape "
                                         r"\(None, 4, 4, 3\)"):
        K.conv2d(K.placeholder((None, 4, 4, 3)), K.placeholder((5, 5, 3, 2)))
    with pytest.raises(ValueError, match=r"K.conv2d: .*has 3 channels but the kernel of shape \(3, 3, 4, 2\) "
                                         r"expects 4"):
        K.conv2d(K.placeholder((None, 8, 8, 3)), K.placeholder((3, 3, 4, 2)))
    with pytest.raises(ValueError, match="K.pool2d: invalid pool_mode 'sum'"):
        K.pool2d(K.placeholder((None, 4, 4, 1)), (2, 2), pool_mode="sum")
    with pytest.raises(ValueError, match=r"K.local_conv1d: local_conv: a kernel of shape \(3, 5, 2\) does not fit"):
        K.local_conv1d(K.placeholder((None, 6, 2)), K.placeholder((3, 5, 2)), (2,), (2,))
    with pytest.raises(ValueError, match=r"K.conv2d_transpose: output_shape must have 4 entries"):
        K.conv2d_transpose(K.placeholder((None, 3, 3, 2)), K.placeholder((3, 3, 1, 2)), (6, 6))

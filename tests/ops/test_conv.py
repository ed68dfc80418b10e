"""Errors and edge cases of the convolution ops (values and gradients are in cases_conv.py)."""
import numpy as np
import pytest

from symkeras.graph import function, grad, tensor
from symkeras.ops import conv as C


def test_window_larger_than_input_with_valid_padding():
    with pytest.raises(ValueError, match=r"Conv\{2.*window of \(5, 5\).*does not fit an input of shape \(None, 4, 4, 3\)"):
        C.conv(tensor("float32", (None, 4, 4, 3)), tensor("float32", (5, 5, 3, 8)))


def test_dilated_window_larger_than_input():
    with pytest.raises(ValueError, match="does not fit"):
        C.conv(tensor("float32", (None, 6, 3)), tensor("float32", (3, 3, 2)), dilation_rate=3)


def test_same_padding_accepts_a_window_larger_than_the_input():
    y = C.conv(tensor("float32", (None, 2, 2, 1)), tensor("float32", (5, 5, 1, 4)), padding="same")
    assert y.type.shape == (None, 2, 2, 4)


def test_channels_that_do_not_match_the_kernel():
    with pytest.raises(ValueError, match=r"Conv\{2.*has 3 channels but the kernel of shape \(3, 3, 4, 8\) expects 4"):
        C.conv(tensor("float32", (None, 9, 9, 3)), tensor("float32", (3, 3, 4, 8)))


def test_channels_first_checks_the_channel_axis():
    with pytest.raises(ValueError, match="has 9 channels"):
        C.conv(tensor("float32", (None, 3, 9, 9)), tensor("float32", (3, 3, 3, 8)), data_format="channels_last")
    y = C.conv(tensor("float32", (None, 3, 9, 9)), tensor("float32", (3, 3, 3, 8)), data_format="channels_first")
    assert y.type.shape == (None, 8, 7, 7)


def test_kernel_and_input_rank_mismatch():
    with pytest.raises(ValueError, match=r"conv: expects an input of rank 3, 4 or 5 and a kernel of the same rank"):
        C.conv(tensor("float32", (None, 9, 3)), tensor("float32", (3, 3, 3, 8)))


def test_causal_padding_only_in_1d():
    with pytest.raises(ValueError, match="padding must be one of"):
        C.conv(tensor("float32", (None, 5, 5, 1)), tensor("float32", (2, 2, 1, 1)), padding="causal")


def test_window_geometry_names_an_unknown_padding_and_matches_its_indexed_twin():
    with pytest.raises(ValueError, match=r"padding must be one of \['valid', 'same', 'causal'\], got 'full'"):
        C.window_geometry(10, 3, 1, 1, "full")
    # 10 elements, window 3 (extent 5), stride 2, dilation 2: valid 3; same 5, padding 3 split 1 before; causal 5, 4 before
    assert [C.window_geometry(10, 3, 2, 2, p) for p in C.PADDINGS] == [(3, 0), (5, 1), (5, 4)]
    assert [C.indexed_window_geometry(10, 3, 2, 2, k) for k in range(3)] == [(3, 0), (5, 1), (5, 4)]


def test_bad_strides():
    with pytest.raises(ValueError, match="strides argument must be an int or a tuple of 2 ints"):
        C.conv(tensor("float32", (None, 5, 5, 1)), tensor("float32", (2, 2, 1, 1)), strides=(1, 0))


def test_integer_input_rejected():
    with pytest.raises(TypeError, match="must be a float tensor"):
        C.conv(tensor("int32", (None, 5, 1)), tensor("float32", (2, 1, 1)))


def test_channel_mismatch_at_run_time_names_the_op_and_shapes():
    x, w = tensor("float64", (None, None, None, None)), tensor("float64", (None, None, None, None))
    f = function([x, w], C.conv(x, w), mode="py")
    with pytest.raises(ValueError, match=r"Conv\{.*\(1, 4, 4, 2\) does not fit a kernel of shape \(2, 2, 3, 1\)"):
        f(np.zeros((1, 4, 4, 2)), np.zeros((2, 2, 3, 1)))


@pytest.mark.parametrize("mode", ["py", "numba"])
def test_window_too_large_at_run_time(mode):
    x, w = tensor("float64", (None, None, 1)), tensor("float64", (None, 1, 1))
    f = function([x, w], C.conv(x, w), mode=mode)
    with pytest.raises(ValueError, match="does not fit"):
        f(np.zeros((1, 2, 1)), np.zeros((3, 1, 1)))


def test_grad_input_rejects_an_output_gradient_of_the_wrong_size():
    op = C.ConvGradInput(2, 2, "valid")
    with pytest.raises(ValueError, match=r"output gradient of shape \(None, 3, 3, 4\) does not fit an input"):
        op(tensor("float32", (None, 3, 3, 4)), tensor("float32", (2, 2, 1, 4)), np.array([8, 8], "int64"))


def test_depthwise_output_channels_and_kernel_grad_shape():
    x, w = tensor("float32", (None, 6, 6, 3)), tensor("float32", (3, 3, 3, 2))
    y = C.depthwise_conv(x, w, padding="same")
    assert y.type.shape == (None, 6, 6, 6)
    assert grad(y.sum(), w).type.shape == (3, 3, 3, 2)


def test_conv_transpose_default_output_lengths():
    x, w = tensor("float32", (None, 5, 4, 2)), tensor("float32", (3, 3, 6, 2))
    assert C.conv_transpose(x, w, strides=2, padding="same").type.shape == (None, 10, 8, 6)
    assert C.conv_transpose(x, w, strides=2, padding="valid").type.shape == (None, 11, 9, 6)


def test_conv_transpose_is_the_adjoint_of_conv():
    rng = np.random.default_rng(0)
    xv, kv, yv = rng.normal(size=(2, 7, 6, 3)), rng.normal(size=(3, 2, 3, 4)), rng.normal(size=(2, 4, 3, 4))
    x, y, k = tensor("float64", xv.shape), tensor("float64", yv.shape), tensor("float64", kv.shape)
    forward = function([x, k], C.conv(x, k, 2, "same"), mode="numba")(xv, kv)
    back = function([y, k], C.conv_transpose(y, k, xv.shape, 2, "same"), mode="numba")(yv, kv)
    np.testing.assert_allclose(np.sum(forward * yv), np.sum(xv * back))


def test_batch_spanning_several_im2col_chunks_and_gradient_groups_on_any_number_of_threads():
    """The gemm path per chunk of samples (here one sample each: a partial last chunk of the
    kernel gradient's groups too) equals the numpy reference, bit for bit on 1 and 2 threads."""
    import numba

    from symkeras.graph.linker.numba import batch_loops

    rng = np.random.default_rng(1)
    xv, kv = rng.normal(size=(3, 66, 66, 8)), rng.normal(size=(3, 3, 8, 2))
    assert 2 * 64 * 64 * 3 * 3 * 8 > batch_loops.CHUNK_ELEMENTS  # one sample per chunk
    x, k = tensor("float64", (None, 66, 66, 8)), tensor("float64", kv.shape)
    y = C.conv(x, k)
    gx, gk = grad((y * y).sum(), [x, k])
    f = function([x, k], [y, gx, gk], mode="numba")
    ref = function([x, k], [y, gx, gk], mode="py")(xv, kv)
    threads = numba.get_num_threads()
    try:
        results = []
        for n in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(n)
            results.append(f(xv, kv))
    finally:
        numba.set_num_threads(threads)
    for got in results:
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b, rtol=1e-10)
    for a, b in zip(results[0], results[-1]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_small_dense_windows_run_as_direct_loops(channels):
    """A 3x3 window on 1-3 channels (at most 27 elements) is a direct loop nest, a larger one im2col + GEMM."""
    from symkeras.graph.fgraph import FunctionGraph
    from symkeras.graph.linker.numba.codegen import generate_node_module

    x, k = tensor("float32", (None, 6, 6, channels)), tensor("float32", (3, 3, channels, 4))
    y = C.conv(x, k)
    gk = C.ConvGradKernel(2)(x, y, np.array([3, 3], "int64"))
    source = generate_node_module(FunctionGraph([x, k], [y, gk]).toposort())
    direct = channels <= 3
    assert ("direct_loops(" in source) == direct
    assert ("conv_forward(" in source) == ("conv_grad_kernel(" in source) == (not direct)


def test_numba_convolution_of_an_unsupported_dtype_names_the_op():
    from symkeras.graph.linker.numba.codegen import CodegenError

    x, k = tensor("float16", (None, 6, 6, 2)), tensor("float16", (3, 3, 2, 2))
    with pytest.raises(CodegenError, match=r"Conv\{2.*float32 and float64 arrays, got float16; use mode='py'"):
        function([x, k], C.conv(x, k), mode="numba")

"""Convolutional layers: values against direct numpy references, shapes, configs, gradients, errors."""
import numpy as np
import pytest

from symkeras import layers
from symkeras.layers import (
    Conv1D, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, Cropping1D, Cropping2D, Cropping3D, DepthwiseConv2D,
    Input, SeparableConv1D, SeparableConv2D, UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D,
    ZeroPadding3D,
)
from tests.layers.layer_checks import Case, layer_tests
from tests.ops.cases_conv import direct_conv, direct_conv_grad_input, first_to_last, last_to_first


def conv(x, w, strides, padding="valid", dilation=None, bias=None, depthwise=False, channels_first=False):
    """Keras's convolution layer, channels-last, from the direct reference: conv + bias."""
    x = first_to_last(x) if channels_first else x
    y = direct_conv(x, w, strides, padding, dilation or (1,) * len(strides), depthwise)
    y = y if bias is None else y + bias
    return last_to_first(y) if channels_first else y


def transposed(x, w, strides, padding, out_spatial, bias, channels_first=False):
    x = first_to_last(x) if channels_first else x
    y = direct_conv_grad_input(x, w, (x.shape[0],) + tuple(out_spatial) + (w.shape[-2],), strides, padding,
                               (1,) * len(strides)) + bias
    return last_to_first(y) if channels_first else y


def relu(y):
    return np.maximum(y, 0)


CASES = [
    Case("conv1d", lambda **kw: Conv1D(3, 2, bias_initializer="uniform", **kw), (6, 2),
         lambda x, w: conv(x, w[0], (1,), bias=w[1])),
    Case("conv1d_causal_dilated", lambda **kw: Conv1D(2, 2, padding="causal", dilation_rate=2, **kw), (5, 1),
         lambda x, w: conv(x, w[0], (1,), "causal", (2,), w[1])),
    Case("conv1d_same_strided_no_bias", lambda **kw: Conv1D(2, 3, strides=2, padding="same", use_bias=False, **kw),
         (7, 2), lambda x, w: conv(x, w[0], (2,), "same")),
    Case("conv2d_relu", lambda **kw: Conv2D(3, (3, 2), activation="relu", bias_initializer="uniform", **kw),
         (5, 4, 2), lambda x, w: relu(conv(x, w[0], (1, 1), bias=w[1]))),
    Case("conv2d_same_strided_channels_first",
         lambda **kw: Conv2D(2, 3, strides=2, padding="same", data_format="channels_first", **kw), (2, 5, 4),
         lambda x, w: conv(x, w[0], (2, 2), "same", bias=w[1], channels_first=True)),
    Case("conv2d_dilated", lambda **kw: Conv2D(2, 2, dilation_rate=(2, 1), **kw), (5, 4, 1),
         lambda x, w: conv(x, w[0], (1, 1), dilation=(2, 1), bias=w[1])),
    Case("conv3d", lambda **kw: Conv3D(2, (2, 2, 1), strides=(1, 2, 1), **kw), (3, 4, 2, 2),
         lambda x, w: conv(x, w[0], (1, 2, 1), bias=w[1])),
    Case("conv2d_transpose_same", lambda **kw: Conv2DTranspose(2, 3, strides=2, padding="same",
                                                               bias_initializer="uniform", **kw), (2, 3, 2),
         lambda x, w: transposed(x, w[0], (2, 2), "same", (4, 6), w[1])),
    Case("conv2d_transpose_valid_output_padding",
         lambda **kw: Conv2DTranspose(1, (3, 2), strides=(2, 2), output_padding=1, **kw), (2, 2, 2),
         lambda x, w: transposed(x, w[0], (2, 2), "valid", (6, 5), w[1])),
    Case("conv2d_transpose_channels_first", lambda **kw: Conv2DTranspose(2, 2, data_format="channels_first", **kw),
         (1, 2, 3), lambda x, w: transposed(x, w[0], (1, 1), "valid", (3, 4), w[1], channels_first=True)),
    Case("conv3d_transpose", lambda **kw: Conv3DTranspose(1, 2, strides=(2, 1, 1), **kw), (2, 1, 2, 1),
         lambda x, w: transposed(x, w[0], (2, 1, 1), "valid", (4, 2, 3), w[1])),
    Case("separable_conv1d", lambda **kw: SeparableConv1D(3, 2, depth_multiplier=2, bias_initializer="uniform", **kw),
         (5, 2), lambda x, w: conv(conv(x, w[0], (1,), depthwise=True), w[1], (1,), bias=w[2])),
    Case("separable_conv2d_same", lambda **kw: SeparableConv2D(2, 3, padding="same", strides=2, **kw), (4, 5, 2),
         lambda x, w: conv(conv(x, w[0], (2, 2), "same", depthwise=True), w[1], (1, 1), bias=w[2])),
    Case("depthwise_conv2d", lambda **kw: DepthwiseConv2D(2, depth_multiplier=2, bias_initializer="uniform", **kw),
         (3, 4, 2), lambda x, w: conv(x, w[0], (1, 1), depthwise=True, bias=w[1])),
    Case("depthwise_conv2d_channels_first", lambda **kw: DepthwiseConv2D((2, 1), data_format="channels_first", **kw),
         (2, 3, 3), lambda x, w: conv(x, w[0], (1, 1), depthwise=True, bias=w[1], channels_first=True)),
    Case("upsampling1d", lambda **kw: UpSampling1D(3, **kw), (2, 2), lambda x, w: x.repeat(3, axis=1)),
    Case("upsampling2d", lambda **kw: UpSampling2D((2, 1), **kw), (2, 3, 1), lambda x, w: x.repeat(2, axis=1)),
    Case("upsampling3d_channels_first", lambda **kw: UpSampling3D(2, data_format="channels_first", **kw),
         (1, 2, 1, 2), lambda x, w: x.repeat(2, 2).repeat(2, 3).repeat(2, 4)),
    Case("zero_padding1d", lambda **kw: ZeroPadding1D((1, 2), **kw), (3, 2),
         lambda x, w: np.pad(x, ((0, 0), (1, 2), (0, 0)))),
    Case("zero_padding2d", lambda **kw: ZeroPadding2D(((1, 0), (0, 2)), **kw), (2, 2, 1),
         lambda x, w: np.pad(x, ((0, 0), (1, 0), (0, 2), (0, 0)))),
    Case("zero_padding3d_channels_first", lambda **kw: ZeroPadding3D(1, data_format="channels_first", **kw),
         (1, 2, 1, 1), lambda x, w: np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1), (1, 1)))),
    Case("cropping1d", lambda **kw: Cropping1D((0, 2), **kw), (5, 2), lambda x, w: x[:, :3]),
    Case("cropping2d", lambda **kw: Cropping2D(((1, 1), (0, 1)), **kw), (4, 3, 1), lambda x, w: x[:, 1:3, :2]),
    Case("cropping3d_channels_first", lambda **kw: Cropping3D(((1, 0), (0, 1), (1, 1)), data_format="channels_first",
                                                              **kw), (1, 3, 3, 3), lambda x, w: x[:, :, 1:, :2, 1:2]),
]


test_output_matches_numpy_and_compute_output_shape, test_config_round_trip, test_gradient_through_layer = \
    layer_tests(CASES)


def test_weight_layouts_are_keras_layouts():
    def shapes(layer, input_shape):
        layer(Input(shape=input_shape))
        return [(w.name.split("/")[-1], tuple(w.get_value().shape)) for w in layer.weights]

    assert shapes(Conv2D(8, (3, 2)), (9, 9, 4)) == [("kernel", (3, 2, 4, 8)), ("bias", (8,))]
    assert shapes(Conv2D(8, 3, data_format="channels_first"), (4, 9, 9)) == [("kernel", (3, 3, 4, 8)), ("bias", (8,))]
    assert shapes(Conv2DTranspose(8, 3), (5, 5, 4)) == [("kernel", (3, 3, 8, 4)), ("bias", (8,))]
    assert shapes(SeparableConv2D(8, 3, depth_multiplier=2), (5, 5, 4)) == [
        ("depthwise_kernel", (3, 3, 4, 2)), ("pointwise_kernel", (1, 1, 8, 8)), ("bias", (8,))]
    assert shapes(DepthwiseConv2D(3, depth_multiplier=3), (5, 5, 2)) == [
        ("depthwise_kernel", (3, 3, 2, 3)), ("bias", (6,))]


def test_aliases_and_keras_config_keys():
    assert layers.Convolution2D is Conv2D and layers.Deconv2D is Conv2DTranspose
    assert layers.Deconvolution3D is Conv3DTranspose and layers.SeparableConvolution1D is SeparableConv1D
    config = Conv2D(4, 3).get_config()
    assert config["kernel_size"] == (3, 3) and config["strides"] == (1, 1) and config["data_format"] == "channels_last"
    assert "rank" not in config
    separable = SeparableConv2D(4, 3).get_config()
    assert "kernel_initializer" not in separable and "depthwise_initializer" in separable
    assert "dilation_rate" not in Conv3DTranspose(2, 2).get_config()
    assert "filters" not in DepthwiseConv2D(3).get_config()


# -- bad input: a clear error naming the layer and the shapes ------------------------------------
def test_kernel_larger_than_the_input_with_valid_padding():
    with pytest.raises(ValueError, match=r"Conv2D layer conv2d_\d+: a kernel of size \(5, 5\).*does not fit the input "
                                         r"of shape \(None, 4, 4, 3\) with 'valid' padding"):
        Conv2D(2, 5)(Input(shape=(4, 4, 3)))
    assert Conv2D(2, 5, padding="same")(Input(shape=(4, 4, 3)))._keras_shape == (None, 4, 4, 2)


def test_rank_3_input_to_conv2d():
    with pytest.raises(ValueError, match=r"incompatible with layer conv2d_\d+: expected ndim=4, found ndim=3 "
                                         r"\(input shape \(None, 28, 28\)\)"):
        Conv2D(2, 3)(Input(shape=(28, 28)))


def test_channels_that_do_not_match_the_kernel():
    layer = Conv2D(2, 3)
    layer(Input(shape=(8, 8, 3)))
    with pytest.raises(ValueError, match=r"conv2d_\d+: expected axis -1 of input shape to have value 3 but got shape "
                                         r"\(None, 8, 8, 4\)"):
        layer(Input(shape=(8, 8, 4)))


def test_undefined_channels():
    with pytest.raises(ValueError, match=r"Conv1D layer conv1d_\d+: the channel dimension of the inputs should be "
                                         r"defined. Found `None` \(input shape \(None, 5, None\)"):
        Conv1D(2, 3)(Input(batch_shape=(None, 5, None)))


def test_bad_arguments():
    with pytest.raises(ValueError, match="causal padding in `Conv1D`"):
        Conv1D(2, 3, padding="causal", data_format="channels_first")
    with pytest.raises(ValueError, match="padding must be one of"):
        Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match=r"Conv2DTranspose layer conv2d_transpose_\d+: output_padding must be 2 "
                                         r"integers, each >= 0 and smaller than its stride"):
        Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match=r"Cropping2D layer cropping2d_\d+: cropping .* leaves nothing"):
        Cropping2D(((2, 2), (0, 0)))(Input(shape=(4, 4, 1)))
    with pytest.raises(ValueError, match=r"UpSampling2D layer up_sampling2d_\d+: interpolation should be one of "
                                         r"'nearest' or 'bilinear', got 'cubic'"):
        UpSampling2D(interpolation="cubic")


def test_unknown_spatial_sizes_are_computed_at_run_time():
    x = Input(shape=(None, None, 2))
    y = Conv2DTranspose(3, 3, strides=2, padding="same")(Conv2D(2, 3)(x))
    assert y._keras_shape == (None, None, None, 3)
    from tests.keras_helpers import evaluate

    (value,) = evaluate([x], [y], [np.zeros((1, 7, 6, 2), "float32")])
    assert value.shape == (1, 10, 8, 3)


# -- training -------------------------------------------------------------------------------------
def _mnist(n):
    from symkeras.datasets import mnist

    (x, y), _ = mnist.load_data()
    return x[:n, :, :, None].astype("float32") / 255.0, np.eye(10, dtype="float32")[y[:n]]


def test_tiny_cnn_trains_on_the_mnist_subset():
    import symkeras as keras
    from symkeras.layers import Dense, Flatten, MaxPooling2D

    keras.utils.set_random_seed(0)
    x, y = _mnist(512)
    model = keras.models.Sequential([Conv2D(4, 3, activation="relu", input_shape=(28, 28, 1)), MaxPooling2D(),
                                     Conv2D(8, 3, strides=2, activation="relu"), Flatten(),
                                     Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss="categorical_crossentropy", metrics=["accuracy"],
                  mode="py")
    history = model.fit(x, y, batch_size=64, epochs=3, verbose=0).history
    assert history["loss"][-1] < 0.6 * history["loss"][0]
    assert history["acc"][-1] > 0.6


def test_numba_cnn_fit_matches_the_py_linker():
    """One compiled training step of a small CNN (convolutions, pooling, their gradients, Adam) against numpy."""
    import symkeras as keras
    from symkeras.layers import AveragePooling2D, Dense, Flatten, MaxPooling2D

    x, y = _mnist(16)
    x = x[:, ::3, ::3]  # 10x10 images: compiled shapes stay tiny
    results = []
    for mode in ("py", "numba"):
        keras.utils.set_random_seed(0)
        model = keras.models.Sequential([
            Conv2D(3, 3, activation="relu", input_shape=(10, 10, 1)), MaxPooling2D(),
            Conv2D(4, 2, padding="same", strides=2), AveragePooling2D(padding="same"), Flatten(),
            Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy", mode=mode)
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.get_weights(), model.predict(x, batch_size=16)))
    (py_loss, py_weights, py_pred), (nb_loss, nb_weights, nb_pred) = results
    np.testing.assert_allclose(nb_loss, py_loss, rtol=1e-5)
    for nb, py in zip(nb_weights, py_weights):
        np.testing.assert_allclose(nb, py, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(nb_pred, py_pred, rtol=1e-4, atol=1e-5)

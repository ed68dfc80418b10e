"""Advanced activation layers: values against numpy, shapes, configs, gradients, PReLU's weight and errors."""
import numpy as np
import pytest

import symkeras as keras
from symkeras.graph import verify_grad
from symkeras.layers import ELU, PReLU, ReLU, Input, LeakyReLU, Masking, Softmax, ThresholdedReLU
from tests.keras_helpers import LayerCase, assert_config_round_trip, call_with_weights, evaluate


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


CASES = [
    LayerCase("leaky_relu", lambda **kw: LeakyReLU(**kw), (5,), lambda x, w: np.where(x > 0, x, 0.3 * x),
              kinks=[0.0]),
    LayerCase("leaky_relu_alpha", lambda **kw: LeakyReLU(alpha=0.1, **kw), (2, 3),
              lambda x, w: np.where(x > 0, x, 0.1 * x), kinks=[0.0]),
    LayerCase("prelu", lambda **kw: PReLU(alpha_initializer="glorot_uniform", **kw), (2, 3),
              lambda x, w: np.where(x > 0, x, w[0] * x), kinks=[0.0]),
    LayerCase("prelu_shared", lambda **kw: PReLU(alpha_initializer="glorot_uniform", shared_axes=[1, 2], **kw),
              (2, 2, 3), lambda x, w: np.where(x > 0, x, w[0] * x), kinks=[0.0]),
    LayerCase("elu", lambda **kw: ELU(**kw), (5,), lambda x, w: np.where(x > 0, x, np.expm1(x)), kinks=[0.0]),
    LayerCase("elu_alpha", lambda **kw: ELU(alpha=0.5, **kw), (5,),
              lambda x, w: np.where(x > 0, x, 0.5 * np.expm1(x)), kinks=[0.0]),
    LayerCase("thresholded_relu", lambda **kw: ThresholdedReLU(**kw), (5,),
              lambda x, w: np.where(x > 1.0, x, 0.0), kinks=[1.0]),
    LayerCase("thresholded_relu_theta", lambda **kw: ThresholdedReLU(theta=0.2, **kw), (5,),
              lambda x, w: np.where(x > 0.2, x, 0.0), kinks=[0.2]),
    LayerCase("softmax", lambda **kw: Softmax(**kw), (4,), lambda x, w: _softmax(x, -1)),
    LayerCase("softmax_axis1", lambda **kw: Softmax(axis=1, **kw), (3, 4), lambda x, w: _softmax(x, 1)),
    LayerCase("relu", lambda **kw: ReLU(**kw), (5,), lambda x, w: np.maximum(x, 0.0), kinks=[0.0]),
    LayerCase("relu6", lambda **kw: ReLU(6.0, **kw), (5,), lambda x, w: np.clip(x, 0, 6), kinks=[0.0]),
    LayerCase("relu_full", lambda **kw: ReLU(max_value=1.5, negative_slope=0.2, threshold=0.5, **kw), (5,),
              lambda x, w: np.where(x >= 1.5, 1.5, np.where(x >= 0.5, x, 0.2 * (x - 0.5))), kinks=[0.5, 1.5]),
]


def _data(shape, case, seed=0, dtype="float32"):
    """Normal samples kept 0.05 away from the case's kinks (finite differences must not straddle one)."""
    x = np.random.default_rng(seed).normal(size=(3,) + shape)
    for kink in case.kinks:
        x[np.abs(x - kink) < 0.05] = kink + 0.1
    return x.astype(dtype)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_output_matches_numpy_and_compute_output_shape(case):
    layer = case.make()
    x = Input(shape=case.shape)
    y = layer(x)
    data = _data(case.shape, case)
    (value,) = evaluate([x], [y], [data])
    np.testing.assert_allclose(value, case.reference(data, layer.get_weights()), rtol=1e-5, atol=1e-6)
    assert y._keras_shape == layer.compute_output_shape((None,) + case.shape) == (None,) + case.shape


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_config_round_trip(case):
    layer = case.make()
    x = Input(shape=case.shape)
    assert_config_round_trip(layer, x, layer(x), _data(case.shape, case, seed=1))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_gradient_through_layer(case):
    layer = case.make(dtype="float64")
    layer(Input(shape=case.shape, dtype="float64"))
    data = _data(case.shape, case, seed=2, dtype="float64")
    weights = [np.random.default_rng(3).uniform(0.1, 0.5, w.shape) for w in layer.get_weights()]
    verify_grad(lambda x, *ws: call_with_weights(layer, x, ws), [data] + weights)


def test_prelu_weight_shape_and_sharing():
    layer = PReLU(shared_axes=[1, 2])
    layer(Input(shape=(4, 5, 3)))
    assert [w.shape for w in layer.get_weights()] == [(1, 1, 3)]
    assert layer.weights[0].name == f"{layer.name}/alpha"
    np.testing.assert_array_equal(layer.get_weights()[0], 0.0)  # alpha_initializer='zeros': a ReLU at first
    assert PReLU(shared_axes=1).shared_axes == [1]
    unshared = PReLU()
    unshared(Input(shape=(4, 3)))
    assert unshared.get_weights()[0].shape == (4, 3)
    # sharing the spatial axes allows any size there
    free = PReLU(shared_axes=1)
    free(Input(shape=(None, 3)))
    assert free.get_weights()[0].shape == (1, 3)


def test_prelu_errors_name_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"PReLU layer p_bad: shared_axes \[0\] must be axes 1 to 2 .*\(None, 4, 3\)"):
        PReLU(shared_axes=0, name="p_bad")(Input(shape=(4, 3)))
    with pytest.raises(ValueError, match=r"PReLU layer p_none: the input shape \(None, None, 3\) has an undefined"):
        PReLU(name="p_none")(Input(shape=(None, 3)))


def test_prelu_alpha_is_learned():
    model = keras.Sequential([PReLU(alpha_initializer="zeros", input_shape=(2,))])
    model.compile(optimizer=keras.optimizers.SGD(lr=0.5), loss="mse")
    x = np.array([[-1.0, 2.0], [-2.0, -1.0]], "float32")
    y = np.array([[-0.5, 2.0], [-1.0, -0.5]], "float32")
    model.train_on_batch(x, y)
    # the output is relu(x) - alpha * relu(-x); at alpha = 0 the mse gradient with respect to alpha is:
    grad = np.sum(2 * (np.maximum(x, 0) - y) * -np.maximum(-x, 0), axis=0) / x.size
    np.testing.assert_allclose(model.get_weights()[0], -0.5 * grad, rtol=1e-6)
    np.testing.assert_allclose(model.get_weights()[0], [0.625, 0.125], rtol=1e-6)


def test_relu_rejects_negative_parameters():
    with pytest.raises(ValueError, match="max_value of Relu layer cannot be negative value: -1"):
        ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope of Relu layer cannot be negative value: -0.5"):
        ReLU(negative_slope=-0.5)


def test_softmax_on_a_vector_is_an_error():
    with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
        Softmax()(Input(batch_shape=(4,)))


def test_masks_pass_through():
    x = Input(shape=(3, 2))
    masked = Masking(0.0)(x)
    y = LeakyReLU()(masked)
    assert y._keras_history[0].get_output_mask_at(0) is not None


def test_prelu_keras1_init_argument():
    with pytest.warns(UserWarning, match="use `alpha_initializer=` instead of `init=`"):
        layer = PReLU(init="ones")
    layer(Input(shape=(2,)))
    np.testing.assert_array_equal(layer.get_weights()[0], [1.0, 1.0])

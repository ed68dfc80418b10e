"""Keras 1 argument names: converted to Keras 2's with Keras's warning, by one decorator factory."""
import warnings

import numpy as np
import pytest

import symkeras as keras
from symkeras import backend as K
from symkeras.layers import Dense, Dropout, Input, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from symkeras.legacy import interfaces
from symkeras.models import Model, Sequential


@pytest.fixture(autouse=True)
def fresh_names():
    K.reset_uids()


def converted(make, count: int = 1):
    """What `make()` returns and the text of the `count` warnings it raised."""
    with pytest.warns(UserWarning) as record:
        result = make()
    assert len(record) == count, [str(w.message) for w in record]
    return result, " ".join(str(w.message) for w in record)


def test_dense_keras1_arguments():
    dense, message = converted(lambda: Dense(output_dim=3, init="zero", W_regularizer="l2", b_regularizer="l1",
                                             W_constraint="non_neg", b_constraint="unit_norm", bias=True,
                                             input_dim=4))
    assert message.startswith('Update your `Dense` call to the Keras 2 API: `Dense(input_dim=4, units=3, '
                              'kernel_initializer="zero", ')
    assert "use `units=` instead of `output_dim=`" in message and "use `use_bias=` instead of `bias=`" in message
    config = dense.get_config()
    assert config["units"] == 3 and config["use_bias"] is True and config["batch_input_shape"] == (None, 4)
    assert config["kernel_initializer"]["class_name"] == "Zeros"
    assert config["kernel_regularizer"]["config"]["l2"] == pytest.approx(0.01)
    assert config["bias_regularizer"]["config"]["l1"] == pytest.approx(0.01)
    assert config["kernel_constraint"]["class_name"] == "NonNeg"
    assert config["bias_constraint"]["class_name"] == "UnitNorm"

    model = Sequential([dense])
    np.testing.assert_array_equal(model.predict(np.ones((2, 4), "float32")), np.zeros((2, 3), "float32"))
    no_bias, _ = converted(lambda: Dense(2, bias=False))
    assert not no_bias.use_bias


def test_keras2_calls_do_not_warn_and_misuse_is_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Dense(3, kernel_initializer="zeros", use_bias=False)
        Dropout(0.5, None, 1)
    with pytest.raises(TypeError, match=r"`Dense` can accept only 1 positional arguments \('units',\)"):
        Dense(3, "relu")
    with pytest.raises(TypeError, match="received both the legacy keyword argument `output_dim` and the Keras 2 "
                                        "keyword argument `units`"):
        Dense(output_dim=3, units=4)


def test_dropout_layers_keras1_arguments():
    dropout, message = converted(lambda: Dropout(p=0.3))
    assert dropout.rate == pytest.approx(0.3) and message.startswith("Update your `Dropout` call")
    spatial, message = converted(lambda: SpatialDropout1D(p=0.2))
    assert spatial.rate == pytest.approx(0.2) and "`SpatialDropout1D(rate=0.2)`" in message
    spatial2d, message = converted(lambda: SpatialDropout2D(p=0.1, dim_ordering="th"))
    assert spatial2d.data_format == "channels_first" and spatial2d.rate == pytest.approx(0.1)
    assert '`SpatialDropout2D(rate=0.1, data_format="channels_first")`' in message
    spatial3d, _ = converted(lambda: SpatialDropout3D(0.1, dim_ordering="tf"))
    assert spatial3d.data_format == "channels_last"


def test_model_keras1_input_and_output():
    x = Input(shape=(2,))
    y = Dense(1)(x)
    model, message = converted(lambda: Model(input=x, output=y))
    assert model.inputs == [x] and model.outputs == [y]
    assert message.startswith("Update your `Model` call to the Keras 2 API:")


def tiny_model():
    K.set_random_seed(0)
    model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    model.compile("sgd", "categorical_crossentropy")
    return model


class Batches(object):
    """A Keras 1 style generator of (x, y) batches with a `batch_size`, counting what is drawn."""

    batch_size = 4

    def __init__(self):
        self.drawn = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.drawn += 1
        return np.ones((4, 3), "float32"), keras.utils.to_categorical([0, 1, 0, 1], 2)


def test_fit_and_generator_methods_keras1_arguments():
    model = tiny_model()
    history, message = converted(lambda: model.fit(np.ones((4, 3), "float32"), keras.utils.to_categorical([0, 1, 0, 1]),
                                                   nb_epoch=2, verbose=0))
    assert history.epoch == [0, 1] and "use `epochs=` instead of `nb_epoch=`" in message

    batches = Batches()
    history, messages = converted(lambda: model.fit_generator(batches, samples_per_epoch=8, nb_epoch=3, verbose=0,
                                                              max_q_size=2, nb_worker=1, pickle_safe=False), count=2)
    assert "semantics of the Keras 2 argument `steps_per_epoch`" in messages
    assert "Update your `fit_generator` call to the Keras 2 API" in messages
    assert history.epoch == [0, 1, 2] and batches.drawn == 3 * 2  # 8 samples per epoch = 2 batches of 4

    evaluated = Batches()
    _, messages = converted(lambda: model.evaluate_generator(evaluated, val_samples=3), count=2)
    assert evaluated.drawn == 3 and "use `steps=` instead of `val_samples=`" in messages
    predictions, messages = converted(lambda: model.predict_generator(Batches(), val_samples=2), count=2)
    assert predictions.shape == (8, 2) and "Update your `predict_generator` call" in messages


def test_ready_made_tables_for_conv2d_and_lstm():
    class Conv2D(object):
        """The arguments of Keras 2's Conv2D, recorded."""

        @interfaces.legacy_conv2d_support
        def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                     kernel_initializer="glorot_uniform", use_bias=True, **kwargs):
            self.args = dict(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                             data_format=data_format, kernel_initializer=kernel_initializer, use_bias=use_bias,
                             **kwargs)

    conv, message = converted(lambda: Conv2D(32, 3, 3, border_mode="same", subsample=(2, 2), dim_ordering="th",
                                             init="he_normal", bias=False, W_regularizer="l2"))
    assert conv.args == dict(filters=32, kernel_size=(3, 3), strides=(2, 2), padding="same",
                             data_format="channels_first", kernel_initializer="he_normal", use_bias=False,
                             kernel_regularizer="l2")
    assert message.startswith("Update your `Conv2D` call to the Keras 2 API: `Conv2D(32, (3, 3), ")
    by_keyword, _ = converted(lambda: Conv2D(nb_filter=8, nb_row=5, nb_col=1))
    assert by_keyword.args["filters"] == 8 and by_keyword.args["kernel_size"] == (5, 1)
    with pytest.raises(ValueError, match="Pass `strides` as a keyword argument"):
        Conv2D(8, 3, 3, strides=2)

    class LSTM(object):
        """The arguments of Keras 2's LSTM, recorded."""

        @interfaces.legacy_recurrent_support
        def __init__(self, units, **kwargs):
            self.args = dict(units=units, **kwargs)

    lstm, messages = converted(lambda: LSTM(output_dim=8, init="orthogonal", inner_init="zeros",
                                            inner_activation="sigmoid", forget_bias_init="one", W_regularizer="l2",
                                            U_regularizer="l1", b_regularizer="l2", dropout_W=0.1, dropout_U=0.2,
                                            consume_less="gpu", input_dim=5, input_length=7), count=2)
    assert lstm.args == dict(units=8, kernel_initializer="orthogonal", recurrent_initializer="zeros",
                             recurrent_activation="sigmoid", unit_forget_bias=True, kernel_regularizer="l2",
                             recurrent_regularizer="l1", bias_regularizer="l2", dropout=0.1, recurrent_dropout=0.2,
                             implementation=2, input_shape=(7, 5))
    assert "Update your `LSTM` call to the Keras 2 API" in messages and "Use `input_shape` instead" in messages
    with pytest.warns(UserWarning, match="`forget_bias_init` argument has been ignored"):
        assert "unit_forget_bias" not in LSTM(4, forget_bias_init="zero").args


def test_convolution2d_keras1_arguments():
    from symkeras.layers import Conv2D, Convolution2D

    conv, message = converted(lambda: Convolution2D(8, 3, 5, border_mode="same", subsample=(2, 2), dim_ordering="th",
                                                    init="he_normal", bias=False))
    assert (conv.filters, conv.kernel_size, conv.padding, conv.strides) == (8, (3, 5), "same", (2, 2))
    assert (conv.data_format, conv.use_bias) == ("channels_first", False)
    assert type(conv.kernel_initializer).__name__ == "VarianceScaling"
    assert "`Conv2D(8, (3, 5)" in message and "use `padding=` instead of `border_mode=`" in message
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Conv2D(4, (3, 3), strides=(2, 2)).strides == (2, 2)


def test_recurrent_layers_keras1_arguments():
    from symkeras.layers import GRU, LSTM

    lstm, message = converted(lambda: LSTM(output_dim=4, init="he_normal", inner_init="orthogonal",
                                           forget_bias_init="one", inner_activation="sigmoid", dropout_W=0.1,
                                           dropout_U=0.2, consume_less="gpu"))
    assert (lstm.units, lstm.unit_forget_bias, lstm.dropout, lstm.recurrent_dropout) == (4, True, 0.1, 0.2)
    assert lstm.implementation == 2 and lstm.recurrent_activation.__name__ == "sigmoid"
    assert type(lstm.kernel_initializer).__name__ == "VarianceScaling"
    assert "Update your `LSTM` call to the Keras 2 API" in message
    gru, message = converted(lambda: GRU(3, input_dim=5, input_length=7), count=2)
    assert gru.batch_input_shape == (None, 7, 5) and "deprecated. Use `input_shape` instead" in message


def test_keras1_convolution1d_arguments():
    conv, message = converted(lambda: keras.layers.Convolution1D(nb_filter=4, filter_length=3, border_mode="same",
                                                                 subsample_length=2, init="he_normal", bias=False,
                                                                 input_dim=5, input_length=10))
    config = conv.get_config()
    assert (config["filters"], config["kernel_size"], config["strides"], config["padding"]) == (4, (3,), (2,), "same")
    assert config["use_bias"] is False and config["kernel_initializer"]["class_name"] == "VarianceScaling"
    assert config["batch_input_shape"] == (None, 10, 5)
    assert message.startswith("Update your `Conv1D` call to the Keras 2 API: `Conv1D(")


@pytest.mark.parametrize("rank", [1, 2])
def test_atrous_convolutions_are_dilated_convolutions(rank):
    shape = (12, 3) if rank == 1 else (9, 9, 3)
    if rank == 1:
        atrous, message = converted(lambda: keras.layers.AtrousConvolution1D(
            4, 3, atrous_rate=2, border_mode="same", input_shape=shape), count=2)
        plain = keras.layers.Conv1D(4, 3, dilation_rate=2, padding="same", input_shape=shape)
    else:
        atrous, message = converted(lambda: keras.layers.AtrousConvolution2D(
            4, 3, 3, atrous_rate=(2, 2), border_mode="same", input_shape=shape), count=2)
        plain = keras.layers.Conv2D(4, (3, 3), dilation_rate=(2, 2), padding="same", input_shape=shape)
    assert f"The `AtrousConvolution{rank}D` layer has been deprecated" in message
    assert type(atrous) is type(plain) and atrous.get_config()["dilation_rate"] == (2,) * rank
    old, new = Sequential([atrous]), Sequential([plain])
    new.set_weights(old.get_weights())
    x = np.random.default_rng(0).normal(size=(2,) + shape).astype("float32")
    np.testing.assert_allclose(old.predict(x), new.predict(x), rtol=1e-6)

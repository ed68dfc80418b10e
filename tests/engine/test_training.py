"""The training engine: compile, fit and its arguments, evaluate/predict, the *_on_batch and *_generator methods."""
import numpy as np
import pytest

import symkeras as keras
from symkeras import backend as K
from symkeras.datasets import mnist
from symkeras.layers import Dense, Dropout, Input
from tests.engine.training_helpers import (
    classification_data, dense_softmax_gradients, dense_softmax_model, mlp, per_sample_crossentropy,
)


# ------------------------------------------------------------- one step against numpy

def test_sgd_momentum_steps_match_numpy():
    x, y, _ = classification_data(n=10, features=4, classes=3)
    model = dense_softmax_model(4, 3, keras.optimizers.SGD(lr=0.1, momentum=0.9))
    w, b = model.get_weights()
    velocity_w, velocity_b = np.zeros_like(w), np.zeros_like(b)
    for _ in range(3):
        loss, grad_w, grad_b = dense_softmax_gradients(x, y, w, b)
        assert model.train_on_batch(x, y) == pytest.approx(loss, abs=1e-6)
        velocity_w, velocity_b = 0.9 * velocity_w - 0.1 * grad_w, 0.9 * velocity_b - 0.1 * grad_b
        w, b = w + velocity_w, b + velocity_b
        np.testing.assert_allclose(model.get_weights()[0], w, atol=1e-6)
        np.testing.assert_allclose(model.get_weights()[1], b, atol=1e-6)


def test_adam_steps_match_numpy():
    x, y, _ = classification_data(n=10, features=4, classes=3)
    model = dense_softmax_model(4, 3, keras.optimizers.Adam(lr=0.01))
    params = model.get_weights()
    moments = [np.zeros_like(p) for p in params]
    velocities = [np.zeros_like(p) for p in params]
    for t in range(1, 4):
        _, grad_w, grad_b = dense_softmax_gradients(x, y, *params)
        model.train_on_batch(x, y)
        lr_t = 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        for i, g in enumerate([grad_w, grad_b]):
            moments[i] = 0.9 * moments[i] + 0.1 * g
            velocities[i] = 0.999 * velocities[i] + 0.001 * g * g
            params[i] = params[i] - lr_t * moments[i] / (np.sqrt(velocities[i]) + K.epsilon())
        for got, expected in zip(model.get_weights(), params):
            np.testing.assert_allclose(got, expected, atol=1e-6)


# ------------------------------------------------------------------ a real task

@pytest.mark.slow
def test_mlp_reaches_95_percent_on_mnist_subset():
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    model = keras.Sequential([Dense(512, activation="relu", input_shape=(784,)), Dropout(0.2),
                              Dense(512, activation="relu"), Dropout(0.2), Dense(10, activation="softmax")])
    # the subset has 6,000 training images: Adam on batches of 32 gets there in 5 epochs (RMSprop on 128: ~94.5%)
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(), metrics=["accuracy"])
    y_test = keras.utils.to_categorical(y_test, 10)
    history = model.fit(x_train, keras.utils.to_categorical(y_train, 10), batch_size=32, epochs=5, verbose=0,
                        validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert accuracy == pytest.approx(history.history["val_acc"][-1], abs=1e-6)
    assert accuracy >= 0.95


# ------------------------------------------------------------ fit's arguments

def test_validation_split_holds_out_the_last_samples():
    x, y, _ = classification_data(n=50)
    split = mlp()
    history = split.fit(x, y, batch_size=8, epochs=2, validation_split=0.2, shuffle=False, verbose=0)
    plain = mlp()
    plain.fit(x[:40], y[:40], batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(split.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    val_loss, val_acc = split.evaluate(x[40:], y[40:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-5)
    assert history.history["val_acc"][-1] == pytest.approx(val_acc, rel=1e-5)


def test_validation_data_with_sample_weights():
    x, y, _ = classification_data(n=40)
    model = mlp()
    weights = np.r_[np.ones(10), np.zeros(10)]
    history = model.fit(x[:20], y[:20], epochs=1, validation_data=(x[20:], y[20:], weights), verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x[20:30], y[20:30], verbose=0)[0],
                                                            rel=1e-5)


def test_class_weight_weights_each_sample_by_its_class():
    x, y, labels = classification_data(n=30)
    model = mlp()
    scores = per_sample_crossentropy(model, x, y)
    weighted = model.train_on_batch(x, y, class_weight={0: 1.0, 1: 0.0, 2: 3.0})[0]
    weights = np.choose(labels, [1.0, 0.0, 3.0])
    assert weighted == pytest.approx(np.mean(scores * weights) / np.mean(weights != 0), rel=1e-5)


def test_class_weight_changes_the_fit():
    x, y, _ = classification_data(n=30)
    plain, weighted = mlp(), mlp()
    plain.fit(x, y, epochs=1, shuffle=False, verbose=0)
    weighted.fit(x, y, epochs=1, shuffle=False, verbose=0, class_weight={0: 1.0, 1: 5.0, 2: 1.0})
    assert not np.allclose(plain.get_weights()[0], weighted.get_weights()[0])
    with pytest.raises(ValueError, match="must contain all classes"):
        weighted.fit(x, y, epochs=1, verbose=0, class_weight={0: 1.0})


def test_sample_weight_zero_ignores_samples():
    x, y, _ = classification_data(n=30)
    model = mlp()
    weights = np.r_[np.ones(12), np.zeros(18)]
    scores = per_sample_crossentropy(model, x, y)
    assert model.test_on_batch(x, y, sample_weight=weights)[0] == pytest.approx(scores[:12].mean(), rel=1e-5)
    zeroed, subset = mlp(), mlp()
    zeroed.fit(x, y, batch_size=30, epochs=2, sample_weight=weights, verbose=0)
    subset.fit(x[:12], y[:12], batch_size=12, epochs=2, verbose=0)
    for a, b in zip(zeroed.get_weights(), subset.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_shuffle_false_trains_on_batches_in_order():
    x, y, _ = classification_data(n=40)
    fitted, stepped = mlp(), mlp()
    np.random.seed(123)
    fitted.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for _ in range(2):
        for start in range(0, 40, 16):
            stepped.train_on_batch(x[start:start + 16], y[start:start + 16])
    for a, b in zip(fitted.get_weights(), stepped.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    shuffled = mlp()
    shuffled.fit(x, y, batch_size=16, epochs=2, shuffle=True, verbose=0)
    assert not np.allclose(shuffled.get_weights()[0], fitted.get_weights()[0])


def test_batch_shuffle_moves_whole_batches_and_keeps_the_tail_last():
    from symkeras.engine.training_utils import batch_shuffle, make_batches

    np.random.seed(0)
    shuffled = batch_shuffle(np.arange(22), 5)
    blocks = sorted(tuple(shuffled[i:i + 5]) for i in range(0, 20, 5))
    assert blocks == [tuple(range(i, i + 5)) for i in range(0, 20, 5)]
    assert list(shuffled[20:]) == [20, 21]
    assert make_batches(22, 5) == [(0, 5), (5, 10), (10, 15), (15, 20), (20, 22)]


def test_initial_epoch_resumes_counting(capsys):
    x, y, _ = classification_data(n=20)
    model = mlp()
    history = model.fit(x, y, epochs=3, initial_epoch=1, verbose=2)
    assert history.epoch == [1, 2]
    assert len(history.history["loss"]) == 2
    out = capsys.readouterr().out
    assert "Epoch 2/3" in out and "Epoch 3/3" in out and "Epoch 1/3" not in out
    assert model.fit(x, y, epochs=2, initial_epoch=2, verbose=0).epoch == []


def test_steps_per_epoch_feeds_the_whole_arrays_each_step():
    x, y, _ = classification_data(n=20)
    fitted, stepped = mlp(), mlp()
    history = fitted.fit(x, y, steps_per_epoch=3, epochs=1, verbose=0, validation_data=(x, y), validation_steps=2)
    for _ in range(3):
        stepped.train_on_batch(x, y)
    for a, b in zip(fitted.get_weights(), stepped.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert "val_loss" in history.history
    with pytest.raises(ValueError, match="validation_steps"):
        fitted.fit(x, y, steps_per_epoch=2, validation_data=(x, y), verbose=0)


def test_fit_rejects_unknown_keywords_and_converts_nb_epoch():
    x, y, _ = classification_data(n=8)
    model = mlp()
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        model.fit(x, y, epoch=2)
    with pytest.warns(UserWarning, match="nb_epoch"):
        assert model.fit(x, y, nb_epoch=2, verbose=0).epoch == [0, 1]


# ------------------------------------------------------------ bad input, before any training

def _assert_untouched(model, weights):
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


def test_inputs_and_targets_of_different_lengths():
    x, y, _ = classification_data(n=100)
    model = mlp()
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"Found 100 input samples and 99 target samples"):
        model.fit(x, y[:99], verbose=0)
    _assert_untouched(model, before)


def test_wrong_feature_size_names_the_input():
    model = keras.Sequential([Dense(10, input_shape=(784,), name="dense_a")])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"Error when checking input: expected dense_a_input to have shape "
                                         r"\(784,\) but got array with shape \(100,\)"):
        model.fit(np.zeros((5, 100)), np.zeros((5, 10)), verbose=0)
    with pytest.raises(ValueError, match=r"expected dense_a_input to have 2 dimensions"):
        model.predict(np.zeros((5, 28, 28)))


def test_target_that_does_not_fit_the_output_names_it():
    inputs = Input(shape=(4,))
    model = keras.Model(inputs, Dense(10, activation="softmax", name="probs")(inputs))
    model.compile("sgd", "categorical_crossentropy")
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"Error when checking target: expected probs to have shape \(10,\) but "
                                         r"got array with shape \(3,\)"):
        model.fit(np.zeros((5, 4)), np.zeros((5, 3)), verbose=0)
    with pytest.raises(ValueError, match=r"expected probs to have shape \(10,\) but got array with shape \(1,\)"):
        model.fit(np.zeros((5, 4)), np.arange(5), verbose=0)
    _assert_untouched(model, before)


def test_loss_for_another_target_shape_names_the_output():
    from symkeras.engine.training_utils import check_loss_and_target_compatibility

    with pytest.raises(ValueError, match=r"target array of shape \(5, 1\) for output probs .*categorical_crossentropy"):
        check_loss_and_target_compatibility([np.zeros((5, 1))], [keras.losses.categorical_crossentropy], [(None, None)],
                                            ["probs"])
    with pytest.raises(ValueError, match=r"shape \(5, 3\) was passed for output probs of shape \(None, 4\)"):
        check_loss_and_target_compatibility([np.zeros((5, 3))], [keras.losses.mean_squared_error], [(None, 4)],
                                            ["probs"])


def test_compile_errors():
    inputs = Input(shape=(4,))
    model = keras.Model(inputs, [Dense(2, name="a")(inputs), Dense(2, name="b")(inputs)])
    with pytest.raises(ValueError, match="Unknown entry in loss dictionary"), pytest.warns(UserWarning, match="missing"):
        model.compile("sgd", loss={"c": "mse"})
    with pytest.raises(ValueError, match="one entry per model output"):
        model.compile("sgd", loss=["mse"])
    with pytest.raises(ValueError, match="no loss to optimize"):
        model.compile("sgd", loss=None)
    with pytest.raises(RuntimeError, match="compile"):
        keras.Model(inputs, Dense(2)(inputs)).fit(np.zeros((2, 4)), np.zeros((2, 2)), verbose=0)


# ------------------------------------------------------------ functional models

def test_multi_input_multi_output_model_with_shared_layer_trains():
    rng = np.random.RandomState(0)
    left, right = Input(shape=(6,), name="left"), Input(shape=(6,), name="right")
    shared = Dense(8, activation="tanh", name="shared")
    merged = keras.layers.concatenate([shared(left), shared(right)])
    category = Dense(3, activation="softmax", name="category")(merged)
    score = Dense(1, name="score")(merged)
    model = keras.Model([left, right], [category, score])
    model.compile(keras.optimizers.Adam(lr=0.01), loss={"category": "categorical_crossentropy", "score": "mse"},
                  loss_weights={"category": 1.0, "score": 0.5}, metrics={"category": ["accuracy"]})
    assert model.metrics_names == ["loss", "category_loss", "score_loss", "category_acc"]
    xl, xr = rng.normal(size=(64, 6)).astype("float32"), rng.normal(size=(64, 6)).astype("float32")
    labels = (xl[:, 0] + xr[:, 0] > 0).astype(int) + (xl[:, 1] > 1)
    y_cat, y_score = keras.utils.to_categorical(labels, 3), (xl[:, :1] - xr[:, 1:2])
    before = model.evaluate({"left": xl, "right": xr}, {"category": y_cat, "score": y_score}, verbose=0)
    history = model.fit([xl, xr], [y_cat, y_score], epochs=20, batch_size=16, verbose=0)
    after = model.evaluate([xl, xr], [y_cat, y_score], verbose=0)
    assert set(history.history) == {"loss", "category_loss", "score_loss", "category_acc"}
    assert after[0] < 0.5 * before[0]
    assert after[0] == pytest.approx(after[1] + 0.5 * after[2], rel=1e-5)
    predictions = model.predict([xl, xr], batch_size=10)
    assert [p.shape for p in predictions] == [(64, 3), (64, 1)]


def test_nested_model_trains_its_inner_weights():
    x, y, _ = classification_data(n=48)
    inner_input = Input(shape=(8,))
    inner = keras.Model(inner_input, Dense(16, activation="relu")(inner_input), name="inner")
    outer_input = Input(shape=(8,))
    outer = keras.Model(outer_input, Dense(3, activation="softmax")(inner(outer_input)))
    outer.compile(keras.optimizers.SGD(lr=0.1), "categorical_crossentropy", metrics=["acc"])
    inner_before = inner.get_weights()
    history = outer.fit(x, y, epochs=10, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert not np.allclose(inner.get_weights()[0], inner_before[0])


def test_trainable_false_then_recompile_freezes_weights():
    x, y, _ = classification_data(n=32)
    model = mlp()
    frozen = model.layers[0]
    frozen.trainable = False
    model.compile(keras.optimizers.SGD(lr=0.1), "categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_array_equal(frozen.get_weights()[0], before[0])
    assert not np.allclose(model.layers[-1].get_weights()[0], before[2])
    frozen.trainable = True
    model.compile(keras.optimizers.SGD(lr=0.1), "categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.allclose(frozen.get_weights()[0], before[0])


# ------------------------------------------------------------ evaluate / predict

def test_evaluate_and_predict_handle_the_last_partial_batch():
    x, y, _ = classification_data(n=70)
    model = mlp()
    full = model.predict_on_batch(x)
    np.testing.assert_allclose(model.predict(x, batch_size=32), full, atol=1e-6)
    loss, acc = model.evaluate(x, y, batch_size=32, verbose=0)
    assert [loss, acc] == pytest.approx(list(model.test_on_batch(x, y)), rel=1e-5)
    assert model.metrics_names == ["loss", "acc"]
    np.testing.assert_array_equal(model.predict_classes(x), full.argmax(axis=1))
    np.testing.assert_allclose(model.predict(x, steps=2), np.concatenate([full, full]), atol=1e-6)


def test_dropout_is_off_outside_training():
    x, _, _ = classification_data(n=16)
    model = mlp(dropout=0.5)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))


# ------------------------------------------------------------ generators

class ArraySequence(keras.utils.Sequence):
    def __init__(self, x, y, batch_size):
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, index):
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_fit_generator_with_sequence_and_generator():
    x, y, _ = classification_data(n=40)
    model = mlp()
    sequence = ArraySequence(x, y, 16)
    history = model.fit_generator(sequence, epochs=3, verbose=0, validation_data=ArraySequence(x, y, 20))
    assert len(history.history["loss"]) == 3 and "val_acc" in history.history
    assert sequence.epochs_ended >= 2

    def batches():
        while True:
            for start in range(0, 40, 8):
                yield x[start:start + 8], y[start:start + 8]

    history = model.fit_generator(batches(), steps_per_epoch=5, epochs=2, verbose=0, validation_data=(x, y))
    assert history.history["loss"][-1] < history.history["loss"][0] * 1.5
    with pytest.raises(ValueError, match="steps_per_epoch=None"):
        model.fit_generator(batches(), epochs=1)


def test_evaluate_and_predict_generator_match_the_array_methods():
    x, y, _ = classification_data(n=40)
    model = mlp()
    assert model.evaluate_generator(ArraySequence(x, y, 16)) == pytest.approx(model.evaluate(x, y, verbose=0),
                                                                             rel=1e-5)
    np.testing.assert_allclose(model.predict_generator(ArraySequence(x, y, 16)), model.predict(x), atol=1e-6)
    inputs_only = (x[i:i + 10] for i in range(0, 40, 10))
    np.testing.assert_allclose(model.predict_generator(inputs_only, steps=4), model.predict(x), atol=1e-6)
    with pytest.raises(ValueError, match="Output of generator should be a tuple"):
        model.evaluate_generator(iter([x]), steps=1)


# ------------------------------------------------------------ Sequential

def test_sequential_deferred_build_and_config_round_trip():
    x, y, _ = classification_data(n=20)
    model = keras.Sequential()
    model.add(Dense(16, activation="relu"))
    model.add(Dense(3, activation="softmax"))
    assert not model.built and len(model.layers) == 2
    model.compile("sgd", "categorical_crossentropy", metrics=["acc"])
    model.fit(x, y, epochs=1, verbose=0)
    assert model.built and model.input_shape == (None, 8)
    config = model.get_config()
    assert [layer["class_name"] for layer in config["layers"]] == ["Dense", "Dense"]
    clone = keras.Sequential.from_config(config)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x), model.predict(x), atol=1e-6)
    legacy = keras.Sequential.from_config(config["layers"])
    assert len(legacy.layers) == 2


def test_sequential_pop():
    model = mlp()
    model.pop()
    assert len(model.layers) == 1 and model.output_shape == (None, 16)
    model.add(Dense(2, activation="softmax"))
    model.compile("sgd", "categorical_crossentropy")
    model.fit(np.zeros((4, 8)), np.eye(2)[[0, 1, 0, 1]], verbose=0)
    with pytest.raises(TypeError, match="no layers"):
        keras.Sequential().pop()


# ------------------------------------------------------------ reproducibility

def test_set_random_seed_makes_a_fit_reproducible_to_the_last_bit():
    x, y, _ = classification_data(n=64)

    def run():
        keras.utils.set_random_seed(42)
        model = keras.Sequential([Dense(16, activation="relu", input_shape=(8,)), Dropout(0.3),
                                  Dense(3, activation="softmax")])
        model.compile("adam", "categorical_crossentropy")
        return model.fit(x, y, batch_size=8, epochs=3, verbose=0).history["loss"], model.get_weights()

    (loss_a, weights_a), (loss_b, weights_b) = run(), run()
    assert loss_a == loss_b
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------ functions are compiled once

def test_functions_are_compiled_once_and_reused():
    x, y, _ = classification_data(n=20)
    model = mlp()
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25)
    train, test = model.train_function, model.test_function
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25)
    model.train_on_batch(x, y)
    model.evaluate(x, y, verbose=0)
    assert model.train_function is train and model.test_function is test

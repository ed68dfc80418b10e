"""HDF5 saving and loading in Keras 2.2.4's layout: round trips that keep training identical, the file
written attribute by attribute, a file built by hand as Keras writes it, weights files, atomic saves."""
import builtins
import json
import os

import h5py
import numpy as np
import pytest

import symkeras as keras
from symkeras import backend as K
from symkeras.engine import saving
from symkeras.layers import Dense, Dropout, Input, Layer, concatenate
from symkeras.models import Model, Sequential, load_model, model_from_yaml, save_model
from symkeras.utils.io_utils import load_attributes_from_hdf5_group, save_attributes_to_hdf5_group
from tests.engine.training_helpers import classification_data, dense_softmax_gradients, softmax


@pytest.fixture(autouse=True)
def fresh_names():
    K.reset_uids()


def sequential_mlp(hidden: int = 5, seed: int = 1) -> Sequential:
    """Dense relu → Dropout → Dense softmax on 8 features, SGD with momentum and accuracy."""
    K.set_random_seed(seed)
    model = Sequential([Dense(hidden, activation="relu", input_shape=(8,)), Dropout(0.0),
                        Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(lr=0.1, momentum=0.9), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def two_input_two_output_model() -> Model:
    """Two inputs through one shared layer, two outputs with their own losses, Adam."""
    K.set_random_seed(2)
    left, right = Input(shape=(4,), name="left"), Input(shape=(4,), name="right")
    shared = Dense(3, activation="tanh", name="shared")
    merged = concatenate([shared(left), shared(right)])
    out_a = Dense(2, activation="softmax", name="out_a")(merged)
    out_b = Dense(1, name="out_b")(merged)
    model = Model([left, right], [out_a, out_b])
    model.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss={"out_a": "categorical_crossentropy", "out_b": "mse"},
                  loss_weights=[1.0, 0.5], metrics={"out_a": ["accuracy"]})
    return model


def assert_same_arrays(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_array_equal(a, e)


def test_sequential_round_trip_continues_training_identically(tmp_path):
    x, y, _ = classification_data(n=32)
    model = sequential_mlp()
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    model.save(str(tmp_path / "model.h5"))

    loaded = load_model(str(tmp_path / "model.h5"))
    assert isinstance(loaded, Sequential) and loaded.name == model.name
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert_same_arrays(loaded.get_weights(), model.get_weights())
    assert_same_arrays(loaded.optimizer.get_weights(), model.optimizer.get_weights())
    assert loaded.optimizer.get_weights()[0] == 4  # iterations: 4 batches so far
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.metrics_names == ["loss", "acc"]
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))

    resumed = loaded.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    continued = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    assert resumed == continued
    assert_same_arrays(loaded.get_weights(), model.get_weights())


def test_functional_multi_io_round_trip_continues_training_identically(tmp_path):
    rng = np.random.RandomState(0)
    x = [rng.normal(size=(6, 4)).astype("float32") for _ in range(2)]
    y = [keras.utils.to_categorical(rng.randint(0, 2, 6), 2), rng.normal(size=(6, 1)).astype("float32")]
    model = two_input_two_output_model()
    for _ in range(2):
        model.train_on_batch(x, y)
    save_model(model, tmp_path / "functional.h5")

    loaded = load_model(tmp_path / "functional.h5")
    assert type(loaded) is Model and loaded.input_names == ["left", "right"]
    assert loaded.output_names == ["out_a", "out_b"] and loaded.loss_weights == [1.0, 0.5]
    assert loaded.metrics_names == model.metrics_names
    assert_same_arrays(loaded.get_weights(), model.get_weights())
    assert_same_arrays(loaded.optimizer.get_weights(), model.optimizer.get_weights())
    assert_same_arrays(loaded.predict(x), model.predict(x))
    for _ in range(3):
        np.testing.assert_array_equal(loaded.train_on_batch(x, y), model.train_on_batch(x, y))
    assert_same_arrays(loaded.get_weights(), model.get_weights())


def test_the_file_we_write_is_keras_2_2_4s_attribute_by_attribute(tmp_path):
    x, y, _ = classification_data(n=8)
    model = sequential_mlp(hidden=4)
    model.train_on_batch(x, y)
    model.save(str(tmp_path / "model.h5"))

    with h5py.File(tmp_path / "model.h5", "r") as f:
        assert set(f.attrs) == {"keras_version", "backend", "model_config", "training_config"}
        assert set(f) == {"model_weights", "optimizer_weights"}
        for name in f.attrs:  # fixed-length byte strings, which Keras 2.x decodes
            assert f.attrs.get_id(name).dtype.kind == "S", name
        assert f.attrs["keras_version"] == b"2.2.4" and f.attrs["backend"] == b"symkeras"
        assert json.loads(f.attrs["model_config"].decode("utf8")) == json.loads(json.dumps(
            {"class_name": "Sequential", "config": model.get_config()}))
        assert json.loads(f.attrs["training_config"].decode("utf8")) == {
            "optimizer_config": {"class_name": "SGD", "config": model.optimizer.get_config()},
            "loss": "categorical_crossentropy", "metrics": ["accuracy"], "sample_weight_mode": None,
            "loss_weights": None}

        weights = f["model_weights"]
        assert list(weights.attrs["layer_names"]) == [b"dense_1", b"dropout_1", b"dense_2"]
        assert weights.attrs["layer_names"].dtype.kind == "S"
        assert weights.attrs["keras_version"] == b"2.2.4" and weights.attrs["backend"] == b"symkeras"
        empty = weights["dropout_1"].attrs["weight_names"]
        assert empty.dtype == np.float64 and empty.shape == (0,)
        assert len(weights["dropout_1"]) == 0
        for layer in (model.layers[0], model.layers[2]):
            names = [f"{layer.name}/kernel:0", f"{layer.name}/bias:0"]
            assert list(weights[layer.name].attrs["weight_names"]) == [n.encode() for n in names]
            for name, value in zip(names, layer.get_weights()):
                dataset = weights[layer.name][name]
                assert dataset.dtype == np.float32
                np.testing.assert_array_equal(dataset[()], value)
        assert weights["dense_1/dense_1/kernel:0"].shape == (8, 4)

        state = f["optimizer_weights"]
        names = [n.decode() for n in state.attrs["weight_names"]]
        assert names[0] == "SGD/iterations:0" and len(names) == 1 + 4  # iterations + one moment per weight
        iterations = state[names[0]]
        assert iterations.shape == () and iterations.dtype == np.int64 and iterations[()] == 1
        assert_same_arrays([state[n][()] for n in names], model.optimizer.get_weights())


def dense_model_config(units: int, features: int) -> dict:
    """The ``model_config`` Keras 2.2.4 writes for ``Sequential([Dense(units, 'softmax', input_shape)])``."""
    return {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [{
        "class_name": "Dense", "config": {
            "name": "dense_1", "trainable": True, "batch_input_shape": [None, features], "dtype": "float32",
            "units": units, "activation": "softmax", "use_bias": True,
            "kernel_initializer": {"class_name": "VarianceScaling", "config": {
                "scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None}}]}}


@pytest.mark.parametrize("strings", ["h5py2", "h5py3"])
def test_loads_a_file_built_by_hand_as_keras_2_2_4_writes_it(tmp_path, strings):
    """Keras 2.2.4 on TensorFlow: fixed-length byte strings (h5py 2), or variable-length ones (h5py 3)."""
    def text(value: str):
        return np.bytes_(value.encode("utf8")) if strings == "h5py2" else value

    def names(values):
        return np.array([v.encode("utf8") for v in values]) if strings == "h5py2" else values

    rng = np.random.RandomState(3)
    kernel, bias = rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=3).astype("float32")
    velocities = [rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=3).astype("float32")]
    path = str(tmp_path / "keras.h5")
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = text("2.2.4")
        f.attrs["backend"] = text("tensorflow")
        f.attrs["model_config"] = text(json.dumps(dense_model_config(3, 4)))
        f.attrs["training_config"] = text(json.dumps({
            "optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1, "momentum": 0.5, "decay": 0.0,
                                                                 "nesterov": False}},
            "loss": "categorical_crossentropy", "metrics": ["accuracy"], "sample_weight_mode": None,
            "loss_weights": None}))
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = names(["dense_1"])
        group.attrs["backend"] = text("tensorflow")
        group.attrs["keras_version"] = text("2.2.4")
        layer = group.create_group("dense_1")
        layer.attrs["weight_names"] = names(["dense_1/kernel:0", "dense_1/bias:0"])
        layer.create_dataset("dense_1/kernel:0", data=kernel)
        layer.create_dataset("dense_1/bias:0", data=bias)
        state = f.create_group("optimizer_weights")
        state_names = ["SGD/iterations:0", "training/SGD/Variable:0", "training/SGD/Variable_1:0"]
        state.attrs["weight_names"] = names(state_names)
        state.create_dataset(state_names[0], data=np.int64(7))
        state.create_dataset(state_names[1], data=velocities[0])
        state.create_dataset(state_names[2], data=velocities[1])

    model = load_model(path)
    x = rng.normal(size=(5, 4)).astype("float32")
    y = keras.utils.to_categorical([0, 1, 2, 1, 0], 3)
    np.testing.assert_allclose(model.predict(x), softmax(x @ kernel + bias), rtol=1e-5)
    assert model.optimizer.get_weights()[0] == 7 and model.metrics_names == ["loss", "acc"]

    # one step of SGD with momentum from the restored velocities (v = 0.5 v - 0.1 g; w += v)
    _, grad_kernel, grad_bias = dense_softmax_gradients(x, y, kernel, bias)
    model.train_on_batch(x, y)
    new_kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(new_kernel, kernel + 0.5 * velocities[0] - 0.1 * grad_kernel, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_bias, bias + 0.5 * velocities[1] - 0.1 * grad_bias, rtol=1e-5, atol=1e-6)
    assert model.optimizer.get_weights()[0] == 8


def test_save_weights_and_load_weights_by_position(tmp_path):
    source, target = sequential_mlp(seed=1), sequential_mlp(seed=2)
    source.save_weights(str(tmp_path / "weights.h5"))
    with h5py.File(tmp_path / "weights.h5", "r") as f:
        assert set(f.attrs) == {"layer_names", "backend", "keras_version"} and "model_config" not in f.attrs
    target.load_weights(str(tmp_path / "weights.h5"))
    assert_same_arrays(target.get_weights(), source.get_weights())

    # a whole-model file: its model_weights group
    source.save(str(tmp_path / "model.h5"))
    third = sequential_mlp(seed=3)
    third.load_weights(str(tmp_path / "model.h5"))
    assert_same_arrays(third.get_weights(), source.get_weights())


def test_load_weights_errors_name_the_layers_and_shapes_and_assign_nothing(tmp_path):
    sequential_mlp(hidden=5).save_weights(str(tmp_path / "weights.h5"))

    wider = sequential_mlp(hidden=6, seed=4)
    before = wider.get_weights()
    with pytest.raises(ValueError, match=r'Layer #0 \(named "dense_3".*layer "dense_1" in the save file: weight '
                                         r'dense_3/kernel of layer "dense_3" has shape \(8, 6\) in the model but '
                                         r'\(8, 5\) in the file'):
        wider.load_weights(str(tmp_path / "weights.h5"))
    assert_same_arrays(wider.get_weights(), before)

    K.set_random_seed(5)
    deeper = Sequential([Dense(5, input_shape=(8,)), Dense(5), Dense(3)])
    with pytest.raises(ValueError, match=r"containing 2 layers with weights .* into a model with 3 layers"):
        deeper.load_weights(str(tmp_path / "weights.h5"))


def test_load_weights_by_name_and_skip_mismatch(tmp_path):
    source = sequential_mlp(hidden=5)
    source.save_weights(str(tmp_path / "weights.h5"))

    K.set_random_seed(6)
    inputs = Input(shape=(8,))
    hidden = Dense(5, activation="relu", name="dense_1")(inputs)   # same name and shapes: loaded
    head = Dense(4, name="dense_2")(hidden)                         # same name, other shape
    extra = Dense(2, name="extra")(head)                            # not in the file: kept
    other = Model(inputs, extra)
    before = other.get_weights()
    with pytest.raises(ValueError, match=r'weight dense_2/kernel of layer "dense_2" has shape \(5, 4\) in the '
                                         r'model but \(5, 3\) in the file'):
        other.load_weights(str(tmp_path / "weights.h5"), by_name=True)
    assert_same_arrays(other.get_weights(), before)

    with pytest.warns(UserWarning, match="Skipping loading of weights for layer dense_2"):
        other.load_weights(str(tmp_path / "weights.h5"), by_name=True, skip_mismatch=True)
    assert_same_arrays(other.get_layer("dense_1").get_weights(), source.layers[0].get_weights())
    assert_same_arrays(other.get_layer("dense_2").get_weights(), before[2:4])
    assert_same_arrays(other.get_layer("extra").get_weights(), before[4:])


class Unserializable(Layer):
    """A layer whose config json cannot write: saving it fails after the file was begun."""

    def get_config(self):
        return {**super().get_config(), "payload": object()}


def file_state(folder) -> dict:
    return {name: (folder / name).read_bytes() for name in os.listdir(folder)}


def test_a_save_that_fails_halfway_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    good = sequential_mlp()
    good.save(str(tmp_path / "model.h5"))
    good.save_weights(str(tmp_path / "weights.h5"))
    before = file_state(tmp_path)

    inputs = Input(shape=(8,))
    bad = Model(inputs, Unserializable()(Dense(3)(inputs)))
    with pytest.raises(TypeError, match="not JSON serializable|Not JSON Serializable"):
        bad.save(str(tmp_path / "model.h5"))
    assert file_state(tmp_path) == before  # same bytes, and no temporary file left behind

    real_create_dataset, written = h5py.Group.create_dataset, []

    def disk_full_after_one_dataset(self, *args, **kwargs):
        if written:
            raise OSError(28, "No space left on device")
        written.append(args[0])
        return real_create_dataset(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", disk_full_after_one_dataset)
    other = sequential_mlp(seed=9)
    for save in (lambda: other.save(str(tmp_path / "model.h5")),
                 lambda: other.save_weights(str(tmp_path / "weights.h5"))):
        written.clear()
        with pytest.raises(OSError, match="No space left"):
            save()
        assert written == [other.layers[0].name + "/kernel:0"]  # the first dataset was written, then it failed
    assert file_state(tmp_path) == before
    monkeypatch.undo()
    assert_same_arrays(load_model(str(tmp_path / "model.h5")).get_weights(), good.get_weights())


def test_overwrite_false_asks_before_replacing(tmp_path, monkeypatch, capsys):
    path = str(tmp_path / "model.h5")
    first, second = sequential_mlp(seed=1), sequential_mlp(seed=2)
    answers = iter(["n"])
    monkeypatch.setattr(builtins, "input", lambda prompt: next(answers))
    first.save(path, overwrite=False)  # no file yet: no question
    second.save(path, overwrite=False)
    assert_same_arrays(load_model(path).get_weights(), first.get_weights())

    answers = iter(["maybe", "y"])
    second.save(path, overwrite=False)
    assert_same_arrays(load_model(path).get_weights(), second.get_weights())
    assert "Next time specify overwrite=True" in capsys.readouterr().out


def test_save_into_and_load_from_an_open_h5py_group(tmp_path):
    model = two_input_two_output_model()
    with h5py.File(tmp_path / "container.h5", "w") as f:
        save_model(model, f.create_group("experiment/run_1"), include_optimizer=False)
    with h5py.File(tmp_path / "container.h5", "r") as f:
        assert "training_config" not in f["experiment/run_1"].attrs
        with pytest.warns(UserWarning, match="No training configuration found"):
            loaded = load_model(f["experiment/run_1"])
    assert not loaded._is_compiled
    assert_same_arrays(loaded.get_weights(), model.get_weights())


def test_nested_model_and_custom_objects_round_trip(tmp_path):
    def scaled_mse(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1) * 2.0

    K.set_random_seed(7)
    inner = Sequential([Dense(4, activation="tanh", input_shape=(3,)), Dense(4)], name="inner")
    inner.layers[0].trainable = False  # the nested group stores trainable weights first, then the others
    inputs = Input(shape=(3,))
    model = Model(inputs, Dense(2)(inner(inputs)))
    model.compile("sgd", loss=scaled_mse)
    model.save(str(tmp_path / "nested.h5"))
    with h5py.File(tmp_path / "nested.h5", "r") as f:
        assert [n.decode() for n in f["model_weights/inner"].attrs["weight_names"]] == [
            "dense_2/kernel:0", "dense_2/bias:0", "dense_1/kernel:0", "dense_1/bias:0"]

    with pytest.raises(ValueError, match="scaled_mse"):
        load_model(str(tmp_path / "nested.h5"))
    loaded = load_model(str(tmp_path / "nested.h5"), custom_objects={"scaled_mse": scaled_mse})
    assert loaded.loss is scaled_mse
    assert_same_arrays(loaded.get_weights(), model.get_weights())
    x = np.random.RandomState(0).normal(size=(4, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_long_name_lists_are_split_in_chunks_like_keras(tmp_path):
    names = [f"layer_with_a_long_name_{i:05d}_" + "x" * 40 for i in range(1500)]  # ~100 KB
    with h5py.File(tmp_path / "attrs.h5", "w") as f:
        save_attributes_to_hdf5_group(f, "layer_names", names)
        save_attributes_to_hdf5_group(f, "short", ["a", "b"])
        assert "layer_names" not in f.attrs and {"layer_names0", "layer_names1"} <= set(f.attrs)
        assert all(f.attrs[key].nbytes <= 64512 for key in f.attrs)
        assert load_attributes_from_hdf5_group(f, "layer_names") == names
        assert load_attributes_from_hdf5_group(f, "short") == ["a", "b"]


def test_conv_kernels_from_a_theano_file_are_flipped_and_reshaped():
    class Conv2D(Layer):
        """Only the weights of a 2D convolution: kernel (kh, kw, in, out) and bias."""

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (2, 3, 1, 4))
            self.bias = self.add_weight("bias", (4,))
            super().build(input_shape)

    layer = Conv2D()
    layer.build((None, 5, 5, 1))
    kernel, bias = np.arange(24, dtype="float32").reshape(2, 3, 1, 4), np.zeros(4, "float32")
    flipped, _ = saving.preprocess_weights_for_loading(layer, [kernel, bias], "2.2.4", "theano")
    np.testing.assert_array_equal(flipped, kernel[::-1, ::-1])
    same, _ = saving.preprocess_weights_for_loading(layer, [kernel, bias], "2.2.4", "tensorflow")
    np.testing.assert_array_equal(same, kernel)
    # a kernel of another shape is tried in Keras's old axis order: transposed by (3, 2, 0, 1)
    old_order, _ = saving.preprocess_weights_for_loading(layer, [kernel.transpose(2, 3, 1, 0), bias])
    np.testing.assert_array_equal(old_order, kernel)
    reshaped, _ = saving.preprocess_weights_for_loading(layer, [kernel.reshape(6, 4), bias], reshape=True)
    np.testing.assert_array_equal(reshaped, kernel)
    with pytest.raises(ValueError, match="Weights must be of equal size.*shape \\(2, 3, 1, 4\\)"):
        saving.preprocess_weights_for_loading(layer, [np.zeros((5, 4), "float32"), bias], reshape=True)


def test_model_from_yaml_without_pyyaml_says_how_to_install_it(monkeypatch):
    model = sequential_mlp()
    monkeypatch.setitem(__import__("sys").modules, "yaml", None)
    with pytest.raises(ImportError, match="requires PyYAML"):
        model_from_yaml("class_name: Sequential")
    with pytest.raises(ImportError, match="requires PyYAML"):
        model.to_yaml()


def test_load_model_of_a_weights_file_says_what_it_is(tmp_path):
    sequential_mlp().save_weights(str(tmp_path / "weights.h5"))
    with pytest.raises(ValueError, match="No model found.*load_weights"):
        load_model(str(tmp_path / "weights.h5"))


def test_a_save_keeps_the_permissions_and_links_of_the_file_it_replaces(tmp_path):
    first, second = sequential_mlp(seed=1), sequential_mlp(seed=2)
    first.save(str(tmp_path / "model.h5"))
    os.chmod(tmp_path / "model.h5", 0o640)
    os.symlink(tmp_path / "model.h5", tmp_path / "latest.h5")
    second.save(str(tmp_path / "latest.h5"))
    assert os.path.islink(tmp_path / "latest.h5") and os.stat(tmp_path / "model.h5").st_mode & 0o777 == 0o640
    assert_same_arrays(load_model(str(tmp_path / "model.h5")).get_weights(), second.get_weights())


def test_a_subclassed_model_saves_its_weights_but_not_itself(tmp_path):
    class TwoLayers(Model):
        def __init__(self):
            super().__init__(name="two_layers")
            self.hidden, self.head = Dense(3), Dense(1)

        def call(self, inputs):
            return self.head(self.hidden(inputs))

    model = TwoLayers()
    model(Input(shape=(2,)))
    with pytest.raises(NotImplementedError, match="subclassed model"):
        model.save(str(tmp_path / "model.h5"))
    assert not os.path.exists(tmp_path / "model.h5")
    model.save_weights(str(tmp_path / "weights.h5"))
    copy = TwoLayers()
    copy(Input(shape=(2,)))
    copy.load_weights(str(tmp_path / "weights.h5"))
    assert_same_arrays(copy.get_weights(), model.get_weights())


def _recurrent_model(layer) -> Sequential:
    model = Sequential([layer])
    model.build((None, 4, 3))
    return model


@pytest.mark.parametrize("cudnn, plain", [
    (lambda: keras.layers.CuDNNLSTM(5), lambda: keras.layers.LSTM(5, recurrent_activation="sigmoid")),
    (lambda: keras.layers.CuDNNGRU(5),
     lambda: keras.layers.GRU(5, recurrent_activation="sigmoid", reset_after=True)),
    (lambda: keras.layers.Bidirectional(keras.layers.CuDNNLSTM(5)),
     lambda: keras.layers.Bidirectional(keras.layers.LSTM(5, recurrent_activation="sigmoid"))),
])
def test_cudnn_and_plain_recurrent_weights_convert_on_load(tmp_path, cudnn, plain):
    """As Keras 2.2.4: a CuDNN layer's saved weights load into the plain layer (and back) computing the same."""
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    source = _recurrent_model(cudnn())
    rng = np.random.default_rng(1)
    source.set_weights([rng.normal(size=w.shape).astype("float32") for w in source.get_weights()])
    source.save_weights(str(tmp_path / "cudnn.h5"))
    target = _recurrent_model(plain())
    target.load_weights(str(tmp_path / "cudnn.h5"))
    np.testing.assert_allclose(target.predict(x), source.predict(x), rtol=1e-5, atol=1e-6)
    assert [w.shape for w in target.get_weights()] != [w.shape for w in source.get_weights()]
    target.save_weights(str(tmp_path / "plain.h5"))
    back = _recurrent_model(cudnn())
    back.load_weights(str(tmp_path / "plain.h5"))
    np.testing.assert_allclose(back.predict(x), source.predict(x), rtol=1e-5, atol=1e-6)


def test_cudnn_gru_weights_need_a_reset_after_gru(tmp_path):
    source = _recurrent_model(keras.layers.CuDNNGRU(5))
    source.save_weights(str(tmp_path / "cudnn.h5"))
    target = _recurrent_model(keras.layers.GRU(5))
    with pytest.raises(ValueError, match="reset_after=True"):
        target.load_weights(str(tmp_path / "cudnn.h5"))


def test_keras1_per_gate_recurrent_weights_are_fused():
    """A Keras-1 file stores W, U, b per gate (LSTM in the order i, c, f, o); Keras 2 fuses them as i, f, c, o."""
    rng = np.random.default_rng(0)
    lstm = _recurrent_model(keras.layers.LSTM(2)).layers[0]
    gates = {g: [rng.normal(size=s) for s in ((3, 2), (2, 2), (2,))] for g in "icfo"}
    keras1 = [w for g in "icfo" for w in gates[g]]
    kernel, recurrent, bias = saving.preprocess_weights_for_loading(lstm, keras1, original_keras_version="1")
    for part, fused in enumerate((kernel, recurrent, bias)):
        np.testing.assert_array_equal(fused, np.concatenate([gates[g][part] for g in "ifco"], axis=-1))
    assert saving.preprocess_weights_for_loading(lstm, keras1, original_keras_version="2.2.4") == keras1
    gru = _recurrent_model(keras.layers.GRU(2)).layers[0]
    per_gate = [rng.normal(size=s) for _ in "zrh" for s in ((3, 2), (2, 2), (2,))]
    kernel, recurrent, bias = saving.preprocess_weights_for_loading(gru, per_gate, original_keras_version="1")
    np.testing.assert_array_equal(kernel, np.concatenate(per_gate[0::3], axis=-1))
    np.testing.assert_array_equal(recurrent, np.concatenate(per_gate[1::3], axis=-1))
    np.testing.assert_array_equal(bias, np.concatenate(per_gate[2::3], axis=-1))


def test_keras1_convolution_kernels_take_keras2_layouts():
    """Keras 2.2.4's conversions of a Keras-1 file's kernels: Conv1D's extra axis (and Keras 1.1's order),
    channels_first Conv2D/Conv3D, and Conv2DTranspose's swapped channel axes."""
    rng = np.random.default_rng(0)

    def layer(make, shape):
        return Sequential([keras.layers.InputLayer(input_shape=shape), make()]).layers[0]

    def convert(target, kernel):
        bias = np.zeros(target.get_weights()[1].shape)
        got = saving.preprocess_weights_for_loading(target, [kernel, bias], original_keras_version="1")
        assert got[1] is bias and got[0].shape == target.get_weights()[0].shape
        return got[0]

    conv1d = layer(lambda: keras.layers.Conv1D(4, 3), (10, 5))
    k = rng.normal(size=(3, 5, 4))
    np.testing.assert_array_equal(convert(conv1d, k[:, None]), k)  # Keras 1.2: (length, 1, in, filters)
    np.testing.assert_array_equal(convert(conv1d, np.transpose(k[:, None], (3, 2, 0, 1))), k)  # Keras 1.1
    with pytest.raises(ValueError, match=conv1d.name):
        convert(conv1d, rng.normal(size=(2, 1, 5, 4)))
    k = rng.normal(size=(3, 2, 5, 4))  # (rows, cols, in, filters)
    first = layer(lambda: keras.layers.Conv2D(4, (3, 2), data_format="channels_first"), (5, 8, 8))
    np.testing.assert_array_equal(convert(first, np.transpose(k, (3, 2, 0, 1))), k)
    last = layer(lambda: keras.layers.Conv2D(4, (3, 2)), (8, 8, 5))
    np.testing.assert_array_equal(convert(last, k), k)
    transposed = layer(lambda: keras.layers.Conv2DTranspose(4, (3, 2)), (8, 8, 5))  # Keras 2: (rows, cols, out, in)
    np.testing.assert_array_equal(convert(transposed, k), np.transpose(k, (0, 1, 3, 2)))
    k3 = rng.normal(size=(2, 2, 2, 5, 4))
    conv3d = layer(lambda: keras.layers.Conv3D(4, 2, data_format="channels_first"), (5, 4, 4, 4))
    np.testing.assert_array_equal(convert(conv3d, np.transpose(k3, (4, 3, 0, 1, 2))), k3)
    assert saving.preprocess_weights_for_loading(first, [k, np.zeros(4)], original_keras_version="2.2.4")[0] is k

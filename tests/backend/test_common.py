"""Settings: floatx, epsilon, image data format, keras.json."""
import json
import os
import tempfile

import numpy as np
import pytest

from symkeras import backend as K
from symkeras.backend import common


@pytest.fixture(autouse=True)
def restore_settings():
    saved = dict(common._settings)
    yield
    common._settings.update(saved)


def test_defaults_are_keras_defaults():
    assert K.floatx() == "float32"
    assert K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last"
    assert K.backend() == "symkeras"


def test_setters_validate():
    K.set_floatx("float64")
    assert K.floatx() == "float64"
    assert K.cast_to_floatx([1, 2]).dtype == np.float64
    with pytest.raises(ValueError, match="floatx"):
        K.set_floatx("int32")
    K.set_epsilon(1e-4)
    assert K.epsilon() == 1e-4
    K.set_image_data_format("channels_first")
    assert K.image_data_format() == "channels_first"
    with pytest.raises(ValueError, match="data_format"):
        K.set_image_data_format("nchw")


def test_floatx_governs_new_tensors():
    K.set_floatx("float64")
    assert K.dtype(K.placeholder(shape=(2,))) == "float64"
    assert K.dtype(K.variable(1.0)) == "float64"
    assert K.dtype(K.constant(1)) == "float64"
    assert K.dtype(K.random_normal((2,))) == "float64"
    assert K.dtype(K.placeholder(shape=(2,), dtype="int32")) == "int32"


def test_normalize_data_format():
    assert K.normalize_data_format(None) == "channels_last"
    assert K.normalize_data_format("Channels_First") == "channels_first"
    with pytest.raises(ValueError, match="channels_first"):
        K.normalize_data_format("nhwc")


def test_keras_dir_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert K.keras_dir() == str(tmp_path)


def test_keras_dir_falls_back_when_home_is_not_writable(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", "/nonexistent-home")
    assert K.keras_dir() == os.path.join(tempfile.gettempdir(), ".keras")


def test_load_config_reads_keras_json(monkeypatch, tmp_path):
    (tmp_path / "keras.json").write_text(json.dumps(
        {"floatx": "float64", "epsilon": 1e-5, "backend": "tensorflow", "image_data_format": "channels_first"}))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert K.load_config() == {"floatx": "float64", "epsilon": 1e-5, "image_data_format": "channels_first"}
    assert (K.floatx(), K.epsilon(), K.image_data_format()) == ("float64", 1e-5, "channels_first")


def test_load_config_never_fails_and_never_writes(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "missing"))
    assert K.load_config() == {}
    assert not (tmp_path / "missing").exists()
    (tmp_path / "keras.json").write_text("{not json")
    assert K.load_config(str(tmp_path / "keras.json")) == {}
    assert K.floatx() == "float32"


def test_load_config_rejects_invalid_values(tmp_path):
    (tmp_path / "keras.json").write_text(json.dumps({"floatx": "float8"}))
    with pytest.raises(ValueError, match="floatx"):
        K.load_config(str(tmp_path / "keras.json"))

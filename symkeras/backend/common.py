"""Backend settings: floatx, epsilon, image data format, and the Keras config file that sets them.

The settings start from Keras 2's defaults and are then read from ``keras.json`` in the
Keras folder (``$KERAS_HOME``, else ``~/.keras``, else ``<temp dir>/.keras`` when the home
folder is not writable), exactly where Keras 2 looks.  symkeras only reads that file: it
never creates it (a real Keras installed next to symkeras reads it too, and would then be
told to load a backend named after us).
"""
from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, Optional

import numpy as np

_FLOATX_CHOICES = ("float16", "float32", "float64")
_DATA_FORMATS = ("channels_first", "channels_last")

_settings: Dict[str, Any] = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


def backend() -> str:
    """The name of the backend in use.

    # Returns
        The string ``'symkeras'``.
    """
    return "symkeras"


def floatx() -> str:
    """The default float type, as a string.

    # Returns
        ``'float16'``, ``'float32'`` or ``'float64'`` (Keras's default is ``'float32'``).
    """
    return _settings["floatx"]


def set_floatx(floatx: str) -> None:
    """Sets the default float type.

    # Arguments
        floatx: ``'float16'``, ``'float32'`` or ``'float64'``.

    # Raises
        ValueError: for any other value.
    """
    if floatx not in _FLOATX_CHOICES:
        raise ValueError(f"K.set_floatx: unknown floatx type {floatx!r}; expected one of {_FLOATX_CHOICES}")
    _settings["floatx"] = str(floatx)


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (clipping of probabilities, divisions).

    # Returns
        A float (Keras's default is ``1e-07``).
    """
    return _settings["epsilon"]


def set_epsilon(e: float) -> None:
    """Sets the fuzz factor returned by `epsilon()`.

    # Arguments
        e: a float.
    """
    _settings["epsilon"] = float(e)


def image_data_format() -> str:
    """The default image data format convention.

    # Returns
        ``'channels_last'`` (Keras's default) or ``'channels_first'``.
    """
    return _settings["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    """Sets the default image data format convention.

    # Arguments
        data_format: ``'channels_last'`` or ``'channels_first'``.

    # Raises
        ValueError: for any other value.
    """
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"K.set_image_data_format: unknown data_format {data_format!r}; expected one of {_DATA_FORMATS}"
        )
    _settings["image_data_format"] = str(data_format)


def normalize_data_format(value: Optional[str]) -> str:
    """Checks a ``data_format`` argument, `None` meaning the global `image_data_format()`.

    # Arguments
        value: ``None``, ``'channels_last'`` or ``'channels_first'`` (any case).

    # Returns
        ``'channels_last'`` or ``'channels_first'``.

    # Raises
        ValueError: for any other value.
    """
    if value is None:
        return image_data_format()
    data_format = str(value).lower()
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            'The `data_format` argument must be one of "channels_first", "channels_last". Received: ' + str(value)
        )
    return data_format


def cast_to_floatx(x) -> np.ndarray:
    """Casts a numpy array (or a Python number or list) to the default float type.

    # Arguments
        x: a numpy array or anything `numpy.asarray` accepts.

    # Returns
        The same data as a numpy array of dtype `floatx()`.
    """
    return np.asarray(x, dtype=floatx())


def keras_dir() -> str:
    """The Keras folder: ``$KERAS_HOME``, else ``~/.keras``, else ``<temp dir>/.keras`` when home is not writable.

    It holds ``keras.json`` and the ``datasets``/``models`` caches; it may not exist.
    """
    if "KERAS_HOME" in os.environ:
        return os.path.expanduser(os.environ["KERAS_HOME"])
    home = os.path.expanduser("~")
    return os.path.join(home if os.access(home, os.W_OK) else tempfile.gettempdir(), ".keras")


def load_config(path: Optional[str] = None) -> Dict[str, Any]:
    """Applies the settings of a Keras ``keras.json`` file, if it exists and can be read.

    Keys ``floatx``, ``epsilon`` and ``image_data_format`` are applied; ``backend`` and
    unknown keys are ignored; a missing, unreadable or malformed file changes nothing.

    # Arguments
        path: the file; by default ``keras.json`` in `keras_dir()`.

    # Returns
        The settings read (an empty dict when nothing was read).

    # Raises
        ValueError: when the file holds an invalid floatx, epsilon or data format.
    """
    path = path or os.path.join(keras_dir(), "keras.json")
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, ValueError):
        return {}
    if not isinstance(config, dict):
        return {}
    read = {}
    setters = {"floatx": set_floatx, "epsilon": set_epsilon, "image_data_format": set_image_data_format}
    for key, setter in setters.items():
        if key in config:
            try:
                setter(config[key])
            except (TypeError, ValueError) as error:
                raise ValueError(f"{path}: invalid {key} {config[key]!r} ({error})") from error
            read[key] = config[key]
    return read

"""Keras models (``keras.models``): `Model`, `Sequential`, and models from their saved architecture.

`Model` and `Sequential` are looked up lazily, like in `symkeras.engine`.
"""
import json
from typing import Any, Dict, Optional

_LAZY = {"Model": "symkeras.engine.training", "Sequential": "symkeras.engine.sequential"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'symkeras.models' has no attribute {name!r}")


def model_from_config(config: Dict[str, Any], custom_objects: Optional[Dict[str, Any]] = None):
    """Instantiates a Keras model from its config.

    # Arguments
        config: a dict ``{"class_name": ..., "config": ...}`` (what `layers.serialize` gives).
        custom_objects: custom layer classes and functions, by name.

    # Returns
        A Keras model instance (uncompiled).

    # Raises
        TypeError: when `config` is a list (a Sequential model's bare layer list).
    """
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. "
                        "Maybe you meant to use `Sequential.from_config(config)`?")
    from symkeras.layers import deserialize

    return deserialize(config, custom_objects=custom_objects)


def model_from_json(json_string: str, custom_objects: Optional[Dict[str, Any]] = None):
    """Parses a JSON model configuration string (from `model.to_json()`) and returns a model instance.

    # Arguments
        json_string: JSON string encoding a model configuration.
        custom_objects: custom layer classes and functions, by name.

    # Returns
        A Keras model instance (uncompiled).
    """
    return model_from_config(json.loads(json_string), custom_objects=custom_objects)


def model_from_yaml(yaml_string: str, custom_objects: Optional[Dict[str, Any]] = None):
    """Parses a YAML model configuration string (from `model.to_yaml()`) and returns a model instance.

    # Arguments
        yaml_string: YAML string encoding a model configuration.
        custom_objects: custom layer classes and functions, by name.

    # Returns
        A Keras model instance (uncompiled).
    """
    import yaml

    return model_from_config(yaml.safe_load(yaml_string), custom_objects=custom_objects)


__all__ = ["Model", "Sequential", "model_from_config", "model_from_json", "model_from_yaml"]

"""Keras 2 utilities (``keras.utils``): each submodule is one job; its public names are re-exported here."""
from symkeras.utils.generic_utils import (
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects, serialize_keras_object,
)

__all__ = [
    "CustomObjectScope", "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
    "serialize_keras_object",
]

"""Keras 1 compatibility (``keras.legacy``): the converters that accept Keras 1 argument names with a warning."""
from symkeras.legacy.interfaces import generate_legacy_interface, generate_legacy_method_interface

__all__ = ["generate_legacy_interface", "generate_legacy_method_interface"]

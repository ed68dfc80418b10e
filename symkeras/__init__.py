"""symkeras: the Keras 2 API on a symbolic expression graph compiled to Numba."""
__version__ = "0.1.0"

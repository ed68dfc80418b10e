"""Offline datasets in Keras's shapes; nothing is ever downloaded."""
from symkeras.datasets import mnist  # noqa: F401

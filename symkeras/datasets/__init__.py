"""Offline datasets in Keras's shapes; nothing is ever downloaded."""

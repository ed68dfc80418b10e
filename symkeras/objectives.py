"""Legacy alias of `symkeras.losses` (Keras 1's ``keras.objectives``)."""
from symkeras.losses import *  # noqa: F401,F403

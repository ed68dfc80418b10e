"""Keras 2 utilities (``keras.utils``): each submodule is one job; its public names are re-exported here."""
from symkeras.utils.data_utils import Sequence, get_file
from symkeras.utils.generic_utils import (
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects, serialize_keras_object,
)
from symkeras.utils.np_utils import normalize, to_categorical
from symkeras.utils.progbar import Progbar


def set_random_seed(seed: int) -> None:
    """Makes a whole run reproducible: weights, dropout masks and shuffling (`K.set_random_seed`).

    # Arguments
        seed: an int.
    """
    # imported here: the backend imports utils, and `import symkeras.utils` stays light
    from symkeras import backend as K

    K.set_random_seed(seed)

__all__ = [
    "CustomObjectScope", "Progbar", "Sequence", "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
    "get_file", "normalize", "serialize_keras_object", "set_random_seed", "to_categorical",
]

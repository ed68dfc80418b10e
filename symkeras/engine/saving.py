"""Saving and loading models in Keras 2.2.4's HDF5 layout: architecture, weights, training config and
optimizer state (``keras.engine.saving``).

The files are Keras's own (see keras2-api.md section 5): root attributes ``keras_version``,
``backend``, ``model_config`` and ``training_config``; a ``model_weights`` group with one group per
layer holding ``weight_names`` and the weights as datasets named ``<layer>/<weight>:0``; an
``optimizer_weights`` group.  Keras 2.2.4 reads what we write and we read what it writes.  A save
to a path goes to a temporary file next to the target, renamed onto it only when complete.
"""
from __future__ import annotations

import contextlib
import json
import os
import warnings
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from symkeras import backend as K
from symkeras import optimizers
from symkeras.engine.network import KERAS_VERSION, Network, get_json_type
from symkeras.utils.io_utils import (
    ask_to_proceed_with_overwrite, atomic_replacement, encode_attribute, load_attributes_from_hdf5_group,
    read_string_attribute, require_yaml, save_attributes_to_hdf5_group,
)

if TYPE_CHECKING:
    import h5py

CustomObjects = Optional[Dict[str, Any]]

#: layers whose first weight is a convolution kernel (flipped between Theano files and ours, see 5.6)
_CONV_LAYERS = ("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "ConvLSTM2D")
#: which backends compute a correlation (the others a true convolution); symkeras correlates, like TensorFlow
_USES_CORRELATION = {"tensorflow": True, "theano": False, "cntk": True, "symkeras": True}


# --------------------------------------------------------------------------- writing

def _write(filepath: Any, overwrite: bool, write: Callable[[h5py.Group], None]) -> None:
    """Run `write` on an open h5py group, or on a new file that atomically replaces the path `filepath`."""
    import h5py  # here, not at the top: it costs a tenth of a second to import

    if isinstance(filepath, h5py.Group):
        write(filepath)
        return
    if not overwrite and os.path.isfile(filepath) and not ask_to_proceed_with_overwrite(filepath):
        return
    with atomic_replacement(filepath) as temporary:
        with h5py.File(temporary, "w") as f:
            write(f)


def _dataset_names(variables: Sequence[Any], scope: str = "") -> List[str]:
    """The dataset name of each variable, as TensorFlow names them: ``dense_1/kernel:0``, unique in a group."""
    names: List[str] = []
    for i, variable in enumerate(variables):
        name = scope + (getattr(variable, "name", None) or f"param_{i}")
        if ":" not in name:
            name += ":0"
        unique, suffix = name, 1
        while unique in names:
            unique, suffix = f"{name}_{suffix}", suffix + 1
        names.append(unique)
    return names


def _write_weights(group: h5py.Group, variables: Sequence[Any], scope: str = "") -> None:
    """The ``weight_names`` attribute of `group` and one dataset per variable, in that order."""
    names = _dataset_names(variables, scope)
    save_attributes_to_hdf5_group(group, "weight_names", names)
    for name, value in zip(names, K.batch_get_value(list(variables))):
        group.create_dataset(name, data=np.asarray(value))


def _write_versions(group: h5py.Group) -> None:
    group.attrs["backend"] = encode_attribute(K.backend())
    group.attrs["keras_version"] = encode_attribute(KERAS_VERSION)


def save_weights_to_hdf5_group(group: h5py.Group, layers: Sequence[Any]) -> None:
    """Writes the weights of `layers` into `group`: ``layer_names``, versions, one group per layer.

    # Arguments
        group: an h5py file or group.
        layers: the layers, in the order loading by position will pair them (``model.layers``).
    """
    save_attributes_to_hdf5_group(group, "layer_names", [layer.name for layer in layers])
    _write_versions(group)
    for layer in layers:
        _write_weights(group.create_group(layer.name), layer.weights)


def _training_config(model: Network) -> Dict[str, Any]:
    """What `compile` was given, as Keras 2.2.4 records it (plus ``weighted_metrics`` when set, like 2.3)."""
    config = {"optimizer_config": {"class_name": type(model.optimizer).__name__,
                                   "config": model.optimizer.get_config()},
              "loss": model.loss, "metrics": model.metrics, "sample_weight_mode": model.sample_weight_mode,
              "loss_weights": model.loss_weights}
    if getattr(model, "weighted_metrics", None):
        config["weighted_metrics"] = model.weighted_metrics
    return config


def _serialize_model(model: Network, f: h5py.Group, include_optimizer: bool) -> None:
    """Writes the whole model into the open file or group `f`."""
    _write_versions(f)
    f.attrs["model_config"] = encode_attribute(json.dumps(
        {"class_name": type(model).__name__, "config": model.get_config()}, default=get_json_type))
    save_weights_to_hdf5_group(f.create_group("model_weights"), model.layers)
    if include_optimizer and getattr(model, "optimizer", None) is not None:
        f.attrs["training_config"] = encode_attribute(json.dumps(_training_config(model), default=get_json_type))
        if model.optimizer.weights:
            _write_weights(f.create_group("optimizer_weights"), model.optimizer.weights,
                           scope=type(model.optimizer).__name__ + "/")


def save_model(model: Network, filepath: Any, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Saves a model to an HDF5 file: architecture, weights, training configuration and optimizer state.

    The file is Keras 2.2.4's: `keras.models.load_model` reads it, and `load_model` reads Keras's.
    Saved to a path, the model goes into a temporary file in the same folder that replaces
    `filepath` only when complete: a save that fails keeps the previous file intact.

    # Arguments
        model: the model to save.
        filepath: a path (str or `os.PathLike`), or an open `h5py.File` / `h5py.Group` to write into.
        overwrite: whether to overwrite an existing file silently (False: ask on stdin).
        include_optimizer: whether to save the training configuration and the optimizer state.

    # Raises
        NotImplementedError: for a subclassed model (it has no config).
    """
    if not getattr(model, "_is_graph_network", True):
        raise NotImplementedError("Saving a subclassed model to HDF5 is not supported (it has no config): "
                                  "use `save_weights` instead.")
    _write(filepath, overwrite, lambda f: _serialize_model(model, f, include_optimizer))


def save_weights(model: Network, filepath: Any, overwrite: bool = True) -> None:
    """Writes the weights of all layers of `model` to an HDF5 weights file (the body of `Network.save_weights`)."""
    _write(filepath, overwrite, lambda f: save_weights_to_hdf5_group(f, model.layers))


# --------------------------------------------------------------------------- reading

@contextlib.contextmanager
def _opened(filepath: Any) -> Iterator[h5py.Group]:
    """An open h5py group: `filepath` itself when it is one, else the file opened read-only."""
    import h5py

    if isinstance(filepath, h5py.Group):
        yield filepath
    else:
        with h5py.File(filepath, "r") as f:
            yield f


def _read_weights(group: h5py.Group) -> List[np.ndarray]:
    """The arrays of a group written by `_write_weights`, in ``weight_names`` order."""
    return [np.asarray(group[name]) for name in load_attributes_from_hdf5_group(group, "weight_names")]


def _origin(group: h5py.Group) -> Tuple[str, Optional[str]]:
    """The Keras version (``'1'`` when absent, as for Keras 1 files) and the backend that wrote `group`."""
    return read_string_attribute(group, "keras_version") or "1", read_string_attribute(group, "backend")


def _need_convert_kernel(original_backend: Optional[str]) -> bool:
    """Whether conv kernels from `original_backend` must be flipped: it convolves and we correlate, or back."""
    if original_backend not in _USES_CORRELATION:
        return False
    return _USES_CORRELATION[original_backend] != _USES_CORRELATION.get(K.backend(), True)


def _flip_kernel(kernel: np.ndarray) -> np.ndarray:
    """A convolution kernel with its spatial axes reversed (all but the last two), like `convert_kernel`."""
    return np.ascontiguousarray(kernel[(slice(None, None, -1),) * (kernel.ndim - 2)])


#: Keras-1 per-gate arrays (W, U, b of each gate, in the file's gate order) -> their position in Keras 2's fused
#: kernel, recurrent kernel and bias: LSTM's file order i, c, f, o becomes i, f, c, o
_KERAS1_GATE_ORDER = {"GRU": (0, 1, 2), "LSTM": (0, 2, 1, 3), "ConvLSTM2D": (0, 2, 1, 3)}


def _merge_keras1_gates(layer: Any, weights: List[np.ndarray]) -> List[np.ndarray]:
    """A Keras-1 GRU's 9 or LSTM's (ConvLSTM2D's) 12 per-gate arrays as Keras 2's fused three; others unchanged."""
    order = _KERAS1_GATE_ORDER.get(type(layer).__name__)
    if order is None or len(weights) != 3 * len(order):
        return weights
    fused = [np.concatenate([weights[3 * gate + part] for gate in order], axis=-1) for part in range(3)]
    if type(layer).__name__ == "ConvLSTM2D" and layer.data_format == "channels_first":
        fused[:2] = [np.transpose(kernel, (2, 3, 1, 0)) for kernel in fused[:2]]  # (filters, stack, rows, cols)
    return fused


def _keras1_conv1d_kernel(layer: Any, kernel: np.ndarray) -> np.ndarray:
    """A Keras-1 Convolution1D kernel, ``(length, 1, in, filters)`` or Keras 1.1's ``(filters, in, length, 1)``,
    as Keras 2's ``(length, in, filters)``."""
    length, filters = layer.kernel_size[0], layer.filters
    if kernel.ndim != 4:
        raise ValueError(f'layer "{layer.name}": a Keras-1 Convolution1D kernel has 4 dimensions, got shape '
                         f'{kernel.shape}')
    if kernel.shape[:2] != (length, 1) or kernel.shape[3] != filters:
        if kernel.shape[0] != filters or kernel.shape[2:] != (length, 1):
            raise ValueError(f'layer "{layer.name}": the Keras-1 kernel of shape {kernel.shape} fits neither '
                             f'({length}, 1, inputs, {filters}) nor ({filters}, inputs, {length}, 1)')
        kernel = np.transpose(kernel, (2, 3, 1, 0))
    return kernel[:, 0, :, :]


#: Keras-1 kernel layouts as Keras 2's, by layer class and data format (None: either format)
_KERAS1_KERNELS = {
    ("Conv1D", None): lambda layer, kernel: _keras1_conv1d_kernel(layer, kernel),
    ("Conv2D", "channels_first"): lambda layer, kernel: np.transpose(kernel, (2, 3, 1, 0)),
    ("Conv2DTranspose", "channels_last"): lambda layer, kernel: np.transpose(kernel, (0, 1, 3, 2)),
    ("Conv2DTranspose", "channels_first"): lambda layer, kernel: np.transpose(kernel, (2, 3, 0, 1)),
    ("Conv3D", "channels_first"): lambda layer, kernel: np.transpose(kernel, (2, 3, 4, 1, 0)),
}


def _keras1_kernel(layer: Any, weights: List[np.ndarray]) -> List[np.ndarray]:
    """A Keras-1 file's convolution kernel in Keras 2's layout (as Keras 2.2.4 converts it); others unchanged."""
    name = type(layer).__name__
    convert = _KERAS1_KERNELS.get((name, None)) or _KERAS1_KERNELS.get((name, getattr(layer, "data_format", None)))
    if convert is None or not weights:
        return weights
    return [convert(layer, weights[0])] + list(weights[1:])


def preprocess_weights_for_loading(layer: Any, weights: List[np.ndarray], original_keras_version: Optional[str] = None,
                                   original_backend: Optional[str] = None, reshape: bool = False
                                   ) -> List[np.ndarray]:
    """Converts the weights of one layer from a file to what the layer expects.

    Nested models and wrappers (``layer.layer``, ``forward_layer``/``backward_layer``) are
    converted sublayer by sublayer; a Keras-1 file's per-gate GRU/LSTM/ConvLSTM2D arrays are
    fused and its convolution kernels reordered to Keras 2's layout; LSTM/GRU weights saved by
    the CuDNN layers (or the reverse) are converted
    (`convert_rnn_weights`); convolution kernels are flipped when the file comes
    from a backend that convolves (Theano), and reshaped with `reshape=True` or else tried
    in the old ``(3, 2, 0, 1)`` axis order when their shape does not match.

    # Arguments
        layer: the layer the weights are for.
        weights: the arrays read from the file, in its ``weight_names`` order.
        original_keras_version: the ``keras_version`` of the file.
        original_backend: the ``backend`` of the file.
        reshape: reshape convolution kernels of the same size but another shape.

    # Returns
        The list of arrays to assign to ``layer.weights``.

    # Raises
        ValueError: when `reshape` is asked for a kernel of another size.
    """
    weights = list(weights)

    def convert(sublayer: Any, arrays: List[np.ndarray]) -> List[np.ndarray]:
        return preprocess_weights_for_loading(sublayer, arrays, original_keras_version, original_backend, reshape)

    if isinstance(layer, Network):
        # a nested model stores all the trainable weights of its layers, then all the others
        converted: List[np.ndarray] = []
        for count in ([len(sub.trainable_weights) for sub in layer.layers],
                      [len(sub.weights) - len(sub.trainable_weights) for sub in layer.layers]):
            for sublayer, n in zip(layer.layers, count):
                if n:
                    converted += convert(sublayer, weights[:n])
                    weights = weights[n:]
        return converted + weights
    if hasattr(layer, "forward_layer") and hasattr(layer, "backward_layer"):
        half = len(weights) // 2
        return convert(layer.forward_layer, weights[:half]) + convert(layer.backward_layer, weights[half:])
    if type(layer).__name__ == "TimeDistributed":
        return convert(layer.layer, weights)
    from symkeras.layers.cudnn_recurrent import convert_rnn_weights
    from symkeras.layers.recurrent import GRU, LSTM

    if original_keras_version == "1":
        weights = _keras1_kernel(layer, _merge_keras1_gates(layer, weights))
    if isinstance(layer, (LSTM, GRU)):  # also their CuDNN forms, converted into each other
        return convert_rnn_weights(layer, weights)
    if type(layer).__name__ in _CONV_LAYERS and weights:
        expected = tuple(K.int_shape(layer.weights[0]))
        if _need_convert_kernel(original_backend):
            weights[0] = _flip_kernel(weights[0])
            if type(layer).__name__ == "ConvLSTM2D":
                weights[1] = _flip_kernel(weights[1])
        if reshape and expected != weights[0].shape:
            if weights[0].size != int(np.prod(expected)):
                raise ValueError(f"Weights must be of equal size to apply a reshape operation. Layer {layer.name}'s "
                                 f"weights have shape {expected} and size {int(np.prod(expected))}. The weights for "
                                 f"loading have shape {weights[0].shape} and size {weights[0].size}.")
            weights[0] = np.reshape(weights[0], expected)
        elif expected != weights[0].shape and weights[0].ndim == 4:
            weights[0] = np.transpose(weights[0], (3, 2, 0, 1))
            if type(layer).__name__ == "ConvLSTM2D":
                weights[1] = np.transpose(weights[1], (3, 2, 0, 1))
    return weights


def _check_shapes(layer: Any, variables: Sequence[Any], values: Sequence[np.ndarray], file_layer: str
                  ) -> Optional[str]:
    """Why `values` cannot be assigned to the weights of `layer` (count or shape), or None when they can."""
    if len(values) != len(variables):
        return (f'layer "{layer.name}" expects {len(variables)} weight(s), but the saved layer "{file_layer}" has '
                f'{len(values)}')
    for variable, value in zip(variables, values):
        if tuple(K.int_shape(variable)) != tuple(value.shape):
            return (f'weight {variable.name} of layer "{layer.name}" has shape {tuple(K.int_shape(variable))} in '
                    f'the model but {tuple(value.shape)} in the file (saved layer "{file_layer}")')
    return None


def load_weights_from_hdf5_group(f: h5py.Group, layers: Sequence[Any], reshape: bool = False) -> None:
    """Loads weights into `layers` by position: the n-th layer with weights gets the n-th file layer with weights.

    Nothing is assigned unless every layer matches.

    # Arguments
        f: an h5py group written by `save_weights_to_hdf5_group` (a weights file, or ``model_weights``).
        layers: the layers to load into (``model.layers``).
        reshape: reshape convolution kernels of the same size (see `preprocess_weights_for_loading`).

    # Raises
        ValueError: when the numbers of layers with weights differ, or a layer's weight count or
            shapes do not match; the message names both layers and the shapes.
    """
    version, backend = _origin(f)
    model_layers = [layer for layer in layers if layer.weights]
    file_layers = [name for name in load_attributes_from_hdf5_group(f, "layer_names")
                   if load_attributes_from_hdf5_group(f[name], "weight_names")]
    if len(file_layers) != len(model_layers):
        raise ValueError(f"You are trying to load a weight file containing {len(file_layers)} layers with weights "
                         f"({file_layers}) into a model with {len(model_layers)} layers with weights "
                         f"({[layer.name for layer in model_layers]}).")
    assignments = []
    for k, (layer, name) in enumerate(zip(model_layers, file_layers)):
        values = preprocess_weights_for_loading(layer, _read_weights(f[name]), version, backend, reshape)
        problem = _check_shapes(layer, layer.weights, values, name)
        if problem:
            raise ValueError(f'Layer #{k} (named "{layer.name}" in the current model) was found to correspond to '
                             f'layer "{name}" in the save file: {problem}.')
        assignments += zip(layer.weights, values)
    K.batch_set_value(assignments)


def load_weights_from_hdf5_group_by_name(f: h5py.Group, layers: Sequence[Any], skip_mismatch: bool = False,
                                         reshape: bool = False) -> None:
    """Loads the weights of each file layer into every layer of `layers` with the same name.

    Layers without a namesake in the file keep their weights.  Nothing is assigned unless
    every named layer matches (or is skipped).

    # Arguments
        f: an h5py group written by `save_weights_to_hdf5_group`.
        layers: the layers to load into.
        skip_mismatch: skip, with a warning, a layer whose weight count or shapes differ
            from the file's (its weights are left as they are) instead of raising.
        reshape: reshape convolution kernels of the same size.

    # Raises
        ValueError: on a count or shape mismatch when `skip_mismatch` is False.
    """
    version, backend = _origin(f)
    by_name: Dict[str, List[Any]] = {}
    for layer in layers:
        by_name.setdefault(layer.name, []).append(layer)
    assignments = []
    for name in load_attributes_from_hdf5_group(f, "layer_names"):
        saved = _read_weights(f[name])
        for layer in by_name.get(name, []):
            values = preprocess_weights_for_loading(layer, saved, version, backend, reshape)
            problem = _check_shapes(layer, layer.weights, values, name)
            if problem and skip_mismatch:
                warnings.warn(f"Skipping loading of weights for layer {layer.name}: {problem}.", stacklevel=3)
            elif problem:
                raise ValueError(f"Cannot load weights by name: {problem}.")
            else:
                assignments += zip(layer.weights, values)
    K.batch_set_value(assignments)


def load_weights(model: Network, filepath: Any, by_name: bool = False, skip_mismatch: bool = False,
                 reshape: bool = False) -> None:
    """Loads weights from a weights file or a whole-model file (its ``model_weights``) into `model`."""
    with _opened(filepath) as f:
        if "layer_names" not in f.attrs and "layer_names0" not in f.attrs and "model_weights" in f:
            f = f["model_weights"]
        if by_name:
            load_weights_from_hdf5_group_by_name(f, model.layers, skip_mismatch=skip_mismatch, reshape=reshape)
        else:
            load_weights_from_hdf5_group(f, model.layers, reshape=reshape)


def _convert_custom_objects(obj: Any, custom_objects: CustomObjects) -> Any:
    """`obj` (a loss or metrics entry of a training config) with names of `custom_objects` replaced by them."""
    if isinstance(obj, list):
        return [_convert_custom_objects(item, custom_objects) for item in obj]
    if isinstance(obj, dict):
        return {key: _convert_custom_objects(value, custom_objects) for key, value in obj.items()}
    if isinstance(obj, str) and custom_objects and obj in custom_objects:
        return custom_objects[obj]
    return obj


def _compile_from(model: Network, f: h5py.Group, custom_objects: CustomObjects) -> None:
    """Compiles `model` as the file's ``training_config`` says and restores the optimizer state."""
    training_config = json.loads(read_string_attribute(f, "training_config"))
    optimizer = optimizers.deserialize(training_config["optimizer_config"], custom_objects=custom_objects)
    model.compile(optimizer=optimizer,
                  loss=_convert_custom_objects(training_config["loss"], custom_objects),
                  metrics=_convert_custom_objects(training_config["metrics"], custom_objects),
                  loss_weights=training_config.get("loss_weights"),
                  sample_weight_mode=training_config.get("sample_weight_mode"),
                  weighted_metrics=_convert_custom_objects(training_config.get("weighted_metrics"), custom_objects))
    if "optimizer_weights" in f:
        # the optimizer creates its state with the training function
        model._make_train_function()
        try:
            model.optimizer.set_weights(_read_weights(f["optimizer_weights"]))
        except ValueError as error:
            warnings.warn(f"Error in loading the saved optimizer state ({error}). As a result, your model is "
                          f"starting with a freshly initialized optimizer.", stacklevel=3)


def load_model(filepath: Any, custom_objects: CustomObjects = None, compile: bool = True) -> Network:
    """Loads a model saved by `save_model` (or by Keras 2.x).

    # Arguments
        filepath: a path, or an open `h5py.File` / `h5py.Group`.
        custom_objects: custom layers, losses, metrics and optimizers, by name.
        compile: whether to compile the model with the saved training configuration and
            restore the optimizer state, so that training continues where it stopped.

    # Returns
        The model (compiled when the file has a training configuration and `compile` is True).

    # Raises
        ValueError: for a file without a model configuration.
    """
    with _opened(filepath) as f:
        model_config = read_string_attribute(f, "model_config")
        if model_config is None:
            raise ValueError(f"No model found in config of {filepath!r}: it has no `model_config` attribute "
                             f"(a weights file? load it with `model.load_weights`).")
        model = model_from_config(json.loads(model_config), custom_objects=custom_objects)
        load_weights_from_hdf5_group(f["model_weights"], model.layers)
        if compile and "training_config" not in f.attrs:
            warnings.warn("No training configuration found in save file: the model was *not* compiled. "
                          "Compile it manually.", stacklevel=2)
        elif compile:
            _compile_from(model, f, custom_objects)
    return model


# --------------------------------------------------------------------------- architecture only

def model_from_config(config: Dict[str, Any], custom_objects: CustomObjects = None) -> Network:
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


def model_from_json(json_string: str, custom_objects: CustomObjects = None) -> Network:
    """Parses a JSON model configuration string (from `model.to_json()`) and returns a model instance.

    # Arguments
        json_string: JSON string encoding a model configuration.
        custom_objects: custom layer classes and functions, by name.

    # Returns
        A Keras model instance (uncompiled).
    """
    return model_from_config(json.loads(json_string), custom_objects=custom_objects)


def model_from_yaml(yaml_string: str, custom_objects: CustomObjects = None) -> Network:
    """Parses a YAML model configuration string (from `model.to_yaml()`) and returns a model instance.

    # Arguments
        yaml_string: YAML string encoding a model configuration.
        custom_objects: custom layer classes and functions, by name.

    # Returns
        A Keras model instance (uncompiled).

    # Raises
        ImportError: when PyYAML is not installed.
    """
    return model_from_config(require_yaml().safe_load(yaml_string), custom_objects=custom_objects)


__all__ = ["load_attributes_from_hdf5_group", "load_model", "load_weights_from_hdf5_group",
           "load_weights_from_hdf5_group_by_name", "model_from_config", "model_from_json", "model_from_yaml",
           "preprocess_weights_for_loading", "save_attributes_to_hdf5_group", "save_model",
           "save_weights_to_hdf5_group"]

"""Checks and preparation of user data for the training engine, with Keras 2.2.4's error messages.

Everything here works on numpy arrays and plain Python values; the one symbolic helper,
`weighted_masked_objective`, turns a loss function into the per-output term of the total loss.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras import backend as K

Arrays = List[Optional[np.ndarray]]
Shape = Tuple[Optional[int], ...]


def to_list(x: Any) -> list:
    """`x` if it is a list, a list of its items if it is a tuple, else ``[x]``."""
    if isinstance(x, list):
        return x
    if isinstance(x, tuple):
        return list(x)
    return [x]


def unpack_singleton(x: list) -> Any:
    """The only item of a one-item list, else the list itself."""
    return x[0] if len(x) == 1 else x


def _as_array(x: Any) -> Optional[np.ndarray]:
    """A numpy array (a pandas frame gives its values); a 1-D array gains a feature axis, as in Keras."""
    if x is None:
        return None
    x = x.values if x.__class__.__name__ == "DataFrame" else np.asarray(x)
    return np.expand_dims(x, 1) if x.ndim == 1 else x


def _as_list_of_data(data: Any, names: Sequence[str]) -> list:
    """`data` (an array, a list of arrays, or a dict keyed by name) as one entry per name."""
    if isinstance(data, dict):
        missing = [name for name in names if name not in data]
        if missing:
            raise ValueError('No data provided for "' + missing[0] + '". Need data for each key in: ' + str(list(names)))
        return [data[name] for name in names]
    if isinstance(data, (list, tuple)):
        if data and isinstance(data[0], list):
            return [np.asarray(d) for d in data]
        if len(names) == 1 and data and isinstance(data[0], (float, int)):
            return [np.asarray(data)]
        return list(data)
    return [data]


def standardize_input_data(data: Any, names: Sequence[str], shapes: Optional[Sequence[Optional[Shape]]] = None,
                           check_batch_axis: bool = True, exception_prefix: str = "") -> Arrays:
    """Normalizes inputs and targets provided by users.

    Users may pass data as a list of arrays, dictionary of arrays,
    or as a single array. We normalize this to an ordered list of
    arrays (same order as `names`), while checking that the provided
    arrays have shapes that match the network's expectations.

    # Arguments
        data: User-provided input data (polymorphic).
        names: List of expected array names.
        shapes: Optional list of expected array shapes.
        check_batch_axis: Boolean; whether to check that
            the batch axis of the arrays matches the expected
            value found in `shapes`.
        exception_prefix: String prefix used for exception formatting.

    # Returns
        List of standardized input arrays (one array per model input).

    # Raises
        ValueError: in case of improperly formatted user-provided data.
    """
    if not names:
        if data is not None and hasattr(data, "__len__") and len(data):
            raise ValueError("Error when checking model " + exception_prefix + ": expected no data, but got: " + str(data)[:200])
        return []
    if data is None:
        return [None for _ in names]
    arrays = [_as_array(x) for x in _as_list_of_data(data, names)]
    if len(arrays) != len(names):
        if arrays and hasattr(arrays[0], "shape"):
            raise ValueError("Error when checking model " + exception_prefix + ": the list of Numpy arrays that you are "
                             "passing to your model is not the size the model expected. Expected to see "
                             + str(len(names)) + " array(s), but instead got the following list of " + str(len(arrays))
                             + " arrays: " + str(data)[:200] + "...")
        raise ValueError("Error when checking model " + exception_prefix + ": you are passing a list as input to your "
                         "model, but the model expects a list of " + str(len(names)) + " Numpy arrays instead. The "
                         "list you passed was: " + str(data)[:200])
    for name, array, shape in zip(names, arrays, shapes or [None] * len(names)):
        if shape is not None and array is not None:
            _check_shape(array, name, tuple(shape), check_batch_axis, exception_prefix)
    return arrays


def _check_shape(array: np.ndarray, name: str, shape: Shape, check_batch_axis: bool, exception_prefix: str) -> None:
    """Raises Keras's "expected dense_1_input to have shape (784,) but got array with shape (100,)"."""
    if array.ndim != len(shape):
        raise ValueError("Error when checking " + exception_prefix + ": expected " + name + " to have "
                         + str(len(shape)) + " dimensions, but got array with shape " + str(array.shape))
    data_shape = array.shape if check_batch_axis else array.shape[1:]
    expected = shape if check_batch_axis else shape[1:]
    if any(ref and dim != ref for dim, ref in zip(data_shape, expected)):
        raise ValueError("Error when checking " + exception_prefix + ": expected " + name + " to have shape "
                         + str(expected) + " but got array with shape " + str(data_shape))


def standardize_sample_or_class_weights(x_weight: Any, output_names: Sequence[str], weight_type: str) -> list:
    """Maps `sample_weight` or `class_weight` to model outputs.

    # Arguments
        x_weight: User-provided `sample_weight` or `class_weight` argument.
        output_names: List of output names (strings) in the model.
        weight_type: A string used purely for exception printing.

    # Returns
        A list of `sample_weight` or `class_weight` where there are exactly
            one element per model output.

    # Raises
        ValueError: In case of invalid user-provided argument.
    """
    if x_weight is None or len(x_weight) == 0:
        return [None for _ in output_names]
    if len(output_names) == 1:
        if isinstance(x_weight, list) and len(x_weight) == 1:
            return x_weight
        if isinstance(x_weight, dict) and output_names[0] in x_weight:
            return [x_weight[output_names[0]]]
        return [x_weight]
    if isinstance(x_weight, list):
        if len(x_weight) != len(output_names):
            raise ValueError("Provided `" + weight_type + "` was a list of " + str(len(x_weight)) + " elements, but "
                             "the model has " + str(len(output_names)) + " outputs. You should provide one `"
                             + weight_type + "`array per model output.")
        return x_weight
    if isinstance(x_weight, dict):
        return [x_weight.get(name) for name in output_names]
    raise TypeError("The model has multiple outputs, so `" + weight_type + "` should be either a list or a dict. "
                    "Provided `" + weight_type + "` type not understood: " + str(x_weight))


def check_array_length_consistency(inputs: Arrays, targets: Arrays, weights: Optional[Arrays] = None) -> None:
    """Checks if batch axes are the same for Numpy arrays.

    # Arguments
        inputs: list of Numpy arrays of inputs.
        targets: list of Numpy arrays of targets.
        weights: list of Numpy arrays of sample weights.

    # Raises
        ValueError: in case of incorrectly formatted data.
    """
    def lengths(arrays: Optional[Arrays]) -> set:
        return {a.shape[0] for a in arrays or [] if a is not None}

    set_x, set_y, set_w = lengths(inputs), lengths(targets), lengths(weights)
    if len(set_x) > 1:
        raise ValueError("All input arrays (x) should have the same number of samples. Got array shapes: "
                         + str([x.shape for x in inputs]))
    if len(set_y) > 1:
        raise ValueError("All target arrays (y) should have the same number of samples. Got array shapes: "
                         + str([y.shape for y in targets]))
    if set_x and set_y and set_x != set_y:
        raise ValueError("Input arrays should have the same number of samples as target arrays. Found "
                         + str(set_x.pop()) + " input samples and " + str(set_y.pop()) + " target samples.")
    if len(set_w) > 1:
        raise ValueError("All sample_weight arrays should have the same number of samples. Got array shapes: "
                         + str([w.shape for w in weights]))
    if set_y and set_w and set_y != set_w:
        raise ValueError("Sample_weight arrays should have the same number of samples as target arrays. Got "
                         + str(set_y.pop()) + " input samples and " + str(set_w.pop()) + " target samples.")


def check_loss_and_target_compatibility(targets: Arrays, loss_fns: Sequence[Optional[Callable]],
                                        output_shapes: Sequence[Shape], output_names: Optional[Sequence[str]] = None
                                        ) -> None:
    """Does validation on the compatibility of targets and loss functions.

    This helps prevent users from using loss functions incorrectly. This check
    is purely for UX purposes.

    # Arguments
        targets: list of Numpy arrays of targets.
        loss_fns: list of loss functions.
        output_shapes: list of shapes of model outputs.
        output_names: list of output names, quoted in the error.

    # Raises
        ValueError: if a loss function or target array
            is incompatible with an output.
    """
    from symkeras import losses

    key_losses = {losses.mean_squared_error, losses.binary_crossentropy, losses.categorical_crossentropy}
    names = output_names or [None] * len(targets)
    for y, loss, shape, name in zip(targets, loss_fns, output_shapes, names):
        if y is None or loss is None:
            continue
        where = " for output " + name if name else " for an output"
        if loss is losses.categorical_crossentropy and y.shape[-1] == 1:
            raise ValueError("You are passing a target array of shape " + str(y.shape) + where + " while using as "
                             "loss `categorical_crossentropy`. `categorical_crossentropy` expects targets to be binary "
                             "matrices (1s and 0s) of shape (samples, classes). If your targets are integer classes, "
                             "you can convert them to the expected format via:\n```\nfrom keras.utils import "
                             "to_categorical\ny_binary = to_categorical(y_int)\n```\n\nAlternatively, you can use the "
                             "loss function `sparse_categorical_crossentropy` instead, which does expect integer "
                             "targets.")
        if loss in key_losses and any(out is not None and t != out for t, out in zip(y.shape[1:], shape[1:])):
            raise ValueError("A target array with shape " + str(y.shape) + " was passed" + where + " of shape "
                             + str(shape) + " while using as loss `" + loss.__name__ + "`. This loss expects targets "
                             "to have the same shape as the output.")


def collect_metrics(metrics: Any, output_names: Sequence[str]) -> List[list]:
    """Maps metric functions to model outputs.

    # Arguments
        metrics: a list or dict of metric functions.
        output_names: a list of the names (strings) of model outputs.

    # Returns
        A list (one entry per model output) of lists of metric functions.
        For instance, if the model has 2 outputs, and for the first output
        we want to compute "binary_accuracy" and "binary_crossentropy",
        and just "binary_accuracy" for the second output,
        the list would look like:
            `[[binary_accuracy, binary_crossentropy], [binary_accuracy]]`

    # Raises
        TypeError: if an incorrect type is passed for the `metrics` argument.
    """
    if not metrics:
        return [[] for _ in output_names]
    if isinstance(metrics, (list, tuple)):
        return [copy.copy(list(metrics)) for _ in output_names]
    if isinstance(metrics, dict):
        return [to_list(metrics.get(name, [])) for name in output_names]
    raise TypeError("Type of `metrics` argument not understood. Expected a list or dictionary, found: " + str(metrics))


def batch_shuffle(index_array: np.ndarray, batch_size: int) -> np.ndarray:
    """Shuffles an array in a batch-wise fashion.

    Useful for shuffling HDF5 arrays
    (where one cannot access arbitrary indices).

    # Arguments
        index_array: array of indices to be shuffled.
        batch_size: integer.

    # Returns
        The `index_array` array, shuffled in a batch-wise fashion.
    """
    batch_count = len(index_array) // batch_size
    last_batch = index_array[batch_count * batch_size:]
    whole = index_array[:batch_count * batch_size].reshape((batch_count, batch_size))
    np.random.shuffle(whole)
    return np.append(whole.flatten(), last_batch)


def make_batches(size: int, batch_size: int) -> List[Tuple[int, int]]:
    """Returns a list of batch indices (tuples of indices).

    # Arguments
        size: Integer, total size of the data to slice into batches.
        batch_size: Integer, batch size.

    # Returns
        A list of tuples of array indices.
    """
    num_batches = (size + batch_size - 1) // batch_size
    return [(i * batch_size, min(size, (i + 1) * batch_size)) for i in range(num_batches)]


def slice_arrays(arrays: Union[None, np.ndarray, Arrays], start: Any = None, stop: Optional[int] = None) -> Any:
    """Slices an array or list of arrays.

    This takes an array-like, or a list of
    array-likes, and outputs:
        - arrays[start:stop] if `arrays` is an array-like
        - [x[start:stop] for x in arrays] if `arrays` is a list

    Can also work on list/array of indices: `slice_arrays(x, indices)`

    # Arguments
        arrays: Single array or list of arrays.
        start: can be an integer index (start index)
            or a list/array of indices
        stop: integer (stop index); should be None if
            `start` was a list.

    # Returns
        A slice of the array(s).
    """
    if arrays is None:
        return [None]
    if isinstance(arrays, list):
        return [_slice(x, start, stop) for x in arrays]
    return _slice(arrays, start, stop)


def _slice(x: Optional[np.ndarray], start: Any, stop: Optional[int]) -> Optional[np.ndarray]:
    if x is None:
        return None
    if hasattr(start, "__len__"):
        return x[start]
    return x[start:stop]


def check_num_samples(ins: Arrays, batch_size: Optional[int] = None, steps: Optional[int] = None,
                      steps_name: str = "steps") -> Optional[int]:
    """The number of samples in `ins`, or None when the loop counts `steps` instead.

    # Raises
        ValueError: when both `steps` and `batch_size` are given, or neither data nor `steps`.
    """
    if steps is not None and batch_size is not None:
        raise ValueError("If " + steps_name + " is set, the `batch_size` must be None.")
    if not ins or ins[0] is None:
        if steps is None:
            raise ValueError("If your data is in the form of symbolic tensors, you should specify the `" + steps_name
                             + "` argument (instead of the `batch_size` argument, because symbolic tensors are "
                             "expected to produce batches of input data).")
        return None
    return int(ins[0].shape[0])


def standardize_weights(y: np.ndarray, sample_weight: Optional[np.ndarray] = None,
                        class_weight: Optional[Dict[int, float]] = None,
                        sample_weight_mode: Optional[str] = None) -> np.ndarray:
    """Performs sample weight validation and standardization.

    Everything gets normalized to a single sample-wise (or timestep-wise)
    weight array.

    # Arguments
        y: Numpy array of model targets to be weighted.
        sample_weight: User-provided `sample_weight` argument.
        class_weight: User-provided `class_weight` argument.
        sample_weight_mode: One of `None` or `"temporal"`.
            `"temporal"` indicated that we expect 2D weight data
            that will be applied to the last 2 dimensions of
            the targets (i.e. we are weighting timesteps, not samples).

    # Returns
        A numpy array of target weights, one entry per sample to weight.

    # Raises
        ValueError: In case of invalid user-provided arguments.
    """
    _check_sample_weight_rank(y, sample_weight, sample_weight_mode)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
        if sample_weight.ndim > y.ndim:
            raise ValueError("Found a sample_weight with shape" + str(sample_weight.shape) + ".Expected sample_weight "
                             "with rank less than or equal to " + str(y.ndim))
        if y.shape[:sample_weight.ndim] != sample_weight.shape:
            raise ValueError("Found a sample_weight array with shape " + str(sample_weight.shape) + " for an input "
                             "with shape " + str(y.shape) + ". sample_weight cannot be broadcast.")
        return sample_weight
    if isinstance(class_weight, dict):
        return _class_weights(y, class_weight)
    shape = (y.shape[0],) if sample_weight_mode is None else (y.shape[0], y.shape[1])
    return np.ones(shape, dtype=K.floatx())


def _check_sample_weight_rank(y: np.ndarray, sample_weight: Optional[np.ndarray], mode: Optional[str]) -> None:
    """Sample weights are 1-D per sample, or 2-D per timestep with `sample_weight_mode="temporal"`."""
    ndim = None if sample_weight is None else np.ndim(sample_weight)
    if mode is None:
        if ndim is not None and ndim != 1:
            raise ValueError("Found a sample_weight array with shape " + str(np.shape(sample_weight)) + ". In order "
                             "to use timestep-wise sample weights, you should specify sample_weight_mode=\"temporal\" "
                             "in compile(). If you just mean to use sample-wise weights, make sure your sample_weight "
                             "array is 1D.")
        return
    if mode != "temporal":
        raise ValueError('"sample_weight_mode should be None or "temporal". Found: ' + str(mode))
    if y.ndim < 3:
        raise ValueError("Found a sample_weight array for an input with shape " + str(y.shape) + ". Timestep-wise "
                         "sample weighting (use of sample_weight_mode=\"temporal\") is restricted to outputs that are "
                         "at least 3D, i.e. that have a time dimension.")
    if ndim is not None and ndim != 2:
        raise ValueError("Found a sample_weight array with shape " + str(np.shape(sample_weight)) + ". In order to use "
                         "timestep-wise sample weighting, you should pass a 2D sample_weight array.")


def _class_weights(y: np.ndarray, class_weight: Dict[int, float]) -> np.ndarray:
    """One weight per sample from its class: the argmax of a one-hot row, or the value of a 1-column target."""
    if y.ndim > 2:
        raise ValueError("`class_weight` not supported for 3+ dimensional targets.")
    y_classes = np.argmax(y, axis=1) if y.shape[1] > 1 else np.reshape(y, y.shape[0])
    missing = set(y_classes.tolist()) - set(class_weight)
    if missing:
        raise ValueError("`class_weight` must contain all classes in the data. The classes %s exist in the data but "
                         "not in `class_weight`." % missing)
    return np.asarray([class_weight[c] for c in y_classes.tolist()], dtype=K.floatx())


def weighted_masked_objective(fn: Callable) -> Callable:
    """Adds support for masking and sample-weighting to an objective function.

    It transforms an objective function `fn(y_true, y_pred)`
    into a sample-weighted, cost-masked objective function
    `fn(y_true, y_pred, weights, mask)`.

    # Arguments
        fn: The objective function to wrap,
            with signature `fn(y_true, y_pred)`.

    # Returns
        A function with signature `fn(y_true, y_pred, weights, mask)`.
    """
    if fn is None:
        return None

    def weighted(y_true, y_pred, weights, mask=None):
        score_array = fn(y_true, y_pred)
        if mask is not None:
            # the mean over the mask keeps the loss on the scale of an unmasked batch
            mask = K.cast(mask, K.floatx())
            score_array = score_array * mask
            score_array = score_array / K.mean(mask)
        if weights is not None:
            # reduce score_array to the same ndim as the weight array
            ndim, weight_ndim = K.ndim(score_array), K.ndim(weights)
            if ndim > weight_ndim:
                score_array = K.mean(score_array, axis=list(range(weight_ndim, ndim)))
            score_array = score_array * weights
            score_array = score_array / K.mean(K.cast(K.not_equal(weights, 0), K.floatx()))
        return K.mean(score_array)

    weighted.__name__ = getattr(fn, "__name__", type(fn).__name__)
    return weighted

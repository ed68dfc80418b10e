"""Keras 1 argument names, accepted with a warning (``keras.legacy.interfaces``).

One decorator factory, `generate_legacy_interface`, turns a table of renames (``('output_dim',
'units')``), value conversions (``dim_ordering='th'`` -> ``'channels_first'``) and an optional
preprocessor (for arguments that merge, like ``nb_row, nb_col`` -> ``kernel_size``) into a
decorator for a constructor or a method.  A call that used a Keras 1 name runs with the Keras 2
names and warns like Keras 2.2.4: ``Update your `Dense` call to the Keras 2 API: `Dense(3,
kernel_initializer="zero")```.  The tables for layers that other modules define (Conv1D, Conv2D,
the recurrent layers) are here, ready to decorate them.
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

#: ``(old name, new name)`` pairs
Conversions = Sequence[Tuple[str, str]]
#: old argument name -> {old value: new value}
ValueConversions = Dict[str, Dict[Any, Any]]
#: ``(args, kwargs) -> (args, kwargs, converted)``, `converted` listing ``(new, old)`` names it handled
Preprocessor = Callable[[tuple, dict], Tuple[tuple, dict, List[Tuple[str, str]]]]


def _format_value(value: Any) -> str:
    """A value as the warning shows it: strings quoted, arrays as ``array``, long values cut."""
    if isinstance(value, str):
        return f'"{value}"'
    text = "array" if isinstance(value, np.ndarray) else str(value)
    return text[:10] + "..." if len(text) > 10 else text


def _signature(object_name: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> str:
    """The Keras 2 call the user should write: ``Dense(3, kernel_initializer="zero")``."""
    parts = [_format_value(value) for value in args] + [f"{name}={_format_value(value)}"
                                                        for name, value in kwargs.items()]
    return f"`{object_name}({', '.join(parts)})`"


def _hashable(value: Any) -> bool:
    """Whether `value` can be looked up in a value-conversion table (lists and dicts cannot)."""
    try:
        hash(value)
    except TypeError:
        return False
    return True


def generate_legacy_interface(allowed_positional_args: Optional[Sequence[str]] = None,
                              conversions: Conversions = (), preprocessor: Optional[Preprocessor] = None,
                              value_conversions: Optional[ValueConversions] = None,
                              object_type: str = "class") -> Callable[[Callable], Callable]:
    """A decorator that accepts Keras 1 argument names in a constructor or method and warns.

    # Arguments
        allowed_positional_args: the names of the arguments that may be passed by position
            (more raise a TypeError); None: no check.
        conversions: ``(old name, new name)`` pairs; the value passed under the old name is
            passed under the new one.
        preprocessor: a function ``(args, kwargs) -> (args, kwargs, converted)`` run first,
            for conversions a rename cannot express.
        value_conversions: for an old argument name, a dict mapping its old values to the
            new ones (applied before the rename).
        object_type: ``'class'`` (decorating ``__init__``: the warning names the class) or
            ``'method'`` (the warning names the method).

    # Returns
        The decorator.

    # Example

    ```python
        legacy_dropout_support = generate_legacy_interface(
            allowed_positional_args=['rate', 'noise_shape', 'seed'], conversions=[('p', 'rate')])

        class Dropout(Layer):
            @legacy_dropout_support
            def __init__(self, rate, noise_shape=None, seed=None, **kwargs): ...
    ```
    """
    value_conversions = value_conversions or {}

    def legacy_support(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            object_name = type(args[0]).__name__ if object_type == "class" else func.__name__
            converted: List[Tuple[str, str]] = []
            if preprocessor is not None:
                args, kwargs, converted = preprocessor(args, kwargs)
            if allowed_positional_args is not None and len(args) > len(allowed_positional_args) + 1:
                raise TypeError(f"`{object_name}` can accept only {len(allowed_positional_args)} positional "
                                f"arguments {tuple(allowed_positional_args)}, but you passed the following "
                                f"positional arguments: {list(args[1:])}")
            for old_name, values in value_conversions.items():
                if old_name in kwargs and _hashable(kwargs[old_name]) and kwargs[old_name] in values:
                    kwargs[old_name] = values[kwargs[old_name]]
            for old_name, new_name in conversions:
                if old_name in kwargs:
                    if new_name in kwargs:
                        raise TypeError(f"For the `{new_name}` argument, the layer received both the legacy keyword "
                                        f"argument `{old_name}` and the Keras 2 keyword argument `{new_name}`. "
                                        f"Stick to the latter!")
                    kwargs[new_name] = kwargs.pop(old_name)
                    converted.append((new_name, old_name))
            if converted:
                renames = ", ".join(f"use `{new}=` instead of `{old}=`" for new, old in converted)
                warnings.warn(f"Update your `{object_name}` call to the Keras 2 API: "
                              f"{_signature(object_name, args[1:], kwargs)} ({renames})", stacklevel=2)
            return func(*args, **kwargs)

        wrapper._original_function = func
        return wrapper

    return legacy_support


def generate_legacy_method_interface(**kwargs) -> Callable[[Callable], Callable]:
    """`generate_legacy_interface` for a method: the warning names the method (``fit_generator``)."""
    return generate_legacy_interface(object_type="method", **kwargs)


# -- core layers and models ---------------------------------------------------------------------

#: Keras 1 names of the `Dense` constructor (``input_dim`` is a Keras 2 name of Dense too)
DENSE_CONVERSIONS: Conversions = (("output_dim", "units"), ("init", "kernel_initializer"),
                                  ("W_regularizer", "kernel_regularizer"), ("b_regularizer", "bias_regularizer"),
                                  ("W_constraint", "kernel_constraint"), ("b_constraint", "bias_constraint"),
                                  ("bias", "use_bias"))
#: Keras 1's ``dim_ordering`` values, as ``data_format`` values
DIM_ORDERING_VALUES: ValueConversions = {"dim_ordering": {"tf": "channels_last", "th": "channels_first",
                                                          "default": None}}

legacy_dense_support = generate_legacy_interface(allowed_positional_args=["units"], conversions=DENSE_CONVERSIONS)
legacy_dropout_support = generate_legacy_interface(allowed_positional_args=["rate", "noise_shape", "seed"],
                                                   conversions=[("p", "rate")])
legacy_spatialdropout1d_support = generate_legacy_interface(allowed_positional_args=["rate"],
                                                            conversions=[("p", "rate")])
legacy_spatialdropoutNd_support = generate_legacy_interface(
    allowed_positional_args=["rate"], conversions=[("p", "rate"), ("dim_ordering", "data_format")],
    value_conversions=DIM_ORDERING_VALUES)
legacy_model_constructor = generate_legacy_interface(conversions=[("input", "inputs"), ("output", "outputs")])


# -- training methods -----------------------------------------------------------------------------

def generator_methods_args_preprocessor(args: tuple, kwargs: dict) -> Tuple[tuple, dict, List[Tuple[str, str]]]:
    """Keras 1's ``samples_per_epoch`` as ``steps_per_epoch`` (divided by the generator's ``batch_size``, if any)."""
    converted: List[Tuple[str, str]] = []
    if len(args) < 3 and "samples_per_epoch" in kwargs:
        samples_per_epoch = kwargs.pop("samples_per_epoch")
        generator = args[1] if len(args) > 1 else kwargs.get("generator")
        batch_size = getattr(generator, "batch_size", None)
        kwargs["steps_per_epoch"] = samples_per_epoch // batch_size if batch_size else samples_per_epoch
        converted.append(("steps_per_epoch", "samples_per_epoch"))
    if {"samples_per_epoch", "val_samples", "nb_epoch", "nb_val_samples", "nb_worker"} & set(kwargs) or converted:
        warnings.warn("The semantics of the Keras 2 argument `steps_per_epoch` is not the same as the Keras 1 "
                      "argument `samples_per_epoch`. `steps_per_epoch` is the number of batches to draw from the "
                      "generator at each epoch. Basically steps_per_epoch = samples_per_epoch/batch_size. Similarly "
                      "`nb_val_samples`->`validation_steps` and `val_samples`->`steps` arguments have changed. "
                      "Update your method calls accordingly.", stacklevel=3)
    return args, kwargs, converted


#: Keras 1 names of `fit_generator`, `evaluate_generator` and `predict_generator`
GENERATOR_METHODS_CONVERSIONS: Conversions = (("samples_per_epoch", "steps_per_epoch"), ("val_samples", "steps"),
                                              ("nb_epoch", "epochs"), ("nb_val_samples", "validation_steps"),
                                              ("nb_worker", "workers"), ("pickle_safe", "use_multiprocessing"),
                                              ("max_q_size", "max_queue_size"))

legacy_fit_support = generate_legacy_method_interface(conversions=[("nb_epoch", "epochs")])
legacy_generator_methods_support = generate_legacy_method_interface(
    allowed_positional_args=["generator", "steps_per_epoch", "epochs"], conversions=GENERATOR_METHODS_CONVERSIONS,
    preprocessor=generator_methods_args_preprocessor)


# -- ready for the convolutional and recurrent layers ---------------------------------------------

def conv2d_args_preprocessor(args: tuple, kwargs: dict) -> Tuple[tuple, dict, List[Tuple[str, str]]]:
    """Keras 1's ``Convolution2D(nb_filter, nb_row, nb_col)`` (by position or keyword) as ``kernel_size``."""
    converted: List[Tuple[str, str]] = []
    if len(args) > 4:
        raise TypeError("Layer can receive at most 3 positional arguments.")
    if len(args) == 4 and isinstance(args[2], int) and isinstance(args[3], int):
        if any(name in kwargs for name in ("padding", "strides", "data_format")):
            raise ValueError("It seems that you are using the Keras 2 and you are passing both `kernel_size` and "
                             "`strides` as integer positional arguments. For safety reasons, this is disallowed. "
                             "Pass `strides` as a keyword argument instead.")
        args = (args[0], args[1], (args[2], args[3]))
        converted.append(("kernel_size", "nb_row/nb_col"))
    elif len(args) == 3 and isinstance(args[2], int) and "nb_col" in kwargs:
        args = (args[0], args[1], (args[2], kwargs.pop("nb_col")))
        converted.append(("kernel_size", "nb_row/nb_col"))
    elif len(args) in (1, 2) and "nb_row" in kwargs and "nb_col" in kwargs:
        kernel_size = (kwargs.pop("nb_row"), kwargs.pop("nb_col"))
        if len(args) == 2:
            args = (args[0], args[1], kernel_size)
        else:
            kwargs["kernel_size"] = kernel_size
        converted.append(("kernel_size", "nb_row/nb_col"))
    return args, kwargs, converted


#: Keras 1 names of `Convolution2D` / `Conv2D` (with `conv2d_args_preprocessor` for ``nb_row, nb_col``)
CONV2D_CONVERSIONS: Conversions = (("nb_filter", "filters"), ("subsample", "strides"), ("border_mode", "padding"),
                                   ("dim_ordering", "data_format"), ("init", "kernel_initializer"),
                                   ("W_regularizer", "kernel_regularizer"), ("b_regularizer", "bias_regularizer"),
                                   ("W_constraint", "kernel_constraint"), ("b_constraint", "bias_constraint"),
                                   ("bias", "use_bias"))

legacy_conv2d_support = generate_legacy_interface(
    allowed_positional_args=["filters", "kernel_size"], conversions=CONV2D_CONVERSIONS,
    value_conversions=DIM_ORDERING_VALUES, preprocessor=conv2d_args_preprocessor)


def conv1d_args_preprocessor(args: tuple, kwargs: dict) -> Tuple[tuple, dict, List[Tuple[str, str]]]:
    """Keras 1's ``input_dim, input_length`` of `Convolution1D` as ``input_shape``."""
    converted: List[Tuple[str, str]] = []
    if "input_dim" in kwargs:
        kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim"))
        converted.append(("input_shape", "input_dim"))
    return args, kwargs, converted


#: Keras 1 names of `Convolution1D` / `Conv1D`
CONV1D_CONVERSIONS: Conversions = (("nb_filter", "filters"), ("filter_length", "kernel_size"),
                                   ("subsample_length", "strides"), ("border_mode", "padding"),
                                   ("init", "kernel_initializer"), ("W_regularizer", "kernel_regularizer"),
                                   ("b_regularizer", "bias_regularizer"), ("W_constraint", "kernel_constraint"),
                                   ("b_constraint", "bias_constraint"), ("bias", "use_bias"))

legacy_conv1d_support = generate_legacy_interface(
    allowed_positional_args=["filters", "kernel_size"], conversions=CONV1D_CONVERSIONS,
    preprocessor=conv1d_args_preprocessor)


def recurrent_args_preprocessor(args: tuple, kwargs: dict) -> Tuple[tuple, dict, List[Tuple[str, str]]]:
    """Keras 1's ``forget_bias_init='one'`` as ``unit_forget_bias=True``; ``input_dim, input_length`` as
    ``input_shape``."""
    converted: List[Tuple[str, str]] = []
    if "forget_bias_init" in kwargs:
        if kwargs.pop("forget_bias_init") == "one":
            kwargs["unit_forget_bias"] = True
            converted.append(("unit_forget_bias", "forget_bias_init"))
        else:
            warnings.warn("The `forget_bias_init` argument has been ignored. Use `unit_forget_bias=True` instead to "
                          "initialize with ones.", stacklevel=3)
    if "input_dim" in kwargs:
        kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim"))
        converted.append(("input_shape", "input_dim"))
        warnings.warn("The `input_dim` and `input_length` arguments in recurrent layers are deprecated. Use "
                      "`input_shape` instead.", stacklevel=3)
    return args, kwargs, converted


#: Keras 1 names of `LSTM`, `GRU` and `SimpleRNN` (``consume_less`` becomes ``implementation``)
RECURRENT_CONVERSIONS: Conversions = (("output_dim", "units"), ("init", "kernel_initializer"),
                                      ("inner_init", "recurrent_initializer"),
                                      ("inner_activation", "recurrent_activation"),
                                      ("W_regularizer", "kernel_regularizer"), ("b_regularizer", "bias_regularizer"),
                                      ("U_regularizer", "recurrent_regularizer"), ("dropout_W", "dropout"),
                                      ("dropout_U", "recurrent_dropout"), ("consume_less", "implementation"))
RECURRENT_VALUES: ValueConversions = {"consume_less": {"cpu": 0, "mem": 1, "gpu": 2}}

legacy_recurrent_support = generate_legacy_interface(
    allowed_positional_args=["units"], conversions=RECURRENT_CONVERSIONS, value_conversions=RECURRENT_VALUES,
    preprocessor=recurrent_args_preprocessor)

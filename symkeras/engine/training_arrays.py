"""The loops that run a compiled function over arrays in batches: fit, test (evaluate) and predict."""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Union

import numpy as np

from symkeras import callbacks as cbks
from symkeras.engine.training_utils import (
    batch_shuffle, check_num_samples, make_batches, slice_arrays, to_list, unpack_singleton,
)
from symkeras.utils.progbar import Progbar

Function = Callable[[List[np.ndarray]], List[np.ndarray]]


def as_log_value(value: Any) -> Any:
    """A 0-d array returned by a compiled function as a numpy scalar of its dtype (what Keras logs hold)."""
    return np.asarray(value)[()]


def make_callback_list(model, callbacks: Optional[Sequence[cbks.Callback]], verbose: int, count_mode: str
                       ) -> cbks.CallbackList:
    """`BaseLogger`, `ProgbarLogger` (when verbose), the user's `callbacks`, and a fresh `model.history`."""
    stateful = model.stateful_metric_names
    model.history = cbks.History()
    loggers: List[cbks.Callback] = [cbks.BaseLogger(stateful_metrics=stateful)]
    if verbose:
        loggers.append(cbks.ProgbarLogger(count_mode, stateful_metrics=stateful))
    return cbks.CallbackList(loggers + list(callbacks or []) + [model.history])


def start_training(model, callbacks: cbks.CallbackList, params: dict, validation_data: Any = None) -> Any:
    """Gives the callbacks the model and the run's parameters, then calls ``on_train_begin``; returns the model."""
    callback_model = model._get_callback_model()
    callbacks.set_model(callback_model)
    callbacks.set_params(params)
    callbacks.on_train_begin()
    callback_model.stop_training = False
    for callback in callbacks:
        callback.validation_data = validation_data
    return callback_model


def callback_metric_names(model, do_validation: bool) -> List[str]:
    """The names the callbacks may find in the logs: the metrics names, then the same with ``val_``."""
    names = list(model.metrics_names)
    return names + ["val_" + name for name in names] if do_validation else names


def fit_loop(model, fit_function: Function, fit_inputs: List[np.ndarray], out_labels: Optional[List[str]] = None,
             batch_size: Optional[int] = None, epochs: int = 100, verbose: int = 1,
             callbacks: Optional[Sequence[cbks.Callback]] = None, val_function: Optional[Function] = None,
             val_inputs: Optional[List[np.ndarray]] = None, shuffle: Union[bool, str] = True, initial_epoch: int = 0,
             steps_per_epoch: Optional[int] = None, validation_steps: Optional[int] = None) -> cbks.History:
    """Runs `fit_function` over `fit_inputs` for epochs `initial_epoch` .. `epochs` - 1.

    # Arguments
        model: Keras model instance.
        fit_function: compiled function returning a list of values, labeled by `out_labels`.
        fit_inputs: list of arrays fed to `fit_function` (inputs, targets, sample weights).
        out_labels: display names of the outputs of `fit_function`.
        batch_size: integer batch size, or None when `steps_per_epoch` is set.
        epochs: index of the epoch at which to stop.
        verbose: verbosity mode, 0, 1 or 2.
        callbacks: list of callbacks called during training.
        val_function: compiled function for validation.
        val_inputs: list of arrays fed to `val_function`.
        shuffle: whether to shuffle the data at the beginning of each epoch; 'batch' shuffles whole batches.
        initial_epoch: epoch at which to start training (useful for resuming a previous training run).
        steps_per_epoch: total number of steps (batches) per epoch; each step is fed the whole `fit_inputs`.
        validation_steps: number of steps of validation when `steps_per_epoch` is set.

    # Returns
        `History` object.
    """
    do_validation = val_function is not None and val_inputs is not None
    if do_validation and verbose and steps_per_epoch is None:
        print("Train on %d samples, validate on %d samples" % (fit_inputs[0].shape[0], val_inputs[0].shape[0]))
    if validation_steps and steps_per_epoch is None:
        raise ValueError("Can only use `validation_steps` when doing step-wise training, i.e. `steps_per_epoch` "
                         "must be set.")
    if do_validation and steps_per_epoch and not validation_steps:
        raise ValueError("Must specify `validation_steps` to perform validation when doing step-wise training.")
    num_train_samples = check_num_samples(fit_inputs, batch_size=batch_size, steps=steps_per_epoch,
                                          steps_name="steps_per_epoch")
    callbacks = make_callback_list(model, callbacks, verbose, "steps" if steps_per_epoch is not None else "samples")
    callback_model = start_training(model, callbacks, {
        "batch_size": batch_size, "epochs": epochs, "steps": steps_per_epoch, "samples": num_train_samples,
        "verbose": verbose, "do_validation": do_validation, "metrics": callback_metric_names(model, do_validation),
    }, val_inputs)
    out_labels = out_labels or []
    index_array = np.arange(num_train_samples) if num_train_samples is not None else None

    for epoch in range(initial_epoch, epochs):
        callbacks.on_epoch_begin(epoch)
        epoch_logs: dict = {}
        if steps_per_epoch is not None:
            batches = [(step, None) for step in range(steps_per_epoch)]
        else:
            if shuffle == "batch":
                index_array = batch_shuffle(index_array, batch_size)
            elif shuffle:
                np.random.shuffle(index_array)
            batches = [(i, index_array[start:end]) for i, (start, end) in
                       enumerate(make_batches(num_train_samples, batch_size))]
        for batch_index, batch_ids in batches:
            size = 1 if batch_ids is None else len(batch_ids)
            batch_logs = {"batch": batch_index, "size": size}
            callbacks.on_batch_begin(batch_index, batch_logs)
            ins_batch = fit_inputs if batch_ids is None else slice_arrays(fit_inputs, batch_ids)
            outs = to_list(fit_function(ins_batch))
            for label, value in zip(out_labels, outs):
                batch_logs[label] = as_log_value(value)
            callbacks.on_batch_end(batch_index, batch_logs)
            if callback_model.stop_training:
                break
        else:
            # validation runs only after a complete epoch, as in Keras
            if do_validation:
                val_outs = to_list(test_loop(model, val_function, val_inputs, verbose=0, steps=validation_steps,
                                             batch_size=None if validation_steps else batch_size))
                for label, value in zip(out_labels, val_outs):
                    epoch_logs["val_" + label] = value
        callbacks.on_epoch_end(epoch, epoch_logs)
        if callback_model.stop_training:
            break
    callbacks.on_train_end()
    return model.history


def _accumulate(totals: List[Any], outs: List[np.ndarray], weight: int, stateful: Sequence[int]) -> None:
    """Adds `outs` weighted by `weight` to `totals` (stateful metrics keep their latest value)."""
    if not totals:
        totals.extend([0.0] * len(outs))
    for i, value in enumerate(outs):
        totals[i] = as_log_value(value) if i in stateful else totals[i] + as_log_value(value) * weight


def test_loop(model, f: Function, ins: List[np.ndarray], batch_size: Optional[int] = None, verbose: int = 0,
              steps: Optional[int] = None) -> Any:
    """Abstract method to loop over some data in batches.

    # Arguments
        model: Keras model instance.
        f: compiled function returning a list of scalars.
        ins: list of arrays to be fed to `f`.
        batch_size: integer batch size or `None`.
        verbose: verbosity mode.
        steps: Total number of steps (batches of samples)
            before declaring predictions finished.
            Ignored with the default value of `None`.

    # Returns
        Scalar loss (if the model has a single output and no metrics)
        or list of scalars (if the model has multiple outputs
        and/or metrics). The attribute `model.metrics_names` will give you
        the display labels for the scalar outputs.
    """
    stateful = [i for i, name in enumerate(model.metrics_names) if name in model.stateful_metric_names]
    num_samples = check_num_samples(ins, batch_size=batch_size, steps=steps, steps_name="steps")
    progbar = Progbar(target=steps if steps is not None else num_samples) if verbose == 1 else None
    totals: List[Any] = []
    if steps is not None:
        for step in range(steps):
            _accumulate(totals, to_list(f(ins)), 1, stateful)
            if progbar:
                progbar.update(step + 1)
        count = steps
    else:
        for start, end in make_batches(num_samples, batch_size):
            _accumulate(totals, to_list(f(slice_arrays(ins, start, end))), end - start, stateful)
            if progbar:
                progbar.update(end)
        count = num_samples
    outs = [total if i in stateful else total / count for i, total in enumerate(totals)]
    return unpack_singleton(outs)


def predict_loop(model, f: Function, ins: List[np.ndarray], batch_size: int = 32, verbose: int = 0,
                 steps: Optional[int] = None) -> Union[np.ndarray, List[np.ndarray]]:
    """Abstract method to loop over some data in batches.

    # Arguments
        model: Keras model instance.
        f: compiled function returning a list of arrays.
        ins: list of arrays to be fed to `f`.
        batch_size: integer batch size.
        verbose: verbosity mode.
        steps: Total number of steps (batches of samples)
            before declaring `predict_loop` finished.
            Ignored with the default value of `None`.

    # Returns
        Array of predictions (if the model has a single output)
        or list of arrays of predictions
        (if the model has multiple outputs).
    """
    num_samples = check_num_samples(ins, batch_size=batch_size, steps=steps, steps_name="steps")
    progbar = Progbar(target=steps if steps is not None else num_samples) if verbose == 1 else None
    if steps is not None:
        # the number of samples is unknown: keep each step's arrays and concatenate them at the end
        chunks: List[List[np.ndarray]] = []
        for step in range(steps):
            chunks.append(to_list(f(ins)))
            if progbar:
                progbar.update(step + 1)
        return unpack_singleton([np.concatenate(parts, axis=0) for parts in zip(*chunks)])
    outs: List[np.ndarray] = []
    for start, end in make_batches(num_samples, batch_size):
        batch_outs = to_list(f(slice_arrays(ins, start, end)))
        if not outs:
            outs = [np.zeros((num_samples,) + out.shape[1:], dtype=out.dtype) for out in batch_outs]
        for out, batch_out in zip(outs, batch_outs):
            out[start:end] = batch_out
        if progbar:
            progbar.update(end)
    return unpack_singleton(outs)

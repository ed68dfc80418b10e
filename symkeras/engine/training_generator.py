"""The loops that train, evaluate and predict on batches drawn from a Python generator or a `Sequence`.

Batches are drawn in the training thread, in order (`workers`, `max_queue_size` and
`use_multiprocessing` of Keras's signatures are accepted by `Model` and have no effect).
"""
from __future__ import annotations

import random
from typing import Any, Iterator, List, Optional, Sequence as SequenceType, Tuple, Union

import numpy as np

from symkeras.engine.training_arrays import callback_metric_names, make_callback_list, start_training, test_loop
from symkeras.engine.training_utils import to_list, unpack_singleton
from symkeras.utils.data_utils import Sequence
from symkeras.utils.progbar import Progbar


def iter_sequence(sequence: Sequence, shuffle: bool = False) -> Iterator[Any]:
    """Endless batches of `sequence`: each pass in order (or shuffled), then ``sequence.on_epoch_end()``."""
    while True:
        order = list(range(len(sequence)))
        if shuffle:
            random.shuffle(order)
        for index in order:
            yield sequence[index]
        sequence.on_epoch_end()


def _batches(generator, steps: Optional[int], steps_name: str, shuffle: bool = False) -> Tuple[Iterator[Any], int]:
    """An iterator over `generator`'s batches and the number of steps to draw (``len`` of a `Sequence`)."""
    if isinstance(generator, Sequence):
        return iter_sequence(generator, shuffle), len(generator) if steps is None else steps
    if steps is None:
        raise ValueError("`" + steps_name + "=None` is only valid for a generator based on the "
                         "`keras.utils.Sequence` class. Please specify `" + steps_name + "` or use the "
                         "`keras.utils.Sequence` class.")
    return iter(generator), steps


def _unpack(generator_output: Any) -> Tuple[Any, Any, Any]:
    """``(x, y)`` or ``(x, y, sample_weight)`` as three values."""
    if not isinstance(generator_output, (tuple, list)) or len(generator_output) not in (2, 3):
        raise ValueError("Output of generator should be a tuple `(x, y, sample_weight)` or `(x, y)`. Found: "
                         + str(generator_output))
    x, y = generator_output[:2]
    return x, y, generator_output[2] if len(generator_output) == 3 else None


def _batch_size(x: Any) -> int:
    """The number of samples of a batch of inputs (an array, a list or a dict of arrays)."""
    if x is None or len(x) == 0:
        return 1
    if isinstance(x, list):
        return x[0].shape[0]
    if isinstance(x, dict):
        return list(x.values())[0].shape[0]
    return x.shape[0]


def _is_generator(data: Any) -> bool:
    return hasattr(data, "__next__") or isinstance(data, Sequence)


def fit_generator(model, generator, steps_per_epoch: Optional[int] = None, epochs: int = 1, verbose: int = 1,
                  callbacks=None, validation_data=None, validation_steps: Optional[int] = None, class_weight=None,
                  shuffle: bool = True, initial_epoch: int = 0):
    """See `Model.fit_generator`."""
    do_validation = bool(validation_data)
    model._make_train_function()
    if do_validation:
        model._make_test_function()
    batches, steps_per_epoch = _batches(generator, steps_per_epoch, "steps_per_epoch", shuffle)
    val_gen = _is_generator(validation_data)
    if val_gen and not isinstance(validation_data, Sequence) and not validation_steps:
        raise ValueError("`validation_steps=None` is only valid for a generator based on the `keras.utils.Sequence` "
                         "class. Please specify `validation_steps` or use the `keras.utils.Sequence` class.")
    callbacks = make_callback_list(model, callbacks, verbose, "steps")
    val_inputs = None
    if do_validation and not val_gen:
        if len(validation_data) not in (2, 3):
            raise ValueError("`validation_data` should be a tuple `(val_x, val_y, val_sample_weight)` or "
                             "`(val_x, val_y)`. Found: " + str(validation_data))
        val_inputs = model._validation_inputs(validation_data, None)
    elif val_gen:
        val_batches, validation_steps = _batches(validation_data, validation_steps, "validation_steps")
    callback_model = start_training(model, callbacks, {
        "epochs": epochs, "steps": steps_per_epoch, "verbose": verbose, "do_validation": do_validation,
        "metrics": callback_metric_names(model, do_validation)}, val_inputs)
    out_labels = model.metrics_names
    for epoch in range(initial_epoch, epochs):
        callbacks.on_epoch_begin(epoch)
        epoch_logs: dict = {}
        for batch_index in range(steps_per_epoch):
            x, y, sample_weight = _unpack(next(batches))
            batch_logs = {"batch": batch_index, "size": _batch_size(x)}
            callbacks.on_batch_begin(batch_index, batch_logs)
            outs = to_list(model.train_on_batch(x, y, sample_weight=sample_weight, class_weight=class_weight))
            batch_logs.update(zip(out_labels, outs))
            callbacks.on_batch_end(batch_index, batch_logs)
            if callback_model.stop_training:
                break
        else:
            if do_validation:
                val_outs = _evaluate_batches(model, val_batches, validation_steps, 0) if val_gen else \
                    test_loop(model, model.test_function, val_inputs, batch_size=batch_logs["size"])
                epoch_logs.update(("val_" + label, value) for label, value in zip(out_labels, to_list(val_outs)))
        callbacks.on_epoch_end(epoch, epoch_logs)
        if callback_model.stop_training:
            break
    callbacks.on_train_end()
    return model.history


def _evaluate_batches(model, batches: Iterator[Any], steps: int, verbose: int):
    """Averages `test_on_batch` over `steps` batches, weighted by their sizes."""
    progbar = Progbar(target=steps) if verbose == 1 else None
    outs_per_batch: List[list] = []
    batch_sizes: List[int] = []
    for step in range(steps):
        x, y, sample_weight = _unpack(next(batches))
        outs_per_batch.append(to_list(model.test_on_batch(x, y, sample_weight=sample_weight)))
        batch_size = _batch_size(x)
        if batch_size == 0:
            raise ValueError("Received an empty batch. Batches should contain at least one item.")
        batch_sizes.append(batch_size)
        if progbar:
            progbar.update(step + 1)
    stateful = [i for i, name in enumerate(model.metrics_names) if name in model.stateful_metric_names]
    averages = [np.float64(column[-1]) if i in stateful else np.average(column, weights=batch_sizes)
                for i, column in enumerate(zip(*outs_per_batch))]
    return unpack_singleton(averages)


def evaluate_generator(model, generator, steps: Optional[int] = None, verbose: int = 0):
    """See `Model.evaluate_generator`."""
    model._make_test_function()
    batches, steps = _batches(generator, steps, "steps")
    return _evaluate_batches(model, batches, steps, verbose)


def predict_generator(model, generator, steps: Optional[int] = None, verbose: int = 0
                      ) -> Union[np.ndarray, List[np.ndarray]]:
    """See `Model.predict_generator`."""
    model._make_predict_function()
    batches, steps = _batches(generator, steps, "steps")
    progbar = Progbar(target=steps) if verbose == 1 else None
    all_outs: List[List[np.ndarray]] = []
    for step in range(steps):
        generator_output = next(batches)
        # a training generator yields (x, y) or (x, y, w); a prediction generator may yield x alone
        x = _unpack(generator_output)[0] if isinstance(generator_output, tuple) else generator_output
        outs = to_list(model.predict_on_batch(x))
        if not all_outs:
            all_outs = [[] for _ in outs]
        for collected, out in zip(all_outs, outs):
            collected.append(out)
        if progbar:
            progbar.update(step + 1)
    return unpack_singleton([np.concatenate(collected) for collected in all_outs])

"""Callbacks: hooks into the training loop (`Callback`), their dispatcher, the three that `fit` always adds,
and Keras 2.2.4's library of ready callbacks (ModelCheckpoint, EarlyStopping, LearningRateScheduler, ...).
"""
from __future__ import annotations

import csv
import inspect
import json
import os
import statistics
import time
import warnings
from collections import OrderedDict, deque
from collections.abc import Iterable as IterableABC
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

import numpy as np

from symkeras import backend as K
from symkeras.utils.event_writer import EventFileWriter
from symkeras.utils.progbar import Progbar

Logs = Optional[Dict[str, Any]]


class Callback:
    """Abstract base class used to build new callbacks.

    # Properties
        params: dict. Training parameters
            (eg. verbosity, batch size, number of epochs...).
        model: instance of `keras.models.Model`.
            Reference of the model being trained.

    The `logs` dictionary that callback methods
    take as argument will contain keys for quantities relevant to
    the current batch or epoch.

    Currently, the `.fit()` method of the `Sequential` model class
    will include the following quantities in the `logs` that
    it passes to its callbacks:

    on_epoch_end: logs include `acc` and `loss`, and
        optionally include `val_loss`
        (if validation is enabled in `fit`), and `val_acc`
        (if validation and accuracy monitoring are enabled).
    on_batch_begin: logs include `size`,
        the number of samples in the current batch.
    on_batch_end: logs include `loss`, and optionally `acc`
        (if accuracy monitoring is enabled).
    """

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params: Dict[str, Any] = {}

    def set_params(self, params: Dict[str, Any]) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self.model = model

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        pass

    def on_batch_begin(self, batch: int, logs: Logs = None) -> None:
        pass

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        pass

    def on_train_begin(self, logs: Logs = None) -> None:
        pass

    def on_train_end(self, logs: Logs = None) -> None:
        pass


class CallbackList:
    """Container abstracting a list of callbacks.

    # Arguments
        callbacks: List of `Callback` instances.
        queue_length: Queue length for keeping
            running statistics over callback execution time.
    """

    def __init__(self, callbacks: Optional[Iterable[Callback]] = None, queue_length: int = 10):
        self.callbacks: List[Callback] = list(callbacks or [])
        self.queue_length = queue_length
        self._reset_batch_timing()

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_params(self, params: Dict[str, Any]) -> None:
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model) -> None:
        for callback in self.callbacks:
            callback.set_model(model)

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        """Called at the start of an epoch."""
        logs = logs or {}
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)
        self._reset_batch_timing()

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        """Called at the end of an epoch."""
        logs = logs or {}
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch: int, logs: Logs = None) -> None:
        """Called right before processing a batch."""
        logs = logs or {}
        started = time.time()
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs)
        self._warn_if_slow("on_batch_begin", self._begin_times, time.time() - started)
        self._t_enter_batch = time.time()

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Called at the end of a batch."""
        logs = logs or {}
        if self._t_enter_batch is None:
            self._t_enter_batch = time.time()
        self._delta_t_batch = time.time() - self._t_enter_batch
        started = time.time()
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs)
        self._warn_if_slow("on_batch_end", self._end_times, time.time() - started)

    def on_train_begin(self, logs: Logs = None) -> None:
        """Called at the beginning of training."""
        logs = logs or {}
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: Logs = None) -> None:
        """Called at the end of training."""
        logs = logs or {}
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def __iter__(self) -> Iterator[Callback]:
        return iter(self.callbacks)

    def _reset_batch_timing(self) -> None:
        self._delta_t_batch = 0.0
        self._t_enter_batch: Optional[float] = None
        self._begin_times: deque = deque([], maxlen=self.queue_length)
        self._end_times: deque = deque([], maxlen=self.queue_length)

    def _warn_if_slow(self, hook: str, times: deque, elapsed: float) -> None:
        """Warns when the median time of the batch hooks rivals the batch update itself.

        `statistics.median` of the few times kept: numpy's costs ~40 us a call, 4% of a W1 epoch.
        """
        times.append(elapsed)
        median = statistics.median(times)
        if self._delta_t_batch > 0.0 and median > 0.95 * self._delta_t_batch and median > 0.1:
            warnings.warn("Method %s() is slow compared to the batch update (%f). Check your callbacks."
                          % (hook, median))


class BaseLogger(Callback):
    """Callback that accumulates epoch averages of metrics.

    This callback is automatically applied to every Keras model.

    # Arguments
        stateful_metrics: Iterable of string names of metrics that
            should *not* be averaged over an epoch.
            Metrics in this list will be logged as-is in `on_epoch_end`.
            All others will be averaged in `on_epoch_end`.
    """

    def __init__(self, stateful_metrics: Optional[Iterable[str]] = None):
        super().__init__()
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self.seen = 0
        self.totals: Dict[str, Any] = {}

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        logs = logs or {}
        batch_size = logs.get("size", 0)
        self.seen += batch_size
        for name, value in logs.items():
            if name in self.stateful_metrics:
                self.totals[name] = value
            else:
                self.totals[name] = self.totals.get(name, 0) + value * batch_size

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if logs is None:
            return
        for name in self.params["metrics"]:
            if name in self.totals:
                logs[name] = self.totals[name] if name in self.stateful_metrics else self.totals[name] / self.seen


class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout.

    # Arguments
        count_mode: One of "steps" or "samples".
            Whether the progress bar should
            count samples seen or steps (batches) seen.
        stateful_metrics: Iterable of string names of metrics that
            should *not* be averaged over an epoch.
            Metrics in this list will be logged as-is.
            All others will be averaged over time (e.g. loss, etc).

    # Raises
        ValueError: In case of invalid `count_mode`.
    """

    def __init__(self, count_mode: str = "samples", stateful_metrics: Optional[Iterable[str]] = None):
        super().__init__()
        if count_mode not in ("samples", "steps"):
            raise ValueError("Unknown `count_mode`: " + str(count_mode))
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()

    def on_train_begin(self, logs: Logs = None) -> None:
        self.verbose = self.params["verbose"]
        self.epochs = self.params["epochs"]

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        if self.verbose:
            print("Epoch %d/%d" % (epoch + 1, self.epochs))
            self.target = self.params["steps"] if self.use_steps else self.params["samples"]
            self.progbar = Progbar(target=self.target, verbose=self.verbose, stateful_metrics=self.stateful_metrics)
        self.seen = 0
        self.log_values: List = []

    def on_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self.log_values = []

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        logs = logs or {}
        self.seen += 1 if self.use_steps else logs.get("size", 0)
        self._collect(logs)
        if self.verbose and (self.target is None or self.seen < self.target):
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._collect(logs or {})
        if self.verbose:
            self.progbar.update(self.seen, self.log_values)

    def _collect(self, logs: Dict[str, Any]) -> None:
        self.log_values.extend((name, logs[name]) for name in self.params["metrics"] if name in logs)


class History(Callback):
    """Callback that records events into a `History` object.

    This callback is automatically applied to
    every Keras model. The `History` object
    gets returned by the `fit` method of models.
    """

    def on_train_begin(self, logs: Logs = None) -> None:
        self.epoch: List[int] = []
        self.history: Dict[str, List[Any]] = {}

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = logs or {}
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(value)


# -- helpers shared by the monitoring callbacks ---------------------------------------------


def _maximizes(owner: str, mode: str, monitor: str, auto_max: Callable[[str], bool]) -> bool:
    """Whether `monitor` improves upwards: ``mode='max'``, or ``'auto'`` and `auto_max(monitor)`.

    An unknown mode falls back to ``'auto'`` with a warning, as in Keras.
    """
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{owner} mode {mode} is unknown, fallback to auto mode.", RuntimeWarning, stacklevel=3)
        mode = "auto"
    return auto_max(monitor) if mode == "auto" else mode == "max"


def _monitored_value(owner: str, monitor: str, logs: Logs) -> Optional[float]:
    """The monitored quantity from the epoch logs, or None with a warning naming what is available."""
    logs = logs or {}
    value = logs.get(monitor)
    if value is None:
        warnings.warn(f"{owner} conditioned on metric `{monitor}` which is not available. "
                      f"Available metrics are: {','.join(logs.keys())}", RuntimeWarning, stacklevel=3)
    return value


def _learning_rate_variable(model, owner: str):
    """The optimizer's ``lr`` variable: setting it changes the compiled training function without recompiling."""
    optimizer = getattr(model, "optimizer", None)
    if not hasattr(optimizer, "lr"):
        raise ValueError(f'{owner}: the optimizer must have a "lr" attribute (got {type(optimizer).__name__}).')
    return optimizer.lr


# -- the callbacks library ------------------------------------------------------------------


class TerminateOnNaN(Callback):
    """Callback that terminates training when a NaN (or infinite) loss is encountered."""

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print("Batch %d: Invalid loss, terminating training" % batch)
            self.model.stop_training = True


class ModelCheckpoint(Callback):
    """Save the model after every epoch.

    `filepath` can contain named formatting options, which will be filled with the value of
    `epoch` (1-based) and keys in `logs` (passed in `on_epoch_end`).  For example: if
    `filepath` is `weights.{epoch:02d}-{val_loss:.2f}.hdf5`, then the model checkpoints
    will be saved with the epoch number and the validation loss in the filename.

    # Arguments
        filepath: string, path to save the model file.
        monitor: quantity to monitor.
        verbose: verbosity mode, 0 or 1.
        save_best_only: if `save_best_only=True`, the latest best model according to the
            quantity monitored will not be overwritten.
        save_weights_only: if True, then only the model's weights will be saved
            (`model.save_weights(filepath)`), else the full model is saved
            (`model.save(filepath)`).
        mode: one of {auto, min, max}.  If `save_best_only=True`, the decision to overwrite
            the current save file is made based on either the maximization or the
            minimization of the monitored quantity.  For `val_acc`, this should be `max`,
            for `val_loss` this should be `min`, etc.  In `auto` mode, the direction is
            automatically inferred from the name of the monitored quantity (`max` for names
            containing `acc` or starting with `fmeasure`).
        period: Interval (number of epochs) between checkpoints.

    # Example

    ```python
        checkpoint = ModelCheckpoint('weights.{epoch:02d}-{val_loss:.2f}.hdf5', save_best_only=True)
        model.fit(x, y, validation_split=0.1, callbacks=[checkpoint])
    ```
    """

    def __init__(self, filepath: str, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", period: int = 1):
        super().__init__()
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = filepath
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = period
        self.epochs_since_last_save = 0
        maximize = _maximizes("ModelCheckpoint", mode, monitor,
                              lambda name: "acc" in name or name.startswith("fmeasure"))
        self.monitor_op = np.greater if maximize else np.less
        self.best = -np.inf if maximize else np.inf

    def _save(self, filepath: str) -> None:
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self.filepath.format(epoch=epoch + 1, **logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print("\nEpoch %05d: saving model to %s" % (epoch + 1, filepath))
            self._save(filepath)
            return
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn("Can save best model only with %s available, skipping." % self.monitor, RuntimeWarning)
        elif self.monitor_op(current, self.best):
            if self.verbose > 0:
                print("\nEpoch %05d: %s improved from %0.5f to %0.5f, saving model to %s"
                      % (epoch + 1, self.monitor, self.best, current, filepath))
            self.best = current
            self._save(filepath)
        elif self.verbose > 0:
            print("\nEpoch %05d: %s did not improve from %0.5f" % (epoch + 1, self.monitor, self.best))


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving.

    # Arguments
        monitor: quantity to be monitored.
        min_delta: minimum change in the monitored quantity to qualify as an improvement,
            i.e. an absolute change of less than min_delta will count as no improvement.
        patience: number of epochs with no improvement after which training will be stopped.
        verbose: verbosity mode.
        mode: one of {auto, min, max}.  In `min` mode, training will stop when the quantity
            monitored has stopped decreasing; in `max` mode it will stop when the quantity
            monitored has stopped increasing; in `auto` mode, the direction is automatically
            inferred from the name of the monitored quantity (`max` when it contains `acc`).
        baseline: Baseline value for the monitored quantity to reach.  Training will stop if
            the model doesn't show improvement over the baseline.
        restore_best_weights: whether to restore model weights from the epoch with the best
            value of the monitored quantity.  If False, the model weights obtained at the
            last step of training are used.

    # Example

    ```python
        model.fit(x, y, validation_split=0.1, epochs=100,
                  callbacks=[EarlyStopping(patience=3, restore_best_weights=True)])
    ```
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: Optional[float] = None, restore_best_weights: bool = False):
        super().__init__()
        self.monitor = monitor
        self.baseline = baseline
        self.patience = patience
        self.verbose = verbose
        self.restore_best_weights = restore_best_weights
        self.best_weights: Optional[List[np.ndarray]] = None
        self.wait = 0
        self.stopped_epoch = 0
        maximize = _maximizes("EarlyStopping", mode, monitor, lambda name: "acc" in name)
        self.monitor_op = np.greater if maximize else np.less
        self.min_delta = min_delta if maximize else -min_delta

    def on_train_begin(self, logs: Logs = None) -> None:
        # allow instances to be re-used
        self.wait = 0
        self.stopped_epoch = 0
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op is np.less else -np.inf

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        current = _monitored_value("Early stopping", self.monitor, logs)
        if current is None:
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            # (Keras 2.2.4 would fail here when no epoch ever beat the baseline: nothing to restore then)
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print("Restoring model weights from the end of the best epoch")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs: Logs = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print("Epoch %05d: early stopping" % (self.stopped_epoch + 1))


class RemoteMonitor(Callback):
    """Callback used to stream events to a server.

    Requires the `requests` library.  Events are sent to `root + path` by an HTTP POST at
    the end of every epoch, with the epoch logs as JSON (the epoch number under `epoch`):
    in a form field `field`, or as the request body when `send_as_json` is True.

    # Arguments
        root: String; root url of the target server.
        path: String; path relative to `root` to which the events will be sent.
        field: String; JSON field under which the data will be stored.  The field is used
            only if the payload is sent within a form (i.e. send_as_json is set to False).
        headers: Dictionary; optional custom HTTP headers.
        send_as_json: Boolean; whether the request should be sent as application/json.

    # Raises
        ImportError: when `requests` is not installed (at construction, rather than at the
            first epoch's end as in Keras).
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/", field: str = "data",
                 headers: Optional[Dict[str, str]] = None, send_as_json: bool = False):
        super().__init__()
        try:
            import requests
        except ImportError as error:
            raise ImportError("RemoteMonitor requires the `requests` library (pip install requests).") from error
        self._requests = requests
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        send: Dict[str, Any] = {"epoch": epoch}
        for name, value in (logs or {}).items():
            send[name] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        try:
            if self.send_as_json:
                self._requests.post(self.root + self.path, json=send, headers=self.headers)
            else:
                self._requests.post(self.root + self.path, {self.field: json.dumps(send)}, headers=self.headers)
        except self._requests.exceptions.RequestException:
            warnings.warn("Warning: could not reach RemoteMonitor root server at " + str(self.root))


class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    At the beginning of every epoch, sets the optimizer's learning rate variable to the value
    the schedule returns.  The rate is an input of the compiled training function, so the
    next step uses it without recompiling.

    # Arguments
        schedule: a function that takes an epoch index as input (integer, indexed from 0)
            and the current learning rate, and returns a new learning rate as output
            (float); a function of the epoch alone is accepted too.
        verbose: int. 0: quiet, 1: update messages.

    # Example

    ```python
        model.fit(x, y, epochs=10, callbacks=[LearningRateScheduler(lambda epoch, lr: lr * 0.9)])
    ```
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _takes_lr(self) -> bool:
        """Whether the schedule accepts ``(epoch, lr)`` (else it is called with the epoch alone)."""
        try:
            inspect.signature(self.schedule).bind(0, 0.0)
        except TypeError:
            return False
        except ValueError:  # a builtin without a signature: try the new API, as Keras does
            return True
        return True

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        lr_variable = _learning_rate_variable(self.model, "LearningRateScheduler")
        lr = float(K.get_value(lr_variable))
        lr = self.schedule(epoch, lr) if self._takes_lr() else self.schedule(epoch)
        if not isinstance(lr, (float, np.floating)):
            raise ValueError(f'The output of the "schedule" function should be float, got {lr!r} '
                             f"({type(lr).__name__}) at epoch {epoch}.")
        K.set_value(lr_variable, lr)
        if self.verbose > 0:
            print("\nEpoch %05d: LearningRateScheduler setting learning rate to %s." % (epoch + 1, lr))


class ReduceLROnPlateau(Callback):
    """Reduce learning rate when a metric has stopped improving.

    Models often benefit from reducing the learning rate by a factor of 2-10 once learning
    stagnates.  This callback monitors a quantity and if no improvement is seen for a
    'patience' number of epochs, the learning rate is reduced.  It also records the current
    rate in the epoch logs as `lr`.

    # Arguments
        monitor: quantity to be monitored.
        factor: factor by which the learning rate will be reduced.  new_lr = lr * factor
        patience: number of epochs with no improvement after which learning rate will be
            reduced.
        verbose: int. 0: quiet, 1: update messages.
        mode: one of {auto, min, max}.  In `min` mode, lr will be reduced when the quantity
            monitored has stopped decreasing; in `max` mode it will be reduced when the
            quantity monitored has stopped increasing; in `auto` mode, the direction is
            automatically inferred from the name of the monitored quantity (`max` when it
            contains `acc`).
        min_delta: threshold for measuring the new optimum, to only focus on significant
            changes (Keras 1's `epsilon`, still accepted with a warning).
        cooldown: number of epochs to wait before resuming normal operation after lr has
            been reduced.
        min_lr: lower bound on the learning rate.

    # Example

    ```python
        reduce_lr = ReduceLROnPlateau(monitor='val_loss', factor=0.2, patience=5, min_lr=0.001)
        model.fit(X_train, Y_train, callbacks=[reduce_lr])
    ```
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0, **kwargs):
        super().__init__()
        self.monitor = monitor
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0 (got {factor}).")
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn("`epsilon` argument is deprecated and will be removed, use `min_delta` instead.")
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected keyword arguments: {sorted(kwargs)}")
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.mode = mode
        self._reset()

    def _reset(self) -> None:
        """Resets the wait and cooldown counters and the best value seen."""
        self.maximize = _maximizes("Learning Rate Plateau Reducing", self.mode, self.monitor,
                                   lambda name: "acc" in name)
        self.best = -np.inf if self.maximize else np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def monitor_op(self, current: float, best: float) -> bool:
        """Whether `current` improves on `best` by more than `min_delta`."""
        if self.maximize:
            return bool(np.greater(current, best + self.min_delta))
        return bool(np.less(current, best - self.min_delta))

    def on_train_begin(self, logs: Logs = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = logs if logs is not None else {}
        lr_variable = _learning_rate_variable(self.model, "ReduceLROnPlateau")
        logs["lr"] = K.get_value(lr_variable)
        current = _monitored_value("Reduce LR on plateau", self.monitor, logs)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(K.get_value(lr_variable))
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    K.set_value(lr_variable, new_lr)
                    if self.verbose > 0:
                        print("\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %s." % (epoch + 1, new_lr))
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0


class CSVLogger(Callback):
    """Callback that streams epoch results to a csv file.

    Supports all values that can be represented as a string, including 1D iterables such as
    np.ndarray.  One row per epoch (``epoch`` first, then the log keys in sorted order); the
    file is flushed after every row, so a crash loses nothing already written.

    # Arguments
        filename: filename of the csv file, e.g. 'run/log.csv'.
        separator: string used to separate elements in the csv file.
        append: True: append if file exists (useful for continuing training).
            False: overwrite existing file.

    # Example

    ```python
        csv_logger = CSVLogger('training.log')
        model.fit(X_train, Y_train, callbacks=[csv_logger])
    ```
    """

    def __init__(self, filename: str, separator: str = ",", append: bool = False):
        super().__init__()
        self.sep = separator
        self.filename = filename
        self.append = append
        self.writer: Optional[csv.DictWriter] = None
        self.keys: Optional[List[str]] = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs: Logs = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r") as existing:
                    self.append_header = not bool(len(existing.readline()))
            mode = "a"
        else:
            mode = "w"
        self.csv_file = open(self.filename, mode, newline="\n")

    @staticmethod
    def _cell(value: Any) -> Any:
        """A log value as a csv cell: sequences as ``"[a, b]"``, anything else as it is."""
        if isinstance(value, str):
            return value
        if isinstance(value, IterableABC) and not (isinstance(value, np.ndarray) and value.ndim == 0):
            return '"[%s]"' % (", ".join(map(str, value)))
        return value

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.model.stop_training:
            # NA for the keys missing from the last epoch, so that csv parsers do not fail
            logs = {key: logs.get(key, "NA") for key in self.keys}
        if self.writer is None:
            separator = self.sep

            class CustomDialect(csv.excel):
                delimiter = separator

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect=CustomDialect)
            if self.append_header:
                self.writer.writeheader()
        row = OrderedDict({"epoch": epoch})
        row.update((key, self._cell(logs[key])) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: Logs = None) -> None:
        self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on-the-fly.

    This callback is constructed with anonymous functions that will be called at the
    appropriate time.  Note that the callbacks expects positional arguments, as:
    `on_epoch_begin` and `on_epoch_end` expect two positional arguments: `epoch`, `logs`;
    `on_batch_begin` and `on_batch_end` expect two positional arguments: `batch`, `logs`;
    `on_train_begin` and `on_train_end` expect one positional argument: `logs`.

    # Arguments
        on_epoch_begin: called at the beginning of every epoch.
        on_epoch_end: called at the end of every epoch.
        on_batch_begin: called at the beginning of every batch.
        on_batch_end: called at the end of every batch.
        on_train_begin: called at the beginning of model training.
        on_train_end: called at the end of model training.
        **kwargs: other attributes to set on the callback.

    # Example

    ```python
        batch_print_callback = LambdaCallback(on_batch_begin=lambda batch, logs: print(batch))
        model.fit(..., callbacks=[batch_print_callback])
    ```
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_batch_begin": on_batch_begin,
                 "on_batch_end": on_batch_end, "on_train_begin": on_train_begin, "on_train_end": on_train_end}
        for name, hook in hooks.items():
            if hook is not None:
                setattr(self, name, hook)


class TensorBoard(Callback):
    """TensorBoard basic visualizations: the scalars of the logs, written without TensorFlow.

    Writes an event file in `log_dir` that TensorBoard reads (``tensorboard --logdir=./logs``):
    every epoch log value (loss, metrics, ``val_*``, ``lr``) as a scalar at step `epoch`,
    or, with `update_freq` ``'batch'`` or an int, the batch logs every that many samples at
    step "samples seen" (and the epoch logs at the same step).  The writer is pure Python
    (`symkeras.utils.event_writer`).  What needs TensorFlow's summary ops — weight and
    gradient histograms, images, embeddings — is refused with a `ValueError`; the graph is
    not written (`symkeras.graph.to_dot` draws a compiled function instead).

    # Arguments
        log_dir: the path of the directory where to save the log files to be parsed by
            TensorBoard.
        histogram_freq, write_grads, write_images, embeddings_freq, embeddings_layer_names,
        embeddings_metadata, embeddings_data: TensorFlow-only features; only their
            defaults (off) are accepted.
        batch_size: accepted for compatibility (used by Keras for histograms only).
        write_graph: accepted for compatibility; no graph is written.
        update_freq: ``'batch'``, ``'epoch'`` or an integer: how often to write (after every
            batch, every epoch, or every `update_freq` samples).

    # Raises
        ValueError: for a TensorFlow-only feature, or an unknown `update_freq`.
    """

    def __init__(self, log_dir: str = "./logs", histogram_freq: int = 0, batch_size: int = 32,
                 write_graph: bool = True, write_grads: bool = False, write_images: bool = False,
                 embeddings_freq: int = 0, embeddings_layer_names=None, embeddings_metadata=None,
                 embeddings_data=None, update_freq="epoch"):
        super().__init__()
        tensorflow_only = {"histogram_freq": histogram_freq, "write_grads": write_grads,
                           "write_images": write_images, "embeddings_freq": embeddings_freq,
                           "embeddings_layer_names": embeddings_layer_names,
                           "embeddings_metadata": embeddings_metadata, "embeddings_data": embeddings_data}
        requested = sorted(name for name, value in tensorflow_only.items() if value)
        if requested:
            raise ValueError(f"TensorBoard: {', '.join(requested)} need TensorFlow's summary ops, which symkeras "
                             f"does not have; only scalar logs are written.")
        if update_freq not in ("batch", "epoch") and not isinstance(update_freq, int):
            raise ValueError(f"TensorBoard: update_freq must be 'batch', 'epoch' or an int, got {update_freq!r}")
        self.log_dir = log_dir
        self.batch_size = batch_size
        self.write_graph = write_graph
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.samples_seen = 0
        self.samples_seen_at_last_write = 0
        self.writer = None

    def on_train_begin(self, logs: Logs = None) -> None:
        self.writer = EventFileWriter(self.log_dir)

    def _write_logs(self, logs: Dict[str, Any], index: int) -> None:
        scalars = {name: float(np.asarray(value)) for name, value in logs.items() if name not in ("batch", "size")}
        self.writer.add_scalars(scalars, index)
        self.writer.flush()

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        if self.update_freq == "epoch":
            return
        logs = logs or {}
        self.samples_seen += logs.get("size", 0)
        if self.samples_seen - self.samples_seen_at_last_write >= self.update_freq:
            self._write_logs(logs, self.samples_seen)
            self.samples_seen_at_last_write = self.samples_seen

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._write_logs(logs or {}, epoch if self.update_freq == "epoch" else self.samples_seen)

    def on_train_end(self, logs: Logs = None) -> None:
        self.writer.close()

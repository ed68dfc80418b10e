"""Callbacks: hooks into the training loop (`Callback`), their dispatcher, and the three that `fit` always adds.

The library of ready callbacks (ModelCheckpoint, EarlyStopping, ...) builds on `Callback`.
"""
from __future__ import annotations

import time
import warnings
from collections import deque
from typing import Any, Dict, Iterable, Iterator, List, Optional

import numpy as np

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
        """Warns when the median time of the batch hooks rivals the batch update itself."""
        times.append(elapsed)
        median = np.median(times)
        if self._delta_t_batch > 0.0 and median > 0.95 * self._delta_t_batch and median > 0.1:
            warnings.warn("Method %s() is slow compared to the batch update (%f). Check your callbacks." % (hook, median))


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

"""The ready-made callbacks on tiny models: when they stop, save, log and change the learning rate.

A `Script` callback placed first overwrites the monitored value of each epoch, so that every
decision (improved or not, which epoch stops) is known in advance.
"""
import csv
import json
import sys
import types

import numpy as np
import pytest

import symkeras as keras
from symkeras import backend as K
from symkeras.callbacks import (
    Callback, CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau,
    RemoteMonitor, TensorBoard, TerminateOnNaN,
)
from symkeras.utils.event_writer import read_scalars
from tests.engine.training_helpers import classification_data, dense_softmax_gradients, dense_softmax_model


class Script(Callback):
    """Sets ``logs[monitor]`` to the scripted value of each epoch, and records the weights at each epoch's end."""

    def __init__(self, values, monitor="val_loss"):
        super().__init__()
        self.values, self.monitor = list(values), monitor
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.monitor] = self.values[epoch]
        self.weights.append(self.model.get_weights())


def _model(lr=0.1):
    return dense_softmax_model(4, 3, keras.optimizers.SGD(lr=lr))


def _fit(model, callbacks, epochs, batch_size=16, **kwargs):
    x, y, _ = classification_data(n=16, features=4)
    return model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, shuffle=False, callbacks=callbacks,
                     **kwargs)


# -- EarlyStopping ----------------------------------------------------------------------------

def test_early_stopping_stops_after_patience_epochs_and_restores_the_best_weights():
    model = _model()
    script = Script([1.0, 0.8, 0.9, 0.85, 0.7, 0.6])
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = _fit(model, [script, stopper], epochs=6)
    assert history.epoch == [0, 1, 2, 3]  # best at epoch 1, then two epochs without improvement
    assert stopper.stopped_epoch == 3 and stopper.best == 0.8
    for restored, best in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(restored, best)
    assert not np.array_equal(script.weights[3][0], script.weights[1][0])


def test_early_stopping_min_delta_mode_and_baseline():
    # an improvement smaller than min_delta does not count
    stopper = EarlyStopping(min_delta=0.1, patience=1)
    assert _fit(_model(), [Script([1.0, 0.95, 0.5]), stopper], epochs=3).epoch == [0, 1]
    # 'acc' in the name: higher is better
    stopper = EarlyStopping(monitor="val_acc", patience=1)
    assert _fit(_model(), [Script([0.5, 0.6, 0.55, 0.9], "val_acc"), stopper], epochs=4).epoch == [0, 1, 2]
    # explicit min mode on an 'acc' name
    stopper = EarlyStopping(monitor="val_acc", mode="min", patience=1)
    assert _fit(_model(), [Script([0.5, 0.6], "val_acc"), stopper], epochs=2).epoch == [0, 1]
    # a baseline never reached: stops after `patience` epochs, nothing to restore
    stopper = EarlyStopping(baseline=0.5, patience=2, restore_best_weights=True)
    assert _fit(_model(), [Script([0.9, 0.8, 0.7]), stopper], epochs=3).epoch == [0, 1]
    assert stopper.best_weights is None


def test_early_stopping_warns_on_a_missing_metric():
    with pytest.warns(RuntimeWarning, match="Early stopping conditioned on metric `val_loss` which is not available"):
        history = _fit(_model(), [EarlyStopping()], epochs=2)
    assert history.epoch == [0, 1]


def test_unknown_mode_falls_back_to_auto():
    with pytest.warns(RuntimeWarning, match="EarlyStopping mode sideways is unknown"):
        assert EarlyStopping(monitor="acc", mode="sideways").monitor_op is np.greater


# -- ReduceLROnPlateau ------------------------------------------------------------------------

def test_reduce_lr_on_plateau_reduces_after_patience_and_cools_down():
    model = _model(lr=0.4)
    reducer = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=2, min_lr=0.15)
    values = [1.0] * 10
    history = _fit(model, [Script(values), reducer], epochs=len(values))
    # logs['lr'] is the rate the epoch trained with.  Reductions at the ends of epochs 2 and 5: the cooldown
    # counter is decremented before the check, so `cooldown=2` skips one epoch (Keras 2.2.4's arithmetic);
    # the second is clipped to min_lr, and the third (end of epoch 8) does nothing: lr is not above min_lr
    np.testing.assert_allclose(history.history["lr"], [0.4, 0.4, 0.4, 0.2, 0.2, 0.2] + [0.15] * 4,
                               rtol=1e-6)
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.15)


def test_reduce_lr_on_plateau_improvements_reset_the_wait_and_legacy_epsilon():
    with pytest.warns(UserWarning, match="`epsilon` argument is deprecated"):
        reducer = ReduceLROnPlateau(monitor="val_acc", factor=0.5, patience=1, epsilon=0.05)
    assert reducer.min_delta == 0.05
    model = _model(lr=0.4)
    # val_acc: +0.1 improves, +0.01 is below min_delta (a plateau), so the rate halves after epoch 2
    history = _fit(model, [Script([0.5, 0.6, 0.61, 0.8], "val_acc"), reducer], epochs=4)
    np.testing.assert_allclose(history.history["lr"], [0.4, 0.4, 0.4, 0.2], rtol=1e-6)
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        ReduceLROnPlateau(factor=1.0)


# -- LearningRateScheduler --------------------------------------------------------------------

def test_learning_rate_scheduler_rate_is_used_by_the_next_step_without_recompiling():
    model = _model(lr=0.1)
    x, y, _ = classification_data(n=16, features=4)
    seen = []
    functions = []
    record = LambdaCallback(on_epoch_begin=lambda epoch, logs: (seen.append(model.get_weights()),
                                                                functions.append(model.train_function)))
    scheduler = LearningRateScheduler(lambda epoch: 0.5 / (epoch + 1))
    model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False, callbacks=[scheduler, record])
    seen.append(model.get_weights())
    assert functions[1] is functions[2] is model.train_function  # compiled once
    for epoch in range(3):
        (w, b), (new_w, new_b) = seen[epoch], seen[epoch + 1]
        _, grad_w, grad_b = dense_softmax_gradients(x, y, w, b)
        lr = 0.5 / (epoch + 1)
        np.testing.assert_allclose(new_w, w - lr * grad_w, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(new_b, b - lr * grad_b, rtol=1e-4, atol=1e-6)
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.5 / 3)


def test_learning_rate_scheduler_two_argument_schedule_and_errors():
    seen = []

    def halve(epoch, lr):
        seen.append((epoch, round(lr, 6)))
        return lr * 0.5

    model = _model(lr=0.4)
    _fit(model, [LearningRateScheduler(halve)], epochs=3)
    assert seen == [(0, 0.4), (1, 0.2), (2, 0.1)]
    with pytest.raises(ValueError, match='The output of the "schedule" function should be float, got 1'):
        _fit(_model(), [LearningRateScheduler(lambda epoch: 1)], epochs=1)


# -- CSVLogger --------------------------------------------------------------------------------

def test_csv_logger_writes_one_row_per_epoch_and_appends(tmp_path):
    path = tmp_path / "log.csv"
    x, y, _ = classification_data(n=16, features=4)
    model = _model()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_data=(x, y),
                        callbacks=[CSVLogger(str(path), separator=";")])
    with open(path) as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0] == ["epoch", "acc", "loss", "val_acc", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1"]
    for row, epoch in zip(rows[1:], range(2)):
        for name, cell in zip(rows[0][1:], row[1:]):
            assert float(cell) == pytest.approx(history.history[name][epoch], rel=1e-6)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, validation_data=(x, y),
              callbacks=[CSVLogger(str(path), separator=";", append=True)])
    with open(path) as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert len(rows) == 4 and rows[3][0] == "0" and rows.count(rows[0]) == 1  # no second header


def test_csv_logger_cells_for_sequences_and_early_stop(tmp_path):
    path = tmp_path / "log.csv"
    model = _model()
    logger = CSVLogger(str(path))
    lists = LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(extra=[1, 2]) if epoch == 0 else None)
    _fit(model, [lists, Script([1.0, 2.0]), EarlyStopping(patience=0), logger], epochs=2)
    with open(path) as f:
        text = f.read()
    lines = text.splitlines()
    assert lines[0] == "epoch,extra,loss,val_loss"
    assert lines[1].startswith('0,"""[1, 2]""",') and lines[2].startswith("1,NA,")


# -- ModelCheckpoint --------------------------------------------------------------------------

class SaveRecorder:
    """Stands in for `Model.save` / `Model.save_weights`: records what would have been written."""

    def __init__(self, model):
        self.calls = []
        model.save = lambda filepath, overwrite=True: self.calls.append(("save", filepath, overwrite))
        model.save_weights = lambda filepath, overwrite=True: self.calls.append(("save_weights", filepath, overwrite))


def test_model_checkpoint_formats_filenames_and_saves_every_period():
    model = _model()
    saves = SaveRecorder(model)
    checkpoint = ModelCheckpoint("w.{epoch:02d}-{val_loss:.2f}.h5", period=2)
    _fit(model, [Script([0.5, 0.25, 0.125, 1.0]), checkpoint], epochs=4)
    assert saves.calls == [("save", "w.02-0.25.h5", True), ("save", "w.04-1.00.h5", True)]


def test_model_checkpoint_save_best_only():
    model = _model()
    saves = SaveRecorder(model)
    checkpoint = ModelCheckpoint("best-{epoch}.h5", save_best_only=True, save_weights_only=True)
    _fit(model, [Script([0.5, 0.6, 0.4, 0.4]), checkpoint], epochs=4)
    assert saves.calls == [("save_weights", "best-1.h5", True), ("save_weights", "best-3.h5", True)]
    assert checkpoint.best == 0.4
    # accuracy is maximized in auto mode
    saves = SaveRecorder(model)
    checkpoint = ModelCheckpoint("acc-{epoch}.h5", monitor="val_acc", save_best_only=True)
    _fit(model, [Script([0.5, 0.4, 0.7], "val_acc"), checkpoint], epochs=3)
    assert [call[1] for call in saves.calls] == ["acc-1.h5", "acc-3.h5"]
    with pytest.warns(RuntimeWarning, match="Can save best model only with val_loss available, skipping"):
        _fit(model, [ModelCheckpoint("x.h5", save_best_only=True)], epochs=1)


@pytest.mark.skipif(not hasattr(keras.Model, "save"), reason="Model.save/save_weights are not implemented yet")
def test_model_checkpoint_end_to_end(tmp_path):
    model = _model()
    script = Script([0.5, 0.25, 0.75])
    path = str(tmp_path / "best.h5")
    _fit(model, [script, ModelCheckpoint(path, save_best_only=True, save_weights_only=True)], epochs=3)
    model.load_weights(path)
    for loaded, best in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(loaded, best)
    full = str(tmp_path / "model-{epoch}.h5")
    _fit(model, [ModelCheckpoint(full)], epochs=1)
    restored = keras.models.load_model(full.format(epoch=1))
    for a, b in zip(restored.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- TerminateOnNaN, LambdaCallback, RemoteMonitor ---------------------------------------------

def test_terminate_on_nan_stops_after_the_first_bad_batch(capsys):
    x, y, _ = classification_data(n=16, features=4)
    x[:4] = np.nan
    batches = []
    model = _model()
    history = model.fit(x, y, batch_size=4, epochs=3, verbose=0, shuffle=False,
                        callbacks=[TerminateOnNaN(), LambdaCallback(on_batch_end=lambda b, logs: batches.append(b))])
    assert batches == [0] and history.epoch == [0]  # the epoch still ends (its logs), then training stops
    assert "Batch 0: Invalid loss, terminating training" in capsys.readouterr().out


def test_lambda_callback_calls_each_hook():
    calls = []
    callback = LambdaCallback(on_train_begin=lambda logs: calls.append("train_begin"),
                              on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
                              on_batch_end=lambda batch, logs: calls.append(("batch_end", batch, logs["size"])),
                              on_train_end=lambda logs: calls.append("train_end"), note="kept")
    assert callback.note == "kept"
    _fit(_model(), [callback], epochs=2, batch_size=10)
    assert calls == ["train_begin", ("epoch_begin", 0), ("batch_end", 0, 10), ("batch_end", 1, 6),
                     ("epoch_begin", 1), ("batch_end", 0, 10), ("batch_end", 1, 6), "train_end"]


class _RequestException(Exception):
    """Stands in for ``requests.exceptions.RequestException``."""


def _fake_requests(monkeypatch, post) -> None:
    """A stand-in `requests` module (the library is optional, and no test may reach a network)."""
    exceptions = types.SimpleNamespace(RequestException=_RequestException, ConnectionError=_RequestException)
    monkeypatch.setitem(sys.modules, "requests", types.SimpleNamespace(post=post, exceptions=exceptions))


def test_remote_monitor_posts_epoch_logs(monkeypatch):
    posts = []
    _fake_requests(monkeypatch, lambda url, data=None, **kwargs: posts.append((url, data, kwargs)))
    _fit(_model(), [Script([np.float32(0.5)]), RemoteMonitor(root="http://host:1", headers={"h": "v"})], epochs=1)
    url, data, kwargs = posts[0]
    assert url == "http://host:1/publish/epoch/end/" and kwargs == {"headers": {"h": "v"}}
    payload = json.loads(data["data"])
    assert payload["epoch"] == 0 and payload["val_loss"] == 0.5 and isinstance(payload["loss"], float)
    _fit(_model(), [Script([0.5]), RemoteMonitor(send_as_json=True)], epochs=1)
    assert posts[1][1] is None and posts[1][2]["json"]["val_loss"] == 0.5

    def unreachable(*args, **kwargs):
        raise _RequestException("refused")

    _fake_requests(monkeypatch, unreachable)
    with pytest.warns(UserWarning, match="could not reach RemoteMonitor root server at http://localhost:9000"):
        _fit(_model(), [RemoteMonitor()], epochs=1)


# -- TensorBoard ------------------------------------------------------------------------------

def _event_files(folder):
    return sorted(str(path) for path in folder.iterdir() if path.name.startswith("events.out.tfevents."))


def test_tensorboard_writes_epoch_scalars(tmp_path):
    history = _fit(_model(), [Script([0.5, 0.25]), TensorBoard(log_dir=str(tmp_path / "logs"))], epochs=2)
    (path,) = _event_files(tmp_path / "logs")
    scalars = read_scalars(path)
    assert sorted((step, tag) for step, tag, _ in scalars) == [(0, "loss"), (0, "val_loss"), (1, "loss"),
                                                               (1, "val_loss")]
    for step, tag, value in scalars:
        assert value == pytest.approx(history.history[tag][step], rel=1e-6)


def test_tensorboard_batch_updates_and_tensorflow_only_features(tmp_path):
    _fit(_model(), [TensorBoard(log_dir=str(tmp_path), update_freq=8)], epochs=1, batch_size=4)
    (path,) = _event_files(tmp_path)
    assert [(step, tag) for step, tag, _ in read_scalars(path)] == [(8, "loss"), (16, "loss"), (16, "loss")]
    with pytest.raises(ValueError, match="TensorBoard: histogram_freq, write_images need TensorFlow"):
        TensorBoard(histogram_freq=1, write_images=True)


def test_remote_monitor_without_requests_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "requests", None)  # `import requests` now fails
    with pytest.raises(ImportError, match="RemoteMonitor requires the `requests` library"):
        RemoteMonitor()

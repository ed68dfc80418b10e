"""Callbacks seen from the training loop: the hooks in order, History, BaseLogger's averages, Progbar's text."""
import numpy as np
import pytest

import symkeras as keras
from symkeras.callbacks import BaseLogger, Callback, CallbackList, History, ProgbarLogger
from symkeras.utils.progbar import Progbar
from tests.engine.training_helpers import classification_data, mlp


class Recorder(Callback):
    """Records every hook with a copy of its logs."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def _record(self, hook, *args):
        logs = args[-1]
        self.calls.append((hook,) + args[:-1] + (dict(logs or {}),))

    def on_train_begin(self, logs=None):
        self._record("train_begin", logs)

    def on_train_end(self, logs=None):
        self._record("train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._record("epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("epoch_end", epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        self._record("batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._record("batch_end", batch, logs)


def test_user_callback_receives_every_hook_in_order():
    x, y, _ = classification_data(n=20)
    model = mlp()
    recorder = Recorder()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[recorder], validation_data=(x, y))
    hooks = [call[:2] if call[0] not in ("train_begin", "train_end") else call[:1] for call in recorder.calls]
    per_epoch = lambda e: [("epoch_begin", e)] + [(h, b) for b in range(3) for h in ("batch_begin", "batch_end")] \
        + [("epoch_end", e)]
    assert hooks == [("train_begin",)] + per_epoch(0) + per_epoch(1) + [("train_end",)]
    assert recorder.model is model
    assert recorder.params == {"batch_size": 8, "epochs": 2, "steps": None, "samples": 20, "verbose": 0,
                               "do_validation": True, "metrics": ["loss", "acc", "val_loss", "val_acc"]}
    batch_begin, batch_end = recorder.calls[2], recorder.calls[3]
    assert batch_begin[2] == {"batch": 0, "size": 8}
    assert set(batch_end[2]) == {"batch", "size", "loss", "acc"}
    last_batch = [call for call in recorder.calls if call[0] == "batch_begin"][2]
    assert last_batch[2]["size"] == 4
    epoch_end = [call for call in recorder.calls if call[0] == "epoch_end"][0]
    assert set(epoch_end[2]) == {"loss", "acc", "val_loss", "val_acc"}
    assert recorder.validation_data is not None and len(recorder.validation_data) == 3


def test_history_records_each_epoch():
    x, y, _ = classification_data(n=30)
    model = mlp()
    history = model.fit(x, y, batch_size=10, epochs=3, verbose=0, validation_split=0.2)
    assert isinstance(history, History) and model.history is history
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert all(len(values) == 3 for values in history.history.values())
    assert all(0.0 <= v <= 1.0 for v in history.history["acc"])


def test_epoch_logs_are_size_weighted_averages_of_batch_logs():
    x, y, _ = classification_data(n=20)
    model = mlp()
    recorder = Recorder()
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[recorder])
    batches = [call[2] for call in recorder.calls if call[0] == "batch_end"]
    expected = sum(b["loss"] * b["size"] for b in batches) / 20
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-6)


def test_stop_training_ends_the_fit():
    class StopAfterFirstBatch(Callback):
        def on_batch_end(self, batch, logs=None):
            self.model.stop_training = True

    x, y, _ = classification_data(n=20)
    history = mlp().fit(x, y, batch_size=5, epochs=5, verbose=0, callbacks=[StopAfterFirstBatch()])
    assert history.epoch == [0]


def test_callback_list_dispatches_to_all():
    first, second = Recorder(), Recorder()
    callbacks = CallbackList([first])
    callbacks.append(second)
    callbacks.set_params({"epochs": 1})
    callbacks.on_epoch_begin(0, {"a": 1})
    assert [c.params for c in callbacks] == [{"epochs": 1}] * 2
    assert first.calls == second.calls == [("epoch_begin", 0, {"a": 1})]


def test_base_logger_keeps_stateful_metrics_as_they_are():
    logger = BaseLogger(stateful_metrics=["count"])
    logger.set_params({"metrics": ["loss", "count"]})
    logger.on_epoch_begin(0)
    logger.on_batch_end(0, {"size": 2, "loss": 1.0, "count": 5})
    logger.on_batch_end(1, {"size": 6, "loss": 3.0, "count": 7})
    logs = {}
    logger.on_epoch_end(0, logs)
    assert logs == {"loss": 2.5, "count": 7}


def test_progbar_logger_rejects_unknown_count_mode():
    with pytest.raises(ValueError, match="Unknown `count_mode`"):
        ProgbarLogger(count_mode="epochs")


def test_fit_verbose_2_prints_one_line_per_epoch(capsys):
    x, y, _ = classification_data(n=20)
    mlp().fit(x, y, batch_size=8, epochs=2, verbose=2, validation_split=0.5)
    lines = capsys.readouterr().out.strip().split("\n")
    assert lines[0] == "Train on 10 samples, validate on 10 samples"
    assert lines[1] == "Epoch 1/2" and lines[3] == "Epoch 2/2" and len(lines) == 5
    assert lines[2].startswith(" - ") and " - loss: " in lines[2] and " - val_acc: " in lines[2]


def test_fit_verbose_1_draws_a_progress_bar(capsys):
    x, y, _ = classification_data(n=20)
    mlp().fit(x, y, batch_size=8, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out
    assert "20/20 [==============================]" in out and "/step - loss: " in out and " - acc: " in out


def test_progbar_bar_and_averages(capsys):
    bar = Progbar(target=10, width=10, stateful_metrics=["lr"])
    bar.update(4, values=[("loss", 1.0), ("lr", 0.5)])
    bar.update(10, values=[("loss", 2.0), ("lr", 0.25)])
    out = capsys.readouterr().out
    assert " 4/10 [===>......] - ETA: " in out
    assert "10/10 [==========]" in out
    # loss is averaged by steps: (1.0 * 4 + 2.0 * 6) / 10; lr is shown as the latest value
    assert "loss: 1.6000 - lr: 0.25\n" in out


def test_progbar_verbose_2_prints_only_at_the_end(capsys):
    bar = Progbar(target=3, verbose=2)
    bar.add(1, values=[("loss", 0.5)])
    assert capsys.readouterr().out == ""
    bar.add(2, values=[("loss", 0.5)])
    out = capsys.readouterr().out
    assert out.startswith(" - ") and out.endswith(" - loss: 0.5000\n")


def test_progbar_without_target_and_small_values(capsys):
    bar = Progbar(target=None)
    bar.update(7, values=[("loss", 1e-5)])
    out = capsys.readouterr().out
    assert "      7/Unknown" in out and "loss: 1.0000e-05" in out

"""The Keras imdb_lstm model trained through ``model.fit``, side by side with PyTorch eager.

Embedding 20000x128 → LSTM 128 (dropout 0.2, recurrent_dropout 0.2) → Dense 1 sigmoid, binary
crossentropy, Adam, batch 32, sequences of 80 tokens, 3,200 synthetic samples an epoch (the
IMDB data is not bundled; the work per step does not depend on the tokens).  Prints JSON lines:
first-epoch and steady-epoch seconds (their difference is mostly compilation), samples/s, and
PyTorch's figures for the same model (``nn.LSTM``, with dropout on its inputs: PyTorch has no
per-sequence recurrent dropout) where torch is installed.
"""
from __future__ import annotations

import numpy as np

from benchmarks.common import epoch_times, report, torch_train_epoch

VOCAB, EMBED, UNITS, MAXLEN, BATCH, SAMPLES, EPOCHS = 20_000, 128, 128, 80, 32, 3_200, 3


def synthetic_data():
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, (SAMPLES, MAXLEN)).astype("int32")
    y = rng.integers(0, 2, (SAMPLES, 1)).astype("float32")
    return x, y


def bench_symkeras(x, y) -> float:
    import symkeras as keras

    keras.utils.set_random_seed(0)
    model = keras.models.Sequential([
        keras.layers.Embedding(VOCAB, EMBED),
        keras.layers.LSTM(UNITS, dropout=0.2, recurrent_dropout=0.2),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    times = epoch_times(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0), EPOCHS)
    steady = min(times[1:])
    report("imdb_lstm_fit", framework="symkeras", first_epoch_s=round(times[0], 3), steady_epoch_s=round(steady, 3),
           first_epoch_overhead_s=round(times[0] - steady, 3), samples_per_s=round(SAMPLES / steady))
    return steady


def bench_torch(x, y) -> float:
    try:
        import torch
    except ImportError:
        report("imdb_lstm_fit", framework="pytorch", skipped="torch is not installed (pip install torch==2.13.0)")
        return float("nan")
    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(VOCAB, EMBED)
            self.drop = torch.nn.Dropout(0.2)
            self.lstm = torch.nn.LSTM(EMBED, UNITS, batch_first=True)
            self.out = torch.nn.Linear(UNITS, 1)

        def forward(self, ids):
            _, (h, _) = self.lstm(self.drop(self.embed(ids)))
            return torch.sigmoid(self.out(h[-1]))

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCELoss()
    xt, yt = torch.from_numpy(x.astype("int64")), torch.from_numpy(y)

    times = epoch_times(lambda: torch_train_epoch(model, opt, loss_fn, xt, yt, BATCH), EPOCHS)
    steady = min(times[1:])
    report("imdb_lstm_fit", framework="pytorch", version=torch.__version__, threads=torch.get_num_threads(),
           first_epoch_s=round(times[0], 3), steady_epoch_s=round(steady, 3), samples_per_s=round(SAMPLES / steady))
    return steady


def main() -> None:
    x, y = synthetic_data()
    ours = bench_symkeras(x, y)
    theirs = bench_torch(x, y)
    report("imdb_lstm_ratio", symkeras_over_pytorch_epoch_time=round(ours / theirs, 2))


if __name__ == "__main__":
    main()

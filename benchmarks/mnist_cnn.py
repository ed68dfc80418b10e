"""The Keras mnist_cnn model trained through ``model.fit``, side by side with PyTorch eager.

28x28x1 → Conv2D 32 3x3 relu → Conv2D 64 3x3 relu → MaxPooling2D 2x2 → Dropout 0.25 → Flatten
→ Dense 128 relu → Dropout 0.5 → Dense 10 softmax; categorical crossentropy, Adam, batch 128,
the 6,000 training images of the bundled MNIST subset an epoch.  The two frameworks' epochs
alternate (a load that comes and goes on a shared machine slows both alike).  Prints JSON lines:
first-epoch and steady-epoch seconds (their difference is mostly compilation), their ratio,
samples/s, predict samples/s (after a warm-up call), and, for the convolutions alone (each product timed on its own at the
model's shapes): their GFLOP/s as a share of the machine's numpy GEMM peak measured in the same
run, and their share of the steady training step.
"""
from __future__ import annotations

import time

import numpy as np

from benchmarks.common import best_time, numpy_gemm_gflops, report, torch_train_epoch

BATCH, EPOCHS = 128, 4
CONVS = [((28, 28, 1), 32), ((26, 26, 32), 64)]  # (input, filters) of the two 3x3 convolutions


def mnist():
    from symkeras.datasets import mnist as data

    (x, y), _ = data.load_data()
    return x[:, :, :, None].astype("float32") / 255.0, np.eye(10, dtype="float32")[y]


def conv_seconds_per_step() -> tuple:
    """``(seconds, flops)`` of one training step's convolution products (forward, kernel and input
    gradients; the first layer's input gradient is not needed), each compiled and timed alone."""
    from symkeras import graph as G
    from symkeras.ops import conv as C

    rng = np.random.default_rng(0)
    seconds = flops = 0.0
    for index, ((h, w, c), filters) in enumerate(CONVS):
        x = G.tensor("float32", (None, h, w, c), name="x")
        k = G.tensor("float32", (3, 3, c, filters), name="k")
        gz = G.tensor("float32", (None, h - 2, w - 2, filters), name="gz")
        programs = [([x, k], C.conv(x, k)), ([x, gz], C.ConvGradKernel(2)(x, gz, np.array([3, 3], "int64")))]
        if index > 0:
            programs.append(([gz, k], C.ConvGradInput(2)(gz, k, np.array([h, w], "int64"))))
        values = {x: rng.random((BATCH, h, w, c), dtype=np.float32),
                  k: rng.random((3, 3, c, filters), dtype=np.float32),
                  gz: rng.random((BATCH, h - 2, w - 2, filters), dtype=np.float32)}
        for inputs, out in programs:
            f = G.function(inputs, out, mode="numba")
            args = [values[v] for v in inputs]
            seconds += best_time(lambda: f(*args))
            flops += 2 * BATCH * (h - 2) * (w - 2) * 9 * c * filters
    return seconds, flops


def symkeras_epochs(x, y):
    """``(train one epoch -> history, predict all -> None)`` for the Keras model built with symkeras."""
    import symkeras as keras
    from symkeras.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D

    model = keras.models.Sequential([
        Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)), Conv2D(64, (3, 3), activation="relu"),
        MaxPooling2D((2, 2)), Dropout(0.25), Flatten(), Dense(128, activation="relu"), Dropout(0.5),
        Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(), metrics=["accuracy"])
    return (lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0),
            lambda: model.predict(x, batch_size=BATCH))


def torch_epochs(x, y):
    """The same pair for the same model in PyTorch eager, or None where torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    xt, yt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))), torch.from_numpy(y.argmax(1))
    loss_fn = nn.CrossEntropyLoss()

    def train():
        model.train()
        torch_train_epoch(model, opt, loss_fn, xt, yt, BATCH)

    def predict():
        model.eval()
        with torch.no_grad():
            for i in range(0, len(x), BATCH):
                model(xt[i:i + BATCH])

    return train, predict


def timed(fn):
    """``(seconds, result)`` of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    peak = numpy_gemm_gflops()
    report("numpy_gemm_peak", n=1024, gflops=round(peak, 1))
    x, y = mnist()
    frameworks = {"symkeras": symkeras_epochs(x, y), "pytorch": torch_epochs(x, y)}
    if frameworks["pytorch"] is None:
        report("mnist_cnn_fit", framework="pytorch", skipped="torch is not installed (pip install torch==2.13.0)")
        del frameworks["pytorch"]
    # each steady figure is the best of a framework's epochs after the first
    train, last, predict = {name: [] for name in frameworks}, {}, {}
    for _ in range(EPOCHS):
        for name, (fit, _) in frameworks.items():
            seconds, last[name] = timed(fit)
            train[name].append(seconds)
    for name, (_, infer) in frameworks.items():
        infer()  # a warm-up call
        predict[name] = min(timed(infer)[0] for _ in range(2))
    steady = {name: min(times[1:]) for name, times in train.items()}
    conv_s, conv_flops = conv_seconds_per_step()
    steps = -(-len(x) // BATCH)
    report("mnist_cnn_fit", framework="symkeras", samples=len(x), first_epoch_s=round(train["symkeras"][0], 3),
           steady_epoch_s=round(steady["symkeras"], 3),
           first_epoch_overhead_s=round(train["symkeras"][0] - steady["symkeras"], 3),
           samples_per_s=round(len(x) / steady["symkeras"]), predict_samples_per_s=round(len(x) / predict["symkeras"]),
           final_loss=round(float(last["symkeras"].history["loss"][-1]), 4),
           conv_gflops=round(conv_flops / conv_s / 1e9, 1),
           conv_share_of_numpy_peak=round(conv_flops / conv_s / 1e9 / peak, 3),
           conv_share_of_step=round(conv_s * steps / steady["symkeras"], 3))
    if "pytorch" in frameworks:
        import torch

        report("mnist_cnn_fit", framework="pytorch", version=torch.__version__, threads=torch.get_num_threads(),
               first_epoch_s=round(train["pytorch"][0], 3), steady_epoch_s=round(steady["pytorch"], 3),
               samples_per_s=round(len(x) / steady["pytorch"]), predict_samples_per_s=round(len(x) / predict["pytorch"]),
               symkeras_over_pytorch=round(steady["symkeras"] / steady["pytorch"], 3))


if __name__ == "__main__":
    main()

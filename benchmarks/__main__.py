"""``python -m benchmarks [suite ...]``: the model benchmarks, W1 MLP first (the CNN and LSTM suites add theirs).

With suite names (``python -m benchmarks mnist_cnn``) only those run.
"""
import sys

from benchmarks import imdb_lstm, mnist_cnn, w1

SUITES = {"w1": w1.main, "mnist_cnn": mnist_cnn.main, "imdb_lstm": imdb_lstm.main}

if __name__ == "__main__":
    names = sys.argv[1:] or list(SUITES)
    unknown = [name for name in names if name not in SUITES]
    if unknown:
        sys.exit(f"unknown benchmark suite(s) {unknown}; choose from {list(SUITES)}")
    for name in names:
        SUITES[name]()

"""``python -m benchmarks``: the model benchmarks (W1 MLP; the CNN and LSTM suites add theirs)."""
from benchmarks import w1

if __name__ == "__main__":
    w1.main()

"""Keras's ``mnist_mlp`` example on the bundled MNIST subset: ``python -m symkeras.demo``.

The program is Keras 2's, unchanged but for the imports (and a seed): 12 epochs of 6,000
images, which take well under a minute once the three functions are compiled.
"""
import time

import symkeras as keras
from symkeras.datasets import mnist
from symkeras.layers import Dense, Dropout
from symkeras.models import Sequential
from symkeras.optimizers import RMSprop

BATCH_SIZE = 128
NUM_CLASSES = 10
EPOCHS = 12


def main() -> None:
    started = time.time()
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = x_train.reshape(len(x_train), 784).astype("float32") / 255
    x_test = x_test.reshape(len(x_test), 784).astype("float32") / 255
    print(x_train.shape[0], "train samples")
    print(x_test.shape[0], "test samples")
    y_train = keras.utils.to_categorical(y_train, NUM_CLASSES)
    y_test = keras.utils.to_categorical(y_test, NUM_CLASSES)

    model = Sequential()
    model.add(Dense(512, activation="relu", input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(512, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(NUM_CLASSES, activation="softmax"))
    model.summary()
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])

    model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, verbose=1, validation_data=(x_test, y_test))
    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
    print("Total time: %.1fs" % (time.time() - started))


if __name__ == "__main__":
    main()

"""Small models, data and numpy references shared by the training and callback tests."""
import numpy as np

import symkeras as keras
from symkeras import backend as K
from symkeras.layers import Dense, Dropout, Input


def classification_data(n: int = 64, features: int = 8, classes: int = 3, seed: int = 0):
    """Separable-ish float32 inputs and one-hot targets."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, classes, size=n)
    centers = rng.normal(size=(classes, features)).astype("float32")
    x = (centers[labels] + 0.5 * rng.normal(size=(n, features))).astype("float32")
    return x, keras.utils.to_categorical(labels, classes), labels


def mlp(features: int = 8, classes: int = 3, hidden: int = 16, dropout: float = 0.0, seed: int = 1):
    """A compiled Sequential MLP with accuracy: Dense relu (→ Dropout) → Dense softmax."""
    K.set_random_seed(seed)
    model = keras.Sequential()
    model.add(Dense(hidden, activation="relu", input_shape=(features,)))
    if dropout:
        model.add(Dropout(dropout))
    model.add(Dense(classes, activation="softmax"))
    model.compile(optimizer=keras.optimizers.SGD(lr=0.1), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def dense_softmax_gradients(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray):
    """Mean categorical crossentropy of ``softmax(x @ w + b)`` and its gradients with respect to `w` and `b`."""
    p = softmax(x @ w + b)
    loss = -np.mean(np.sum(y * np.log(p), axis=1))
    dlogits = (p - y) / x.shape[0]
    return loss, x.T @ dlogits, dlogits.sum(axis=0)


def per_sample_crossentropy(model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The categorical crossentropy of each sample under the model's current weights."""
    p = np.clip(model.predict(x, batch_size=len(x)), K.epsilon(), 1 - K.epsilon())
    return -np.sum(y * np.log(p), axis=1)


def dense_softmax_model(features: int, classes: int, optimizer):
    """Input → Dense softmax, compiled with categorical crossentropy and `optimizer`."""
    inputs = Input(shape=(features,))
    outputs = Dense(classes, activation="softmax")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy")
    return model


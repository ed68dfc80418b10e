"""Initializers: statistics of large draws, fans, orthogonality, identity, seeds and serialization."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras import initializers
from symkeras.initializers import _compute_fans

SHAPE = (400, 500)
TRUNCATED_STD = 0.87962566103423978


def draw(initializer, shape=SHAPE, dtype=None):
    values = initializer(shape, dtype=dtype)
    assert values.shape == tuple(shape)
    assert values.dtype == (dtype or K.floatx())
    return values.astype("float64")


def assert_statistics(values, mean, std):
    assert values.mean() == pytest.approx(mean, abs=4 * std / np.sqrt(values.size))
    assert values.std() == pytest.approx(std, rel=0.01)


def test_zeros_ones_constant():
    np.testing.assert_array_equal(draw(initializers.Zeros(), (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(draw(initializers.Ones(), (4,)), np.ones(4))
    np.testing.assert_array_equal(draw(initializers.Constant(2.5), (3, 2)), np.full((3, 2), 2.5))
    embeddings = np.arange(6, dtype="float32").reshape(3, 2)
    np.testing.assert_array_equal(draw(initializers.Constant(embeddings), (3, 2)), embeddings)


def test_random_normal():
    assert_statistics(draw(initializers.RandomNormal(mean=1.0, stddev=0.5)), 1.0, 0.5)


def test_random_uniform():
    values = draw(initializers.RandomUniform(minval=-1.0, maxval=3.0))
    assert values.min() >= -1.0 and values.max() <= 3.0
    assert_statistics(values, 1.0, 4.0 / np.sqrt(12.0))


def test_truncated_normal_redraws_beyond_two_stddev():
    values = draw(initializers.TruncatedNormal(mean=0.5, stddev=0.2))
    assert values.min() >= 0.5 - 0.4 and values.max() <= 0.5 + 0.4
    assert_statistics(values, 0.5, 0.2 * TRUNCATED_STD)


@pytest.mark.parametrize("shape, fans", [
    ((30, 70), (30, 70)),                      # dense kernel
    ((5, 16, 32), (80, 160)),                  # Conv1D kernel (k, in, out)
    ((3, 3, 16, 32), (144, 288)),              # Conv2D kernel (kh, kw, in, out)
    ((2, 3, 3, 4, 8), (72, 144)),              # Conv3D kernel
    ((49,), (7.0, 7.0)),                       # no specific assumption: sqrt of the size
    ((2, 2, 2, 2, 2, 2), (8.0, 8.0)),
])
def test_fans(shape, fans):
    assert _compute_fans(shape) == pytest.approx(fans)


def test_fans_channels_first():
    assert _compute_fans((32, 16, 3, 3), data_format="channels_first") == (144, 288)
    with pytest.raises(ValueError, match="Invalid data_format"):
        _compute_fans((3, 3, 3), data_format="channels_middle")


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["normal", "uniform"])
@pytest.mark.parametrize("shape", [(300, 700), (5, 5, 40, 60)])
def test_variance_scaling_has_the_variance_scale_over_n(mode, distribution, shape):
    fan_in, fan_out = _compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    std = np.sqrt(2.0 / n)
    values = draw(initializers.VarianceScaling(scale=2.0, mode=mode, distribution=distribution), shape)
    assert_statistics(values, 0.0, std)
    if distribution == "uniform":
        assert np.abs(values).max() <= np.sqrt(3.0) * std
    else:
        assert np.abs(values).max() <= 2 * std / TRUNCATED_STD


def test_variance_scaling_arguments():
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")
    assert initializers.VarianceScaling(mode="FAN_OUT", distribution="Uniform").get_config()["mode"] == "fan_out"


@pytest.mark.parametrize("name, scale, mode, distribution", [
    ("glorot_uniform", 1.0, "fan_avg", "uniform"),
    ("glorot_normal", 1.0, "fan_avg", "normal"),
    ("he_uniform", 2.0, "fan_in", "uniform"),
    ("he_normal", 2.0, "fan_in", "normal"),
    ("lecun_uniform", 1.0, "fan_in", "uniform"),
    ("lecun_normal", 1.0, "fan_in", "normal"),
])
def test_named_variance_scalings(name, scale, mode, distribution):
    initializer = getattr(initializers, name)(seed=3)
    assert initializers.serialize(initializer) == {
        "class_name": "VarianceScaling",
        "config": {"scale": scale, "mode": mode, "distribution": distribution, "seed": 3},
    }
    by_name = initializers.get(name)
    assert isinstance(by_name, initializers.VarianceScaling)
    assert by_name.get_config() == {"scale": scale, "mode": mode, "distribution": distribution, "seed": None}


def test_glorot_uniform_limit():
    values = draw(initializers.glorot_uniform(), (200, 300))
    limit = np.sqrt(6.0 / 500)
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.99 * limit


@pytest.mark.parametrize("shape", [(50, 50), (80, 30), (30, 80), (3, 3, 4, 8)])
def test_orthogonal(shape):
    values = draw(initializers.Orthogonal(gain=2.0), shape)
    flat = values.reshape(-1, shape[-1])
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(len(gram)), atol=1e-5)


def test_identity():
    np.testing.assert_array_equal(draw(initializers.Identity(gain=3.0), (4, 4)), 3.0 * np.eye(4))
    for shape in [(3, 4), (2, 2, 2)]:
        with pytest.raises(ValueError, match="2D square"):
            initializers.Identity()(shape)


SEEDED = [
    initializers.RandomNormal(seed=7), initializers.RandomUniform(seed=7), initializers.TruncatedNormal(seed=7),
    initializers.VarianceScaling(seed=7), initializers.glorot_uniform(seed=7), initializers.Orthogonal(seed=7),
]


@pytest.mark.parametrize("initializer", SEEDED, ids=lambda i: type(i).__name__)
def test_seed_reproduces(initializer):
    first = initializer((20, 30))
    np.testing.assert_array_equal(initializer((20, 30)), first)
    other = type(initializer).from_config({**initializer.get_config(), "seed": 8})
    assert not np.array_equal(other((20, 30)), first)


def test_set_random_seed_reproduces_unseeded_draws():
    initializer = initializers.glorot_uniform()
    K.set_random_seed(11)
    first = initializer((10, 10))
    second = initializer((10, 10))
    assert not np.array_equal(first, second)
    K.set_random_seed(11)
    np.testing.assert_array_equal(initializer((10, 10)), first)


def test_dtype_and_variable():
    assert draw(initializers.RandomNormal(), (3, 4), dtype="float64").dtype == np.float64
    values = initializers.glorot_uniform(seed=1)((3, 4))
    np.testing.assert_array_equal(K.get_value(K.variable(values)), values)


ALL = [
    initializers.Zeros(), initializers.Ones(), initializers.Constant(value=0.3),
    initializers.RandomNormal(mean=0.1, stddev=0.2, seed=1), initializers.RandomUniform(minval=-1, maxval=2, seed=2),
    initializers.TruncatedNormal(mean=0.0, stddev=0.3, seed=3),
    initializers.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform", seed=4),
    initializers.Orthogonal(gain=1.5, seed=5), initializers.Identity(gain=0.5),
]


@pytest.mark.parametrize("initializer", ALL, ids=lambda i: type(i).__name__)
def test_serialization_round_trip(initializer):
    config = initializers.serialize(initializer)
    assert config["class_name"] == type(initializer).__name__
    again = initializers.deserialize(config)
    assert type(again) is type(initializer) and again.get_config() == initializer.get_config()
    assert initializers.get(config).get_config() == initializer.get_config()
    # tf.keras writes an unused dtype into initializer configs
    assert type(initializer).from_config({**initializer.get_config(), "dtype": "float32"}).get_config() == \
        initializer.get_config()


@pytest.mark.parametrize("name, cls", [
    ("zeros", initializers.Zeros), ("zero", initializers.Zeros), ("Zeros", initializers.Zeros),
    ("ones", initializers.Ones), ("one", initializers.Ones), ("constant", initializers.Constant),
    ("normal", initializers.RandomNormal), ("random_normal", initializers.RandomNormal),
    ("uniform", initializers.RandomUniform), ("random_uniform", initializers.RandomUniform),
    ("truncated_normal", initializers.TruncatedNormal), ("orthogonal", initializers.Orthogonal),
    ("identity", initializers.Identity), ("VarianceScaling", initializers.VarianceScaling),
])
def test_get_by_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_get_passes_callables_and_rejects_others():
    def custom(shape, dtype=None):
        return np.full(shape, 4.0, dtype or "float32")

    assert initializers.get(custom) is custom
    assert initializers.serialize(custom) == "custom"
    assert initializers.deserialize("custom", custom_objects={"custom": custom}) is custom
    with pytest.raises(ValueError, match="Unknown initializer: glorot"):
        initializers.get("glorot")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        initializers.get(None)

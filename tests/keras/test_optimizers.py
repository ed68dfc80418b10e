"""Each optimizer against a numpy transcription of its Keras 2.2.4 update rule, on a quadratic."""
import numpy as np
import pytest

from symkeras import backend as K
from symkeras import constraints, optimizers

EPS = 1e-7
STEPS = 5
# loss = sum_i sum(0.5 * A_i * (w_i - C_i) ** 2): gradient A_i * (w_i - C_i)
_rng = np.random.default_rng(0)
W0 = [_rng.normal(size=(3,)).astype("float32"), _rng.normal(size=(2, 4)).astype("float32")]
A = [_rng.uniform(0.5, 2.0, size=w.shape).astype("float32") for w in W0]
C = [_rng.normal(size=w.shape).astype("float32") for w in W0]


def quadratic_loss(params):
    return sum(K.sum(0.5 * K.constant(a) * K.square(p - K.constant(c))) for p, a, c in zip(params, A, C))


def quadratic_grads(ws, clipnorm=None, clipvalue=None):
    grads = [a * (w - c) for w, a, c in zip(ws, A, C)]
    if clipnorm:
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
        grads = [g * clipnorm / norm if norm >= clipnorm else g for g in grads]
    if clipvalue:
        grads = [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


def run_optimizer(optimizer, steps=STEPS):
    """Train the quadratic `steps` times; return the parameters and ``optimizer.get_weights()``."""
    params = [K.variable(w) for w in W0]
    train = K.function([], [quadratic_loss(params)], updates=optimizer.get_updates(quadratic_loss(params), params))
    for _ in range(steps):
        train([])
    return [K.get_value(p) for p in params], optimizer.get_weights()


# -- numpy references: each returns (params, weights in Keras 2.2.4's order) ---------------------
def zeros_like_params():
    return [np.zeros(w.shape) for w in W0]


def decayed(lr, decay, t):
    return lr * (1.0 / (1.0 + decay * t)) if decay > 0 else lr


def sgd_reference(lr=0.01, momentum=0.0, decay=0.0, nesterov=False, steps=STEPS, **clip):
    ws, ms = [w.astype("float64") for w in W0], zeros_like_params()
    for t in range(steps):
        lr_t = decayed(lr, decay, t)
        for i, g in enumerate(quadratic_grads(ws, **clip)):
            v = momentum * ms[i] - lr_t * g
            ms[i] = v
            ws[i] = ws[i] + momentum * v - lr_t * g if nesterov else ws[i] + v
    return ws, [steps] + ms


def rmsprop_reference(lr=0.001, rho=0.9, decay=0.0, steps=STEPS):
    ws, accs = [w.astype("float64") for w in W0], zeros_like_params()
    for t in range(steps):
        lr_t = decayed(lr, decay, t)
        for i, g in enumerate(quadratic_grads(ws)):
            accs[i] = rho * accs[i] + (1 - rho) * g ** 2
            ws[i] = ws[i] - lr_t * g / (np.sqrt(accs[i]) + EPS)
    return ws, accs


def adagrad_reference(lr=0.01, decay=0.0, steps=STEPS):
    ws, accs = [w.astype("float64") for w in W0], zeros_like_params()
    for t in range(steps):
        lr_t = decayed(lr, decay, t)
        for i, g in enumerate(quadratic_grads(ws)):
            accs[i] = accs[i] + g ** 2
            ws[i] = ws[i] - lr_t * g / (np.sqrt(accs[i]) + EPS)
    return ws, accs


def adadelta_reference(lr=1.0, rho=0.95, decay=0.0, steps=STEPS):
    ws, accs, deltas = [w.astype("float64") for w in W0], zeros_like_params(), zeros_like_params()
    for t in range(steps):
        lr_t = decayed(lr, decay, t)
        for i, g in enumerate(quadratic_grads(ws)):
            accs[i] = rho * accs[i] + (1 - rho) * g ** 2
            update = g * np.sqrt(deltas[i] + EPS) / np.sqrt(accs[i] + EPS)
            ws[i] = ws[i] - lr_t * update
            deltas[i] = rho * deltas[i] + (1 - rho) * update ** 2
    return ws, accs + deltas


def adam_reference(lr=0.001, beta_1=0.9, beta_2=0.999, decay=0.0, amsgrad=False, steps=STEPS):
    ws, ms, vs, vhats = [w.astype("float64") for w in W0], zeros_like_params(), zeros_like_params(), zeros_like_params()
    for t in range(steps):
        lr_t = decayed(lr, decay, t) * np.sqrt(1 - beta_2 ** (t + 1)) / (1 - beta_1 ** (t + 1))
        for i, g in enumerate(quadratic_grads(ws)):
            ms[i] = beta_1 * ms[i] + (1 - beta_1) * g
            vs[i] = beta_2 * vs[i] + (1 - beta_2) * g ** 2
            vhats[i] = np.maximum(vhats[i], vs[i])
            ws[i] = ws[i] - lr_t * ms[i] / (np.sqrt(vhats[i] if amsgrad else vs[i]) + EPS)
    return ws, [steps] + ms + vs + (vhats if amsgrad else [np.zeros(1) for _ in W0])


def adamax_reference(lr=0.002, beta_1=0.9, beta_2=0.999, decay=0.0, steps=STEPS):
    ws, ms, us = [w.astype("float64") for w in W0], zeros_like_params(), zeros_like_params()
    for t in range(steps):
        lr_t = decayed(lr, decay, t) / (1 - beta_1 ** (t + 1))
        for i, g in enumerate(quadratic_grads(ws)):
            ms[i] = beta_1 * ms[i] + (1 - beta_1) * g
            us[i] = np.maximum(beta_2 * us[i], np.abs(g))
            ws[i] = ws[i] - lr_t * ms[i] / (us[i] + EPS)
    return ws, [steps] + ms + us


def nadam_reference(lr=0.002, beta_1=0.9, beta_2=0.999, schedule_decay=0.004, steps=STEPS):
    ws, ms, vs = [w.astype("float64") for w in W0], zeros_like_params(), zeros_like_params()
    m_schedule = 1.0
    for step in range(steps):
        t = step + 1
        cache_t = beta_1 * (1 - 0.5 * 0.96 ** (t * schedule_decay))
        cache_t_1 = beta_1 * (1 - 0.5 * 0.96 ** ((t + 1) * schedule_decay))
        m_schedule_new = m_schedule * cache_t
        m_schedule_next = m_schedule * cache_t * cache_t_1
        m_schedule = m_schedule_new
        for i, g in enumerate(quadratic_grads(ws)):
            g_prime = g / (1 - m_schedule_new)
            ms[i] = beta_1 * ms[i] + (1 - beta_1) * g
            vs[i] = beta_2 * vs[i] + (1 - beta_2) * g ** 2
            m_bar = (1 - cache_t) * g_prime + cache_t_1 * ms[i] / (1 - m_schedule_next)
            ws[i] = ws[i] - lr * m_bar / (np.sqrt(vs[i] / (1 - beta_2 ** t)) + EPS)
    return ws, [steps] + ms + vs


CASES = [
    (optimizers.SGD, sgd_reference, {}),
    (optimizers.SGD, sgd_reference, {"lr": 0.1, "momentum": 0.9}),
    (optimizers.SGD, sgd_reference, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (optimizers.SGD, sgd_reference, {"lr": 0.2, "momentum": 0.5, "decay": 0.3}),
    (optimizers.RMSprop, rmsprop_reference, {}),
    (optimizers.RMSprop, rmsprop_reference, {"lr": 0.05, "rho": 0.8, "decay": 0.2}),
    (optimizers.Adagrad, adagrad_reference, {}),
    (optimizers.Adagrad, adagrad_reference, {"lr": 0.3, "decay": 0.1}),
    (optimizers.Adadelta, adadelta_reference, {}),
    (optimizers.Adadelta, adadelta_reference, {"lr": 0.5, "rho": 0.7, "decay": 0.1}),
    (optimizers.Adam, adam_reference, {}),
    (optimizers.Adam, adam_reference, {"lr": 0.1, "beta_1": 0.5, "beta_2": 0.6, "decay": 0.1}),
    (optimizers.Adam, adam_reference, {"lr": 0.1, "beta_2": 0.5, "amsgrad": True}),
    (optimizers.Adamax, adamax_reference, {}),
    (optimizers.Adamax, adamax_reference, {"lr": 0.1, "beta_1": 0.6, "beta_2": 0.5, "decay": 0.2}),
    (optimizers.Nadam, nadam_reference, {}),
    (optimizers.Nadam, nadam_reference, {"lr": 0.1, "beta_1": 0.8, "beta_2": 0.7, "schedule_decay": 0.1}),
]


def assert_all_close(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(np.asarray(a, "float64"), np.asarray(e, "float64"), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("cls, reference, kwargs", CASES, ids=lambda c: getattr(c, "__name__", str(c)))
def test_updates_match_the_keras_formula(cls, reference, kwargs):
    ws, weights = run_optimizer(cls(**kwargs))
    ref_ws, ref_weights = reference(**kwargs)
    assert not np.allclose(ref_ws[1], W0[1], atol=1e-4), "the reference must move the weights"
    assert_all_close(ws, ref_ws)
    assert_all_close(weights, ref_weights)


def test_amsgrad_differs_from_adam_here():
    # the case above only tells the two apart if v_t decreases during the run
    adam, amsgrad = adam_reference(lr=0.1, beta_2=0.5), adam_reference(lr=0.1, beta_2=0.5, amsgrad=True)
    assert not np.allclose(adam[0][1], amsgrad[0][1])


@pytest.mark.parametrize("clip", [{"clipnorm": 0.5}, {"clipvalue": 0.1}, {"clipnorm": 1.0, "clipvalue": 0.3}])
def test_gradient_clipping(clip):
    ws, _ = run_optimizer(optimizers.SGD(lr=0.1, momentum=0.5, **clip))
    ref_ws, _ = sgd_reference(lr=0.1, momentum=0.5, **clip)
    assert_all_close(ws, ref_ws)
    unclipped, _ = sgd_reference(lr=0.1, momentum=0.5)
    assert not np.allclose(ref_ws[1], unclipped[1], atol=1e-4), "the clip must be active in this test"


def test_changing_lr_takes_effect_without_new_function():
    optimizer = optimizers.SGD(lr=0.1)
    params = [K.variable(w) for w in W0]
    train = K.function([], [quadratic_loss(params)], updates=optimizer.get_updates(quadratic_loss(params), params))
    train([])
    K.set_value(optimizer.lr, 0.0)
    before = [K.get_value(p) for p in params]
    train([])
    assert_all_close([K.get_value(p) for p in params], before)
    assert int(K.get_value(optimizer.iterations)) == 2


def test_constraint_projects_the_updated_parameter():
    p = K.variable(np.array([0.5, -0.5, 2.0], "float32"), constraint=constraints.NonNeg())
    c = np.array([-3.0, -3.0, 4.0], "float32")
    loss = K.sum(K.square(p - K.constant(c)))
    K.function([], [loss], updates=optimizers.SGD(lr=0.1).get_updates(loss, [p]))([])
    np.testing.assert_allclose(K.get_value(p), [0.0, 0.0, 2.4], rtol=1e-6)


def test_iterations_is_an_int64_variable_counting_steps():
    optimizer = optimizers.Adam()
    run_optimizer(optimizer, steps=3)
    assert K.dtype(optimizer.iterations) == "int64"
    assert int(K.get_value(optimizer.iterations)) == 3


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax", "nadam"])
def test_set_weights_restores_the_state(name):
    trained = optimizers.get(name)
    run_optimizer(trained, steps=2)
    fresh = optimizers.get(name)
    run_optimizer(fresh, steps=0)
    fresh.set_weights(trained.get_weights())
    assert_all_close(fresh.get_weights(), trained.get_weights())
    with pytest.raises(ValueError, match="Length of the specified weight list"):
        fresh.set_weights(trained.get_weights()[:-1])
    with pytest.raises(ValueError, match="not compatible"):
        fresh.set_weights([np.zeros((7,) + np.shape(w)) for w in trained.get_weights()])


def test_set_weights_accepts_keras_2_3_lists_with_iterations_first():
    trained = optimizers.RMSprop()
    run_optimizer(trained, steps=2)
    fresh = optimizers.RMSprop()
    run_optimizer(fresh, steps=0)
    fresh.set_weights([np.array(7, "int64")] + trained.get_weights())
    assert int(K.get_value(fresh.iterations)) == 7
    assert_all_close(fresh.get_weights(), trained.get_weights())


def test_weight_order_and_shapes_as_keras_2_2_4():
    shapes = [w.shape for w in W0]
    expected = {
        "sgd": [()] + shapes,
        "rmsprop": shapes,
        "adagrad": shapes,
        "adadelta": shapes * 2,
        "adam": [()] + shapes * 2 + [(1,), (1,)],
        "adamax": [()] + shapes * 2,
        "nadam": [()] + shapes * 2,
    }
    for name, expected_shapes in expected.items():
        optimizer = optimizers.get(name)
        run_optimizer(optimizer, steps=0)
        assert [np.shape(w) for w in optimizer.get_weights()] == expected_shapes, name


# -- configuration and serialization -------------------------------------------------------------
DEFAULT_CONFIGS = {
    optimizers.SGD: {"lr": 0.01, "momentum": 0.0, "decay": 0.0, "nesterov": False},
    optimizers.RMSprop: {"lr": 0.001, "rho": 0.9, "decay": 0.0, "epsilon": 1e-7},
    optimizers.Adagrad: {"lr": 0.01, "decay": 0.0, "epsilon": 1e-7},
    optimizers.Adadelta: {"lr": 1.0, "rho": 0.95, "decay": 0.0, "epsilon": 1e-7},
    optimizers.Adam: {"lr": 0.001, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.0, "epsilon": 1e-7, "amsgrad": False},
    optimizers.Adamax: {"lr": 0.002, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.0, "epsilon": 1e-7},
    optimizers.Nadam: {"lr": 0.002, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "schedule_decay": 0.004},
}


def assert_config_equal(actual, expected):
    assert sorted(actual) == sorted(expected)
    for key, value in expected.items():
        assert actual[key] == (value if isinstance(value, bool) else pytest.approx(value, rel=1e-6)), key


@pytest.mark.parametrize("cls", list(DEFAULT_CONFIGS), ids=lambda c: c.__name__)
def test_default_config_is_keras_2_2_4(cls):
    assert_config_equal(cls().get_config(), DEFAULT_CONFIGS[cls])


@pytest.mark.parametrize("cls", list(DEFAULT_CONFIGS), ids=lambda c: c.__name__)
def test_config_round_trip(cls):
    config = {**DEFAULT_CONFIGS[cls], "lr": 0.25, "clipnorm": 2.0, "clipvalue": 0.5}
    if "epsilon" in config:
        config["epsilon"] = 1e-4
    optimizer = cls.from_config(config)
    assert_config_equal(optimizer.get_config(), config)
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(again) is cls
    assert_config_equal(again.get_config(), config)


def test_from_config_reads_keras_2_3_learning_rate():
    assert optimizers.SGD.from_config({"learning_rate": 0.5}).get_config()["lr"] == 0.5


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="Unexpected keyword argument passed to optimizer: momentum"):
        optimizers.Adam(momentum=0.9)


@pytest.mark.parametrize("identifier, cls", [
    ("sgd", optimizers.SGD), ("SGD", optimizers.SGD), ("Adam", optimizers.Adam), ("nadam", optimizers.Nadam),
    ({"class_name": "RMSprop", "config": {"lr": 0.5}}, optimizers.RMSprop),
])
def test_get(identifier, cls):
    assert type(optimizers.get(identifier)) is cls


def test_get_passes_instances_and_rejects_others():
    adam = optimizers.Adam()
    assert optimizers.get(adam) is adam
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(3)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        optimizers.get("adamw")

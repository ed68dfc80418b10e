"""The backend namespace: Keras 2.2.4's names (P0 and P1 rows of the checklist), documented."""
import inspect

from symkeras import backend as K

KERAS_NAMES = """
abs all any arange argmax argmin backend batch_dot batch_flatten batch_get_value batch_normalization
batch_set_value bias_add binary_crossentropy cast cast_to_floatx categorical_crossentropy clear_session clip
concatenate constant cos count_params cumprod cumsum dot dropout dtype elu epsilon equal eval exp expand_dims eye
flatten floatx function gather get_uid get_value gradients greater greater_equal hard_sigmoid identity
image_data_format in_test_phase in_top_k in_train_phase int_shape is_keras_tensor is_placeholder is_sparse
is_tensor l2_normalize learning_phase less less_equal log logsumexp max maximum mean min minimum
moving_average_update name_scope ndim normalize_batch_in_training normalize_data_format not_equal one_hot ones
ones_like permute_dimensions placeholder pow prod random_binomial random_normal random_normal_variable
random_uniform random_uniform_variable relu repeat repeat_elements reset_uids reshape resize_images resize_volumes
reverse round set_epsilon set_floatx set_image_data_format set_learning_phase set_value shape sigmoid sign sin
slice softmax softplus softsign sparse_categorical_crossentropy spatial_2d_padding spatial_3d_padding sqrt square
squeeze stack std stop_gradient sum switch tanh temporal_padding tile to_dense transpose truncated_normal update
update_add update_sub var variable zeros zeros_like
""".split()


def test_every_keras_name_is_defined_and_documented():
    for name in KERAS_NAMES:
        fn = getattr(K, name)
        assert callable(fn), name
        assert fn.__doc__ and ("# Arguments" in fn.__doc__ or "# Returns" in fn.__doc__
                               or not inspect.signature(fn).parameters), name


def test_signatures_follow_keras():
    expected = {
        "placeholder": "(shape=None, ndim=None, dtype=None, sparse=False, name=None)",
        "variable": "(value, dtype=None, name=None, constraint=None)",
        "categorical_crossentropy": "(target, output, from_logits=False, axis=-1)",
        "relu": "(x, alpha=0.0, max_value=None, threshold=0.0)",
        "function": "(inputs, outputs, updates=None, **kwargs)",
        "random_normal": "(shape, mean=0.0, stddev=1.0, dtype=None, seed=None)",
        "in_train_phase": "(x, alt, training=None)",
        "batch_dot": "(x, y, axes=None)",
        "mean": "(x, axis=None, keepdims=False)",
    }
    for name, signature in expected.items():
        params = inspect.signature(getattr(K, name)).replace(return_annotation=inspect.Signature.empty)
        stripped = params.replace(parameters=[p.replace(annotation=inspect.Parameter.empty)
                                              for p in params.parameters.values()])
        assert str(stripped) == signature, name

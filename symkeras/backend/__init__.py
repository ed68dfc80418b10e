"""The Keras 2 backend on the symkeras graph: ``from symkeras import backend as K``.

Keras 2.2.4's names, signatures and defaults (TensorFlow semantics where Keras's
backends differ), built from `symkeras.graph` and `symkeras.ops` only.  Modules by job:
`common` (settings and ``keras.json``), `variables` (tensors, state, updates, uids),
`random`, `math` (elementwise, reductions, products, switch), `arrays` (shape
manipulation), `nn` (activations, losses, dropout, normalization), `conv` (convolutions,
pooling), `rnn` (the recurrent loop), `phase` (the learning phase) and `functions`
(`function`, `gradients`, `eval`).
"""
from symkeras.backend.common import (
    backend, cast_to_floatx, epsilon, floatx, image_data_format, keras_dir, load_config, normalize_data_format,
    set_epsilon, set_floatx, set_image_data_format,
)
from symkeras.backend.variables import (
    batch_get_value, batch_set_value, constant, count_params, dtype, eye, get_uid, get_value, identity, int_shape,
    is_keras_tensor, is_placeholder, is_sparse, is_tensor, moving_average_update, name_scope, ndim, ones, ones_like,
    placeholder, reset_uids, set_value, shape, to_dense, update, update_add, update_sub, variable, zeros, zeros_like,
)
from symkeras.backend.random import (
    numpy_rng, random_binomial, random_normal, random_normal_variable, random_uniform, random_uniform_variable,
    set_random_seed, truncated_normal,
)
from symkeras.backend.math import (
    abs, all, any, argmax, argmin, batch_dot, cast, clip, cos, cumprod, cumsum, dot, equal, exp, greater,
    greater_equal, hard_sigmoid, less, less_equal, log, logsumexp, max, maximum, mean, min, minimum, not_equal, pow,
    prod, round, sigmoid, sign, sin, softplus, softsign, sqrt, square, std, sum, switch, tanh, var,
)
from symkeras.backend.arrays import (
    arange, batch_flatten, concatenate, expand_dims, flatten, gather, one_hot, permute_dimensions, repeat,
    repeat_elements, reshape, resize_images, resize_volumes, reverse, slice, spatial_2d_padding, spatial_3d_padding,
    squeeze, stack, temporal_padding, tile, transpose,
)
from symkeras.backend.nn import (
    batch_normalization, bias_add, binary_crossentropy, categorical_crossentropy, dropout, elu, in_top_k,
    l2_normalize, normalize_batch_in_training, relu, softmax, sparse_categorical_crossentropy,
)
from symkeras.backend.conv import (
    conv1d, conv2d, conv2d_transpose, conv3d, conv3d_transpose, depthwise_conv2d, local_conv1d, local_conv2d, pool2d,
    pool3d, separable_conv1d, separable_conv2d,
)
from symkeras.backend.phase import clear_session, in_test_phase, in_train_phase, learning_phase, set_learning_phase
from symkeras.backend.functions import Function, eval, function, gradients, stop_gradient
from symkeras.backend.rnn import rnn

load_config()

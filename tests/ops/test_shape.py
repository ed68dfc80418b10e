"""Static shapes, errors and edge cases of the shape ops (the values are checked by the registry cases)."""
import numpy as np
import pytest

from symkeras.graph import function, grad, tensor
from symkeras.ops import shape as S


def _eval(inputs, output, *values):
    return function(inputs, output, mode="py", optimizer=None)(*values)


def test_shape_is_a_static_length_int_vector():
    x = tensor("float32", (None, 3))
    assert S.shape(x).type.shape == (2,) and S.shape(x).dtype == "int64"
    assert not S.Shape.differentiable


@pytest.mark.parametrize("build, static", [
    (lambda x: S.flatten(x, 2), (None, 12)),
    (lambda x: S.reshape(x, (-1, 12)), (None, 12)),
    (lambda x: S.reshape(x, (x.shape[0], 2, -1)), (None, 2, 6)),
    (lambda x: S.reshape(x, (x.shape[0], x.shape[0], -1)), (None, None, None)),
    (lambda x: S.reshape(x, S.shape(x)), (None, 3, 4)),
    (lambda x: S.flatten(x), (None,)),
])
def test_reshape_static_shape_through_unknown_dims(build, static):
    assert build(tensor("float32", (None, 3, 4))).type.shape == static


def test_reshape_infers_a_single_symbolic_dim_of_a_static_tensor():
    x, n = tensor("float32", (2, 6)), tensor("int64", ())
    assert S.reshape(x, (n, 4)).type.shape == (3, 4)
    assert _eval([x, n], S.reshape(x, (n, 4)), np.zeros((2, 6)), 3).shape == (3, 4)


@pytest.mark.parametrize("static, target", [((2, 3), (4, -1)), ((2, 3), (5,)), ((0, 3), (-1, 0)), ((None, 3), (2, 2))])
def test_reshape_size_mismatch_names_op_and_shapes(static, target):
    x = tensor("float32", static)
    with pytest.raises(ValueError, match=r"Reshape.*" + ".*".join(map(str, target))) as info:
        S.reshape(x, target)
    assert str(static[1]) in str(info.value)


@pytest.mark.parametrize("target", [(-1, -1), (2, -3)])
def test_reshape_rejects_bad_targets(target):
    with pytest.raises(ValueError, match="Reshape"):
        S.reshape(tensor("float32", (2, 3)), target)


def test_reshape_target_types():
    x = tensor("float32", (2, 3))
    with pytest.raises(TypeError, match="reshape"):
        S.reshape(x, (tensor("float32", ()), 2))
    with pytest.raises(ValueError, match="static length"):
        S.reshape(x, tensor("int64", (None,)))


def test_reshape_runtime_mismatch_names_op():
    x = tensor("float32", (None, 3))
    f = function([x], S.reshape(x, (4, 3)), mode="py", optimizer=None)
    with pytest.raises(ValueError, match="Reshape"):
        f(np.zeros((5, 3), "float32"))


def test_reshape_gradient_with_unknown_dims():
    x = tensor("float64", (None, 3))
    g = grad(S.reshape(x, (-1,)).sum(), x)
    assert g.type.shape == (None, 3)
    np.testing.assert_array_equal(_eval([x], g, np.zeros((2, 3))), np.ones((2, 3)))


def test_alloc_errors():
    with pytest.raises(ValueError, match=r"Alloc.*\(3,\).*\(2, 4\)"):
        S.alloc(tensor("float32", (3,)), 2, 4)
    with pytest.raises(ValueError, match="Alloc: negative"):
        S.alloc(0.0, -1)
    with pytest.raises(TypeError, match="Alloc"):
        S.alloc(0.0, tensor("float32", ()))


def test_alloc_rejects_runtime_broadcast_of_an_unknown_dim():
    v = tensor("float32", (None,))
    f = function([v], S.alloc(v, 2, 3), mode="py", optimizer=None)
    assert f(np.ones(3, "float32")).shape == (2, 3)
    with pytest.raises(ValueError, match="not known to be 1"):
        f(np.ones(1, "float32"))


def test_alloc_output_is_fresh():
    v = tensor("float32", (3,))
    out = _eval([v], S.alloc(v, 2, 3), np.ones(3, "float32"))
    assert out.flags.writeable and out.flags.owndata


def test_dimshuffle_errors_name_op_and_shape():
    with pytest.raises(ValueError, match=r"DimShuffle.*drop axes \[1\].*\(2, 3\)"):
        S.dimshuffle(tensor("float32", (2, 3)), (0,))
    with pytest.raises(ValueError, match="DimShuffle.*not a valid pattern"):
        S.dimshuffle(tensor("float32", (2, 3)), (0, 0))
    with pytest.raises(ValueError, match="not a valid pattern"):
        S.dimshuffle(tensor("float32", (2, 3)), (0, 2))
    with pytest.raises(ValueError, match="2-d"):
        S.DimShuffle(2, (1, 0))(tensor("float32", (2,)))


def test_dimshuffle_identity_is_the_input_and_ops_compare_by_props():
    x = tensor("float32", (2, 3))
    assert S.dimshuffle(x, (0, 1)) is x
    assert S.DimShuffle(2, [1, 0]) == S.DimShuffle(2, (1, 0))
    assert hash(S.DimShuffle(2, [1, 0])) == hash(S.DimShuffle(2, (1, 0)))
    assert S.DimShuffle(2, (1, 0)) != S.DimShuffle(3, (1, 0))


def test_dimshuffle_static_shapes():
    x = tensor("float32", (None, 1, 3))
    assert S.dimshuffle(x, (2, "x", 0)).type.shape == (3, 1, None)
    assert S.transpose(x).type.shape == (3, 1, None)
    assert S.squeeze(x).type.shape == (None, 3)
    assert S.expand_dims(x, -1).type.shape == (None, 1, 3, 1)


def test_transpose_and_expand_dims_errors():
    x = tensor("float32", (2, 3))
    with pytest.raises(ValueError, match="transpose"):
        S.transpose(x, (0,))
    with pytest.raises(ValueError, match="transpose"):
        S.transpose(x, (0, 0))
    with pytest.raises(ValueError, match="expand_dims"):
        S.expand_dims(x, 3)


def test_squeeze_errors_and_unknown_axes():
    with pytest.raises(ValueError, match=r"squeeze.*\(2, 3\)"):
        S.squeeze(tensor("float32", (2, 3)), 0)
    x = tensor("float32", (None, 3))
    assert S.squeeze(x).type.shape == (None, 3)
    f = function([x], S.squeeze(x, 0), mode="py", optimizer=None)
    with pytest.raises(ValueError, match="Reshape"):
        f(np.zeros((2, 3), "float32"))


def test_concatenate_errors_name_op_and_shapes():
    with pytest.raises(ValueError, match=r"Concatenate.*\(2, 3\), \(2, 4\)"):
        S.concatenate([tensor("float32", (2, 3)), tensor("float32", (2, 4))])
    with pytest.raises(ValueError, match="Concatenate"):
        S.concatenate([tensor("float32", (2, 3)), tensor("float32", (3,))])
    with pytest.raises(ValueError, match="concatenate"):
        S.concatenate([tensor("float32", (2, 3))], axis=2)
    with pytest.raises(ValueError, match="concatenate"):
        S.concatenate([])
    with pytest.raises(ValueError, match="Concatenate"):
        S.Concatenate(0)(tensor("float32", ()))


def test_concatenate_static_shapes_and_dtype():
    a, b = tensor("float32", (None, 3)), tensor("float64", (2, None))
    out = S.concatenate([a, b])
    assert out.type.shape == (None, 3) and out.dtype == "float64"
    assert S.concatenate([a, b], axis=1).type.shape == (2, None)
    assert S.concatenate([tensor("int32", (2,)), [1.0]]).dtype == "float64"  # as numpy: int32 and a Python float
    assert S.stack([tensor("float32", ()), 1]).dtype == "float32"


def test_concatenate_gradient_with_unknown_sizes():
    a, b = tensor("float64", (None,)), tensor("float64", (None,))
    ga, gb = grad((S.concatenate([a, b]) * np.arange(5.0)).sum(), [a, b])
    got = _eval([a, b], [ga, gb], np.zeros(2), np.zeros(3))
    np.testing.assert_array_equal(got[0], [0, 1])
    np.testing.assert_array_equal(got[1], [2, 3, 4])


def test_stack_builds_shape_vectors_from_symbolic_dims():
    x = tensor("float32", (None, 4))
    v = S.stack([x.shape[0], 2, 2])
    assert v.type.shape == (3,) and v.dtype == "int64"
    assert S.reshape(x, v).type.shape == (None, 2, 2)


def test_tile_repeat_pad_static_shapes():
    x = tensor("float32", (None, 3))
    assert S.tile(x, (2, 2)).type.shape == (None, 6)
    assert S.repeat(x, 2, axis=1).type.shape == (None, 6)
    assert S.repeat(x, 2, axis=0).type.shape == (None, 3)
    assert S.pad(x, ((1, 1), (0, 2))).type.shape == (None, 5)
    assert S.one_hot(tensor("int64", (None,)), 5).type.shape == (None, 5)


def test_repeat_tile_pad_one_hot_errors():
    x = tensor("float32", (2, 3))
    with pytest.raises(ValueError, match="repeat"):
        S.repeat(x, [1, 2], axis=1)
    with pytest.raises(ValueError, match="repeat"):
        S.repeat(tensor("float32", (None,)), [1, 2], axis=0)
    with pytest.raises(ValueError, match="Alloc: negative"):
        S.tile(x, (-1, 1))
    with pytest.raises(ValueError, match=r"pad.*\(2, 3\)"):
        S.pad(x, ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ValueError, match="pad"):
        S.pad(x, -1)
    with pytest.raises(TypeError, match="one_hot"):
        S.one_hot(x, 3)


def test_flatten_bounds():
    with pytest.raises(ValueError, match="flatten"):
        S.flatten(tensor("float32", (2, 3)), 3)
    assert S.flatten(tensor("float32", ())).type.shape == (1,)

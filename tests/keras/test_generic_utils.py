"""The serialization helpers and the custom-object registry of `symkeras.utils.generic_utils`."""
import pytest

from symkeras import utils
from symkeras.utils.generic_utils import get_from_identifier, has_arg


class Thing(object):
    def __init__(self, size=1):
        self.size = size

    def get_config(self):
        return {"size": self.size}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def make_thing(size=2):
    return Thing(size)


def test_serialize():
    assert utils.serialize_keras_object(None) is None
    assert utils.serialize_keras_object(Thing(3)) == {"class_name": "Thing", "config": {"size": 3}}
    assert utils.serialize_keras_object(make_thing) == "make_thing"
    with pytest.raises(ValueError, match="Cannot serialize"):
        utils.serialize_keras_object(3)


def test_deserialize_configs_and_names():
    module_objects = {"Thing": Thing, "make_thing": make_thing}
    thing = utils.deserialize_keras_object({"class_name": "Thing", "config": {"size": 4}}, module_objects)
    assert isinstance(thing, Thing) and thing.size == 4
    # a function in place of a class is called with the config as keyword arguments
    assert utils.deserialize_keras_object({"class_name": "make_thing", "config": {}}, module_objects).size == 2
    assert utils.deserialize_keras_object("make_thing", module_objects) is make_thing
    assert utils.deserialize_keras_object(None) is None
    with pytest.raises(ValueError, match="Unknown widget: Other"):
        utils.deserialize_keras_object("Other", module_objects, printable_module_name="widget")
    with pytest.raises(ValueError, match="Improper config format"):
        utils.deserialize_keras_object({"config": {}}, module_objects)
    with pytest.raises(ValueError, match="Could not interpret serialized object"):
        utils.deserialize_keras_object(3, module_objects)


def test_custom_objects_take_precedence_and_reach_from_config():
    seen = {}

    class Outer(Thing):
        @classmethod
        def from_config(cls, config, custom_objects=None):
            seen.update(custom_objects)
            return cls(**config)

    utils.deserialize_keras_object({"class_name": "Outer", "config": {}}, {}, custom_objects={"Outer": Outer})
    assert seen["Outer"] is Outer
    assert utils.deserialize_keras_object("Thing", {"Thing": make_thing}, custom_objects={"Thing": Thing}) is Thing


def test_custom_object_scope_restores_the_registry():
    assert "Thing" not in utils.get_custom_objects()
    with utils.custom_object_scope({"Thing": Thing}, {"make_thing": make_thing}) as scope:
        assert isinstance(scope, utils.CustomObjectScope)
        assert utils.deserialize_keras_object("Thing") is Thing
        assert utils.deserialize_keras_object("make_thing") is make_thing
    assert "Thing" not in utils.get_custom_objects()


def test_get_custom_objects_is_the_live_registry():
    utils.get_custom_objects()["Thing"] = Thing
    try:
        assert utils.deserialize_keras_object({"class_name": "Thing", "config": {}}).size == 1
    finally:
        del utils.get_custom_objects()["Thing"]


def test_has_arg():
    def f(a, b=1, *args, c, **kwargs):
        pass

    assert has_arg(f, "b") and has_arg(f, "c")
    assert not has_arg(f, "args") and not has_arg(f, "d")
    assert has_arg(f, "d", accept_all=True)


def test_get_from_identifier():
    def deserialize(config):
        return ("deserialized", config)

    assert get_from_identifier("x", deserialize, "thing") == ("deserialized", {"class_name": "x", "config": {}})
    assert get_from_identifier("x", deserialize, "thing", names_are_classes=False) == ("deserialized", "x")
    assert get_from_identifier({"a": 1}, deserialize, "thing") == ("deserialized", {"a": 1})
    assert get_from_identifier(len, deserialize, "thing") is len
    with pytest.raises(ValueError, match="Could not interpret thing identifier: 3"):
        get_from_identifier(3, deserialize, "thing")

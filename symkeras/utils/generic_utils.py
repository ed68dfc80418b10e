"""Keras 2.2.4's serialization helpers and the registry of custom objects.

`serialize_keras_object` turns an object into ``{"class_name": ..., "config": ...}`` (or a
function into its name); `deserialize_keras_object` turns such a config, or a name, back
into an object, looking it up in ``custom_objects``, then in the global custom objects
(`get_custom_objects`, `CustomObjectScope`), then in the module's own objects.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Mapping, Optional, Union

#: The objects that every `deserialize_keras_object` call can resolve by name.
_GLOBAL_CUSTOM_OBJECTS: Dict[str, Any] = {}


class CustomObjectScope(object):
    """Provides a scope in which changes to the global custom objects are undone on exit.

    Code within a ``with`` statement can refer to the custom objects by name; the
    global dictionary is restored when the block ends.

    # Arguments
        *args: dictionaries of ``{name: class_or_function}`` added for the scope.

    # Example

    ```python
    with CustomObjectScope({'MyObject': MyObject}):
        layer = Dense(..., kernel_regularizer='MyObject')
    ```
    """

    def __init__(self, *args: Mapping[str, Any]):
        self.custom_objects = args
        self.backup: Optional[Dict[str, Any]] = None

    def __enter__(self) -> "CustomObjectScope":
        self.backup = _GLOBAL_CUSTOM_OBJECTS.copy()
        for objects in self.custom_objects:
            _GLOBAL_CUSTOM_OBJECTS.update(objects)
        return self

    def __exit__(self, *args) -> None:
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(self.backup)


def custom_object_scope(*args: Mapping[str, Any]) -> CustomObjectScope:
    """Provides a scope in which changes to the global custom objects are undone on exit.

    Convenience wrapper for `CustomObjectScope`.

    # Arguments
        *args: dictionaries of ``{name: class_or_function}`` added for the scope.

    # Returns
        A `CustomObjectScope`, to use in a ``with`` statement.
    """
    return CustomObjectScope(*args)


def get_custom_objects() -> Dict[str, Any]:
    """Retrieves a live reference to the global dictionary of custom objects.

    Updating and clearing it is the way to register custom objects for good;
    `CustomObjectScope` is preferred for temporary ones.

    # Example

    ```python
    get_custom_objects().clear()
    get_custom_objects()['MyObject'] = MyObject
    ```

    # Returns
        The global dictionary of custom objects.
    """
    return _GLOBAL_CUSTOM_OBJECTS


def has_arg(fn: Callable, name: str, accept_all: bool = False) -> bool:
    """Checks whether a callable accepts a given keyword argument.

    # Arguments
        fn: the callable to inspect.
        name: the name of the keyword argument.
        accept_all: whether ``**kwargs`` counts as accepting `name`.

    # Returns
        Whether `fn` accepts a `name` keyword argument.
    """
    parameters = inspect.signature(fn).parameters
    if accept_all and any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return True
    parameter = parameters.get(name)
    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY
    )


def serialize_keras_object(instance: Any) -> Union[None, str, Dict[str, Any]]:
    """The Keras config of an object: ``{"class_name", "config"}``, or the name of a function.

    # Arguments
        instance: an object with `get_config`, a named function, or None.

    # Returns
        None, a dict ``{"class_name": ..., "config": ...}``, or a name.

    # Raises
        ValueError: if `instance` has neither `get_config` nor `__name__`.
    """
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        return {"class_name": instance.__class__.__name__, "config": instance.get_config()}
    if hasattr(instance, "__name__"):
        return instance.__name__
    raise ValueError(f"Cannot serialize {instance!r}: it has neither get_config() nor __name__")


def _lookup(name: str, module_objects: Optional[Mapping[str, Any]], custom_objects: Optional[Mapping[str, Any]],
            printable_module_name: str) -> Any:
    """The object called `name`: from `custom_objects`, the global custom objects, then `module_objects`."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    found = (module_objects or {}).get(name)
    if found is None:
        raise ValueError(f"Unknown {printable_module_name}: {name}")
    return found


def deserialize_keras_object(identifier: Union[None, str, Dict[str, Any]],
                             module_objects: Optional[Mapping[str, Any]] = None,
                             custom_objects: Optional[Mapping[str, Any]] = None,
                             printable_module_name: str = "object") -> Any:
    """The object a Keras config or name stands for.

    A config dict ``{"class_name", "config"}`` is built with the class's `from_config`
    (given `custom_objects` when it accepts them) or, for a function such as
    ``glorot_uniform``, by calling it with the config as keyword arguments; a name
    returns the object of that name.

    # Arguments
        identifier: a config dict, a name, or None.
        module_objects: the module's objects by name (usually its ``globals()``).
        custom_objects: user objects by name, looked up first.
        printable_module_name: what to call the object in error messages.

    # Returns
        The object (None for None).

    # Raises
        ValueError: on a malformed config or an unknown name.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(f"Improper config format for a {printable_module_name}: {identifier}")
        cls = _lookup(identifier["class_name"], module_objects, custom_objects, printable_module_name)
        custom_objects = dict(custom_objects or {})
        if hasattr(cls, "from_config"):
            if has_arg(cls.from_config, "custom_objects"):
                return cls.from_config(identifier["config"],
                                       custom_objects={**_GLOBAL_CUSTOM_OBJECTS, **custom_objects})
            with CustomObjectScope(custom_objects):
                return cls.from_config(identifier["config"])
        # A function returning an object (e.g. ``glorot_uniform``): the config holds its kwargs.
        with CustomObjectScope(custom_objects):
            return cls(**identifier["config"])
    if isinstance(identifier, str):
        return _lookup(identifier, module_objects, custom_objects, printable_module_name)
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier!r}")


def get_from_identifier(identifier: Any, deserialize: Callable[[Any], Any], printable_module_name: str,
                        names_are_classes: bool = True,
                        is_object: Callable[[Any], bool] = callable) -> Any:
    """The shared body of the modules' ``get(identifier)``.

    # Arguments
        identifier: a config dict, a name, or an object.
        deserialize: the module's `deserialize`.
        printable_module_name: what to call the object in error messages.
        names_are_classes: whether a name means ``{"class_name": name, "config": {}}``
            (initializers, optimizers…) rather than the object of that name (functions).
        is_object: whether a non-string, non-dict identifier is usable as it is.

    # Returns
        The object.

    # Raises
        ValueError: if `identifier` is none of these.
    """
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}} if names_are_classes else identifier)
    if is_object(identifier):
        return identifier
    raise ValueError(f"Could not interpret {printable_module_name} identifier: {identifier!r}")

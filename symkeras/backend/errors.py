"""Errors that name the backend function: ``K.dot: shapes (None, 3) and (4, 5) are not aligned``."""
from __future__ import annotations

import functools
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)


def backend_function(fn: F) -> F:
    """Prefix ``K.<name>: `` to the ValueError/TypeError/IndexError a graph op raises inside `fn`.

    The ops already name themselves and the shapes; the prefix tells the Keras user which
    backend call the failing op came from.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError, IndexError) as error:
            message = str(error)
            if message.startswith("K."):
                raise
            raise type(error)(f"K.{fn.__name__}: {message}") from error

    return wrapper  # type: ignore[return-value]

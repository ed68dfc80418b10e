"""Saving Python functions in layer configs (Keras 2.2.4's ``func_dump`` / ``func_load``), for `Lambda`.

A function is stored as ``[base64(marshal(code)), defaults, closure]``: readable by the
same CPython version only, as in Keras.  Named module-level functions are better stored
by name (``function_type='function'``), which `Lambda` does.
"""
from __future__ import annotations

import base64
import binascii
import marshal
import types
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

Dumped = Tuple[str, Optional[tuple], Optional[tuple]]


def func_dump(func: Callable) -> Dumped:
    """Serializes a user function (lambdas and closures included).

    # Arguments
        func: the function to serialize.

    # Returns
        A tuple ``(code, defaults, closure)``: base64 marshalled bytecode, the default
        argument values, and the values of the closure's cells.
    """
    code = base64.b64encode(marshal.dumps(func.__code__)).decode("ascii")
    closure = tuple(cell.cell_contents for cell in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


def func_load(code: Union[str, Sequence[Any]], defaults: Optional[Sequence[Any]] = None,
              closure: Optional[Sequence[Any]] = None, globs: Optional[Dict[str, Any]] = None) -> Callable:
    """Deserializes a function serialized by `func_dump` (or by Keras, on the same Python version).

    # Arguments
        code: the bytecode, or the whole ``(code, defaults, closure)`` triple.
        defaults: the default argument values.
        closure: the values of the closure's cells.
        globs: the globals the function sees.

    # Returns
        A function.
    """
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
    try:
        raw = base64.b64decode(code.encode("ascii"), validate=False)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raw = code.encode("raw_unicode_escape")
    func_code = marshal.loads(raw)
    cells = tuple(types.CellType(value) for value in closure) if closure is not None else None
    return types.FunctionType(func_code, globs if globs is not None else {}, name=func_code.co_name,
                              argdefs=tuple(defaults) if defaults is not None else None, closure=cells)


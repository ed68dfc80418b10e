"""HDF5 and file helpers (``keras.utils.io_utils``): the overwrite prompt, string attributes in Keras's
encoding, and atomic file replacement.

Keras 2.x wrote its string attributes with h5py 2, as fixed-length byte strings, and its readers call
``.decode('utf8')`` on them; h5py 3 writes plain ``bytes`` as variable-length strings and reads them back
as ``str``.  So we write fixed-length byte strings (``numpy.bytes_`` arrays) and read either kind.
"""
from __future__ import annotations

import contextlib
import os
import stat
import uuid
from typing import Any, Iterator, List, Optional, Sequence

import numpy as np

#: the largest attribute HDF5 keeps in an object header; longer name lists are split in chunks
HDF5_OBJECT_HEADER_LIMIT = 64512


def ask_to_proceed_with_overwrite(filepath: str) -> bool:
    """Asks the user (on stdin) whether to overwrite `filepath`.

    # Arguments
        filepath: the path of the file that exists.

    # Returns
        True if the user answered ``y``, False for ``n``.
    """
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]")
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).')
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


def decode_attribute(value: Any) -> str:
    """A string attribute as `str`, whether h5py gives `bytes` (fixed length, Keras 2.x) or `str` (h5py 3)."""
    return value.decode("utf8") if isinstance(value, (bytes, np.bytes_)) else str(value)


def encode_attribute(value: str) -> np.bytes_:
    """A string as Keras 2.x writes it: a fixed-length byte string, UTF-8 encoded."""
    return np.bytes_(value.encode("utf8"))


def read_string_attribute(group: Any, name: str) -> Optional[str]:
    """The string attribute `name` of an h5py group or file, or None when it has none."""
    if name not in group.attrs:
        return None
    return decode_attribute(group.attrs[name])


def save_attributes_to_hdf5_group(group: Any, name: str, data: Sequence[str]) -> None:
    """Writes a list of strings as the attribute `name`, like Keras: split into `name0`, `name1`, ...

    A list too long for one HDF5 object header (`HDF5_OBJECT_HEADER_LIMIT` bytes) is split
    with `numpy.array_split` into as few chunks as fit.  An empty list is written as Keras
    writes it: an empty float64 array.

    # Raises
        RuntimeError: when one string alone is longer than the limit.
    """
    encoded = [item.encode("utf8") for item in data]
    too_long = [item for item in encoded if len(item) > HDF5_OBJECT_HEADER_LIMIT]
    if too_long:
        raise RuntimeError(f"The following attributes cannot be saved to HDF5 file because they are larger than "
                           f"{HDF5_OBJECT_HEADER_LIMIT} bytes: {too_long}")
    if not encoded:
        group.attrs[name] = np.zeros((0,), dtype="float64")
        return
    array = np.array(encoded)
    num_chunks = 1
    chunks = np.array_split(array, num_chunks)
    while any(chunk.nbytes > HDF5_OBJECT_HEADER_LIMIT for chunk in chunks):
        num_chunks += 1
        chunks = np.array_split(array, num_chunks)
    if num_chunks == 1:
        group.attrs[name] = array
    else:
        for chunk_id, chunk in enumerate(chunks):
            group.attrs[f"{name}{chunk_id}"] = chunk


def load_attributes_from_hdf5_group(group: Any, name: str) -> List[str]:
    """Reads a list of strings written by `save_attributes_to_hdf5_group` (whole or in chunks)."""
    if name in group.attrs:
        return [decode_attribute(item) for item in group.attrs[name]]
    data: List[str] = []
    chunk_id = 0
    while f"{name}{chunk_id}" in group.attrs:
        data.extend(decode_attribute(item) for item in group.attrs[f"{name}{chunk_id}"])
        chunk_id += 1
    return data


@contextlib.contextmanager
def atomic_replacement(filepath: str) -> Iterator[str]:
    """Yields the path of a new temporary file next to `filepath`; renames it onto `filepath` on success.

    On an exception the temporary file is deleted and `filepath` is left as it was, so a
    write that fails halfway (an unserializable object, a full disk) never loses the
    previous file.  A symbolic link is followed (its target is replaced); the new file gets
    the permissions of the file it replaces, or those of a new file; it is synced to disk
    before the rename.
    """
    filepath = os.path.realpath(os.fspath(filepath))
    folder, base = os.path.split(filepath)
    temporary = os.path.join(folder, f".{base}.{uuid.uuid4().hex}.tmp")
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        if os.path.exists(filepath):
            os.chmod(temporary, stat.S_IMODE(os.stat(filepath).st_mode))
        yield temporary
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, filepath)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def require_yaml():
    """The `yaml` module (PyYAML), or an ImportError that says how to install it."""
    try:
        import yaml
    except ImportError:
        raise ImportError("YAML serialization of models requires PyYAML: `pip install pyyaml`.") from None
    return yaml

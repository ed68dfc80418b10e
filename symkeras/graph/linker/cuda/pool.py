"""The device buffers of one compiled CUDA function, lent to its nodes during a call and reused by later calls.

Allocating device memory costs a driver call, and freeing it (numba frees in batches)
synchronises the GPU: a steady training loop should allocate nothing.  So every buffer a
runner asks for comes from a free list keyed by (shape, dtype), and goes back to it when
the call ends — except a buffer that an update kept on the device points into: that one
has become a `Shared` variable's storage, and comes back only once no variable it was
given to holds it any more (its next update replaced it, or `set_value`/a host linker
took the value back).  Values returned to the caller are host copies, so they never pin
a buffer.  Kernels run in launch order on one stream, so a buffer reused by the next
call is never written before the previous call's kernels have read it.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

from symkeras.graph.basic import Shared
from symkeras.graph.linker.cuda import device as D


class DevicePool:
    """Buffers, uploads and end-of-call checks of one compiled function's calls."""

    def __init__(self):
        self._free: Dict[tuple, List] = {}
        self._lent: List = []
        #: buffers that became shared storage, each with the variables it was given to
        self._kept: List[Tuple[object, Tuple[Shared, ...]]] = []
        #: the byte range of every buffer the pool owns, by id (a buffer lives as long as the pool holds it)
        self._extent: Dict[int, Tuple[int, int]] = {}
        #: views of owned buffers, built once: (id of what was viewed, shape, strides) -> view
        self._views: Dict[tuple, object] = {}
        #: the owned buffer under each owned buffer or cached view, by id; the view keys of each buffer
        self._root: Dict[int, int] = {}
        self._view_keys: Dict[int, List[tuple]] = {}
        self._checks: List[Callable[[], None]] = []

    def empty(self, shape: Sequence[int], dtype) -> object:
        """An uninitialised C-contiguous device array, valid until the end of the call."""
        key = (tuple(shape), np.dtype(dtype))
        bucket = self._free.get(key)
        if bucket:
            buffer = bucket.pop()
        else:
            buffer = D.empty(*key)
            self._own(buffer)
        self._lent.append(buffer)
        return buffer

    def device(self, value) -> object:
        """`value` as a device array: device arrays as they are, host arrays uploaded into a pool buffer."""
        if not isinstance(value, np.ndarray):
            return value
        buffer = self.empty(value.shape, value.dtype)
        D.upload_into(buffer, value)
        return buffer

    def view(self, arr, shape: Sequence[int], strides: Sequence[int]) -> object:
        """`D.view(arr, shape, strides)`, built once per pool buffer (or view of one) and layout: views cost
        a Python object each, and the same buffers come back call after call."""
        key = (id(arr), tuple(shape), tuple(strides))
        view = self._views.get(key)
        if view is None:
            view = D.view(arr, shape, strides)
            root = self._root.get(id(arr))
            if root is not None:
                self._views[key] = view
                self._root[id(view)] = root
                self._view_keys[root].append(key)
        return view

    def c_view(self, arr, shape: Sequence[int]) -> object:
        """The C-contiguous `arr`'s memory seen with `shape` (of the same size), C-contiguous."""
        itemsize = np.dtype(arr.dtype).itemsize
        return self.view(arr, shape, [int(np.prod(shape[k + 1:])) * itemsize for k in range(len(shape))])

    def flat(self, arr) -> object:
        """A C-contiguous device array seen as one dimension (a 0-d array as one element)."""
        if len(arr.shape) == 1:
            return arr
        return self.view(arr, (int(np.prod(arr.shape)),), (np.dtype(arr.dtype).itemsize,))

    def after_call(self, check: Callable[[], None]) -> None:
        """Run `check` once the call's results are on the host (device-side errors are read then, not mid-call)."""
        self._checks.append(check)

    def begin(self) -> None:
        """Start a call: kept buffers that no variable holds any more are free again."""
        still_held = []
        for buffer, holders in self._kept:
            low, high = self._extent[id(buffer)]
            if any(D.is_device(s.container[0]) and low <= D.address(s.container[0]) < high for s in holders):
                still_held.append((buffer, holders))
            else:
                self._release(buffer)
        self._kept = still_held
        self._checks = []

    def keep(self, buffer, holders: Tuple[Shared, ...]) -> None:
        """Own `buffer` (a shared variable's storage uploaded by the linker) until `holders` no longer hold it."""
        self._own(buffer)
        self._kept.append((buffer, holders))

    def end(self, kept: Sequence[Tuple[object, Tuple[Shared, ...]]]) -> None:
        """End a call whose update values `kept` stay on the device (given to those shared variables).

        The buffers they point into become shared storage; every other buffer lent during the
        call is free for the next one, and free buffers of shapes this call did not ask for are
        dropped (a new batch size does not pile up memory).
        """
        lent = {id(b): b for b in self._lent}
        holders_of: Dict[int, Tuple[Shared, ...]] = {}
        for value, holders in kept:
            buffer = lent.get(id(value)) or self._lent_buffer_at(D.address(value))
            if buffer is not None:
                holders_of[id(buffer)] = holders_of.get(id(buffer), ()) + tuple(holders)
        self._kept += [(lent.pop(key), holders) for key, holders in holders_of.items()]
        unused = [b for bucket in self._free.values() for b in bucket]
        self._free = {}
        for buffer in unused:
            self._forget(buffer)
        for buffer in lent.values():
            self._release(buffer)
        self._lent = []

    def run_checks(self) -> None:
        """Run the checks the call's runners deferred (after its results were copied back)."""
        checks, self._checks = self._checks, []
        for check in checks:
            check()

    def _lent_buffer_at(self, address: int):
        for buffer in self._lent:
            low, high = self._extent[id(buffer)]
            if low <= address < high:
                return buffer
        return None

    def _release(self, buffer) -> None:
        self._free.setdefault((tuple(buffer.shape), np.dtype(buffer.dtype)), []).append(buffer)

    def _own(self, buffer) -> None:
        self._extent[id(buffer)] = D.extent(buffer)
        self._root[id(buffer)] = id(buffer)
        self._view_keys[id(buffer)] = []

    def _forget(self, buffer) -> None:
        del self._extent[id(buffer)]
        for key in self._view_keys.pop(id(buffer)):
            del self._root[id(self._views.pop(key))]
        del self._root[id(buffer)]

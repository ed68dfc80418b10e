"""The one place that knows how device memory is held: numba-cuda today, anything else tomorrow.

Every other module of the CUDA linker moves data through these functions, and accepts
any object with ``__cuda_array_interface__`` (CuPy, PyTorch, numba) as a device array,
so a later move away from numba-cuda (in maintenance mode) touches this file and the
kernel decorators only.  Under ``NUMBA_ENABLE_CUDASIM=1`` numba's simulator stands in
for the GPU: its device arrays wrap numpy arrays, and views are made on those.
"""
from __future__ import annotations

import functools
from typing import Callable, Dict, Sequence, Tuple

import numpy as np

if not hasattr(np, "row_stack"):  # numba-cuda's typing registries overload np.row_stack, removed in numpy 2.4
    np.row_stack = np.vstack
from numba import config, cuda  # noqa: E402

#: True under numba's CUDA simulator (CI), where kernels run as Python threads
SIMULATED: bool = bool(config.ENABLE_CUDASIM)

#: what the host asked of the device since the last `reset_counts` (tests and benchmarks read it):
#: buffers allocated, host-to-device and device-to-host copies, kernel launches
COUNTS: Dict[str, int] = {"alloc": 0, "upload": 0, "download": 0, "launch": 0}


def reset_counts() -> Dict[str, int]:
    """The counts so far, then zero them."""
    counts = dict(COUNTS)
    for key in COUNTS:
        COUNTS[key] = 0
    return counts


def _is_numba_array(value) -> bool:
    """A numba device array (or the simulator's stand-in, which has no ``__cuda_array_interface__``)."""
    return not isinstance(value, np.ndarray) and hasattr(value, "copy_to_host")


def is_device(value) -> bool:
    """Whether `value` lives on the device: a numba array or anything with ``__cuda_array_interface__``."""
    return _is_numba_array(value) or (not isinstance(value, np.ndarray) and hasattr(value, "__cuda_array_interface__"))


def to_device(value):
    """`value` as a numba device array: device arrays are wrapped without a copy, host arrays uploaded."""
    if _is_numba_array(value):
        return value
    if is_device(value):
        return cuda.as_cuda_array(value)
    value = np.asarray(value)
    COUNTS["alloc"] += 1
    COUNTS["upload"] += 1
    return cuda.to_device(value if value.flags.c_contiguous else value.copy())


def upload_into(buffer, value: np.ndarray) -> None:
    """Copy the host array `value` into the C-contiguous device array `buffer` of its shape and dtype."""
    COUNTS["upload"] += 1
    buffer.copy_to_device(np.ascontiguousarray(value))


def to_host(value) -> np.ndarray:
    """`value` as a numpy array (a copy from the device; host arrays pass through)."""
    if not is_device(value):
        return np.asarray(value)
    COUNTS["download"] += 1
    host = to_device(value).copy_to_host()
    return np.asarray(host)


def empty(shape: Sequence[int], dtype) -> object:
    """An uninitialised C-contiguous device array."""
    COUNTS["alloc"] += 1
    return cuda.device_array(tuple(int(s) for s in shape), dtype=np.dtype(dtype))


def strides_of(arr) -> Tuple[int, ...]:
    """Strides in bytes of a device array."""
    return tuple(arr.strides)


def is_c_contiguous(arr) -> bool:
    """Whether a device array is C-contiguous (size-1 dimensions may have any stride)."""
    expected = np.dtype(arr.dtype).itemsize
    for size, stride in zip(reversed(arr.shape), reversed(arr.strides)):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def view(arr, shape: Sequence[int], strides: Sequence[int]):
    """A device view of `arr`'s memory with new `shape` and byte `strides` (no copy, no checks)."""
    shape, strides = tuple(int(s) for s in shape), tuple(int(s) for s in strides)
    if SIMULATED:
        from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

        base = arr._ary if hasattr(arr, "_ary") else np.asarray(arr)
        return FakeCUDAArray(np.lib.stride_tricks.as_strided(base, shape, strides))
    from numba.cuda.cudadrv.devicearray import DeviceNDArray

    return DeviceNDArray(shape, strides, np.dtype(arr.dtype), gpu_data=arr.gpu_data)


def address(arr) -> int:
    """The device address of `arr`'s first element."""
    if SIMULATED:
        return arr._ary.__array_interface__["data"][0]
    return arr.__cuda_array_interface__["data"][0]


def extent(arr) -> Tuple[int, int]:
    """The byte range ``[low, high)`` of device memory that `arr` (any strides) can touch."""
    low = high = address(arr)
    if not arr.size:
        return low, low
    for size, stride in zip(arr.shape, arr.strides):
        if stride < 0:
            low += (size - 1) * stride
        else:
            high += (size - 1) * stride
    return low, high + np.dtype(arr.dtype).itemsize


@functools.lru_cache(maxsize=4096)
def launcher(kernel, griddim, blockdim) -> Callable:
    """`kernel` configured for a launch geometry: calling the result launches it (and counts the launch).

    Configuring costs a Python object and, in numba-cuda, an occupancy check: each (kernel,
    geometry) is configured once per process instead of at every launch.
    """
    if SIMULATED:  # the simulator's ``kernel[grid, block]`` configures the kernel object itself: do it per launch
        def launch(*args) -> None:
            COUNTS["launch"] += 1
            kernel[griddim, blockdim](*args)

        return launch
    configured = kernel[griddim, blockdim]

    def launch(*args) -> None:
        COUNTS["launch"] += 1
        configured(*args)

    return launch


def synchronize() -> None:
    """Wait for every launched kernel (timings and benchmarks only: copies to the host already wait)."""
    cuda.synchronize()


def is_available() -> bool:
    """Whether a real GPU (not the simulator) can run kernels."""
    return not SIMULATED and cuda.is_available()

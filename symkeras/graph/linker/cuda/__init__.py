"""The CUDA linker (mode ``"cuda"``): the optimized graph as a host loop of numba-cuda kernel launches.

Importing this package registers the kernels of every op family.  Set
``NUMBA_ENABLE_CUDASIM=1`` before numba is imported to run the kernels on numba's
simulator (the tests do), with no GPU.
"""
from symkeras.graph.linker import runtime_cache

runtime_cache.install("numba.cuda.core.caching")

# importing the kernel modules registers their kernels
from symkeras.graph.linker.cuda import blas, elemwise, nnet, random, reduction, shape  # noqa: E402,F401
from symkeras.graph.linker.cuda.device import is_available  # noqa: E402
from symkeras.graph.linker.cuda.linker import cuda_linker  # noqa: E402

__all__ = ["cuda_linker", "is_available"]

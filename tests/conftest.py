"""Test-wide settings: generated modules and Numba's cache go to a per-user temporary folder, and
unit tests run the numpy reference linker unless a test asks for ``mode="numba"`` (the numba
tests compare against it; compiling every unit test would cost minutes of Numba time).
"""
import os
import tempfile

os.environ.setdefault("SYMKERAS_CACHE_DIR", os.path.join(tempfile.gettempdir(), f"symkeras-test-cache-{os.getuid()}"))
os.environ.setdefault("SYMKERAS_MODE", "py")
# the CUDA tests run on numba's simulator unless scripts/gpu_check.sh asks for the GPU (set before numba loads)
os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")

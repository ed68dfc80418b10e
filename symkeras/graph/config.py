"""Process-wide settings of the graph layer, read from the environment once."""
import os

#: default float dtype of symbolic constants built from Python floats
floatX: str = os.environ.get("SYMKERAS_FLOATX", "float32")

#: 1 prints the rewrites applied; 2 also prints generated source (tinygrad's DEBUG)
debug: int = int(os.environ.get("SYMKERAS_DEBUG", "0") or 0)

#: the linker `function` uses when none is given
default_mode: str = os.environ.get("SYMKERAS_MODE", "numba")

#: 0 leaves glibc's malloc thresholds as they are (`linker/malloc.py` keeps freed buffers for reuse)
malloc_tuning: bool = os.environ.get("SYMKERAS_MALLOC_TUNING", "1") != "0"

#: 0 keeps all Numba compilation in this process: no helper processes (`linker/numba/entry.py`), slower cold starts
compile_helpers: bool = os.environ.get("SYMKERAS_COMPILE_HELPERS", "1") != "0"

#: the BLAS compiled products call: "auto" (MKL where installed, else scipy's OpenBLAS), "mkl" or "openblas"
blas: str = os.environ.get("SYMKERAS_BLAS", "auto")

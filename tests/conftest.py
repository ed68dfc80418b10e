"""Test-wide settings: generated modules and Numba's cache go to a per-run temporary folder."""
import os
import tempfile

os.environ.setdefault("SYMKERAS_CACHE_DIR", os.path.join(tempfile.gettempdir(), f"symkeras-test-cache-{os.getuid()}"))

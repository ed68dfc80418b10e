"""Tier 2: every kind of generated kernel compiles to PTX for cc 9.0 (where numba-cuda's NVVM is installed)."""
import os
import subprocess
import sys

import pytest


def test_generated_kernels_compile_to_ptx():
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="0")
    done = subprocess.run([sys.executable, "-m", "tests.cuda.ptx_check"], env=env, capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))), timeout=600)
    if done.returncode == 3:
        pytest.skip("numba-cuda's NVVM is not installed (pip install 'numba-cuda[cu13]')")
    assert done.returncode == 0, done.stdout + done.stderr

"""The BLAS compiled code calls (`blas_library`): MKL where installed, else scipy's OpenBLAS, both giving the same products."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from symkeras.graph.linker.numba import blas_library, cblas

REPO = Path(__file__).resolve().parents[2]


def test_openblas_is_always_there_and_gives_both_dtypes_and_thread_control():
    library = blas_library.load("openblas")
    assert library.name == "openblas"
    assert set(library.gemm) == {"float32", "float64"} and all(library.gemm.values())
    assert library.set_threads  # scipy's OpenBLAS wheels export openblas_set_num_threads_local


def test_auto_takes_mkl_where_it_loads():
    mkl = blas_library._mkl()
    assert blas_library.load("auto").name == ("mkl" if mkl else "openblas")
    assert cblas.LIBRARY.name == blas_library.load(os.environ.get("SYMKERAS_BLAS", "auto")).name


def test_asking_for_mkl_where_it_is_absent_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(blas_library, "mkl_candidates", lambda: [])
    with pytest.raises(ImportError, match="SYMKERAS_BLAS=mkl.*pip install mkl"):
        blas_library.load("mkl")
    assert blas_library.load("auto").name == "openblas"


def test_an_unknown_choice_lists_the_choices():
    with pytest.raises(ValueError, match="'blis' is not one of auto, mkl, openblas"):
        blas_library.load("blis")


def test_the_other_library_gives_the_same_products():
    """The gemm tests again, in a process on the library this one does not use (skipped where only OpenBLAS is)."""
    if cblas.LIBRARY.name == "mkl":
        other = "openblas"
    elif blas_library._mkl() is not None:
        other = "mkl"
    else:
        pytest.skip("MKL is not installed (pip install mkl): only OpenBLAS to test")
    check = f"from symkeras.graph.linker.numba import cblas; assert cblas.LIBRARY.name == {other!r}"
    env = dict(os.environ, SYMKERAS_BLAS=other)
    subprocess.run([sys.executable, "-c", check], env=env, check=True, cwd=REPO)
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/linker/test_gemm.py",
                            "-k", "every_layout or edges or gemm_op_in_numba"], env=env, cwd=REPO, capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout


def test_a_thread_count_invariant_library_gives_the_same_bits_on_one_thread_and_on_two():
    """MKL runs in strict reproducible mode: what `entry.CoreYield` relies on to drop a thread mid-fit."""
    if not cblas.LIBRARY.thread_count_invariant:
        pytest.skip(f"{cblas.LIBRARY.name} products may depend on the thread count")
    import numpy as np

    cblas.require_gemm("float32")
    rng = np.random.default_rng(0)
    a, b = rng.random((128, 784), dtype=np.float32), rng.random((784, 512), dtype=np.float32)
    results = []
    for threads in (1, 2):
        saved = cblas.set_blas_threads(threads)
        c = np.zeros((128, 512), np.float32)
        cblas.gemm(1.0, a, b, 0.0, c)
        cblas.set_blas_threads(saved)
        results.append(c)
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_allclose(results[0], a @ b, rtol=1e-4)


def test_a_users_mkl_reproducibility_setting_stands_and_then_no_thread_is_taken_away():
    if blas_library._mkl() is None:
        pytest.skip("MKL is not installed (pip install mkl)")
    check = "from symkeras.graph.linker.numba import blas_library; print(blas_library.load('mkl').thread_count_invariant)"
    env = dict(os.environ, MKL_CBWR="AUTO")
    out = subprocess.run([sys.executable, "-c", check], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]

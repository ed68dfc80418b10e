"""Install symkeras: ``pip install -e .`` (add ``[mkl]`` for Intel's faster BLAS, ``[test]`` for the test suite, ``[cuda]`` for the GPU path)."""
from setuptools import find_packages, setup

#: Intel MKL's BLAS, which compiled products call where it is installed (`linker/numba/blas_library.py`)
MKL = "mkl>=2023; platform_system == 'Linux' and platform_machine == 'x86_64'"

setup(
    name="symkeras",
    version="0.1.0",
    description="The Keras 2 API on a symbolic expression graph compiled to Numba",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["symkeras", "symkeras.*"]),
    package_data={"symkeras": ["datasets/data/*.npz", "datasets/data/*.txt"]},
    python_requires=">=3.10",
    install_requires=["numpy>=1.24", "scipy>=1.10", "numba>=0.60", "networkx>=3.0", "h5py>=3.8"],
    extras_require={
        "mkl": [MKL],
        "test": ["pytest>=7", "hypothesis>=6", "pyyaml>=5", MKL],
        "cuda": ["numba-cuda"],
        "plot": ["pydot"],
    },
)

"""Install symkeras: ``pip install -e .`` (add ``[test]`` for the test suite, ``[cuda]`` for the GPU path)."""
from setuptools import find_packages, setup

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
        "test": ["pytest>=7", "hypothesis>=6", "pyyaml>=5"],
        "cuda": ["numba-cuda"],
        "plot": ["pydot"],
    },
)

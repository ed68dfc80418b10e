"""The graph optimizer: canonicalize → stabilize → specialize → fuse → inplace.

Importing this package registers every rewrite; `optimize` runs them on a FunctionGraph.
"""
from symkeras.graph.rewrite import canonicalize, fuse, inplace, scan, specialize, stabilize  # noqa: F401  (registers)
from symkeras.graph.rewrite.engine import PHASES, REGISTRY, RewriteLog, optimize, register

__all__ = ["PHASES", "REGISTRY", "RewriteLog", "optimize", "register"]

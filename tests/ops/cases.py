"""The shape of an op test case, shared by every ``cases_*.py`` module of the registry test."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional

import numpy as np

from symkeras.graph import tensor
from symkeras.graph.basic import Variable


@dataclass
class Case:
    """One op applied to concrete inputs, with the numpy answer it must give."""

    id: str
    build: Callable[..., Variable]
    inputs: list
    reference: Callable[..., np.ndarray]
    grad: bool = True
    input_shapes: Optional[list] = None
    rtol: float = 1e-5
    atol: float = 1e-6

    def symbolic_inputs(self) -> List[Variable]:
        """Symbolic inputs typed like the arrays (or like `input_shapes` where given)."""
        shapes = self.input_shapes or [np.shape(a) for a in self.inputs]
        return [tensor(np.asarray(a).dtype, s, name=f"in{i}") for i, (a, s) in enumerate(zip(self.inputs, shapes))]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)

"""Every registered op, run against its numpy reference and through verify_grad, driven by the registries.

A new Op class or scalar op without a case in some ``cases_*.py`` module makes
`test_every_op_has_a_case` fail, so no op can go untested.
"""
import importlib
import pkgutil

import numpy as np
import pytest

import symkeras.graph.rewrite  # noqa: F401  (registers the ops the optimizer creates, so they need cases too)
from symkeras.graph import function
from symkeras.graph.basic import OP_REGISTRY, ancestors
from symkeras.ops.elemwise import Elemwise
from symkeras.ops.scalar import SCALAR_REGISTRY
import tests.ops as case_package


def _load_cases():
    cases = []
    for info in pkgutil.iter_modules(case_package.__path__):
        if info.name.startswith("cases_"):
            cases.extend(importlib.import_module(f"tests.ops.{info.name}").CASES)
    return cases


ALL_CASES = _load_cases()
GRAD_CASES = [c for c in ALL_CASES if c.grad]


def _ops_in(case):
    """The op class names and scalar op names in a case's graph, each with whether it is differentiable there."""
    names = {}
    for var in ancestors([case.build(*case.symbolic_inputs())]):
        if var.owner is not None:
            op = var.owner.op
            key = type(op).__name__
            if isinstance(op, Elemwise):
                key = str(op.scalar_op) if str(op.scalar_op) in SCALAR_REGISTRY else op.scalar_op.name
            names[key] = names.get(key, False) or bool(op.differentiable)
    return names


def _union(dicts):
    merged = {}
    for d in dicts:
        for key, differentiable in d.items():
            merged[key] = merged.get(key, False) or differentiable
    return merged


def test_case_ids_are_unique():
    ids = [c.id for c in ALL_CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_op_has_a_case():
    covered = _union(_ops_in(c) for c in ALL_CASES)
    grad_covered = set(_union(_ops_in(c) for c in GRAD_CASES))
    missing = sorted(set(OP_REGISTRY) - set(covered) - {"Elemwise"}) + sorted(set(SCALAR_REGISTRY) - set(covered))
    assert not missing, f"ops without a test case: {missing}"
    no_grad = sorted(name for name, differentiable in covered.items() if differentiable and name not in grad_covered)
    assert not no_grad, f"differentiable ops without a verify_grad case: {no_grad}"


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_matches_numpy_reference(case):
    inputs = case.symbolic_inputs()
    f = function(inputs, case.build(*inputs), mode="py", optimizer=None)
    got = f(*case.inputs)
    want = np.asarray(case.reference(*case.inputs))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want.astype(got.dtype) if want.dtype != object else want, rtol=case.rtol, atol=case.atol)


@pytest.mark.parametrize("case", GRAD_CASES, ids=lambda c: c.id)
def test_verify_grad(case):
    from symkeras.graph.verify_grad import verify_grad

    inputs = [np.asarray(a, dtype="float64") if np.asarray(a).dtype.kind == "f" else np.asarray(a) for a in case.inputs]
    verify_grad(case.build, inputs, rng=np.random.default_rng(0))

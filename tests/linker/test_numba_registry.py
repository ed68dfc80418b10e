"""Every registered op under mode "numba" matches mode "py", driven by the same case registry.

Cases are grouped by the op that computes their output and each group is compiled
as one function with many outputs: a Numba compile costs a fixed ~0.3 s, so one per
group (not one per case) keeps the suite fast.  A failing group is re-run case by
case, so the report names the case.
"""
from collections import defaultdict

import numpy as np
import pytest

from symkeras.graph import function
from tests.ops.test_registry import ALL_CASES


def _group_key(case) -> str:
    out = case.build(*case.symbolic_inputs())
    if out.owner is None:
        return "identity"
    op = out.owner.op
    scalar_op = getattr(op, "scalar_op", None)
    return f"{type(op).__name__}.{scalar_op.name}" if scalar_op is not None else type(op).__name__


def _groups():
    groups = defaultdict(list)
    for case in ALL_CASES:
        groups[_group_key(case)].append(case)
    return dict(sorted(groups.items()))


GROUPS = _groups()


def _tolerance(case, dtype):
    loose = np.dtype(dtype).kind == "f" and np.dtype(dtype).itemsize <= 4
    return dict(rtol=max(case.rtol, 1e-4 if loose else 1e-6), atol=max(case.atol, 1e-5 if loose else 1e-9))


def _compare(case, got, want):
    assert got.shape == want.shape and got.dtype == want.dtype, (case.id, got.shape, want.shape, got.dtype, want.dtype)
    if got.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, err_msg=case.id, equal_nan=True, **_tolerance(case, got.dtype))
    else:
        np.testing.assert_array_equal(got, want, err_msg=case.id)


def _run(cases, mode):
    inputs, outputs, values = [], [], []
    for case in cases:
        symbolic = case.symbolic_inputs()
        inputs += symbolic
        outputs.append(case.build(*symbolic))
        values += case.inputs
    return function(inputs, outputs, mode=mode, optimizer=None)(*values)


@pytest.mark.parametrize("key", list(GROUPS), ids=list(GROUPS))
def test_numba_matches_py(key):
    cases = GROUPS[key]
    try:
        got = _run(cases, "numba")
    except Exception:  # find which case breaks the compiled group
        for case in cases:
            _run([case], "numba")
        raise
    for case, g, want in zip(cases, got, _run(cases, "py")):
        _compare(case, g, want)

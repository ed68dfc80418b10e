"""`keep_freed_buffers`: a step's freed temporaries are reused from the heap instead of mapped (and faulted in) anew."""
import json
import os
import platform
import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent("""
    import json, resource
    import numpy as np
    from symkeras.graph.linker.malloc import keep_freed_buffers

    tuned = keep_freed_buffers()

    def step():  # three 8 MiB temporaries, written, then freed: a small training step's activations
        arrays = [np.ones(1 << 21, np.float32) for _ in range(3)]
        del arrays

    step(), step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        step()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    print(json.dumps({"tuned": tuned, "faulted_share": faults / (10 * 3 * (8 << 20) / 4096)}))
""")


def _probe(tuning: str) -> dict:
    env = dict(os.environ, SYMKERAS_MALLOC_TUNING=tuning)
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the thresholds are glibc's")
def test_freed_temporaries_are_reused_without_page_faults():
    default, tuned = _probe("0"), _probe("1")
    assert not default["tuned"] and tuned["tuned"]
    assert default["faulted_share"] > 0.05, "glibc's own thresholds give some of the memory back every step"
    assert tuned["faulted_share"] < 0.01, "the heap keeps the freed buffers for the next step"

"""A helper process that compiles generated functions into Numba's disk cache, so the training loop need not.

``python -m symkeras.graph.linker.numba.compile_worker`` reads a pickled list of
``(module key, function name, signature)`` from stdin and compiles each, in order (at low
priority when it runs beside training); a signature already in the cache is only loaded.  The calling process picks the
results up from the cache when it reaches them.  Processes, not threads: a compiling thread
holds the GIL and stalls every kernel call of the training loop.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import warnings
from typing import List, Optional, Tuple

#: what to compile: (cache key of a generated module, name of its function, Numba signature)
Job = Tuple[str, str, tuple]


def start(jobs: List[Job], low_priority: bool) -> Optional[subprocess.Popen]:
    """A process compiling `jobs` in order (niced when `low_priority`), its stderr kept in ``worker.log``;
    None (and a warning) where no process can be started: the caller then compiles in its own process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    log = tempfile.TemporaryFile()
    try:
        worker = subprocess.Popen([sys.executable, "-m", __name__, str(int(low_priority))], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=log, env=env)
    except OSError as exc:
        log.close()
        warnings.warn(f"symkeras: cannot start a compile helper process ({exc}); compiling in this process",
                      RuntimeWarning)
        return None
    worker.log = log
    worker.stdin.write(pickle.dumps(jobs))
    worker.stdin.close()
    return worker


def failure(worker: subprocess.Popen) -> str:
    """The end of a finished worker's error output ('' if it succeeded); closes its log."""
    worker.log.seek(0)
    message = worker.log.read().decode(errors="replace").strip()[-500:] if worker.returncode else ""
    worker.log.close()
    return message


def _main() -> None:
    from symkeras.graph.linker.numba.cache import import_module, prepare

    if sys.argv[1] == "1" and hasattr(os, "nice"):
        os.nice(10)
    for key, name, signature in pickle.loads(sys.stdin.buffer.read()):
        module = import_module(key)
        prepare(module)
        getattr(module, name).compile(signature)


if __name__ == "__main__":
    _main()

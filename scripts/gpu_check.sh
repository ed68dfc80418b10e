#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: the CUDA tests on the real device, then the GPU benchmarks.
# Needs numpy, scipy, numba, numba-cuda, networkx, h5py, pytest (and torch for the references);
# installs nothing.  Logs go to $OUT when it is set.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD NUMBA_ENABLE_CUDASIM=0 SYMKERAS_CACHE_DIR=$(mktemp -d)
LOGS=${OUT:-$(mktemp -d)}
mkdir -p "$LOGS"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  python3 -c "import sys, numpy, numba, numba.cuda as c; print('python', sys.version.split()[0], 'numpy', numpy.__version__, 'numba', numba.__version__, 'numba.cuda', c.__file__, 'available', c.is_available())"
  python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" || true
} 2>&1 | tee "$LOGS/versions.log"
python3 -m pytest -q -rs tests/cuda -p no:cacheprovider 2>&1 | tee "$LOGS/tests.log"
status=${PIPESTATUS[0]}
python3 -m benchmarks.gpu 2>&1 | tee "$LOGS/bench.log"
bench=${PIPESTATUS[0]}
echo "tests exit $status, benchmarks exit $bench"
exit $(( status != 0 || bench != 0 ))

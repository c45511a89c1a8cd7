#!/usr/bin/env bash
# Installs the peer run.py needs beyond CPython's standard library: mpi4py, for the mpi area's
# mpi4py_futures_peer.py, built from source against this machine's Open MPI (Debian's
# libopenmpi-dev, the same MPI `swift build --traits MPI` links), so both sides of the MPI rows
# run on one MPI. Not part of .ci/run (it compiles for a minute or two); run it once by hand:
#
#   Benchmarks/baselines/setup-peers.sh                  # the python3 on PATH
#   PYTHON=/usr/bin/python3 PIP_ARGS=--break-system-packages Benchmarks/baselines/setup-peers.sh
#
# Then: python3 Benchmarks/baselines/run.py --only mpi --ours "<binary> bench --only mpi --json"
set -euo pipefail
PYTHON=${PYTHON:-python3}
MPI4PY_VERSION=${MPI4PY_VERSION:-4.1.2}

if ! command -v mpicc >/dev/null 2>&1 || ! command -v mpirun >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq libopenmpi-dev openmpi-bin >/dev/null || { apt-get update -qq && apt-get install -y -qq libopenmpi-dev openmpi-bin >/dev/null; }
  else
    echo "setup-peers: needs Open MPI: sudo apt-get install -y libopenmpi-dev openmpi-bin" >&2
    exit 1
  fi
fi

# --no-binary: compile mpi4py with mpicc (Open MPI's wrapper) instead of taking a wheel.
MPICC=$(command -v mpicc) "$PYTHON" -m pip install ${PIP_ARGS:-} --no-binary mpi4py "mpi4py==$MPI4PY_VERSION"
# Prints the versions and the MPI library mpi4py loaded: it must be Open MPI's.
"$PYTHON" - <<'PY'
import mpi4py
mpi4py.rc.initialize = False
from mpi4py import MPI
library = MPI.Get_library_version().splitlines()[0]
print("mpi4py", mpi4py.__version__, "on", library)
assert "Open MPI" in library, "mpi4py loaded another MPI: " + library
PY

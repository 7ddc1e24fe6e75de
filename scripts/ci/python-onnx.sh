#!/usr/bin/env bash
# Installs onnx + onnxruntime for the quantize cross-check test (crates/quantize/tests/it/crosscheck.rs).
#
# Idempotent: creates target/onnx-venv once, and reinstalls only when the pins below change.
# Prints the path of the venv's python on its last line; the test reads it from the environment
# variable MODELCI_PYTHON (and must find it when MODELCI_REQUIRE_EXTERNAL=1):
#
#   MODELCI_PYTHON="$(scripts/ci/python-onnx.sh | tail -n 1)"; export MODELCI_PYTHON
set -CeEuo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${MODELCI_ONNX_VENV:-${root}/target/onnx-venv}"
python="${PYTHON:-python3}"

pins=(
    "onnx==1.23.2"
    "onnxruntime==1.32.0"
    "numpy==2.4.6"
)
stamp="${venv}/.modelci-pins"
want="$(printf '%s\n' "${pins[@]}")"

bail() {
    printf 'python-onnx.sh: error: %s\n' "$*" >&2
    exit 1
}

if [[ ! -x "${venv}/bin/python" ]] || [[ "$(cat "${stamp}" 2>/dev/null || true)" != "${want}" ]]; then
    command -v "${python}" >/dev/null || bail "${python} not found (apt-get install -y --no-install-recommends python3 python3-venv)"
    rm -rf "${venv}"
    "${python}" -m venv "${venv}" || bail "cannot create ${venv} (apt-get install -y --no-install-recommends python3-venv)"
    "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}" >&2
    "${venv}/bin/python" -c 'import onnx, onnxruntime, numpy' >&2
    rm -f "${stamp}"
    printf '%s\n' "${want}" >"${stamp}"
fi
printf '%s\n' "${venv}/bin/python"

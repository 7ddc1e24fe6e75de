#!/usr/bin/env bash
# Installs Seldon MLServer (Open Inference Protocol server) for the deploy-notify smoke-check tests.
#
# Idempotent: creates target/mlserver-venv once, and reinstalls only when the pins below change.
# Prints the path of the `mlserver` executable on its last line; the tests read it from the
# environment variable MODELCI_MLSERVER:
#
#   MODELCI_MLSERVER="$(scripts/ci/mlserver.sh | tail -n 1)"; export MODELCI_MLSERVER
#
# Pins: scikit-learn and numpy are the versions of scripts/requirements-example.txt, so the
# example's joblib pickle (examples/digits/sklearn/model.joblib) loads. uvloop<0.22: with 0.22 the
# MLServer worker process crashes (the tests also set "parallel_workers": 0). The tests start and
# stop the server themselves (crates/deploy-notify/tests/it/mlserver.rs).
set -CeEuo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${MODELCI_MLSERVER_VENV:-${root}/target/mlserver-venv}"
python="${PYTHON:-python3}"

pins=(
    "mlserver==1.7.1"
    "mlserver-sklearn==1.7.1"
    "scikit-learn==$(sed -n 's/^scikit-learn==//p' "${root}/scripts/requirements-example.txt")"
    "numpy==$(sed -n 's/^numpy==//p' "${root}/scripts/requirements-example.txt")"
    "scipy==$(sed -n 's/^scipy==//p' "${root}/scripts/requirements-example.txt")"
    "uvloop<0.22"
)
stamp="${venv}/.modelci-pins"
want="$(printf '%s\n' "${pins[@]}")"

bail() {
    printf 'mlserver.sh: error: %s\n' "$*" >&2
    exit 1
}

if [[ -x "${venv}/bin/mlserver" && -f "${stamp}" && "$(cat "${stamp}")" == "${want}" ]]; then
    printf 'mlserver.sh: %s is up to date\n' "${venv}" >&2
else
    "${python}" -m venv "${venv}" || bail "cannot create a venv with ${python} (apt-get install -y --no-install-recommends python3-venv)"
    "${venv}/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}" || bail "pip install failed"
    rm -f "${stamp}"
    printf '%s\n' "${want}" >"${stamp}"
fi
"${venv}/bin/mlserver" --version >&2 || bail "${venv}/bin/mlserver does not run"
printf '%s\n' "${venv}/bin/mlserver"

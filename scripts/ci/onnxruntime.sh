#!/usr/bin/env bash
# Installs onnxruntime's shared library for `--engine onnxruntime` (issue 17) from PyPI: the
# pinned wheel of scripts/ci/onnxruntime-requirements.txt, checked against its sha256
# (`pip --require-hashes`), without dependencies (only the library inside is used), into DIR.
#
# Idempotent. Prints the library's path on its last line: point ORT_DYLIB_PATH at it.
#
#   ORT_DYLIB_PATH="$(scripts/ci/onnxruntime.sh [DIR] | tail -n 1)"; export ORT_DYLIB_PATH
#
# DIR defaults to $MODELCI_ONNXRUNTIME_DIR, else target/onnxruntime. Needs python3 with pip
# (Debian: apt-get install python3-pip); PYTHON overrides the interpreter.
set -CeEuo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-${MODELCI_ONNXRUNTIME_DIR:-${root}/target/onnxruntime}}"
python="${PYTHON:-python3}"
requirements="${root}/scripts/ci/onnxruntime-requirements.txt"

bail() {
    printf 'onnxruntime.sh: error: %s\n' "$*" >&2
    exit 1
}

library() {
    local capi="${dir}/onnxruntime/capi" found=""
    [[ -d "${capi}" ]] || return 0
    found="$(find "${capi}" -maxdepth 1 \( -name 'libonnxruntime.so.*' -o -name 'libonnxruntime.*.dylib' -o -name 'onnxruntime.dll' \) | sort | tail -n 1)"
    printf '%s' "${found}"
}

lib="$(library)"
if [[ -z "${lib}" ]]; then
    command -v "${python}" >/dev/null || bail "${python} not found (install Python 3 with pip)"
    "${python}" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
        --target "${dir}" -r "${requirements}" >&2 ||
        bail "pip could not install onnxruntime from ${requirements} into ${dir}"
    lib="$(library)"
    [[ -n "${lib}" ]] || bail "the onnxruntime wheel in ${dir} holds no shared library"
fi
printf '%s\n' "${lib}"

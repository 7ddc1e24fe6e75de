#!/usr/bin/env bash
# The `engine` input of the GitHub Action (issue 17): checks it and prints the environment the
# binaries need, one KEY=VALUE per line (and appends it to $GITHUB_ENV when that is set):
#   ""           nothing (nothing installed; the binaries' default `--engine auto`)
#   tract        MODELCI_ENGINE=tract
#   auto         MODELCI_ENGINE=auto
#   onnxruntime  installs onnxruntime (scripts/ci/onnxruntime.sh, pinned and hash-checked) into
#                $RUNNER_TEMP/modelci-onnxruntime (or target/onnxruntime), then
#                MODELCI_ENGINE=onnxruntime and ORT_DYLIB_PATH=<the library>
# The input arrives as INPUT_ENGINE, never as script text.
set -CeEuo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bail() {
    printf '::error::modelci engine: %s\n' "$*"
    exit 1
}

lines=()
case "${INPUT_ENGINE:-}" in
    "") ;;
    tract | auto) lines+=("MODELCI_ENGINE=${INPUT_ENGINE}") ;;
    onnxruntime)
        dir=""
        if [[ -n "${RUNNER_TEMP:-}" ]]; then
            dir="${RUNNER_TEMP}/modelci-onnxruntime"
        fi
        lib="$(bash --noprofile --norc "${here}/onnxruntime.sh" ${dir:+"${dir}"} | tail -n 1)" ||
            bail "installing onnxruntime failed (see the log above)"
        lines+=("MODELCI_ENGINE=onnxruntime" "ORT_DYLIB_PATH=${lib}")
        ;;
    *) bail "unknown engine '${INPUT_ENGINE}': expected tract, onnxruntime, auto or empty" ;;
esac
for line in ${lines[@]+"${lines[@]}"}; do
    printf '%s\n' "${line}"
    if [[ -n "${GITHUB_ENV:-}" ]]; then
        printf '%s\n' "${line}" >>"${GITHUB_ENV}"
    fi
done

#!/usr/bin/env bash
# Stands in for `cargo` in the packaging tests (copied into a folder on PATH as `cargo`), where
# compiling a binary with `cargo install` would take minutes. It logs its command line to
# SHIM_LOG (default: cargo.log next to it), accepts only `cargo install ... --path CRATE --root
# ROOT`, and puts ROOT/bin/<crate>: a copy of SHIM_BIN when set (a real binary built
# beforehand), else a script that prints "<crate> built from source (shim)".
set -euo pipefail
printf '%s\n' "$*" >>"${SHIM_LOG:-${0%/*}/cargo.log}"
[[ "${1:-}" == install ]] || exit 101
root="" src=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --root) root="$2" && shift ;;
        --path) src="$2" && shift ;;
        *) ;;
    esac
    shift
done
name="${src##*/}"
[[ -n "${root}" && -n "${name}" ]] || exit 102
mkdir -p "${root}/bin"
if [[ -n "${SHIM_BIN:-}" ]]; then
    ln -f "${SHIM_BIN}" "${root}/bin/${name}" 2>/dev/null || cp "${SHIM_BIN}" "${root}/bin/${name}"
else
    printf '#!/bin/sh\necho "%s built from source (shim)"\n' "${name}" >"${root}/bin/${name}"
    chmod +x "${root}/bin/${name}"
fi

#!/usr/bin/env bash
# Installs the OCI registry and client the modelci-oci tests use: Debian's `docker-registry`
# (the CNCF distribution registry, 2.8.x) and `skopeo`.
#
#   scripts/ci/oci-registry.sh            # install if missing (idempotent), print versions
#   scripts/ci/oci-registry.sh serve DIR  # also start a throwaway registry on a free loopback
#                                         # port with its config and storage in DIR; prints
#                                         # `127.0.0.1:PORT` on the last line, its PID in DIR/pid
#
# The tests (crates/modelci-oci/tests/it/harness.rs) start and stop their own registries, so CI
# only needs the install. With MODELCI_REQUIRE_EXTERNAL=1 they fail when either program is
# missing; otherwise they skip with a note.
set -CeEuo pipefail

bail() {
    printf 'oci-registry.sh: error: %s\n' "$*" >&2
    exit 1
}

packages=(docker-registry skopeo)
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    # Try without a fresh package list first (fast when the cache is current).
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
        apt-get update -qq >&2 || bail "apt-get update failed"
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
            || bail "apt-get install ${missing[*]} failed"
    fi
fi
docker-registry --version >&2 || bail "docker-registry does not run (packages: ${packages[*]})"
skopeo --version >&2 || bail "skopeo does not run (packages: ${packages[*]})"

case "${1:-install}" in
install) ;;
serve)
    dir="${2:?usage: oci-registry.sh serve DIR}"
    mkdir -p "${dir}/data"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    cat >|"${dir}/config.yml" <<CONFIG
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: ${dir}/data
http:
  addr: 127.0.0.1:${port}
CONFIG
    docker-registry serve "${dir}/config.yml" >"${dir}/registry.log" 2>&1 &
    printf '%s\n' "$!" >|"${dir}/pid"
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
            printf '127.0.0.1:%s\n' "${port}"
            exit 0
        fi
        kill -0 "$(cat "${dir}/pid")" 2>/dev/null || bail "docker-registry exited: $(cat "${dir}/registry.log")"
        sleep 0.1
    done
    bail "docker-registry did not listen on 127.0.0.1:${port} within 10 s"
    ;;
*) bail "unknown command ${1} (expected: install, serve DIR)" ;;
esac

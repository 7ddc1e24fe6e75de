#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
#
# Installs the modelci binaries from a GitHub release, verified against the release's
# SHA256SUMS, or builds them from a source checkout when there is no release for that ref.
# One script for the GitHub Action (inputs arrive as INPUT_* variables), the GitLab component,
# the Dockerfile and people:
#
#   base=https://github.com/modelci/modelci/releases/download/v0.1.0
#   curl --proto '=https' --tlsv1.2 -fsSL -O "$base/install.sh" -O "$base/SHA256SUMS"
#   grep ' install.sh$' SHA256SUMS | sha256sum --check -     # macOS: shasum -a 256 --check -
#   bash install.sh --version v0.1.0            # installs into ~/.local/bin
#
# Usage:
#   install.sh [--version VERSION] [--dir DIR] [--target TRIPLE]   install (the default)
#   install.sh --resolve        print what would be installed, as KEY=VALUE lines (and to
#                               GITHUB_OUTPUT when set): version, target, mode, dir, cache-key
#   install.sh --list           print the binary names, one per line (released or not)
#   install.sh --list-released  print the names of the released binaries
#   install.sh --run            run INPUT_COMMAND with its typed INPUT_* flags and INPUT_ARGS,
#                               then write verdict, report and exit-code to GITHUB_OUTPUT
#
# Environment (flags win over variables; INPUT_* is what the GitHub Action passes):
#   MODELCI_VERSION, INPUT_VERSION   a release tag (v0.1.0), "latest", or empty: in the action,
#                                    the action's own version, else "latest"
#   MODELCI_ACTION_REF               the ref the action was used at (v1, v0.1.0, main, a SHA);
#                                    a version tag selects a release, a branch or SHA a source
#                                    build; empty (GitHub does not promise it in composite
#                                    actions): the release of MODELCI_SOURCE_DIR's version if it
#                                    exists (with a notice), else a source build; a source build
#                                    too for a local action (MODELCI_SOURCE_DIR inside
#                                    GITHUB_WORKSPACE, `uses: ./`)
#   MODELCI_SOURCE_DIR               a modelci checkout to build from when there is no release
#   MODELCI_BUILD                    auto (default: build from MODELCI_SOURCE_DIR when there is no
#                                    release), never, or always
#   MODELCI_CARGO_PROFILE            release (default) or debug, for the source build
#   MODELCI_BINARIES                 the binaries to build from source, space-separated (default:
#                                    INPUT_COMMAND when set, else every binary in the checkout)
#   MODELCI_INSTALL_DIR              where the binaries go (default: the runner's tool cache in
#                                    GitHub Actions, else ~/.local/bin)
#   MODELCI_REPOSITORY               owner/name of the releases (default: modelci/modelci)
#   MODELCI_DOWNLOAD_URL             where the releases are, laid out as GitHub does:
#                                    $MODELCI_DOWNLOAD_URL/download/<tag>/<file> and
#                                    $MODELCI_DOWNLOAD_URL/latest/download/<file> (default:
#                                    https://github.com/$MODELCI_REPOSITORY/releases).
#                                    It must be https://. Tests serve HTTPS on 127.0.0.1 with a
#                                    self-signed certificate and point curl at it with
#                                    CURL_CA_BUNDLE; there is no plain-HTTP mode.
#   MODELCI_TARGET                   the target triple (default: from RUNNER_OS/RUNNER_ARCH in
#                                    GitHub Actions, else from uname)
#
# Exit codes: 0 installed (or, with --run, the command's own exit code), 1 install failed,
# 2 bad input.
set -CeEuo pipefail

# The binaries of the suite, in one place: the action, the GitLab templates, the release
# workflow, the Dockerfile and the tests all read this list (`install.sh --list`).
# A name listed here but missing from a release is reported as "not released yet".
BINARIES=(eval-diff train-check quantize publish deploy-notify drift-check)
# The ones that are released (have a crate and are in the release archives); the templates and
# sub-actions say "not released yet" for the others. Move a name here when its crate ships, then
# run `tests/packaging/subactions.py` and `tests/packaging/templates.py`.
RELEASED=(eval-diff train-check quantize publish deploy-notify drift-check)

DEFAULT_REPOSITORY=modelci/modelci

# ---------------------------------------------------------------------------------------------
# Helpers (GitHub Actions workflow commands are plain text elsewhere, so they are safe anywhere).

in_github_actions() { [[ "${GITHUB_ACTIONS:-}" == "true" ]]; }

info() { printf 'modelci-install: %s\n' "$*" >&2; }
notice() {
    if in_github_actions; then
        printf '::notice::modelci-install: %s\n' "$*" >&2
    else
        printf 'modelci-install: %s\n' "$*" >&2
    fi
}
warn() {
    if in_github_actions; then
        printf '::warning::modelci-install: %s\n' "$*" >&2
    else
        printf 'modelci-install: warning: %s\n' "$*" >&2
    fi
}
bail() {
    if in_github_actions; then
        printf '::error::modelci-install: %s\n' "$*" >&2
    else
        printf 'modelci-install: error: %s\n' "$*" >&2
    fi
    exit "${BAIL_CODE:-1}"
}
usage_error() { BAIL_CODE=2 bail "$@"; }

# retry CMD...: up to 5 attempts with growing sleeps, for commands that can clear up.
retry() {
    local attempt
    for attempt in 1 2 3 4 5; do
        if "$@"; then
            return 0
        fi
        if [[ "${attempt}" -lt 5 ]]; then
            warn "attempt ${attempt} failed: $*; retrying in $((attempt * 2))s"
            sleep "$((attempt * 2))"
        fi
    done
    return 1
}

# set_output KEY VALUE: a step output in GitHub Actions (values are single-line).
set_output() {
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
        printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT}"
    fi
}

is_binary() {
    local name
    for name in "${BINARIES[@]}"; do
        [[ "${name}" == "$1" ]] && return 0
    done
    return 1
}

# ---------------------------------------------------------------------------------------------
# What to install.

# The target triple of the release archive for this machine.
detect_target() {
    if [[ -n "${MODELCI_TARGET:-}" ]]; then
        case "${MODELCI_TARGET}" in
            x86_64-unknown-linux-musl | aarch64-unknown-linux-musl | x86_64-apple-darwin | \
                aarch64-apple-darwin | x86_64-pc-windows-msvc)
                printf '%s\n' "${MODELCI_TARGET}"
                return
                ;;
            *) usage_error "MODELCI_TARGET \`${MODELCI_TARGET}\` is not a target we release" ;;
        esac
    fi
    local os arch
    if [[ -n "${RUNNER_OS:-}" ]]; then
        os="${RUNNER_OS}"
        arch="${RUNNER_ARCH:-}"
    else
        os="$(uname -s)"
        arch="$(uname -m)"
    fi
    case "${os}" in
        Linux) os=unknown-linux-musl ;;
        macOS | Darwin) os=apple-darwin ;;
        Windows | MINGW* | MSYS* | CYGWIN*) os=pc-windows-msvc ;;
        *) usage_error "no modelci release for the operating system \`${os}\`" ;;
    esac
    case "${arch}" in
        X64 | x86_64 | amd64) arch=x86_64 ;;
        ARM64 | aarch64 | arm64) arch=aarch64 ;;
        *) usage_error "no modelci release for the architecture \`${arch}\`" ;;
    esac
    if [[ "${os}" == pc-windows-msvc && "${arch}" != x86_64 ]]; then
        usage_error "no modelci release for Windows on \`${arch}\`"
    fi
    printf '%s-%s\n' "${arch}" "${os}"
}

# The workspace version of a checkout, from its Cargo.toml (`[workspace.package] version`).
checkout_version() {
    local toml="$1/Cargo.toml"
    [[ -f "${toml}" ]] || return 0
    sed -n '/^\[workspace\.package\]/,/^\[/s/^version *= *"\([^"]*\)".*/\1/p' "${toml}" | head -n 1
}

# Whether the action is the workflow's own checkout (`uses: ./`): MODELCI_SOURCE_DIR inside
# GITHUB_WORKSPACE. Its code may differ from every release, so it is built, never downloaded.
is_local_action() {
    [[ -n "${GITHUB_WORKSPACE:-}" ]] || return 1
    local src workspace
    src="$(cd "${MODELCI_SOURCE_DIR}" 2>/dev/null && pwd -P)" || return 1
    workspace="$(cd "${GITHUB_WORKSPACE}" 2>/dev/null && pwd -P)" || return 1
    [[ "${src}" == "${workspace}" || "${src}" == "${workspace}/"* ]]
}

# Sets VERSION (a tag such as v0.1.0, "latest", or empty) and MODE (release or source).
resolve() {
    local requested="${OPT_VERSION:-${MODELCI_VERSION:-${INPUT_VERSION:-}}}"
    local build="${MODELCI_BUILD:-auto}"
    case "${build}" in
        auto | never | always) ;;
        *) usage_error "MODELCI_BUILD must be auto, never or always, not \`${build}\`" ;;
    esac
    MODE=release
    VERSION=""
    REF_MISSING=0
    if [[ -n "${requested}" ]]; then
        case "${requested}" in
            latest) VERSION=latest ;;
            v[0-9]*.[0-9]*.[0-9]*) VERSION="${requested}" ;;
            [0-9]*.[0-9]*.[0-9]*) VERSION="v${requested}" ;;
            *) usage_error "version \`${requested}\` is neither \`latest\` nor a release such as v0.1.0" ;;
        esac
    elif [[ -n "${MODELCI_SOURCE_DIR:-}" ]]; then
        # The action: its own version. A version tag (v1, v1.2, v1.2.3) means the release of
        # the checkout's Cargo.toml version; a branch or a SHA has none. GitHub does not promise
        # `github.action_ref` inside composite actions: without a ref, the release of the
        # checkout's version is tried first (do_install builds from source when it is missing).
        local ref="${MODELCI_ACTION_REF:-}" cargo_version
        cargo_version="$(checkout_version "${MODELCI_SOURCE_DIR}")"
        case "${ref}" in
            v[0-9]*)
                if [[ -n "${cargo_version}" && ("v${cargo_version}" == "${ref}" || "v${cargo_version}" == "${ref}."*) ]]; then
                    VERSION="v${cargo_version}"
                else
                    MODE=source
                fi
                ;;
            "")
                if is_local_action || [[ -z "${cargo_version}" ]]; then
                    MODE=source
                else
                    VERSION="v${cargo_version}"
                    REF_MISSING=1
                fi
                ;;
            *) MODE=source ;;
        esac
    else
        VERSION=latest
    fi
    if [[ "${build}" == always ]]; then
        MODE=source
        if [[ "${REF_MISSING}" -eq 1 ]]; then
            VERSION=""
            REF_MISSING=0
        fi
    fi
    if [[ "${MODE}" == source && "${build}" == never ]]; then
        bail "no release for the action's ref \`${MODELCI_ACTION_REF:-}\` and MODELCI_BUILD=never; use a release tag such as @v1 or set the \`version\` input"
    fi
    TARGET="$(detect_target)"
    local label="${VERSION:-source}"
    TOOL_ROOT=""
    if [[ -n "${OPT_DIR:-${MODELCI_INSTALL_DIR:-}}" ]]; then
        DIR="${OPT_DIR:-${MODELCI_INSTALL_DIR}}"
    elif in_github_actions && [[ -n "${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-}}" ]]; then
        TOOL_ROOT="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP}}"
        DIR="${TOOL_ROOT}/modelci/${label}/${TARGET}/bin"
    else
        DIR="${HOME:?HOME is not set}/.local/bin"
    fi
    CACHE_KEY="modelci-${label}-${TARGET}"
}

# ---------------------------------------------------------------------------------------------
# Installing.

download() { # URL FILE
    local url="$1" file="$2"
    case "${url}" in
        https://*) ;;
        *) bail "refusing to download \`${url}\`: only https:// URLs are allowed" ;;
    esac
    local status
    # No -f: the status code tells a missing release (404) from other failures. Redirects (to
    # GitHub's download host) must stay on HTTPS too.
    status="$(curl --proto '=https' --proto-redir '=https' --tlsv1.2 -sSL --retry 5 --retry-delay 2 --connect-timeout 20 \
        -o "${file}" -w '%{http_code}' "${url}")" || {
        if [[ "${status:-000}" == 404 ]]; then return 44; fi
        return 1
    }
    case "${status}" in
        200) return 0 ;;
        404) return 44 ;;
        *) return 1 ;;
    esac
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        bail "neither sha256sum nor shasum is installed; cannot verify the download"
    fi
}

# The tag of the latest release, read from the archive names in its SHA256SUMS.
latest_tag() { # RELEASES TMP EXT
    local sums="$2/latest-SHA256SUMS" version
    if ! retry download "$1/latest/download/SHA256SUMS" "${sums}"; then
        bail "could not find the latest release at $1/latest (set a version such as v0.1.0)"
    fi
    # POSIX sed (macOS too): `modelci-<version>-<target>.<ext>` after the 64-digit hash.
    version="$(sed -n "s/^[0-9a-f]\{64\} [ *]modelci-\(.*\)-${TARGET}\.${3/./\\.}\$/\1/p" "${sums}")"
    [[ -n "${version}" ]] || bail "the latest release has no archive for ${TARGET}"
    printf 'v%s\n' "${version%%$'\n'*}"
}

# Sets NO_RELEASE=1 (and installs nothing) when the release does not exist.
install_release() {
    local tmp releases base archive ext rc expected actual
    NO_RELEASE=0
    command -v curl >/dev/null 2>&1 || bail "curl is needed to download modelci; install it first"
    tmp="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/modelci-install.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: tmp is local
    trap "rm -rf '${tmp}'" EXIT
    releases="${MODELCI_DOWNLOAD_URL:-https://github.com/${MODELCI_REPOSITORY:-${DEFAULT_REPOSITORY}}/releases}"
    releases="${releases%/}"
    ext=tar.gz
    if [[ "${TARGET}" == *windows* ]]; then ext=zip; fi
    if [[ "${VERSION}" == latest ]]; then
        VERSION="$(latest_tag "${releases}" "${tmp}" "${ext}")"
    fi
    base="${releases}/download/${VERSION}"
    archive="modelci-${VERSION#v}-${TARGET}.${ext}"

    rc=0
    download "${base}/SHA256SUMS" "${tmp}/SHA256SUMS" || rc=$?
    if [[ "${rc}" -eq 44 ]]; then
        NO_RELEASE=1
        return 0
    elif [[ "${rc}" -ne 0 ]]; then
        retry download "${base}/SHA256SUMS" "${tmp}/SHA256SUMS" ||
            bail "could not download ${base}/SHA256SUMS"
    fi
    expected="$(awk -v f="${archive}" '$2 == f || $2 == "*" f { print $1; exit }' "${tmp}/SHA256SUMS")"
    [[ -n "${expected}" ]] || bail "release ${VERSION} has no archive for ${TARGET} (${archive} is not in SHA256SUMS)"

    local stamp=""
    if [[ -f "${DIR}/.modelci-archive.sha256" ]]; then stamp="$(cat "${DIR}/.modelci-archive.sha256")"; fi
    if [[ "${stamp}" == "${expected}  ${archive}" ]]; then
        info "modelci ${VERSION} (${TARGET}) is already installed in ${DIR}"
        return 0
    fi
    info "downloading ${base}/${archive}"
    retry download "${base}/${archive}" "${tmp}/${archive}" || bail "could not download ${base}/${archive}"
    actual="$(sha256_of "${tmp}/${archive}")"
    if [[ "${actual}" != "${expected}" ]]; then
        bail "checksum mismatch for ${archive}: SHA256SUMS says ${expected}, the download is ${actual}; refusing to install it"
    fi
    info "sha256 verified: ${actual}  ${archive}"

    mkdir -p "${tmp}/unpacked" "${DIR}"
    if [[ "${ext}" == zip ]]; then
        command -v unzip >/dev/null 2>&1 || bail "unzip is needed to unpack ${archive}"
        unzip -q -o "${tmp}/${archive}" -d "${tmp}/unpacked" || bail "could not unpack ${archive}"
    else
        tar -xzf "${tmp}/${archive}" -C "${tmp}/unpacked" || bail "could not unpack ${archive}"
    fi
    local name found=0 exe=""
    if [[ "${ext}" == zip ]]; then exe=.exe; fi
    for name in "${BINARIES[@]}"; do
        if [[ -f "${tmp}/unpacked/${name}${exe}" ]]; then
            cp -f "${tmp}/unpacked/${name}${exe}" "${DIR}/${name}${exe}"
            chmod 0755 "${DIR}/${name}${exe}"
            found=$((found + 1))
        fi
    done
    [[ "${found}" -gt 0 ]] || bail "${archive} holds none of the modelci binaries"
    rm -f "${DIR}/.modelci-archive.sha256"
    printf '%s  %s\n' "${expected}" "${archive}" >"${DIR}/.modelci-archive.sha256"
    info "installed ${found} binaries of modelci ${VERSION} into ${DIR}"
}

install_source() {
    local src="${MODELCI_SOURCE_DIR:-}" profile="${MODELCI_CARGO_PROFILE:-release}" name built=0
    [[ -n "${src}" && -f "${src}/Cargo.toml" ]] ||
        bail "no release to install and no modelci checkout to build from (set MODELCI_SOURCE_DIR)"
    command -v cargo >/dev/null 2>&1 ||
        bail "building modelci from ${src} needs cargo (a Rust toolchain); install one, or use a release tag such as @v1"
    local -a extra=()
    case "${profile}" in
        release) ;;
        debug) extra=(--debug) ;;
        *) usage_error "MODELCI_CARGO_PROFILE must be release or debug, not \`${profile}\`" ;;
    esac
    local -a wanted=("${BINARIES[@]}")
    if [[ -n "${MODELCI_BINARIES:-${INPUT_COMMAND:-}}" ]]; then
        read -r -a wanted <<<"${MODELCI_BINARIES:-${INPUT_COMMAND}}"
        for name in "${wanted[@]}"; do
            is_binary "${name}" || usage_error "unknown binary \`${name}\`; expected some of: ${BINARIES[*]}"
        done
    fi
    mkdir -p "${DIR}"
    # `cargo install --root` puts the binaries in <root>/bin; the action's DIR is that bin.
    local root
    root="$(dirname "${DIR}")"
    [[ "$(basename "${DIR}")" == bin ]] || { root="${DIR}/.cargo-root"; }
    for name in "${wanted[@]}"; do
        if [[ ! -f "${src}/crates/${name}/Cargo.toml" ]]; then
            warn "${name} is not in this checkout: it is not released yet; skipping it"
            continue
        fi
        info "building ${name} from ${src} (cargo install --locked, ${profile} profile)"
        # ${a[@]+"${a[@]}"}: an empty array is "unbound" under set -u in bash < 4.4 (macOS).
        cargo install --locked --quiet --path "${src}/crates/${name}" --root "${root}" --force ${extra[@]+"${extra[@]}"} ||
            bail "cargo install of ${name} from ${src} failed"
        if [[ "${root}" == "${DIR}/.cargo-root" ]]; then
            cp -f "${root}/bin/${name}"* "${DIR}/"
        fi
        built=$((built + 1))
    done
    if [[ "${built}" -eq 0 && -z "${INPUT_COMMAND:-}" ]]; then
        bail "${src} has none of the modelci binaries (${wanted[*]})"
    fi
    rm -f "${DIR}/.modelci-archive.sha256"
    info "built ${built} binaries from ${src} into ${DIR}"
}

do_install() {
    resolve
    if [[ "${MODE}" == release ]]; then
        install_release
        if [[ "${NO_RELEASE}" -eq 0 && "${REF_MISSING}" -eq 1 ]]; then
            notice "the action's ref is unknown (github.action_ref is empty); installed the release ${VERSION} that matches its checkout's version. Set the \`version\` input to choose another"
        fi
        if [[ "${NO_RELEASE}" -eq 1 ]]; then
            if [[ -n "${MODELCI_SOURCE_DIR:-}" && "${MODELCI_BUILD:-auto}" == auto ]]; then
                if [[ "${REF_MISSING}" -eq 1 ]]; then
                    warn "the action's ref is unknown (github.action_ref is empty) and there is no release ${VERSION} of its checkout's version; building from the action's checkout instead"
                else
                    warn "no release ${VERSION} for this action; building from the action's checkout instead"
                fi
                MODE=source
                # Not under the release's folder, which the action caches by release.
                if [[ -n "${TOOL_ROOT}" ]]; then
                    DIR="${TOOL_ROOT}/modelci/source/${TARGET}/bin"
                fi
                install_source
            else
                bail "there is no release ${VERSION} (its SHA256SUMS was not found)"
            fi
        fi
    else
        install_source
    fi
    if [[ -n "${GITHUB_PATH:-}" ]]; then
        printf '%s\n' "${DIR}" >>"${GITHUB_PATH}"
    elif [[ ":${PATH}:" != *":${DIR}:"* ]]; then
        info "add ${DIR} to your PATH to use the binaries"
    fi
    set_output install-dir "${DIR}"
    set_output version "${VERSION:-source}"
    set_output mode "${MODE}"
}

do_resolve() {
    resolve
    local kv
    for kv in "version=${VERSION:-source}" "target=${TARGET}" "mode=${MODE}" "dir=${DIR}" "cache-key=${CACHE_KEY}"; do
        printf '%s\n' "${kv}"
        set_output "${kv%%=*}" "${kv#*=}"
    done
}

# ---------------------------------------------------------------------------------------------
# Running (the GitHub Action's last step).

# split_words VALUE: appends VALUE's whitespace-separated words to ARGV (no quote or glob
# processing: user text is never evaluated).
split_words() {
    local -a words=()
    local line
    while IFS= read -r line || [[ -n "${line}" ]]; do
        read -r -a words <<<"${line}" || true
        if [[ "${#words[@]}" -gt 0 ]]; then
            ARGV+=("${words[@]}")
        fi
    done <<<"$1"
    return 0
}

# repeat_flag FLAG VALUE: one FLAG per whitespace-separated item of VALUE.
repeat_flag() {
    local -a words=()
    local line word
    while IFS= read -r line || [[ -n "${line}" ]]; do
        read -r -a words <<<"${line}" || true
        for word in "${words[@]}"; do
            ARGV+=("$1" "${word}")
        done
    done <<<"$2"
    return 0
}

do_run() {
    local command="${INPUT_COMMAND:-}" report="" rc=0
    [[ -n "${command}" ]] || usage_error "the \`command\` input is required (one of: ${BINARIES[*]})"
    is_binary "${command}" || usage_error "unknown command \`${command}\`; expected one of: ${BINARIES[*]}"
    ARGV=()
    case "${command}" in
        eval-diff)
            if [[ -n "${INPUT_MERGE:-}" ]]; then
                # `eval-diff merge SHARD...`: the shard files or folders, then the same flags.
                local shard_paths
                read -r -d '' -a shard_paths <<<"${INPUT_MERGE}" || true
                ARGV+=(merge "${shard_paths[@]}")
            fi
            if [[ -n "${INPUT_BASELINE:-}" ]]; then ARGV+=(--baseline "${INPUT_BASELINE}"); fi
            if [[ -n "${INPUT_CANDIDATE:-}" ]]; then ARGV+=(--candidate "${INPUT_CANDIDATE}"); fi
            if [[ -n "${INPUT_DATASET:-}" ]]; then ARGV+=(--dataset "${INPUT_DATASET}"); fi
            if [[ -n "${INPUT_SHARD:-}" ]]; then ARGV+=(--shard "${INPUT_SHARD}"); fi
            local out="${INPUT_OUTPUT_DIR:-modelci-report}"
            ARGV+=(--output-dir "${out}")
            # A shard run writes shard-K-of-N.jsonl, not a report.
            [[ -n "${INPUT_SHARD:-}" ]] || report="${out%/}/report.md"
            repeat_flag --tolerance "${INPUT_TOLERANCE:-}"
            repeat_flag --min-improvement "${INPUT_MIN_IMPROVEMENT:-}"
            repeat_flag --min "${INPUT_MIN:-}"
            repeat_flag --max "${INPUT_MAX:-}"
            ;;
        drift-check)
            if [[ -n "${INPUT_REFERENCE:-}" ]]; then ARGV+=(--reference "${INPUT_REFERENCE}"); fi
            if [[ -n "${INPUT_CURRENT:-}" ]]; then ARGV+=(--current "${INPUT_CURRENT}"); fi
            if [[ -n "${INPUT_SINCE:-}" ]]; then ARGV+=(--since "${INPUT_SINCE}"); fi
            if [[ -n "${INPUT_WINDOW:-}" ]]; then ARGV+=(--window "${INPUT_WINDOW}"); fi
            if [[ -n "${INPUT_ENDPOINT:-}" ]]; then ARGV+=(--endpoint "${INPUT_ENDPOINT}"); fi
            if [[ -n "${INPUT_MODEL_NAME:-}" ]]; then ARGV+=(--model-name "${INPUT_MODEL_NAME}"); fi
            local out="${INPUT_OUTPUT_DIR:-modelci-report}"
            ARGV+=(--output-dir "${out}")
            report="${out%/}/report.md"
            # Webhook URLs are secrets: passed as flags, never printed (see `running` below).
            repeat_flag --slack-webhook "${INPUT_SLACK_WEBHOOK:-}"
            repeat_flag --webhook "${INPUT_WEBHOOK:-}"
            ;;
        *) ;; # Not released yet: `args` only.
    esac
    split_words "${INPUT_ARGS:-}"
    if ! command -v "${command}" >/dev/null 2>&1; then
        local have
        have="$(installed_list)"
        local why="it is not released yet"
        local name
        for name in "${RELEASED[@]}"; do
            [[ "${name}" == "${command}" ]] && why="install the modelci binaries first (run install.sh without --run)"
        done
        usage_error "\`${command}\` is not installed: ${why} (this modelci has: ${have})"
    fi
    # Webhook URLs are secrets: the line shows *** in their place.
    local -a shown=()
    local word hide=0
    for word in ${ARGV[@]+"${ARGV[@]}"}; do
        if ((hide)); then
            shown+=("***")
            hide=0
            continue
        fi
        case "${word}" in --slack-webhook | --webhook) hide=1 ;; esac
        shown+=("${word}")
    done
    info "running ${command} ${shown[*]-}"
    "${command}" ${ARGV[@]+"${ARGV[@]}"} || rc=$?
    local verdict
    case "${rc}" in
        0) verdict=pass ;;
        1) verdict=fail ;;
        3) verdict=forge-error ;;
        *) verdict=error ;;
    esac
    if [[ -n "${report}" && ! -f "${report}" ]]; then
        report=""
    fi
    set_output verdict "${verdict}"
    set_output report "${report}"
    set_output exit-code "${rc}"
    case "${verdict}" in
        fail) bail "${command}: a gate failed (see ${report:-the log})" ;;
        error) BAIL_CODE="${rc}" bail "${command} failed with exit code ${rc} (bad input or usage; see the log)" ;;
        forge-error) BAIL_CODE=3 bail "${command} could not talk to the code host (exit code 3)" ;;
    esac
}

installed_list() {
    local name out=""
    for name in "${BINARIES[@]}"; do
        if command -v "${name}" >/dev/null 2>&1; then
            out+="${out:+, }${name}"
        fi
    done
    printf '%s\n' "${out:-nothing}"
}

# ---------------------------------------------------------------------------------------------

main() {
    local action=install
    OPT_VERSION=""
    OPT_DIR=""
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --list) action=list ;;
            --list-released) action=list-released ;;
            --resolve) action=resolve ;;
            --run) action=run ;;
            --version) OPT_VERSION="${2:?--version needs a value}" && shift ;;
            --version=*) OPT_VERSION="${1#*=}" ;;
            --dir) OPT_DIR="${2:?--dir needs a value}" && shift ;;
            --dir=*) OPT_DIR="${1#*=}" ;;
            --target) MODELCI_TARGET="${2:?--target needs a value}" && shift ;;
            --target=*) MODELCI_TARGET="${1#*=}" ;;
            -h | --help)
                sed -n '4,/^set -/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
                return 0
                ;;
            *) usage_error "unknown argument \`$1\` (see --help)" ;;
        esac
        shift
    done
    case "${action}" in
        list) printf '%s\n' "${BINARIES[@]}" ;;
        list-released) printf '%s\n' "${RELEASED[@]}" ;;
        resolve) do_resolve ;;
        run) do_run ;;
        install) do_install ;;
    esac
}

# BASH_FUNC_* variables would inject functions into every bash we start; refuse them.
if env | grep -q '^BASH_FUNC_'; then
    bail "refusing to run with exported shell functions (BASH_FUNC_*) in the environment"
fi

main "$@"

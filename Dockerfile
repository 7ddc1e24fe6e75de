# syntax=docker/dockerfile:1
# The modelci image for container CI (GitLab's component uses it by default): every modelci
# binary, statically linked against musl, on a small Alpine base with a POSIX shell and CA
# certificates (the binaries call the GitHub/GitLab APIs over HTTPS).
#
#   docker build -t modelci .
#   docker run --rm -v "$PWD:/work" -w /work modelci eval-diff --baseline a.onnx --candidate b.onnx --dataset test
#
# The binaries are built by scripts/install.sh's source mode, so the image holds the same list of
# binaries as the releases (those whose crate exists in this checkout).
#
# `--engine onnxruntime` (issue 17) needs onnxruntime's shared library, which is built for glibc
# and which a static musl binary cannot open: the `onnxruntime` target is a Debian image with
# glibc builds of the binaries and onnxruntime from PyPI (scripts/ci/onnxruntime.sh: the pinned
# wheel, checked with `pip --require-hashes`), ORT_DYLIB_PATH and MODELCI_ENGINE set. The
# default image (the last stage) installs nothing extra.
#
#   docker build --target onnxruntime -t modelci:onnxruntime .

ARG RUST_VERSION=1.91
ARG ALPINE_VERSION=3.22
ARG DEBIAN_VERSION=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_VERSION} AS build-glibc
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    MODELCI_SOURCE_DIR=/src MODELCI_BUILD=always \
    bash scripts/install.sh --dir /out/bin

FROM python:3.12-slim-${DEBIAN_VERSION} AS onnxruntime-wheel
WORKDIR /src
COPY scripts/ci/onnxruntime.sh scripts/ci/onnxruntime-requirements.txt scripts/ci/
RUN bash scripts/ci/onnxruntime.sh /opt/onnxruntime \
    && cp /opt/onnxruntime/onnxruntime/capi/libonnxruntime.so.1.32.0 /opt/libonnxruntime.so.1.32.0

FROM debian:${DEBIAN_VERSION}-slim AS onnxruntime
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build-glibc /out/bin/ /usr/local/bin/
COPY --from=onnxruntime-wheel /opt/libonnxruntime.so.1.32.0 /usr/local/lib/
ENV ORT_DYLIB_PATH=/usr/local/lib/libonnxruntime.so.1.32.0 \
    MODELCI_ENGINE=onnxruntime
CMD ["eval-diff", "--help"]

FROM rust:${RUST_VERSION}-alpine${ALPINE_VERSION} AS build
# musl-dev: the C runtime for tract's kernels; bash: scripts/install.sh.
# hadolint ignore=DL3018
RUN apk add --no-cache bash musl-dev
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    MODELCI_SOURCE_DIR=/src MODELCI_BUILD=always \
    bash scripts/install.sh --dir /out/bin

FROM alpine:${ALPINE_VERSION}
# hadolint ignore=DL3018
RUN apk add --no-cache ca-certificates
COPY --from=build /out/bin/ /usr/local/bin/
# CI systems run their own commands in the image; `docker run modelci` alone prints the help.
# The image keeps the root user: GitLab and Jenkins check the project out as root, and the
# binaries write their report next to it.
CMD ["eval-diff", "--help"]

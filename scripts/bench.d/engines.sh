#!/usr/bin/env bash
# scripts/bench --engines (issue 17): eval-diff's two engines and its parallel workers against
# onnxruntime called from Python, in one run. Called by scripts/bench with:
#   engines.sh EVAL_DIFF PYTHON RESULTS_DIR RUNS REPEATS
# PYTHON is the bench venv's (onnxruntime, numpy, matplotlib, and rapidocr-onnxruntime for the
# MobileNetV3 model it ships). onnxruntime's library for eval-diff is the one in that venv
# (ORT_DYLIB_PATH), so both sides run the same onnxruntime build.
#
# Measures (each ratio side by side in this run):
#   1. throughput, --engine onnxruntime --jobs 1 --threads 1 vs Python onnxruntime (1 thread):
#      the digits CNN (batch 32, 10k samples) and MobileNetV3 (PP-OCR's text-orientation
#      classifier, [3, 48, 192], batch 16, 512 samples)               target >= 0.9x
#   2. tract vs onnxruntime on the same two models (--jobs 1)        target >= 0.5x (CNN),
#      and tract's CNN throughput at batch sizes 1, 8, 32 and 128
#   3. --jobs 2 vs --jobs 1, both engines: the evaluation's throughput (report.json's
#      execution.evaluation_throughput: samples per second of the evaluation phase, both digits
#      models, 100k samples, all workers busy)                         target >= 1.7x
#      and, for honesty, the whole process's wall time (reading, metrics, report, charts)
#   4. the whole eval-diff process (default engine auto = onnxruntime, --jobs 2) vs the Python
#      script, on 10k and 450 samples, median wall time               targets <= 0.5x, <= 0.25x
#   5. peak RSS with --jobs 2, 100k vs 1k samples                     target <= 1.2x
set -euo pipefail

eval_diff="$1" py="$2" results="$3" runs="$4" repeats="$5"
helpers="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data=target/bench-data
baseline=examples/digits/baseline.onnx
candidate=examples/digits/candidate.onnx
mkdir -p "${results}"

say() { printf '== %s\n' "$*" >&2; }
die() {
    printf 'scripts/bench --engines: %s\n' "$*" >&2
    exit 1
}

site="$("${py}" -c 'import onnxruntime, os; print(os.path.dirname(onnxruntime.__file__))')"
ORT_DYLIB_PATH="$(find "${site}/capi" -maxdepth 1 -name 'libonnxruntime.so.*' | sort | tail -n 1)"
[[ -n "${ORT_DYLIB_PATH}" ]] || die "no libonnxruntime.so.* in ${site}/capi"
export ORT_DYLIB_PATH
# Found without importing the package (its code needs OpenCV, which is not installed).
mobilenet="$("${py}" -c 'import importlib.util, os; d = importlib.util.find_spec("rapidocr_onnxruntime").submodule_search_locations[0]; print(os.path.join(d, "models", "ch_ppocr_mobile_v2.0_cls_infer.onnx"))')"
[[ -f "${mobilenet}" ]] || die "the MobileNetV3 model of rapidocr-onnxruntime is missing: ${mobilenet}"

"${py}" "${helpers}/make_datasets.py" examples/digits/test.npz "${data}" 450 1000 10000 100000
"${py}" - "${data}/mobilenet-512.npz" <<'EOF'
import os, sys
import numpy as np
path = sys.argv[1]
if not os.path.exists(path):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 1.0, size=(512, 3, 48, 192)).astype(np.float32)
    np.savez(path, x=x, y=rng.integers(0, 2, size=512).astype(np.int64))
EOF

report_throughput() { # REPORT_DIR -> the candidate's throughput
    "${py}" -c 'import json, sys; print(json.load(open(sys.argv[1] + "/report.json"))["candidate"]["latency"]["throughput"])' "$1"
}
evaluation_throughput() { # REPORT_DIR -> samples/s of the evaluation phase, all workers busy
    "${py}" -c 'import json, sys; print(json.load(open(sys.argv[1] + "/report.json"))["execution"]["evaluation_throughput"])' "$1"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# --- 1 and 2: single-worker throughput ---------------------------------------------------------
for model in cnn mobilenet; do
    if [[ "${model}" == cnn ]]; then
        file="${candidate}" set="${data}/digits-10k.npz" batch=32
    else
        file="${mobilenet}" set="${data}/mobilenet-512.npz" batch=16
    fi
    for engine in onnxruntime tract; do
        say "throughput: eval-diff --engine ${engine} --jobs 1 on ${model}, ${repeats} runs"
        for ((i = 1; i <= repeats; i++)); do
            out="${results}/tp-${model}-${engine}-${i}"
            "${eval_diff}" --baseline "${file}" --candidate "${file}" --dataset "${set}" \
                --output-dir "${out}" --quiet --batch-size "${batch}" --engine "${engine}" \
                --jobs 1 --threads 1 --bootstrap 0 >/dev/null
            report_throughput "${out}"
        done | median >"${results}/tp-${model}-${engine}.txt"
    done
    say "throughput: Python onnxruntime on ${model}, ${repeats} passes"
    "${py}" "${helpers}/engine_throughput.py" "${file}" "${set}" "${batch}" "${repeats}" 1 \
        >"${results}/tp-${model}-python.json"
done

# --- 2b: tract's batch size on the CNN (which batch size tract runs fastest) -------------------
for batch in 1 8 32 128; do
    say "tract batch size ${batch} on the CNN"
    out="${results}/tract-batch-${batch}"
    "${eval_diff}" --baseline "${candidate}" --candidate "${candidate}" --dataset "${data}/digits-10k.npz" \
        --output-dir "${out}" --quiet --batch-size "${batch}" --engine tract --jobs 1 --bootstrap 0 >/dev/null
    report_throughput "${out}" >"${results}/tract-batch-${batch}.txt"
done

# --- 3: --jobs 2 vs --jobs 1 -------------------------------------------------------------------
for engine in onnxruntime tract; do
    for jobs in 1 2; do
        say "workers: eval-diff --engine ${engine} --jobs ${jobs} on digits-100k"
        out="${results}/jobs-${engine}-${jobs}"
        : >"${out}-tp-all.txt"
        for ((i = 1; i <= repeats; i++)); do
            start=$(date +%s%N)
            "${eval_diff}" --baseline "${baseline}" --candidate "${candidate}" \
                --dataset "${data}/digits-100k.npz" --output-dir "${out}" \
                --quiet --engine "${engine}" --jobs "${jobs}" --threads 1 --bootstrap 0 >/dev/null
            end=$(date +%s%N)
            echo "$(((end - start) / 1000))e-6"
            evaluation_throughput "${out}" >>"${out}-tp-all.txt"
        done | median >"${out}.txt"
        median <"${out}-tp-all.txt" >"${out}-tp.txt"
    done
done

# --- 4: whole process vs the Python script ----------------------------------------------------
for size in 10k 450; do
    set="${data}/digits-${size}.npz"
    say "whole process on digits-${size}: ${runs} runs each"
    for name in eval-diff python; do
        for ((i = 0; i <= runs; i++)); do
            start=$(date +%s%N)
            if [[ "${name}" == eval-diff ]]; then
                "${eval_diff}" --baseline "${baseline}" --candidate "${candidate}" --dataset "${set}" \
                    --output-dir "${results}/process-${size}-eval-diff" --quiet >/dev/null
            else
                "${py}" "${helpers}/eval_diff_equivalent.py" "${baseline}" "${candidate}" "${set}" \
                    "${results}/process-${size}-python" 32 >/dev/null
            fi
            end=$(date +%s%N)
            ((i == 0)) || echo "$(((end - start) / 1000))e-6" # run 0 is the warm-up
        done | median >"${results}/process-${size}-${name}.txt"
    done
done

# --- 5: peak RSS with two workers --------------------------------------------------------------
for size in 1k 100k; do
    say "peak RSS: eval-diff --jobs 2 on digits-${size}"
    /usr/bin/time -v -o "${results}/rss-jobs2-${size}.txt" \
        "${eval_diff}" --baseline "${baseline}" --candidate "${candidate}" \
        --dataset "${data}/digits-${size}.npz" --output-dir "${results}/rss-jobs2-${size}" --quiet \
        --jobs 2 >/dev/null
done
"${py}" -c 'import json, sys; print(json.load(open(sys.argv[1] + "/report.json"))["execution"]["engine"]["name"])' \
    "${results}/process-10k-eval-diff" >"${results}/default-engine.txt"

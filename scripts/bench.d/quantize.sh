#!/usr/bin/env bash
# Benchmark of `quantize` against onnxruntime's `quantize_dynamic` (issue 5, item 6).
#
# Usage: scripts/bench.d/quantize.sh [QUANTIZE_BINARY] [RUNS]
#   QUANTIZE_BINARY  default target/release/quantize (build it with cargo build --release -p quantize)
#   RUNS             timed runs of each process (default 10; median taken)
#
# Measures on examples/digits/candidate.onnx (the CNN):
#   1. process time: `quantize --mode dynamic` (which also verifies the output in tract) vs
#      `python -c "quantize_dynamic(...)"` (onnxruntime 1.32.0), median wall time of RUNS runs
#      each (target: quantize <= 0.5x);
#   2. output size: quantize's output vs onnxruntime's (target: <=);
#   3. accuracy on the example's 360 test images, both outputs and the original run in
#      onnxruntime (target: quantize's drop <= onnxruntime's drop);
#   4. for each model of tests/fixtures/quantize/: output size of both tools in dynamic mode,
#      or the error when a tool refuses the model.
# Prints a Markdown table on stdout. Needs the venv of scripts/ci/python-onnx.sh (onnx,
# onnxruntime, numpy; created when missing) and numpy's common.py helpers in this folder.
set -CeEuo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "${root}"
quantize="${1:-target/release/quantize}"
runs="${2:-10}"
[[ -x "${quantize}" ]] || { echo "quantize.sh: ${quantize} is missing (cargo build --release -p quantize)" >&2; exit 1; }
[[ "${runs}" =~ ^[1-9][0-9]*$ ]] || { echo "quantize.sh: RUNS must be a positive whole number" >&2; exit 2; }
py="$(scripts/ci/python-onnx.sh | tail -n 1)"
model=examples/digits/candidate.onnx
out="${root}/target/bench-results/quantize"
rm -rf "${out}"
mkdir -p "${out}"

median_ms() { # COMMAND...: median wall time of RUNS runs, in milliseconds (after one warm-up)
    "$@" >/dev/null 2>&1
    local times=() start end
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s%N)
        times+=($(((end - start) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}

ours_cmd=("${quantize}" --input "${model}" --output "${out}/quantize.onnx" --mode dynamic
    --output-dir "${out}/report" --quiet --no-post)
ort_cmd=("${py}" -c "from onnxruntime.quantization import quantize_dynamic; quantize_dynamic('${model}', '${out}/ort.onnx')")
ours_ms="$(median_ms "${ours_cmd[@]}")"
ort_ms="$(median_ms "${ort_cmd[@]}")"
ours_size="$(stat -c %s "${out}/quantize.onnx")"
ort_size="$(stat -c %s "${out}/ort.onnx")"
orig_size="$(stat -c %s "${model}")"
accuracy="$(cd scripts/bench.d && "${py}" quantize_accuracy.py "${root}/examples/digits/test.npz" \
    "${root}/${model}" "${out}/quantize.onnx" "${out}/ort.onnx")"
"${py}" - "${accuracy}" "${ours_ms}" "${ort_ms}" "${ours_size}" "${ort_size}" "${orig_size}" "${runs}" <<'PY'
import json, sys
acc = list(json.loads(sys.argv[1]).values())
ours_ms, ort_ms, ours_size, ort_size, orig_size, runs = map(float, sys.argv[2:])
print(f"| measure | quantize | onnxruntime quantize_dynamic | ratio | target | met |")
print(f"|---|---|---|---|---|---|")
t = ours_ms / ort_ms
print(f"| process time (median of {int(runs)}) | {ours_ms:.0f} ms | {ort_ms:.0f} ms | {t:.2f}x | <= 0.5x | {'yes' if t <= 0.5 else 'no'} |")
s = ours_size / ort_size
print(f"| output size (original {int(orig_size)} B) | {int(ours_size)} B | {int(ort_size)} B | {s:.2f}x | <= 1.0x | {'yes' if s <= 1 else 'no'} |")
d_ours, d_ort = (acc[0] - acc[1]) * 100, (acc[0] - acc[2]) * 100
print(f"| accuracy (original {acc[0]*100:.2f}%) | {acc[1]*100:.2f}% (drop {d_ours:.2f} pt) | {acc[2]*100:.2f}% (drop {d_ort:.2f} pt) | | drop <= onnxruntime's | {'yes' if d_ours <= d_ort + 1e-9 else 'no'} |")
PY

echo
echo "| test model | original | quantize --mode dynamic | onnxruntime quantize_dynamic |"
echo "|---|---|---|---|"
for f in tests/fixtures/quantize/*.onnx; do
    name="$(basename "${f}")"
    if "${quantize}" --input "${f}" --output "${out}/q-${name}" --output-dir "${out}/report" --quiet --no-post >/dev/null 2>"${out}/q-${name}.err"; then
        ours="$(stat -c %s "${out}/q-${name}") B"
    else
        ours="refused: $(head -c 120 "${out}/q-${name}.err" | tr '\n|' '  ')"
    fi
    if "${py}" -c "import sys; from onnxruntime.quantization import quantize_dynamic; quantize_dynamic(sys.argv[1], sys.argv[2])" \
        "${f}" "${out}/ort-${name}" >/dev/null 2>"${out}/ort-${name}.err"; then
        theirs="$(stat -c %s "${out}/ort-${name}") B"
    else
        theirs="refused: $(tail -n 1 "${out}/ort-${name}.err" | head -c 120 | tr '|' ' ')"
    fi
    echo "| \`${name}\` | $(stat -c %s "${f}") B | ${ours} | ${theirs} |"
done

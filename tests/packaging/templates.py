"""Writes (or, with --check, verifies) the GitLab CI/CD component templates in templates/.

One template per binary (`templates/<name>.yml`) plus `templates/full-pipeline.yml`, which pulls
them in with `include: local` and passes its inputs on. The binary names come from
`scripts/install.sh --list`; eval-diff's typed inputs are listed below (TYPED), the other
binaries take `args` until they are released. Adding a binary: add it to install.sh's list,
give it typed inputs here if it has some, run `python3 tests/packaging/templates.py`.

The job runs in the modelci image (`Dockerfile`: all binaries on PATH, POSIX sh) and writes a
dotenv report (MODELCI_VERDICT, MODELCI_EXIT_CODE, MODELCI_REPORT) for later jobs; JUnit and
metrics reports are picked up from the output folder when the binary writes them.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Typed inputs per binary: (input, flag, kind, description). kind "one": a single value passed
# when non-empty; "many": space-separated items, one flag each.
TYPED = {
    "eval-diff": [
        ("baseline", "--baseline", "one", "The model to beat: a file, gitlab-package:NAME@VERSION, oci://HOST/REPO:TAG or git:REF:PATH; empty in a merge request: auto (the candidate's file on the target branch)."),
        ("candidate", "--candidate", "one", "The new model (ONNX file)."),
        ("dataset", "--dataset", "one", "Test data: a folder of class folders of images, a .npz with arrays x and y, or a .csv."),
        ("tolerance", "--tolerance", "many", "Gates METRIC=AMOUNT, space-separated: the candidate may be worse than the baseline by at most AMOUNT (accuracy=0.5pt size=10%)."),
        ("min-improvement", "--min-improvement", "many", "Gates METRIC=AMOUNT, space-separated: the candidate must beat the baseline by at least AMOUNT (macro_f1=0.01)."),
        ("min", "--min", "many", "Gates METRIC=VALUE, space-separated: floor for the candidate (accuracy=0.95)."),
        ("max", "--max", "many", "Gates METRIC=VALUE, space-separated: ceiling for the candidate (latency_p95_ms=5ms size=10MB)."),
    ],
    "train-check": [
        ("model", "--model", "one", "The trained model (ONNX file)."),
        ("metrics", "--metrics", "many", "Training logs, space-separated: DVC metrics (JSON/YAML), Keras or Lightning CSV, or a per-epoch list."),
        ("min", "--min", "many", "Floors for metrics' final values in the logs, space-separated (val_accuracy=0.95)."),
        ("max", "--max", "many", "Ceilings for metrics' final values in the logs, space-separated (val_loss=0.2)."),
    ],
    "quantize": [
        ("input", "--input", "one", "The fp32 model to quantize (ONNX file)."),
        ("output", "--output", "one", "Where the quantized model is written (ONNX file)."),
        ("mode", "--mode", "one", "dynamic, weight-only, fp16 or static; empty: dynamic."),
        ("dataset", "--dataset", "one", "Labelled data to compare the accuracy of both models on (as in eval-diff)."),
    ],
    "drift-check": [
        ("reference", "--reference", "one", "The reference: gitlab-release:latest (the latest release's bundle and its drift-reference.json), gitlab-release:TAG, gitlab-package:NAME@VERSION, oci://HOST/REPO:TAG, a bundle .zip or published folder, a reference .json, or a CSV dataset."),
        ("current", "--current", "one", "The production data: JSON Lines of V2 inference requests (payload logs) or a CSV."),
        ("since", "--since", "one", "Only the log records from then on: a duration such as 24h or 7d, or a time (2026-12-01T08:00:00Z)."),
        ("window", "--window", "one", "Only the last N rows (after since)."),
        ("slack-webhook", "--slack-webhook", "many", "Slack incoming-webhook URLs, space-separated, told on drift and recovery; pass a masked variable such as $SLACK_WEBHOOK_URL."),
        ("webhook", "--webhook", "many", "JSON webhook URLs, space-separated, sent the outcome on drift and recovery; pass a masked variable."),
        ("endpoint", "--endpoint", "one", "Endpoint health: the model server (http://HOST:PORT) sent Open Inference Protocol requests built from the current data; error rate and latency p95 are gated."),
        ("model-name", "--model-name", "one", "Endpoint health: the model's name on the endpoint."),
    ],
}
# The inputs a binary cannot run without (its required flags). In the full pipeline a job whose
# required inputs and `args` are all empty is not configured, so it stays off whatever its rules
# say; a binary without typed required inputs needs `args`.
REQUIRED = {"eval-diff": ["candidate", "dataset"], "train-check": ["model"], "quantize": ["input", "output"], "drift-check": ["reference", "current"]}
# Binaries whose main flag set takes --output-dir (the others only have their folder collected).
OUTPUT_DIR_FLAG = {"eval-diff", "train-check", "quantize", "drift-check"}
# Binaries whose job can run as `parallel: N` shards with a merge job after them (issue 19):
# each of the N jobs evaluates its shard (CI_NODE_INDEX/CI_NODE_TOTAL), the merge job, which
# `needs:` them, merges their shard files into one report, judged and posted as a single run's.
PARALLEL = {"eval-diff"}
PARALLEL_DESC = (
    "Shard jobs: N > 1 runs <job-name>-shard as `parallel: N` instead of <job-name>, each "
    "evaluating 1/N of the dataset into a shard file, and adds the job <job-name>-merge, which "
    "needs them, merges the shards into one report, judges the gates and posts it; 1: the one job "
    "<job-name> (no `parallel`, so its name stays) and one report."
)
# The gate inputs a merge job passes on (its other flags come from the shards).
MERGE_GATES = ["tolerance", "min-improvement", "min", "max"]
# Binaries that run models take the `engine` input (issue 17), passed as MODELCI_ENGINE.
ENGINE = {"eval-diff", "train-check", "quantize"}
ENGINE_OPTIONS = ["auto", "tract", "onnxruntime"]
ENGINE_DESC = (
    "The engine that runs the models: auto (onnxruntime when the image has it, else tract), tract "
    "(built in) or onnxruntime (needs the image built from the Dockerfile's `onnxruntime` target, "
    "which holds onnxruntime from PyPI checked by hash; tag it VERSION-onnxruntime and set version)."
)
# Default stage of each binary in the full pipeline (GitLab's default stages exist everywhere).
STAGE = {"train-check": "build", "quantize": "build", "eval-diff": "test", "publish": "deploy", "deploy-notify": "deploy", "drift-check": "test"}
WHAT = {
    "eval-diff": "compares a candidate ONNX model with its baseline on a dataset, gates and reports",
    "train-check": "quality gate on a training run",
    "quantize": "ONNX fp32 to int8/fp16 with an accuracy/size report",
    "publish": "versioned, checksummed release bundles",
    "deploy-notify": "deployment records, notifications, smoke checks",
    "drift-check": "monitoring: production data against the evaluation data, with a sticky issue",
}
MR_RULES = [
    {"if": "$CI_PIPELINE_SOURCE == \"merge_request_event\""},
    {"if": "$CI_COMMIT_BRANCH && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"},
]
NEVER = [{"when": "never"}]
# Releases and deployments happen on version tags, not on every merge request.
TAG_RULES = [{"if": "$CI_COMMIT_TAG =~ /^v\\d+\\.\\d+\\.\\d+/"}]
ON_TAGS = {"publish", "deploy-notify"}
# Monitoring runs in scheduled pipelines (CI/CD > Schedules), not on merge requests.
SCHEDULE_RULES = [{"if": "$CI_PIPELINE_SOURCE == \"schedule\""}]
ON_SCHEDULE = {"drift-check"}


def unconfigured_rule(name):
    """The first rule of `name`'s job in the full pipeline: off while it is not configured.

    It reads the job's own variables (the template puts each input in MODELCI_INPUT_*), so input
    text never becomes part of the expression.
    """
    keys = REQUIRED.get(name, []) + ["args"]
    return {"if": " && ".join(f'${var(k)} == ""' for k in keys), "when": "never"}


def default_rules(name):
    if name in ON_SCHEDULE:
        return SCHEDULE_RULES
    return TAG_RULES if name in ON_TAGS else MR_RULES


def rules_text(name):
    if name in ON_SCHEDULE:
        return "scheduled pipelines"
    if name in ON_TAGS:
        return "version tags such as v1.2.0"
    return "merge requests and the default branch"


def binaries(flag="--list"):
    out = subprocess.run(
        ["bash", str(ROOT / "scripts/install.sh"), flag], check=True, capture_output=True, text=True
    ).stdout
    return out.split()


def released(name):
    return name in binaries("--list-released")


def q(value):
    return json.dumps(value, ensure_ascii=False)


def var(name):
    return "MODELCI_INPUT_" + name.upper().replace("-", "_")


def inputs_block(name, rules):
    """The spec:inputs of one binary's template, as YAML lines (4-space indented entries)."""
    L = []

    def inp(key, desc, default, typ=None, options=None):
        L.append(f"    {key}:")
        L.append(f"      description: {q(desc)}")
        if typ:
            L.append(f"      type: {typ}")
        if options:
            L.append(f"      options: {q(options)}")
        L.append(f"      default: {q(default)}")

    L.append("    # Job")
    inp("job-name", "Name of the job.", name)
    inp("stage", "Stage of the job (it must exist in the pipeline's stages).", "test")
    inp("rules", f"Rules of the job (by default: {rules_text(name)}).", rules, "array")
    inp("allow-failure", "Let the pipeline go on when the job fails (a gate failed or bad input).", False, "boolean")
    L.append("    # Image")
    inp("image", "Image with the modelci binaries on PATH and a POSIX shell (the project's Dockerfile).", "$CI_REGISTRY/modelci/modelci")
    inp("version", "Tag of the image: a modelci release such as 0.1.0, or latest. Pin it to the component's version.", "latest")
    L.append(f"    # {name}")
    for key, _flag, _kind, desc in TYPED.get(name, []):
        inp(key, desc, "")
    if name in ENGINE:
        inp("engine", ENGINE_DESC, "auto", options=ENGINE_OPTIONS)
    if name in PARALLEL:
        inp("parallel", PARALLEL_DESC, 1, "number")
    inp("output-dir", "Folder of the report; kept as an artifact, and its junit.xml, metrics.txt and modelci.env are the job's reports.", "modelci-report")
    inp("args", "More arguments, split on whitespace (no quoting), for example `--batch-size 64 --layout nchw`.", "")
    return L


SCRIPT_HEAD = [
    "set -eu",
    "set -f  # gate and argument words are split on whitespace, never globbed",
]


def script_lines(name):
    S = list(SCRIPT_HEAD)
    if name in PARALLEL:
        S.append('# One job: no shard, even where GitLab sets CI_NODE_INDEX/CI_NODE_TOTAL.')
        S.append('if [ "${MODELCI_INPUT_PARALLEL}" = "1" ]; then export MODELCI_SHARD=off; fi')
    S.append("set --")
    for key, flag, kind, _desc in TYPED.get(name, []):
        v = var(key)
        if kind == "one":
            S.append(f'if [ -n "${{{v}}}" ]; then set -- "$@" {flag} "${{{v}}}"; fi')
        else:
            S.append(f'for word in ${{{v}}}; do set -- "$@" {flag} "${{word}}"; done')
    if name in OUTPUT_DIR_FLAG:
        S.append('set -- "$@" --output-dir "${MODELCI_INPUT_OUTPUT_DIR}"')
    S.append('for word in ${MODELCI_INPUT_ARGS}; do set -- "$@" "${word}"; done')
    S += [
        f"if ! command -v {name} >/dev/null 2>&1; then",
        f'  echo "error: {name} is not in this image: it is not released yet, or the image is not the modelci image (image input)" >&2',
        "  exit 2",
        "fi",
    ]
    S += tail_lines(name)
    return S


def tail_lines(name):
    """The end of a job's script: the verdict, the dotenv report, the exit code."""
    return [
        "rc=0",
        f'{name} "$@" || rc=$?',
        'case "${rc}" in 0) verdict=pass ;; 1) verdict=fail ;; 3) verdict=forge-error ;; *) verdict=error ;; esac',
        'report="${MODELCI_INPUT_OUTPUT_DIR}/report.md"',
        'if [ ! -f "${report}" ]; then report=""; fi',
        'mkdir -p "${MODELCI_INPUT_OUTPUT_DIR}"',
        "printf 'MODELCI_VERDICT=%s\\nMODELCI_EXIT_CODE=%s\\nMODELCI_REPORT=%s\\n' \"${verdict}\" \"${rc}\" \"${report}\" >\"${MODELCI_INPUT_OUTPUT_DIR}/modelci.env\"",
        f'echo "{name}: ${{verdict}} (exit code ${{rc}})"',
        'exit "${rc}"',
    ]


def merge_job(name):
    """The job after `parallel: N` shard jobs: `eval-diff merge` of their shard files."""
    L = ["", '"$[[ inputs.job-name ]]-merge":', "  stage: $[[ inputs.stage ]]", "  image:",
         "    name: $[[ inputs.image ]]:$[[ inputs.version ]]", '    entrypoint: [""]',
         "  rules:",
         "    - " + q({"if": "$" + var("parallel") + ' == "1"', "when": "never"}),
         "    - $[[ inputs.rules ]]",
         "  allow_failure: $[[ inputs.allow-failure ]]",
         "  # Every shard job's artifacts (output-dir/shard-K-of-N.jsonl) are downloaded here.",
         '  needs: ["$[[ inputs.job-name ]]-shard"]',
         "  variables:"]
    for key in MERGE_GATES:
        L.append(f"    {var(key)}: {q('$[[ inputs.' + key + ' ]]')}")
    L.append(f"    {var('parallel')}: {q('$[[ inputs.parallel ]]')}")
    L.append(f"    {var('output-dir')}: {q('$[[ inputs.output-dir ]]')}")
    S = list(SCRIPT_HEAD) + ['set -- merge "${MODELCI_INPUT_OUTPUT_DIR}"']
    flags = {key: flag for key, flag, _kind, _desc in TYPED[name]}
    for key in MERGE_GATES:
        S.append(f'for word in ${{{var(key)}}}; do set -- "$@" {flags[key]} "${{word}}"; done')
    S.append('set -- "$@" --output-dir "${MODELCI_INPUT_OUTPUT_DIR}"')
    S += tail_lines(name)
    L += ["  script:", "    - |"] + ["      " + s for s in S]
    L += artifact_lines()
    return L


def artifact_lines():
    return [
        "  artifacts:",
        "    when: always",
        "    expire_in: 30 days",
        "    paths:",
        '      - "$[[ inputs.output-dir ]]/"',
        "    reports:",
        '      junit: "$[[ inputs.output-dir ]]/junit.xml"',
        '      metrics: "$[[ inputs.output-dir ]]/metrics.txt"',
        '      dotenv: "$[[ inputs.output-dir ]]/modelci.env"',
    ]


def render_binary(name):
    rules = default_rules(name)
    status = "" if released(name) else " Not released yet: the job fails with a clear message until it is."
    L = [
        f"# modelci {name}: {WHAT.get(name, name)}.",
        "# Generated by tests/packaging/templates.py: edit that file, then rerun it (the packaging tests",
        "# check this file is current). Tokens come from masked CI/CD variables (MODELCI_GITLAB_TOKEN).",
        "spec:",
        f"  description: {q('modelci ' + name + ': ' + WHAT.get(name, name) + '.' + status)}",
        "  inputs:",
    ]
    L += inputs_block(name, rules)
    L.append("---")
    if name in PARALLEL:
        # Two jobs, one of which runs: `parallel: 1` would rename the job `NAME 1/1` in GitLab,
        # breaking users' `needs:` on it, so the unsharded job keeps its name and has no
        # `parallel`; the shard jobs are NAME-shard N/M.
        L += job_lines(name, '"$[[ inputs.job-name ]]":', "!=", parallel=False)
        L.append("")
        L += job_lines(name, '"$[[ inputs.job-name ]]-shard":', "==", parallel=True)
        L += merge_job(name)
    else:
        L += job_lines(name, '"$[[ inputs.job-name ]]":', None, parallel=False)
    return "\n".join(L) + "\n"


def job_lines(name, key, never_when_parallel, parallel):
    """One job of a binary's template. For a binary that can shard, `never_when_parallel` is the
    comparison with "1" of the `parallel` input that turns the job off."""
    L = [key, "  stage: $[[ inputs.stage ]]", "  image:",
         "    name: $[[ inputs.image ]]:$[[ inputs.version ]]", '    entrypoint: [""]']
    if never_when_parallel is None:
        L.append("  rules: $[[ inputs.rules ]]")
    else:
        L += ["  rules:",
              "    - " + q({"if": "$" + var("parallel") + f' {never_when_parallel} "1"', "when": "never"}),
              "    - $[[ inputs.rules ]]"]
    L.append("  allow_failure: $[[ inputs.allow-failure ]]")
    if parallel:
        L.append("  parallel: $[[ inputs.parallel ]]")
    L.append("  variables:")
    for key, _flag, _kind, _desc in TYPED.get(name, []):
        L.append(f"    {var(key)}: {q('$[[ inputs.' + key + ' ]]')}")
    L.append(f"    {var('output-dir')}: {q('$[[ inputs.output-dir ]]')}")
    L.append(f"    {var('args')}: {q('$[[ inputs.args ]]')}")
    if name in ENGINE:
        # The binaries read --engine from MODELCI_ENGINE.
        L.append(f"    MODELCI_ENGINE: {q('$[[ inputs.engine ]]')}")
    if name in PARALLEL:
        L.append(f"    {var('parallel')}: {q('$[[ inputs.parallel ]]')}")
    L += ["  script:", "    - |"]
    L += ["      " + s for s in script_lines(name)]
    L += artifact_lines()
    return L


def render_full(names):
    L = [
        "# The whole modelci suite in one include: one job per binary, each from its own template",
        "# (include: local), with their inputs passed on. Binaries not released yet are off (rules: never);",
        "# so is a job whose required inputs and args are all empty (not configured), whatever its rules.",
        "# Generated by tests/packaging/templates.py: edit that file, then rerun it.",
        "spec:",
        f"  description: {q('The modelci suite: ' + ', '.join(names) + ', each job from its own template.')}",
        "  inputs:",
    ]

    def inp(key, desc, default, typ=None, options=None):
        L.append(f"    {key}:")
        L.append(f"      description: {q(desc)}")
        if typ:
            L.append(f"      type: {typ}")
        if options:
            L.append(f"      options: {q(options)}")
        L.append(f"      default: {q(default)}")

    L.append("    # Image")
    inp("image", "Image with the modelci binaries on PATH and a POSIX shell (the project's Dockerfile).", "$CI_REGISTRY/modelci/modelci")
    inp("version", "Tag of the image: a modelci release such as 0.1.0, or latest. Pin it to the component's version.", "latest")
    inp("output-dir", "Folder of the reports (each job writes into <output-dir>/<binary>).", "modelci-report")
    inp("allow-failure", "Let the pipeline go on when a job fails.", False, "boolean")
    inp("engine", ENGINE_DESC, "auto", options=ENGINE_OPTIONS)
    for name in names:
        L.append(f"    # {name}")
        on = released(name)
        inp(f"{name}-stage", f"Stage of the {name} job.", STAGE.get(name, "test"))
        inp(f"{name}-rules", f"Rules of the {name} job" + (f" (by default: {rules_text(name)})." if on else " (off by default: not released yet)."), default_rules(name) if on else NEVER, "array")
        for key, _flag, _kind, desc in TYPED.get(name, []):
            inp(f"{name}-{key}", desc, "")
        inp(f"{name}-args", f"More arguments for {name}, split on whitespace.", "")
    L.append("---")
    L.append("include:")
    for name in names:
        L += [f"  - local: templates/{name}.yml", "    inputs:",
              f"      job-name: {name}",
              f"      stage: $[[ inputs.{name}-stage ]]",
              "      rules:",
              f"        - {q(unconfigured_rule(name))}",
              f"        - $[[ inputs.{name}-rules ]]",
              "      allow-failure: $[[ inputs.allow-failure ]]",
              "      image: $[[ inputs.image ]]",
              "      version: $[[ inputs.version ]]",
              f"      output-dir: $[[ inputs.output-dir ]]/{name}"]
        if name in ENGINE:
            L.append("      engine: $[[ inputs.engine ]]")
        for key, _flag, _kind, _desc in TYPED.get(name, []):
            L.append(f"      {key}: $[[ inputs.{name}-{key} ]]")
        L.append(f"      args: $[[ inputs.{name}-args ]]")
    return "\n".join(L) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    names = binaries()
    files = {ROOT / "templates" / f"{n}.yml": render_binary(n) for n in names}
    files[ROOT / "templates" / "full-pipeline.yml"] = render_full(names)
    stale = []
    for path, text in files.items():
        if check:
            if not path.is_file() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
    extra = sorted(p.name for p in (ROOT / "templates").glob("*.yml") if p not in files)
    if extra:
        stale.append("unexpected " + ", ".join(extra))
    if stale:
        print("templates out of date (run python3 tests/packaging/templates.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

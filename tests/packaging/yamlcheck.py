"""YAML checks that need more than a schema. Run with the packaging venv's Python (ruamel.yaml).

  yamlcheck.py gitlab-expand OUTDIR
      For each templates/*.yml: checks its spec (every input has a description and a default,
      non-string defaults declare their type, option defaults are among the options, no global
      keywords in the body), expands `$[[ inputs.* ]]` with the defaults the way GitLab does (a
      value that is exactly one placeholder takes the input's type; otherwise text), follows
      `include: local` into the other templates with the inputs passed on (checking that each
      passed input exists there), flattens nested rules lists as GitLab does, and writes
      OUTDIR/<name>.yml (the expanded pipeline, to validate against the GitLab CI schema),
      OUTDIR/<name>.spec.yml (the header alone) and OUTDIR/<name>.<job>.sh (each job's script,
      for shellcheck).
  yamlcheck.py action-scripts OUTDIR
      Writes the `run:` text of every step of action.yml and */action.yml to OUTDIR/*.sh and
      checks that no `run:` text contains `${{` (inputs reach scripts only through env).
"""

import json
import re
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]")
GLOBAL_KEYWORDS = {"default", "stages", "variables", "workflow", "image", "services", "cache",
                   "before_script", "after_script"}
TYPES = {bool: "boolean", list: "array", int: "number", float: "number"}

yaml = YAML(typ="safe")
errors = []


def error(msg):
    errors.append(msg)


def load_template(path):
    docs = list(yaml.load_all(path.read_text()))
    if len(docs) != 2:
        error(f"{path.name}: expected a spec header and a body separated by ---, found {len(docs)} documents")
        return {}, {}
    return docs[0] or {}, docs[1] or {}


def check_spec(name, header):
    inputs = header.get("spec", {}).get("inputs", {})
    defaults = {}
    for key, spec in inputs.items():
        where = f"{name}: input {key}"
        if not spec or not spec.get("description"):
            error(f"{where} has no description")
        if "default" not in spec:
            error(f"{where} has no default")
            continue
        default = spec["default"]
        want = TYPES.get(type(default))
        if want and spec.get("type") != want:
            error(f"{where}: default {default!r} needs `type: {want}`, has {spec.get('type')!r}")
        if "options" in spec and default not in spec["options"]:
            error(f"{where}: default {default!r} is not among its options")
        defaults[key] = default
    return inputs, defaults


def interpolate(value, inputs, where):
    if isinstance(value, dict):
        return {interpolate(k, inputs, where): interpolate(v, inputs, where) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, inputs, where) for v in value]
    if not isinstance(value, str):
        return value
    whole = PLACEHOLDER.fullmatch(value.strip())
    if whole:
        key = whole.group(1)
        if key not in inputs:
            error(f"{where}: unknown input {key}")
            return value
        return inputs[key]

    def text(m):
        key = m.group(1)
        if key not in inputs:
            error(f"{where}: unknown input {key}")
            return m.group(0)
        v = inputs[key]
        return json.dumps(v) if isinstance(v, (list, dict)) else str(v).lower() if isinstance(v, bool) else str(v)

    return PLACEHOLDER.sub(text, value)


def expand(path, given, seen=()):
    """The jobs of the template at `path` with the inputs `given` (defaults for the rest)."""
    name = path.stem
    header, body = load_template(path)
    spec_inputs, defaults = check_spec(name, header)
    for key in given:
        if key not in spec_inputs:
            error(f"{name}: an include passes input {key}, which the template does not declare")
    values = {**defaults, **given}
    body = interpolate(body, values, name)
    jobs = {}
    for key, value in body.items():
        if key in GLOBAL_KEYWORDS:
            error(f"{name}: global keyword `{key}` in a component template")
        elif key == "include":
            for item in value:
                local = item.get("local") if isinstance(item, dict) else None
                if not local:
                    error(f"{name}: only `include: local` is expected in a template, got {item!r}")
                    continue
                target = ROOT / local.lstrip("/")
                if not target.is_file() or target in seen:
                    error(f"{name}: include {local} does not exist or is circular")
                    continue
                for job, spec in expand(target, item.get("inputs", {}), seen + (path,)).items():
                    if job in jobs:
                        error(f"{name}: job {job} defined twice")
                    jobs[job] = spec
        else:
            if isinstance(value, dict) and isinstance(value.get("rules"), list):
                value = {**value, "rules": flatten(value["rules"])}
            jobs[key] = value
    return jobs


def flatten(items):
    """A job's rules as GitLab reads them: nested lists (from `!reference` or from an array input
    inside a rules list) are flattened (`Gitlab::Ci::Config::Entry::Rules#value`)."""
    out = []
    for item in items:
        out.extend(flatten(item) if isinstance(item, list) else [item])
    return out


def gitlab_expand(out):
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "templates").glob("*.yml")):
        header, _ = load_template(path)
        (out / f"{path.stem}.spec.yml").write_text(json.dumps(header, indent=1))
        jobs = expand(path, {})
        if not jobs:
            error(f"{path.name}: no jobs after expansion")
        text = json.dumps(jobs, indent=1)
        if "$[[" in text:
            error(f"{path.name}: `$[[` left after expansion")
        (out / f"{path.stem}.yml").write_text(text)
        for job, spec in jobs.items():
            script = spec.get("script", []) if isinstance(spec, dict) else []
            lines = "\n".join(script if isinstance(script, list) else [script])
            if lines:
                (out / f"{path.stem}.{job}.sh").write_text("#!/bin/sh\n" + lines + "\n")
    gitlab_examples(out)


def gitlab_examples(out):
    """The GitLab examples (examples/gitlab/*.yml) that include a component of this repository,
    expanded with their inputs like the templates (`example-<file>.yml`), so the schema check
    also covers non-default inputs (eval-diff's `parallel: 4` and its merge job)."""
    for path in sorted((ROOT / "examples/gitlab").glob("*.yml")):
        doc = yaml.load(path.read_text())
        jobs = {}
        for item in doc.get("include", []):
            component = item.get("component", "") if isinstance(item, dict) else ""
            name = component.rsplit("/", 1)[-1].split("@", 1)[0]
            template = ROOT / "templates" / f"{name}.yml"
            if not component or not template.is_file():
                error(f"{path.name}: include {item!r} is not a component of this repository")
                continue
            jobs.update(expand(template, dict(item.get("inputs", {}))))
        if not jobs:
            error(f"{path.name}: no jobs after expansion")
        (out / f"example-{path.name.split('.')[0]}.yml").write_text(json.dumps(jobs, indent=1))


def action_scripts(out):
    out.mkdir(parents=True, exist_ok=True)
    for path in [ROOT / "action.yml", *sorted(ROOT.glob("*/action.yml"))]:
        action = yaml.load(path.read_text())
        rel = path.relative_to(ROOT).parent.name or "root"
        for i, step in enumerate(action.get("runs", {}).get("steps", [])):
            run = step.get("run")
            if run is None:
                continue
            if "${{" in run:
                error(f"{path.relative_to(ROOT)} step {i}: `${{{{` inside script text; pass it through env")
            (out / f"{rel}.{i}.sh").write_text("#!/usr/bin/env bash\n" + run + "\n")


def main():
    what, out = sys.argv[1], Path(sys.argv[2])
    {"gitlab-expand": gitlab_expand, "action-scripts": action_scripts}[what](out)
    for e in errors:
        print("error:", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

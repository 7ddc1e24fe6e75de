//! Sharded evaluation (issue 19): `--shard K/N` runs as separate processes, `eval-diff merge`
//! makes the same report as one unsharded run, and every shard that does not belong is
//! refused (exit 2, one line naming it, nothing written, nothing posted).

use std::path::{Path, PathBuf};

use modelci_test::harness::{Run, digits, report_json};
use modelci_test::snapshot::json;
use modelci_test::{
    ACTIONS_LOGIN, ACTIONS_TOKEN, BOT_LOGIN, BOT_TOKEN, FakeServer, GITLAB_PROJECT,
};

use crate::posting::{GITHUB_REPO, PR, github_env, gitlab_env};

/// The example's models and image folder, on one tract worker (so that the recorded engine
/// and workers are the same in every run).
fn example(run: Run, dataset: &Path) -> Run {
    run.arg("--quiet")
        .arg("--baseline")
        .arg(digits("baseline.onnx"))
        .arg("--candidate")
        .arg(digits("candidate.onnx"))
        .arg("--dataset")
        .arg(dataset)
        .args(["--engine", "tract", "--jobs", "1"])
}

/// A run without the machine's CI variables ([`Run::new`]) plus `env`.
fn clean(env: &[(&str, String)]) -> Run {
    let mut run = Run::new(env!("CARGO_BIN_EXE_eval-diff"));
    for (k, v) in env {
        run = run.env(k, v);
    }
    run
}

/// Runs shard `k` of `n` into `dir/shard-k`, returning that folder.
fn shard(dir: &Path, k: u32, n: u32, env: &[(&str, String)], extra: &[&str]) -> PathBuf {
    let out = dir.join(format!("shard-{k}"));
    let run = example(clean(env), &digits("test"))
        .arg("--output-dir")
        .arg(&out)
        .arg("--shard")
        .arg(format!("{k}/{n}"))
        .args(extra)
        .output();
    assert_eq!(run.code, 0, "shard {k}/{n}: {}", run.stderr);
    assert!(
        run.stdout.contains(&format!("shard {k}/{n}: samples")),
        "{}",
        run.stdout
    );
    assert!(
        !out.join("report.md").exists(),
        "a shard run writes no report"
    );
    out
}

/// `eval-diff merge` of `shards` into `out`.
fn merge(out: &Path, shards: &[PathBuf], env: &[(&str, String)]) -> modelci_test::harness::Outcome {
    clean(env)
        .arg("merge")
        .args(shards)
        .arg("--output-dir")
        .arg(out)
        .arg("--quiet")
        .output()
}

/// report.md without its measured rows (latency, throughput) and with `out` named `[OUT]`.
fn stable_markdown(out: &Path) -> String {
    let text = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    text.lines()
        .filter(|l| !l.starts_with("| Latency") && !l.starts_with("| Throughput"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(&out.display().to_string(), "[OUT]")
}

/// report.json with timing values masked (and the count of timed batches, which depends on
/// where the shards cut the batches) and `out` named `[OUT]`.
fn stable_json(out: &Path) -> String {
    json(&report_json(out), &|k| k == "batches").replace(&out.display().to_string(), "[OUT]")
}

/// Standard output without the measured rows.
fn stable_stdout(stdout: &str, out: &Path) -> String {
    stdout
        .lines()
        .filter(|l| !l.contains("Latency") && !l.contains("Throughput"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(&out.display().to_string(), "[OUT]")
}

#[test]
fn one_two_three_and_seven_shards_merge_to_the_single_run_report() {
    let work = tempfile::tempdir().expect("temp dir");
    let single_out = work.path().join("single");
    let single = example(clean(&[]), &digits("test"))
        .arg("--output-dir")
        .arg(&single_out)
        .args(["--tolerance", "accuracy=0.5pt"])
        .output();
    assert_eq!(single.code, 0, "{}", single.stderr);
    let want_md = stable_markdown(&single_out);
    let want_json = stable_json(&single_out);
    assert!(
        want_md.contains("McNemar"),
        "the report holds the pair statistics: {want_md}"
    );
    for n in [1u32, 2, 3, 7] {
        let dir = work.path().join(format!("n{n}"));
        // Given in reverse order: the merge sorts them.
        let shards: Vec<PathBuf> = (1..=n).rev().map(|k| shard(&dir, k, n, &[], &[])).collect();
        let out = dir.join("merged");
        let mut run = clean(&[]).arg("merge").args(&shards);
        run = run
            .arg("--output-dir")
            .arg(&out)
            .arg("--quiet")
            .args(["--tolerance", "accuracy=0.5pt"]);
        let merged = run.output();
        assert_eq!(merged.code, single.code, "{n} shards: {}", merged.stderr);
        assert_eq!(stable_markdown(&out), want_md, "{n} shards: report.md");
        assert_eq!(stable_json(&out), want_json, "{n} shards: report.json");
        assert_eq!(
            stable_stdout(&merged.stdout, &out),
            stable_stdout(&single.stdout, &single_out),
            "{n} shards: standard output"
        );
        for chart in [
            "confusion_candidate.png",
            "flipped_samples.png",
            "metrics.svg",
        ] {
            assert_eq!(
                std::fs::read(out.join(chart)).expect("chart"),
                std::fs::read(single_out.join(chart)).expect("chart"),
                "{n} shards: {chart}"
            );
        }
    }
}

#[test]
fn a_folder_of_all_shards_merges_and_a_failed_gate_fails_the_merge() {
    let work = tempfile::tempdir().expect("temp dir");
    // Both shards' files downloaded into one folder, as CI artifacts are.
    let all = work.path().join("all");
    std::fs::create_dir_all(&all).expect("dir");
    for k in 1..=2 {
        let dir = shard(work.path(), k, 2, &[], &[]);
        let name = format!("shard-{k}-of-2.jsonl");
        std::fs::copy(dir.join(&name), all.join(&name)).expect("copy");
    }
    let out = work.path().join("merged");
    let run = clean(&[])
        .arg("merge")
        .arg(&all)
        .arg("--output-dir")
        .arg(&out)
        .args(["--quiet", "--min", "accuracy=0.999"])
        .output();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(report_json(&out)["verdict"]["passed"] == false);
}

#[test]
fn the_shard_comes_from_gitlab_parallel_jobs_and_nothing_is_posted() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let mut env = gitlab_env(&server, ("GITLAB_TOKEN", BOT_TOKEN));
    env.push(("CI_NODE_INDEX", "2".into()));
    env.push(("CI_NODE_TOTAL", "3".into()));
    let out = work.path().join("node");
    let run = example(clean(&env), &digits("test"))
        .arg("--output-dir")
        .arg(&out)
        .output();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file = out.join("shard-2-of-3.jsonl");
    let text = std::fs::read_to_string(&file).expect("the shard file");
    let header: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("header")).expect("JSON header");
    assert_eq!(header["index"], 2);
    assert_eq!(header["total"], 3);
    assert_eq!(
        (header["start"].clone(), header["end"].clone()),
        (120.into(), 240.into())
    );
    assert_eq!(
        text.lines().count(),
        120 + 2,
        "header, 120 samples, trailer"
    );
    assert!(!out.join("report.md").exists());
    assert!(
        server.comments(GITLAB_PROJECT, 7).is_empty(),
        "a shard posts nothing"
    );
    // MODELCI_SHARD=off: the same job runs unsharded.
    env.push(("MODELCI_SHARD", "off".into()));
    let whole = work.path().join("whole");
    let run = example(clean(&env), &digits("test"))
        .arg("--output-dir")
        .arg(&whole)
        .arg("--no-post")
        .output();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(whole.join("report.md").is_file());
    server.assert_no_violations();
}

/// Shards 1..=3 of the example and a fake GitHub pull request to merge them on.
struct Refusals {
    work: tempfile::TempDir,
    server: FakeServer,
    env: Vec<(&'static str, String)>,
    good: Vec<PathBuf>,
}

impl Refusals {
    fn new() -> Self {
        let work = tempfile::tempdir().expect("temp dir");
        let server = FakeServer::start();
        let env = github_env(work.path(), server.github_url());
        let good = (1..=3)
            .map(|k| shard(work.path(), k, 3, &[], &[]))
            .collect();
        Self {
            work,
            server,
            env,
            good,
        }
    }

    /// Merges `shards`: exit 2, one line naming `named` and saying `reason`, no report, no
    /// comment.
    fn refused(&self, case: &str, shards: &[PathBuf], named: &Path, reason: &str) {
        let out = self.work.path().join(format!("out-{case}"));
        let run = merge(&out, shards, &self.env);
        assert_eq!(run.code, 2, "{case}: {}{}", run.stdout, run.stderr);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{case}: one line: {}", run.stderr);
        assert!(
            lines[0].contains(&named.display().to_string()),
            "{case}: names {}: {}",
            named.display(),
            lines[0]
        );
        assert!(
            lines[0].contains(reason),
            "{case}: says {reason:?}: {}",
            lines[0]
        );
        assert!(!out.join("report.md").exists(), "{case}: no report");
        assert!(!out.join("report.json").exists(), "{case}: no report");
        assert!(
            self.server.comments(GITHUB_REPO, PR).is_empty(),
            "{case}: no comment"
        );
    }

    fn file(&self, k: usize) -> PathBuf {
        self.good[k - 1].join(format!("shard-{k}-of-3.jsonl"))
    }

    /// A copy of shard `k`'s file, changed by `edit`.
    fn edited(&self, case: &str, k: usize, edit: &dyn Fn(String) -> String) -> PathBuf {
        let dir = self.work.path().join(case);
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(format!("shard-{k}-of-3.jsonl"));
        let text = std::fs::read_to_string(self.file(k)).expect("shard");
        std::fs::write(&path, edit(text)).expect("write");
        path
    }
}

#[test]
fn shards_that_do_not_belong_together_are_refused() {
    let r = Refusals::new();
    let [one, two, three] = [r.good[0].clone(), r.good[1].clone(), r.good[2].clone()];

    // Another candidate model for shard 2.
    let foreign = r.work.path().join("foreign");
    let run = clean(&[])
        .arg("--quiet")
        .arg("--baseline")
        .arg(digits("baseline.onnx"))
        .arg("--candidate")
        .arg(digits("baseline.onnx"))
        .arg("--dataset")
        .arg(digits("test"))
        .args(["--engine", "tract", "--jobs", "1", "--shard", "2/3"])
        .arg("--output-dir")
        .arg(&foreign)
        .output();
    assert_eq!(run.code, 0, "{}", run.stderr);
    r.refused(
        "model",
        &[one.clone(), foreign.clone(), three.clone()],
        &foreign.join("shard-2-of-3.jsonl"),
        "a different candidate model (sha256)",
    );

    // The same samples as a NumPy file: another dataset.
    let npz = r.work.path().join("npz");
    let run = example(clean(&[]), &digits("test.npz"))
        .args(["--shard", "3/3"])
        .arg("--output-dir")
        .arg(&npz)
        .output();
    assert_eq!(run.code, 0, "{}", run.stderr);
    r.refused(
        "dataset",
        &[one.clone(), two.clone(), npz.clone()],
        &npz.join("shard-3-of-3.jsonl"),
        "a different dataset (content sha256)",
    );

    // Other preprocessing.
    let scaled = shard(
        &r.work.path().join("scaled"),
        1,
        3,
        &[],
        &["--scale", "0.5"],
    );
    r.refused(
        "preprocessing",
        &[scaled.clone(), two.clone(), three.clone()],
        &two.join("shard-2-of-3.jsonl"),
        "a different preprocessing and evaluation settings",
    );

    // Shard 2 twice, and shard 2 missing.
    let again = r.work.path().join("again");
    std::fs::create_dir_all(&again).expect("dir");
    std::fs::copy(r.file(2), again.join("shard-2-of-3.jsonl")).expect("copy");
    r.refused(
        "duplicate",
        &[one.clone(), two.clone(), again.clone(), three.clone()],
        &again.join("shard-2-of-3.jsonl"),
        "shard 2/3 is given twice",
    );
    r.refused(
        "incomplete",
        &[one.clone(), three.clone()],
        &r.file(1),
        "incomplete: shard 2/3 is missing",
    );

    // Shards of another split overlap these.
    let half = shard(&r.work.path().join("half"), 2, 2, &[], &[]);
    r.refused(
        "overlap",
        &[one.clone(), two.clone(), three.clone(), half.clone()],
        &half.join("shard-2-of-2.jsonl"),
        "a different number of shards",
    );

    // Truncated: the checksum line is gone, or the file ends inside a line.
    let cut = r.edited("truncated", 2, &|text| {
        let lines: Vec<&str> = text.lines().collect();
        format!("{}\n", lines[..lines.len() - 1].join("\n"))
    });
    r.refused(
        "truncated",
        &[one.clone(), cut.clone(), three.clone()],
        &cut,
        "truncated: no checksum line",
    );
    let torn = r.edited("torn", 3, &|text| text[..text.len() / 2].to_owned());
    r.refused(
        "torn",
        &[one.clone(), two.clone(), torn.clone()],
        &torn,
        "truncated: the file ends inside line",
    );

    // Hand-edited: one prediction changed, the rest intact.
    let edited = r.edited("edited", 1, &|text| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines[5] = lines[5].replacen("\"c\":", "\"c\":1", 1);
        format!("{}\n", lines.join("\n"))
    });
    r.refused(
        "edited",
        &[edited.clone(), two.clone(), three.clone()],
        &edited,
        "checksum mismatch",
    );

    // Not a shard at all.
    let report = r.work.path().join("not-a-shard.jsonl");
    std::fs::write(&report, "{\"verdict\": 1}\n").expect("write");
    r.refused(
        "not a shard",
        &[report.clone(), two, three],
        &report,
        "not an eval-diff shard file",
    );
    r.server.assert_no_violations();
}

#[test]
fn shard_jobs_and_a_merge_job_post_one_sticky_comment_on_github_and_gitlab() {
    let work = tempfile::tempdir().expect("temp dir");
    let server = FakeServer::start();
    // GitHub: a matrix of three jobs sets MODELCI_SHARD; each uploads its folder. The token is
    // Actions' own GITHUB_TOKEN, which the fake refuses `GET /user` as GitHub does.
    let mut github = github_env(work.path(), server.github_url());
    github.retain(|(name, _)| *name != "GITHUB_TOKEN");
    github.push(("GITHUB_TOKEN", ACTIONS_TOKEN.into()));
    let dir = work.path().join("github");
    let shards: Vec<PathBuf> = (1..=3u32)
        .map(|k| {
            let mut env = github.clone();
            env.push(("MODELCI_SHARD", format!("{k}/3")));
            let out = dir.join(format!("shard-{k}"));
            let run = example(clean(&env), &digits("test"))
                .arg("--output-dir")
                .arg(&out)
                .output();
            assert_eq!(run.code, 0, "{}", run.stderr);
            out
        })
        .collect();
    assert!(
        server.comments(GITHUB_REPO, PR).is_empty(),
        "shard jobs post nothing"
    );
    for _ in 0..2 {
        let run = merge(&dir.join("merged"), &shards, &github);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let ours = server.comments_by(GITHUB_REPO, PR, ACTIONS_LOGIN);
    assert_eq!(ours.len(), 1, "one sticky comment");
    assert!(
        ours[0].body.contains("accuracy 96.67% → 99.72%"),
        "{}",
        ours[0].body
    );
    assert!(ours[0].body.contains("(360 samples)"), "{}", ours[0].body);

    // GitLab: `parallel: 3` sets CI_NODE_INDEX/CI_NODE_TOTAL.
    let gitlab = gitlab_env(&server, ("GITLAB_TOKEN", BOT_TOKEN));
    let dir = work.path().join("gitlab");
    let shards: Vec<PathBuf> = (1..=3u32)
        .map(|k| {
            let mut env = gitlab.clone();
            env.push(("CI_NODE_INDEX", k.to_string()));
            env.push(("CI_NODE_TOTAL", "3".into()));
            let out = dir.join(format!("shard-{k}"));
            let run = example(clean(&env), &digits("test"))
                .arg("--output-dir")
                .arg(&out)
                .output();
            assert_eq!(run.code, 0, "{}", run.stderr);
            out
        })
        .collect();
    assert!(server.comments(GITLAB_PROJECT, 7).is_empty());
    let run = merge(&dir.join("merged"), &shards, &gitlab);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let notes = server.comments_by(GITLAB_PROJECT, 7, BOT_LOGIN);
    assert_eq!(notes.len(), 1, "one sticky note");
    assert!(
        notes[0].body.contains("accuracy 96.67% → 99.72%"),
        "{}",
        notes[0].body
    );
    server.assert_no_violations();
}

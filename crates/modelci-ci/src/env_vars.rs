//! Every environment variable name this crate reads, in one place.
//!
//! Detection code never spells a variable name inline: it goes through [`EnvVars`], so a reader
//! can see at a glance what we depend on, and a typo is a compile error instead of a silent
//! "not in CI". The table is flat on purpose (one constant, one line of docs).

/// Names of the environment variables read by `modelci-ci`, grouped by provider.
///
/// The struct has no fields; it is a namespace for documented constants, as in
/// `EnvVars::GITHUB_ACTIONS`.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct EnvVars;

impl EnvVars {
    // --- modelci's own settings ---

    /// This job's shard of a sharded evaluation, `K/N` (1-based; a GitHub Actions matrix sets
    /// it, e.g. `MODELCI_SHARD: ${{ matrix.shard }}/4`).
    pub const MODELCI_SHARD: &'static str = "MODELCI_SHARD";
    /// Forces the code host on Jenkins (`github` or `gitlab`) when the Git host name says neither.
    pub const MODELCI_FORGE: &'static str = "MODELCI_FORGE";
    /// Overrides the code host's API root on Jenkins and Travis (self-hosted GitLab, GitHub
    /// Enterprise Server).
    pub const MODELCI_API_URL: &'static str = "MODELCI_API_URL";
    /// A GitHub token for modelci only; wins over `GITHUB_TOKEN`.
    pub const MODELCI_GITHUB_TOKEN: &'static str = "MODELCI_GITHUB_TOKEN";
    /// A GitLab token for modelci only; wins over `GITLAB_TOKEN`.
    pub const MODELCI_GITLAB_TOKEN: &'static str = "MODELCI_GITLAB_TOKEN";

    // --- GitHub Actions ---

    /// `true` on GitHub Actions runners.
    pub const GITHUB_ACTIONS: &'static str = "GITHUB_ACTIONS";
    /// Path of the JSON webhook payload that triggered the workflow.
    pub const GITHUB_EVENT_PATH: &'static str = "GITHUB_EVENT_PATH";
    /// Name of the triggering event (`pull_request`, `push`, `workflow_run`, ...).
    pub const GITHUB_EVENT_NAME: &'static str = "GITHUB_EVENT_NAME";
    /// REST API root, `https://api.github.com` or `https://HOST/api/v3` on Enterprise Server.
    pub const GITHUB_API_URL: &'static str = "GITHUB_API_URL";
    /// Web root, `https://github.com` or the Enterprise Server URL.
    pub const GITHUB_SERVER_URL: &'static str = "GITHUB_SERVER_URL";
    /// `owner/repo` of the repository running the workflow.
    pub const GITHUB_REPOSITORY: &'static str = "GITHUB_REPOSITORY";
    /// Numeric id of the workflow run, used to build the run URL.
    pub const GITHUB_RUN_ID: &'static str = "GITHUB_RUN_ID";
    /// Commit the workflow runs on (the merge commit for `pull_request`).
    pub const GITHUB_SHA: &'static str = "GITHUB_SHA";
    /// Full ref the workflow runs on (`refs/heads/main`, `refs/pull/2/merge`).
    pub const GITHUB_REF: &'static str = "GITHUB_REF";
    /// Source branch of a pull request (pull request events only).
    pub const GITHUB_HEAD_REF: &'static str = "GITHUB_HEAD_REF";
    /// Target branch of a pull request (pull request events only).
    pub const GITHUB_BASE_REF: &'static str = "GITHUB_BASE_REF";
    /// File the step appends its Markdown job summary to.
    pub const GITHUB_STEP_SUMMARY: &'static str = "GITHUB_STEP_SUMMARY";
    /// File the step appends its outputs to.
    pub const GITHUB_OUTPUT: &'static str = "GITHUB_OUTPUT";
    /// The token a workflow passes in, usually `${{ secrets.GITHUB_TOKEN }}`.
    pub const GITHUB_TOKEN: &'static str = "GITHUB_TOKEN";

    // --- GitLab CI ---

    /// `true` in GitLab CI jobs.
    pub const GITLAB_CI: &'static str = "GITLAB_CI";
    /// This job's index among `parallel: N` jobs (1-based).
    pub const CI_NODE_INDEX: &'static str = "CI_NODE_INDEX";
    /// The number of `parallel: N` jobs.
    pub const CI_NODE_TOTAL: &'static str = "CI_NODE_TOTAL";
    /// API v4 root, e.g. `https://gitlab.example.com/api/v4`.
    pub const CI_API_V4_URL: &'static str = "CI_API_V4_URL";
    /// Web root of the instance, including protocol and port.
    pub const CI_SERVER_URL: &'static str = "CI_SERVER_URL";
    /// Numeric id of the project.
    pub const CI_PROJECT_ID: &'static str = "CI_PROJECT_ID";
    /// `namespace/project` path of the project.
    pub const CI_PROJECT_PATH: &'static str = "CI_PROJECT_PATH";
    /// Project-level id of the merge request (merge request pipelines only).
    pub const CI_MERGE_REQUEST_IID: &'static str = "CI_MERGE_REQUEST_IID";
    /// Id of the project the merge request belongs to (its target).
    pub const CI_MERGE_REQUEST_PROJECT_ID: &'static str = "CI_MERGE_REQUEST_PROJECT_ID";
    /// Id of the project the merge request comes from; differs from the target for forks.
    pub const CI_MERGE_REQUEST_SOURCE_PROJECT_ID: &'static str =
        "CI_MERGE_REQUEST_SOURCE_PROJECT_ID";
    /// Target branch of the merge request.
    pub const CI_MERGE_REQUEST_TARGET_BRANCH_NAME: &'static str =
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME";
    /// Source branch of the merge request.
    pub const CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: &'static str =
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME";
    /// Head of the source branch; set only in merged results pipelines.
    pub const CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: &'static str =
        "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA";
    /// Base commit of the merge request diff.
    pub const CI_MERGE_REQUEST_DIFF_BASE_SHA: &'static str = "CI_MERGE_REQUEST_DIFF_BASE_SHA";
    /// Commit the pipeline runs on.
    pub const CI_COMMIT_SHA: &'static str = "CI_COMMIT_SHA";
    /// Branch or tag the pipeline runs on.
    pub const CI_COMMIT_REF_NAME: &'static str = "CI_COMMIT_REF_NAME";
    /// Web page of the job.
    pub const CI_JOB_URL: &'static str = "CI_JOB_URL";
    /// Web page of the pipeline.
    pub const CI_PIPELINE_URL: &'static str = "CI_PIPELINE_URL";
    /// The job's own short-lived token; it cannot write merge request notes.
    pub const CI_JOB_TOKEN: &'static str = "CI_JOB_TOKEN";
    /// A project access token with `api` scope, set by the user as a masked CI/CD variable.
    pub const GITLAB_TOKEN: &'static str = "GITLAB_TOKEN";

    // --- Jenkins (multibranch pipelines) ---

    /// Root URL of the Jenkins controller; its presence means "running on Jenkins".
    pub const JENKINS_URL: &'static str = "JENKINS_URL";
    /// Number of the pull or merge request (change builds only).
    pub const CHANGE_ID: &'static str = "CHANGE_ID";
    /// Web URL of the change, e.g. `https://github.com/o/r/pull/7`.
    pub const CHANGE_URL: &'static str = "CHANGE_URL";
    /// Target branch of the change.
    pub const CHANGE_TARGET: &'static str = "CHANGE_TARGET";
    /// Source branch of the change.
    pub const CHANGE_BRANCH: &'static str = "CHANGE_BRANCH";
    /// Set (to the fork's owner or name) when the change comes from a fork.
    pub const CHANGE_FORK: &'static str = "CHANGE_FORK";
    /// Remote URL of the repository, https or ssh form.
    pub const GIT_URL: &'static str = "GIT_URL";
    /// Commit being built.
    pub const GIT_COMMIT: &'static str = "GIT_COMMIT";
    /// Web page of the build.
    pub const BUILD_URL: &'static str = "BUILD_URL";

    // --- Travis CI ---

    /// `true` on Travis CI.
    pub const TRAVIS: &'static str = "TRAVIS";
    /// `false`, or the number of the pull request being built.
    pub const TRAVIS_PULL_REQUEST: &'static str = "TRAVIS_PULL_REQUEST";
    /// `owner/repo` of the repository being built.
    pub const TRAVIS_REPO_SLUG: &'static str = "TRAVIS_REPO_SLUG";
    /// `owner/repo` the pull request comes from; differs from the repo slug for forks.
    pub const TRAVIS_PULL_REQUEST_SLUG: &'static str = "TRAVIS_PULL_REQUEST_SLUG";
    /// Branch being built; for a pull request, its target branch.
    pub const TRAVIS_BRANCH: &'static str = "TRAVIS_BRANCH";
    /// Source branch of the pull request.
    pub const TRAVIS_PULL_REQUEST_BRANCH: &'static str = "TRAVIS_PULL_REQUEST_BRANCH";
    /// Head commit of the pull request.
    pub const TRAVIS_PULL_REQUEST_SHA: &'static str = "TRAVIS_PULL_REQUEST_SHA";
    /// Commit being built (the merge commit for a pull request).
    pub const TRAVIS_COMMIT: &'static str = "TRAVIS_COMMIT";
    /// Web page of the build.
    pub const TRAVIS_BUILD_WEB_URL: &'static str = "TRAVIS_BUILD_WEB_URL";
}

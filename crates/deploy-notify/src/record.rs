//! Recording the deployment on the code host of the CI run.
//!
//! Where to record comes from [`modelci_ci::resolve_host`], as for eval-diff's comment: the host
//! and API URL, the repository and the token (`GITHUB_TOKEN`/`GITLAB_TOKEN`, or the `MODELCI_*`
//! overrides; GitLab's job token cannot record deployments and gets a warning). The client ([`modelci_forge::Deployments`]) also posts the pull
//! request comment.

use modelci_ci::{CiContext, Env, HostChoice, HostError, Provider};
use modelci_forge::{
    Deployment, DeploymentStatus, Deployments, ForgeConfig, ForgeError, ForgeKind, NewDeployment,
    Token,
};

/// The code host, repository and token of this run.
#[derive(Debug, Clone)]
pub struct Target {
    /// GitHub or GitLab.
    pub kind: ForgeKind,
    /// API root.
    pub api_url: String,
    /// Web root (`https://github.com`), for links.
    pub web_url: String,
    /// `owner/repo` or the GitLab project path (or id).
    pub repo: String,
    /// The token.
    pub token: Token,
}

impl Target {
    /// `github` or `gitlab`.
    #[must_use]
    pub fn host_name(&self) -> &'static str {
        self.kind.id()
    }

    /// The web page of the release for `tag`.
    #[must_use]
    pub fn release_url(&self, tag: &str) -> String {
        self.kind.release_page(&self.web_url, &self.repo, tag)
    }
}

/// Where this run would record, or why it cannot (a sentence for a warning).
///
/// # Errors
/// A sentence saying what is missing (no code host detected, no repository, no usable token).
pub fn target(context: &CiContext, env: &Env) -> Result<Target, String> {
    let host = match modelci_ci::resolve_host(context, env, &HostChoice::default()) {
        Ok(host) => host,
        Err(HostError::NoProject { .. }) => {
            return Err(
                "cannot tell which repository this run is for: the deployment is not recorded"
                    .into(),
            );
        }
        Err(_) => {
            return Err(format!(
                "no code host detected ({} run): the deployment is not recorded; set MODELCI_FORGE and MODELCI_API_URL, or pass --no-record",
                context.provider
            ));
        }
    };
    match &host.token {
        Some(token) if token.is_job_token => {
            return Err("GitLab's CI_JOB_TOKEN cannot record deployments through the API: set GITLAB_TOKEN (a project access token with the `api` scope) as a masked CI/CD variable, or pass --no-record".into());
        }
        Some(token) => {
            if context.provider == Provider::GitHubActions {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stdout().lock(),
                    "{}",
                    modelci_ci::output::workflow_command::add_mask_command(&token.secret)
                );
            }
        }
        None => {
            return Err(context
                .token
                .problem()
                .unwrap_or_else(|| "no token to record the deployment with".into()));
        }
    }
    let config = ForgeConfig::from_host(&host)
        .ok_or_else(|| "no token to record the deployment with".to_owned())?;
    Ok(Target {
        kind: config.kind,
        api_url: host.api_url,
        web_url: host.web_url,
        repo: host.project,
        token: config.token,
    })
}

/// A deployment being recorded.
#[derive(Debug)]
pub struct Recorder {
    client: Box<dyn Deployments>,
    deployment: Deployment,
}

impl Recorder {
    /// Connects and creates the deployment (statuses come with [`Recorder::set`]).
    ///
    /// # Errors
    /// [`ForgeError`] from connecting or creating.
    pub fn create(target: &Target, request: &NewDeployment) -> Result<Self, ForgeError> {
        let client = connect(target)?;
        let deployment = client.create_deployment(request)?;
        Ok(Self { client, deployment })
    }

    /// The host's id of the deployment.
    #[must_use]
    pub fn id(&self) -> u64 {
        self.deployment.id
    }

    /// Records a status of the deployment.
    ///
    /// # Errors
    /// [`ForgeError`] after retries.
    pub fn set(&self, status: &DeploymentStatus) -> Result<(), ForgeError> {
        self.client.set_deployment_status(&self.deployment, status)
    }

    /// The client, for the pull request comment.
    #[must_use]
    pub fn client(&self) -> &dyn Deployments {
        self.client.as_ref()
    }
}

/// Connects without recording (`--no-record`), for the pull request comment only.
///
/// # Errors
/// [`ForgeError`] from connecting.
pub fn connect(target: &Target) -> Result<Box<dyn Deployments>, ForgeError> {
    let mut config = ForgeConfig::new(target.kind, target.repo.clone(), target.token.clone());
    config.api_url = Some(target.api_url.clone());
    modelci_forge::connect(&config)
}

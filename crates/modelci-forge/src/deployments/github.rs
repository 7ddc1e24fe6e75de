//! Deployments on GitHub: create, statuses, and the pull requests of a commit.

use crate::error::decode;
use serde::Deserialize;

use super::{Deployment, DeploymentStatus, Deployments, NewDeployment, cut};
use crate::retry;
use crate::{Forge as _, ForgeError, GitHub};

/// Name used in messages.
const HOST: &str = "GitHub";
/// GitHub's limit on a deployment (status) description.
const MAX_DESCRIPTION: usize = 140;

/// The parts of a deployment this crate reads.
#[derive(Debug, Deserialize)]
struct Created {
    id: Option<u64>,
    url: Option<String>,
    message: Option<String>,
}

/// The parts of a pull request this crate reads.
#[derive(Debug, Deserialize)]
struct Pull {
    number: u64,
}

impl Deployments for GitHub {
    fn create_deployment(&self, request: &NewDeployment) -> Result<Deployment, ForgeError> {
        let action = "create a deployment";
        let body = serde_json::json!({
            "ref": request.git_ref,
            "environment": request.environment,
            "auto_merge": false,
            "required_contexts": [],
            "payload": request.payload,
            "description": cut(&request.description, MAX_DESCRIPTION),
        });
        let bytes = retry::run_unapplied(self.retry_policy(), || {
            self.deployments_call(action, http::Method::POST, "/deployments", Some(&body))
        })?;
        let created: Created = decode(HOST, action, &bytes)?;
        match created.id {
            Some(id) => Ok(Deployment {
                id,
                url: created.url,
            }),
            // 202: GitHub merged the default branch instead ("Auto-merged ... "); cannot happen
            // with auto_merge false, but never pretend a deployment exists.
            None => Err(ForgeError::Decode {
                host: HOST,
                action,
                message: created
                    .message
                    .unwrap_or_else(|| "the answer has no deployment id".into()),
            }),
        }
    }

    fn set_deployment_status(
        &self,
        deployment: &Deployment,
        status: &DeploymentStatus,
    ) -> Result<(), ForgeError> {
        let action = "set a deployment status";
        let mut body = serde_json::json!({
            "state": status.state.github_name(),
            "description": cut(&status.description, MAX_DESCRIPTION),
        });
        if let Some(obj) = body.as_object_mut() {
            if let Some(url) = &status.environment_url {
                obj.insert("environment_url".into(), url.clone().into());
            }
            if let Some(url) = &status.log_url {
                obj.insert("log_url".into(), url.clone().into());
            }
        }
        let suffix = format!("/deployments/{}/statuses", deployment.id);
        // Sending a status twice only repeats it, so every transient failure is retried.
        retry::run(self.retry_policy(), || {
            self.deployments_call(action, http::Method::POST, &suffix, Some(&body))
        })
        .map(drop)
    }

    fn pulls_for_commit(&self, sha: &str) -> Result<Vec<u64>, ForgeError> {
        let action = "list the pull requests of a commit";
        if sha.is_empty() || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ForgeError::Config {
                message: format!("`{sha}` is not a commit SHA"),
            });
        }
        let suffix = format!("/commits/{sha}/pulls?per_page=100");
        let bytes = retry::run(self.retry_policy(), || {
            self.deployments_call(action, http::Method::GET, &suffix, None)
        })?;
        let pulls: Vec<Pull> = decode(HOST, action, &bytes)?;
        let mut numbers: Vec<u64> = pulls.into_iter().map(|p| p.number).collect();
        numbers.sort_unstable();
        numbers.dedup();
        Ok(numbers)
    }
}

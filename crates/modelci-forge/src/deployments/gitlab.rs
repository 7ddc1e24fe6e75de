//! Deployments on GitLab, through the `gitlab` crate's deployment endpoints.

use gitlab::api::projects::deployments::{
    CreateDeployment, DeploymentStatus as GlStatus, EditDeployment,
};
use gitlab::api::projects::repository::commits::MergeRequests as CommitMergeRequests;
use serde::Deserialize;

use super::{Deployment, DeploymentState, DeploymentStatus, Deployments, NewDeployment};
use crate::{ForgeError, GitLab};

/// Name used in messages.
const HOST: &str = "GitLab";

/// The parts of a deployment this crate reads.
#[derive(Debug, Deserialize)]
struct Created {
    id: u64,
}

/// The part of a merge request this crate reads: its number inside the project.
#[derive(Debug, Deserialize)]
struct MergeRequestRef {
    iid: u64,
}

fn build_error(e: impl std::fmt::Display) -> ForgeError {
    ForgeError::Config {
        message: format!("cannot build the GitLab request: {e}"),
    }
}

fn status_of(state: DeploymentState) -> GlStatus {
    match state {
        DeploymentState::InProgress => GlStatus::Running,
        DeploymentState::Success => GlStatus::Success,
        DeploymentState::Failure => GlStatus::Failed,
    }
}

impl Deployments for GitLab {
    fn create_deployment(&self, request: &NewDeployment) -> Result<Deployment, ForgeError> {
        let action = "create a deployment";
        let Some(sha) = request.sha.as_deref() else {
            return Err(ForgeError::Config {
                message:
                    "GitLab needs the deployed commit's SHA (CI_COMMIT_SHA) to record a deployment"
                        .into(),
            });
        };
        let ep = CreateDeployment::builder()
            .project(self.deployments_project())
            .environment(request.environment.as_str())
            .sha(sha)
            .ref_(request.git_ref.as_str())
            .tag(request.is_tag)
            .status(GlStatus::Running)
            .build()
            .map_err(build_error)?;
        let bytes = self.deployments_call(action, &ep, false)?;
        let created: Created = serde_json::from_slice(&bytes).map_err(|e| ForgeError::Decode {
            host: HOST,
            action,
            message: e.to_string(),
        })?;
        Ok(Deployment {
            id: created.id,
            url: None,
        })
    }

    fn set_deployment_status(
        &self,
        deployment: &Deployment,
        status: &DeploymentStatus,
    ) -> Result<(), ForgeError> {
        // Created as running already; GitLab refuses nothing here, but sending it again is noise.
        if status.state == DeploymentState::InProgress {
            return Ok(());
        }
        let ep = EditDeployment::builder()
            .project(self.deployments_project())
            .deployment_id(deployment.id)
            .status(status_of(status.state))
            .build()
            .map_err(build_error)?;
        self.deployments_call("update a deployment", &ep, true)
            .map(drop)
    }

    /// The merge requests (their iids) the commit belongs to: `GET /projects/:id/repository/
    /// commits/:sha/merge_requests` (the first page, 20 merge requests: a commit is rarely in more).
    fn pulls_for_commit(&self, sha: &str) -> Result<Vec<u64>, ForgeError> {
        let action = "list the merge requests of a commit";
        let ep = CommitMergeRequests::builder()
            .project(self.deployments_project())
            .sha(sha)
            .build()
            .map_err(build_error)?;
        let bytes = self.deployments_call(action, &ep, true)?;
        let found: Vec<MergeRequestRef> =
            serde_json::from_slice(&bytes).map_err(|e| ForgeError::Decode {
                host: HOST,
                action,
                message: e.to_string(),
            })?;
        Ok(found.into_iter().map(|mr| mr.iid).collect())
    }
}

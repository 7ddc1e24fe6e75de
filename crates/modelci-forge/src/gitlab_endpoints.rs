//! GitLab endpoints the `gitlab` crate lacks, written against its `Endpoint` trait.
//!
//! - `POST /projects/:id/uploads` (multipart `file`), from `project_markdown_uploads.md`.
//! - `DELETE /projects/:id/merge_requests/:iid/notes/:note_id`, from `notes.md`.

use std::borrow::Cow;

use gitlab::api::{BodyError, Endpoint, MultipartBuilder};
use http::Method;

/// Multipart boundary; `&'static` because the trait returns a static content type.
const BOUNDARY: &str = "modelci-forge-upload-6b1f0e8a3c5d4729";
/// `Content-Type` matching [`BOUNDARY`].
const MULTIPART: &str = "multipart/form-data; boundary=modelci-forge-upload-6b1f0e8a3c5d4729";

/// Percent-encodes a project path for use as `:id` (`group/project` → `group%2Fproject`).
pub(crate) use modelci_ci::percent::encode as encode_project;

/// Upload a file to a project's Markdown uploads.
#[derive(Debug)]
pub(crate) struct ProjectUpload<'a> {
    /// Project path or id.
    pub project: &'a str,
    /// File name sent with the part (shown as the image's alt text).
    pub filename: &'a str,
    /// File content.
    pub data: &'a [u8],
}

impl ProjectUpload<'_> {
    /// False when the data contains the multipart boundary (it cannot be framed).
    pub fn encodable(&self) -> bool {
        !self
            .data
            .windows(BOUNDARY.len())
            .any(|w| w == BOUNDARY.as_bytes())
    }
}

impl Endpoint for ProjectUpload<'_> {
    fn method(&self) -> Method {
        Method::POST
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!("projects/{}/uploads", encode_project(self.project)).into()
    }

    fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, BodyError> {
        let mut form = MultipartBuilder::new(BOUNDARY);
        form.file_field("file", self.filename, self.data);
        Ok(Some((MULTIPART, form.finish())))
    }
}

/// Delete a merge request note.
#[derive(Debug)]
pub(crate) struct DeleteNote<'a> {
    /// Project path or id.
    pub project: &'a str,
    /// Merge request IID.
    pub merge_request: u64,
    /// Note id.
    pub note: u64,
}

impl Endpoint for DeleteNote<'_> {
    fn method(&self) -> Method {
        Method::DELETE
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!(
            "projects/{}/merge_requests/{}/notes/{}",
            encode_project(self.project),
            self.merge_request,
            self.note
        )
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_paths() {
        assert_eq!(encode_project("group/sub/proj"), "group%2Fsub%2Fproj");
        assert_eq!(encode_project("42"), "42");
    }

    #[test]
    fn content_type_matches_boundary() {
        assert!(MULTIPART.ends_with(BOUNDARY));
    }
}

//! What only some records know, kept out of line.

use std::borrow::Cow;

use thin_vec::ThinVec;

use super::{ChildrenCount, HubParents, LicenseFile};
use crate::files::Statement;
use crate::id::RepoId;
use crate::out_of_line::Rare;

/// What only some records know: why a read failed, and what the Hub's API gives beyond the
/// dump's columns (commit, gating, the detail route's counts and resolved parents, the links
/// between models and Spaces).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordDetail {
    /// Why it could not be read, when it could not (placeholders share one text).
    pub reason: Option<Cow<'static, str>>,
    /// The commit sha, when known.
    pub sha: Option<String>,
    /// `gated` (`auto`/`manual`) when the repo is gated.
    pub gated: Option<String>,
    /// Models: `childrenModelCount` when the API gave it (detail route only).
    pub children_count: Option<Box<ChildrenCount>>,
    /// Models: the Hub's resolved parents (`baseModels`, detail route only).
    pub hub_parents: Option<Box<HubParents>>,
    /// Models: Spaces using it (the API's `spaces`, capped at 100 by the Hub).
    pub api_spaces: ThinVec<RepoId>,
    /// Models: whether the body carried the `spaces` field at all (when it did and it is
    /// empty, no Space uses the model).
    pub spaces_known: bool,
    /// Spaces: models the Hub says it uses.
    pub api_models: ThinVec<RepoId>,
    /// Spaces: datasets the Hub says it uses.
    pub api_datasets: ThinVec<RepoId>,
    /// What the tool-written files beside the card state, when they were read.
    pub files: ThinVec<Statement>,
    /// The license file beside the card, when one was read.
    pub license_file: Option<Box<LicenseFile>>,
}

impl Rare for RecordDetail {
    const EMPTY: &'static RecordDetail = &RecordDetail {
        reason: None,
        sha: None,
        gated: None,
        children_count: None,
        hub_parents: None,
        api_spaces: ThinVec::new(),
        spaces_known: false,
        api_models: ThinVec::new(),
        api_datasets: ThinVec::new(),
        files: ThinVec::new(),
        license_file: None,
    };
}

//! Repo records: what a source knows about one repository, and the edges it declares.
//!
//! Sources (the snapshot directory, the Hub crawler) produce [`RepoRecord`]s; the graph is built
//! from records alone, so every analysis runs the same on a live crawl, a cache or a snapshot.
//! [`RepoRecord::from_parts`] is the one place that turns an API body (`info.json`) and a README
//! into a record, and [`RepoRecord::links`] the one place that turns a record into edges.

use std::borrow::Cow;

use serde::Serialize;
use thin_vec::ThinVec;

mod detail;
mod files;
mod hub_fields;
mod timestamp;

use crate::card::{self, Card, CardMeta};
pub use crate::files::license::LicenseFile;
use crate::finding::{Code, Finding};
use crate::id::{RepoId, RepoKind};
use crate::out_of_line::OutOfLine;
use crate::relation::{Relation, RelationSource};
pub use detail::RecordDetail;
pub use files::{infer_relation, FileSignals};
pub use hub_fields::{ChildrenCount, HubFields, HubParents};
pub use timestamp::Timestamp;

/// What is known about a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NodeStatus {
    /// Read successfully.
    Ok,
    /// The repo does not exist (or is private and invisible to us).
    NotFound,
    /// The Hub wants credentials (401).
    Unauthorized,
    /// The repo is disabled (403).
    Disabled,
    /// Reading failed (network, server, bad body); see the reason.
    Error,
    /// The id itself is not valid.
    Invalid,
    /// Beyond `--depth`: known to exist as a link, not read.
    Unvisited,
}

impl NodeStatus {
    /// The snake_case name used in JSON and queries.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Ok => "ok",
            NodeStatus::NotFound => "not_found",
            NodeStatus::Unauthorized => "unauthorized",
            NodeStatus::Disabled => "disabled",
            NodeStatus::Error => "error",
            NodeStatus::Invalid => "invalid",
            NodeStatus::Unvisited => "unvisited",
        }
    }

    /// Parses a status name.
    pub fn from_name(s: &str) -> Option<NodeStatus> {
        Some(match s {
            "ok" => NodeStatus::Ok,
            "not_found" => NodeStatus::NotFound,
            "unauthorized" => NodeStatus::Unauthorized,
            "disabled" => NodeStatus::Disabled,
            "error" => NodeStatus::Error,
            "invalid" => NodeStatus::Invalid,
            "unvisited" => NodeStatus::Unvisited,
            _ => return None,
        })
    }
}

/// Everything a source knows about one repo.
///
/// Whole-Hub graphs hold millions of records inline, so what most records lack (a failed
/// read's reason, the detail only the Hub's API gives) is kept out of line in one box,
/// [`RecordDetail`], present only when something in it is known.
#[derive(Debug, Clone)]
pub struct RepoRecord {
    /// The canonical id (the API's `id` when known).
    pub id: RepoId,
    /// Other spellings that lead here (old names of a renamed repo).
    pub aliases: ThinVec<RepoId>,
    /// Whether it could be read.
    pub status: NodeStatus,
    /// The parsed card (metadata from `cardData` when the API gave it).
    pub card: Card,
    /// The Hub's tags (includes `base_model:<relation>:<id>`).
    pub tags: ThinVec<String>,
    /// File signals (GGUF, quantization and adapter configs).
    pub files: FileSignals,
    /// The repo's file names, when known.
    pub siblings: ThinVec<String>,
    /// When the repo last changed (`lastModified`, else `createdAt`).
    pub last_modified: Option<Timestamp>,
    /// When the repo was created (`createdAt`), when known.
    pub created: Option<Timestamp>,
    /// Downloads (the Hub's last-30-days count), when known.
    pub downloads: Option<u64>,
    /// Likes, when known.
    pub likes: Option<u64>,
    /// A 64-bit hash of the README text as read (0: none read): whether a card changed between
    /// two snapshots, after the text itself is let go.
    pub card_hash: u64,
    /// What only some records know (absent, and one pointer, on most).
    pub detail: OutOfLine<RecordDetail>,
    /// Findings about this record (card problems, bad snapshot entries), node ids filled in.
    pub findings: ThinVec<Finding>,
}

/// An edge a record declares.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    /// The upstream end.
    pub upstream: RepoId,
    /// The downstream end.
    pub downstream: RepoId,
    /// The relation.
    pub relation: Relation,
    /// What decided the relation.
    pub source: RelationSource,
}

/// A stable 64-bit hash of a card's text (never 0, which means "no card").
fn text_hash(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0xca7d)
        .hash_one(text)
        .max(1)
}

impl RepoRecord {
    /// A record for a repo that could not be read.
    pub fn unavailable(
        id: RepoId,
        status: NodeStatus,
        reason: impl Into<Cow<'static, str>>,
    ) -> RepoRecord {
        let mut r = RepoRecord::empty(id);
        r.status = status;
        let reason = reason.into();
        r.detail.update(|d| d.reason = Some(reason));
        r
    }

    fn empty(id: RepoId) -> RepoRecord {
        RepoRecord {
            id,
            aliases: ThinVec::new(),
            status: NodeStatus::Ok,
            card: Card::default(),
            tags: ThinVec::new(),
            files: FileSignals::default(),
            siblings: ThinVec::new(),
            last_modified: None,
            created: None,
            downloads: None,
            likes: None,
            card_hash: 0,
            detail: OutOfLine::default(),
            findings: ThinVec::new(),
        }
    }

    /// Why the record could not be read, when it could not.
    pub fn reason(&self) -> Option<&str> {
        self.detail.get().reason.as_deref()
    }

    /// The commit sha, when known.
    pub fn sha(&self) -> Option<&str> {
        self.detail.get().sha.as_deref()
    }

    /// `gated` (`auto`/`manual`) when the repo is gated.
    pub fn gated(&self) -> Option<&str> {
        self.detail.get().gated.as_deref()
    }

    /// Builds a record from an API body (`info.json`) and/or a raw README.
    ///
    /// `requested` is the id the caller asked for; when the body's `id` differs, the body's id
    /// is canonical and `requested` becomes an alias. With `info`, metadata comes from its
    /// `cardData` (the README body is still used for text analyses); with only a README, the
    /// README's frontmatter is parsed.
    pub fn from_parts(
        requested: &RepoId,
        info: Option<&[u8]>,
        readme: Option<&[u8]>,
    ) -> RepoRecord {
        let mut bad_info = None;
        let value =
            info.and_then(
                |bytes| match serde_json::from_slice::<serde_json::Value>(bytes) {
                    Ok(v @ serde_json::Value::Object(_)) => Some(v),
                    Ok(other) => {
                        bad_info = Some(format!(
                            "info.json is a JSON {}, not an object",
                            json_type(&other)
                        ));
                        None
                    }
                    Err(e) => {
                        bad_info = Some(format!("info.json is not valid JSON: {e}"));
                        None
                    }
                },
            );
        let readme_text = readme.map(String::from_utf8_lossy);
        let mut rec = RepoRecord::from_fields(
            requested,
            value.as_ref(),
            readme_text.as_deref(),
            info.is_some(),
        );
        if let Some(why) = bad_info {
            rec.findings.push(Finding::of(
                Code::RepoDataInvalid,
                vec![rec.id.clone()],
                why,
            ));
        }
        rec
    }

    /// Builds a record from an API body already parsed (a JSON object) and/or a README's text,
    /// as [`RepoRecord::from_parts`] does from bytes. `had_info` says an API body existed (even
    /// if it was not an object), so the record is not an error for want of data.
    pub fn from_fields(
        requested: &RepoId,
        info: Option<&serde_json::Value>,
        readme: Option<&str>,
        had_info: bool,
    ) -> RepoRecord {
        let mut rec = RepoRecord::empty(requested.clone());
        rec.card_hash = readme.map_or(0, text_hash);
        let mut findings = Vec::new();
        let card_from_readme = readme.map(|t| card::parse_card(t, requested.kind()));
        let mut info_card: Option<(CardMeta, Vec<Finding>)> = None;
        if let Some(v) = info {
            rec.apply_info(requested, v, &mut findings);
            if let Some(cd) = v.get("cardData") {
                info_card = Some(CardMeta::from_value(
                    &card::value_from_json(cd),
                    requested.kind(),
                ));
            }
        }
        rec.finish_parts(
            info_card,
            card_from_readme,
            findings,
            had_info || readme.is_some(),
        );
        rec
    }

    /// Builds a record from the Hub's fields as a table gives them (a Parquet row: no JSON in
    /// between) and the README's text.
    pub fn from_hub_fields(
        requested: &RepoId,
        fields: HubFields,
        readme: Option<&str>,
    ) -> RepoRecord {
        let mut rec = RepoRecord::empty(requested.clone());
        rec.card_hash = readme.map_or(0, text_hash);
        let mut findings = Vec::new();
        let card = readme.map(|t| card::parse_card(t, requested.kind()));
        rec.apply_hub_fields(requested, fields, &mut findings);
        rec.finish_parts(None, card, findings, true);
        rec
    }

    /// The card (the API's `cardData` for metadata when given, the README's body for text),
    /// the status when nothing was read, and every finding with this node's id.
    fn finish_parts(
        &mut self,
        info_card: Option<(CardMeta, Vec<Finding>)>,
        card_from_readme: Option<Card>,
        findings: Vec<Finding>,
        had_any: bool,
    ) {
        let rec = self;
        match (info_card, card_from_readme) {
            (Some((meta, card_findings)), Some(mut readme_card)) => {
                // The API's cardData is the Hub's parse of the same README: prefer it for metadata.
                readme_card.meta = meta;
                readme_card.findings =
                    merge_card_findings(card_findings, readme_card.findings.into()).into();
                rec.card = readme_card;
            }
            (Some((meta, card_findings)), None) => {
                rec.card = Card {
                    meta,
                    findings: card_findings.into(),
                    ..Card::default()
                };
            }
            (None, Some(readme_card)) => rec.card = readme_card,
            (None, None) => {}
        }
        if !had_any {
            rec.status = NodeStatus::Error;
            rec.detail
                .update(|d| d.reason = Some("neither info.json nor README.md present".into()));
        }
        rec.read_card_statements();
        for mut f in rec.card.findings.drain(..).chain(findings) {
            if f.nodes.is_empty() {
                f.nodes.push(rec.id.clone());
            }
            rec.findings.push(f);
        }
        rec.findings.shrink_to_fit();
    }

    fn apply_info(
        &mut self,
        requested: &RepoId,
        v: &serde_json::Value,
        findings: &mut Vec<Finding>,
    ) {
        self.apply_hub_fields(requested, HubFields::from_json(v), findings);
    }

    /// Takes the Hub's fields (an API body's, or a Parquet row's): the canonical id, tags,
    /// files and their signals, dates, counts, and the Hub's own links.
    fn apply_hub_fields(&mut self, requested: &RepoId, h: HubFields, findings: &mut Vec<Finding>) {
        let kind = requested.kind();
        if let Some(id) = h.id.as_deref() {
            match RepoId::parse(id, kind) {
                Ok(canon) if canon.kind() == kind => {
                    if canon != *requested {
                        self.aliases.push(requested.clone());
                    }
                    self.id = canon;
                }
                _ => findings.push(Finding::of(
                    Code::RepoDataInvalid,
                    vec![],
                    format!("info.json `id` {id:?} is not a valid {kind} id; kept {requested}"),
                )),
            }
        }
        self.tags = h.tags.into();
        self.siblings = h.siblings.into();
        self.files = FileSignals::from_files(self.siblings.iter().map(String::as_str), None);
        if h.config_quantization {
            self.files.quant_config = true;
        }
        if self.tags.iter().any(|t| t.eq_ignore_ascii_case("gguf")) {
            self.files.gguf = true;
        }
        self.last_modified = h
            .last_modified
            .as_deref()
            .or(h.created.as_deref())
            .and_then(Timestamp::parse);
        self.created = h.created.as_deref().and_then(Timestamp::parse);
        self.downloads = h.downloads;
        self.likes = h.likes;
        let ids = |values: &[String], kind: RepoKind| -> ThinVec<RepoId> {
            values
                .iter()
                .filter_map(|s| RepoId::parse(s, kind).ok())
                .collect()
        };
        let mut detail = RecordDetail {
            reason: self.detail.take().reason,
            sha: h.sha,
            gated: h.gated,
            children_count: h.children_count.map(Box::new),
            hub_parents: h.hub_parents.map(Box::new),
            spaces_known: h.spaces_known,
            ..RecordDetail::default()
        };
        match kind {
            RepoKind::Model => detail.api_spaces = ids(&h.spaces, RepoKind::Space),
            RepoKind::Space => {
                detail.api_models = ids(&h.models, RepoKind::Model);
                detail.api_datasets = ids(&h.datasets, RepoKind::Dataset);
            }
            RepoKind::Dataset => {}
        }
        self.detail.set(detail);
    }

    /// Lets go of the card's Markdown text (metadata stays): for whole-snapshot graphs whose
    /// text analyses already ran as the record was read.
    pub fn drop_card_text(&mut self) {
        self.card.body = String::new();
    }

    /// Drops what a whole-snapshot graph never reads once the record's links are decided:
    /// the Hub's tags other than `base_model:…` (which still name parents for the analyses).
    pub fn keep_for_graph(&mut self) {
        self.tags.retain(|t| t.starts_with("base_model:"));
        self.tags.shrink_to_fit();
    }

    /// The relation the Hub resolved for `base`: `baseModels` (one relation for all of a
    /// model's parents, so it covers card spellings it did not resolve too), else tags
    /// `base_model:<relation>:<id>`.
    pub fn hub_relation(&self, base: &RepoId) -> Option<Relation> {
        self.hub_relation_in(base, &self.hub_bases())
    }

    /// [`RepoRecord::hub_relation`] with the tag-declared bases already read.
    fn hub_relation_in(&self, base: &RepoId, hub_bases: &[(RepoId, Relation)]) -> Option<Relation> {
        if let Some(rel) = self
            .detail
            .get()
            .hub_parents
            .as_ref()
            .and_then(|hp| hp.relation)
        {
            return Some(rel);
        }
        hub_bases.iter().find(|(id, _)| id == base).map(|(_, r)| *r)
    }

    /// Bases the Hub resolved, from tags `base_model:<relation>:<id>`.
    pub fn hub_bases(&self) -> Vec<(RepoId, Relation)> {
        let mut out = Vec::new();
        for tag in &self.tags {
            let Some(rest) = tag.strip_prefix("base_model:") else {
                continue;
            };
            let Some((rel, id)) = rest.split_once(':') else {
                continue;
            };
            if let (Some(rel), Ok(id)) = (
                Relation::from_card_value(rel),
                RepoId::parse(id, RepoKind::Model),
            ) {
                out.push((id, rel));
            }
        }
        out
    }

    /// The base models: the Hub's resolved `baseModels` when the API gave them (plus any card
    /// value they do not cover, such as an old id or a parent the Hub could not resolve), else
    /// the card's, else the ones the Hub's tags name.
    pub fn base_models(&self) -> Vec<RepoId> {
        self.base_models_in(&self.hub_bases())
    }

    /// [`RepoRecord::base_models`] with the tag-declared bases already read.
    fn base_models_in(&self, hub_bases: &[(RepoId, Relation)]) -> Vec<RepoId> {
        if let Some(hp) = &self.detail.get().hub_parents {
            let mut out = hp.models.clone();
            for b in &self.card.meta.base_models {
                if !out.contains(b) {
                    out.push(b.clone());
                }
            }
            return out;
        }
        if !self.card.meta.base_models.is_empty() {
            return self.card.meta.base_models.to_vec();
        }
        let mut out: Vec<RepoId> = Vec::new();
        for (id, _) in hub_bases {
            if !out.contains(id) {
                out.push(id.clone());
            }
        }
        out
    }

    /// Decides the relation to `base`, and what decided it.
    pub fn relation_to(&self, base: &RepoId, base_count: usize) -> (Relation, RelationSource) {
        self.relation_in(base, base_count, &self.hub_bases())
    }

    fn relation_in(
        &self,
        base: &RepoId,
        base_count: usize,
        hub_bases: &[(RepoId, Relation)],
    ) -> (Relation, RelationSource) {
        if let Some(rel) = self.hub_relation_in(base, hub_bases) {
            return (rel, RelationSource::Hub);
        }
        if let Some(rel) = self.card.meta.base_model_relation {
            return (rel, RelationSource::Declared);
        }
        if let Some(rel) = self.file_relation() {
            return (rel, RelationSource::File);
        }
        (
            infer_relation(&self.card.meta, &self.files, base_count),
            RelationSource::Inferred,
        )
    }

    /// Every edge this record declares, upstream → downstream, deduplicated and sorted.
    pub fn links(&self) -> Vec<Link> {
        let me = &self.id;
        let mut out = Vec::new();
        let mut push = |upstream: &RepoId, downstream: &RepoId, relation, source| {
            let l = Link {
                upstream: upstream.clone(),
                downstream: downstream.clone(),
                relation,
                source,
            };
            if !out.contains(&l) {
                out.push(l);
            }
        };
        let meta = &self.card.meta;
        match me.kind() {
            RepoKind::Model => {
                // The Hub's tags are read once for every base.
                let hub_bases = self.hub_bases();
                let bases = self.base_models_in(&hub_bases);
                for base in &bases {
                    let (rel, src) = self.relation_in(base, bases.len(), &hub_bases);
                    push(base, me, rel, src);
                }
                if bases.is_empty() {
                    // Parents only the files (or the card's own configuration block or source
                    // line) name: the relation is what the files make it.
                    let parents = self.file_parents();
                    let rel = self.file_relation().unwrap_or_else(|| {
                        infer_relation(&self.card.meta, &self.files, parents.len())
                    });
                    for (p, source) in &parents {
                        push(p, me, rel, *source);
                    }
                }
                for d in &meta.datasets {
                    push(d, me, Relation::TrainedOn, RelationSource::Declared);
                }
                for s in &self.detail.get().api_spaces {
                    push(me, s, Relation::UsedBy, RelationSource::Hub);
                }
            }
            RepoKind::Dataset => {
                for d in &meta.extra.get().source_datasets {
                    push(d, me, Relation::SourceOf, RelationSource::Declared);
                }
            }
            RepoKind::Space => {
                for m in meta
                    .models
                    .iter()
                    .chain(&meta.extra.get().preload_from_hub)
                    .chain(&meta.datasets)
                {
                    push(m, me, Relation::UsedBy, RelationSource::Declared);
                }
                for m in self
                    .detail
                    .get()
                    .api_models
                    .iter()
                    .chain(&self.detail.get().api_datasets)
                {
                    push(m, me, Relation::UsedBy, RelationSource::Hub);
                }
                if let Some(d) = &meta.extra.get().duplicated_from {
                    push(d, me, Relation::DuplicatedFrom, RelationSource::Declared);
                }
            }
        }
        // One edge per (upstream, relation): a declared edge wins over the Hub's echo of it.
        out.sort();
        out.dedup_by(|a, b| {
            a.upstream == b.upstream && a.downstream == b.downstream && a.relation == b.relation
        });
        out
    }
}

fn merge_card_findings(api: Vec<Finding>, readme: Vec<Finding>) -> Vec<Finding> {
    // Field findings come from the API's cardData; parse-level ones (no block, bad YAML) from the README.
    let mut out = api;
    for f in readme {
        if f.code != Code::CardWrongType && f.code != Code::InvalidRepoId && !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests;

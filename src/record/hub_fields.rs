//! The Hub's fields of a repo ([`HubFields`], from an API body or a table row), and those only
//! the Hub computes (detail route): children per relation, resolved parents.

use crate::id::{RepoId, RepoKind};
use crate::relation::Relation;

/// `childrenModelCount`: how many models name this one as their parent, per relation. The Hub
/// sends an object (`{"adapter":716,"merge":19,"quantized":190,"finetune":328}`); older answers
/// and the client's docstring say a number, which is kept as a total with no breakdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChildrenCount {
    /// Per relation, in [`ChildrenCount::RELATIONS`] order; `None` when only a total is known.
    pub per_relation: Option<[u64; 4]>,
    /// All children.
    pub total: u64,
}

impl ChildrenCount {
    /// The relations the Hub counts, in the order of `per_relation`.
    pub const RELATIONS: [Relation; 4] = [
        Relation::Finetune,
        Relation::Adapter,
        Relation::Merge,
        Relation::Quantized,
    ];

    /// Reads the field: an object per relation, or a number.
    pub fn from_json(v: &serde_json::Value) -> Option<ChildrenCount> {
        if let Some(n) = v.as_u64() {
            return Some(ChildrenCount {
                per_relation: None,
                total: n,
            });
        }
        let obj = v.as_object()?;
        let mut per = [0u64; 4];
        let mut total = 0u64;
        for (k, n) in obj {
            let n = n.as_u64().unwrap_or(0);
            total = total.saturating_add(n);
            if let Some(i) = Relation::from_card_value(k)
                .and_then(|r| Self::RELATIONS.iter().position(|x| *x == r))
            {
                per[i] = n;
            }
        }
        Some(ChildrenCount {
            per_relation: Some(per),
            total,
        })
    }

    /// The count for one relation, when the breakdown is known.
    pub fn of(&self, relation: Relation) -> Option<u64> {
        let i = Self::RELATIONS.iter().position(|x| *x == relation)?;
        self.per_relation.map(|p| p[i])
    }
}

/// `baseModels`: the parents the Hub resolved for a model, and one relation for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubParents {
    /// The relation, when the Hub gave a known one.
    pub relation: Option<Relation>,
    /// The parents (canonical ids).
    pub models: Vec<RepoId>,
}

impl HubParents {
    pub(crate) fn from_json(v: &serde_json::Value) -> Option<HubParents> {
        let obj = v.as_object()?;
        let relation = obj
            .get("relation")
            .and_then(|r| r.as_str())
            .and_then(Relation::from_card_value);
        let models: Vec<RepoId> = obj
            .get("models")
            .and_then(|m| m.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.get("id").and_then(|i| i.as_str()))
                    .filter_map(|s| RepoId::parse(s, RepoKind::Model).ok())
                    .collect()
            })
            .unwrap_or_default();
        (!models.is_empty()).then_some(HubParents { relation, models })
    }
}

/// The fields a record takes from the Hub, typed: what an API body (`info.json`) or a row of a
/// Parquet snapshot says about a repo besides its card.
#[derive(Debug, Clone, Default)]
pub struct HubFields {
    /// `id`: the canonical id (differs from the one asked for after a rename).
    pub id: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `siblings[].rfilename`: the repo's files.
    pub siblings: Vec<String>,
    /// `config` has a `quantization_config` (or `quantization`).
    pub config_quantization: bool,
    /// `sha`.
    pub sha: Option<String>,
    /// `lastModified`.
    pub last_modified: Option<String>,
    /// `createdAt`.
    pub created: Option<String>,
    /// `downloads`.
    pub downloads: Option<u64>,
    /// `likes`.
    pub likes: Option<u64>,
    /// `gated` when the repo is gated (`auto`, `manual`; `true` as `"true"`).
    pub gated: Option<String>,
    /// `childrenModelCount`.
    pub children_count: Option<ChildrenCount>,
    /// `baseModels`.
    pub hub_parents: Option<HubParents>,
    /// Models: `spaces`.
    pub spaces: Vec<String>,
    /// Models: whether `spaces` was there as a list (an empty list then means no Space).
    pub spaces_known: bool,
    /// Spaces: `models`.
    pub models: Vec<String>,
    /// Spaces: `datasets`.
    pub datasets: Vec<String>,
}

impl HubFields {
    /// The fields of an API body.
    pub fn from_json(v: &serde_json::Value) -> HubFields {
        let text = |k: &str| v.get(k).and_then(|s| s.as_str()).map(str::to_string);
        HubFields {
            id: text("id"),
            tags: string_list(v.get("tags")),
            siblings: v
                .get("siblings")
                .and_then(|s| s.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| {
                            s.get("rfilename")
                                .and_then(|f| f.as_str())
                                .map(str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            config_quantization: v.get("config").is_some_and(|cfg| {
                cfg.get("quantization_config").is_some() || cfg.get("quantization").is_some()
            }),
            sha: text("sha"),
            last_modified: text("lastModified"),
            created: text("createdAt"),
            downloads: v.get("downloads").and_then(|d| d.as_u64()),
            likes: v.get("likes").and_then(|d| d.as_u64()),
            gated: match v.get("gated") {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Bool(true)) => Some("true".into()),
                _ => None,
            },
            children_count: v
                .get("childrenModelCount")
                .and_then(ChildrenCount::from_json),
            hub_parents: v.get("baseModels").and_then(HubParents::from_json),
            spaces: string_list(v.get("spaces")),
            spaces_known: v.get("spaces").is_some_and(|s| s.is_array()),
            models: string_list(v.get("models")),
            datasets: string_list(v.get("datasets")),
        }
    }
}

/// A list of strings as the API writes one: strings, objects with an `id`, or one string.
pub(crate) fn string_list(v: Option<&serde_json::Value>) -> Vec<String> {
    match v {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Object(o) => {
                    o.get("id").and_then(|i| i.as_str()).map(str::to_string)
                }
                _ => None,
            })
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => vec![],
    }
}

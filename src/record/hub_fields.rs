//! Fields only the Hub computes (detail route): children per relation, resolved parents.

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

//! What a diagram shows: the graph reduced to drawable nodes and edges, in one visual language.
//!
//! Shared by the DOT/SVG, Mermaid and HTML renderers so they agree: node shape by kind, fill by
//! license family, outline by the worst finding, grey for repos that could not be read, the
//! traced roots emphasised, suggested edges marked. `--collapse N` folds more than N leaf
//! siblings of one relation under one parent into a single "+k quantizations" node.

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::Severity;
use crate::id::RepoKind;
use crate::kb::{KnowledgeBase, Resolved};
use crate::record::NodeStatus;
use crate::relation::Relation;
use crate::report::Analysis;

/// License family, for fill colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Family {
    /// apache, mit, bsd, cc-by …
    Permissive,
    /// cc-by-sa, gpl …
    ShareAlike,
    /// cc-by-nc, research licenses …
    NonCommercial,
    /// cc-by-nd …
    NoDerivatives,
    /// OpenRAIL family, deepseek: use restrictions flow down.
    Rail,
    /// llama*, gemma, qwen …: vendor community licenses.
    Community,
    /// Declared but not resolvable.
    Unresolved,
    /// No license declared.
    None,
}

impl Family {
    /// Fill colour.
    pub fn color(self) -> &'static str {
        match self {
            Family::Permissive => "#d8f0d8",
            Family::ShareAlike => "#d6e6ff",
            Family::NonCommercial => "#ffdcc8",
            Family::NoDerivatives => "#ffc8d2",
            Family::Rail => "#fff2bf",
            Family::Community => "#eadcff",
            Family::Unresolved => "#f0f0f0",
            Family::None => "#ffffff",
        }
    }

    /// Legend text.
    pub fn label(self) -> &'static str {
        match self {
            Family::Permissive => "permissive (apache, mit, cc-by …)",
            Family::ShareAlike => "share-alike (cc-by-sa, gpl …)",
            Family::NonCommercial => "non-commercial",
            Family::NoDerivatives => "no derivatives",
            Family::Rail => "use restrictions (OpenRAIL …)",
            Family::Community => "community license (llama, gemma, qwen …)",
            Family::Unresolved => "unresolved license",
            Family::None => "no license",
        }
    }

    /// CSS/Mermaid class name.
    pub fn class(self) -> &'static str {
        match self {
            Family::Permissive => "permissive",
            Family::ShareAlike => "sharealike",
            Family::NonCommercial => "noncommercial",
            Family::NoDerivatives => "noderivs",
            Family::Rail => "rail",
            Family::Community => "community",
            Family::Unresolved => "unresolved",
            Family::None => "nolicense",
        }
    }

    /// Every family, for legends.
    pub const ALL: [Family; 8] = [
        Family::Permissive,
        Family::ShareAlike,
        Family::NonCommercial,
        Family::NoDerivatives,
        Family::Rail,
        Family::Community,
        Family::Unresolved,
        Family::None,
    ];
}

/// Edge appearance per relation: (colour, style, arrowhead).
pub fn edge_style(rel: Relation) -> (&'static str, &'static str, &'static str) {
    match rel {
        Relation::Finetune => ("#333333", "solid", "normal"),
        Relation::Adapter => ("#2e7d32", "solid", "odiamond"),
        Relation::Merge => ("#6a1b9a", "bold", "vee"),
        Relation::Quantized => ("#1565c0", "solid", "box"),
        Relation::TrainedOn => ("#8d6e63", "dotted", "normal"),
        Relation::SourceOf => ("#8d6e63", "dotted", "empty"),
        Relation::UsedBy => ("#757575", "solid", "odot"),
        Relation::DuplicatedFrom => ("#757575", "bold", "inv"),
    }
}

/// A node to draw.
#[derive(Debug, Clone)]
pub struct ViewNode {
    /// A stable key (`n0`, `n1` … in id order), safe in every output syntax.
    pub key: String,
    /// The node id (`owner/name`, `datasets/…`), or the fold's description.
    pub id: String,
    /// The kind; `None` for a fold node.
    pub kind: Option<RepoKind>,
    /// Declared license text (or `None`).
    pub license: Option<String>,
    /// License family.
    pub family: Family,
    /// Status.
    pub status: NodeStatus,
    /// A traced root.
    pub root: bool,
    /// The worst finding whose subject is this node.
    pub worst: Option<Severity>,
    /// Finding codes.
    pub flags: Vec<String>,
    /// For fold nodes: how many repos it stands for, and their ids.
    pub folded: Vec<String>,
}

/// An edge to draw.
#[derive(Debug, Clone)]
pub struct ViewEdge {
    /// Upstream key.
    pub from: String,
    /// Downstream key.
    pub to: String,
    /// The relation.
    pub relation: Relation,
    /// Suggested from card text.
    pub suggested: bool,
}

/// The drawable view.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// Nodes, in id order (folds after their parent's children).
    pub nodes: Vec<ViewNode>,
    /// Edges, sorted.
    pub edges: Vec<ViewEdge>,
}

pub(crate) fn family(kb: &KnowledgeBase, meta: &crate::card::CardMeta) -> Family {
    match kb.resolve(meta) {
        Resolved::Missing => Family::None,
        Resolved::Unresolved(_) => Family::Unresolved,
        Resolved::Known(ls) => {
            let l = &ls[0];
            if l.no_derivatives {
                Family::NoDerivatives
            } else if !l.commercial {
                Family::NonCommercial
            } else if l.share_alike {
                Family::ShareAlike
            } else if l.community || l.keep_license {
                Family::Community
            } else if l.use_restrictions {
                Family::Rail
            } else {
                Family::Permissive
            }
        }
    }
}

/// Plural noun for fold labels.
fn plural(rel: Relation) -> &'static str {
    match rel {
        Relation::Finetune => "fine-tunes",
        Relation::Adapter => "adapters",
        Relation::Merge => "merges",
        Relation::Quantized => "quantizations",
        Relation::TrainedOn => "trained models",
        Relation::SourceOf => "derived datasets",
        Relation::UsedBy => "Spaces",
        Relation::DuplicatedFrom => "duplicates",
    }
}

/// Builds the view; `collapse` folds more than N leaf siblings of one relation per parent.
/// `kb` is the knowledge base of the run (the policy's additions included), so a picture
/// colours licenses as the audit judged them.
pub fn build_view(a: &Analysis, collapse: Option<usize>, kb: &KnowledgeBase) -> View {
    let g = a.graph();
    let nodes = g.nodes();
    // Which leaf children to fold: parent → relation → children.
    let mut folded_away: BTreeSet<String> = BTreeSet::new();
    let mut folds: Vec<(String, Relation, Vec<String>)> = Vec::new();
    if let Some(limit) = collapse {
        for n in &nodes {
            let mut groups: BTreeMap<Relation, Vec<String>> = BTreeMap::new();
            for (c, e) in n.children() {
                let leaf = c.children().is_empty() && !c.is_root() && c.parents().len() == 1;
                if leaf {
                    groups.entry(e.relation).or_default().push(c.id().node_id());
                }
            }
            for (rel, kids) in groups {
                if kids.len() > limit {
                    folded_away.extend(kids.iter().cloned());
                    folds.push((n.id().node_id(), rel, kids));
                }
            }
        }
    }
    let mut view = View::default();
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    for n in &nodes {
        let id = n.id().node_id();
        if folded_away.contains(&id) {
            continue;
        }
        let key = format!("n{}", keys.len());
        keys.insert(id.clone(), key.clone());
        let flags = a.flags(n);
        let worst = a.worst_severity(n);
        let meta = &n.record().card.meta;
        view.nodes.push(ViewNode {
            key,
            id,
            kind: Some(n.id().kind()),
            license: meta.declared_license(),
            family: if n.status() == NodeStatus::Ok {
                family(kb, meta)
            } else {
                Family::None
            },
            status: n.status(),
            root: n.is_root(),
            worst,
            flags,
            folded: vec![],
        });
    }
    for e in g.edges() {
        let (Some(from), Some(to)) = (
            keys.get(&e.upstream.id().node_id()),
            keys.get(&e.downstream.id().node_id()),
        ) else {
            continue;
        };
        view.edges.push(ViewEdge {
            from: from.clone(),
            to: to.clone(),
            relation: e.data.relation,
            suggested: e.data.is_suggested(),
        });
    }
    for (parent, rel, kids) in folds {
        let key = format!("f{}", view.nodes.len());
        let Some(pkey) = keys.get(&parent).cloned() else {
            continue;
        };
        view.nodes.push(ViewNode {
            key: key.clone(),
            id: format!("+{} {}", kids.len(), plural(rel)),
            kind: None,
            license: None,
            family: Family::None,
            status: NodeStatus::Ok,
            root: false,
            worst: None,
            flags: vec![],
            folded: kids,
        });
        view.edges.push(ViewEdge {
            from: pkey,
            to: key,
            relation: rel,
            suggested: false,
        });
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::RepoId;
    use crate::policy::Policy;
    use crate::record::RepoRecord;

    #[test]
    fn colours_follow_the_runs_knowledge_base_policy_additions_included() {
        let id = RepoId::parse("acme/model", RepoKind::Model).unwrap();
        let rec = RepoRecord::from_parts(&id, None, Some(b"---\nlicense: acme-1.0\n---\n"));
        let g = Analysis::from(crate::graph::LineageGraph::from_records(
            vec![rec],
            vec![id],
        ));
        let builtin = build_view(&g, None, &KnowledgeBase::builtin());
        assert_eq!(builtin.nodes[0].family, Family::Unresolved);
        let policy = Policy::parse(
            "[[license]]\nid = \"acme-1.0\"\nfamily = \"acme\"\ncommercial = false\n",
            "p.toml",
        )
        .unwrap();
        let taught = build_view(&g, None, &policy.knowledge_base());
        assert_eq!(taught.nodes[0].family, Family::NonCommercial);
    }
}

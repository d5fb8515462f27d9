//! Tracing: walk a [`Source`] from some roots, up and/or down, into a [`LineageGraph`].
//!
//! The walk is breadth-first, one level at a time, so a network source can fetch a whole level
//! concurrently. A visited set (ids and aliases) makes cycles harmless. Nodes one hop past
//! `depth` appear as `unvisited` placeholders, so the picture shows that the lineage goes on.

use foldhash::{HashMap, HashSet, HashSetExt};

use crate::graph::{Built, GraphBuilder};
use crate::id::{RepoId, RepoKind};
use crate::record::{Link, NodeStatus, RepoRecord};
use crate::relation::{Relation, RelationSource};
use crate::source::{Child, Source};

pub use crate::graph::Direction;

/// Options for a trace.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceOptions {
    /// Which way to walk.
    pub direction: Direction,
    /// How many hops at most (`None`: to the end).
    pub depth: Option<usize>,
}

/// Walks `source` from `roots` and builds the graph.
pub fn trace(source: &mut dyn Source, roots: &[RepoId], opts: TraceOptions) -> Built {
    let mut b = GraphBuilder::new();
    let mut fetched: HashSet<RepoId> = HashSet::new();
    let root_records = fetch_new(source, roots, &mut fetched, &mut b);
    let mut canonical_roots: Vec<RepoId> = roots.to_vec();
    canonical_roots.extend(root_records.iter().map(|r| r.id.clone()));
    if matches!(opts.direction, Direction::Up | Direction::Both) {
        walk_up(
            source,
            root_records.clone(),
            opts.depth,
            &mut fetched,
            &mut b,
        );
    }
    if matches!(opts.direction, Direction::Down | Direction::Both) {
        walk_down(source, root_records, opts.depth, &mut fetched, &mut b);
    }
    for f in source.take_findings() {
        b.add_finding(f);
    }
    let mut roots: Vec<RepoId> = Vec::new();
    for r in canonical_roots {
        if !roots.contains(&r) {
            roots.push(r);
        }
    }
    b.finish(roots)
}

/// A trace for judging repos (licenses, documentation): up from the roots, and with `down`
/// also everything derived from them — each descendant then walked up again, so it is judged
/// against all its ancestors, not only the path from the roots. Repos already read cost
/// nothing the second time. The roots stay the given ones.
pub fn trace_for_analysis(
    source: &mut dyn Source,
    roots: &[RepoId],
    down: bool,
    depth: Option<usize>,
) -> Built {
    if !down {
        return trace(
            source,
            roots,
            TraceOptions {
                direction: Direction::Up,
                depth,
            },
        );
    }
    let both = trace(
        source,
        roots,
        TraceOptions {
            direction: Direction::Both,
            depth,
        },
    );
    let found: Vec<RepoId> = both
        .graph
        .nodes()
        .iter()
        .filter(|n| n.status() == NodeStatus::Ok)
        .map(|n| n.id().clone())
        .collect();
    let mut g = trace(
        source,
        &found,
        TraceOptions {
            direction: Direction::Up,
            depth: None,
        },
    );
    g.graph.set_roots(roots);
    g
}

fn fetch_new(
    source: &mut dyn Source,
    ids: &[RepoId],
    fetched: &mut HashSet<RepoId>,
    b: &mut GraphBuilder,
) -> Vec<RepoRecord> {
    let mut want: Vec<RepoId> = Vec::new();
    let mut wanted: HashSet<&RepoId> = HashSet::new();
    for id in ids {
        if !fetched.contains(id) && wanted.insert(id) {
            want.push(id.clone());
        }
    }
    if want.is_empty() {
        return vec![];
    }
    let records = source.fetch(&want);
    for (asked, rec) in want.iter().zip(&records) {
        fetched.insert(asked.clone());
        fetched.insert(rec.id.clone());
        fetched.extend(rec.aliases.iter().cloned());
        b.add_record(rec.clone());
    }
    records
}

fn walk_up(
    source: &mut dyn Source,
    start: Vec<RepoRecord>,
    depth: Option<usize>,
    fetched: &mut HashSet<RepoId>,
    b: &mut GraphBuilder,
) {
    let mut level = start;
    let mut hops = 0usize;
    let mut expanded: HashSet<RepoId> = HashSet::new();
    while !level.is_empty() {
        let mut next_ids: Vec<RepoId> = Vec::new();
        for rec in &level {
            if !expanded.insert(rec.id.clone()) || rec.status != NodeStatus::Ok {
                continue;
            }
            for link in rec.links() {
                if link.downstream == rec.id {
                    next_ids.push(link.upstream.clone());
                    b.add_link(link);
                }
            }
        }
        hops += 1;
        if depth.is_some_and(|d| hops > d) {
            break;
        }
        // Parents already fetched (e.g. by another branch) are still expanded.
        let mut next = fetch_new(source, &next_ids, fetched, b);
        let already: Vec<RepoId> = next_ids
            .iter()
            .filter(|id| {
                !expanded.contains(*id)
                    && !next.iter().any(|r| r.id == **id || r.aliases.contains(id))
            })
            .cloned()
            .collect();
        if !already.is_empty() {
            next.extend(
                source
                    .fetch(&already)
                    .into_iter()
                    .filter(|r| !expanded.contains(&r.id)),
            );
        }
        level = next;
    }
}

fn walk_down(
    source: &mut dyn Source,
    start: Vec<RepoRecord>,
    depth: Option<usize>,
    fetched: &mut HashSet<RepoId>,
    b: &mut GraphBuilder,
) {
    let mut level = start;
    let mut hops = 0usize;
    let mut expanded: HashSet<RepoId> = HashSet::new();
    while !level.is_empty() {
        level.retain(|r| r.status == NodeStatus::Ok && expanded.insert(r.id.clone()));
        if level.is_empty() {
            break;
        }
        hops += 1;
        let beyond = depth.is_some_and(|d| hops > d);
        let children = source.children(&level);
        // Each child with the parent that listed it. Listings carry the child's metadata;
        // bare ids are fetched in one batch.
        let mut listed: Vec<(usize, RepoRecord)> = Vec::new();
        let mut ids: Vec<(usize, RepoId)> = Vec::new();
        for (pi, kids) in children.into_iter().enumerate() {
            for kid in kids {
                match kid {
                    Child::Record(r) => listed.push((pi, *r)),
                    Child::Id(id) => ids.push((pi, id)),
                }
            }
        }
        if !ids.is_empty() {
            let mut want: Vec<RepoId> = ids.iter().map(|(_, id)| id.clone()).collect();
            want.sort();
            want.dedup();
            let recs = source.fetch(&want);
            let by_id: HashMap<RepoId, RepoRecord> = want.into_iter().zip(recs).collect();
            for (pi, id) in ids {
                if let Some(r) = by_id.get(&id) {
                    listed.push((pi, r.clone()));
                }
            }
        }
        let batch: HashSet<RepoId> = listed
            .iter()
            .flat_map(|(_, r)| std::iter::once(r.id.clone()).chain(r.aliases.clone()))
            .collect();
        // The level's parents by every id they answer to: one lookup per link, not a scan.
        let parents: HashSet<&RepoId> = level
            .iter()
            .flat_map(|p| std::iter::once(&p.id).chain(p.aliases.iter()))
            .collect();
        let mut records: Vec<RepoRecord> = Vec::new();
        for (pi, r) in listed {
            let lister = &level[pi];
            let mut names_lister = false;
            for link in r.links() {
                if link.downstream != r.id {
                    continue;
                }
                // Edges to the parents, and between repos already in the graph (a merge's
                // other parent, a Space duplicated from another Space found in the same walk).
                let to_parent = parents.contains(&link.upstream);
                let known = fetched.contains(&link.upstream) || batch.contains(&link.upstream);
                names_lister |= is_parent(lister, &link.upstream);
                if to_parent || (known && !beyond) {
                    b.add_link(link);
                }
            }
            if !names_lister {
                // The Hub listed it as the lister's child, but its card names the parent by a
                // spelling we do not know (an older id): the listing is the evidence.
                if let Some(link) = listed_link(lister, &r) {
                    b.add_link(link);
                }
            }
            if !beyond && !fetched.contains(&r.id) {
                fetched.insert(r.id.clone());
                fetched.extend(r.aliases.iter().cloned());
                b.add_record(r.clone());
                records.push(r);
            }
        }
        // Links a parent declares downstream of itself (a model's Spaces).
        for p in &level {
            for link in p.links() {
                if link.upstream == p.id {
                    b.add_link(link);
                }
            }
        }
        if beyond {
            break;
        }
        level = records;
    }
}

/// The edge a listing implies between the repo listed and the repo it was listed under.
fn listed_link(parent: &RepoRecord, child: &RepoRecord) -> Option<Link> {
    let (relation, source) = match (parent.id.kind(), child.id.kind()) {
        (RepoKind::Model, RepoKind::Model) => {
            let hub: Vec<Relation> = child.hub_bases().into_iter().map(|(_, r)| r).collect();
            match hub.first() {
                Some(first) if hub.iter().all(|r| r == first) => (*first, RelationSource::Hub),
                _ => child.relation_to(&parent.id, child.base_models().len().max(1)),
            }
        }
        (RepoKind::Dataset, RepoKind::Model) => (Relation::TrainedOn, RelationSource::Hub),
        (RepoKind::Model | RepoKind::Dataset, RepoKind::Space) => {
            (Relation::UsedBy, RelationSource::Hub)
        }
        _ => return None,
    };
    Some(Link {
        upstream: parent.id.clone(),
        downstream: child.id.clone(),
        relation,
        source,
    })
}

fn is_parent(parent: &RepoRecord, id: &RepoId) -> bool {
    parent.id == *id || parent.aliases.contains(id)
}

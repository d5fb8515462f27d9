//! Building the graph: what the source says, before anything is judged. A whole snapshot is
//! read in batches; each card can be judged as it is read so its text can be let go (that
//! judgement is kept in the report, so the documentation check need not read the text again).

use crate::docs_check;
use crate::graph::GraphBuilder;
use crate::id::RepoId;
use crate::report::{Analysis, Report};
use crate::source::Source;

use super::resident_mb;

/// What a whole-snapshot build does with each card's Markdown text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardText {
    /// Keep it in the graph (for inferring parents from card text afterwards).
    Keep,
    /// Judge "what changed" as the record is read (a node's derivation parents are its own
    /// record's links), keep the report, and let the text go: real cards average several KB,
    /// millions of them do not fit in memory together.
    JudgeAndDrop,
}

impl CardText {
    /// What a command needs: the text only when it infers parents from it afterwards.
    pub fn for_inference(infer_from_text: bool) -> CardText {
        match infer_from_text {
            true => CardText::Keep,
            false => CardText::JudgeAndDrop,
        }
    }
}

/// The graph of everything a source holds (a snapshot; the live Hub cannot be listed whole):
/// every record, the parents it does not hold as `not_found` nodes (not placeholders beyond a
/// depth), and the source's own findings (bad entries, duplicate rows). `None` when the source
/// cannot list its records.
pub fn whole_graph(source: &mut dyn Source, text: CardText) -> Option<Analysis> {
    use rayon::prelude::*;
    let t = std::time::Instant::now();
    let hint = source.record_count_hint().unwrap_or(0);
    // Room for the parents a dump names but does not hold (placeholders, often a sixth of the
    // rows): growing a node table of millions past its capacity copies it whole, doubling the
    // peak; capacity never written costs address space, not memory.
    let mut b = GraphBuilder::with_capacity(hint + hint / 2, hint * 3 / 4);
    let mut links: Vec<crate::record::Link> = Vec::with_capacity(hint * 3 / 4);
    let mut n = 0usize;
    let mut judged: Vec<(RepoId, docs_check::DocReport)> = Vec::new();
    // Records move from each batch into the graph as they are read: the snapshot is never held
    // twice. Each record's links are decided once (tags, card) and kept for the graph.
    let listed = source.each_record_batch(&mut |mut batch| {
        n += batch.len();
        let read: Vec<(Vec<crate::record::Link>, Option<docs_check::DocReport>)> = batch
            .par_iter_mut()
            .map(|r| {
                let own = r.links();
                let mut report = None;
                if text == CardText::JudgeAndDrop {
                    report = docs_check::judge_record(r, &own);
                    r.drop_card_text();
                }
                r.keep_for_graph();
                (own, report)
            })
            .collect();
        for (r, (own, report)) in batch.into_iter().zip(read) {
            links.extend(own);
            if let Some(report) = report {
                judged.push((r.id.clone(), report));
            }
            b.add_record(r);
        }
    });
    if !listed {
        return None;
    }
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        n,
        rss_mb = resident_mb(),
        "records read"
    );
    let mut missing: Vec<RepoId> = links
        .par_iter()
        .flat_map_iter(|l| [&l.upstream, &l.downstream])
        .filter(|id| !b.contains(id))
        .cloned()
        .collect();
    missing.par_sort_unstable();
    missing.dedup();
    for r in source.fetch(&missing) {
        b.add_record(r);
    }
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        n = missing.len(),
        "missing parents"
    );
    b.add_links(links);
    for f in source.take_findings() {
        b.add_finding(f);
    }
    let built = b.finish(vec![]);
    // The reports judged as records were read, by node (a later row of the same id wins, as
    // its record does).
    let mut documentation: Vec<(crate::graph::NodeIx, docs_check::DocReport)> = judged
        .into_iter()
        .rev()
        .filter_map(|(id, r)| Some((built.graph.get(&id)?.ix(), r)))
        .collect();
    documentation.sort_by_key(|(ix, _)| *ix);
    documentation.dedup_by_key(|(ix, _)| *ix);
    let mut report = Report::with_findings(built.findings);
    report.set_documentation(documentation);
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        rss_mb = resident_mb(),
        "graph built"
    );
    Some(Analysis::new(built.graph, report))
}

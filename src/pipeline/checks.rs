//! Running the checks over a built graph: each check (licenses, documentation) pushes into one
//! [`Sink`] that applies the policy as findings arrive; the findings that building the graph
//! raised go through the same policy first.

use crate::check::{Check, CheckContext, Sink};
use crate::id::RepoId;
use crate::policy::Policy;
use crate::report::Analysis;

use super::resident_mb;

pub use crate::check::apply_policy;

/// Runs the checks and the policy over an analysis whose graph is built: licenses, then
/// documentation, then the unused policy entries.
pub fn analyse(analysis: &mut Analysis, policy: &Policy) {
    let t = std::time::Instant::now();
    let kb = policy.knowledge_base();
    let (graph, report) = analysis.parts_mut();
    let graph = &*graph;
    let cx = CheckContext {
        graph,
        policy,
        kb: &kb,
    };
    let mut sink = Sink::new(policy);
    // The build's findings move through the policy too (no second copy of millions of them).
    sink.extend(report.take_findings());
    let mut licenses = crate::license::Licenses::default();
    // Reports judged as the records were read are kept, not judged again.
    let mut documentation = crate::docs_check::Documentation::keeping(report.take_documentation());
    for check in [&mut licenses as &mut dyn Check, &mut documentation] {
        check.run(&cx, &mut sink);
        tracing::info!(
            secs = t.elapsed().as_secs_f64(),
            rss_mb = resident_mb(),
            check = check.name(),
            "checked"
        );
    }
    let present = |id: &RepoId| graph.get(id).is_some();
    report.replace_findings(sink.finish(&present));
    report.set_obligations(licenses.obligations);
    report.set_documentation(documentation.reports);
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        rss_mb = resident_mb(),
        "policy"
    );
}

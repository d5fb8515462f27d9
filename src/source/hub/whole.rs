//! Whole-Hub listings: every repo of a kind (`snapshot --all`), the newest first until a
//! snapshot's newest entry (`snapshot --all --update`), and every id (`--prune`).

use std::collections::HashSet;

use super::listing::{listing_failed, page_items};
use super::{HubSource, RawRepo};
use crate::finding::{Code, Finding};
use crate::hub::ratelimit::BucketKind;
use crate::id::{RepoId, RepoKind};
use crate::record::Timestamp;

/// What a paged listing read.
#[derive(Debug, Default)]
pub struct Listed {
    /// Repos read (kept in the archive, or counted for an id listing).
    pub repos: u64,
    /// Pages read (from the Hub or the cache).
    pub pages: u64,
    /// Whether the listing ran to its end (or to where it was asked to stop).
    pub complete: bool,
    /// What went wrong: an incomplete listing, a foreign `Link`.
    pub findings: Vec<Finding>,
}

/// What a page tells the walk: keep these items, and whether to read the next page.
type Verdict = (Vec<(RepoId, Vec<u8>)>, bool);

impl HubSource {
    /// Every repo of a kind, from the paged listing (`/api/{kind}?expand=…&limit=1000`), with
    /// the listing's metadata (no README bodies: a whole-Hub crawl stays a few thousand
    /// requests). Each page is committed to the cache as soon as it is read, so a killed crawl
    /// resumes where it stopped: pages already read come back from the cache. `progress` hears
    /// (repos read, `X-Total-Count`) after each page. Returns how many repos were read, and the
    /// findings about the listing (an incomplete listing, a foreign `Link`).
    pub fn list_all(
        &mut self,
        kind: RepoKind,
        progress: impl FnMut(u64, Option<u64>),
    ) -> (u64, Vec<Finding>) {
        let path = crate::hub::all_listing_path(kind);
        let l = self.walk(kind, path, |items| (items, true), progress);
        (l.repos, l.findings)
    }

    /// The repos of a kind modified at or after `since`, newest first
    /// (`sort=lastModified&direction=-1`, the same `expand` as [`HubSource::list_all`]): the
    /// walk stops after the first page that holds none, so an update since yesterday reads a
    /// page or two. The repos read are kept in the archive.
    pub fn list_since(
        &mut self,
        kind: RepoKind,
        since: Timestamp,
        progress: impl FnMut(u64, Option<u64>),
    ) -> Listed {
        let path = format!(
            "{}&sort=lastModified&direction=-1",
            crate::hub::all_listing_path(kind)
        );
        let recent = |bytes: &[u8]| {
            serde_json::from_slice::<serde_json::Value>(bytes)
                .ok()
                .and_then(|v| v.get("lastModified")?.as_str().and_then(Timestamp::parse))
                .is_some_and(|t| t >= since)
        };
        self.walk(
            kind,
            path,
            |items| {
                let newer: Vec<_> = items.into_iter().filter(|(_, b)| recent(b)).collect();
                let more = !newer.is_empty();
                (newer, more)
            },
            progress,
        )
    }

    /// Every id of a kind, from the cheapest listing (no `expand`): what `--prune` keeps.
    /// `None` when the listing did not run to its end (then nothing may be pruned).
    pub fn list_ids(&mut self, kind: RepoKind) -> (Option<HashSet<RepoId>>, Listed) {
        let path = format!("/api/{}?limit=1000", kind.plural());
        let mut ids = HashSet::new();
        let mut l = self.walk(
            kind,
            path,
            |items| {
                ids.extend(items.into_iter().map(|(id, _)| id));
                (Vec::new(), true)
            },
            |_, _| {},
        );
        l.repos = ids.len() as u64;
        ((l.complete && l.findings.is_empty()).then_some(ids), l)
    }

    /// Reads a paged listing from `path`, following `Link: rel="next"`; `page` decides, for
    /// each page's items, which to keep in the archive and whether to go on.
    fn walk(
        &mut self,
        kind: RepoKind,
        mut path: String,
        mut page: impl FnMut(Vec<(RepoId, Vec<u8>)>) -> Verdict,
        mut progress: impl FnMut(u64, Option<u64>),
    ) -> Listed {
        let client = self.client.clone();
        let archive = &mut self.archive;
        let what = format!("the {} listing", kind.plural());
        self.rt.block_on(async {
            let mut l = Listed::default();
            loop {
                let f = match client.get(&path, BucketKind::Api).await {
                    Ok(f) => f,
                    Err(e) => {
                        l.findings.push(listing_failed(None, &what, &e.to_string()));
                        return l;
                    }
                };
                if f.fresh {
                    client.commit(&[(path.clone(), f.response.clone())]);
                }
                if f.response.status != 200 {
                    let why = format!("HTTP {}", f.response.status);
                    l.findings.push(listing_failed(None, &what, &why));
                    return l;
                }
                let Some(items) = page_items(&f.response.body, kind) else {
                    l.findings
                        .push(listing_failed(None, &what, "a page is not a JSON array"));
                    return l;
                };
                l.pages += 1;
                let (keep, more) = page(items);
                for (id, bytes) in keep {
                    archive.insert(
                        id,
                        RawRepo {
                            info: Some(bytes),
                            ..RawRepo::default()
                        },
                    );
                    l.repos += 1;
                }
                progress(l.repos, f.response.total);
                let next = match (more, f.response.next.clone()) {
                    (true, Some(next)) => next,
                    _ => {
                        l.complete = true;
                        return l;
                    }
                };
                match client.same_origin_path(&next) {
                    Some(p) => path = p,
                    None => {
                        l.findings.push(Finding::of(Code::CrawlForeignLink,
                            vec![],
                            format!("{what}: the Link header points at another host ({next}); not followed, the snapshot is incomplete"),
                        ));
                        return l;
                    }
                }
            }
        })
    }
}

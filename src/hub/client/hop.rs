//! One request's hops: a single attempt (the token only to the endpoint's own host, `Range`
//! on every hop, the answer classified) and where a redirect may lead.

use std::time::Instant;

use reqwest::header::{AUTHORIZATION, IF_NONE_MATCH, RANGE};

use super::answer::{bad_request, cached_response, rate_limited, server_state, Attempt};
use super::http::{describe, read_body, read_prefix, BodyError};
use super::{FetchError, HubClient, MAX_HOPS};
use crate::hub::ratelimit::{Bucket, BucketKind};

impl HubClient {
    /// Where a redirect leads: a same-host URL (kept with the token), a file on another host
    /// (resolver bucket only; followed without the token), or an error (API redirects to
    /// another host, loops, too many hops).
    pub(super) fn next_hop(
        &self,
        path: &str,
        from: &str,
        location: &str,
        bucket: BucketKind,
        hops: &[String],
    ) -> Result<String, FetchError> {
        let base = url::Url::parse(from).unwrap_or_else(|_| self.origin.clone());
        let next = base.join(location).map_err(|e| {
            FetchError::Redirect(format!(
                "unreadable redirect target {location:?} at {path}: {e}"
            ))
        })?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(FetchError::Redirect(format!(
                "redirect to a non-HTTP URL ({next}) refused"
            )));
        }
        let next = next.to_string();
        if hops.len() >= MAX_HOPS || hops.contains(&next) {
            return Err(FetchError::Redirect(format!("redirect loop at {path}")));
        }
        if !self.is_same_origin(&next) && bucket == BucketKind::Api {
            return Err(FetchError::Redirect(format!(
                "redirect to another host ({next}) refused"
            )));
        }
        Ok(next)
    }

    fn is_same_origin(&self, absolute: &str) -> bool {
        url::Url::parse(absolute).is_ok_and(|u| {
            u.scheme() == self.origin.scheme()
                && u.host_str() == self.origin.host_str()
                && u.port_or_known_default() == self.origin.port_or_known_default()
        })
    }

    pub(super) async fn attempt(
        &self,
        path: &str,
        url: &str,
        bucket: &Bucket,
        etag: Option<&str>,
        limit: Option<usize>,
    ) -> Attempt {
        let same_origin = self.is_same_origin(url);
        let mut req = self.http.get(url);
        let mut token_sent = false;
        if let (Some(token), true) = (&self.cfg.token, same_origin) {
            // Only ever to the endpoint's own host: a CDN hop goes without it.
            req = req.header(AUTHORIZATION, token.bearer());
            token_sent = true;
        }
        if let Some(e) = etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        if let Some(n) = limit {
            req = req.header(RANGE, format!("bytes=0-{}", n - 1));
        }
        tracing::debug!(path, hop = %redact_query(url), "GET");
        let started = Instant::now();
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                bucket.finish(None);
                return Attempt::Retry(describe(&e));
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let state = if same_origin {
            server_state(bucket, &headers)
        } else {
            None
        };
        bucket.finish(state);
        let header = |h: &str| {
            headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if status == 429 {
            return rate_limited(state, header("retry-after"));
        }
        if status == 304 {
            return Attempt::NotModified;
        }
        if (300..400).contains(&status) {
            return match header("location") {
                Some(to) => Attempt::Redirect(to),
                None => Attempt::Fatal(FetchError::Redirect(format!(
                    "HTTP {status} without a Location at {path}"
                ))),
            };
        }
        if status == 408 || status >= 500 {
            return Attempt::Retry(format!("HTTP {status}"));
        }
        let error_message = header("x-error-message");
        if status == 401
            && token_sent
            && error_message
                .as_deref()
                .is_some_and(|m| m.contains("Invalid credentials"))
        {
            return Attempt::Fatal(FetchError::InvalidToken {
                message: error_message.unwrap_or_default(),
                source_hint: self
                    .cfg
                    .token
                    .as_ref()
                    .map(|t| t.origin().to_string())
                    .unwrap_or_default(),
            });
        }
        let final_url = if same_origin {
            self.same_origin_path(url)
                .unwrap_or_else(|| path.to_string())
        } else {
            redact_query(url)
        };
        let read = match limit {
            Some(n) => read_prefix(resp, n).await,
            None => read_body(resp).await,
        };
        let body = match read {
            Ok(b) => b,
            Err(BodyError::TooLarge) => return Attempt::Fatal(FetchError::TooLarge),
            Err(BodyError::Io(e)) => return Attempt::Retry(e),
        };
        if status == 400 {
            return bad_request(path, error_message, &body);
        }
        tracing::debug!(
            path,
            status,
            ms = started.elapsed().as_millis() as u64,
            bytes = body.len(),
            "response"
        );
        Attempt::Done(cached_response(status, body, &headers, final_url))
    }
}

/// A URL without its query (signed CDN URLs carry credentials of their own in it).
fn redact_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

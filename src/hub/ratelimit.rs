//! Politeness: a client-side quota per bucket (governor) plus the server's own word.
//!
//! The Hub counts requests in fixed windows per bucket (`api`, `resolvers`, `pages`) and says
//! where each bucket stands on every response (IETF ratelimit-headers draft 9):
//! `RateLimit: "api";r=<remaining>;t=<seconds to reset>` and
//! `RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window>`. [`Bucket`] combines a governor
//! quota (our ceiling) with that state. Once the server has announced its policy, that is the
//! truth: the whole window's quota is used as fast as the jobs allow, and a request waits only
//! when the announced remaining budget, less the requests still in flight, is spent. The
//! governor ceiling holds for servers that announce nothing, and always when the user asked for
//! one (`--rate`).

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// Which rate-limit bucket a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BucketKind {
    /// `/api/...` calls.
    Api,
    /// `/resolve/` and `/raw/` file downloads.
    Resolvers,
}

impl BucketKind {
    /// The bucket name used in headers.
    pub fn name(self) -> &'static str {
        match self {
            BucketKind::Api => "api",
            BucketKind::Resolvers => "resolvers",
        }
    }
}

/// A quota: `requests` per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window.
    pub window: Duration,
}

impl Rate {
    /// Parses `N/SECONDS` (e.g. `500/300`), also `N/300s`, `N/5m`.
    pub fn parse(s: &str) -> Option<Rate> {
        let (n, w) = s.trim().split_once('/')?;
        let requests: u32 = n.trim().parse().ok().filter(|n| *n > 0)?;
        let w = w.trim();
        let secs: f64 = if let Some(m) = w.strip_suffix('m') {
            m.parse::<f64>().ok()? * 60.0
        } else {
            w.strip_suffix('s').unwrap_or(w).parse().ok()?
        };
        (secs > 0.0 && secs.is_finite()).then(|| Rate {
            requests,
            window: Duration::from_secs_f64(secs),
        })
    }

    /// The Hub's documented limits for a bucket, anonymous or with a (free) token.
    pub fn hub_default(bucket: BucketKind, with_token: bool) -> Rate {
        let requests = match (bucket, with_token) {
            (BucketKind::Api, false) => 500,
            (BucketKind::Api, true) => 1000,
            (BucketKind::Resolvers, false) => 3000,
            (BucketKind::Resolvers, true) => 5000,
        };
        Rate {
            requests,
            window: Duration::from_secs(300),
        }
    }

    /// A governor quota that never exceeds `requests` in any `window`-long interval, even
    /// against a server that sends no rate-limit headers: a burst of half the quota, the other
    /// half spread evenly over the window.
    fn quota(self) -> Quota {
        let burst = (self.requests / 2).max(1);
        let spread = (self.requests - burst).max(1);
        let period = self.window.div_f64(f64::from(spread));
        Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
    }
}

/// What the server last said about a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerState {
    /// Requests left in the window.
    pub remaining: u64,
    /// Seconds until the window resets.
    pub reset_secs: u64,
    /// The window's quota, when the policy header was present.
    pub quota: Option<u64>,
}

/// Parses the `RateLimit` header for `bucket` (e.g. `"api";r=0;t=55`).
pub fn parse_ratelimit(value: &str, bucket: &str) -> Option<(u64, u64)> {
    for item in value.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next()?.trim_matches('"');
        if name != bucket {
            continue;
        }
        let (mut r, mut t) = (None, None);
        for p in parts {
            if let Some(v) = p.strip_prefix("r=") {
                r = v.trim().parse().ok();
            } else if let Some(v) = p.strip_prefix("t=") {
                t = v.trim().parse().ok();
            }
        }
        return Some((r?, t.unwrap_or(0)));
    }
    None
}

/// Parses the `RateLimit-Policy` header for `bucket` (e.g. `"fixed window";"api";q=500;w=300`).
pub fn parse_policy(value: &str, bucket: &str) -> Option<(u64, u64)> {
    let parts: Vec<&str> = value.split(';').map(str::trim).collect();
    let at = parts.iter().position(|p| p.trim_matches('"') == bucket)?;
    let (mut q, mut w) = (None, None);
    for p in &parts[at + 1..] {
        if let Some(v) = p.strip_prefix("q=") {
            q = v.trim().parse().ok();
        } else if let Some(v) = p.strip_prefix("w=") {
            w = v.trim().parse().ok();
        } else if p.starts_with('"') {
            break;
        }
    }
    Some((q?, w.unwrap_or(0)))
}

#[derive(Debug)]
struct Window {
    /// Remaining budget as last known, minus requests sent since.
    remaining: Option<u64>,
    /// When the window resets, when known.
    reset_at: Option<Instant>,
    /// The quota per window, from the policy header.
    quota: Option<u64>,
    /// Requests sent and not yet answered.
    in_flight: u64,
}

/// One bucket: governor ceiling plus the server's window state.
#[derive(Debug)]
pub struct Bucket {
    kind: BucketKind,
    limiter: DefaultDirectRateLimiter,
    /// The ceiling was asked for: it holds even when the server announces a policy.
    explicit: bool,
    window: Mutex<Window>,
}

/// Margin added to the server's reset time. `t` is whole seconds, and a server may floor it,
/// round it or ceil it: the window may end up to a second after `t` says. Waiting a whole second
/// more costs one second per window and draws no 429 at its edge, whichever it does.
pub(crate) const RESET_MARGIN: Duration = Duration::from_secs(1);

impl Bucket {
    /// A bucket with our own ceiling; `explicit` when the user asked for it (it then holds
    /// even after the server announces its policy).
    pub fn new(kind: BucketKind, rate: Rate, explicit: bool) -> Bucket {
        Bucket {
            kind,
            limiter: RateLimiter::direct(rate.quota()),
            explicit,
            window: Mutex::new(Window {
                remaining: None,
                reset_at: None,
                quota: None,
                in_flight: 0,
            }),
        }
    }

    /// The bucket's kind.
    pub fn kind(&self) -> BucketKind {
        self.kind
    }

    /// How long to wait before the server's window allows another request (and reserves one).
    /// `None` means go now; the request is counted against the remaining budget.
    fn reserve(&self) -> Option<Duration> {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if let Some(reset) = w.reset_at {
            if now >= reset {
                // A new window: the full quota again, if we know it.
                w.remaining = w.quota;
                w.reset_at = None;
            }
        }
        match w.remaining {
            Some(0) => Some(
                w.reset_at
                    .map_or(RESET_MARGIN, |r| r.saturating_duration_since(now)),
            ),
            Some(n) => {
                w.remaining = Some(n - 1);
                w.in_flight += 1;
                None
            }
            None => {
                w.in_flight += 1;
                None
            }
        }
    }

    /// Whether the server has announced its policy (a quota) for this bucket.
    pub fn announced(&self) -> bool {
        self.window
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .quota
            .is_some()
    }

    /// Waits until a request may be sent; returns the time spent waiting.
    pub async fn acquire(&self) -> Duration {
        let start = Instant::now();
        loop {
            if self.explicit || !self.announced() {
                self.limiter.until_ready().await;
            }
            match self.reserve() {
                None => return start.elapsed(),
                Some(wait) => {
                    tracing::info!(
                        bucket = self.kind.name(),
                        wait_ms = wait.as_millis() as u64,
                        "rate limit window spent; waiting for reset"
                    );
                    tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
                }
            }
        }
    }

    /// A request finished: with what its response's headers said, if they said anything.
    pub fn finish(&self, state: Option<ServerState>) {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        w.in_flight = w.in_flight.saturating_sub(1);
        let Some(state) = state else { return };
        let reset_at = Instant::now() + Duration::from_secs(state.reset_secs) + RESET_MARGIN;
        if state.quota.is_some() {
            w.quota = state.quota;
        }
        // The server's count does not know about requests still in flight.
        let remaining = state.remaining.saturating_sub(w.in_flight);
        // Responses arrive out of order: within one window the smaller count is the truer one.
        // After a local reset (no reset time known yet) the same holds until the server says.
        let same_window = w.reset_at.is_none_or(|r| {
            let gap = if r > reset_at {
                r - reset_at
            } else {
                reset_at - r
            };
            gap < Duration::from_secs(2)
        });
        w.remaining = Some(match (same_window, w.remaining) {
            (true, Some(mine)) => mine.min(remaining),
            _ => remaining,
        });
        w.reset_at = Some(reset_at);
    }

    /// The server said 429: nothing more until the reset it announced (or `retry_after`).
    pub fn exhausted(&self, wait: Duration) {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        w.remaining = Some(0);
        w.reset_at = Some(Instant::now() + wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_hub_headers() {
        assert_eq!(parse_ratelimit("\"api\";r=0;t=55", "api"), Some((0, 55)));
        assert_eq!(
            parse_ratelimit("\"resolvers\";r=10;t=5, \"api\";r=7;t=1", "api"),
            Some((7, 1))
        );
        assert_eq!(parse_ratelimit("\"api\";r=0;t=55", "resolvers"), None);
        assert_eq!(
            parse_policy("\"fixed window\";\"api\";q=500;w=300", "api"),
            Some((500, 300))
        );
        assert_eq!(parse_policy("garbage", "api"), None);
    }

    #[test]
    fn rate_strings() {
        assert_eq!(
            Rate::parse("500/300"),
            Some(Rate {
                requests: 500,
                window: Duration::from_secs(300)
            })
        );
        assert_eq!(
            Rate::parse("10/5m").unwrap().window,
            Duration::from_secs(300)
        );
        assert_eq!(Rate::parse("0/1"), None);
        assert_eq!(Rate::parse("x"), None);
    }

    #[test]
    fn a_spent_window_blocks_until_reset_and_inflight_requests_count() {
        let rate = Rate {
            requests: 1000,
            window: Duration::from_secs(1),
        };
        let b = Bucket::new(BucketKind::Api, rate, false);
        assert_eq!(b.reserve(), None);
        b.finish(Some(ServerState {
            remaining: 2,
            reset_secs: 30,
            quota: Some(5),
        }));
        assert_eq!(b.reserve(), None);
        assert_eq!(b.reserve(), None);
        let wait = b.reserve().expect("third request must wait");
        assert!(wait > Duration::from_secs(29));
        // A late response from earlier in the window must not raise the budget again.
        b.finish(Some(ServerState {
            remaining: 4,
            reset_secs: 30,
            quota: Some(5),
        }));
        assert!(b.reserve().is_some());
    }

    #[test]
    fn requests_in_flight_count_against_what_the_server_reports() {
        let rate = Rate {
            requests: 1000,
            window: Duration::from_secs(1),
        };
        let b = Bucket::new(BucketKind::Api, rate, false);
        for _ in 0..4 {
            assert_eq!(b.reserve(), None);
        }
        // The first answer says 3 left, but three more requests are still on their way.
        b.finish(Some(ServerState {
            remaining: 3,
            reset_secs: 30,
            quota: Some(4),
        }));
        assert!(
            b.reserve().is_some(),
            "the budget is spent by what is in flight"
        );
    }

    #[tokio::test]
    async fn an_announced_policy_replaces_the_default_ceiling_but_not_an_explicit_one() {
        // A ceiling of 4 per minute (a burst of 2): without an announcement the third request
        // would wait 30 s.
        let rate = Rate {
            requests: 4,
            window: Duration::from_secs(60),
        };
        let announced = Some(ServerState {
            remaining: 100,
            reset_secs: 30,
            quota: Some(100),
        });
        let default = Bucket::new(BucketKind::Api, rate, false);
        default.acquire().await;
        default.finish(announced);
        let started = Instant::now();
        for _ in 0..20 {
            default.acquire().await;
            default.finish(None);
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "announced: no ceiling"
        );
        let explicit = Bucket::new(BucketKind::Api, rate, true);
        explicit.acquire().await;
        explicit.finish(announced);
        explicit.acquire().await;
        let third = tokio::time::timeout(Duration::from_millis(300), explicit.acquire()).await;
        assert!(third.is_err(), "an explicit --rate still holds");
    }
}

//! Dates as the Hub gives them, kept as microseconds.

/// A moment, in microseconds since the Unix epoch (UTC): how the Hub's dates are kept (the
/// dump's own unit; 8 bytes where the text was ~56).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From microseconds since the epoch.
    pub fn from_micros(us: i64) -> Timestamp {
        Timestamp(us)
    }

    /// Microseconds since the epoch.
    pub fn micros(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 date as the API writes it (`2024-01-02T03:04:05.000Z`); `None` when
    /// it is not one (or before 1970).
    pub fn parse(text: &str) -> Option<Timestamp> {
        humantime::parse_rfc3339_weak(text.trim().trim_end_matches('Z'))
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_micros()).ok())
            .map(Timestamp)
    }

    /// RFC 3339 in UTC, in the API's form: milliseconds, or microseconds when they are not
    /// whole milliseconds.
    pub fn to_rfc3339(self) -> String {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_micros(self.0.max(0) as u64);
        if self.0 % 1000 == 0 {
            humantime::format_rfc3339_millis(t).to_string()
        } else {
            humantime::format_rfc3339_micros(t).to_string()
        }
    }
}

//! The call log: every request the mock answered, in a ring bounded by count and by bytes, so
//! a long run never grows without end. Secrets are redacted before anything is stored.

use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Headers whose values are never stored, whatever the document says.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "proxy-authorization",
];

/// How much of a request body is kept.
pub const BODY_LIMIT: usize = 4096;

/// One answered request.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub id: u64,
    /// Milliseconds since the Unix epoch.
    pub time_ms: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Lower-case names; secrets redacted.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy), cut to [`BODY_LIMIT`].
    pub body: String,
    pub body_truncated: bool,
    /// The operation that answered (`operationId` or `METHOD path`), if one was routed to.
    pub operation: Option<String>,
    /// What answered and why (`x-stubborn-match`).
    pub matched: Option<String>,
    /// The contract violations found (`x-stubborn-violations`, or a problem's errors).
    pub violations: Vec<String>,
    pub status: u16,
    pub response_size: usize,
    pub latency_us: u64,
}

impl CallRecord {
    /// A rough size in memory, for the byte bound.
    fn weight(&self) -> usize {
        200 + self.path.len()
            + self.query.as_ref().map_or(0, String::len)
            + self
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len() + 16)
                .sum::<usize>()
            + self.body.len()
            + self.violations.iter().map(String::len).sum::<usize>()
    }

    pub fn to_json(&self) -> Value {
        let headers: Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({
            "id": self.id,
            "time": crate::server::calllog::rfc3339(self.time_ms),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": headers,
            "body": self.body,
            "bodyTruncated": self.body_truncated,
            "operation": self.operation,
            "matched": self.matched,
            "violations": self.violations,
            "status": self.status,
            "responseSize": self.response_size,
            "latencyMs": self.latency_us as f64 / 1000.0,
        })
    }
}

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Is header `name` (lower case, as `http` gives it) a credential: one of
/// [`SECRET_HEADERS`], or one the document declares (`declared`, lower case)?
pub fn is_secret_header(name: &str, declared: &[String]) -> bool {
    SECRET_HEADERS.contains(&name) || declared.iter().any(|d| d == name)
}

/// The query string with the values of the parameters named in `declared` (the document's
/// API keys in the query) replaced by [`REDACTED`]; everything else as sent.
pub fn redact_query(query: &str, declared: &[String]) -> String {
    if declared.is_empty() {
        return query.to_string();
    }
    query
        .split('&')
        .map(|pair| {
            let (raw_name, _) = pair.split_once('=').unwrap_or((pair, ""));
            let name: String = form_urlencoded::parse(raw_name.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            if declared.contains(&name) {
                format!("{raw_name}={REDACTED}")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The bounded ring.
pub struct CallLog {
    inner: Mutex<Ring>,
    next_id: AtomicU64,
    max_count: usize,
    max_bytes: usize,
    /// Live subscribers (`GET /__stubborn/requests/stream`); sending costs nothing without any.
    live: tokio::sync::broadcast::Sender<CallRecord>,
}

struct Ring {
    records: VecDeque<CallRecord>,
    bytes: usize,
}

impl CallLog {
    pub fn new(max_count: usize, max_bytes: usize) -> CallLog {
        CallLog {
            inner: Mutex::new(Ring {
                records: VecDeque::new(),
                bytes: 0,
            }),
            next_id: AtomicU64::new(1),
            max_count: max_count.max(1),
            max_bytes: max_bytes.max(1024),
            live: tokio::sync::broadcast::channel(256).0,
        }
    }

    /// A receiver of every record pushed from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<CallRecord> {
        self.live.subscribe()
    }

    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Adds a record, dropping the oldest ones past either bound.
    pub fn push(&self, record: CallRecord) {
        if self.live.receiver_count() > 0 {
            let _ = self.live.send(record.clone());
        }
        let w = record.weight();
        let Ok(mut ring) = self.inner.lock() else {
            return;
        };
        ring.bytes += w;
        ring.records.push_back(record);
        while ring.records.len() > self.max_count
            || (ring.bytes > self.max_bytes && ring.records.len() > 1)
        {
            if let Some(old) = ring.records.pop_front() {
                ring.bytes = ring.bytes.saturating_sub(old.weight());
            }
        }
    }

    pub fn clear(&self) {
        if let Ok(mut ring) = self.inner.lock() {
            ring.records.clear();
            ring.bytes = 0;
        }
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|r| r.records.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, id: u64) -> Option<CallRecord> {
        let ring = self.inner.lock().ok()?;
        ring.records.iter().find(|r| r.id == id).cloned()
    }

    /// Records passing `keep`, newest first, at most `limit`.
    pub fn select(&self, keep: impl Fn(&CallRecord) -> bool, limit: usize) -> Vec<CallRecord> {
        let Ok(ring) = self.inner.lock() else {
            return Vec::new();
        };
        ring.records
            .iter()
            .rev()
            .filter(|r| keep(r))
            .take(limit)
            .cloned()
            .collect()
    }

    /// How many records pass `keep`.
    pub fn count(&self, keep: impl Fn(&CallRecord) -> bool) -> usize {
        self.inner
            .lock()
            .map(|r| r.records.iter().filter(|x| keep(x)).count())
            .unwrap_or(0)
    }
}

/// `1700000000123` → `2023-11-14T22:13:20.123Z`.
pub fn rfc3339(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if mo <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}.{:03}Z",
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(log: &CallLog, path: &str, body: usize) -> CallRecord {
        CallRecord {
            id: log.next_id(),
            time_ms: 0,
            method: "GET".into(),
            path: path.into(),
            query: None,
            headers: vec![],
            body: "x".repeat(body),
            body_truncated: false,
            operation: None,
            matched: None,
            violations: vec![],
            status: 200,
            response_size: 0,
            latency_us: 0,
        }
    }

    #[test]
    fn bounded_by_count_and_bytes() {
        let log = CallLog::new(3, 1 << 20);
        for i in 0..10 {
            log.push(rec(&log, &format!("/{i}"), 0));
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.select(|_| true, 10)[0].path, "/9");
        let log = CallLog::new(1000, 5000);
        for _ in 0..100 {
            log.push(rec(&log, "/big", 1000));
        }
        assert!(log.len() <= 5, "{}", log.len());
    }

    #[test]
    fn times_and_redaction() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert!(is_secret_header("authorization", &[]));
        assert!(!is_secret_header("x-trace", &[]));
        assert!(is_secret_header("x-trace", &["x-trace".to_string()]));
        let declared = ["api_key".to_string()];
        assert_eq!(
            redact_query("a=1&api_key=s3cret&api%5Fkey=x&b", &declared),
            "a=1&api_key=[redacted]&api%5Fkey=[redacted]&b"
        );
        assert_eq!(redact_query("a=1", &[]), "a=1");
    }
}

//! The call log: every request the mock answered, with its answer, in a ring bounded by count
//! and by bytes, so a long run never grows without end. Secrets are redacted before anything is
//! stored, in both directions.

pub use crate::redact::{is_secret_header, redact_headers, redact_query, REDACTED, SECRET_HEADERS};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How much of a request body, and of a response body, is kept.
pub const BODY_LIMIT: usize = 4096;

/// One answered request. Cheap to make on the request path: bodies and header values are
/// shared with the request and the answer (reference-counted), not copied, and turned into text
/// only when the record is read.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub id: u64,
    /// Milliseconds since the Unix epoch.
    pub time_ms: u64,
    pub method: http::Method,
    pub path: String,
    /// Secrets redacted.
    pub query: Option<String>,
    /// As sent (lower-case names); secrets redacted.
    pub headers: Headers,
    /// The first [`BODY_LIMIT`] bytes of the body.
    pub body: Bytes,
    /// The body's whole size.
    pub body_size: usize,
    /// The operation that answered (`operationId` or `METHOD path`), if one was routed to.
    pub operation: Option<std::sync::Arc<str>>,
    /// What answered and why (`x-stubborn-match`).
    pub matched: Option<HeaderValue>,
    /// The contract violations found (`x-stubborn-violations`, or a problem's errors).
    pub violations: Vec<String>,
    pub status: u16,
    /// The answer's headers as the mock set them (CORS headers, added later, are not here);
    /// secrets redacted.
    pub response_headers: Headers,
    /// The first [`BODY_LIMIT`] bytes of the answer's body.
    pub response_body: Bytes,
    pub response_size: usize,
    pub latency_us: u64,
    /// What `stubborn proxy` adds: who answered, the upstream answer's violations. `None` for
    /// the mock (boxed: a mock's record stays small).
    pub proxy: Option<Box<ProxyNote>>,
    /// A request the mock sent (a callback or a webhook) rather than one it answered: how it
    /// went. `None` for a request the mock answered (boxed, as `proxy`).
    pub outbound: Option<Box<OutboundNote>>,
}

/// The part of a record of a request the mock sent. Its `path` is the whole URL, its `status`
/// the receiver's (0 when nothing answered), its `violations` how the receiver's answer breaks
/// what the callback documents.
#[derive(Clone, Debug, Default)]
pub struct OutboundNote {
    /// How many times it was sent (retries after connection errors and 5xx).
    pub attempts: u32,
    /// Why it was not sent (refused target, an expression that named nothing) or not answered.
    pub error: Option<String>,
}

/// Which way a logged request went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// A client called the mock.
    Inbound,
    /// The mock called a client back (a callback or a webhook).
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// A proxied call's part of its record.
#[derive(Clone, Debug, Default)]
pub struct ProxyNote {
    /// `upstream`, `mock` or `proxy` (`x-stubborn-source`).
    pub source: &'static str,
    /// The upstream answer's violations (the request's are in `violations`).
    pub response_violations: Vec<String>,
    /// No operation matched; forwarded as it was.
    pub undocumented: bool,
    /// Why the mock answered, what was not validated.
    pub notes: Vec<String>,
}

impl ProxyNote {
    fn weight(&self) -> usize {
        std::mem::size_of::<ProxyNote>()
            + self
                .response_violations
                .iter()
                .chain(&self.notes)
                .map(|v| v.len() + std::mem::size_of::<String>())
                .sum::<usize>()
    }
}

impl CallRecord {
    /// Its size in memory (the record itself and every byte it owns on the heap), for the byte
    /// bound.
    fn weight(&self) -> usize {
        let optional = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        std::mem::size_of::<CallRecord>()
            + self.path.len()
            + optional(&self.query)
            + self.headers.0.len()
            + self.body.len()
            + self.matched.as_ref().map_or(0, HeaderValue::len)
            + self
                .violations
                .iter()
                .map(|v| v.len() + std::mem::size_of::<String>())
                .sum::<usize>()
            + self.response_headers.0.len()
            + self.response_body.len()
            + self.proxy.as_ref().map_or(0, |p| p.weight())
            + self.outbound.as_ref().map_or(0, |o| {
                std::mem::size_of::<OutboundNote>() + o.error.as_ref().map_or(0, String::len)
            })
    }

    /// Whether the mock answered this request or sent it.
    pub fn direction(&self) -> Direction {
        match self.outbound {
            Some(_) => Direction::Outbound,
            None => Direction::Inbound,
        }
    }

    /// Why a request the mock sent was not sent or not answered.
    pub fn error(&self) -> Option<&str> {
        self.outbound.as_ref().and_then(|o| o.error.as_deref())
    }

    /// The request body as text (invalid UTF-8 replaced), and whether it was cut.
    pub fn body_text(&self) -> (String, bool) {
        (
            String::from_utf8_lossy(&self.body).into_owned(),
            self.body.len() < self.body_size,
        )
    }

    /// The record as the admin API and the live stream show it.
    pub fn to_json(&self) -> Value {
        let headers: Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    Value::String(String::from_utf8_lossy(v).into_owned()),
                )
            })
            .collect();
        let (body, body_truncated) = self.body_text();
        let (response_body, response_body_truncated) =
            response_body(&self.response_body, self.response_size);
        let mut record = json!({
            "id": self.id,
            "direction": self.direction().as_str(),
            "time": crate::server::calllog::rfc3339(self.time_ms),
            "method": self.method.as_str(),
            "path": self.path,
            "query": self.query,
            "headers": headers,
            "body": body,
            "bodyTruncated": body_truncated,
            "operation": self.operation.as_deref(),
            "matched": self.matched.as_ref().map(|m| String::from_utf8_lossy(m.as_bytes())),
            "violations": self.violations,
            "status": self.status,
            "responseSize": self.response_size,
            "latencyMs": self.latency_us as f64 / 1000.0,
            "response": {
                "status": self.status,
                "headers": joined(&self.response_headers),
                "body": response_body,
                "bodyTruncated": response_body_truncated,
            },
        });
        if let (Some(p), Some(m)) = (&self.proxy, record.as_object_mut()) {
            // Every violation with its direction, then the same split by side.
            let contract: Vec<Value> = self
                .violations
                .iter()
                .map(|v| json!({"direction": "request", "violation": v}))
                .chain(
                    p.response_violations
                        .iter()
                        .map(|v| json!({"direction": "response", "violation": v})),
                )
                .collect();
            m.insert("source".into(), json!(p.source));
            m.insert("contract".into(), Value::Array(contract));
            m.insert("responseViolations".into(), json!(p.response_violations));
            m.insert("undocumented".into(), json!(p.undocumented));
            m.insert("notes".into(), json!(p.notes));
        }
        if let (Some(o), Some(m)) = (&self.outbound, record.as_object_mut()) {
            m.insert("attempts".into(), json!(o.attempts));
            m.insert("error".into(), json!(o.error));
        }
        record
    }
}

/// The first `limit` bytes of an answer's body, to keep: shared with the body when it is no
/// longer than that (a pre-rendered body is shared with the `Mock`'s cache), copied out of it
/// when it is (so a large body is not kept alive whole).
pub fn head(body: &Bytes, limit: usize) -> Bytes {
    if body.len() <= limit {
        body.clone()
    } else {
        Bytes::copy_from_slice(&body[..limit])
    }
}

/// The first `limit` bytes of a request's body, copied: the body hyper read may be a slice of
/// the connection's read buffer, which a shared copy would keep alive.
pub fn request_head(body: &[u8], limit: usize) -> Bytes {
    Bytes::copy_from_slice(&body[..body.len().min(limit)])
}

/// Headers as the log keeps them: one block of bytes for all of them (`name NUL value LF`
/// each, in order; neither byte can occur in a header), so a record owns one allocation for
/// its headers and keeps none of the connection's buffers alive.
#[derive(Clone, Debug, Default)]
pub struct Headers(Box<[u8]>);

impl Headers {
    /// Headers to keep, credentials redacted: the document's declared ones (`declared`, lower
    /// case) and the fixed list ([`SECRET_HEADERS`]).
    pub fn kept<'a>(
        headers: impl IntoIterator<Item = (&'a HeaderName, &'a HeaderValue)>,
        declared: &[String],
    ) -> Headers {
        // One pass to decide each value (redacted or not) and the block's exact size, one to
        // copy: a request has a handful of headers, kept on the stack meanwhile.
        let mut kept: smallvec::SmallVec<[(&'a str, &'a [u8]); 12]> = smallvec::SmallVec::new();
        let mut size = 0;
        for (name, value) in headers {
            let name = name.as_str();
            let value = if is_secret_header(name, declared) {
                REDACTED.as_bytes()
            } else {
                value.as_bytes()
            };
            size += name.len() + value.len() + 2;
            kept.push((name, value));
        }
        let mut block = Vec::with_capacity(size);
        for (name, value) in kept {
            block.extend_from_slice(name.as_bytes());
            block.push(0);
            block.extend_from_slice(value);
            block.push(b'\n');
        }
        Headers(block.into_boxed_slice())
    }

    /// Each header's name and value, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.0
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .filter_map(|line| {
                let at = line.iter().position(|&b| b == 0)?;
                Some((std::str::from_utf8(&line[..at]).ok()?, &line[at + 1..]))
            })
    }
}

/// Headers as a JSON object; a name given more than once has its values joined with `, `, as
/// HTTP allows (the only header where that would be wrong, `Set-Cookie`, is redacted).
fn joined(headers: &Headers) -> Map<String, Value> {
    let mut map = Map::new();
    for (k, v) in headers.iter() {
        let v = String::from_utf8_lossy(v);
        match map.get_mut(k) {
            Some(Value::String(s)) => {
                s.push_str(", ");
                s.push_str(&v);
            }
            _ => {
                map.insert(k.to_string(), Value::String(v.into_owned()));
            }
        }
    }
    map
}

/// A response body as the log shows it, from its first bytes (`body`, at most [`BODY_LIMIT`])
/// and its whole size, with whether it was cut: UTF-8 text is shown up to [`BODY_LIMIT`] bytes
/// (cut at a character boundary); anything else (not UTF-8, or with ASCII control characters
/// other than tab, line feed, carriage return and form feed) is shown as
/// `[N bytes of binary]`, N being the whole body's size, and is not marked as cut.
pub fn response_body(body: &[u8], size: usize) -> (String, bool) {
    let cut = body.len().min(BODY_LIMIT);
    let head = &body[..cut];
    let size = size.max(body.len());
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A character split by the limit: the text before it.
        Err(e) if e.error_len().is_none() && cut < size => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return (binary(size), false),
    };
    // Byte by byte (ASCII controls are single bytes in UTF-8), which the compiler vectorises.
    if text
        .bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
    {
        return (binary(size), false);
    }
    (text.to_string(), text.len() < size)
}

/// What a binary body is stored as.
fn binary(size: usize) -> String {
    format!("[{size} bytes of binary]")
}

/// The bounded ring.
pub struct CallLog {
    inner: Mutex<Ring>,
    next_id: AtomicU64,
    max_count: usize,
    max_bytes: usize,
    /// How much of each body a record keeps ([`BODY_LIMIT`] unless set).
    body_limit: usize,
    /// Live subscribers (`GET /__stubborn/requests/stream`); sending costs nothing without any.
    live: tokio::sync::broadcast::Sender<CallRecord>,
    /// How many [`Live`] receivers there are: read on every push, where the channel's own
    /// count would take its lock, shared by every worker.
    listeners: Arc<AtomicUsize>,
}

/// A receiver of the records pushed while it lives ([`CallLog::subscribe`]).
pub struct Live {
    rx: tokio::sync::broadcast::Receiver<CallRecord>,
    listeners: Arc<AtomicUsize>,
}

impl Live {
    /// The next record, as [`tokio::sync::broadcast::Receiver::recv`] gives it.
    pub async fn recv(&mut self) -> Result<CallRecord, tokio::sync::broadcast::error::RecvError> {
        self.rx.recv().await
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.listeners.fetch_sub(1, Ordering::Relaxed);
    }
}

struct Ring {
    /// Each record with its weight, oldest first. Boxed: a record is 300 bytes, and the ring
    /// moves one in and one out per request under its lock.
    records: VecDeque<(Box<CallRecord>, usize)>,
    bytes: usize,
    /// Records dropped past a bound since the last clear.
    evicted: u64,
}

impl CallLog {
    pub fn new(max_count: usize, max_bytes: usize) -> CallLog {
        CallLog {
            inner: Mutex::new(Ring {
                records: VecDeque::new(),
                bytes: 0,
                evicted: 0,
            }),
            next_id: AtomicU64::new(1),
            max_count: max_count.max(1),
            max_bytes: max_bytes.max(1024),
            body_limit: BODY_LIMIT,
            live: tokio::sync::broadcast::channel(256).0,
            listeners: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Keeps the first `limit` bytes of each body instead of [`BODY_LIMIT`].
    pub fn with_body_limit(mut self, limit: usize) -> CallLog {
        self.body_limit = limit;
        self
    }

    /// How much of each body a record keeps.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// How many records dropped out of the ring (past a bound) since it was made or cleared.
    pub fn evicted(&self) -> u64 {
        self.inner.lock().map(|r| r.evicted).unwrap_or(0)
    }

    /// A receiver of every record pushed from now on.
    pub fn subscribe(&self) -> Live {
        self.listeners.fetch_add(1, Ordering::Relaxed);
        Live {
            rx: self.live.subscribe(),
            listeners: Arc::clone(&self.listeners),
        }
    }

    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Adds a record, dropping the oldest ones past either bound.
    pub fn push(&self, record: impl Into<Box<CallRecord>>) {
        let record = record.into();
        if self.listeners.load(Ordering::Relaxed) > 0 {
            let _ = self.live.send(CallRecord::clone(&record));
        }
        let w = record.weight();
        let Ok(mut ring) = self.inner.lock() else {
            return;
        };
        ring.bytes += w;
        ring.records.push_back((record, w));
        let mut evicted: smallvec::SmallVec<[Box<CallRecord>; 2]> = smallvec::SmallVec::new();
        while ring.records.len() > self.max_count
            || (ring.bytes > self.max_bytes && ring.records.len() > 1)
        {
            if let Some((old, w)) = ring.records.pop_front() {
                ring.bytes = ring.bytes.saturating_sub(w);
                ring.evicted += 1;
                evicted.push(old);
            }
        }
        // Freed after the lock is let go: the other threads need not wait for it.
        drop(ring);
        drop(evicted);
    }

    pub fn clear(&self) {
        if let Ok(mut ring) = self.inner.lock() {
            ring.records.clear();
            ring.bytes = 0;
            ring.evicted = 0;
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
        ring.records
            .iter()
            .map(|(r, _)| r)
            .find(|r| r.id == id)
            .map(|r| CallRecord::clone(r))
    }

    /// Records passing `keep`, newest first, at most `limit`.
    pub fn select(&self, keep: impl Fn(&CallRecord) -> bool, limit: usize) -> Vec<CallRecord> {
        let Ok(ring) = self.inner.lock() else {
            return Vec::new();
        };
        ring.records
            .iter()
            .rev()
            .map(|(r, _)| r)
            .filter(|r| keep(r))
            .take(limit)
            .map(|r| CallRecord::clone(r))
            .collect()
    }

    /// How many records pass `keep`.
    pub fn count(&self, keep: impl Fn(&CallRecord) -> bool) -> usize {
        self.inner
            .lock()
            .map(|r| r.records.iter().filter(|(x, _)| keep(x)).count())
            .unwrap_or(0)
    }
}

/// `1700000000123` → `2023-11-14T22:13:20.123Z`.
pub fn rfc3339(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A whole body as the log shows it.
    fn shown(body: &[u8]) -> (String, bool) {
        response_body(body, body.len())
    }

    fn rec(log: &CallLog, path: &str, body: usize) -> CallRecord {
        CallRecord {
            id: log.next_id(),
            time_ms: 0,
            method: http::Method::GET,
            path: path.into(),
            query: None,
            headers: Headers::default(),
            body: Bytes::from("x".repeat(body)),
            body_size: body,
            operation: None,
            matched: None,
            violations: vec![],
            status: 200,
            response_headers: Headers::default(),
            response_body: Bytes::new(),
            response_size: 0,
            latency_us: 0,
            proxy: None,
            outbound: None,
        }
    }

    #[tokio::test]
    async fn live_receivers_get_what_is_pushed_while_they_live() {
        let log = CallLog::new(10, 1 << 20);
        log.push(rec(&log, "/before", 0));
        let mut live = log.subscribe();
        assert_eq!(log.listeners.load(Ordering::Relaxed), 1);
        log.push(rec(&log, "/during", 0));
        assert_eq!(live.recv().await.unwrap().path, "/during");
        drop(live);
        assert_eq!(log.listeners.load(Ordering::Relaxed), 0);
        // Nobody listening: nothing is sent, and the ring still keeps it.
        log.push(rec(&log, "/after", 0));
        assert_eq!(log.len(), 3);
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

    #[test]
    fn response_bodies_are_text_cut_or_binary() {
        assert_eq!(shown(b"{\"a\":1}\n"), ("{\"a\":1}\n".into(), false));
        assert_eq!(shown(b""), (String::new(), false));
        let (text, cut) = shown("x".repeat(BODY_LIMIT + 10).as_bytes());
        assert_eq!((text.len(), cut), (BODY_LIMIT, true));
        // A two-byte character across the limit is left out whole, not mangled.
        let mut split = "x".repeat(BODY_LIMIT - 1);
        split.push('é');
        let (text, cut) = shown(split.as_bytes());
        assert_eq!((text.len(), cut), (BODY_LIMIT - 1, true));
        assert_eq!(
            shown(&[0x89, b'P', b'N', b'G', 0, 0]),
            ("[6 bytes of binary]".into(), false)
        );
        assert_eq!(shown(b"ab\0cd"), ("[5 bytes of binary]".into(), false));
    }

    #[test]
    fn headers_are_redacted_and_joined() {
        let declared = ["x-token".to_string()];
        let sent: Vec<(HeaderName, HeaderValue)> = [
            ("set-cookie", "session=abc"),
            ("x-token", "t"),
            ("vary", "Accept"),
            ("vary", "Origin"),
        ]
        .into_iter()
        .map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v)))
        .collect();
        let stored = Headers::kept(sent.iter().map(|(k, v)| (k, v)), &declared);
        let stored_list: Vec<(&str, &[u8])> = stored.iter().collect();
        assert_eq!(stored_list[0].1, REDACTED.as_bytes());
        assert_eq!(stored_list[1].1, REDACTED.as_bytes());
        let map = joined(&stored);
        assert_eq!(map["vary"], "Accept, Origin");
    }

    #[test]
    fn the_weight_counts_the_response() {
        let log = CallLog::new(10, 1 << 20);
        let mut r = rec(&log, "/", 0);
        let light = r.weight();
        r.response_body = Bytes::from("y".repeat(1000));
        let sent = [(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )];
        r.response_headers = Headers::kept(sent.iter().map(|(k, v)| (k, v)), &[]);
        assert!(r.weight() >= light + 1000 + "content-typeapplication/json".len());
    }
}

//! `--shared redis://...`: the call log and the runtime stubs of every replica, shared through
//! one Redis stream, so the admin API and the dashboard of any replica show every replica's
//! calls and answer with every replica's stubs.
//!
//! Each replica keeps its own bounded ring (the admin API, filters, the live stream and the
//! dashboard read it as before) and its own stub table (matched per request without a round
//! trip). What changes there is also appended to the stream `stubborn:NAMESPACE:shared`
//! (capped at about the log size): a call, the whole stub list after a change, or "the log was
//! cleared". A background task of each replica reads the stream and applies what the others
//! wrote. Writes go through a bounded queue, so a request never waits for Redis; a queue full
//! because Redis is slow drops the copy (the replica's own log still has the call). Stubs
//! changed at two replicas in the same instant: the last list written wins.

use super::calllog::{CallLog, CallRecord, Headers};
use super::stubs::Stubs;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use redis::aio::MultiplexedConnection;
use serde_json::{json, Value};
use std::sync::Arc;

/// What one replica sends.
#[derive(Debug)]
enum Event {
    Call(Value),
    Stubs(Value),
    Cleared,
}

/// A replica's link to the others.
pub struct Shared {
    /// This replica, in every entry it writes (its own entries are skipped when read back).
    replica: String,
    queue: tokio::sync::mpsc::Sender<Event>,
    /// What [`Shared::attach`] starts with.
    pending: std::sync::Mutex<Option<Pending>>,
}

/// The connections and the place in the stream, from [`Shared::connect`] to
/// [`Shared::attach`].
struct Pending {
    writer: MultiplexedConnection,
    reader: MultiplexedConnection,
    key: String,
    cap: usize,
    start_id: String,
    stubs: Option<Value>,
    rx: tokio::sync::mpsc::Receiver<Event>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shared({})", self.replica)
    }
}

/// Entries queued for Redis at most; more are dropped (counted in the warning).
const QUEUE: usize = 4096;

impl Shared {
    /// Connects to `url` and notes where the stream stands: call it before the server says it
    /// listens, so that nothing another replica writes afterwards is missed.
    pub async fn connect(url: &str, namespace: &str, log_count: usize) -> Result<Shared, String> {
        let client = redis::Client::open(url).map_err(|e| format!("--shared {url}: {e}"))?;
        let connect = || async {
            tokio::time::timeout(
                std::time::Duration::from_secs(10),
                client.get_multiplexed_async_connection(),
            )
            .await
            .map_err(|_| format!("--shared {url}: no answer within 10 s"))?
            .map_err(|e| format!("--shared {url}: {e}"))
        };
        let mut writer = connect().await?;
        // A blocking XREAD holds its connection: the reader has its own.
        let reader = connect().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut writer)
            .await
            .map_err(|e| format!("--shared {url}: {e}"))?;
        let key = format!("stubborn:{namespace}:shared");
        let replica = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        // Only what is written from now on: a replica starts with its own empty log, and the
        // stub list as it stands.
        let last = xrevrange_last(&mut writer, &key).await;
        let start_id = last.first().map(|(id, _)| id.clone()).unwrap_or("0".into());
        let stubs = latest_stubs(&mut writer, &key).await;
        let (tx, rx) = tokio::sync::mpsc::channel(QUEUE);
        Ok(Shared {
            replica,
            queue: tx,
            pending: std::sync::Mutex::new(Some(Pending {
                writer,
                reader,
                key,
                cap: log_count.max(100),
                start_id,
                stubs,
                rx,
            })),
        })
    }

    /// Starts the writer and the reader (on the current tokio runtime), which apply the
    /// other replicas' entries to `log` and `stubs`. Once; later calls do nothing.
    pub fn attach(&self, log: Arc<CallLog>, stubs: Arc<Stubs>) {
        let Some(p) = self.pending.lock().ok().and_then(|mut p| p.take()) else {
            return;
        };
        if let Some(list) = &p.stubs {
            replace_stubs(&stubs, list);
        }
        tokio::spawn(write_loop(
            p.writer,
            p.key.clone(),
            self.replica.clone(),
            p.cap,
            p.rx,
        ));
        tokio::spawn(read_loop(
            p.reader,
            p.key,
            self.replica.clone(),
            p.start_id,
            log,
            stubs,
        ));
    }

    /// This replica's name in the stream.
    pub fn replica(&self) -> &str {
        &self.replica
    }

    /// A call this replica answered.
    pub fn call(&self, record: &CallRecord) {
        let _ = self.queue.try_send(Event::Call(to_shared(record)));
    }

    /// The stub list after a change here.
    pub fn stubs(&self, stubs: &Stubs) {
        let simulated = stubs
            .server_response()
            .map(|(status, body)| json!({"status": status, "body": body}));
        let _ = self.queue.try_send(Event::Stubs(
            json!({"stubs": stubs.list(), "serverResponse": simulated}),
        ));
    }

    /// The log was cleared here.
    pub fn cleared(&self) {
        let _ = self.queue.try_send(Event::Cleared);
    }

    /// After an admin request answered `status`: what it changed goes to the others.
    pub fn after_admin(&self, method: &http::Method, rest: &str, status: u16, stubs: &Stubs) {
        if method == http::Method::GET || !(200..300).contains(&status) {
            return;
        }
        let rest = rest.trim_end_matches('/');
        if rest == "/stubs"
            || rest.starts_with("/stubs/")
            || rest == "/reset"
            || rest == "/server-response"
        {
            self.stubs(stubs);
        }
        if (method == http::Method::DELETE && rest == "/requests") || rest == "/reset" {
            self.cleared();
        }
    }
}

async fn xrevrange_last(
    conn: &mut MultiplexedConnection,
    key: &str,
) -> Vec<(String, Vec<(String, String)>)> {
    redis::cmd("XREVRANGE")
        .arg(key)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(conn)
        .await
        .unwrap_or_default()
}

/// The latest stub list in the stream (kept under its own key too, which outlives trimming).
async fn latest_stubs(conn: &mut MultiplexedConnection, key: &str) -> Option<Value> {
    let text: Option<String> = redis::cmd("GET")
        .arg(format!("{key}:stubs"))
        .query_async(conn)
        .await
        .ok()?;
    serde_json::from_str(&text?).ok()
}

async fn write_loop(
    mut conn: MultiplexedConnection,
    key: String,
    replica: String,
    cap: usize,
    mut rx: tokio::sync::mpsc::Receiver<Event>,
) {
    let mut warned = false;
    while let Some(event) = rx.recv().await {
        let (kind, data) = match &event {
            Event::Call(v) => ("call", v.to_string()),
            Event::Stubs(v) => ("stubs", v.to_string()),
            Event::Cleared => ("cleared", String::new()),
        };
        let mut pipe = redis::pipe();
        pipe.cmd("XADD")
            .arg(&key)
            .arg("MAXLEN")
            .arg("~")
            .arg(cap)
            .arg("*")
            .arg("replica")
            .arg(&replica)
            .arg("kind")
            .arg(kind)
            .arg("data")
            .arg(&data)
            .ignore();
        if let Event::Stubs(_) = event {
            pipe.cmd("SET")
                .arg(format!("{key}:stubs"))
                .arg(&data)
                .ignore();
        }
        if let Err(e) = pipe.query_async::<()>(&mut conn).await {
            if !warned {
                eprintln!("warning: --shared: cannot write to Redis: {e}");
                warned = true;
            }
        }
    }
}

type Entries = Vec<(String, Vec<(String, Vec<(String, String)>)>)>;

async fn read_loop(
    mut conn: MultiplexedConnection,
    key: String,
    replica: String,
    mut last: String,
    log: Arc<CallLog>,
    stubs: Arc<Stubs>,
) {
    loop {
        let read: Result<Option<Entries>, _> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(512)
            .arg("BLOCK")
            .arg(1000)
            .arg("STREAMS")
            .arg(&key)
            .arg(&last)
            .query_async(&mut conn)
            .await;
        let streams = match read {
            Ok(s) => s.unwrap_or_default(),
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                continue;
            }
        };
        for (_, entries) in streams {
            for (id, fields) in entries {
                last = id;
                let field = |name: &str| {
                    fields
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.as_str())
                        .unwrap_or("")
                };
                if field("replica") == replica {
                    continue;
                }
                match field("kind") {
                    "call" => {
                        if let Some(record) = serde_json::from_str(field("data"))
                            .ok()
                            .and_then(|v| from_shared(&v, log.next_id()))
                        {
                            log.push(record);
                        }
                    }
                    "stubs" => {
                        if let Ok(list) = serde_json::from_str::<Value>(field("data")) {
                            replace_stubs(&stubs, &list);
                        }
                    }
                    "cleared" => log.clear(),
                    _ => {}
                }
            }
        }
    }
}

/// Another replica's stubs and simulated server response (`{"stubs": [...],
/// "serverResponse": {status, body} or null}`).
fn replace_stubs(stubs: &Stubs, shared: &Value) {
    if let Some(items) = shared.get("stubs").and_then(Value::as_array) {
        stubs.replace(items);
    }
    let simulated = shared.get("serverResponse").and_then(|r| {
        let status = u16::try_from(r.get("status")?.as_u64()?).ok()?;
        Some((status, r.get("body").cloned().unwrap_or(Value::Null)))
    });
    stubs.set_server_response(simulated);
}

fn pairs(headers: &Headers) -> Value {
    Value::from(
        headers
            .iter()
            .map(|(k, v)| json!([k, String::from_utf8_lossy(v)]))
            .collect::<Vec<_>>(),
    )
}

fn headers_of(v: &Value) -> Headers {
    let list: Vec<(HeaderName, HeaderValue)> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    Some((
                        HeaderName::from_bytes(p.get(0)?.as_str()?.as_bytes()).ok()?,
                        HeaderValue::from_str(p.get(1)?.as_str()?).ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    // Already redacted by the replica that logged it.
    Headers::kept(list.iter().map(|(k, v)| (k, v)), &[])
}

/// A record as another replica reads it back (bodies as text: a binary body's bytes are not
/// kept exactly, only its size).
fn to_shared(r: &CallRecord) -> Value {
    json!({
        "timeMs": r.time_ms,
        "method": r.method.as_str(),
        "path": r.path,
        "query": r.query,
        "headers": pairs(&r.headers),
        "body": String::from_utf8_lossy(&r.body),
        "bodySize": r.body_size,
        "operation": r.operation.as_deref(),
        "matched": r.matched.as_ref().map(|m| String::from_utf8_lossy(m.as_bytes())),
        "violations": r.violations,
        "status": r.status,
        "responseHeaders": pairs(&r.response_headers),
        "responseBody": String::from_utf8_lossy(&r.response_body),
        "responseSize": r.response_size,
        "latencyUs": r.latency_us,
        // A callback or webhook this replica sent.
        "outbound": r.outbound.as_ref().map(|o| json!({"attempts": o.attempts, "error": o.error})),
        // A call `stubborn proxy` forwarded or answered.
        "proxy": r.proxy.as_ref().map(|p| json!({
            "source": p.source,
            "responseViolations": p.response_violations,
            "undocumented": p.undocumented,
            "notes": p.notes,
        })),
    })
}

/// A proxied call's part, as another replica reads it back.
fn proxy_note_of(v: &Value) -> Option<Box<super::calllog::ProxyNote>> {
    let strings = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let source = match v.get("source")?.as_str()? {
        "upstream" => "upstream",
        "mock" => "mock",
        _ => "proxy",
    };
    Some(Box::new(super::calllog::ProxyNote {
        source,
        response_violations: strings("responseViolations"),
        undocumented: v
            .get("undocumented")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        notes: strings("notes"),
    }))
}

fn from_shared(v: &Value, id: u64) -> Option<CallRecord> {
    let text = |k: &str| v.get(k).and_then(Value::as_str);
    let number = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    Some(CallRecord {
        id,
        time_ms: number("timeMs"),
        method: http::Method::from_bytes(text("method")?.as_bytes()).ok()?,
        path: text("path")?.to_string(),
        query: text("query").map(str::to_string),
        headers: headers_of(v.get("headers")?),
        body: Bytes::from(text("body").unwrap_or("").to_string()),
        body_size: number("bodySize") as usize,
        operation: text("operation").map(std::sync::Arc::from),
        matched: text("matched").and_then(|m| HeaderValue::from_str(m).ok()),
        violations: v
            .get("violations")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        status: number("status") as u16,
        response_headers: headers_of(v.get("responseHeaders")?),
        response_body: Bytes::from(text("responseBody").unwrap_or("").to_string()),
        response_size: number("responseSize") as usize,
        latency_us: number("latencyUs"),
        proxy: v.get("proxy").and_then(proxy_note_of),
        outbound: v.get("outbound").filter(|o| o.is_object()).map(|o| {
            Box::new(super::calllog::OutboundNote {
                attempts: o.get("attempts").and_then(Value::as_u64).unwrap_or(0) as u32,
                error: o.get("error").and_then(Value::as_str).map(str::to_string),
            })
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A proxied call's source, response violations and notes survive the trip to another
    /// replica.
    #[test]
    fn a_proxied_record_round_trips() {
        let mut record = from_shared(
            &json!({"method": "GET", "path": "/pets", "headers": [], "responseHeaders": []}),
            1,
        )
        .unwrap();
        assert!(record.proxy.is_none());
        record.proxy = Some(Box::new(super::super::calllog::ProxyNote {
            source: "upstream",
            response_violations: vec!["header x-total: required".into()],
            undocumented: true,
            notes: vec!["response body not validated".into()],
        }));
        let back = from_shared(&to_shared(&record), 2).unwrap();
        let note = back.proxy.expect("the proxy note");
        assert_eq!(note.source, "upstream");
        assert_eq!(note.response_violations, ["header x-total: required"]);
        assert!(note.undocumented);
        assert_eq!(note.notes, ["response body not validated"]);
    }
}

//! Runtime stubs: routes and scenarios added through the admin API while the mock runs, and
//! Postman-style simulated server responses. Checked before the document's own operations.

use crate::model::Method;
use crate::respond::choose::{self, Condition, RequestView, Scenario, Target};
use crate::route::{Routed, Router};
use crate::runtime::Answer;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// One stub: `{method, path, when, response}` (the shape of `x-stubborn-scenarios` entries).
#[derive(Clone, Debug)]
pub struct Stub {
    pub id: u64,
    pub method: Method,
    pub path: String,
    pub conditions: Vec<Condition>,
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
    /// The stub as it was posted, for `GET /__stubborn/stubs`.
    pub source: Value,
    /// Wait this long before answering.
    pub delay: Option<std::time::Duration>,
    /// Answer as the document would, with these preferences (a `Prefer` header's value, such
    /// as `code=404, example=notFound`), instead of with `status`, `body` and `headers`.
    pub prefer: Option<HeaderValue>,
    /// How many requests it answered; shared with whoever added it (the library's
    /// expectations), so the count survives the stub's removal.
    pub hits: Arc<AtomicU64>,
}

/// What a stub answers with: its own answer, or the document's answer with preferences.
pub enum StubAnswer {
    Fixed(Answer),
    Document {
        /// The stub's id, for the match header.
        id: u64,
        prefer: HeaderValue,
        delay: Option<std::time::Duration>,
    },
}

#[derive(Default)]
struct Table {
    stubs: Vec<Stub>,
    router: Router,
}

/// Stubs and the simulated server response, shared by every request.
#[derive(Default)]
pub struct Stubs {
    table: RwLock<Table>,
    next_id: AtomicU64,
    server_response: RwLock<Option<(u16, Value)>>,
    /// False while there is certainly no stub and no simulated server response: the common
    /// case, answered by one load instead of two shared locks per request. Set before either
    /// is added; cleared only by [`Stubs::clear`].
    maybe_any: AtomicBool,
}

impl Stubs {
    /// Adds a stub from its JSON description; returns it as stored.
    pub fn add(&self, v: &Value) -> Result<Value, String> {
        let stub = self.read(v, None)?;
        let source = stub.source.clone();
        self.maybe_any.store(true, Ordering::Release);
        let mut t = self.table.write().map_err(|_| "stub table unavailable")?;
        t.stubs.push(stub);
        t.router = router_of(&t.stubs);
        Ok(source)
    }

    /// A stub from its JSON description, with `id` or the next one.
    fn read(&self, v: &Value, id: Option<u64>) -> Result<Stub, String> {
        let mut stub = Stubs::parse(v)?;
        stub.id = id.unwrap_or_else(|| self.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        stub.source["id"] = json!(stub.id);
        Ok(stub)
    }

    /// Reads a stub from its JSON description (`{method, path, when, response}`), without
    /// adding it; its id is given by [`Stubs::insert`].
    pub fn parse(v: &Value) -> Result<Stub, String> {
        let method = v
            .get("method")
            .and_then(Value::as_str)
            .and_then(Method::parse)
            .ok_or("a stub needs a `method` (GET, POST...)")?;
        let path = v
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| p.starts_with('/'))
            .ok_or("a stub needs a `path` starting with '/' (templates like /pets/{id} allowed)")?
            .to_string();
        // Reuse the x-stubborn-scenarios reader for `when` and `response`.
        let mut entry = v.clone();
        if entry.get("name").is_none() {
            entry["name"] = json!(format!("stub {method} {path}"));
        }
        let op = crate::model::Operation {
            id: String::new(),
            method,
            path: path.clone(),
            summary: None,
            parameters: Vec::new(),
            request_body: None,
            responses: Vec::new(),
            security: Vec::new(),
            origin: "stub".into(),
            extensions: [("x-stubborn-scenarios".to_string(), json!([entry]))]
                .into_iter()
                .collect(),
        };
        let (mut scenarios, problems) = choose::scenarios_of(&op);
        if let Some(p) = problems.first() {
            return Err(p
                .trim_start_matches("stub: x-stubborn-scenarios/0: ")
                .to_string());
        }
        let Some(Scenario {
            conditions,
            target:
                Target::Custom {
                    status,
                    body,
                    headers,
                    ..
                },
            ..
        }) = scenarios.pop()
        else {
            return Err("the stub could not be read".into());
        };
        Ok(Stub {
            id: 0,
            method,
            path,
            conditions,
            status,
            body,
            headers,
            source: v.clone(),
            delay: None,
            prefer: None,
            hits: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Adds a stub read by [`Stubs::parse`] under a fresh id; returns it as stored.
    pub fn insert(&self, mut stub: Stub) -> Result<Value, String> {
        stub.id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        stub.source["id"] = json!(stub.id);
        let source = stub.source.clone();
        self.maybe_any.store(true, Ordering::Release);
        let mut t = self.table.write().map_err(|_| "stub table unavailable")?;
        t.stubs.push(stub);
        t.router = router_of(&t.stubs);
        Ok(source)
    }

    /// Replaces every stub by `list` (as `list` gives them, ids kept): another replica's
    /// stubs, under `--shared`. A stub that does not read is left out.
    pub fn replace(&self, list: &[Value]) {
        let mut stubs = Vec::new();
        for v in list {
            let id = v.get("id").and_then(Value::as_u64);
            if let Ok(stub) = self.read(v, id) {
                stubs.push(stub);
            }
        }
        let max = stubs.iter().map(|s| s.id).max().unwrap_or(0);
        self.next_id.fetch_max(max, Ordering::Relaxed);
        if !stubs.is_empty() {
            self.maybe_any.store(true, Ordering::Release);
        }
        if let Ok(mut t) = self.table.write() {
            t.router = router_of(&stubs);
            t.stubs = stubs;
        }
    }

    pub fn list(&self) -> Vec<Value> {
        self.table
            .read()
            .map(|t| t.stubs.iter().map(|s| s.source.clone()).collect())
            .unwrap_or_default()
    }

    pub fn remove(&self, id: u64) -> bool {
        let Ok(mut t) = self.table.write() else {
            return false;
        };
        let before = t.stubs.len();
        t.stubs.retain(|s| s.id != id);
        t.router = router_of(&t.stubs);
        t.stubs.len() != before
    }

    pub fn clear_stubs(&self) {
        if let Ok(mut t) = self.table.write() {
            *t = Table::default();
        }
    }

    /// Drops every stub and the simulated server response.
    pub fn clear(&self) {
        // First: a stub added meanwhile sets it again.
        self.maybe_any.store(false, Ordering::Release);
        self.clear_stubs();
        self.set_server_response(None);
    }

    /// Whether a request may meet a stub or the simulated server response.
    pub fn may_answer(&self) -> bool {
        self.maybe_any.load(Ordering::Acquire)
    }

    pub fn set_server_response(&self, r: Option<(u16, Value)>) {
        if r.is_some() {
            self.maybe_any.store(true, Ordering::Release);
        }
        if let Ok(mut s) = self.server_response.write() {
            *s = r;
        }
    }

    pub fn server_response(&self) -> Option<(u16, Value)> {
        self.server_response.read().ok().and_then(|s| s.clone())
    }

    /// The answer of the best stub matching the request, if any.
    pub fn answer(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Option<StubAnswer> {
        let t = self.table.read().ok()?;
        if t.stubs.is_empty() {
            return None;
        }
        let Routed::Found { params, .. } = t.router.route(method, path) else {
            return None;
        };
        let segments_match = |s: &Stub| s.method == method && template_matches(&s.path, path);
        let query_pairs: Vec<(String, String)> = query
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let body_value: Option<Value> = serde_json::from_slice(body).ok();
        let view = RequestView::new(&params, &query_pairs, headers, body_value.as_ref());
        // The newest stub wins among those whose conditions all hold.
        let stub = t
            .stubs
            .iter()
            .rev()
            .filter(|s| segments_match(s))
            .find(|s| {
                let sc = Scenario {
                    name: String::new(),
                    conditions: s.conditions.clone(),
                    target: Target::Custom {
                        status: s.status,
                        example: None,
                        body: None,
                        headers: vec![],
                    },
                };
                choose::score(&sc, &view).is_some()
            })?;
        stub.hits.fetch_add(1, Ordering::Relaxed);
        if let Some(prefer) = &stub.prefer {
            return Some(StubAnswer::Document {
                id: stub.id,
                prefer: prefer.clone(),
                delay: stub.delay,
            });
        }
        let mut a = Answer::empty(stub.status);
        a.delay = stub.delay;
        if let Some(b) = &stub.body {
            let (bytes, ct) = match b {
                Value::String(s) => (Bytes::from(s.clone()), "text/plain; charset=utf-8"),
                other => (
                    Bytes::from(serde_json::to_vec(other).unwrap_or_default()),
                    "application/json",
                ),
            };
            a.body = bytes;
            a.headers.push((CONTENT_TYPE, HeaderValue::from_static(ct)));
        }
        for (k, v) in &stub.headers {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                a.headers.retain(|(n, _)| *n != k);
                a.headers.push((k, v));
            }
        }
        if let Ok(v) = HeaderValue::from_str(&format!("stub={}", stub.id)) {
            a.headers
                .push((HeaderName::from_static(crate::runtime::MATCH_HEADER), v));
        }
        Some(StubAnswer::Fixed(a))
    }
}

fn router_of(stubs: &[Stub]) -> Router {
    Router::new(
        stubs
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.method, s.path.as_str())),
        &[],
    )
}

/// Whether a concrete path fits a stub's template (a stub-only router answers for one stub per
/// shape; this re-checks each stub of that shape).
fn template_matches(template: &str, path: &str) -> bool {
    let r = Router::new([(0usize, Method::Get, template)], &[]);
    matches!(r.route(Method::Get, path), Routed::Found { .. })
}

/// What answers before the document's operations: a simulated server response (every call),
/// then a matching stub.
pub fn early_answer(
    stubs: &Stubs,
    method: &http::Method,
    path: &str,
    query: Option<&str>,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Option<StubAnswer> {
    if !stubs.may_answer() {
        return None;
    }
    if let Some((status, body)) = stubs.server_response() {
        let mut a = Answer::empty(status);
        a.headers.push((
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        a.body = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
        a.headers.push((
            HeaderName::from_static(crate::runtime::MATCH_HEADER),
            HeaderValue::from_static("simulated server response"),
        ));
        return Some(StubAnswer::Fixed(a));
    }
    let m = super::model_method(method)?;
    stubs.answer(m, path, query, headers, body)
}

//! The admin API under `/__stubborn`: health, routes, the loaded document, and the call log.

use super::calllog::{CallLog, CallRecord};
use super::outbound::Delivery;
use crate::callback::Outbound;
use crate::compile::Mock;
use crate::respond::problem::Problem;
use crate::runtime::Answer;
use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use serde_json::{json, Value};

/// The reserved path prefix.
pub const PREFIX: &str = "/__stubborn";

/// What the admin API reads.
pub struct Admin<'a> {
    pub mock: &'a Mock,
    pub log: &'a CallLog,
    pub stubs: &'a super::stubs::Stubs,
    pub uptime_secs: u64,
    /// Streaming answers being sent right now.
    pub open_streams: usize,
}

/// The dashboard page (the `dashboard` feature, part of the command line's build).
#[cfg(feature = "dashboard")]
fn dashboard() -> Answer {
    let mut a = Answer::empty(200);
    a.headers.push((
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    ));
    a.body = Bytes::from_static(include_str!("dashboard.html").as_bytes());
    a
}

/// Built without the `dashboard` feature: the admin API answers, the page does not.
#[cfg(not(feature = "dashboard"))]
fn dashboard() -> Answer {
    Answer::problem(&Problem::new(
        404,
        "No Dashboard",
        format!(
            "this build of stubborn has no dashboard page (the `dashboard` feature); \
             the admin API is at {PREFIX}/health, /routes, /spec, /requests"
        ),
    ))
}

fn json_answer(status: u16, value: &Value) -> Answer {
    let mut a = Answer::empty(status);
    a.headers
        .push((CONTENT_TYPE, HeaderValue::from_static("application/json")));
    a.body = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
    a
}

fn not_found(path: &str) -> Answer {
    Answer::problem(&Problem::new(
        404,
        "Not Found",
        format!(
            "{path} is not part of the admin API; see {PREFIX}/health, /routes, /spec, /requests"
        ),
    ))
}

/// Answers one admin request. `rest` is the path after the prefix.
pub fn handle(
    admin: &Admin,
    method: &http::Method,
    rest: &str,
    query: Option<&str>,
    body: &[u8],
) -> Answer {
    let rest = rest.trim_end_matches('/');
    match (method.as_str(), rest) {
        ("GET", "") => dashboard(),
        ("GET", "/health") => json_answer(
            200,
            &json!({
                "status": "ok",
                "title": admin.mock.api.title,
                "operations": admin.mock.api.operations.len(),
                "uptimeSeconds": admin.uptime_secs,
                "loggedRequests": admin.log.len(),
                "openStreams": admin.open_streams,
            }),
        ),
        ("GET", "/routes") => {
            let routes: Vec<Value> = admin
                .mock
                .api
                .operations
                .iter()
                .enumerate()
                .map(|(i, op)| {
                    let scenarios: Vec<&str> = admin
                        .mock
                        .scenarios(i)
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect();
                    let responses: Vec<String> =
                        op.responses.iter().map(|r| r.status.to_string()).collect();
                    json!({
                        "method": op.method.as_str(),
                        "path": op.path,
                        "operationId": op.id,
                        "summary": op.summary,
                        "responses": responses,
                        "scenarios": scenarios,
                    })
                })
                .collect();
            json_answer(200, &json!({ "routes": routes }))
        }
        // The version being served, kept in memory at load: a broken edit on disk that
        // --watch refused does not show here.
        ("GET", "/spec") => match &admin.mock.document {
            None => Answer::problem(&Problem::new(
                404,
                "No Document",
                "this mock was not started from a file",
            )),
            Some(doc) => {
                let mut a = Answer::empty(200);
                a.headers
                    .push((CONTENT_TYPE, HeaderValue::from_static("application/json")));
                a.body = doc.clone();
                a
            }
        },
        ("GET", "/requests") => {
            let f = Filter::parse(query);
            let limit = f.limit.unwrap_or(100).min(10_000);
            let found = admin.log.select(|r| f.keeps(r), limit);
            let list: Vec<Value> = found.iter().map(CallRecord::to_json).collect();
            json_answer(200, &json!({ "requests": list, "count": list.len() }))
        }
        ("GET", "/webhooks") => {
            let options = admin.mock.callback_body_options();
            let list: Vec<Value> = admin
                .mock
                .webhooks
                .iter()
                .map(|w| {
                    let body = w.static_body(&admin.mock.api.schemas, options);
                    json!({
                        "name": w.name,
                        "method": w.method.as_str(),
                        "body": body.as_ref().ok().map(|b| String::from_utf8_lossy(b).into_owned()),
                        "bodyError": body.as_ref().err(),
                    })
                })
                .collect();
            let callbacks: Vec<Value> = admin
                .mock
                .callbacks
                .iter()
                .map(|c| {
                    json!({
                        "name": c.name,
                        "operationId": c.operation.map(|i| admin.mock.operation(i).id.clone()),
                        "method": c.method.as_str(),
                        "url": c.expression,
                    })
                })
                .collect();
            json_answer(200, &json!({ "webhooks": list, "callbacks": callbacks }))
        }
        ("GET", "/stubs") => json_answer(200, &json!({ "stubs": admin.stubs.list() })),
        ("POST", "/stubs") => match serde_json::from_slice::<Value>(body) {
            Ok(v) => match admin.stubs.add(&v) {
                Ok(stored) => json_answer(201, &stored),
                Err(e) => Answer::problem(&Problem::new(400, "Bad Stub", e)),
            },
            Err(e) => Answer::problem(&Problem::new(
                400,
                "Bad Stub",
                format!("the body must be a JSON stub like {{\"method\": \"GET\", \"path\": \"/pets\", \"response\": {{\"status\": 200, \"body\": []}}}}: {e}"),
            )),
        },
        ("DELETE", "/stubs") => {
            admin.stubs.clear_stubs();
            Answer::empty(204)
        }
        ("POST", "/reset") => {
            admin.stubs.clear();
            admin.log.clear();
            Answer::empty(204)
        }
        ("POST", "/server-response") => {
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let status = v.get("status").and_then(Value::as_u64).unwrap_or(500);
            if !(500..=599).contains(&status) {
                return Answer::problem(&Problem::new(400, "Bad Server Response", format!("status must be a 5xx code, got {status}")));
            }
            let problem = Problem::new(
                status as u16,
                v.get("title").and_then(Value::as_str).unwrap_or("Simulated Server Error"),
                v.get("detail").and_then(Value::as_str).unwrap_or("a simulated server response set with POST /__stubborn/server-response"),
            )
            .to_value();
            admin.stubs.set_server_response(Some((status as u16, problem)));
            json_answer(201, &json!({ "status": status }))
        }
        ("DELETE", "/server-response") => {
            admin.stubs.set_server_response(None);
            Answer::empty(204)
        }
        ("GET", "/openapi.json") => {
            let doc: Value = serde_json::from_str(include_str!("admin-openapi.json")).unwrap_or(Value::Null);
            json_answer(200, &doc)
        }
        (m, r) if r.starts_with("/stubs/") => {
            let id = r.trim_start_matches("/stubs/");
            match (m, id.parse::<u64>()) {
                ("DELETE", Ok(id)) if admin.stubs.remove(id) => Answer::empty(204),
                ("DELETE", _) => Answer::problem(&Problem::new(404, "Not Found", format!("no stub {id}"))),
                _ => not_found(&format!("{PREFIX}{rest}")),
            }
        }
        ("DELETE", "/requests") => {
            admin.log.clear();
            Answer::empty(204)
        }
        ("POST", "/requests/count") => {
            let matcher: Value = match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => {
                    return Answer::problem(&Problem::new(
                        400,
                        "Bad Matcher",
                        format!("the body must be a JSON matcher like {{\"method\": \"GET\", \"path\": \"/pets\"}}: {e}"),
                    ))
                }
            };
            let n = admin.log.count(|r| matches(&matcher, r));
            json_answer(200, &json!({ "count": n }))
        }
        (m, r) if r.starts_with("/requests/") => {
            let id = r.trim_start_matches("/requests/");
            match (m, id.parse::<u64>()) {
                ("GET", Ok(id)) => match admin.log.get(id) {
                    Some(rec) => json_answer(200, &rec.to_json()),
                    None => Answer::problem(&Problem::new(
                        404,
                        "Not Found",
                        format!("no logged request {id} (it may have left the ring)"),
                    )),
                },
                _ => not_found(&format!("{PREFIX}{rest}")),
            }
        }
        _ => not_found(&format!("{PREFIX}{rest}")),
    }
}

/// `POST /webhooks/NAME`'s body (`{"url": "http://...", "body": optional JSON}`) as the
/// request to send, or the problem with it.
pub fn webhook_request(mock: &Mock, name: &str, body: &[u8]) -> Result<Outbound, Box<Answer>> {
    let Some((index, webhook)) = mock.webhook(name) else {
        let names: Vec<&str> = mock.webhooks.iter().map(|w| w.name.as_str()).collect();
        let known = if names.is_empty() {
            "the document has no webhooks".to_string()
        } else {
            format!("its webhooks are {}", names.join(", "))
        };
        return Err(Box::new(Answer::problem(&Problem::new(
            404,
            "Unknown Webhook",
            format!("the document has no webhook `{name}`; {known}"),
        ))));
    };
    let bad = |detail: String| {
        Box::new(Answer::problem(&Problem::new(
            400,
            "Bad Webhook Request",
            detail,
        )))
    };
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        bad(format!(
            "the body must be JSON like {{\"url\": \"http://localhost:3000/hooks\"}}: {e}"
        ))
    })?;
    let Some(url) = v.get("url").and_then(Value::as_str) else {
        return Err(bad(
            "the body needs a `url` to send the webhook to (a string)".into(),
        ));
    };
    let override_body = match v.get("body") {
        None | Some(Value::Null) => None,
        Some(b) => Some(Bytes::from(serde_json::to_vec(b).unwrap_or_default())),
    };
    Ok(webhook.to_target(
        index,
        &mock.api.schemas,
        mock.callback_body_options(),
        url,
        override_body,
        0,
    ))
}

/// What `POST /webhooks/NAME` answers once the webhook was sent (or not).
pub fn webhook_answer(name: &str, d: &Delivery) -> Answer {
    let outcome = json!({
        "webhook": name,
        "url": d.url,
        "status": (d.status != 0).then_some(d.status),
        "attempts": d.attempts,
        "violations": d.violations,
        "error": d.error,
        "logId": (d.log_id != 0).then_some(d.log_id),
    });
    match &d.error {
        None => json_answer(200, &outcome),
        Some(e) if e.starts_with("refused") || e.starts_with("not sent") => {
            let mut p = Problem::new(403, "Webhook Not Sent", e.clone());
            p = p.with("outcome", outcome);
            Answer::problem(&p)
        }
        Some(e) => {
            let mut p = Problem::new(502, "Webhook Not Answered", e.clone());
            p = p.with("outcome", outcome);
            Answer::problem(&p)
        }
    }
}

/// Query filters of `GET /requests`.
#[derive(Default)]
struct Filter {
    method: Option<String>,
    path: Option<String>,
    status: Option<u16>,
    operation: Option<String>,
    since: Option<u64>,
    invalid: bool,
    limit: Option<usize>,
    direction: Option<String>,
}

impl Filter {
    fn parse(query: Option<&str>) -> Filter {
        let mut f = Filter::default();
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "method" => f.method = Some(v.to_ascii_uppercase()),
                "path" => f.path = Some(v.into_owned()),
                "status" => f.status = v.parse().ok(),
                "operation" => f.operation = Some(v.into_owned()),
                "since" => f.since = v.parse().ok(),
                "invalid" | "only-invalid" => f.invalid = v == "true" || v == "1",
                "limit" => f.limit = v.parse().ok(),
                "direction" => f.direction = Some(v.to_ascii_lowercase()),
                _ => {}
            }
        }
        f
    }

    fn keeps(&self, r: &CallRecord) -> bool {
        self.method.as_ref().is_none_or(|m| m == r.method.as_str())
            && self
                .path
                .as_ref()
                .is_none_or(|p| r.path.starts_with(p.as_str()))
            && self.status.is_none_or(|s| s == r.status)
            && self
                .operation
                .as_ref()
                .is_none_or(|o| r.operation.as_deref() == Some(o.as_str()))
            && self.since.is_none_or(|id| r.id > id)
            && (!self.invalid || !r.violations.is_empty() || r.error().is_some())
            && self
                .direction
                .as_ref()
                .is_none_or(|d| d == r.direction().as_str())
    }
}

/// Does a logged call match `{method, path, query: {k: v}, header: {k: v}, body: {pointer: v}}`?
fn matches(m: &Value, r: &CallRecord) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(method) = m.get("method").and_then(Value::as_str) {
        if !method.eq_ignore_ascii_case(r.method.as_str()) {
            return false;
        }
    }
    if let Some(path) = m.get("path").and_then(Value::as_str) {
        if path != r.path {
            return false;
        }
    }
    if let Some(Value::Object(q)) = m.get("query") {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(r.query.as_deref().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        for (k, v) in q {
            if !pairs.iter().any(|(pk, pv)| pk == k && *pv == text(v)) {
                return false;
            }
        }
    }
    if let Some(Value::Object(h)) = m.get("header") {
        for (k, v) in h {
            let k = k.to_ascii_lowercase();
            if !r
                .headers
                .iter()
                .any(|(hk, hv)| hk == k && hv == text(v).as_bytes())
            {
                return false;
            }
        }
    }
    if let Some(Value::Object(b)) = m.get("body") {
        let Ok(body) = serde_json::from_slice::<Value>(&r.body) else {
            return false;
        };
        for (pointer, v) in b {
            if body.pointer(pointer) != Some(v) {
                return false;
            }
        }
    }
    true
}

//! The pipeline's output: a status, headers and a body, and what the server needs besides
//! (a delay, a fault to simulate, the operation and the violations for the call log, a
//! stream to send).

use crate::model::Method;
use crate::respond::choose::Fault;
use crate::respond::problem::Problem;
use crate::stream::StreamSpec;
use crate::validate::Violation;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::Value;

/// The response header saying which scenario answered and why.
pub const MATCH_HEADER: &str = "x-stubborn-match";

/// [`MATCH_HEADER`] as a header name, checked once rather than on every answer.
pub fn match_header() -> HeaderName {
    static NAME: HeaderName = HeaderName::from_static(MATCH_HEADER);
    NAME.clone()
}

/// The response header listing violations when a documented response answers a bad request,
/// or when `--validate=warn` lets one through.
pub const VIOLATIONS_HEADER: &str = "x-stubborn-violations";

/// The outcome of choosing and rendering, before the HTTP layer adds CORS and framing.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
    /// Wait this long before answering (simulated latency).
    pub delay: Option<std::time::Duration>,
    /// Break the connection instead of answering properly.
    pub fault: Option<Fault>,
    /// The operation that answered, when the request was routed to one.
    pub operation: Option<usize>,
    /// The contract violations found in the request (at most
    /// [`crate::validate::MAX_VIOLATIONS`]), for the call log and the log line.
    pub violations: Vec<Violation>,
    /// How many violations there were in all (more than `violations.len()` when cut).
    pub violations_total: usize,
    /// A streaming answer (a sequential media type): `body` is empty and the server sends
    /// these items, paced, as a chunked body (see [`crate::stream`] and
    /// [`crate::compile::Mock::stream_chunk`]).
    pub stream: Option<StreamSpec>,
    /// Requests to send to the client once this answer is written (the operation's
    /// `callbacks`, filled in from this exchange).
    pub callbacks: Vec<crate::callback::Outbound>,
}

impl Answer {
    pub fn empty(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            delay: None,
            fault: None,
            operation: None,
            violations: Vec::new(),
            violations_total: 0,
            stream: None,
            callbacks: Vec::new(),
        }
    }

    pub fn problem(p: &Problem) -> Answer {
        Answer {
            status: p.status,
            headers: vec![(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(crate::respond::problem::CONTENT_TYPE),
            )],
            body: p.to_bytes(),
            ..Answer::empty(p.status)
        }
    }
}

/// 405, with the methods the path accepts.
pub(super) fn method_not_allowed(method: Method, path: &str, allow: &[Method]) -> Answer {
    let list: Vec<&str> = allow.iter().map(|m| m.as_str()).collect();
    let mut a = Answer::problem(
        &Problem::new(
            405,
            "Method Not Allowed",
            format!(
                "{path} does not accept {method}; it accepts {}",
                list.join(", ")
            ),
        )
        .with("allowed", Value::from(list.clone())),
    );
    if let Ok(v) = HeaderValue::from_str(&list.join(", ")) {
        a.headers.push((http::header::ALLOW, v));
    }
    a
}

/// `text` fit for a header value: ASCII without controls (others become `?`), at most 4,000
/// characters.
pub(super) fn printable_header(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .take(4000)
        .collect()
}

/// Lists violations in one header line: `query limit: must be ≤ 100, got 500; body /name: ...`,
/// cut to 4,000 characters.
pub(super) fn push_violations_header(answer: &mut Answer, violations: &[Violation], total: usize) {
    let mut text: Vec<String> = violations.iter().map(Violation::line).collect();
    if total > violations.len() {
        text.push(format!("and {} more", total - violations.len()));
    }
    let line = printable_header(&text.join("; "));
    if let Ok(v) = HeaderValue::from_str(&line) {
        answer
            .headers
            .push((HeaderName::from_static(VIOLATIONS_HEADER), v));
    }
}

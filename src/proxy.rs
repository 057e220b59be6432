//! `stubborn proxy`: a contract proxy. A request is routed and checked as the mock checks it
//! ([`runtime::inbound`]), forwarded to the upstream through [`crate::client`], and the
//! upstream's answer is checked against the operation's documented responses
//! ([`validate::response`]). The mock is the fallback: operations listed in
//! `--mock-operations` or marked `x-stubborn-mock: true`, an upstream that refuses the
//! connection, and answers whose status is in `--mock-on` (501 by default) are answered by the
//! mock pipeline exactly as `stubborn mock` would.
//!
//! ```text
//!   request ─▶ route ─▶ check ─▶ forward ─▶ check the answer ─▶ reply (x-stubborn-source: upstream)
//!                │         │         │
//!                │         │         └ refused, --mock-on status ─▶ the mock (x-stubborn-source: mock)
//!                │         └ --errors and a violation ─▶ 422/400 here
//!                └ mocked operation ─▶ the mock;  no route ─▶ forwarded (or 404 with --strict-routes)
//! ```
//!
//! This module decides and forwards; the server ([`crate::server`]) owns the connection, the
//! call log, CORS and the mock's answer, so a proxied request is logged and guarded like any
//! other.

use crate::client::{self, BaseUrl, Client, ErrorKind};
use crate::compile::Mock;
use crate::model::Method;
use crate::respond::problem::Problem;
use crate::runtime::{self, Answer, Inbound, Request};
use crate::validate::{self, Violation};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::Value;

/// The response header naming who answered: `upstream`, `mock`, or `proxy` (an answer the
/// proxy made itself: a rejected request, a 502 or a 504).
pub const SOURCE_HEADER: &str = "x-stubborn-source";

/// What `stubborn proxy`'s flags say, apart from what the mock and the server take.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    pub upstream: BaseUrl,
    /// `--errors`: reject invalid requests here (422/400) and replace invalid upstream answers
    /// with a 502 problem.
    pub errors: bool,
    /// `--mock-on`: upstream statuses answered by the mock instead (default 501).
    pub mock_on: Vec<u16>,
    /// `--mock-operations`: operation ids always answered by the mock.
    pub mock_operations: Vec<String>,
    /// `--strict-routes`: a request no operation matches gets 404 instead of being forwarded.
    pub strict_routes: bool,
    /// `--max-body`: upstream bodies are read (and validated) up to this many bytes; longer
    /// ones are streamed on unread. The server reads requests with the same bound.
    pub max_body: usize,
    pub client: client::Options,
}

/// The proxy: its options and its pooled client. Shared by every request.
pub struct Proxy {
    pub options: ProxyOptions,
    client: Client,
}

/// Who answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Upstream,
    Mock,
    Proxy,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Upstream => "upstream",
            Source::Mock => "mock",
            Source::Proxy => "proxy",
        }
    }
}

/// A request's body as the server read it: whole (up to `--max-body`), or its first part and
/// the rest still coming (larger: streamed to the upstream, not validated).
pub enum RequestBody {
    Whole(Bytes),
    Streaming { head: Bytes, rest: client::Body },
}

/// The parts of the request the proxy reads.
pub struct Incoming<'a> {
    pub method: &'a http::Method,
    pub uri: &'a http::Uri,
    pub headers: &'a http::HeaderMap,
    /// The client's address, for `X-Forwarded-For`.
    pub peer: Option<std::net::IpAddr>,
    /// The proxy itself is private (`--api-key`): its key is not passed on.
    pub private: bool,
}

/// What to do with a request.
pub enum Decision {
    /// Answer with the mock, as `stubborn mock` would; `why` goes to the call log. The body
    /// comes back for the mock to read.
    Mock { why: String, body: RequestBody },
    /// Answered by the upstream, or by the proxy itself.
    Answer(Box<Proxied>),
}

/// An answer from the upstream (or made here), with what the call log and the log line say
/// about it.
pub struct Proxied {
    pub source: Source,
    /// Status, headers (`x-stubborn-source`, `x-stubborn-violations` included) and, when it
    /// was read whole, the body; the request's violations in `violations`.
    pub answer: Answer,
    /// The upstream's body, when it was longer than `--max-body`: sent on as it comes.
    pub stream: Option<client::Body>,
    /// The upstream answer's violations (at most [`validate::MAX_VIOLATIONS`]) and their count.
    pub response_violations: Vec<Violation>,
    pub response_total: usize,
    /// No operation matched; forwarded as it was.
    pub undocumented: bool,
    /// What was not checked, and why (bodies over `--max-body`).
    pub notes: Vec<String>,
}

impl Proxy {
    /// The proxy and its client; fails when the client cannot be made (a bad CA file).
    pub fn new(options: ProxyOptions) -> Result<Proxy, String> {
        let client = Client::new(&options.client)?;
        Ok(Proxy { options, client })
    }

    /// Ids in `--mock-operations` that no operation of `mock` has (checked at start).
    pub fn unknown_operations<'a>(&'a self, mock: &Mock) -> Vec<&'a str> {
        self.options
            .mock_operations
            .iter()
            .filter(|id| !mock.api.operations.iter().any(|op| &op.id == *id))
            .map(String::as_str)
            .collect()
    }

    /// Why `operation` is always mocked, if it is.
    fn mocked(&self, mock: &Mock, operation: usize) -> Option<&'static str> {
        let op = &mock.api.operations[operation];
        if op.extensions.get("x-stubborn-mock") == Some(&Value::Bool(true)) {
            return Some("x-stubborn-mock: true");
        }
        self.options
            .mock_operations
            .contains(&op.id)
            .then_some("--mock-operations")
    }

    /// Decides what answers `req`, forwarding it when the upstream does.
    pub async fn decide(&self, mock: &Mock, req: &Incoming<'_>, body: RequestBody) -> Decision {
        let path = req.uri.path();
        let query = req.uri.query();
        let method = Method::parse(req.method.as_str());
        let mut notes = Vec::new();
        let mut request_violations = (Vec::new(), 0usize);
        // The operation, or None for an undocumented request (with the mock's 404/405).
        let operation = match (&body, method) {
            (_, None) => Err(Answer::problem(&Problem::new(
                405,
                "Method Not Allowed",
                format!(
                    "{} is not an HTTP method an OpenAPI document can describe",
                    printable(req.method.as_str())
                ),
            ))),
            (RequestBody::Whole(bytes), Some(m)) => {
                let view = Request::new(m, path, query, req.headers, bytes);
                match runtime::inbound(mock, &view) {
                    Inbound::Unrouted(answer) => Err(answer),
                    Inbound::Routed {
                        operation,
                        rejection,
                    } => {
                        if let Some(why) = self.mocked(mock, operation) {
                            return Decision::Mock {
                                why: format!("mocked by {why}"),
                                body,
                            };
                        }
                        if let Some(mut rejection) = rejection {
                            if self.options.errors {
                                // The mock's violations header, said with its direction.
                                rejection
                                    .headers
                                    .retain(|(n, _)| n.as_str() != runtime::VIOLATIONS_HEADER);
                                let (v, total) =
                                    (rejection.violations.clone(), rejection.violations_total);
                                push_violations(&mut rejection, &v, total, &[], 0);
                                return Decision::Answer(Box::new(local(rejection, Vec::new())));
                            }
                            request_violations = (
                                std::mem::take(&mut rejection.violations),
                                rejection.violations_total,
                            );
                        }
                        Ok(operation)
                    }
                }
            }
            (RequestBody::Streaming { .. }, Some(m)) => match mock.router.route(m, path) {
                crate::route::Routed::Found { operation, .. } => {
                    if let Some(why) = self.mocked(mock, operation) {
                        return Decision::Mock {
                            why: format!("mocked by {why}"),
                            body,
                        };
                    }
                    notes.push(
                        "request not validated: its body is larger than --max-body".to_string(),
                    );
                    Ok(operation)
                }
                _ => Err(Answer::empty(404)),
            },
        };
        let operation = match operation {
            Ok(op) => Some(op),
            Err(answer) if self.options.strict_routes => {
                let mut answer = answer;
                if answer.status == 404 && answer.body.is_empty() {
                    answer = Answer::problem(&Problem::new(
                        404,
                        "Not Found",
                        format!(
                            "no operation matches {} {}",
                            printable(req.method.as_str()),
                            printable(path)
                        ),
                    ));
                }
                return Decision::Answer(Box::new(local(answer, notes)));
            }
            Err(_) => None,
        };

        // Forward.
        let started = tokio::time::Instant::now();
        let deadline = started + self.client.timeout();
        let (outbound, kept) = match self.outbound(req, body) {
            Ok(pair) => pair,
            Err(e) => {
                let answer = Answer::problem(&Problem::new(400, "Bad Request", e));
                return Decision::Answer(Box::new(local(answer, notes)));
            }
        };
        let response = match self.client.send(outbound).await {
            Ok(r) => r,
            Err(e) if e.kind == ErrorKind::Refused && operation.is_some() && kept.is_some() => {
                return Decision::Mock {
                    why: format!("the upstream refused the connection ({e})"),
                    body: RequestBody::Whole(kept.unwrap_or_default()),
                };
            }
            Err(e) => return Decision::Answer(Box::new(local(self.failed(&e), notes))),
        };
        let status = response.status().as_u16();
        if operation.is_some() && kept.is_some() && self.options.mock_on.contains(&status) {
            return Decision::Mock {
                why: format!("the upstream answered {status} (--mock-on)"),
                body: RequestBody::Whole(kept.unwrap_or_default()),
            };
        }
        let (parts, upstream_body) = response.into_parts();
        // A sequential media type (an event stream, JSON Lines...) may never end: it is
        // passed on as it comes, its items not validated, and the timeout stops at its head.
        let sequential = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::media::Framing::of)
            .is_some();
        let read = if sequential {
            notes.push("response body not validated: a streamed media type".to_string());
            Ok(client::Read::Partial {
                head: Bytes::new(),
                rest: upstream_body,
            })
        } else {
            client::read_body(
                upstream_body,
                self.options.max_body,
                deadline,
                self.client.timeout(),
            )
            .await
        };
        let encoded = parts
            .headers
            .get(http::header::CONTENT_ENCODING)
            .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
        if encoded {
            notes.push("response body not validated: it is content-encoded".to_string());
        }
        let (body, stream) = match read {
            Ok(client::Read::Whole(bytes)) => (Some(bytes), None),
            Ok(client::Read::Partial { head, rest }) => {
                notes.push("response body not validated: it is larger than --max-body".to_string());
                (None, Some(client::stream_on(head, rest)))
            }
            Err(e) => return Decision::Answer(Box::new(local(self.failed(&e), notes))),
        };
        let head_request = req.method == http::Method::HEAD;
        let (response_violations, response_total) = match operation {
            Some(op) => validate::response::validate_response(
                &mock.api.schemas,
                &mock.api.operations[op],
                &validate::response::ResponseParts {
                    status,
                    headers: &parts.headers,
                    body: if head_request {
                        Some(&[])
                    } else if encoded {
                        None
                    } else {
                        body.as_deref()
                    },
                },
            ),
            None => (Vec::new(), 0),
        };
        if self.options.errors && response_total > 0 {
            let answer = invalid_upstream_answer(
                mock,
                operation.unwrap_or_default(),
                status,
                &response_violations,
                response_total,
            );
            let mut proxied = local(answer, notes);
            proxied.response_violations = response_violations;
            proxied.response_total = response_total;
            proxied.answer.violations = request_violations.0;
            proxied.answer.violations_total = request_violations.1;
            return Decision::Answer(Box::new(proxied));
        }
        let mut answer = Answer::empty(status);
        answer.operation = operation;
        answer.headers = client::end_to_end(&parts.headers, &[])
            .into_iter()
            .filter_map(|(name, value)| name.map(|n| (n, value)))
            .collect();
        answer.body = body.unwrap_or_default();
        answer.headers.push(source_header(Source::Upstream));
        let (violations, total) = request_violations;
        push_violations(
            &mut answer,
            &violations,
            total,
            &response_violations,
            response_total,
        );
        answer.violations = violations;
        answer.violations_total = total;
        Decision::Answer(Box::new(Proxied {
            source: Source::Upstream,
            answer,
            stream,
            response_violations,
            response_total,
            undocumented: operation.is_none(),
            notes,
        }))
    }

    /// The request to send: the same method, the upstream's base path before the path, the
    /// query, the end-to-end headers, `Host` for the upstream (set by the client) and
    /// `X-Forwarded-*` for the client's. The whole body is kept too (for the mock to read if
    /// the upstream does not answer).
    fn outbound(
        &self,
        req: &Incoming<'_>,
        body: RequestBody,
    ) -> Result<(http::Request<client::Body>, Option<Bytes>), String> {
        let target = req.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let uri = self.options.upstream.join(target)?;
        // Without `Accept-Encoding` the upstream answers in identity encoding, which the
        // proxy can read and validate; the client gets the same bytes it would have.
        let mut drop = vec!["host", "forwarded", "accept-encoding"];
        if req.private {
            drop.push("x-api-key");
        }
        let (body, kept) = match body {
            RequestBody::Whole(bytes) => {
                // The client frames a whole body itself.
                drop.push("content-length");
                (client::full(bytes.clone()), Some(bytes))
            }
            RequestBody::Streaming { head, rest } => (client::stream_on(head, rest), None),
        };
        let mut headers = client::end_to_end(req.headers, &drop);
        let host = req.headers.get(http::header::HOST).cloned();
        if let Some(ip) = req.peer {
            let prior = req
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok());
            let chain = match prior {
                Some(p) => format!("{p}, {ip}"),
                None => ip.to_string(),
            };
            if let Ok(v) = HeaderValue::from_str(&chain) {
                headers.insert(HeaderName::from_static("x-forwarded-for"), v);
            }
        }
        if let Some(host) = host {
            headers.insert(HeaderName::from_static("x-forwarded-host"), host);
        }
        headers.insert(
            HeaderName::from_static("x-forwarded-proto"),
            HeaderValue::from_static("http"),
        );
        let mut outbound = http::Request::new(body);
        *outbound.method_mut() = req.method.clone();
        *outbound.uri_mut() = uri;
        *outbound.headers_mut() = headers;
        Ok((outbound, kept))
    }

    /// The answer to an exchange that failed: 504 past the timeout, else 502.
    fn failed(&self, e: &client::Error) -> Answer {
        let upstream = self.options.upstream.to_string();
        let p = match e.kind {
            ErrorKind::Timeout => Problem::new(
                504,
                "Gateway Timeout",
                format!("the upstream {upstream} did not answer in time: {e} (--upstream-timeout)"),
            ),
            _ => Problem::new(
                502,
                "Bad Gateway",
                format!("the upstream {upstream} did not answer: {e}"),
            ),
        };
        Answer::problem(&p.with("upstream", Value::from(upstream)))
    }
}

/// An answer the proxy made itself.
fn local(mut answer: Answer, notes: Vec<String>) -> Proxied {
    answer.headers.push(source_header(Source::Proxy));
    Proxied {
        source: Source::Proxy,
        answer,
        stream: None,
        response_violations: Vec::new(),
        response_total: 0,
        undocumented: false,
        notes,
    }
}

/// `x-stubborn-source: upstream|mock|proxy`.
pub fn source_header(source: Source) -> (HeaderName, HeaderValue) {
    (
        HeaderName::from_static(SOURCE_HEADER),
        HeaderValue::from_static(source.as_str()),
    )
}

/// `--errors` and an upstream answer that breaks the contract: 502 problem+json listing the
/// violations.
fn invalid_upstream_answer(
    mock: &Mock,
    operation: usize,
    status: u16,
    violations: &[Violation],
    total: usize,
) -> Answer {
    let op = &mock.api.operations[operation];
    let errors: Vec<Value> = violations
        .iter()
        .map(|v| {
            let mut j = v.to_json();
            if let Some(m) = j.as_object_mut() {
                m.insert("direction".into(), Value::from("response"));
            }
            j
        })
        .collect();
    let detail = match (violations.first(), total) {
        (Some(only), 1) => format!(
            "the upstream's {status} answer to {} {} breaks the contract: {}",
            op.method,
            op.path,
            only.line()
        ),
        (_, n) => format!(
            "the upstream's {status} answer to {} {} breaks the contract in {n} places",
            op.method, op.path
        ),
    };
    let mut p = Problem::new(502, "Invalid Upstream Response", detail)
        .with("upstreamStatus", Value::from(status))
        .with("errors", Value::Array(errors));
    if total > violations.len() {
        p = p.with("truncated", Value::from(total - violations.len()));
    }
    Answer::problem(&p)
}

/// `x-stubborn-violations`, with each violation's direction: `request query limit: …;
/// response body /id: …`, at most 4,000 characters.
pub fn push_violations(
    answer: &mut Answer,
    request: &[Violation],
    request_total: usize,
    response: &[Violation],
    response_total: usize,
) {
    if request_total == 0 && response_total == 0 {
        return;
    }
    let mut parts: Vec<String> = Vec::new();
    for (direction, list, total) in [
        ("request", request, request_total),
        ("response", response, response_total),
    ] {
        parts.extend(list.iter().map(|v| format!("{direction} {}", v.line())));
        if total > list.len() {
            parts.push(format!("{direction}: and {} more", total - list.len()));
        }
    }
    let line: String = parts
        .join("; ")
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .take(4000)
        .collect();
    if let Ok(v) = HeaderValue::from_str(&line) {
        answer
            .headers
            .push((HeaderName::from_static(runtime::VIOLATIONS_HEADER), v));
    }
}

/// A value from a request, fit to quote in a message: at most 100 characters, no controls.
fn printable(s: &str) -> String {
    s.chars()
        .take(100)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
